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
from datetime import date
from typing import Literal

from rapidfuzz import fuzz
from spacy.tokens import Doc

from pipeline.results import PageResult, Word
from pipeline.understand.card_birth import birth_from_mrz_slip
from pipeline.understand.card_birth_label import birth_date_span
from pipeline.understand.card_century import birth_century
from pipeline.understand.card_expiry import (
    expiry_from_blurred_date,
    expiry_from_cut_date,
    expiry_from_mrz_digits,
    expiry_from_mrz_slip,
    expiry_from_printed_slip,
)
from pipeline.understand.card_mrz_name import mrz_name, name_span_by_mrz
from pipeline.understand.card_nationality import (
    VIET_NAM,
    nationality_after_label,
    viet_nam_cut_short,
)
from pipeline.understand.card_number import (
    glued_number,
    glued_number_note,
    inner_glued_note,
    inner_glued_number,
    zero_led_number,
)
from pipeline.understand.card_place import (
    complete_province,
    cut_after_province,
    origin_label_end,
    origin_start,
)
from pipeline.understand.card_residence_label import residence_value_start
from pipeline.understand.card_validity import possible_expiries
from pipeline.understand.identity import Problem, decode_cccd, validate_cccd
from pipeline.understand.mrz import (
    line1_check,
    number_tail,
    read_mrz,
    repaired_number,
    says_vietnamese,
    sex_as_read,
)
from pipeline.understand.nlp import LABELS_DIR, FieldRead, ValuePiece, label_set, pipeline_for
from pipeline.understand.normalise import (
    NO_EXPIRY,
    UNIT_WORDS,
    Normalised,
    clean_text,
    find_date,
    fold,
    nfc,
    normalise_code,
    normalise_date,
    normalise_expiry,
    normalise_gender,
    normalise_id_number,
    normalise_money,
    normalise_name,
    normalise_nationality,
    normalise_number,
    normalise_place,
    normalise_text,
)
from pipeline.understand.qr import CardQr, parse_cccd_qr
from pipeline.understand.signed_name import better_spelling, signature_names, word_confidences
from pipeline.understand.unit_names import ends_with_province

__all__ = [
    "REVIEW_THRESHOLD",
    "ExtractedDocument",
    "Field",
    "extract_fields",
    "readable_types",
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
READABLE = tuple(sorted(p.stem for p in LABELS_DIR.glob("*.yaml") if p.stem != "common"))

_NORMALISERS = {
    "name": normalise_name, "date": normalise_date, "gender": normalise_gender,
    "id": normalise_id_number, "place": normalise_place, "text": normalise_text,
    "money": normalise_money, "expiry": normalise_expiry, "nationality": normalise_nationality,
    "number": normalise_number, "code": normalise_code,
}
CLOSED_VOCABULARY_CONFIDENCE = 0.8
"""Floor for a gender or nationality read letter for letter as one of its few forms.

Tesseract gives short words on photocopies confidences near 0 even when it read them
right; a misreading that lands exactly on another valid form ('Nam' for 'Nữ') is far
less likely than that.
"""
_CLOSED_FORMS = {"gender": {"nam", "nữ"}, "nationality": {"việt nam"}}
_TRIMMED_KINDS = ("name", "place", "text")
# Closed vocabularies lose the specks at their edges too ("Nam —", "* Việt Nam ˆ").
_EDGE_TRIMMED_KINDS = (*_TRIMMED_KINDS, "gender", "nationality")
_STRICT_KINDS = ("date", "id", "expiry", "code")
# A count or measure read as digits alone ('125', '85,5') is as strict a shape as a date.
_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# One-letter Vietnamese words that free text may start with ("Đất ở tại nông thôn").
_ONE_LETTER_WORDS = frozenset("ởýô")
_VALUE_PUNCT = set(",.-/'’")
_FOREIGN = set("fjwz")
_VIETNAMESE_LETTERS = set("abcdeghiklmnopqrstuvxy")
_EDGE_PUNCT = "'\"`‘’“”|:;,._~*•+°^"
_MILESTONES = (14, 25, 40, 60)
_VOWELS = set("aeiouy")
_ALLOWED_PUNCT = set(",.-/:;()'’\"%&+")
# "Ba Đình, ngày 05 tháng 11 năm 2025", possibly behind a label OCR misread ("Làm tạt:").
# The year is four digits and no more: '20235' is a misread, not 2023.
_DATED_LINE = re.compile(
    r"^(?:[^:\d]{2,12}:\s*)?[^:\d]{2,40},?\s*ngay\s*\d{1,2}\s*thang\s*\d{1,2}\s*nam\s*\d{4}"
    r"(?!\d)")


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
    """The contract's seven types: every catalogue field of theirs is read, so a paper
    missing most of them can be judged unreadable (the verdict relies on this)."""
    return SUPPORTED


def readable_types() -> tuple[str, ...]:
    """Every type with a label file: the contract's seven and the catalogue's other forms.

    The others' printed versions differ (a land form of 2024 or of July 2025, a generated
    form that fills only the requester's block), so their fields are read where the page
    has them but the catalogue's list is not a test of readability.
    """
    return READABLE


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


WRAP_SLACK = 0.2
"""A line ending within this share of the text width from the right margin was full."""


def _full_lines(page: PageResult) -> list[bool] | None:
    """Per line: does it reach the right margin, so that a value on it may wrap?

    Without this, the line after a short value ("Mục đích …: Để đăng ký kết hôn.") would
    be glued to it whenever it does not start with a label. None when the OCR gave no
    line boxes (every line is then taken to be full).
    """
    boxes = [ln.bbox for ln in page.lines]
    used = [b for b, ln in zip(boxes, page.lines, strict=True) if ln.text.strip() and b[2] > b[0]]
    if not used:
        return None
    left, right = min(b[0] for b in used), max(b[2] for b in used)
    margin = right - WRAP_SLACK * (right - left)
    return [b[2] >= margin for b in boxes]


def _plain_vietnamese(text: str) -> bool:
    """Only Vietnamese letters, digits and an address's punctuation: a line that may carry
    on a value. OCR of a photo or a misread English gloss ('( Dạte f eypsey') is not."""
    for ch in text:
        if ch.isalpha():
            if fold(ch) not in _VIETNAMESE_LETTERS:
                return False
        elif not (ch.isdigit() or ch.isspace() or ch in _VALUE_PUNCT):
            return False
    return True


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
    if kind in ("name", "place", "text", "nationality"):
        tokens = [t for t in re.findall(r"\w+", fold(raw)) if not t.isdigit()]
        if tokens:
            voweless = sum(not (set(t) & _VOWELS) for t in tokens)
            if voweless / len(tokens) > (0.0 if kind == "name" else 0.34):
                return True
    return False


_FINALS_OK = ("ch", "nh", "ng", "c", "m", "n", "p", "t", "k")


def _impossible_syllable(raw: str) -> bool:
    """A word with Vietnamese marks that no Vietnamese syllable could be ('Yêh', 'Lộđ').

    A syllable ends in a vowel or in c, ch, m, n, ng, nh, p, t (k in Central Highlands
    names: Đắk Lắk). OCR that turns 'n' into 'h' makes a plausible-looking but wrong
    value; it goes to review instead of being trusted. Words without marks are left
    alone (foreign words, shop names).
    """
    for word in re.findall(r"[^\W\d_]+", raw):
        folded = fold(word)
        if folded == word.lower() or folded[-1] in _VOWELS:
            continue
        if not folded.endswith(_FINALS_OK):
            return True
    return False


def _bbox(lines: list[_Line], pieces: tuple[ValuePiece, ...]) -> tuple[int, int, int, int] | None:
    words = [w for p in pieces for w in _piece_words(lines[p.line], p)]
    if not words:
        return None
    return (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
            max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))


