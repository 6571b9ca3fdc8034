"""Staff accounts and log-in attempts: the web app's own tables, kept apart from records.

They live in the records database but on their own SQLAlchemy metadata,
created with ``create_all``: the records schema (and its Alembic history)
does not change for the web app. Passwords are Argon2id hashes
(argon2-cffi's defaults follow RFC 9106's recommendations); rehashing on log
in keeps old hashes up to date when those defaults change.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from models.records import UTCDateTime, utcnow

__all__ = [
    "ROLES",
    "AccountError",
    "LoginAttempt",
    "Role",
    "User",
    "add_user",
    "create_tables",
    "recent_failures",
    "record_attempt",
    "verify_login",
]

Role = Literal["reception", "supervisor", "admin"]
ROLES: tuple[str, ...] = ("reception", "supervisor", "admin")
ROLE_NAMES = {"reception": "Tiếp nhận", "supervisor": "Giám sát", "admin": "Quản trị"}

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing the same.
_DUMMY_HASH = _hasher.hash("không-có-tài-khoản-này")


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


class AccountBase(DeclarativeBase):
    metadata = MetaData()


class User(AccountBase):
    """A member of staff at one agency's desk."""

    __tablename__ = "web_users"
    __table_args__ = (CheckConstraint("role IN ('reception', 'supervisor', 'admin')",
                                      name="ck_web_users_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


class LoginAttempt(AccountBase):
    """One log-in try; failures in a recent window block further tries (rate limit)."""

    __tablename__ = "web_login_attempts"
    __table_args__ = (Index("ix_web_login_attempts_user_at", "username", "at"),
                      Index("ix_web_login_attempts_ip_at", "client_ip", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def create_tables(engine: Engine) -> None:
    """Create the account tables if missing (idempotent)."""
    AccountBase.metadata.create_all(engine)


def normal_username(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().lower()


def add_user(session: Session, username: str, password: str, *, role: str, agency_code: str,
             full_name: str = "") -> User:
    """Create a user (caller commits); AccountError for a bad role, name or password."""
    name = normal_username(username)
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise AccountError("tên đăng nhập không hợp lệ (không để trống, không có dấu cách)")
    if role not in ROLES:
        raise AccountError(f"vai trò phải là một trong: {', '.join(ROLES)}")
    if len(password) < 10:
        raise AccountError("mật khẩu phải có ít nhất 10 ký tự")
    if not agency_code.strip():
        raise AccountError("thiếu mã cơ quan")
    if session.scalars(select(User).where(User.username == name)).first() is not None:
        raise AccountError(f"tên đăng nhập {name!r} đã có")
    user = User(username=name, full_name=unicodedata.normalize("NFC", full_name.strip()),
                password_hash=_hasher.hash(password), role=role,
                agency_code=agency_code.strip())
    session.add(user)
    return user


def verify_login(session: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, else None (same work either way)."""
    user = session.scalars(select(User).where(User.username == normal_username(username))
                           ).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def record_attempt(session: Session, username: str, client_ip: str, ok: bool) -> None:
    session.add(LoginAttempt(username=normal_username(username)[:64], client_ip=client_ip[:64],
                             ok=ok, at=utcnow()))


def recent_failures(session: Session, username: str, client_ip: str,
                    window: timedelta) -> tuple[int, int]:
    """Failed tries in the window: (for this user name, from this address)."""
    since = utcnow() - window
    by_user = session.scalar(select(func.count()).where(
        LoginAttempt.username == normal_username(username), LoginAttempt.ok.is_(False),
        LoginAttempt.at >= since)) or 0
    by_ip = session.scalar(select(func.count()).where(
        LoginAttempt.client_ip == client_ip, LoginAttempt.ok.is_(False),
        LoginAttempt.at >= since)) or 0
    return int(by_user), int(by_ip)
