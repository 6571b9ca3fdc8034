"""Ground truth of a generated dossier, as written next to its files in `truth.json`.

The benchmark and the tests compare `dossier process` output with this, so the
field values use exactly the contract's normalisation (dates YYYY-MM-DD, gender
Nam/Nữ, identity numbers digits only, names and places in natural case, NFC,
single spaces) and page indices use the contract's numbering (0-based over all
pages of all files, in file order). `links` say which fields name the same fact
about the same person, so cross-document checks can be tested without knowing
how each form was built.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = "hoso.dossier-truth/1"
VARIANTS = ("complete", "incomplete", "inconsistent")


@dataclass(frozen=True, slots=True)
class PageTruth:
    """One scanned page: where it is and what it shows."""

    index: int  # 0-based over all pages of all files
    file: str  # file name inside the dossier folder
    page_in_file: int
    document: int  # index into DossierTruth.documents
    type: str  # document type id of that document
    rotation: int  # clockwise quarter turn applied to the scan (0, 90, 180, 270)
    side: str | None = None  # "front+back" for a card photocopy; None for forms


@dataclass(frozen=True, slots=True)
class DocumentTruth:
    """One document of the dossier with the fields printed on it."""

    type: str
    pages: tuple[int, ...]  # in reading order of the document (may not be ascending)
    fields: dict[str, str]
    role: str = ""  # whose paper it is: "requester", "bride", "owner" ...
    layout: str = ""  # e.g. "cccd_2021", "can_cuoc_2024", "form"
    qr_payload: str | None = None  # the card's QR text, when it has one


@dataclass(frozen=True, slots=True)
class Place:
    """A field of a document: `documents[document].fields[field]`."""

    document: int
    field: str


@dataclass(frozen=True, slots=True)
class Link:
    """Fields that must agree: the same attribute of the same person in several places."""

    person: str  # role, e.g. "mother"
    attribute: str  # "name", "number" or "birth"
    places: tuple[Place, ...]
    consistent: bool = True  # False in the "inconsistent" variant, for the altered link


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem the verdict should report; `kind` is "mismatch" for cross-document ones."""

    kind: str
    message: str  # Vietnamese, as a reception officer would say it
    places: tuple[Place, ...] = ()


@dataclass(frozen=True, slots=True)
class DossierTruth:
    """Everything the verdict on one generated dossier should say."""

    procedure: str
    variant: str  # one of VARIANTS
    quality: str  # degrade kind used for the pages
    received_on: str  # YYYY-MM-DD, the day the catalogue version is looked up for
    files: tuple[str, ...]
    pages: tuple[PageTruth, ...]
    documents: tuple[DocumentTruth, ...]
    complete: bool  # no required component missing (problems are reported separately)
    missing: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    links: tuple[Link, ...] = ()
    seed: int | None = None
    schema: str = field(default=SCHEMA)

    def document_of_page(self, index: int) -> DocumentTruth:
        """The document a page (global index) belongs to."""
        return self.documents[self.pages[index].document]

    def to_json(self) -> str:
        """Stable, human-readable JSON (NFC, keys in schema order, non-ASCII kept)."""
        return json.dumps(_nfc(asdict(self)), ensure_ascii=False, indent=2) + "\n"

    def write(self, path: Path) -> Path:
        path.write_text(self.to_json(), encoding="utf-8")
        return path


def _nfc(node: Any) -> Any:
    if isinstance(node, str):
        return unicodedata.normalize("NFC", node)
    if isinstance(node, dict):
        return {k: _nfc(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_nfc(v) for v in node]
    return node


def _places(raw: list[dict[str, Any]]) -> tuple[Place, ...]:
    return tuple(Place(**p) for p in raw)


def from_dict(data: dict[str, Any]) -> DossierTruth:
    """Rebuild a `DossierTruth` from parsed `truth.json`; ValueError for another schema."""
    if data.get("schema") != SCHEMA:
        raise ValueError(f"truth schema {data.get('schema')!r} is not {SCHEMA!r}")
    return DossierTruth(
        procedure=data["procedure"], variant=data["variant"], quality=data["quality"],
        received_on=data["received_on"], files=tuple(data["files"]),
        pages=tuple(PageTruth(**p) for p in data["pages"]),
        documents=tuple(DocumentTruth(**{**d, "pages": tuple(d["pages"])})
                        for d in data["documents"]),
        complete=data["complete"], missing=tuple(data["missing"]),
        problems=tuple(Problem(p["kind"], p["message"], _places(p["places"]))
                       for p in data["problems"]),
        links=tuple(Link(k["person"], k["attribute"], _places(k["places"]), k["consistent"])
                    for k in data["links"]),
        seed=data.get("seed"),
    )


def load_truth(path: Path) -> DossierTruth:
    """Read `truth.json` (or the folder holding it)."""
    path = path / "truth.json" if path.is_dir() else path
    return from_dict(json.loads(path.read_text(encoding="utf-8")))
