"""Which exceptions are worth a retry: the one place that decides transient versus permanent.

Transient means "the same message will succeed later without anyone changing
anything": a server that is down or restarting (object store, database,
broker), a lock or serialisation conflict, or two duplicate publishes racing
on the same rows. Everything else (a corrupt file, a bug) fails the dossier
at once instead of burning retries for an hour.
"""

from __future__ import annotations

import redis.exceptions
from dramatiq.errors import BrokerConnectionError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from archive.transactions import is_transient as is_transient_sql
from storage import StorageError

__all__ = ["is_transient"]

_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    OperationalError,  # connection refused, server gone, "database is locked"
    InterfaceError,
    IntegrityError,  # two deliveries of one publish racing: the second sees "done" next time
    BrokerConnectionError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,  # OSError family: refused, reset, aborted
    TimeoutError,
)


def is_transient(exc: BaseException) -> bool:
    """True if retrying the message later may succeed."""
    if isinstance(exc, StorageError):
        return bool(exc.retryable)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if is_transient_sql(exc):
        return True
    try:
        import pika.exceptions
    except ImportError:  # pragma: no cover - pika ships with dramatiq[rabbitmq]
        pass
    else:
        if isinstance(exc, pika.exceptions.AMQPConnectionError | pika.exceptions.AMQPChannelError):
            return True
    return isinstance(exc, _TRANSIENT_TYPES)