_COMMA_READ_AS_Q = re.compile(r"[^\W\d_]{2,}\?[^\W\d_]{2,}")


def _is_junk_token(token: str, at_end: bool, prose: bool = False) -> bool:
    """A token OCR made of a photo, emblem or speck next to a value ('LẤ&-', '¿À', 'ờ').

    Symbols mark junk; so does a lone letter with a diacritic (no address or name starts
    with one), or at the end a lone lower-case letter. A lone capital A–Z is kept:
    'A Lưới' and 'Khu B' are real.
    """
    if "|" in token:  # a value never holds one: a card's frame or a speck ('6111|')
        return True
    if _COMMA_READ_AS_Q.fullmatch(token):  # 'Điền?Thành': two words, a comma misread
        return False
    token = clean_text(token) or token  # 'Ÿ' is OCR's 'Y', not junk
    if any(not (c.isalnum() or c in _VALUE_PUNCT) for c in token):
        return True
    letters = [c for c in token if c.isalpha()]
    if len(token) <= 3 and len(letters) < len(token) and set(fold(token)) & _FOREIGN:
        return True  # 'S.J', 'f1': Vietnamese writes no f, j, w or z, least of all in specks
    if not any(c.isalnum() for c in token):
        return True
    if len(token) == 1 and token.isalpha():
        if prose and token in _ONE_LETTER_WORDS:
            return False
        if token.lower() in _FOREIGN:
            return True
        return not token.isascii() or (at_end and token.islower())
    return False


def _trim_piece(text: str, piece: ValuePiece, first: bool, last: bool,
                prose: bool = False) -> ValuePiece:
    """Narrow a value piece past junk tokens and stray quotes at its edges."""
    start, end = piece.start, piece.end
    if first:
        # Short tokens before a junk one belong to the same smudge ('LÍ „¿| xã …').
        # Not when the junk ends the piece ('NỮ ˆ'): that speck is after the value.
        every = list(re.finditer(r"\S+", text[start:end]))
        tokens = every[:3]
        junk = [t for t in tokens if _is_junk_token(t.group(), at_end=False, prose=prose)]
        if junk and len(junk) < len(tokens) and junk[-1].end() < every[-1].end():
            start += junk[-1].end()
    while first and start < end:
        m = re.match(r"\s*(\S+)", text[start:end])
        if m is None:
            break
        token = m.group(1)
        if _is_junk_token(token, at_end=False, prose=prose):
            start += m.end()
        elif token[0] in _EDGE_PUNCT:
            start += m.start(1) + 1
        else:
            start += m.start(1)
            break
    while last and end > start:
        m = re.search(r"(\S+)\s*$", text[start:end])
        if m is None or not _is_junk_token(m.group(1), at_end=True, prose=prose):
            break
        before, token = text[start:start + m.start(1)], m.group(1)
        if prose and token.endswith(")") and before.count("(") == before.count(")") + 1 \
                and not _is_junk_token(token[:-1], at_end=True, prose=prose):
            break  # '(trừ … da lông thú)': the bracket the value opened, not a speck
        end = start + m.start(1)
    while end > start and text[end - 1].isspace():
        end -= 1
    return ValuePiece(piece.line, start, end)


def _clean_side(text: str, piece: ValuePiece) -> ValuePiece | None:
    """The plain words of a wrapped line before its junk, or after it, when the junk sits
    at one end only (a speck after the value; the card photo's edge before it).

    Junk in the middle, or nothing of two letters left, gives None: the line is not
    trusted as the value's continuation.
    """
    tokens = list(re.finditer(r"\S+", text[piece.start:piece.end]))
    plain = [_plain_vietnamese(t.group()) for t in tokens]
    if all(plain) or not any(plain):
        return None
    first_bad, last_bad = plain.index(False), len(plain) - 1 - plain[::-1].index(False)
    if first_bad > 0 and last_bad == len(plain) - 1 and all(plain[:first_bad]) and not any(
            plain[first_bad:]):
        keep = tokens[:first_bad]
    elif first_bad == 0 and all(plain[last_bad + 1:]) and not any(plain[:last_bad + 1]):
        keep = tokens[last_bad + 1:]
    else:
        return None
    if sum(c.isalpha() for t in keep for c in t.group()) < 2:
        return None
    return ValuePiece(piece.line, piece.start + keep[0].start(), piece.start + keep[-1].end())


_LONE_DATE = re.compile(r"\W*\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{2,4}\W*")


def _closes_bracket(read: FieldRead, before: list[str], wrapped: str) -> bool:
    """A free-text value wrapped inside brackets: the next line ends with the ')' that
    closes the '(' left open, and holds nothing else but plain words."""
    so_far = " ".join(before)
    return (read.kind == "text" and so_far.count("(") == so_far.count(")") + 1
            and wrapped.rstrip().endswith(")") and wrapped.count(")") == 1
            and "(" not in wrapped and _plain_vietnamese(wrapped.replace(")", "")))


def _trimmed(read: FieldRead, lines: list[_Line], card: bool = False) -> FieldRead:
    if read.kind not in _EDGE_TRIMMED_KINDS or read.blank:
        return read
    kept = list(read.pieces[:1])
    bracket_end: ValuePiece | None = None
    for p in read.pieces[1:]:
        if card and read.kind == "place" and ends_with_province(
                " ".join(lines[k.line].text[k.start:k.end] for k in kept)):
            # The address is whole: the next line is the other column's (an expiry date
            # under quê quán, a speck read 'tan'), not the rest of it.
            break
        if card and read.kind == "place" and _LONE_DATE.fullmatch(
                lines[p.line].text[p.start:p.end]):
            break  # the photo column's expiry under a cut address: never part of one
        wrapped = lines[p.line].text[p.start:p.end]
        if _closes_bracket(read, [lines[k.line].text[k.start:k.end] for k in kept], wrapped):
            kept.append(p)  # '… (trừ trang phục từ da lông' / 'thú)': the trade's end
            bracket_end = p
            break
        # A wrapped line that holds symbols no value has ('(694996404 %#%Z.') is the card
        # photo's or the frame's OCR, not the rest of the value: it and what follows go,
        # all but a clean end of the value on one side of the junk ('Hóa _', 'S44» Điền').
        # Not on a card: its columns interleave, and a clean end there is as often the
        # next value's wrapped line ('(694996404 %#%Z. phủ, xã …' under quê quán).
        if not _plain_vietnamese(wrapped):
            part = None if card else _clean_side(lines[p.line].text, p)
            if part is not None:
                kept.append(part)
            break
        kept.append(p)
    n = len(kept)
    pieces = tuple(_trim_piece(lines[p.line].text, p, i == 0, i == n - 1, read.kind == "text")
                   for i, p in enumerate(kept))
    if bracket_end is not None:  # its ')' is the value's, not a speck to trim
        pieces = (*pieces[:-1], bracket_end)
    pieces = tuple(p for p in pieces if p.end > p.start) or read.pieces[:1]
    trimmed = replace(read, pieces=pieces)
    if read.kind == "nationality" and _says_viet_nam(read, lines) and not _says_viet_nam(
            trimmed, lines):
        return read  # 'Việ‡ Nam.': the misread glyph made its word look like a speck
    return trimmed


def _says_viet_nam(read: FieldRead, lines: list[_Line]) -> bool:
    text = " ".join(lines[p.line].text[p.start:p.end] for p in read.pieces)
    found = normalise_nationality(text)
    return found is not None and found.value == "Việt Nam"


