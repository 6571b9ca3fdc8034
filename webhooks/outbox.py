"""Write webhook events in the caller's transaction: the event exists iff the change committed.

``add_event`` never commits. It locks the dossier's row (PostgreSQL; SQLite's
write transaction is already exclusive) so the per-dossier ``sequence`` is
gapless and ordered even when two processes change one dossier at once, and it
skips an event already recorded under the same (dossier, type, key): a worker
message delivered twice records its change once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.records import Agency, Dossier, OutboxEvent, Procedure, utcnow
from webhooks.events import build_payload, completeness_summary, local_iso
from webhooks.notify import mark_pending

__all__ = ["add_event", "emit_decision", "emit_failed", "emit_verdict", "key_of"]


def key_of(value: Any) -> str:
    """A short, stable dedup key for any JSON-able value (the same content, the same key)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def add_event(session: Session, dossier: Dossier, event_type: str,
              data: Mapping[str, Any] | None = None, *, key: str = "") -> OutboxEvent | None:
    """Add one event for ``dossier`` to the open transaction; None if already recorded."""
    session.flush()  # the dossier row (new, or its new status) must be in this transaction
    session.execute(select(Dossier.id).where(Dossier.id == dossier.id).with_for_update())
    exists = session.scalar(select(OutboxEvent.id).where(
        OutboxEvent.dossier_id == dossier.id, OutboxEvent.event_type == event_type,
        OutboxEvent.dedup_key == key))
    if exists is not None:
        return None
    last = session.scalar(select(func.max(OutboxEvent.sequence))
                          .where(OutboxEvent.dossier_id == dossier.id))
    sequence = (last or 0) + 1
    agency_code = session.scalar(select(Agency.code).where(Agency.id == dossier.agency_id))
    procedure_code = None
    if dossier.procedure_id is not None:
        procedure_code = session.scalar(select(Procedure.code)
                                        .where(Procedure.id == dossier.procedure_id))
    procedure_code = procedure_code or (dossier.result or {}).get("procedure")
    now = utcnow()
    event_id = str(uuid.uuid4())
    payload = build_payload(event_id=event_id, event_type=event_type, sequence=sequence,
                            occurred_at=now, dossier_code=dossier.code,
                            agency_code=agency_code or "", procedure_code=procedure_code,
                            status=dossier.status, data=data)
    row = OutboxEvent(event_id=event_id, dossier_id=dossier.id, sequence=sequence,
                      event_type=event_type, dedup_key=key, payload=payload, created_at=now,
                      attempts=0, next_attempt_at=now)
    session.add(row)
    mark_pending(session)
    return row


def emit_verdict(session: Session, dossier: Dossier, result: Mapping[str, Any]) -> None:
    """``processed`` then ``complete`` or ``incomplete``, once per distinct result."""
    summary = completeness_summary(result)
    key = key_of(dict(result))
    data = {"completeness": summary}
    add_event(session, dossier, "processed", data, key=key)
    add_event(session, dossier, "complete" if summary["complete"] else "incomplete", data,
              key=key)


def emit_failed(session: Session, dossier: Dossier, reason: str) -> None:
    """``failed`` with the reason a person will read; once per reason."""
    add_event(session, dossier, "failed", {"reason": reason[:1000]}, key=key_of(reason))


def emit_decision(session: Session, dossier: Dossier, kind: str,
                  details: Mapping[str, Any], key: str) -> None:
    """``accepted`` or ``returned`` (asked to complete, or refused) from an officer's decision."""
    decision = {k: v for k, v in details.items() if k in (
        "decision", "reason", "missing", "problems", "due_at")}
    if decision.get("due_at"):
        decision["due_at"] = local_iso(datetime.fromisoformat(str(decision["due_at"])))
    add_event(session, dossier, "accepted" if kind == "accept" else "returned",
              {"decision": decision}, key=key)
