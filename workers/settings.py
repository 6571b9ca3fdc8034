"""Worker configuration from the environment (defaults sized for OCR-bound work).

Every machine reads the same variables (see workers/README.md); none is
required for the embedded mode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["ENV_BROKER_URL", "WorkerSettings"]

ENV_BROKER_URL = "DOSSIER_BROKER_URL"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None


@dataclass(frozen=True)
class WorkerSettings:
    """Retry and time-limit policy, shared by every actor."""

    broker_url: str = "memory://"
    max_retries: int = 12  # with backoff up to a minute: ~10 minutes of outage ridden out
    min_backoff_ms: int = 1_000
    max_backoff_ms: int = 60_000
    time_limit_ms: int = 3_600_000  # a message's wall-clock limit (Tesseract has its own)

    @classmethod
    def from_env(cls) -> WorkerSettings:
        return cls(
            broker_url=os.environ.get(ENV_BROKER_URL, "").strip() or "memory://",
            max_retries=_int("DOSSIER_WORKER_MAX_RETRIES", cls.max_retries),
            min_backoff_ms=_int("DOSSIER_WORKER_MIN_BACKOFF_MS", cls.min_backoff_ms),
            max_backoff_ms=_int("DOSSIER_WORKER_MAX_BACKOFF_MS", cls.max_backoff_ms),
            time_limit_ms=_int("DOSSIER_WORKER_TIME_LIMIT_MS", cls.time_limit_ms),
        )
