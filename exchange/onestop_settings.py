"""Configuration of the API the one-stop system calls (read by webapp/config.py).

``DOSSIER_ONESTOP_TOKEN`` turns the API on; without it every one-stop endpoint
answers 503. The token is a shared secret of at least 32 characters (e.g.
``python -c "import secrets; print(secrets.token_urlsafe(32))"``), so a short,
guessable one is refused at start-up rather than accepted.

``DOSSIER_ONESTOP_AGENCIES`` (comma-separated agency codes) limits which
agencies' dossiers the token may read; by default only the desk's own
``DOSSIER_AGENCY_CODE``. A provincial installation serving several communes
lists them all; any other agency's dossier is "not found".
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DEFAULT_AGENCY", "MIN_TOKEN_LENGTH", "OneStopConfigError", "onestop_settings"]

DEFAULT_AGENCY = "000.00.00.H00"
MIN_TOKEN_LENGTH = 32


class OneStopConfigError(ValueError):
    """The one-stop API settings are unusable; the message names the variable."""


def onestop_settings(env: Mapping[str, str]) -> dict[str, object]:
    """``onestop_token`` and ``onestop_agencies`` for ``webapp.config.Settings``."""
    token = (env.get("DOSSIER_ONESTOP_TOKEN") or "").strip() or None
    if token is not None and (len(token) < MIN_TOKEN_LENGTH or not token.isascii()
                              or not token.isprintable() or " " in token):
        raise OneStopConfigError(f"DOSSIER_ONESTOP_TOKEN: use at least {MIN_TOKEN_LENGTH} "
                                 "printable ASCII characters without spaces")
    listed = env.get("DOSSIER_ONESTOP_AGENCIES") or ""
    agencies = tuple(a.strip() for a in listed.split(",") if a.strip())
    if not agencies:
        agencies = ((env.get("DOSSIER_AGENCY_CODE") or "").strip() or DEFAULT_AGENCY,)
    return {"onestop_token": token, "onestop_agencies": agencies}
