"""Webhook configuration from the environment.

No ``DOSSIER_WEBHOOK_URL`` means "not connected yet": events are still written
to the outbox (so a desk that is plugged in later can send its whole history,
in order), only nothing is sent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ENV_SECRET", "ENV_URL", "WebhookSettings"]

ENV_URL = "DOSSIER_WEBHOOK_URL"
ENV_SECRET = "DOSSIER_WEBHOOK_SECRET"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be greater than 0")
    return value


@dataclass(frozen=True)
class WebhookSettings:
    """Where to send, with which secret, and how patiently."""

    url: str | None = None
    secret: str = ""
    timeout_s: float = 10.0  # one request (connect + answer), workers and the CLI
    embedded_timeout_s: float = 3.0  # one request from the desk's own process
    backoff_min_s: float = 5.0  # first retry after about this long
    backoff_max_s: float = 900.0  # never wait longer than this between two tries
    lease_s: float = 120.0  # a claimed event is another deliverer's again after this

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebhookSettings:
        env = os.environ if environ is None else environ
        url = (env.get(ENV_URL) or "").strip() or None
        secret = env.get(ENV_SECRET) or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValueError(f"{ENV_URL}={url!r}: expected an http:// or https:// address")
        if url and not secret:
            raise ValueError(f"{ENV_URL} is set but {ENV_SECRET} is empty: "
                             "the receiver could not tell our events from forged ones")
        return cls(
            url=url, secret=secret,
            timeout_s=_float(env, "DOSSIER_WEBHOOK_TIMEOUT_S", cls.timeout_s),
            embedded_timeout_s=_float(env, "DOSSIER_WEBHOOK_EMBEDDED_TIMEOUT_S",
                                      cls.embedded_timeout_s),
            backoff_min_s=_float(env, "DOSSIER_WEBHOOK_BACKOFF_MIN_S", cls.backoff_min_s),
            backoff_max_s=_float(env, "DOSSIER_WEBHOOK_BACKOFF_MAX_S", cls.backoff_max_s),
            lease_s=_float(env, "DOSSIER_WEBHOOK_LEASE_S", cls.lease_s),
        )
