"""One broker from one URL: Redis, RabbitMQ, or in-process.

``redis://host:port/db``  RedisBroker. Two options of ours may be added as
    query parameters and are taken off before redis-py sees the URL:
    ``heartbeat_timeout_ms`` (default 15000: a worker silent that long is dead
    and its unacknowledged messages go back to the queue) and
    ``maintenance_chance`` (per million broker calls; default 10000, i.e.
    about one requeue sweep every few seconds across a handful of workers).
    dramatiq's own defaults (60 s, 1000) would leave a killed worker's pages
    waiting for minutes.
``amqp://user:pass@host:port/vhost``  RabbitmqBroker; RabbitMQ itself
    redelivers a dead consumer's messages as soon as its connection drops.
``memory://``  StubBroker, driven by an in-process ``dramatiq.Worker``.

A Redis consumer polls (a Lua script call) whenever its queue is empty, every
``dramatiq_worker_timeout`` ms. ``dossier worker`` sets 50 ms so a dossier does
not wait up to a second at each hop; but with eight queues per process (the
three of a dossier, webhooks, and each one's delay queue) that polling alone
took ~10% of a 2-core machine. Only the dossier's own queues poll that fast;
delay queues (retries, backoff of a second or more) and webhooks poll at
dramatiq's own pace, ``SLOW_POLL_MS``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from workers.faults import is_transient
from workers.middleware import RecordFailure, WarmUp
from workers.settings import WorkerSettings

__all__ = ["make_broker"]

DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000
DEFAULT_MAINTENANCE_CHANCE = 10_000
FAST_POLL_QUEUES = frozenset({"hoso.split", "hoso.ocr", "hoso.publish"})
SLOW_POLL_MS = 1_000


def _middleware(settings: WorkerSettings) -> list[Middleware]:
    def retry_when(retries: int, exc: BaseException) -> bool:
        return retries < settings.max_retries and is_transient(exc)

    return [
        AgeLimit(),
        TimeLimit(time_limit=settings.time_limit_ms),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(max_retries=settings.max_retries, min_backoff=settings.min_backoff_ms,
                max_backoff=settings.max_backoff_ms, retry_when=retry_when),
        RecordFailure(),  # after Retries: sees whether the message was given up on
    ]


def make_broker(settings: WorkerSettings) -> dramatiq.Broker:
    """The broker named by ``settings.broker_url``, with our retry policy installed."""
    url = settings.broker_url
    scheme = url.partition(":")[0].lower()
    middleware = _middleware(settings)
    if scheme == "memory":
        return StubBroker(middleware=middleware)
    middleware.append(WarmUp())  # worker processes of a real broker only: see WarmUp
    if scheme in ("redis", "rediss"):
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        heartbeat = int(query.pop("heartbeat_timeout_ms", DEFAULT_HEARTBEAT_TIMEOUT_MS))
        chance = int(query.pop("maintenance_chance", DEFAULT_MAINTENANCE_CHANCE))
        clean = urlunsplit(parts._replace(query=urlencode(query)))
        return _redis_broker_class()(url=clean, middleware=middleware,
                                     heartbeat_timeout=heartbeat, maintenance_chance=chance)
    if scheme in ("amqp", "amqps"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url, middleware=middleware)
    raise ValueError(f"DOSSIER_BROKER_URL {scheme}://...: expected redis://, amqp:// or memory://")


def _redis_broker_class() -> type[dramatiq.Broker]:
    """RedisBroker whose idle polling is fast only on the dossier's own queues."""
    from dramatiq.brokers.redis import RedisBroker

    class PacedRedisBroker(RedisBroker):
        def consume(self, queue_name: str, prefetch: int = 1,
                    timeout: int = 5000) -> dramatiq.Consumer:
            if queue_name not in FAST_POLL_QUEUES:
                timeout = max(timeout, SLOW_POLL_MS)
            return super().consume(queue_name, prefetch, timeout)

    return PacedRedisBroker
