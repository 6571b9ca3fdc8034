"""Append one entry to the audit trail (the only way anything writes to it)."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy.orm import Session

from models.records import AuditEntry, utcnow

__all__ = ["record_audit"]


def record_audit(session: Session, action: str, *, actor: str, dossier_id: str | None = None,
                 details: dict[str, Any] | None = None) -> AuditEntry:
    """Add an entry to ``session``; it is written with the caller's transaction, or not at all."""
    entry = AuditEntry(at=utcnow(), actor=unicodedata.normalize("NFC", actor), action=action,
                       dossier_id=dossier_id, details=details or {})
    session.add(entry)
    return entry
