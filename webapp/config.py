"""Web app settings, read once from the environment (contract: Configuration).

The signing key for session cookies comes from ``DOSSIER_WEB_SECRET``, or is
generated once and kept in ``$DOSSIER_HOME/web-secret`` (mode 0600), so that
restarting the server does not log every desk out, and no key is ever baked
into the code.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from exchange.onestop_settings import onestop_settings
from models.database import database_url

__all__ = ["DEFAULT_AGENCY", "Settings"]

DEFAULT_AGENCY = "000.00.00.H00"
MB = 1024 * 1024


def _secret(home: Path, env: Mapping[str, str]) -> str:
    given = (env.get("DOSSIER_WEB_SECRET") or "").strip()
    if given:
        return given
    path = home / "web-secret"
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    home.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app needs to know about where it runs and its limits."""

    home: Path
    database_url: str
    storage_url: str | None
    secret_key: str
    max_file_bytes: int = 50 * MB
    max_files: int = 20
    max_request_bytes: int = 200 * MB
    secure_cookies: bool = False
    session_hours: int = 10
    login_max_failures: int = 5
    login_window_minutes: int = 15
    processing_threads: int = 1
    onestop_token: str | None = None  # DOSSIER_ONESTOP_TOKEN; None: the one-stop API is off
    onestop_agencies: tuple[str, ...] = ()  # agencies that token may read (webapp/onestop_api.py)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("DOSSIER_HOME") or "./data").absolute()
        values: dict[str, object] = {
            "home": home,
            "database_url": database_url(env),
            "storage_url": env.get("DOSSIER_STORAGE_URL") or None,
            "secret_key": _secret(home, env),
            "max_file_bytes": int(env.get("DOSSIER_WEB_MAX_FILE_MB") or 50) * MB,
            "secure_cookies": (env.get("DOSSIER_WEB_SECURE_COOKIES") or "").lower()
            in ("1", "true", "yes"),
        }
        values.update(onestop_settings(env))
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def upload_dir(self) -> Path:
        return self.home / "uploads"
