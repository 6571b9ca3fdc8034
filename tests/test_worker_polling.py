"""Redis consumers poll fast only where a dossier waits: its three queues, not retries or webhooks.

No server needed: redis-py connects lazily, and the poll interval is fixed
when the consumer is made.
"""

from __future__ import annotations

import pytest
from dramatiq.common import dq_name

from workers.broker import FAST_POLL_QUEUES, SLOW_POLL_MS, make_broker
from workers.settings import WorkerSettings


@pytest.fixture
def broker():  # type: ignore[no-untyped-def]
    made = make_broker(WorkerSettings(broker_url="redis://127.0.0.1:1/0?heartbeat_timeout_ms=3000"))
    yield made
    made.close()


def test_dossier_queues_keep_the_short_poll(broker) -> None:  # type: ignore[no-untyped-def]
    from workers.actors import QUEUES  # a renamed queue must not silently poll slowly

    assert set(QUEUES) == FAST_POLL_QUEUES
    for queue in FAST_POLL_QUEUES:
        assert broker.consume(queue, prefetch=2, timeout=50).timeout == 50


def test_delay_and_webhook_queues_poll_at_dramatiqs_pace(broker) -> None:  # type: ignore[no-untyped-def]
    slow = [dq_name(q) for q in FAST_POLL_QUEUES] + ["hoso.webhooks", dq_name("hoso.webhooks")]
    for queue in slow:
        consumer = broker.consume(queue, prefetch=2, timeout=50)
        assert consumer.timeout == SLOW_POLL_MS
        assert consumer.prefetch == 2
    assert broker.consume("hoso.webhooks", timeout=5000).timeout == 5000  # never shortened
    assert broker.heartbeat_timeout == 3000  # our URL options still reach the broker
