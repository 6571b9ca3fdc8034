"""The object-store interface shared by the S3 and local backends.

Everything above this layer (pipeline, records, fsck) talks to ``ObjectStore``
only, so switching from the embedded folder to MinIO is a URL change.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from storage.errors import ChecksumMismatch, ObjectMissing, RetryPolicy
from storage.keys import CHUNK_SIZE, iter_stream, object_key, parse_key, sha256_chunks

Source = str | os.PathLike[str] | BinaryIO
DEFAULT_CONTENT_TYPE = "application/octet-stream"
SHA256_META = "sha256"
DOSSIER_META = "dossier-code"
_META_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True)
class StoredObject:
    """What the store knows about one object. ``sha256`` is '' only if never recorded."""

    key: str
    sha256: str
    size: int
    content_type: str = DEFAULT_CONTENT_TYPE
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def dossier_code(self) -> str | None:
        return self.metadata.get(DOSSIER_META)


def user_metadata(key: str, metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Normalise caller metadata and add the dossier code taken from a content-addressed key.

    Names are lower-case ``[a-z0-9-]`` and values printable ASCII because S3 sends
    them as HTTP headers (``x-amz-meta-*``); both backends enforce the same rule.
    """
    result: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        lname = str(name).lower()
        if not _META_NAME_RE.fullmatch(lname) or lname == SHA256_META:
            raise ValueError(f"invalid metadata name {name!r}: use [a-z0-9-], not 'sha256'")
        text = str(value)
        if not text.isascii() or not text.isprintable():
            raise ValueError(f"invalid metadata value for {name!r}: printable ASCII only")
        result[lname] = text
    parsed = parse_key(key)
    if parsed is not None:
        result.setdefault(DOSSIER_META, parsed.dossier_code)
    return result


class HashingReader:
    """Wraps a stream, hashing what passes through; at EOF checks an expected digest.

    Raising at EOF (before the writer commits) is what keeps a wrong-content
    upload from ever appearing under a content-addressed key.
    """

    def __init__(self, raw: BinaryIO, expected_sha256: str | None, store: str, key: str) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self._expected = expected_sha256
        self._store = store
        self._key = key
        self.size = 0
        self.expected_size: int | None = None

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if data:
            self._hash.update(data)
            self.size += len(data)
            if self.size == self.expected_size:
                self.check()  # a reader told the length may never ask for EOF
        elif size != 0:
            self.check()
        return data

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def check(self) -> None:
        if self._expected is not None and self.sha256 != self._expected:
            raise ChecksumMismatch(self._store, self._key, self._expected, self.sha256)


class SourceFile:
    """A put source that can be re-read from the start (for hashing twice or retrying).

    Paths are reopened; seekable streams are rewound to where they started.
    A non-seekable stream can be read once only: ``rewindable`` says so.
    """

    def __init__(self, source: Source) -> None:
        self._source = source
        self._is_path = isinstance(source, str | os.PathLike)
        self._start: int | None = None
        self._used = False
        if not self._is_path:
            stream = source  # type: ignore[assignment]
            seekable = getattr(stream, "seekable", None)
            if seekable is not None and seekable():
                self._start = stream.tell()  # type: ignore[union-attr]

    @property
    def source(self) -> Source:
        return self._source

    @property
    def rereadable(self) -> bool:
        """True for paths and seekable streams: can be read from the start any number of times."""
        return self._is_path or self._start is not None

    @property
    def rewindable(self) -> bool:
        """True if the next ``open()`` will succeed (a one-shot stream not yet read)."""
        return self.rereadable or not self._used

    def length(self, reader: BinaryIO) -> int:
        """Bytes left from the start to the end, or -1 for a one-shot stream."""
        if self._is_path:
            return os.fstat(reader.fileno()).st_size
        if self._start is None:
            return -1
        end = reader.seek(0, io.SEEK_END)
        reader.seek(self._start)
        return end - self._start

    def rewind(self) -> Source:
        """The source, positioned at its start again (for handing on after hashing)."""
        if self._start is not None:
            self._source.seek(self._start)  # type: ignore[union-attr]
        return self._source

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """Yield a reader positioned at the start of the content."""
        if self._is_path:
            with open(self._source, "rb") as handle:  # type: ignore[arg-type]
                yield handle
            return
        stream: BinaryIO = self._source  # type: ignore[assignment]
        if self._start is not None:
            stream.seek(self._start)
        elif self._used:
            raise ValueError("a non-seekable stream cannot be read twice")
        self._used = True
        yield stream


class ObjectStore(ABC):
    """One interface, two backends (S3 via ``minio``, and a local folder).

    Writes stream: nothing here holds a whole object in memory except
    ``put_bytes`` / ``get_bytes``, which are for small objects by design.
    """

    name: str
    retry_policy: RetryPolicy = RetryPolicy()

    @abstractmethod
    def put_file(
        self,
        source: Source,
        key: str,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Store a path or binary stream under ``key``, streaming.

        If ``key`` is content-addressed, the content must hash to the digest in
        the key (else ``ChecksumMismatch`` and nothing is stored), and a key that
        already holds that digest is returned as is without a second copy.
        """

    def put_bytes(
        self,
        data: bytes,
        key: str,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Store a small in-memory object."""
        return self.put_file(io.BytesIO(data), key, content_type, metadata)

    def put_content(
        self,
        source: Source,
        *,
        agency_code: str,
        received_year: int,
        dossier_code: str,
        kind: str,
        extension: str,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Hash ``source``, build its content-addressed key, and store it there.

        A non-seekable stream is first spooled to a temp file (on disk above
        8 MiB) because the key must be known before the upload starts.
        """
        with rereadable_source(source) as src:
            with src.open() as reader:
                digest = sha256_chunks(iter_stream(reader))
            key = object_key(agency_code, received_year, dossier_code, digest, kind, extension)
            return self.put_file(src.rewind(), key, content_type, metadata)

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object; raises ``ObjectMissing``. Close it when done."""

    def get_bytes(self, key: str) -> bytes:
        """The whole object in memory: for small objects only."""
        with self.open(key) as stream:
            return stream.read()

    @abstractmethod
    def stat(self, key: str) -> StoredObject | None:
        """The object's record, or None if absent."""

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; deleting an absent key is not an error (as on S3)."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Objects whose key starts with ``prefix``, in key order."""

    @abstractmethod
    def presigned_url(self, key: str, expires_s: int = 300) -> str:
        """A URL that lets a client without credentials read the object."""

    def verify(self, key: str) -> bool:
        """Re-hash the stored bytes and compare with the recorded SHA-256.

        For a content-addressed key the digest in the key is checked too, so an
        object whose metadata was rewritten along with its bytes is still caught.
        False when no checksum is known at all. Raises ``ObjectMissing``.
        """
        record = self.stat(key)
        if record is None:
            raise ObjectMissing(self.name, key)
        expected = {d for d in (record.sha256, getattr(parse_key(key), "sha256", "")) if d}
        if not expected:
            return False
        with self.open(key) as stream:
            actual = sha256_chunks(iter_stream(stream, CHUNK_SIZE))
        return expected == {actual}


@contextmanager
def rereadable_source(source: Source) -> Iterator[SourceFile]:
    """A ``SourceFile`` that can be read twice, spooling a one-shot stream if needed."""
    src = SourceFile(source)
    if src.rereadable:
        yield src
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        for chunk in iter_stream(source):  # type: ignore[arg-type]
            spool.write(chunk)
        spool.seek(0)
        yield SourceFile(spool)  # type: ignore[arg-type]