_WRAPPED_SYLLABLE = re.compile(r"^([^\W\d_]+),")
_LOWER_UNIT_WORDS = frozenset(w for u in UNIT_WORDS for w in u.split())


def _name_cut(before: str, after: str) -> bool:
    """A place name's last syllable wrapped onto the next line and read in small letters
    ('đường Điện Biên' / 'phủ, phường …'): every syllable of a name is capitalised."""
    last = before.split()[-1] if before.split() else ""
    m = _WRAPPED_SYLLABLE.match(after)
    return bool(m and last[:1].isupper() and last.isalpha() and m.group(1).islower()
                and m.group(1) not in _LOWER_UNIT_WORDS and fold(last) not in {
                    fold(w) for w in _LOWER_UNIT_WORDS})


def _joined(read: FieldRead, lines: list[_Line]) -> tuple[str, bool]:
    """The value's text over its lines; a colon OCR put at a wrap point is dropped.

    A line that wraps mid-sentence ('Để làm thủ tục:' / 'mua bán nhà đất') does not end
    in a colon when the next line goes on in lower case. Returns (text, repaired).
    """
    parts = [lines[p.line].text[p.start:p.end].strip() for p in read.pieces]
    repaired = False
    for i in range(len(parts) - 1):
        if parts[i].endswith(":") and parts[i + 1][:1].islower():
            parts[i], repaired = parts[i][:-1].rstrip(), True
        if read.kind == "place" and _name_cut(parts[i], parts[i + 1]):
            parts[i + 1], repaired = parts[i + 1][:1].upper() + parts[i + 1][1:], True
    return " ".join(parts).strip(), repaired


_NUMBER_RUN = re.compile(r"\d[\d.,]*\d|\d")


def _narrowed_number(read: FieldRead, lines: list[_Line]) -> FieldRead:
    """A count or area narrowed to its digits: the unit after it ('m²', often read 'm?')
    is not the value, and its low OCR confidence must not send the number to review."""
    if read.kind != "number" or read.blank:
        return read
    for p in read.pieces:
        m = _NUMBER_RUN.search(lines[p.line].text, p.start, p.end)
        if m:
            return replace(read, pieces=(ValuePiece(p.line, m.start(), m.end()),))
    return read


def _to_field(read: FieldRead, lines: list[_Line], card: bool = False) -> Field:
    trimmed = _trimmed(read, lines, card)
    read = _narrowed_number(trimmed, lines)
    raw, wrap_repaired = _joined(read, lines)
    page = lines[read.pieces[0].line].page
    bbox = _bbox(lines, read.pieces)
    if read.blank or not raw:
        return Field("", 0.0, page, bbox, "ocr", raw, True)
    confidence, low_share = _ocr_confidence(lines, read.pieces)
    if read.fuzzy_label:
        confidence *= FUZZY_LABEL_PENALTY
    normalised: Normalised | None = _NORMALISERS[read.kind](raw)
    closed = read.kind in _CLOSED_FORMS and clean_text(raw).lower() in _CLOSED_FORMS[read.kind]
    if read.kind == "nationality" and normalised is not None:
        # 'Việt Nam.' or 'Việt Nam F' (a speck after it) is still the one usual value.
        closed = normalised.value.lower() in _CLOSED_FORMS["nationality"]
    if read.kind == "gender" and normalised is not None and not closed:
        # 'Nảm', 'Ñam': one word whose letters are one form's with a mark slipped; the two
        # forms fold apart, so it is that form (guessed below, hence for review).
        closed = fold(clean_text(raw)) in {fold(f) for f in _CLOSED_FORMS["gender"]}
    # A date or number in its strict printed shape, parsed without any repair, is kept even
    # when Tesseract doubts its words (it gives '15/11/1990' 0.25 on a photocopy, a parcel's
    # '125' 0.41 on an office scan): the officer checks a proposed value; it stays marked
    # for review.
    strict = normalised is not None and not normalised.guessed and (
        read.kind in _STRICT_KINDS
        or (read.kind == "number"  # the words as read, before the number was cut out of them
            and _BARE_NUMBER.fullmatch(clean_text(_joined(trimmed, lines)[0]).strip()) is not None))
    if normalised is None or (low_share >= 0.5 and not closed and not strict) or _looks_garbled(
            clean_text(raw) or raw, read.kind):
        return Field("", min(confidence, 0.3), page, bbox, "ocr", raw, True)
    if low_share >= 0.5 and not closed:
        return Field(normalised.value, min(confidence, 0.5), page, bbox, "ocr", raw, True)
    assert normalised is not None
    if closed:
        confidence = max(confidence, CLOSED_VOCABULARY_CONFIDENCE)
    if normalised.guessed or wrap_repaired:
        confidence *= GUESS_PENALTY
    confidence = max(0.0, min(1.0, confidence))
    odd_glyph = any(not (c.isalnum() or c.isspace() or c in _ALLOWED_PUNCT) for c in raw)
    doubtful = (read.kind in _TRIMMED_KINDS and (_impossible_syllable(raw) or odd_glyph)) or (
        read.kind == "date" and normalised.guessed and odd_glyph) or (  # 'tháng †1' read as 11
        # a speck inside a name ('Phương. Ngọc'): the marks beside it are doubtful too
        read.kind == "name" and any(c in clean_text(raw).strip(".") for c in ".:"))
    return Field(normalised.value, confidence, page, bbox, "ocr", raw,
                 confidence < REVIEW_THRESHOLD or doubtful)


# ---------------------------------------------------------------- fallbacks

_IN_WORDS = re.compile(r"bang\s*chu\s*:?(?P<words>[^)]*)")


def _amount_in_words(lines: list[_Line], read: FieldRead) -> str | None:
    """The '(Bằng chữ: …)' amount on the line after a money value, as digits.

    Forms repeat an amount in words so that a misread digit can be caught; words that
    OCR damaged do not parse as a number and give None.
    """
    last = read.pieces[-1].line
    for line in lines[last:last + 2]:
        m = _IN_WORDS.search(fold(line.text))
        if m:
            words = normalise_money(line.text[m.start("words"):m.end("words")])
            return words.value if words and not re.search(r"\d", m.group("words")) else None
    return None


def _check_money(field_: Field, read: FieldRead, lines: list[_Line]) -> Field:
    """Digits that disagree with the amount in words: the words win, for review."""
    words = _amount_in_words(lines, read)
    if words is None or not field_.value or words == field_.value:
        return field_
    return replace(field_, value=words, confidence=min(field_.confidence, 0.6),
                   needs_review=True)


def _dated_line(lines: list[_Line]) -> FieldRead | None:
    """'Ba Đình, ngày 05 tháng 11 năm 2025' near the signature, when no label names it."""
    for i in range(len(lines) - 1, -1, -1):
        m = _DATED_LINE.match(fold(lines[i].text))
        if m:
            return FieldRead("ngay_lam_don", "date", (ValuePiece(i, 0, m.end()),), i)
        if i + 1 < len(lines):  # the year wrapped onto the next line of a narrow column
            text = lines[i].text
            m = _DATED_LINE.match(fold(f"{text} {lines[i + 1].text}"))
            if m and m.end() > len(text):
                return FieldRead("ngay_lam_don", "date", (
                    ValuePiece(i, 0, len(text)), ValuePiece(i + 1, 0, m.end() - len(text) - 1)), i)
    return None


