"""Typed errors for input that cannot become pages.

The `kind` values are fixed by the outside contract (`dossier ocr --json`), so
callers can act on them without parsing messages.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    NOT_A_DOCUMENT = "not-a-document"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    TOO_LARGE = "too-large"
    UNSUPPORTED = "unsupported"


class DocumentError(Exception):
    """A file (or one of its pages) that the pipeline refuses, with a reason a person can read."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = ErrorKind(kind)
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "message": self.message}


class PageTimeout(Exception):
    """Tesseract ran past the per-page time limit and was killed."""
