"""Who is asking: the session's user, log-in with a rate limit, and role checks.

The session cookie (Starlette's signed cookie, HttpOnly, SameSite=Lax) holds
only the user id and the account's ``session_epoch``; bumping the epoch
(password change, account switched off) ends every session of that user.
Log-in failures are counted in the database, so the limit holds across
server processes and restarts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from archive.transactions import in_write_transaction
from webapp.accounts import User, recent_failures, record_attempt, verify_login
from webapp.state import AppState, app_state

__all__ = ["LoginRefused", "NotLoggedIn", "current_user", "log_in", "log_out", "require_role"]

log = logging.getLogger(__name__)


class NotLoggedIn(Exception):
    """No valid session: pages redirect to the log-in page, the API answers 401."""


@dataclass(frozen=True, slots=True)
class LoginRefused:
    message: str
    rate_limited: bool = False


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def log_in(request: Request, state: AppState, username: str,
           password: str) -> User | LoginRefused:
    """Check the password unless too many recent failures; start the session on success."""
    settings = state.settings
    ip = client_ip(request)
    window = timedelta(minutes=settings.login_window_minutes)
    with state.sessions() as session:
        by_user, by_ip = recent_failures(session, username, ip, window)
        if by_user >= settings.login_max_failures or by_ip >= 4 * settings.login_max_failures:
            log.warning("log-in refused: too many failures (from %s)", ip)
            return LoginRefused(f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau "
                                f"{settings.login_window_minutes} phút.", rate_limited=True)

        def attempt(s):  # type: ignore[no-untyped-def]
            user = verify_login(s, username, password)
            record_attempt(s, username, ip, ok=user is not None)
            return user

        user = in_write_transaction(session, attempt)
    if user is None:
        log.info("log-in failed (from %s)", ip)
        return LoginRefused("Tên đăng nhập hoặc mật khẩu không đúng.")
    csrf = request.session.get("csrf")
    request.session.clear()  # a fresh session: no fixation of a pre-log-in cookie
    request.session.update({"uid": user.id, "epoch": user.session_epoch})
    if csrf:
        request.session["csrf"] = csrf
    log.info("user %s logged in", user.id)
    return user


def log_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request, state: Annotated[AppState, Depends(app_state)]) -> User:
    """The logged-in, active user; NotLoggedIn otherwise."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        raise NotLoggedIn()
    with state.sessions() as session:
        user = session.get(User, uid)
    if user is None or not user.active or user.session_epoch != request.session.get("epoch"):
        request.session.clear()
        raise NotLoggedIn()
    return user


def require_role(*roles: str):  # type: ignore[no-untyped-def]
    """Dependency factory: 403 unless the user has one of ``roles``."""

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in roles:
            raise HTTPException(403, "Tài khoản của bạn không có quyền làm việc này.")
        return user

    return check
