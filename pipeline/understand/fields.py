"""Public entry point: the fields of one document, read from its OCR'd pages.

``extract_fields(doc_type, pages, qr_payloads=None)`` returns an
:class:`ExtractedDocument` — a ``dict`` of field id → :class:`Field` (so
``result["ho_ten"].value`` works) that also carries ``problems`` (identity
numbers that contradict themselves, card QR data that disagrees with the
printed text). A field that is absent from the dict was not found at all; a
field that was found but could not be read (handwriting, garbage, an empty
dotted line) is present with ``needs_review=True`` and usually ``value == ""``.

Confidence comes from the OCR word confidences of the value's own words,
lowered when a normaliser had to guess (an OCR confusion repaired, a two-digit
year) or the label itself was only matched approximately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from rapidfuzz import fuzz

from pipeline.results import PageResult, Word
from pipeline.understand.identity import Problem, validate_cccd
from pipeline.understand.nlp import FieldRead, ValuePiece, label_set, pipeline_for
from pipeline.understand.normalise import (
    Normalised,
    fold,
    nfc,
    normalise_date,
    normalise_gender,
    normalise_id_number,
    normalise_money,
    normalise_name,
    normalise_place,
    normalise_text,
)
from pipeline.understand.qr import CardQr, parse_cccd_qr

__all__ = [
    "REVIEW_THRESHOLD",
    "ExtractedDocument",
    "Field",
    "extract_fields",
    "supported_types",
]

REVIEW_THRESHOLD = 0.75
"""Below this confidence a field is marked for review by a person."""
LOW_WORD_CONFIDENCE = 0.5
GUESS_PENALTY = 0.85
FUZZY_LABEL_PENALTY = 0.9
QR_CONFIDENCE = 0.99

SUPPORTED = ("cccd", "to_khai_khai_sinh", "giay_chung_sinh", "to_khai_ket_hon",
             "to_khai_xac_nhan_hon_nhan", "giay_de_nghi_ho_kinh_doanh", "giay_uy_quyen")

_NORMALISERS = {
    "name": normalise_name, "date": normalise_date, "gender": normalise_gender,
    "id": normalise_id_number, "place": normalise_place, "text": normalise_text,
    "money": normalise_money,
}
_VOWELS = set("aeiouy")
_ALLOWED_PUNCT = set(",.-/:;()'’\"%&+")
_DATED_LINE = re.compile(r"^[^:\d]{2,40},?\s*ngay\s*\d{1,2}\s*thang\s*\d{1,2}\s*nam\s*\d{4}")


@dataclass(frozen=True, slots=True)
class Field:
    """One extracted value with where it came from and how sure we are."""

    value: str
    confidence: float
    page: int
    bbox: tuple[int, int, int, int] | None
    source: Literal["ocr", "qr"]
    raw: str
    needs_review: bool

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "confidence": round(self.confidence, 4), "page": self.page,
                "bbox": list(self.bbox) if self.bbox else None, "source": self.source,
                "raw": self.raw, "needs_review": self.needs_review}


class ExtractedDocument(dict[str, Field]):
    """Field id → Field, plus ``problems`` found while reading (kind + Vietnamese message)."""

    def __init__(self, fields: dict[str, Field] | None = None,
                 problems: list[Problem] | None = None) -> None:
        super().__init__(fields or {})
        self.problems: list[Problem] = list(problems or [])

    @property
    def fields(self) -> dict[str, Field]:
        return dict(self)


def supported_types() -> tuple[str, ...]:
    """Document types that have label patterns (the contract's seven)."""
    return SUPPORTED


# ---------------------------------------------------------------- page geometry


@dataclass(slots=True)
class _Line:
    page: int
    text: str
    words: list[tuple[int, int, Word]] = field(default_factory=list)  # start, end, word
    page_confidence: float = 1.0


def _page_lines(page: PageResult) -> list[_Line]:
    """The page's lines with each OCR word placed at its character offsets."""
    texts = [nfc(ln.text) for ln in page.lines] if page.lines else nfc(page.text).split("\n")
    by_line: dict[int, list[Word]] = {}
    for w in page.words:
        by_line.setdefault(w.line, []).append(w)
    conf = page.confidence if page.confidence > 0 else 1.0
    out: list[_Line] = []
    for i, text in enumerate(texts):
        line = _Line(page.index, text.replace("\n", " "), page_confidence=conf)
        cursor = 0
        for w in by_line.get(i, []):
            wt = nfc(w.text)
            at = line.text.find(wt, cursor) if wt else -1
            if at < 0:
                continue
            line.words.append((at, at + len(wt), w))
            cursor = at + len(wt)
        out.append(line)
    return out


def _piece_words(line: _Line, piece: ValuePiece) -> list[Word]:
    return [w for s, e, w in line.words if s < piece.end and e > piece.start]


# ---------------------------------------------------------------- judging a value


def _ocr_confidence(lines: list[_Line], pieces: tuple[ValuePiece, ...]) -> tuple[float, float]:
    """(length-weighted mean word confidence, share of low-confidence words)."""
    words = [w for p in pieces for w in _piece_words(lines[p.line], p)]
    if not words:
        return lines[pieces[0].line].page_confidence, 0.0
    weight = sum(max(1, len(w.text)) for w in words)
    mean = sum(w.confidence * max(1, len(w.text)) for w in words) / weight
    low = sum(w.confidence < LOW_WORD_CONFIDENCE for w in words) / len(words)
    return mean, low


def _looks_garbled(raw: str, kind: str) -> bool:
    """OCR of handwriting or smudges: symbols, or 'words' with no vowel at all."""
    chars = [c for c in raw if not c.isspace()]
    if not chars:
        return True
    odd = sum(not (c.isalnum() or c in _ALLOWED_PUNCT) for c in chars)
    if odd / len(chars) > 0.15:
        return True
    if kind in ("name", "place", "text"):
        tokens = [t for t in re.findall(r"\w+", fold(raw)) if not t.isdigit()]
        if tokens:
            voweless = sum(not (set(t) & _VOWELS) for t in tokens)
            if voweless / len(tokens) > (0.0 if kind == "name" else 0.34):
                return True
    return False


def _bbox(lines: list[_Line], pieces: tuple[ValuePiece, ...]) -> tuple[int, int, int, int] | None:
    words = [w for p in pieces for w in _piece_words(lines[p.line], p)]
    if not words:
        return None
    return (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
            max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))


