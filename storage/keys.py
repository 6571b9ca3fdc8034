"""Object key layout and content hashing.

Keys are content-addressed: ``{agency}/{yyyy}/{dossier}/{kind}/{sha256}.{ext}``.
Putting the digest in the key makes a second write of the same scan a no-op and
lets anyone re-check an object against its own name, even without metadata.
Every part is validated so a dossier code can never escape its folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from typing import BinaryIO, NamedTuple

CHUNK_SIZE = 1024 * 1024
KINDS = ("original", "page", "ocr", "pdf", "metadata")

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_PART_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_EXT_RE = re.compile(r"[a-z0-9]{1,10}")
_MAX_KEY_BYTES = 1024


class ObjectKey(NamedTuple):
    """The parts of a content-addressed key."""

    agency_code: str
    received_year: int
    dossier_code: str
    kind: str
    sha256: str
    extension: str

    def __str__(self) -> str:
        return (
            f"{self.agency_code}/{self.received_year:04d}/{self.dossier_code}/"
            f"{self.kind}/{self.sha256}.{self.extension}"
        )


def _check_part(name: str, value: str) -> str:
    if not isinstance(value, str) or not _PART_RE.fullmatch(value) or ".." in value:
        raise ValueError(
            f"invalid {name} {value!r}: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, no '..' and no '/'"
        )
    return value


def object_key(
    agency_code: str,
    received_year: int,
    dossier_code: str,
    sha256: str,
    kind: str,
    extension: str,
) -> str:
    """Build the content-addressed key for one object; raises ValueError on a bad part."""
    _check_part("agency code", agency_code)
    _check_part("dossier code", dossier_code)
    if isinstance(received_year, bool) or not isinstance(received_year, int) or not (
        1900 <= received_year <= 2999
    ):
        raise ValueError(f"invalid received year {received_year!r}: expected 1900-2999")
    if kind not in KINDS:
        raise ValueError(f"invalid kind {kind!r}: expected one of {', '.join(KINDS)}")
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise ValueError(f"invalid sha256 {sha256!r}: expected 64 lowercase hex digits")
    ext = extension.lower().lstrip(".") if isinstance(extension, str) else ""
    if not _EXT_RE.fullmatch(ext):
        raise ValueError(f"invalid extension {extension!r}: expected 1-10 letters or digits")
    return str(ObjectKey(agency_code, received_year, dossier_code, kind, sha256, ext))


def parse_key(key: str) -> ObjectKey | None:
    """Split a content-addressed key into its parts, or None if it is not one."""
    parts = key.split("/")
    if len(parts) != 5:
        return None
    agency, year, dossier, kind, name = parts
    digest, dot, ext = name.partition(".")
    if not (dot and year.isdigit() and len(year) == 4):
        return None
    try:
        rebuilt = object_key(agency, int(year), dossier, digest, kind, ext)
    except ValueError:
        return None
    return ObjectKey(agency, int(year), dossier, kind, digest, ext) if rebuilt == key else None


def validate_key(key: str) -> str:
    """Check any object key (content-addressed or not) is safe on S3 and on a filesystem.

    Segments starting with '.' are reserved for the local backend's temp files
    and sidecars, so they are refused here for both backends alike.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("invalid object key: empty")
    if len(key.encode("utf-8")) > _MAX_KEY_BYTES:
        raise ValueError(f"invalid object key {key[:60]!r}...: longer than {_MAX_KEY_BYTES} bytes")
    if "\\" in key or any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise ValueError(f"invalid object key {key!r}: backslash or control character")
    for segment in key.split("/"):
        if not segment or segment.startswith("."):
            raise ValueError(
                f"invalid object key {key!r}: empty segment, '..', or segment starting with '.'"
            )
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: like a key, but may be empty or end with '/'."""
    if prefix:
        validate_key(prefix.removesuffix("/") or "x")
    return prefix


def sha256_chunks(chunks: Iterable[bytes]) -> str:
    """Hex SHA-256 of a sequence of chunks."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def iter_stream(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterable[bytes]:
    """Yield a stream's bytes in bounded chunks until EOF."""
    while chunk := stream.read(chunk_size):
        yield chunk


def sha256_file(path: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> str:
    """Hex SHA-256 of a file, read in chunks so a multi-GB scan never sits in memory."""
    with open(path, "rb") as handle:
        return sha256_chunks(iter_stream(handle, chunk_size))
