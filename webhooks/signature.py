"""HMAC-SHA256 signatures of webhook bodies (the scheme Stripe and GitHub made familiar).

    X-Hoso-Signature: t=1764124800,v1=<hex HMAC-SHA256(secret, "1764124800." + body)>
    X-Hoso-Event-Id: 0f8c...

The timestamp is signed with the body so a captured request cannot be replayed
later (the receiver refuses signatures older than ``tolerance``); several
``v1=`` values may appear while a secret is being rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

__all__ = ["EVENT_ID_HEADER", "EVENT_TYPE_HEADER", "SIGNATURE_HEADER", "sign",
           "signature_headers", "verify_signature"]

SIGNATURE_HEADER = "X-Hoso-Signature"
EVENT_ID_HEADER = "X-Hoso-Event-Id"
EVENT_TYPE_HEADER = "X-Hoso-Event-Type"
DEFAULT_TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_headers(secret: str, body: bytes, event_id: str, event_type: str,
                      timestamp: int | None = None) -> dict[str, str]:
    """The headers one delivery attempt carries (signed afresh on every attempt)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: f"t={t},v1={sign(secret, t, body)}",
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: event_type,
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes, *,
                     tolerance: float = DEFAULT_TOLERANCE_S, now: float | None = None) -> bool:
    """True iff ``headers`` carry a valid, fresh signature of exactly ``body``.

    Compares in constant time; a missing, malformed, stale (older or newer than
    ``tolerance`` seconds) or wrong signature is False, never an exception.
    """
    value = _header(headers, SIGNATURE_HEADER)
    if not value or not secret:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == "v1" and item:
            candidates.append(item.strip().lower())
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