def _refill_from_fallbacks(doc_type: str, fields: dict[str, Field], lines: list[_Line]) -> None:
    """A label found with nothing readable after it ('+ +' under the card's number label, the
    number a line further) gets its fallback's value, when that one reads cleanly."""
    for spec in label_set(doc_type).fields:
        old = fields.get(spec.name)
        if old is None or old.value or spec.fallback not in ("dated_line", "id12"):
            continue
        found = _dated_line(lines) if spec.fallback == "dated_line" else _any_id12(
            lines, spec.name)
        if found is None:
            continue
        new = _to_field(FieldRead(spec.name, spec.kind, found.pieces, found.label_line,
                                  fuzzy_label=True), lines, doc_type == "cccd")
        if new.value:
            fields[spec.name] = new


def _prefer_signed_spelling(fields: dict[str, Field], reads: dict[str, FieldRead],
                            lines: list[_Line]) -> None:
    """A form's name whose word the signer's printed name reads more clearly takes that
    word's marks (``signed_name``): two readings of one name, the clearer one kept."""
    signed = signature_names([(ln.text, [(w.text, w.confidence, w.bbox[0], w.bbox[2])
                                         for _, _, w in ln.words]) for ln in lines])
    if not signed:
        return
    names = [n for n, r in reads.items() if r.kind == "name" and n in fields
             and fields[n].value and fields[n].source == "ocr"]
    for name in names:
        words = [(w.text, w.confidence) for p in reads[name].pieces
                 for w in _piece_words(lines[p.line], p)]
        confs = word_confidences(fields[name].value, words)
        better = None if confs is None else better_spelling(
            fields[name].value, confs, signed, [fields[o].value for o in names if o != name])
        if better is not None:
            fields[name] = replace(fields[name], value=better)


def _any_id12(lines: list[_Line], name: str) -> FieldRead | None:
    """A 12-digit run anywhere on a card (the number printed without a readable label)."""
    for i, line in enumerate(lines):
        m = re.search(r"(?<!\d)\d{12}(?!\d)", line.text)
        if m:
            return FieldRead(name, "id", (ValuePiece(i, m.start(), m.end()),), i)
    return None


# ---------------------------------------------------------------- identity cards

def _mrz_expiry(text: str) -> str | None:
    """The expiry date in a card's machine-readable zone, if its check digit holds.

    Line 2 is birth YYMMDD + check, sex, expiry YYMMDD + check, 'VNM'. A card expires
    in this century, so YY is 20YY.
    """
    mrz = read_mrz([text])  # also a line whose birth part OCR garbled
    return mrz.expiry if mrz is not None else None


def _milestones(born: str) -> set[str]:
    """The birthdays a card can run to: the 14th, 25th, 40th and 60th (Luật Căn cước)."""
    b = date.fromisoformat(born)
    out = set()
    for years in _MILESTONES:
        try:
            out.add(b.replace(year=b.year + years).isoformat())
        except ValueError:  # born on 29 February
            out.add(date(b.year + years, 3, 1).isoformat())
    return out


def _expiry_fallback(lines: list[_Line], fields: dict[str, Field]) -> Field | None:
    """The card's expiry when its label was lost in the photo's OCR noise.

    A photocopy often keeps the date but not the label beside it ('24/12/2026 Tng'). A
    date on the card that falls on the holder's 14th/25th/40th/60th birthday is the expiry
    (cards run exactly to one of those), whether printed or in the MRZ (check digit valid).
    Found nothing, or two different candidates: None.

    A birth date OCR doubted still serves for a whole printed date: that another date on
    the card lies exactly 14/25/40/60 years after it is evidence for both. Damaged
    evidence (a year cut short, an MRZ digit slipped) needs a birth date read well.
    """
    born = fields.get("ngay_sinh")
    if born is None or not re.fullmatch(r"\d{4}-\d\d-\d\d", born.value or ""):
        return None
    wanted = possible_expiries(born.value, _issued(fields))
    found: dict[str, tuple[int, ValuePiece]] = {}
    for i, line in enumerate(lines):
        got = find_date(line.text)
        if got is not None and got.value in wanted:
            found.setdefault(got.value, (i, ValuePiece(i, got.start, got.end)))
        mrz = _mrz_expiry(line.text)
        if mrz is not None and mrz in wanted:  # a check digit alone passes 1 in 10 misreads
            found.setdefault(mrz, (i, ValuePiece(i, 0, len(line.text))))
    penalty = FUZZY_LABEL_PENALTY
    if not found and not born.needs_review:
        found, penalty = _damaged_expiry(lines, fields, wanted), FUZZY_LABEL_PENALTY * GUESS_PENALTY
    if len(found) != 1:
        return None
    value, (i, piece) = next(iter(found.items()))
    confidence, _ = _ocr_confidence(lines, (piece,))
    confidence = max(0.0, min(1.0, confidence * penalty))
    return Field(value, confidence, lines[i].page, _bbox(lines, (piece,)), "ocr",
                 lines[i].text[piece.start:piece.end], confidence < REVIEW_THRESHOLD)

def _damaged_expiry(lines: list[_Line], fields: dict[str, Field],
                    wanted: set[str]) -> dict[str, tuple[int, ValuePiece]]:
    """A printed expiry with its year cut, else an MRZ expiry with one digit slipped."""
    issued = fields.get("ngay_cap")
    after = issued.value if issued and issued.value and not issued.needs_review else None
    texts = [ln.text for ln in lines]
    cut = expiry_from_cut_date(texts, wanted, after) or expiry_from_blurred_date(
        texts, wanted if after else ())
    if cut is not None:
        value, i = cut
        return {value: (i, ValuePiece(i, 0, len(texts[i])))}
    slipped = expiry_from_mrz_slip(texts, wanted, after) or (
        expiry_from_mrz_digits(texts, wanted) if after else None) or (
        expiry_from_printed_slip(texts, wanted) if after else None)
    if slipped is not None:
        value, i = slipped
        return {value: (i, ValuePiece(i, 0, len(texts[i])))}
    return {}


MRZ_CONFIDENCE = 0.95
"""A value that passed the MRZ's check digits (a misread passes one in ten per check)."""


