"""Where a dossier's pages wait between workers: ``work/{dossier_code}/...`` in the object store.

Why the object store: every worker machine already reaches it, it holds
megabytes per page without strain, and a page written there survives any
worker dying. Why not a table: page images are several MB, and the records
schema belongs to the archive (Alembic); nothing here needs a query.

Keys are fixed per (dossier, page), so a redelivered message overwrites the
same object with the same bytes instead of adding one. The folder is deleted
once the dossier is kept (or has failed). ``archive.fsck`` lists leftovers of
a dossier still in flight as orphans of no kind and never deletes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from archive.copies import PreparedCopy
from archive.page_image import EncodedImage
from intake.page_codec import decode_input, decode_page_blob, encode_input, encode_result
from pipeline.errors import DocumentError, ErrorKind
from pipeline.page_input import PageInput
from pipeline.results import PageResult
from storage import ObjectMissing, ObjectStore

__all__ = ["FilePlan", "Manifest", "WorkArea"]

PREFIX = "work"


@dataclass(frozen=True)
class FilePlan:
    """One file of the dossier: the name shown in the result, its global page indices, and
    why it could not be read (or read to the end), as ``DocumentError.as_dict()``."""

    name: str
    pages: list[int]
    error: dict[str, str] | None = None


@dataclass(frozen=True)
class Manifest:
    """What splitting found: every file's pages, so the last page knows it is the last."""

    files: list[FilePlan]

    @property
    def total(self) -> int:
        return sum(len(f.pages) for f in self.files)

    def as_json(self) -> bytes:
        return json.dumps({"files": [{"name": f.name, "pages": f.pages, "error": f.error}
                                     for f in self.files]}, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw: dict[str, Any] = json.loads(data)
        return cls([FilePlan(f["name"], list(f["pages"]), f.get("error")) for f in raw["files"]])


class WorkArea:
    """The scratch folder of one dossier."""

    def __init__(self, store: ObjectStore, dossier_code: str) -> None:
        self.store = store
        self.root = f"{PREFIX}/{dossier_code}/"

    def _input_key(self, index: int) -> str:
        return f"{self.root}input/{index:05d}.bin"

    def _page_key(self, index: int) -> str:
        return f"{self.root}page/{index:05d}.bin"

    def put_input(self, index: int, page: PageInput) -> None:
        self.store.put_bytes(encode_input(page), self._input_key(index))

    def get_input(self, index: int) -> PageInput | None:
        try:
            return decode_input(self.store.get_bytes(self._input_key(index)))
        except ObjectMissing:
            return None

    def put_page(self, page: PageResult, kept: EncodedImage | None = None, *,
                 pixels: bool = True, copy: PreparedCopy | None = None) -> None:
        """``kept``: the page image as ``archive.keep`` will store it, if already encoded;
        ``pixels=False``: a page kept as JPEG is stored without its raw pixels; ``copy``:
        the page's signed copy as a one-page document, if made ahead."""
        self.store.put_bytes(encode_result(page, kept, pixels=pixels, copy=copy),
                             self._page_key(page.index))

    def _unreadable_key(self, index: int) -> str:
        return f"{self.root}page/{index:05d}.unreadable.json"

    def put_unreadable(self, index: int, error: DocumentError | None) -> None:
        """Page ``index`` could not be read from its original (``error``), or its file ended
        before it (None): ``publish`` ends that file's pages there, as reading in turn would."""
        body = {"error": error.as_dict() if error is not None else None}
        self.store.put_bytes(json.dumps(body, ensure_ascii=False).encode(),
                             self._unreadable_key(index), "application/json")

    def get_unreadable(self, index: int) -> tuple[bool, DocumentError | None]:
        """(True, its error) if page ``index`` was found unreadable; (False, None) if not."""
        try:
            raw = json.loads(self.store.get_bytes(self._unreadable_key(index)))
        except ObjectMissing:
            return False, None
        error = raw.get("error")
        return True, (DocumentError(ErrorKind(error["kind"]), error["message"])
                      if error else None)

    def has_page(self, index: int) -> bool:
        return (self.store.exists(self._page_key(index))
                or self.store.exists(self._unreadable_key(index)))

    def get_page(self, index: int) -> tuple[PageResult, EncodedImage | None,
                                            PreparedCopy | None]:
        """The page's OCR result, its image encoded for keeping and its prepared copy
        (None where not made)."""
        return decode_page_blob(self.store.get_bytes(self._page_key(index)))

    def pages_done(self) -> set[int]:
        """Indices of the pages whose OCR result (or unreadable mark) is stored."""
        done = set()
        for obj in self.store.list(f"{self.root}page/"):
            name = obj.key.rsplit("/", 1)[-1].removesuffix(".bin").removesuffix(".unreadable.json")
            if name.isdigit():
                done.add(int(name))
        return done

    def put_manifest(self, manifest: Manifest) -> None:
        self.store.put_bytes(manifest.as_json(), f"{self.root}manifest.json",
                             "application/json")

    def get_manifest(self) -> Manifest | None:
        try:
            return Manifest.from_json(self.store.get_bytes(f"{self.root}manifest.json"))
        except ObjectMissing:
            return None

    def clear(self) -> None:
        """Delete the whole folder (idempotent: an absent key is not an error)."""
        for obj in list(self.store.list(self.root)):
            self.store.delete(obj.key)
