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

Redis consumers of the dossier's own queues wait on a doorbell instead of
polling (``workers.redis_broker``).
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
from workers.redis_broker import DoorbellRedisBroker
from workers.settings import WorkerSettings

__all__ = ["make_broker"]

DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000
DEFAULT_MAINTENANCE_CHANCE = 10_000


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
        return DoorbellRedisBroker(url=clean, middleware=middleware,
                                     heartbeat_timeout=heartbeat, maintenance_chance=chance)
    if scheme in ("amqp", "amqps"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url, middleware=middleware)
    raise ValueError(f"DOSSIER_BROKER_URL {scheme}://...: expected redis://, amqp:// or memory://")
