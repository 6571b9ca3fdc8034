"""Where a dossier is: the `dossier status CODE --json` object, read from its record only.

Progress lives on the dossier row (``status``, ``pages_done``, ``pages_total``)
so the web app and the CLI read it with one query, from any machine; the
current stage is derived from those, so no worker has to remember to set it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from archive.transactions import in_write_transaction
from intake.result import stored_summary
from models.records import Dossier, utcnow

__all__ = ["dossier_status", "mark_processing", "record_progress"]

_DONE_LATER = ("accepted", "incomplete", "refused")  # decided by staff after processing


def _stage(dossier: Dossier) -> str:
    if dossier.status == "received":
        return "queued"
    if dossier.status == "processing":
        if dossier.pages_total == 0:
            return "split"
        return "ocr" if dossier.pages_done < dossier.pages_total else "publish"
    return "failed" if dossier.status == "failed" else "done"


def dossier_status(session: Session, code: str) -> dict[str, Any] | None:
    """The contract's status object for ``code`` (plus ``stage``), or None if unknown."""
    dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one_or_none()
    if dossier is None:
        return None
    state = "done" if dossier.status in _DONE_LATER else dossier.status
    result: Any = None
    if state == "done" and dossier.result is not None:
        result = dict(dossier.result)
        result["stored"] = stored_summary(session, dossier.id)
    elif state == "failed":
        result = (dossier.result or {}).get("failed") or "failed"
    return {"dossier_code": dossier.code, "state": state, "pages_done": dossier.pages_done,
            "pages_total": dossier.pages_total, "result": result, "stage": _stage(dossier)}


def record_progress(sessions: sessionmaker[Session], dossier_id: str, done: int,
                    total: int) -> bool:
    """Move ``pages_done`` forward to ``done`` (never back); True if this call moved it.

    Redelivered or out-of-order pages must not make the progress bar go backwards.
    """
    def work(s: Session) -> bool:
        s.execute(update(Dossier).where(Dossier.id == dossier_id, Dossier.status == "processing")
                  .values(pages_total=total))
        moved = s.execute(update(Dossier).where(
            Dossier.id == dossier_id, Dossier.status == "processing", Dossier.pages_done < done)
            .values(pages_done=done, updated_at=utcnow()))
        return bool(moved.rowcount)  # type: ignore[attr-defined]

    with sessions() as session:
        return in_write_transaction(session, work)


def mark_processing(sessions: sessionmaker[Session], dossier_id: str) -> None:
    with sessions() as session:
        in_write_transaction(session, lambda s: s.execute(
            update(Dossier).where(Dossier.id == dossier_id, Dossier.status == "received")
            .values(status="processing", updated_at=utcnow())))
