"""Typed errors of export and import; every message is one line naming the file."""

from __future__ import annotations

__all__ = ["DossierNotFound", "ExchangeError", "ExportFailed", "ImportConflict",
           "PackageInvalid"]


class ExchangeError(Exception):
    """Base of export/import failures."""


class DossierNotFound(ExchangeError):
    """No dossier with that code (at that agency) in this installation."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"{code}: no such dossier")


class ExportFailed(ExchangeError):
    """A stored object could not be exported as recorded (missing, or not its checksum)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


class PackageInvalid(ExchangeError):
    """The package is not a valid, intact export: corrupt, tampered with, or not ours.

    ``name`` is the package file or the member inside it that failed.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


class ImportConflict(ExchangeError):
    """This installation already holds something the package would overwrite."""

    def __init__(self, code: str, reason: str) -> None:
        self.code, self.reason = code, reason
        super().__init__(f"{code}: {reason}")
