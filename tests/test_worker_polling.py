"""Idle Redis consumers of a dossier's queues wait on a doorbell: woken at once, silent meanwhile.

Against a real redis-server. Retries (delay queues) and webhooks keep dramatiq's
slow poll.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import dramatiq
import pytest
import redis
from dramatiq.common import dq_name

from tests.servers.redis import RedisServer, running_redis
from workers.broker import make_broker
from workers.redis_broker import DOORBELL_WAIT_S, FAST_QUEUES, MAX_TOKENS, SLOW_POLL_MS
from workers.settings import WorkerSettings


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with running_redis() as started:
        yield started


@pytest.fixture
def broker(server: RedisServer) -> Iterator[dramatiq.Broker]:
    made = make_broker(WorkerSettings(broker_url=server.url(3, heartbeat_timeout_ms=3000)))
    made.client.flushdb()
    yield made
    made.close()


def _message(queue: str, n: int = 0) -> dramatiq.Message:
    return dramatiq.Message(queue_name=queue, actor_name="page", args=(n,), kwargs={},
                            options={})


def _fetches(client: redis.Redis) -> int:
    """Lua script calls so far: every dramatiq fetch, ack and enqueue is one."""
    stats = client.info("commandstats")
    return sum(int(stats.get(name, {}).get("calls", 0)) for name in ("cmdstat_evalsha",
                                                                      "cmdstat_eval"))


def test_dossier_queues_are_the_actors_queues() -> None:
    from workers.actors import QUEUES  # a renamed queue must not silently lose its doorbell

    assert set(QUEUES) == FAST_QUEUES


def test_an_idle_consumer_is_woken_by_a_message_at_once(broker: dramatiq.Broker) -> None:
    consumer = broker.consume("hoso.ocr", prefetch=2, timeout=50)
    assert next(consumer) is None  # empty: it has waited on the doorbell
    got: list[object] = []

    def wait_for_one() -> None:
        started = time.monotonic()
        while time.monotonic() - started < 5 and not got:
            message = next(consumer)
            if message is not None:
                got.append((message, time.monotonic()))

    waiter = threading.Thread(target=wait_for_one)
    waiter.start()
    time.sleep(0.3)  # the consumer is now blocked on the doorbell
    sent_at = time.monotonic()
    broker.enqueue(_message("hoso.ocr", 7))
    waiter.join(10)
    assert got, "the consumer never received the message"
    message, received_at = got[0]  # type: ignore[misc]
    assert message.args == (7,)
    assert received_at - sent_at < DOORBELL_WAIT_S / 2  # woken, not found at the timeout
    consumer.ack(message)
    consumer.close()


def test_an_idle_consumer_does_not_poll(broker: dramatiq.Broker) -> None:
    consumer = broker.consume("hoso.publish", prefetch=1, timeout=50)
    before = _fetches(broker.client)
    started = time.monotonic()
    while time.monotonic() - started < 2.0:
        assert next(consumer) is None
    calls = _fetches(broker.client) - before
    # dramatiq's own consumer at 50 ms would have asked ~40 times in 2 s
    assert calls <= 2.0 / DOORBELL_WAIT_S + 2
    consumer.close()


def test_a_message_that_rang_no_bell_is_still_found(broker: dramatiq.Broker) -> None:
    """Requeued messages (a dead worker's) push no token: found at the next timeout."""
    consumer = broker.consume("hoso.split", prefetch=1, timeout=50)
    broker.enqueue(_message("hoso.split", 1))
    broker.client.delete(broker.doorbell("hoso.split"))
    message = None
    started = time.monotonic()
    while message is None and time.monotonic() - started < 3 * DOORBELL_WAIT_S:
        message = next(consumer)
    assert message is not None and message.args == (1,)
    consumer.ack(message)
    consumer.close()


def test_tokens_cannot_pile_up(broker: dramatiq.Broker, monkeypatch: pytest.MonkeyPatch) -> None:
    import workers.redis_broker as module

    monkeypatch.setattr(module, "MAX_TOKENS", 5)
    for n in range(12):
        broker.enqueue(_message("hoso.ocr", n))
    assert broker.client.llen(broker.doorbell("hoso.ocr")) == 5
    assert MAX_TOKENS >= 1000  # the real cap leaves room for a long scan's pages


def test_delay_and_webhook_queues_poll_at_dramatiqs_pace(broker: dramatiq.Broker) -> None:
    slow = [dq_name(q) for q in FAST_QUEUES] + ["hoso.webhooks", dq_name("hoso.webhooks")]
    for queue in slow:
        consumer = broker.consume(queue, prefetch=2, timeout=50)
        assert consumer.timeout == SLOW_POLL_MS
        assert consumer.prefetch == 2
    assert broker.consume("hoso.webhooks", timeout=5000).timeout == 5000  # never shortened
    assert broker.heartbeat_timeout == 3000  # our URL options still reach the broker
    broker.enqueue(_message("hoso.ocr"), delay=60_000)  # a retry waiting: no bell yet
    assert broker.client.llen(broker.doorbell("hoso.ocr")) == 0