def _century(fields: dict[str, Field], number: str | None, yy: str) -> int | None:
    """The birth century: from the number's gender-and-century digit, else the printed year."""
    if number and re.fullmatch(r"\d{12}", number) and number[3] in "012345":
        return 1900 + 100 * (int(number[3]) // 2)
    born = fields.get("ngay_sinh")
    if born and re.fullmatch(r"\d{4}-\d\d-\d\d", born.value) and born.value[2:4] == yy:
        return int(born.value[:2]) * 100
    return None


def _apply_mrz(fields: dict[str, Field], lines: list[_Line]) -> None:
    """Values from the card's MRZ that passed their check digits replace printed OCR.

    The QR, when read, stays first (it carries the full values); the MRZ then only fills
    what is missing. Sex carries no check digit of its own: it only fills a gap.
    """
    mrz = read_mrz([ln.text for ln in lines])
    if mrz is None or not lines:
        return

    def put(name: str, value: str | None, only_gaps: bool = False,
            confidence: float = MRZ_CONFIDENCE) -> None:
        old = fields.get(name)
        if value is None or (old is not None and old.source == "qr"):
            return
        if old is not None and old.value and not old.needs_review and (
                only_gaps or old.value == value):
            return
        fields[name] = Field(value, confidence, old.page if old else lines[0].page,
                             old.bbox if old else None, "ocr", old.raw if old else value, False)

    put("so_dinh_danh", mrz.number)
    number = fields["so_dinh_danh"].value if "so_dinh_danh" in fields else mrz.number
    if mrz.birth_yymmdd:
        put("ngay_sinh", mrz.birth(_century(fields, number, mrz.birth_yymmdd[:2]) or
                                   birth_century(mrz.birth_yymmdd, mrz.expiry, _milestones)))
    else:  # one birth digit slipped: the number and the expiry may settle which
        slipped = birth_from_mrz_slip([ln.text for ln in lines], number, mrz.expiry,
                                      _milestones)
        if slipped is not None:
            put("ngay_sinh", slipped[0], only_gaps=True,
                confidence=MRZ_CONFIDENCE * GUESS_PENALTY)
    put("gioi_tinh", mrz.sex, only_gaps=True)
    born = fields.get("ngay_sinh")
    if mrz.expiry and born and born.value and not born.needs_review and re.fullmatch(
            r"\d{4}-\d\d-\d\d", born.value) and mrz.expiry in possible_expiries(
                born.value, _issued(fields)):
        put("ngay_het_han", mrz.expiry)


_NUMBERISH12 = re.compile(r"(?<![\dOoIil|])[\dOoIil|]{12}(?![\dOoIil|])")
_ID_DIGITS = str.maketrans("OoIil|", "001111")


def _number_by_mrz_tail(fields: dict[str, Field], lines: list[_Line]) -> None:
    """A card whose number label OCR glued to the number ('søNo.001i78171886') and whose
    MRZ number failed its check: a 12-character run on the card, letters read for digits,
    whose last nine digits the MRZ's line 1 repeats under a check digit that holds, and
    whose first three are a province code. For review: the first three rest on print."""
    old = fields.get("so_dinh_danh")
    if (old is not None and old.value) or not lines:
        return
    tail = number_tail([ln.text for ln in lines])
    if tail is None:
        return
    for i, line in enumerate(lines):
        for m in _NUMBERISH12.finditer(line.text):
            digits = m.group().translate(_ID_DIGITS)
            if sum(c.isdigit() for c in m.group()) < 10 or digits[3:] != tail:
                continue
            info = decode_cccd(digits)
            if info is None or info.province is None:
                continue
            piece = ValuePiece(i, m.start(), m.end())
            fields["so_dinh_danh"] = Field(digits, MRZ_CONFIDENCE * GUESS_PENALTY, line.page,
                                           _bbox(lines, (piece,)), "ocr", m.group(), True)
            return


def _number_by_mrz_repair(fields: dict[str, Field], lines: list[_Line]) -> None:
    """A card left without a number whose MRZ line 1 holds it with one digit slipped in
    one copy (``mrz.repaired_number``: two check digits agree). Only fills the gap, and
    only when the number agrees with the birth date and sex read apart from it."""
    old = fields.get("so_dinh_danh")
    if (old is not None and old.value) or not lines:
        return
    number = repaired_number([ln.text for ln in lines])
    born, sex = fields.get("ngay_sinh"), fields.get("gioi_tinh")
    if number is None or born is None or not born.value or validate_cccd(
            number, born.value, sex.value if sex and sex.value else None):
        return
    fields["so_dinh_danh"] = Field(number, MRZ_CONFIDENCE * GUESS_PENALTY,
                                   old.page if old else lines[0].page,
                                   old.bbox if old else None, "ocr", number, False)


def _number_zero_led(fields: dict[str, Field], lines: list[_Line]) -> None:
    """A card left without a number whose print lost its leading zero or read it as a
    letter ('Đ27080165356'): ``card_number.zero_led_number``, for review."""
    old = fields.get("so_dinh_danh")
    born, sex = fields.get("ngay_sinh"), fields.get("gioi_tinh")
    if (old is not None and old.value) or not lines or born is None or sex is None:
        return
    found = zero_led_number([ln.text for ln in lines], born.value, sex.value)
    if found is None:
        return
    i, start, end, number = found
    piece = ValuePiece(i, start, end)
    fields["so_dinh_danh"] = Field(number, MRZ_CONFIDENCE * GUESS_PENALTY, lines[i].page,
                                   _bbox(lines, (piece,)), "ocr", lines[i].text[start:end],
                                   True)


def _name_by_mrz(fields: dict[str, Field], lines: list[_Line]) -> None:
    """A card's name whose label OCR garbled: the printed capitals the MRZ's name line
    spells (``card_mrz_name``), read and normalised like any printed name."""
    old = fields.get("ho_ten")
    if old is not None and old.value:
        return
    texts = [ln.text for ln in lines]
    letters = mrz_name(texts)
    span = name_span_by_mrz(texts, letters) if letters else None
    if span is None:
        return
    i, start, end = span
    found = _to_field(FieldRead("ho_ten", "name", (ValuePiece(i, start, end),), i,
                                fuzzy_label=True), lines, card=True)
    if found.value:
        fields["ho_ten"] = found


def _birth_by_garbled_label(fields: dict[str, Field], lines: list[_Line]) -> None:
    """A card's birth date after a label OCR garbled ('Ngày 3inh / Date of bựth:'), see
    ``card_birth_label``; a check-digit-valid MRZ birth date still replaces it later."""
    old = fields.get("ngay_sinh")
    if old is not None and old.value:
        return
    span = birth_date_span([ln.text for ln in lines])
    if span is None:
        return
    i, start, end = span
    found = _to_field(FieldRead("ngay_sinh", "date", (ValuePiece(i, start, end),), i,
                                fuzzy_label=True), lines, card=True)
    if found.value:
        fields["ngay_sinh"] = found


def _fill_sex(fields: dict[str, Field], lines: list[_Line]) -> None:
    """A card's sex the print lost, from the number and the MRZ together (below)."""
    old = fields.get("gioi_tinh")
    if (old is not None and old.value) or not lines:
        return
    sex = _sex_from_number(fields, lines)
    if sex is not None:
        fields["gioi_tinh"] = Field(sex, MRZ_CONFIDENCE * GUESS_PENALTY,
                                    old.page if old else lines[0].page,
                                    old.bbox if old else None, "ocr", sex, False)


def _sex_from_number(fields: dict[str, Field], lines: list[_Line]) -> str | None:
    """The holder's sex where the print lost it: the number's fourth digit (Thông tư
    07/2016) when the MRZ's sex letter, read apart from it, says the same, and the number
    agrees with the birth date, even a doubted one (each of them then vouches for the
    other, and the fourth digit was not misread into another century)."""
    number, born = fields.get("so_dinh_danh"), fields.get("ngay_sinh")
    if number is None or born is None or not born.value:
        return None
    info = decode_cccd(number.value or "")
    if info is None or validate_cccd(info.number, born.value):
        return None
    return info.gender if sex_as_read([ln.text for ln in lines]) == info.gender else None


def _issued(fields: dict[str, Field]) -> str | None:
    """The card's issue date when read well (it narrows the expiry to one birthday)."""
    issued = fields.get("ngay_cap")
    if issued is None or issued.needs_review or not re.fullmatch(
            r"\d{4}-\d\d-\d\d", issued.value or ""):
        return None
    return issued.value


def _expiry_impossible(fields: dict[str, Field]) -> bool:
    """A read expiry that no card of this holder, issued on this day, can print."""
    expiry, born = fields.get("ngay_het_han"), fields.get("ngay_sinh")
    if expiry is None or born is None or born.needs_review or expiry.source == "qr":
        return False
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", expiry.value or "") or not re.fullmatch(
            r"\d{4}-\d\d-\d\d", born.value or ""):
        return False
    return expiry.value not in possible_expiries(born.value, _issued(fields))


def _nationality_fallback(lines: list[_Line]) -> Field | None:
    """A card's "Quốc tịch" the label reader missed for its garbled gloss (see
    ``card_nationality``): the first such line whose value reads."""
    for i, line in enumerate(lines):
        span = nationality_after_label(line.text)
        if span is None:
            continue
        found = _to_field(FieldRead("quoc_tich", "nationality", (ValuePiece(i, *span),), i,
                                    fuzzy_label=True), lines, card=True)
        if found.value:
            return found
    return None


