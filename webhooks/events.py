"""The events the one-stop system receives, and the JSON body of each (schema version 1).

Every body has the same envelope; ``completeness`` is present for
``processed``, ``complete`` and ``incomplete``, ``decision`` for ``accepted``
and ``returned``, ``reason`` for ``failed``. Fields may be added within a
version; renaming or removing one bumps ``version``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from models.dossier_code import VIETNAM_TZ

__all__ = ["EVENT_TYPES", "SCHEMA_VERSION", "body_bytes", "build_payload",
           "completeness_summary", "local_iso"]

SCHEMA_VERSION = 1

EVENT_TYPES = (
    "received",    # originals kept, dossier code given (Tiếp nhận)
    "processed",   # read and checked by the machine; verdict attached
    "complete",    # the machine verdict: every required component is there (ĐỦ)
    "incomplete",  # the machine verdict: something is missing (CHƯA ĐỦ)
    "failed",      # the files could not be processed; a person must look
    "accepted",    # the officer accepted the dossier; due date attached
    "returned",    # the officer handed it back: to complete (bổ sung) or refused (từ chối)
)


def local_iso(moment: datetime) -> str:
    """ISO 8601 in Vietnam time (+07:00), to the second: what the one-stop systems show."""
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()


def completeness_summary(result: Mapping[str, Any] | None) -> dict[str, Any]:
    """The verdict part of a ``dossier process`` result, short enough for a webhook."""
    completeness = (result or {}).get("completeness") or {}
    documents = (result or {}).get("documents") or []
    return {
        "complete": bool(completeness.get("complete")),
        "missing": [str(t) for t in completeness.get("missing", [])],
        "problems": [{"kind": p.get("kind", ""), "message": p.get("message", "")}
                     for p in completeness.get("problems", []) if isinstance(p, Mapping)],
        "documents": [str(d.get("type")) for d in documents if isinstance(d, Mapping)],
    }


def build_payload(*, event_id: str, event_type: str, sequence: int, occurred_at: datetime,
                  dossier_code: str, agency_code: str, procedure_code: str | None,
                  status: str, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON object sent for one event (``data`` adds the type's own fields)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    payload: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "event_id": event_id,
        "type": event_type,
        "sequence": sequence,
        "occurred_at": local_iso(occurred_at),
        "dossier_code": dossier_code,
        "agency_code": agency_code,
        "procedure_code": procedure_code,
        "status": status,
    }
    for key, value in (data or {}).items():
        payload.setdefault(key, value)
    return payload


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): UTF-8 JSON, Vietnamese unescaped, keys sorted."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")
