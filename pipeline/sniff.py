"""Decide a file's format from its leading bytes, never from its name."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pipeline.errors import DocumentError, ErrorKind


class FileFormat(StrEnum):
    PDF = "pdf"
    TIFF = "tiff"
    JPEG = "jpeg"
    PNG = "png"


_MAGIC: list[tuple[bytes, FileFormat]] = [
    (b"\x89PNG\r\n\x1a\n", FileFormat.PNG),
    (b"\xff\xd8\xff", FileFormat.JPEG),
    (b"II*\x00", FileFormat.TIFF),
    (b"MM\x00*", FileFormat.TIFF),
]


def sniff_bytes(head: bytes) -> FileFormat | None:
    """Return the format of a file that starts with `head`, or None."""
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    # The PDF header may follow a little junk (some scanners write a BOM or a
    # mail header); readers accept it within the first kilobyte.
    if b"%PDF-" in head[:1024]:
        return FileFormat.PDF
    return None


def sniff_file(path: Path, max_bytes: int) -> FileFormat:
    """Check size and magic bytes; raise a typed DocumentError for anything else."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(1024)
    except IsADirectoryError as exc:
        raise DocumentError(ErrorKind.NOT_A_DOCUMENT, "is a folder, not a file") from exc
    except FileNotFoundError as exc:
        raise DocumentError(ErrorKind.NOT_A_DOCUMENT, "file not found") from exc
    except PermissionError as exc:
        raise DocumentError(ErrorKind.NOT_A_DOCUMENT, "file cannot be read (permission)") from exc
    if size == 0:
        raise DocumentError(ErrorKind.NOT_A_DOCUMENT, "file is empty (0 bytes)")
    if size > max_bytes:
        raise DocumentError(
            ErrorKind.TOO_LARGE, f"file is {size:,} bytes, over the limit of {max_bytes:,}"
        )
    fmt = sniff_bytes(head)
    if fmt is None:
        raise DocumentError(
            ErrorKind.NOT_A_DOCUMENT,
            "not a PDF, TIFF, JPEG or PNG (format decided from the file's content)",
        )
    return fmt