def _viet_nam_on_card(fields: dict[str, Field], lines: list[_Line]) -> None:
    """A card's nationality the print lost or cut short, from the MRZ's 'VNM' or the start
    of 'Việt Nam' it kept ('Việt', 'Vị'): only Vietnamese citizens hold this card, and
    both say so. A nationality read well, whatever it is, stays as read."""
    old = fields.get("quoc_tich")
    if old is not None and old.value == VIET_NAM:
        return
    cut = old is not None and viet_nam_cut_short(old.value or old.raw or "")
    if old is not None and old.value and not old.needs_review and not cut:
        return
    if says_vietnamese([ln.text for ln in lines]):
        confidence = MRZ_CONFIDENCE
    elif cut and old is not None:
        confidence = max(old.confidence, CLOSED_VOCABULARY_CONFIDENCE) * GUESS_PENALTY
    else:
        return
    fields["quoc_tich"] = Field(VIET_NAM, confidence, old.page if old else lines[0].page,
                                old.bbox if old else None, "ocr", old.raw if old else "VNM",
                                confidence < REVIEW_THRESHOLD)


def _unglue_number(fields: dict[str, Field], lines: list[_Line]) -> list[Problem]:
    """A card left without a number whose 13-digit run holds it («4031203148519): the window
    that fits the card's own birth date and sex (``card_number``), for review."""
    old = fields.get("so_dinh_danh")
    if old is not None and old.value:
        return []
    born, sex = fields.get("ngay_sinh"), fields.get("gioi_tinh")
    found = glued_number([ln.text for ln in lines],
                         born.value if born and not born.needs_review else None,
                         sex.value if sex and not sex.needs_review else None)
    if found is None:
        return []
    read = FieldRead("so_dinh_danh", "id", (ValuePiece(found.line, found.start, found.end),),
                     found.line, fuzzy_label=True)
    new = _to_field(read, lines, card=True)
    if new.value != found.number:
        return []
    fields["so_dinh_danh"] = replace(new, confidence=new.confidence * GUESS_PENALTY,
                                     raw=found.run, needs_review=True)
    return [glued_number_note(found)]


def _unglue_inner_digit(fields: dict[str, Field], lines: list[_Line]) -> list[Problem]:
    """A card left without a number whose 13-digit run has its stray digit inside: the
    one fit the MRZ's line-1 check digit picks (``card_number.inner_glued_number``)."""
    old = fields.get("so_dinh_danh")
    if (old is not None and old.value) or not lines:
        return []
    born, sex = fields.get("ngay_sinh"), fields.get("gioi_tinh")
    texts = [ln.text for ln in lines]
    found = inner_glued_number(texts, born.value if born and not born.needs_review else None,
                               sex.value if sex and not sex.needs_review else None,
                               line1_check(texts))
    if found is None:
        return []
    piece = ValuePiece(found.line, found.start, found.end)
    fields["so_dinh_danh"] = Field(found.number, MRZ_CONFIDENCE * GUESS_PENALTY ** 2,
                                   lines[found.line].page, _bbox(lines, (piece,)), "ocr",
                                   found.run, True)
    return [inner_glued_note(found)]


NO_EXPIRY_FIELD = "khong_thoi_han"


def _split_no_expiry(fields: dict[str, Field]) -> None:
    """A card that never expires: no date in ``ngay_het_han``, a ``khong_thoi_han`` flag.

    The contract says date values are ``YYYY-MM-DD``; the words 'Không thời hạn' in a date
    field would break every consumer that parses it. The date stays empty but *read* (not
    for review), and the flag says why, so the card still counts as readable.
    """
    expiry = fields.get("ngay_het_han")
    if expiry is None or expiry.value != NO_EXPIRY:
        return
    fields["ngay_het_han"] = replace(expiry, value="")
    fields[NO_EXPIRY_FIELD] = replace(expiry, value="Có")


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
    """Printed ``a`` says the same as QR ``b``; loosely: nearly, or the start of it.

    A card's address often loses its wrapped second line in OCR (the line lands among
    the photo's noise); what was read still agrees with the QR, so it is no conflict.
    """
    fa, fb = re.sub(r"[\W_]+", "", fold(a)), re.sub(r"[\W_]+", "", fold(b))
    if fa == fb:
        return True
    return loose and (fuzz.ratio(fa, fb) >= 90 or (len(fa) >= 10 and fb.startswith(fa)))


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


CARD_SPECK_MAX = 6


def _gloss_left(read: FieldRead, lines: list[_Line]) -> FieldRead:
    """The rest of a label OCR misspelt ('tên kbai sinh / Full name:') is not the name: a
    name holds no '/' or ':'. A card prints the name in capitals on the line below."""
    first = read.pieces[0]
    text = lines[first.line].text[first.start:first.end]
    below = first.line + 1
    # Or a speck in small letters beside the label ('va i'): a card's name is in capitals.
    speck = len(re.sub(r"\W", "", text)) <= CARD_SPECK_MAX and not any(
        c.isupper() for c in text)
    if first.line != read.label_line or not (re.search(r"[/:]", text) or speck) or (
            below >= len(lines)):
        return read
    name = lines[below].text.strip()
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 4 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return read
    start = lines[below].text.index(name)
    return replace(read, pieces=(ValuePiece(below, start, start + len(name)),))


GLOSS_MIN_SIMILARITY = 85.0
"""Similarity (0–100) of a value's first words to the label's English gloss for them to be
the gloss ('Piace of residence' 94, 'Pạce of residence' 97; an address scores near 20)."""


def _past_gloss(read: FieldRead, lines: list[_Line]) -> FieldRead:
    """A card value that starts with its label's English gloss, misread so the label reader
    took only the Vietnamese ('Nơi thường trú / Piace of residence Số 139, …'): the value
    starts after the gloss (and its colon)."""
    first = read.pieces[0]
    text = lines[first.line].text
    spec = next((f for f in label_set("cccd").fields if f.name == read.field), None)
    glosses = {fold(lab.split(" / ", 1)[1]) for lab in (spec.labels if spec else ())
               if " / " in lab}
    for gloss in glosses:
        words = list(re.finditer(r"[^\s/|:]+", text[first.start:first.end]))
        n = len(gloss.split())
        if len(words) <= n or fuzz.ratio(fold(" ".join(w.group() for w in words[:n])),
                                         gloss) < GLOSS_MIN_SIMILARITY:
            continue
        start = first.start + words[n].start()
        return replace(read, pieces=(ValuePiece(first.line, start, first.end),
                                     *read.pieces[1:]))
    return read


def _card_value_below(read: FieldRead, lines: list[_Line]) -> FieldRead:
    """A card prints quê quán and the like under its label; a few characters OCR found
    beside the label ('TS', 'Sung :') are the guilloche, and the line below is the value."""
    if read.kind == "name" and not read.blank:
        return _gloss_left(read, lines)
    if read.kind == "place" and not read.blank:
        read = _past_gloss(read, lines)
    if read.kind != "place" or len(read.pieces) < 2:
        return read
    first = read.pieces[0]
    text = lines[first.line].text[first.start:first.end]
    if text.lstrip().startswith("/") and ":" in text:
        # The English gloss the label's pattern missed ("/'Place of origin: *"): what
        # follows its colon is all that may be value.
        text = text[text.rindex(":") + 1:]
    if first.line != read.label_line or len(re.sub(r"\W", "", text)) > CARD_SPECK_MAX or (
            "," in text):
        return read
    return replace(read, pieces=read.pieces[1:])


