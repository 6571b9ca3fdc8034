"""Local-folder backend: the embedded default (``file://$DOSSIER_HOME/objects``).

Layout: the object's bytes live at ``<root>/<key>``; its record (sha256,
content type, metadata) in a sidecar ``<root>/.meta/<key>.json``.  Why a
sidecar per object rather than one index: each write stays a single atomic
rename with no shared file to lock or rewrite, concurrent workers never
contend, and fsck can check any object on its own.  Keeping sidecars in a
separate ``.meta`` tree means listing never mistakes a sidecar for an object.

Writes are atomic: bytes go to a hidden temp file in the destination folder,
are fsynced, then renamed over the key, so a crash or a full disk never leaves
a half file under a real key.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from storage.base import (
    DEFAULT_CONTENT_TYPE,
    HashingReader,
    ObjectStore,
    Source,
    SourceFile,
    StoredObject,
    user_metadata,
)
from storage.errors import (
    NO_RETRY,
    AccessDenied,
    ObjectMissing,
    StorageError,
    StorageFull,
    StorageUnavailable,
)
from storage.keys import CHUNK_SIZE, parse_key, validate_key, validate_prefix

META_DIR = ".meta"
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


class LocalStore(ObjectStore):
    """Objects as plain files under ``root``; nothing to run, nothing to configure."""

    retry_policy = NO_RETRY  # local faults (full disk, permissions) do not heal by waiting

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.root = Path(root).absolute()
        self.name = self.root.as_uri()
        self._fsync = fsync
        with self._errors(None):
            self.root.mkdir(parents=True, exist_ok=True)

    # -- paths and error mapping ------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def _meta_path(self, key: str) -> Path:
        return self.root / META_DIR / f"{validate_key(key)}.json"

    @contextlib.contextmanager
    def _errors(self, key: str | None) -> Iterator[None]:
        """Turn OS errors into the typed storage errors callers branch on."""
        try:
            yield
        except StorageError:
            raise
        except FileNotFoundError as exc:
            raise ObjectMissing(self.name, key) from exc
        except PermissionError as exc:
            raise AccessDenied(self.name, key, exc.strerror or str(exc)) from exc
        except OSError as exc:
            if exc.errno in _FULL_ERRNOS:
                raise StorageFull(self.name, key, exc.strerror or str(exc)) from exc
            if exc.errno in {errno.EIO, errno.ESTALE, errno.ETIMEDOUT}:
                raise StorageUnavailable(self.name, key, exc.strerror or str(exc)) from exc
            raise StorageError(self.name, key, f"{type(exc).__name__}: {exc}") from exc

    # -- writes -----------------------------------------------------------------

    def put_file(
        self,
        source: Source,
        key: str,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        dest = self._path(key)
        meta = user_metadata(key, metadata)
        parsed = parse_key(key)
        if parsed is not None:
            existing = self.stat(key)
            if existing is not None and existing.sha256 == parsed.sha256:
                return existing  # same content already stored: no second copy
        expected = parsed.sha256 if parsed else None
        # The source is opened outside the error mapping: a missing input file is
        # the caller's problem, not an ObjectMissing in the store.
        with SourceFile(source).open() as raw, self._errors(key):
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp, reader = self._write_temp(dest, HashingReader(raw, expected, self.name, key))
            try:
                if parsed is None:
                    existing = self.stat(key)
                    if existing is not None and existing.sha256 == reader.sha256:
                        os.unlink(tmp)
                        return existing
                record = StoredObject(key, reader.sha256, reader.size, content_type, meta)
                self._write_sidecar(key, record)
                os.replace(tmp, dest)
                self._sync_dir(dest.parent)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        return record

    def _write_temp(self, dest: Path, reader: HashingReader) -> tuple[str, HashingReader]:
        """Copy ``reader`` into a hidden temp file beside ``dest``; remove it on any failure."""
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := reader.read(CHUNK_SIZE):
                    out.write(chunk)
                out.flush()
                if self._fsync:
                    os.fsync(out.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return tmp, reader

    def _write_sidecar(self, key: str, record: StoredObject) -> None:
        path = self._meta_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(
            {
                "sha256": record.sha256,
                "size": record.size,
                "content_type": record.content_type,
                "metadata": dict(record.metadata),
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
                out.flush()
                if self._fsync:
                    os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _sync_dir(self, folder: Path) -> None:
        """fsync the folder so the rename itself survives a power cut."""
        if not self._fsync:
            return
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def delete(self, key: str) -> None:
        path, meta_path = self._path(key), self._meta_path(key)
        with self._errors(key):
            for target in (path, meta_path):
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()

    # -- reads ------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        with self._errors(key):
            return open(path, "rb")

    def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        with self._errors(key):
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                return None
            if not path.is_file():
                return None
            record = self._read_sidecar(key)
        parsed = parse_key(key)
        sha = str(record.get("sha256") or (parsed.sha256 if parsed else ""))
        return StoredObject(
            key=key,
            sha256=sha,
            size=size,
            content_type=str(record.get("content_type") or DEFAULT_CONTENT_TYPE),
            metadata=dict(record.get("metadata") or {}),
        )

    def _read_sidecar(self, key: str) -> dict[str, object]:
        """The sidecar's record; {} if missing or unreadable (the bytes remain the truth)."""
        try:
            data = json.loads(self._meta_path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        validate_prefix(prefix)
        base = self.root / prefix.rpartition("/")[0] if "/" in prefix else self.root
        keys: list[str] = []
        with self._errors(prefix or None):
            for folder, dirs, files in os.walk(base):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                rel = Path(folder).relative_to(self.root).as_posix()
                for fname in files:
                    if fname.startswith("."):
                        continue  # temp files
                    key = fname if rel == "." else f"{rel}/{fname}"
                    if key.startswith(prefix):
                        keys.append(key)
        for key in sorted(keys):
            record = self.stat(key)
            if record is not None:
                yield record

    def presigned_url(self, key: str, expires_s: int = 300) -> str:
        """A ``file://`` URL of the object's file.

        Unlike S3 it neither expires nor grants anything: whoever reads it needs
        file-system access anyway. ``expires_s`` is accepted for interface parity.
        """
        return self._path(key).as_uri()