def _to_field(read: FieldRead, lines: list[_Line]) -> Field:
    raw = " ".join(lines[p.line].text[p.start:p.end].strip() for p in read.pieces).strip()
    page = lines[read.pieces[0].line].page
    bbox = _bbox(lines, read.pieces)
    if read.blank or not raw:
        return Field("", 0.0, page, bbox, "ocr", raw, True)
    confidence, low_share = _ocr_confidence(lines, read.pieces)
    if read.fuzzy_label:
        confidence *= FUZZY_LABEL_PENALTY
    normalised: Normalised | None = _NORMALISERS[read.kind](raw)
    unreadable = (normalised is None or low_share >= 0.5 or _looks_garbled(raw, read.kind))
    if unreadable:
        return Field("", min(confidence, 0.3), page, bbox, "ocr", raw, True)
    assert normalised is not None
    if normalised.guessed:
        confidence *= GUESS_PENALTY
    confidence = max(0.0, min(1.0, confidence))
    return Field(normalised.value, confidence, page, bbox, "ocr", raw,
                 confidence < REVIEW_THRESHOLD)


# ---------------------------------------------------------------- fallbacks


def _dated_line(lines: list[_Line]) -> FieldRead | None:
    """'Ba Đình, ngày 05 tháng 11 năm 2025' near the signature, when no label names it."""
    for i in range(len(lines) - 1, -1, -1):
        m = _DATED_LINE.match(fold(lines[i].text))
        if m:
            return FieldRead("ngay_lam_don", "date", (ValuePiece(i, 0, m.end()),), i)
    return None


def _any_id12(lines: list[_Line], name: str) -> FieldRead | None:
    """A 12-digit run anywhere on a card (the number printed without a readable label)."""
    for i, line in enumerate(lines):
        m = re.search(r"(?<!\d)\d{12}(?!\d)", line.text)
        if m:
            return FieldRead(name, "id", (ValuePiece(i, m.start(), m.end()),), i)
    return None


# ---------------------------------------------------------------- identity cards

_QR_FIELDS = {
    "so_dinh_danh": ("number", "số định danh"),
    "ho_ten": ("full_name", "họ và tên"),
    "ngay_sinh": ("birth_date", "ngày sinh"),
    "gioi_tinh": ("gender", "giới tính"),
    "noi_thuong_tru": ("residence", "nơi thường trú"),
    "ngay_cap": ("issue_date", "ngày cấp"),
    "so_cmnd_cu": ("old_number", "số CMND cũ"),
}