_UNIT_START = re.compile(r"(?:^|\s)(?P<unit>(?:xã|phường|thị trấn|huyện|quận|thị xã|tỉnh|"
                         r"thành phố) [^\W\d_])", re.IGNORECASE)
_RESIDENCE = re.compile(r"noi\s*(?:thuong|cu)\s*tru|residence")
ORIGIN_LOOKAHEAD = 12
"""Lines under quê quán's label searched for its value: a photo or the old layout's name
block can put seven lines of the other column between them, a photo read out of order the
card's heading block too (ten lines); the residence's label still ends the search."""


_CARD_HEADING = re.compile(r"(?:can cuoc(?: cong dan)?|(?:citizen )?identity card|"
                           r"cong hoa xa hoi chu nghia viet nam|doc lap tu do hanh phuc)")


def _drop_headings(fields: dict[str, Field]) -> None:
    """A card's printed heading ('CĂN CƯỚC CÔNG DÂN') read as the value under a label that
    stands alone (the photocopy put the title line between label and value) is no value:
    the field is left empty for the fallbacks and the officer, never kept as read."""
    for name, f in fields.items():
        letters = " ".join(re.sub(r"[^a-z]+", " ", fold(f.raw or "")).split())
        if f.value and _CARD_HEADING.fullmatch(letters):
            fields[name] = replace(f, value="", confidence=min(f.confidence, 0.3),
                                   needs_review=True)


def _origin_below(read: FieldRead, lines: list[_Line],
                  taken: set[int] | frozenset[int] = frozenset()) -> FieldRead | None:
    """A card's quê quán printed a few lines under its label, past the other column's
    label and value (the photo column's expiry, the name block of the older layout).

    Quê quán is a list of units ('xã Châu Thành, Thành phố Hà Nội'), so only a line that
    starts with a unit word (after at most one speck: 'đa xã …') and holds plain
    Vietnamese is taken, and never past the residence's label nor a line another field
    was read from (``taken``: the residence's wrapped line when OCR put it first).
    """
    for i in range(read.label_line + 1, min(len(lines), read.label_line + 1 + ORIGIN_LOOKAHEAD)):
        text = lines[i].text
        if _RESIDENCE.search(fold(text)):
            return None
        if i in taken:
            continue
        m = _UNIT_START.search(text)
        # Specks before the value: at most one word-like one ('đa'); the card's frame ('|')
        # and other symbols are no word.
        if m is None or len([t for t in text[:m.start("unit")].split()
                             if not _is_junk_token(t, at_end=False)]) > 1:
            continue
        # ... and specks after it ('… Hồ Chí Minh - :') go as they do from any value.
        piece = _trim_piece(text, ValuePiece(i, m.start("unit"), len(text)), False, True)
        # A speck read as a colon inside a name ('phường Ninh: Kiều') is no other text.
        if piece.end > piece.start and _plain_vietnamese(
                _SPECK_COLON.sub("", text[piece.start:piece.end])):
            return FieldRead(read.field, read.kind, (piece,), i, fuzzy_label=True)
    return None


_BARE_ENDS = frozenset({"duong", "ngo", "hem", "pho", "xa", "phuong", "huyen", "quan", "tinh",
                        "thon", "ap", "ban", "to", "khu"})


def _whole_provinces(fields: dict[str, Field]) -> None:
    """A card's place whose province name the photo's edge cut ('tỉnh Lâm'), made whole
    when only one province's name goes on from there (``complete_province``); a guess of
    lost letters, so for review."""
    for name in (*_ORIGIN_FIELDS, *_RESIDENCE_FIELDS):
        f = fields.get(name)
        whole = complete_province(f.value) if f is not None and f.value else None
        if f is not None and whole is not None:
            fields[name] = replace(f, value=whole, confidence=f.confidence * GUESS_PENALTY,
                                   needs_review=True)
        elif f is not None and f.value and fold(f.value.split()[-1]) in _BARE_ENDS:
            # 'Số 139, ngõ 23, đường': the name after its street or unit word was lost.
            fields[name] = replace(f, needs_review=True)


def _origin_unlabelled(lines: list[_Line], reads: dict[str, FieldRead]) -> Field | None:
    """Quê quán under a label the label reader missed (``origin_label_end``): on its line
    after the label, else below it as ``_origin_below`` finds it; None when nothing reads."""
    taken = {p.line for r in reads.values() for p in r.pieces}
    for i, line in enumerate(lines):
        end = origin_label_end(line.text)
        if end is None:
            continue
        read = FieldRead("que_quan", "place", (ValuePiece(i, end, len(line.text)),), i,
                         fuzzy_label=True)
        if origin_start(" " + line.text[end:]) is None and not _UNIT_START.match(
                line.text[end:].lstrip()):
            read = _origin_below(read, lines, taken)
        if read is None:
            return None
        found = _to_field(_card_place(read, lines)[0], lines, True)
        return found if found.value else None
    return None


_SPECK_COLON = re.compile(r"(?<=[^\W\d_]):(?= [^\W\d_])")
_ORIGIN_FIELDS = ("que_quan", "noi_dang_ky_khai_sinh")
_RESIDENCE_FIELDS = ("noi_thuong_tru", "noi_cu_tru")
REST_JUNK_TOKENS = 3


def _residence_rest(text: str, piece: ValuePiece) -> ValuePiece | None:
    """The plain rest of a card's residence on a wrapped line that the photo's OCR starts
    ('sms .s9e4esz.- Điện Biên Phủ, phường …'): past junk within its first few tokens."""
    tokens = list(re.finditer(r"\S+", text[piece.start:piece.end]))
    plain = [_plain_vietnamese(t.group()) for t in tokens]
    bad = [i for i, ok in enumerate(plain) if not ok]
    if not bad or bad[-1] >= REST_JUNK_TOKENS or len(tokens) - bad[-1] - 1 < 2:
        return None
    return ValuePiece(piece.line, piece.start + tokens[bad[-1] + 1].start(), piece.end)


_EXPIRY_GLOSS = re.compile(r"date\s*of\s*ex[a-z]*\s*[:;.]?\s*")


def _rest_beside_expiry(pieces: list[ValuePiece], lines: list[_Line]) -> ValuePiece | None:
    """The old card prints 'Có giá trị đến / Date of expiry' under the photo, level with
    the residence's second line, so OCR reads them as one line ('… Date of expiry Lưu, tỉnh
    Quảng Ninh') and the label reader stops there. What follows the gloss is the rest of
    the residence when it is plain and completes it with a province."""
    last = pieces[-1]
    before = " ".join(lines[q.line].text[q.start:q.end] for q in pieces).rstrip(" .,")
    if ends_with_province(before) or last.line + 1 >= len(lines):
        return None
    text = lines[last.line + 1].text
    m = _EXPIRY_GLOSS.search(fold(text))
    rest = text[m.end():].rstrip(" .'`") if m is not None else ""
    if not rest or not _plain_vietnamese(rest) or not ends_with_province(f"{before} {rest}"):
        return None
    return ValuePiece(last.line + 1, m.end(), m.end() + len(rest))  # type: ignore[union-attr]


