"""Understand a whole dossier: split the stack into documents, read fields, give the verdict.

Pure: OCR'd pages and the catalogue in, a result ready for the contract's
JSON out. Storing, codes and printing happen at the edges (archive/, cli/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np

from models.catalog import Catalog
from pipeline.assemble import Document, assemble
from pipeline.classify import PageType, TitlePattern, classify_page, title_patterns
from pipeline.crosscheck import cross_check
from pipeline.results import PageResult
from pipeline.understand.address import resolve_address
from pipeline.understand.date_plausibility import check_dates
from pipeline.understand.fields import (
    ExtractedDocument,
    Field,
    extract_fields,
    readable_types,
    supported_types,
)
from pipeline.understand.number_repair import repair_numbers
from pipeline.understand.qr import decode_qr_codes, parse_cccd_qr
from pipeline.verdict import Completeness, FoundDocument, Problem, check, propose_procedure

# Document types some of whose fields are read from the page's pixels (the card's QR code).
PIXEL_TYPES = frozenset({"cccd"})
QR_CARD_CONFIDENCE = 0.9  # a card's QR code parsed whole: the page is a card
# A page's pixels, for a page result that carries none (see ``check_dossier``).
PixelSource = Callable[[PageResult], np.ndarray | None]

ADDRESS_FIELDS = ("noi_thuong_tru", "noi_cu_tru", "dia_chi_tru_so", "que_quan", "noi_sinh")


def _units(value: str) -> dict[str, Any] | None:
    """Official administrative units before and after July 2025; the text stays as written."""
    match = resolve_address(value) if value else None
    if match is None:
        return None
    return {"before_2025": asdict(match.before_2025) if match.before_2025 else None,
            "after_2025": asdict(match.after_2025) if match.after_2025 else None}


@dataclass(slots=True)
class CheckedDocument:
    type_id: str
    pages: list[int]  # global page indices
    confidence: float
    fields: ExtractedDocument

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type_id,
            "pages": list(self.pages),
            "confidence": round(self.confidence, 3),
            "fields": {name: self._field(name, f) for name, f in self.fields.items()},
        }

    @staticmethod
    def _field(name: str, f: Field) -> dict[str, Any]:
        out: dict[str, Any] = {"value": f.value, "confidence": round(f.confidence, 3),
                               "page": f.page, "bbox": list(f.bbox) if f.bbox else None,
                               "source": f.source, "needs_review": f.needs_review}
        if name in ADDRESS_FIELDS and not f.needs_review:
            out["units"] = _units(f.value)
        return out


@dataclass(slots=True)
class DossierCheck:
    procedure: str | None
    procedure_proposed: bool
    documents: list[CheckedDocument]
    completeness: Completeness
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "procedure": self.procedure,
            "procedure_proposed": self.procedure_proposed,
            "documents": [d.as_dict() for d in self.documents],
            "completeness": self.completeness.as_dict(),
        }


def _read_fields(doc: Document, pages: list[PageResult],
                 pixels: PixelSource | None) -> ExtractedDocument:
    if doc.type_id not in readable_types():
        return ExtractedDocument()
    own = [pages[i] for i in doc.pages]
    payloads: list[str] | None = None
    if doc.type_id in PIXEL_TYPES:
        images = [page.image if page.image is not None or pixels is None else pixels(page)
                  for page in own]
        payloads = [p for image in images if image is not None for p in decode_qr_codes(image)]
    return extract_fields(doc.type_id, own, qr_payloads=payloads)


def _patterns(catalog: Catalog) -> list[TitlePattern]:
    return title_patterns((t.id, t.title_patterns) for t in catalog.document_types.values())


def reads_pixels(text: str, catalog: Catalog) -> bool:
    """Whether a page, by its own text, belongs to a type whose fields are read from its
    pixels too (a card, for its QR code): the workers keep those pixels for ``publish``."""
    return classify_page(text, _patterns(catalog)).type_id in PIXEL_TYPES


def _card_by_qr(found: PageType, page: PageResult, pixels: PixelSource | None) -> PageType:
    """A page no title names that carries a chip card's QR code is that card: a phone photo
    of a card can defeat OCR entirely while its QR code still reads whole."""
    if found.type_id not in (None, "khac"):
        return found
    image = page.image if page.image is not None or pixels is None else pixels(page)
    if image is None or not any(parse_cccd_qr(p) for p in decode_qr_codes(image)):
        return found
    return PageType("cccd", QR_CARD_CONFIDENCE, "QR")


def standalone_type(text: str, catalog: Catalog) -> str | None:
    """The type a page's own title gives it, when that page is likely a whole document:
    its one-page copy may be made before the dossier is assembled. None for an untitled
    page (it usually continues the document before it) and a card (its back follows)."""
    type_id = classify_page(text, _patterns(catalog)).type_id
    return None if type_id == "khac" or type_id in PIXEL_TYPES else type_id


def check_dossier(pages: list[PageResult], catalog: Catalog, procedure: str | None,
                  received_on: date, pixels: PixelSource | None = None) -> DossierCheck:
    """`pages` are all pages of all files, in order (PageResult.index = position).

    ``pixels`` gives the pixels of a page whose result has none, should a card's QR
    code be on it: the workers keep only the JPEG of a page whose own text is no card
    (``reads_pixels``), and a card page whose title OCR lost is decoded from it.
    """
    patterns = _patterns(catalog)
    page_types = [_card_by_qr(classify_page(page.text, patterns), page, pixels)
                  for page in pages]
    grouped = assemble(page_types, [page.text for page in pages])
    # A date whose year cannot be (a form signed, a person born after the reception day)
    # is repaired or marked before numbers are checked against birth years.
    documents = [CheckedDocument(doc.type_id, [pages[i].index for i in doc.pages],
                                 doc.confidence,
                                 check_dates(_read_fields(doc, pages, pixels), received_on))
                 for doc in grouped]
    # A digit OCR slipped in one paper's number is repaired from the others before any
    # comparison, so that it is neither kept nor taken for a different number.
    repaired = repair_numbers([(d.type_id, _type_name(catalog, d.type_id), d.fields)
                               for d in documents])
    for doc, fields in zip(documents, repaired, strict=True):
        doc.fields = fields
    proposed = procedure is None
    if procedure is None:
        procedure = propose_procedure(catalog, {d.type_id for d in documents}, received_on)
    problems: list[Problem] = []
    for doc in documents:
        problems.extend(Problem(p.kind, p.message) for p in doc.fields.problems)
    named = [(d.type_id, _type_name(catalog, d.type_id), dict(d.fields)) for d in documents]
    problems.extend(Problem(m.kind, m.message) for m in cross_check(named))
    if procedure is None:
        verdict = Completeness(False, [], [Problem(
            "khong_xac_dinh_thu_tuc",
            "Không xác định được thủ tục hành chính từ các giấy tờ: cán bộ chọn thủ tục.")])
    else:
        version = catalog.procedure(procedure).version_on(received_on)
        verdict = check(version, [_found(d, catalog) for d in documents], catalog)
    verdict.problems.extend(problems)
    return DossierCheck(procedure, proposed, documents, verdict)


def _type_name(catalog: Catalog, type_id: str) -> str:
    try:
        return catalog.document_type(type_id).name
    except KeyError:
        return type_id


def _found(doc: CheckedDocument, catalog: Catalog) -> FoundDocument:
    # Readability is judged by the fields we know how to read; for other types
    # (khai tử, land papers ...) the recognised title is all the evidence there is.
    try:
        expected = list(catalog.document_type(doc.type_id).fields)
    except KeyError:
        expected = []
    if doc.type_id not in supported_types():
        expected = []
    unreadable = sum(1 for f in expected if f not in doc.fields or doc.fields[f].needs_review)
    return FoundDocument(doc.type_id, tuple(doc.pages), doc.confidence, len(expected), unreadable)
