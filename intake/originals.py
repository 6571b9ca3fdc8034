"""Originals copied from the object store to this machine, once per worker process.

Each page of a dossier is read where it is OCR'd, from its original: a worker
that takes pages 3, 7 and 12 of one scanned PDF would otherwise download the
whole PDF three times. Keys of originals are content-addressed, so a copy can
never go stale; copies are dropped least-recently-used beyond ``max_files``
or ``max_bytes`` (never while a thread is reading one), and the folder goes
with the process.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from storage import ObjectStore

__all__ = ["LocalOriginals"]


@dataclass
class _Copy:
    path: Path
    size: int
    users: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    failed: BaseException | None = None


class LocalOriginals:
    """A small per-process cache of originals as local files (readers need a path)."""

    def __init__(self, max_files: int = 16, max_bytes: int = 2 << 30) -> None:
        self.max_files = max_files
        self.max_bytes = max_bytes
        self._folder = Path(tempfile.mkdtemp(prefix="hoso-originals-"))
        self._copies: OrderedDict[str, _Copy] = OrderedDict()
        self._lock = threading.Lock()
        self._names = itertools.count()
        weakref.finalize(self, shutil.rmtree, self._folder, True)

    @contextlib.contextmanager
    def path(self, store: ObjectStore, key: str) -> Iterator[Path]:
        """The original ``key`` as a local file, kept while the ``with`` block reads it."""
        copy, fetch = self._claim(key)
        try:
            if fetch:
                self._fetch(store, key, copy)
            copy.ready.wait()
            if copy.failed is not None:
                raise copy.failed
            yield copy.path
        finally:
            self._release(key, copy)

    def _claim(self, key: str) -> tuple[_Copy, bool]:
        with self._lock:
            copy = self._copies.get(key)
            if copy is not None and copy.failed is None:
                self._copies.move_to_end(key)
                copy.users += 1
                return copy, False
            name = f"{next(self._names)}.{key.rsplit('.', 1)[-1]}"
            copy = _Copy(self._folder / name, 0, users=1)
            self._copies[key] = copy
            return copy, True

    def _fetch(self, store: ObjectStore, key: str, copy: _Copy) -> None:
        """Download outside the lock (other keys go on); a failure is given to every waiter."""
        try:
            with store.open(key) as stream, open(copy.path, "wb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
            copy.size = copy.path.stat().st_size
        except BaseException as exc:
            copy.failed = exc
            copy.path.unlink(missing_ok=True)
            raise
        finally:
            copy.ready.set()

    def _release(self, key: str, copy: _Copy) -> None:
        with self._lock:
            copy.users -= 1
            if copy.failed is not None and self._copies.get(key) is copy and copy.users == 0:
                del self._copies[key]  # the next reader tries again (storage may be back)
            self._evict()

    def _evict(self) -> None:
        """Drop unused copies, oldest first, while over either limit."""
        total = sum(c.size for c in self._copies.values())
        for key in list(self._copies):
            if len(self._copies) <= self.max_files and total <= self.max_bytes:
                return
            copy = self._copies[key]
            if copy.users == 0 and copy.ready.is_set():
                del self._copies[key]
                total -= copy.size
                copy.path.unlink(missing_ok=True)