def _card_place(read: FieldRead, lines: list[_Line]) -> tuple[FieldRead, bool]:
    """A card's place read narrowed to the address itself (``card_place``): quê quán from
    its first unit word, any address to its province; a residence goes on past the photo's
    OCR to the rest of it when that rest completes it with a province (then unsure: the
    second value is True, for review)."""
    if read.kind != "place" or read.blank or not read.pieces:
        return read, False
    pieces, unsure = list(read.pieces), False
    first = pieces[0]
    if read.field in _ORIGIN_FIELDS:
        at = origin_start(lines[first.line].text[first.start:first.end])
        if at is not None:
            pieces[0] = ValuePiece(first.line, first.start + at, first.end)
    if read.field in _RESIDENCE_FIELDS:
        for k in range(1, len(pieces)):
            p = pieces[k]
            before = " ".join(lines[q.line].text[q.start:q.end] for q in pieces[:k])
            if ends_with_province(before) or _plain_vietnamese(lines[p.line].text[p.start:p.end]):
                continue
            rest = _residence_rest(lines[p.line].text, p)
            if rest is None or not ends_with_province(
                    f"{before} {lines[p.line].text[rest.start:rest.end]}".rstrip(" .'`")):
                break
            prev = pieces[k - 1]  # its end's specks ('65,đường -') go now it is no last
            pieces = [*pieces[:k - 1], _trim_piece(lines[prev.line].text, prev, k == 1, True),
                      rest]
            unsure = True
            break
        beside = _rest_beside_expiry(pieces, lines)
        if beside is not None:
            pieces, unsure = [*pieces, beside], True
    last = pieces[-1]
    end = cut_after_province(lines[last.line].text[last.start:last.end])
    if end is not None:
        pieces[-1] = ValuePiece(last.line, last.start, last.start + end)
    return replace(read, pieces=tuple(pieces)), unsure


_CARD_STOP = re.compile(r"dac diem|cuc truong|dau van tay|ngon tro", re.IGNORECASE)


def _residence_by_garbled_label(lines: list[_Line]) -> FieldRead | None:
    """A card's residence whose label OCR garbled (``card_residence_label``): the rest of
    its line and the next one (the address wraps once), unless that one is a label;
    ``_card_place`` then narrows it like any residence read. Only a whole address (it
    ends with a province) is taken: without its label a cut one is too easily wrong."""
    found = residence_value_start([ln.text for ln in lines])
    if found is None:
        return None
    i, start = found
    pieces = [ValuePiece(i, start, len(lines[i].text))]
    nxt = i + 1
    if nxt < len(lines) and lines[nxt].page == lines[i].page and lines[nxt].text.strip() and (
            not _CARD_STOP.search(fold(lines[nxt].text))):
        pieces.append(ValuePiece(nxt, 0, len(lines[nxt].text)))
    read = FieldRead("noi_thuong_tru", "place", tuple(pieces), i, fuzzy_label=True)
    narrowed = _card_place(read, lines)[0]
    text = " ".join(lines[p.line].text[p.start:p.end] for p in narrowed.pieces)
    return read if ends_with_province(text.rstrip(" .'`")) else None


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


def _run_pipeline(doc_type: str, lines: list[_Line], pages: list[PageResult]) -> Doc:
    """The type's spaCy pipeline over the pages' text, told which lines are full width.

    Not for a card: its photocopy sits in a corner of the page, photo and text side by
    side, so the page's right margin says nothing about where a card value wraps.
    """
    nlp = pipeline_for(doc_type)
    doc = nlp.make_doc("\n".join(ln.text for ln in lines))
    flags: list[bool] = []
    for page, count in zip(pages, _line_counts(lines, pages), strict=True):
        full = _full_lines(page) if page.lines and doc_type != "cccd" else None
        flags += full if full is not None and len(full) == count else [True] * count
    doc._.hoso_full_lines = flags
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def _line_counts(lines: list[_Line], pages: list[PageResult]) -> list[int]:
    return [sum(1 for ln in lines if ln.page == page.index) for page in pages]


def extract_fields(doc_type: str, pages: list[PageResult],
                   qr_payloads: list[str] | None = None) -> ExtractedDocument:
    """The fields of a document of type ``doc_type`` spread over ``pages``.

    ``qr_payloads`` (decoded QR texts, for ``cccd``) take precedence over OCR;
    disagreements with well-read printed values become problems. Types without
    a label file (``khac``, generic papers, drawings) give an empty result.
    """
    if doc_type not in READABLE or not pages:
        return ExtractedDocument()
    lines = [ln for page in pages for ln in _page_lines(page)]
    doc = _run_pipeline(doc_type, lines, pages)
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
    unsure: set[str] = set()
    if doc_type == "cccd" and "noi_thuong_tru" not in reads:
        residence = _residence_by_garbled_label(lines)
        if residence is not None:
            reads["noi_thuong_tru"] = residence
    if doc_type == "cccd":
        reads = {name: _card_value_below(read, lines) for name, read in reads.items()}
        for name, read in reads.items():
            reads[name], doubt = _card_place(read, lines)
            if doubt:
                unsure.add(name)
    fields = {name: _to_field(read, lines, doc_type == "cccd") for name, read in reads.items()}
    if doc_type == "cccd":
        _drop_headings(fields)
    if doc_type == "cccd" and "que_quan" in reads and not fields["que_quan"].value:
        taken = {p.line for name, r in reads.items() if name != "que_quan" for p in r.pieces}
        below = _origin_below(reads["que_quan"], lines, taken)
        if below is not None:
            fields["que_quan"] = _to_field(_card_place(below, lines)[0], lines, True)
    if doc_type == "cccd" and "que_quan" not in reads:
        origin = _origin_unlabelled(lines, reads)
        if origin is not None:
            fields["que_quan"] = origin
    if doc_type == "cccd":
        _whole_provinces(fields)
    for name in unsure & fields.keys():
        if fields[name].value:
            fields[name] = replace(fields[name], needs_review=True,
                                   confidence=fields[name].confidence * GUESS_PENALTY)
    _refill_from_fallbacks(doc_type, fields, lines)
    if doc_type != "cccd":
        _prefer_signed_spelling(fields, reads, lines)
    if doc_type == "cccd" and not (fields.get("quoc_tich") and fields["quoc_tich"].value):
        nationality = _nationality_fallback(lines)
        if nationality is not None:
            fields["quoc_tich"] = nationality
    if doc_type == "cccd":
        _viet_nam_on_card(fields, lines)
    for name, read in reads.items():
        if read.kind == "money" and not read.blank:
            fields[name] = _check_money(fields[name], read, lines)
    problems: list[Problem] = []
    if doc_type == "cccd":
        card = _card_from(qr_payloads)
        if card is not None:
            problems += _merge_qr(fields, card, pages[0].index)
        _name_by_mrz(fields, lines)  # after the QR: only what it left empty
        _birth_by_garbled_label(fields, lines)
        _apply_mrz(fields, lines)
        _number_by_mrz_tail(fields, lines)
        _number_by_mrz_repair(fields, lines)
        _number_zero_led(fields, lines)
        _fill_sex(fields, lines)
        problems += _unglue_number(fields, lines)
        problems += _unglue_inner_digit(fields, lines)
        expiry = fields.get("ngay_het_han")
        impossible = _expiry_impossible(fields)
        if expiry is None or not expiry.value or expiry.needs_review or impossible:
            fallback = _expiry_fallback(lines, fields)
            if fallback is not None:
                fields["ngay_het_han"] = fallback
            elif impossible and expiry is not None:  # a misread: for review, never believed
                fields["ngay_het_han"] = replace(expiry, value="", needs_review=True,
                                                 confidence=min(expiry.confidence, 0.3))
        _split_no_expiry(fields)
    problems += _identity_problems(doc_type, fields)
    ordered = {s.name: fields[s.name] for s in label_set(doc_type).fields if s.name in fields}
    ordered.update({k: v for k, v in fields.items() if k not in ordered})
    return ExtractedDocument(ordered, problems)
