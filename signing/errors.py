"""The one error signing configuration raises; its own module so the CLI can catch it cheaply."""

from __future__ import annotations

__all__ = ["SigningConfigError"]


class SigningConfigError(ValueError):
    """The configured certificate cannot be used; the message names the file and why."""
