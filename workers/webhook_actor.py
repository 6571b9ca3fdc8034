"""The webhook deliverer as a dramatiq actor: kicked after each state change, re-armed on failure.

Every committed state change in a worker process sends ``deliver_webhooks``
(``webhooks.notify``). A run that tried to send something and left events
undelivered (the receiver is down) sends itself again, delayed until the
earliest retry falls due; a run that found nothing to try ends, so the kicks
of many state changes collapse into one retry chain instead of multiplying.
With the in-memory broker the embedded background thread delivers instead:
a self-re-arming message would keep ``drain`` from ever finishing.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

from models.records import utcnow
from webhooks.delivery import deliver_due
from webhooks.notify import set_notifier
from webhooks.settings import WebhookSettings
from workers.resources import context

__all__ = ["QUEUE", "deliver_webhooks"]

QUEUE = "hoso.webhooks"
MIN_DELAY_MS = 500


@dramatiq.actor(queue_name=QUEUE, priority=5, max_retries=3)
def deliver_webhooks() -> None:
    """Send what is due; re-arm while the receiver has not acknowledged everything."""
    settings = WebhookSettings.from_env()
    if not settings.enabled:
        return
    report = deliver_due(context().sessions, settings)
    tried = bool(report.delivered) or report.failed > 0
    if tried and report.next_due_at is not None:
        wait_s = (report.next_due_at - utcnow()).total_seconds()
        delay_ms = int(min(max(wait_s * 1000, MIN_DELAY_MS), settings.backoff_max_s * 1000))
        deliver_webhooks.send_with_options(delay=delay_ms)


def _kick(_engine: object) -> None:
    if WebhookSettings.from_env().enabled:
        deliver_webhooks.send()


if not isinstance(dramatiq.get_broker(), StubBroker):
    set_notifier(_kick)
