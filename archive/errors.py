"""Typed errors of the archive service (storage errors come from ``storage.errors``)."""

from __future__ import annotations

__all__ = ["ArchiveError", "BadInputFile", "DossierConflict"]


class ArchiveError(Exception):
    """Base of archive failures; the message is one line."""


class BadInputFile(ArchiveError):
    """A file handed in cannot be read (missing, a folder, no permission)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class DossierConflict(ArchiveError):
    """The database refused the record for a reason a retry cannot fix."""