def _same(a: str, b: str, loose: bool) -> bool:
    fa, fb = re.sub(r"[\W_]+", "", fold(a)), re.sub(r"[\W_]+", "", fold(b))
    if fa == fb:
        return True
    return loose and fuzz.ratio(fa, fb) >= 90


def _merge_qr(fields: dict[str, Field], card: CardQr, page: int) -> list[Problem]:
    """Prefer the QR's values; report where a well-read printed value says otherwise."""
    problems: list[Problem] = []
    for name, (attr, label) in _QR_FIELDS.items():
        value = getattr(card, attr) or ""
        if not value:
            continue
        if name == "noi_thuong_tru":
            value = (normalise_place(value) or Normalised(value)).value
        printed = fields.get(name)
        if printed and printed.value and not printed.needs_review and not _same(
                printed.value, value, loose=name == "noi_thuong_tru"):
            problems.append(Problem(
                "qr_khac_noi_dung_in",
                f"Thẻ căn cước: {label} trong mã QR là «{value}» nhưng trên thẻ in "
                f"«{printed.value}».",
            ))
        fields[name] = Field(value, QR_CONFIDENCE, printed.page if printed else page,
                             printed.bbox if printed else None, "qr", getattr(card, attr),
                             False)
    return problems


def _card_from(payloads: list[str] | None) -> CardQr | None:
    for payload in payloads or []:
        card = parse_cccd_qr(payload)
        if card is not None:
            return card
    return None


def _identity_problems(doc_type: str, fields: dict[str, Field]) -> list[Problem]:
    """Numbers that contradict themselves or, on a card, the holder's birth date and sex."""
    problems: list[Problem] = []
    for name, f in fields.items():
        if not f.value or not re.fullmatch(r"\d{12}", f.value):
            continue
        if doc_type == "cccd" and name == "so_dinh_danh":
            born, sex = fields.get("ngay_sinh"), fields.get("gioi_tinh")
            found = validate_cccd(f.value, born.value if born and born.value else None,
                                  sex.value if sex and sex.value else None)
        else:
            found = validate_cccd(f.value)
        problems += [Problem(p.kind, f"{name}: {p.message}") for p in found]
        if found and f.source == "ocr":
            # A number that contradicts itself is more often misread than mistyped:
            # a person checks it against the paper.
            fields[name] = replace(f, needs_review=True)
    return problems


# ---------------------------------------------------------------- entry point


def extract_fields(doc_type: str, pages: list[PageResult],
                   qr_payloads: list[str] | None = None) -> ExtractedDocument:
    """The fields of a document of type ``doc_type`` spread over ``pages``.

    ``qr_payloads`` (decoded QR texts, for ``cccd``) take precedence over OCR;
    disagreements with well-read printed values become problems. Types without
    label patterns (``khac`` and the catalogue's other types) give an empty result.
    """
    if doc_type not in SUPPORTED or not pages:
        return ExtractedDocument()
    lines = [ln for page in pages for ln in _page_lines(page)]
    doc = pipeline_for(doc_type)("\n".join(ln.text for ln in lines))
    reads: dict[str, FieldRead] = {r.field: r for r in doc._.hoso_reads or []}
    for spec in label_set(doc_type).fields:
        if spec.name in reads:
            continue
        fallback = None
        if spec.fallback == "dated_line":
            fallback = _dated_line(lines)
        elif spec.fallback == "id12":
            fallback = _any_id12(lines, spec.name)
        if fallback is not None:
            reads[spec.name] = FieldRead(spec.name, spec.kind, fallback.pieces,
                                         fallback.label_line, fuzzy_label=True)
    fields = {name: _to_field(read, lines) for name, read in reads.items()}
    problems: list[Problem] = []
    if doc_type == "cccd":
        card = _card_from(qr_payloads)
        if card is not None:
            problems += _merge_qr(fields, card, pages[0].index)
    problems += _identity_problems(doc_type, fields)
    ordered = {s.name: fields[s.name] for s in label_set(doc_type).fields if s.name in fields}
    ordered.update({k: v for k, v in fields.items() if k not in ordered})
    return ExtractedDocument(ordered, problems)
