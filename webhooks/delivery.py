"""Send due outbox events to the one-stop system: in order per dossier, at least once.

One round:

1. claim (short write transaction): the *head* of each dossier (its lowest
   undelivered ``sequence``) that is due and not leased by another deliverer
   gets our lease. PostgreSQL reads the candidates ``FOR UPDATE SKIP LOCKED``
   so two deliverers do not queue behind each other; on both databases the
   lease is taken by a conditional UPDATE whose row count says who won.
2. send each claimed event (no transaction open: a slow receiver never holds
   a database lock), signed afresh, with a time limit per request;
3. record the answer (short write transaction): 2xx → ``delivered_at``;
   anything else → ``attempts + 1`` and ``next_attempt_at`` after an
   exponential backoff with jitter, capped.

Event n+1 of a dossier is never a head before n is delivered, hence never
sent before n is acknowledged. A deliverer that dies mid-send leaves a lease
that expires; the event is then sent again, which the receiver's dedup by
``event_id`` makes harmless (at-least-once delivery, exactly-once effect).
Events are retried until acknowledged; only the interval is capped.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from archive.transactions import in_write_transaction
from models.records import OutboxEvent, utcnow
from webhooks.events import body_bytes
from webhooks.settings import WebhookSettings
from webhooks.signature import signature_headers

__all__ = ["DeliveryReport", "backoff_s", "deliver_due", "next_due", "pending_count"]

log = logging.getLogger(__name__)

USER_AGENT = "hoso-webhooks/1"


@dataclass
class DeliveryReport:
    """What one ``deliver_due`` call did, and when the next event falls due."""

    delivered: list[str] = field(default_factory=list)  # event ids, in the order acknowledged
    failed: int = 0
    pending: int = 0
    next_due_at: datetime | None = None


def backoff_s(attempts: int, settings: WebhookSettings, rng: random.Random | None = None) -> float:
    """Seconds before try ``attempts + 1``: doubling from the minimum, capped, jittered.

    "Equal jitter" (half fixed, half random) spreads the retries of many desks
    after an outage without ever retrying sooner than half the nominal delay.
    """
    nominal = min(settings.backoff_max_s, settings.backoff_min_s * 2 ** max(attempts - 1, 0))
    return nominal / 2 + (rng or random).uniform(0, nominal / 2)


def _claim(sessions: sessionmaker[Session], owner: str, limit: int,
           settings: WebhookSettings, timeout_s: float) -> list[OutboxEvent]:
    def work(s: Session) -> list[OutboxEvent]:
        now = utcnow()
        earlier = aliased(OutboxEvent)
        head = ~exists().where(and_(earlier.dossier_id == OutboxEvent.dossier_id,
                                    earlier.delivered_at.is_(None),
                                    earlier.sequence < OutboxEvent.sequence))
        free = or_(OutboxEvent.lease_until.is_(None), OutboxEvent.lease_until < now)
        ids = list(s.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.delivered_at.is_(None), OutboxEvent.next_attempt_at <= now,
                   free, head)
            .order_by(OutboxEvent.next_attempt_at, OutboxEvent.id).limit(limit)
            .with_for_update(skip_locked=True, of=OutboxEvent)))
        # Long enough for every claimed event to time out once: a lease that ran out
        # mid-round would let a second deliverer resend (harmless, but wasteful).
        until = now + timedelta(seconds=max(settings.lease_s, limit * timeout_s + 30))
        won = []
        for event_id in ids:
            moved = s.execute(update(OutboxEvent).where(
                OutboxEvent.id == event_id, OutboxEvent.delivered_at.is_(None), free)
                .values(lease_owner=owner, lease_until=until)
                .execution_options(synchronize_session=False))
            if moved.rowcount:  # type: ignore[attr-defined]
                won.append(event_id)
        if not won:
            return []
        rows = list(s.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(won))
                              .order_by(OutboxEvent.id)))
        for row in rows:
            s.expunge(row)
        return rows

    with sessions() as session:
        return in_write_transaction(session, work)


def _send(client: httpx.Client, settings: WebhookSettings, event: OutboxEvent) -> str | None:
    """POST one event; None when acknowledged (2xx), else why not (for ``last_error``).

    A transport failure (refused, timed out) starts with ``unreachable:``: the
    caller then stops the round instead of waiting one timeout per event.
    """
    assert settings.url is not None
    body = body_bytes(event.payload)
    headers = signature_headers(settings.secret, body, event.event_id, event.event_type)
    headers["User-Agent"] = USER_AGENT
    try:
        response = client.post(settings.url, content=body, headers=headers)
    except httpx.TransportError as exc:
        return f"unreachable: {type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}"


def _record(sessions: sessionmaker[Session], event: OutboxEvent, owner: str, error: str | None,
            settings: WebhookSettings) -> None:
    def work(s: Session) -> None:
        now = utcnow()
        if error is None:  # acknowledged: delivered whoever holds the lease now
            s.execute(update(OutboxEvent).where(
                OutboxEvent.id == event.id, OutboxEvent.delivered_at.is_(None))
                .values(delivered_at=now, attempts=OutboxEvent.attempts + 1, last_error=None,
                        lease_owner=None, lease_until=None)
                .execution_options(synchronize_session=False))
            return
        attempts = event.attempts + 1
        s.execute(update(OutboxEvent).where(
            OutboxEvent.id == event.id, OutboxEvent.lease_owner == owner,
            OutboxEvent.delivered_at.is_(None))
            .values(attempts=attempts, last_error=error, lease_owner=None, lease_until=None,
                    next_attempt_at=now + timedelta(seconds=backoff_s(attempts, settings)))
            .execution_options(synchronize_session=False))

    with sessions() as session:
        in_write_transaction(session, work)


def _release(sessions: sessionmaker[Session], event: OutboxEvent, owner: str) -> None:
    with sessions() as session:
        in_write_transaction(session, lambda s: s.execute(update(OutboxEvent).where(
            OutboxEvent.id == event.id, OutboxEvent.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)))


def pending_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEvent)
                                  .where(OutboxEvent.delivered_at.is_(None))) or 0)


def next_due(sessions: sessionmaker[Session]) -> datetime | None:
    """When the earliest undelivered event may be tried (None: nothing undelivered)."""
    with sessions() as session:
        return session.scalar(select(func.min(OutboxEvent.next_attempt_at))
                              .where(OutboxEvent.delivered_at.is_(None)))


def deliver_due(sessions: sessionmaker[Session], settings: WebhookSettings | None = None, *,
                timeout_s: float | None = None, budget_s: float | None = None,
                batch: int = 20, client: httpx.Client | None = None) -> DeliveryReport:
    """Deliver every event that is due now, round after round, until none is left.

    ``budget_s`` stops starting new rounds after that long (the embedded mode
    must not keep the desk's process busy); ``timeout_s`` limits each request.
    Without a configured URL nothing is sent (events wait in the outbox).
    """
    settings = settings or WebhookSettings.from_env()
    report = DeliveryReport()
    if settings.enabled:
        owner = uuid.uuid4().hex
        started = time.monotonic()
        own_client = client is None
        timeout = timeout_s or settings.timeout_s
        client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        try:
            while budget_s is None or time.monotonic() - started < budget_s:
                claimed = _claim(sessions, owner, batch, settings, timeout)
                if not claimed:
                    break
                acknowledged = 0
                unreachable = False
                for event in claimed:
                    if unreachable:  # give the lease back untried, attempts unchanged
                        _release(sessions, event, owner)
                        continue
                    error = _send(client, settings, event)
                    _record(sessions, event, owner, error, settings)
                    unreachable = error is not None and error.startswith("unreachable:")
                    if error is None:
                        acknowledged += 1
                        report.delivered.append(event.event_id)
                    else:
                        report.failed += 1
                        log.warning("webhook %s (%s, dossier %s #%d) not delivered: %s",
                                    event.event_id, event.event_type,
                                    event.payload.get("dossier_code"), event.sequence, error)
                if not acknowledged:
                    break  # the receiver is down: what is left waits for its backoff
        finally:
            if own_client:
                client.close()
    report.pending = pending_count(sessions)
    report.next_due_at = next_due(sessions) if report.pending else None
    return report
