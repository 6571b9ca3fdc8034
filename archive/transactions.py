"""Run a short write transaction, retrying when the database says "try again".

SQLite answers "database is locked" when another desk holds the write lock
past the busy timeout; PostgreSQL may cancel one side of a deadlock or a
serialisation conflict. Both are safe to retry because the work is redone
from scratch in a fresh transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from models.database import begin_write

__all__ = ["in_write_transaction", "is_transient"]

T = TypeVar("T")
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available


def is_transient(exc: BaseException) -> bool:
    """True for lock/serialisation errors that a retry can get past."""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    if isinstance(exc, DBAPIError):
        return getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES
    return False


def in_write_transaction(session: Session, work: Callable[[Session], T], *,
                         attempts: int = 5, base_delay_s: float = 0.05) -> T:
    """Run ``work(session)`` in one write transaction and commit; retry transient failures.

    Any open transaction on ``session`` is committed first so the write lock is
    taken at the start (SQLite ``BEGIN IMMEDIATE``).
    """
    if session.in_transaction():
        session.commit()
    for attempt in range(1, attempts + 1):
        begin_write(session)
        try:
            result = work(session)
            session.commit()
            return result
        except Exception as exc:
            session.rollback()
            if attempt >= attempts or not is_transient(exc):
                raise
            time.sleep(base_delay_s * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover
