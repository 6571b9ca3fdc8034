"""Cross-site request forgery: a per-session token on every form and state-changing call.

The token lives in the signed session cookie; forms send it as the hidden
field ``csrf_token``, scripts and API clients as the ``X-CSRF-Token`` header.
A request whose ``Origin`` names another site is refused before the token is
even looked at (SameSite=Lax already stops most, not all, cross-site posts).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

__all__ = ["FIELD", "HEADER", "csrf_token", "require_csrf"]

FIELD = "csrf_token"
HEADER = "x-csrf-token"
_SAFE = ("GET", "HEAD", "OPTIONS")


def csrf_token(request: Request) -> str:
    """This session's token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def require_csrf(request: Request) -> None:
    """Dependency for every POST/PATCH/DELETE: 403 unless the token matches."""
    if request.method in _SAFE:
        return
    if not _same_origin(request):
        raise HTTPException(403, "Yêu cầu từ trang khác bị từ chối.")
    sent = request.headers.get(HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
            ("multipart/form-data", "application/x-www-form-urlencoded")):
        sent = (await request.form()).get(FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ "
                                 "(thiếu mã chống giả mạo). Hãy tải lại trang.")
