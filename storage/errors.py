"""Typed storage errors and the one retry helper for transient faults.

Callers (pipeline, fsck, CLI) branch on the error *type*, never on a backend's
own exception classes, so a MinIO outage and a full local disk are handled the
same way whichever backend is configured.  Only ``retryable`` errors are
retried, and only here, so every backend gets the same bounded backoff.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class StorageError(Exception):
    """Base of every object-store failure; the message is one line naming store and key."""

    summary = "object store error"
    retryable = False

    def __init__(self, store: str, key: str | None = None, detail: str = "") -> None:
        self.store = store
        self.key = key
        self.detail = " ".join(str(detail).split())  # keep the message on one line
        self.attempts = 1
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"store {self.store}" + (f", key {self.key}" if self.key else "")
        return f"{self.summary} ({where})" + (f": {self.detail}" if self.detail else "")

    def __str__(self) -> str:
        text = self._message()
        return text if self.attempts <= 1 else f"{text} [after {self.attempts} attempts]"


class InvalidStorageURL(StorageError, ValueError):
    """The configured storage URL cannot be understood (credentials are never echoed)."""

    summary = "invalid storage URL"


class StorageUnavailable(StorageError):
    """Server down, connection refused, timeout or 5xx: worth retrying later."""

    summary = "object store unavailable"
    retryable = True


class BucketMissing(StorageError):
    """The configured bucket does not exist and we were not asked to create it."""

    summary = "bucket does not exist"


class AccessDenied(StorageError):
    """Wrong access key / secret, or the identity lacks permission."""

    summary = "access denied"


class StorageFull(StorageError):
    """No space left on the device (or quota exhausted)."""

    summary = "storage is full"


class ObjectMissing(StorageError):
    """No object under that key."""

    summary = "object not found"


class ChecksumMismatch(StorageError):
    """Content does not hash to the SHA-256 recorded for (or named by) the key."""

    summary = "checksum mismatch"

    def __init__(self, store: str, key: str | None, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(store, key, f"expected sha256 {expected}, got {actual}")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: ``attempts`` tries in total, delays doubling from ``base``."""

    attempts: int = 4
    base_delay_s: float = 0.2
    max_delay_s: float = 2.0

    def delays(self) -> list[float]:
        """The sleeps between attempts (one fewer than ``attempts``)."""
        return [
            min(self.max_delay_s, self.base_delay_s * 2**i) for i in range(self.attempts - 1)
        ]


NO_RETRY = RetryPolicy(attempts=1)


def call_with_retries(
    fn: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``fn``; retry it on a retryable ``StorageError`` per ``policy``, else re-raise.

    The final error carries ``attempts`` so the message says how hard we tried.
    """
    delays = policy.delays()
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn()
        except StorageError as exc:
            exc.attempts = attempt
            if not exc.retryable or attempt >= policy.attempts:
                raise
            sleep(delays[attempt - 1])
    raise AssertionError("unreachable")  # pragma: no cover


def retrying(method: Callable[P, T]) -> Callable[P, T]:
    """Decorate a store method so it runs under the store's ``retry_policy``."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        store: Any = args[0]
        return call_with_retries(lambda: method(*args, **kwargs), store.retry_policy)

    return wrapper
