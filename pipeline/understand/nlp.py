"""The spaCy pipeline that reads label–value pairs off a document's pages.

One pipeline per document type: ``spacy.blank("vi")`` (pyvi word segmentation,
offline, no model download) + an ``entity_ruler`` that tags value shapes
(DATE, ID_NUMBER, MONEY) + two custom components:

``hoso_label_reader``
    finds the type's printed labels ("Họ, chữ đệm, tên người yêu cầu:") and the
    value that follows each one — on the same line up to the next label, or on
    the next line when the label stands alone (card layouts). Labels are matched
    on diacritic-folded *characters*, not on tokens: pyvi merges syllables into
    words differently depending on context and OCR drops tone marks, so token
    patterns for labels would be brittle. Small OCR errors in a label at the
    start of a line are forgiven through an edit-distance match.
``hoso_value_typer``
    narrows a date, number or amount value to the entity the ruler found inside
    it ("Ba Đình, ngày 05 tháng 11 năm 2025" → the date), so the value's box and
    confidence are those of the words that really hold it.

Label patterns are data (``labels/<doc_type>.yaml`` plus ``labels/common.yaml``).
The result of the pipeline is ``doc._.hoso_reads``: one :class:`FieldRead` per
field found, with character offsets per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from rapidfuzz.distance import Levenshtein
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.understand.normalise import fold, nfc, normalise_expiry

__all__ = [
    "FieldRead",
    "FieldSpec",
    "LabelSet",
    "ValuePiece",
    "label_set",
    "pipeline_for",
    "read_pairs",
]

LABELS_DIR = Path(__file__).with_name("labels")
KINDS = ("name", "date", "gender", "id", "place", "text", "money", "expiry", "nationality",
         "number", "code")
FUZZY_MIN_SIMILARITY = 0.85
FUZZY_MIN_LENGTH = 8
# Distinct (line, label set) pairs whose label hits are remembered: a form's printed lines
# ("Họ, chữ đệm, tên:", the motto) recur in every dossier a worker reads.
LINE_CACHE_SIZE = 8192

_ENUM_PREFIX = re.compile(
    r"^\s*(?:\d{1,2}(?:\.\d{1,2})+[.)]?\s+|(?:[ivx]{1,4}|\d{1,2}|[a-z])[.)]\s*|[-–•+*]\s*)?")
# After a label: an optional "(…)" remark, then an optional English gloss of a bilingual
# card label ("/ Place of origin") that OCR often misspells ("/ Piàce of origin", "origìn7"),
# so it is consumed by shape (a slash and a few short words) rather than by its exact text.
# OCR reads the colon as ';' or '.' now and then ("Nationality. Việt Nam").
_AFTER_LABEL = re.compile(
    r"\s*(?:\([^)]*\))?\s*(?:/\s*[a-z][^:/]{1,30}?\s*(?=[:;]|\.\s+\w|$))?\s*"
    r"(?P<colon>[:;]|\.(?=\s+\w))?\s*"
)
# What OCR makes of a card's photo, emblem or guilloche left of a label: a few short
# tokens without a real word in them ("ể ậ", "TẢ Án", "£»Ỗ", "s¿").
_JUNK_PREFIX = re.compile(r"^\s*(?:\S{1,3}\s+){1,5}$")
_LEADERS = re.compile(r"^[\s.…_·,:-]*$")
# The label's last short word misread, then its colon ('Dự kiến đặt tên con ià:' for 'là:'):
# a lower-case word of at most three letters right before a colon still belongs to the label.
_LABEL_TAIL = re.compile(r"\s+(?P<word>[^\W\d_]{1,3})\s*:\s*")
_TRAILING_ENUM = re.compile(r"\s(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ]|[IVX]{1,4})[.)]\s*$")


@dataclass(frozen=True, slots=True)
class Pattern:
    """One printed label, compiled for matching on folded text."""

    text: str
    regex: re.Pattern[str]
    compact: str  # folded letters and digits only, for the edit-distance fallback
    colon_required: bool
    key: str = ""  # the label's longest word: in any text the regex matches (a prefilter)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one field is found: its labels (in order of preference) and value kind."""

    name: str
    kind: str
    labels: tuple[str, ...]
    section: str | None = None
    after: str | None = None
    multiline: int = 0
    fallback: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class LabelSet:
    """Everything the reader needs for one document type.

    Compared and hashed by identity (``eq=False``): a label set is built once per type,
    and line results are memoised on it.
    """

    doc_type: str
    fields: tuple[FieldSpec, ...]
    sections: dict[str, tuple[str, ...]]
    patterns: dict[str, Pattern]  # label text → pattern (fields, sections and stops)
    section_of: dict[str, str]  # section label text → section id


@dataclass(frozen=True, slots=True)
class ValuePiece:
    """A value's characters on one line: ``line`` indexes the document's lines."""

    line: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FieldRead:
    """A field's value as located on the page(s), before normalisation."""

    field: str
    kind: str
    pieces: tuple[ValuePiece, ...]
    label_line: int
    fuzzy_label: bool = False
    blank: bool = False  # the label is there but followed only by dots (not filled in)


@dataclass(frozen=True, slots=True)
class _Hit:
    line: int
    start: int
    end: int  # end of label, colon and spaces: where the value starts
    label: str
    fuzzy: bool
    at_line_start: bool


# ---------------------------------------------------------------- label data


def _compile(label: str) -> Pattern:
    text = nfc(label.strip())
    colon_required = text.endswith(":")
    words = re.findall(r"[a-z0-9]+", fold(text.rstrip(":")))
    # OCR reads a speck between two words of a label as a colon ('sử dụng Giấy: xác nhận').
    body = r"[\s,./()\-:]*".join(re.escape(w) for w in words)
    if text.rstrip(":").endswith(")"):  # "Tên (viết chữ in hoa):": the colon follows the ")"
        body += r"\)"
    return Pattern(
        text=text,
        regex=re.compile(r"(?<![a-z0-9])" + body + r"(?![a-z0-9])"),
        compact="".join(words),
        colon_required=colon_required,
        key=max(words, key=len, default=""),
    )


def _as_labels(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: expected a list of label strings")
    return tuple(nfc(v) for v in value)


@cache
def label_set(doc_type: str) -> LabelSet:
    """The label patterns of ``doc_type`` (read once from the YAML data)."""
    path = LABELS_DIR / f"{doc_type}.yaml"
    if not path.is_file():
        raise KeyError(f"no label patterns for document type {doc_type!r} ({path})")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    common = yaml.safe_load((LABELS_DIR / "common.yaml").read_text(encoding="utf-8"))
    fields: list[FieldSpec] = []
    for name, spec in (data.get("fields") or {}).items():
        where = f"{path.name}: field {name}"
        if spec.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}")
        fields.append(FieldSpec(
            name=name, kind=spec["kind"], labels=_as_labels(spec.get("labels"), where),
            section=spec.get("section"), after=spec.get("after"),
            multiline=int(spec.get("multiline", 0)), fallback=spec.get("fallback"),
        ))
    sections = {k: _as_labels(v, f"{path.name}: section {k}")
                for k, v in (data.get("sections") or {}).items()}
    stops = _as_labels(common.get("stops", []), "common.yaml: stops") + _as_labels(
        data.get("stops", []), f"{path.name}: stops")
    all_labels = [lab for f in fields for lab in f.labels]
    all_labels += [lab for labs in sections.values() for lab in labs] + list(stops)
    return LabelSet(
        doc_type=doc_type, fields=tuple(fields), sections=sections,
        patterns={lab: _compile(lab) for lab in all_labels},
        section_of={lab: sid for sid, labs in sections.items() for lab in labs},
    )


# ---------------------------------------------------------------- finding labels


_HitAt = tuple[int, int, str, bool, bool]  # a _Hit without its line: start, end, label, …


def _line_hits(line_no: int, text: str, labels: LabelSet) -> list[_Hit]:
    """Labels on one line, longest first when they overlap, in reading order."""
    return [_Hit(line_no, *at) for at in _hits_on(text, labels)]


@lru_cache(maxsize=LINE_CACHE_SIZE)
def _hits_on(text: str, labels: LabelSet) -> tuple[_HitAt, ...]:
    """``_line_hits`` of a line wherever it stands (pure: memoised on the text)."""
    folded = fold(text)
    enum_end = _ENUM_PREFIX.match(folded).end()  # type: ignore[union-attr]
    candidates: list[_Hit] = []
    second: list[_Hit] = []
    anchored = False  # a label starts the line and stands as one (colon or end of line)
    for label, pat in labels.patterns.items():
        if pat.key not in folded:
            continue  # the regex needs each word of the label, this one too, literally
        for m in pat.regex.finditer(folded):
            after = _AFTER_LABEL.match(folded, m.end())
            assert after is not None  # the pattern matches the empty string
            has_colon = after.group("colon") is not None
            end = after.end()
            tail = None if has_colon else _LABEL_TAIL.match(text, m.end())
            if tail is not None and tail.group("word").islower():
                has_colon, end = True, tail.end()
            if pat.colon_required and not has_colon:
                continue
            at_start = (m.start() == enum_end or not folded[:m.start()].strip()
                        or _after_junk(folded, m.start(), has_colon or end >= len(folded)
                                       or " / " in pat.text))
            inline = (has_colon and m.start() > 0 and folded[m.start() - 1].isspace())
            anchored = anchored or (at_start and (has_colon or end >= len(folded)))
            if at_start or (inline and ":" in folded[:m.start()]):
                candidates.append(_Hit(0, m.start(), end, label, False, at_start))
            elif inline:
                second.append(_Hit(0, m.start(), end, label, False, False))
    # A second label with its colon on a line that starts with a label is one too, even
    # when OCR lost the first label's colon ('Giới tính / Sex; Nữ Quốc tịch / …: Việt Nam').
    starts = [h.end for h in candidates if h.at_line_start]
    candidates += [h for h in second if starts and min(starts) <= h.start]
    # A label that starts the line but runs on into words before the colon ('Họ, chữ đệm,
    # tên người rae:') may be the start of a longer label misread ('… tên người mẹ:').
    if not anchored:
        fuzzy = _fuzzy_start_hit(0, folded, enum_end, labels)
        if fuzzy:
            candidates.append(fuzzy)
    chosen: list[_Hit] = []
    for hit in sorted(candidates, key=lambda h: (-(len(labels.patterns[h.label].compact)),
                                                 h.start)):
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return tuple((h.start, h.end, h.label, h.fuzzy, h.at_line_start)
                 for h in sorted(chosen, key=lambda h: h.start))


def _after_junk(folded: str, start: int, stands_as_label: bool) -> bool:
    """A label behind a few junk tokens still starts its line (card photocopies).

    Only for a label that ends in a colon or ends the line, or a card's bilingual one
    ('Giới tính / Sex Nam': no prose holds its English gloss): in prose a short word before
    a label-like phrase is real text, not junk.
    """
    return stands_as_label and _JUNK_PREFIX.match(folded[:start]) is not None


def _fuzzy_start_hit(line_no: int, folded: str, enum_end: int,
                     labels: LabelSet) -> _Hit | None:
    """A label at the start of the line read with an OCR error or two ('Ngảy, thảng…').

    Only when followed by a colon or alone on the line: prose like "Bên A ủy quyền
    cho…" is one edit away from the heading "BÊN ỦY QUYỀN".
    """
    rest = folded[enum_end:]
    best: tuple[float, int, str] | None = None
    # compare letters and digits only; ``positions`` maps them back to the line
    positions = [i for i, c in enumerate(rest) if c.isalnum()]
    compact = "".join(rest[i] for i in positions)
    size, slack = len(compact), 1.0 - FUZZY_MIN_SIMILARITY
    for label, target, n in _fuzzy_labels(labels, FUZZY_MIN_LENGTH):
        shortest, longest = max(1, n - 2), min(size, n + 2)
        if shortest > longest:
            continue
        # One edit distance rules out all five prefix lengths at once. Cutting k letters
        # off a string moves its distance to the label by at most k, so every prefix is
        # at least d(longest) - (longest - shortest) edits away, while a similar enough
        # one is at most slack × max(len) edits away (one more for float rounding).
        cutoff = int(slack * max(n, longest)) + 1 + longest - shortest
        if Levenshtein.distance(target, compact[:longest], score_cutoff=cutoff) > cutoff:
            continue
        for length in range(shortest, longest + 1):
            sim = Levenshtein.normalized_similarity(target, compact[:length])
            end = positions[length - 1] + 1
            if end < len(rest) and rest[end].isalnum():
                continue  # the label would end inside a word
            if sim < FUZZY_MIN_SIMILARITY or (best is not None and sim <= best[0]):
                continue
            # An approximate label is trusted only where a label would stand: before a
            # colon, or alone on its line (card layouts put the value on the next line).
            after = _AFTER_LABEL.match(folded, enum_end + end)
            assert after is not None
            if after.group("colon") is None and after.end() < len(folded):
                continue
            best = (sim, after.end(), label)
    if best is None:
        return None
    return _Hit(line_no, enum_end, best[1], best[2], True, True)


@lru_cache(maxsize=64)
def _fuzzy_labels(labels: LabelSet, min_length: int) -> tuple[tuple[str, str, int], ...]:
    """(label, folded letters, their count) of the labels long enough for the fuzzy match."""
    return tuple((label, pat.compact, len(pat.compact)) for label, pat in labels.patterns.items()
                 if len(pat.compact) >= min_length)


# ---------------------------------------------------------------- reading values


def _value_on_line(hit: _Hit, hits: list[_Hit], text: str) -> ValuePiece:
    nxt = min((h.start for h in hits if h.start >= hit.end), default=len(text))
    start, end = hit.end, nxt
    if nxt < len(text):  # "Nguyễn Văn An    12. Quan hệ với chủ hộ": the next item's number
        enum = _TRAILING_ENUM.search(text, start, end)
        end = enum.start() if enum else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return ValuePiece(hit.line, start, end)


def _starts_with_label(hits: list[_Hit]) -> bool:
    return any(h.at_line_start for h in hits)


def _is_dotted(text: str) -> bool:
    """A dotted line left for a value: the field exists but was not filled in.

    A lone stray ':' or '.' (OCR noise after a label) is not a dotted line.
    """
    stripped = text.strip()
    return bool(stripped) and _LEADERS.match(stripped) is not None and len(stripped) >= 3


def _has_date_start(text: str) -> bool:
    """Could this be (the start of) a date? Card glosses read as 'Date c! e«xp' cannot."""
    folded = fold(text)
    return any(c.isdigit() for c in folded) or "thang" in folded or "khong" in folded


def _wants_next_line(spec: FieldSpec, pieces: list[ValuePiece], lines: list[str],
                     taken: int, line_full: bool) -> bool:
    """Should the value go on to the next line?

    A date goes on only until it is complete ('ngày 30 tháng 09 năm' / '2025'). Other
    values go on up to ``multiline`` extra lines, and only when the line before was
    filled to the right margin (a wrapped value), so the line after a short value is not
    glued to it. A label alone on its line always takes the next line, and so does a value
    that opened a bracket it has not closed ('… từ da lông' / 'thú)'), full line or not.
    """
    text = " ".join(lines[p.line][p.start:p.end] for p in pieces)
    if spec.kind in ("date", "expiry"):
        return taken < 2 and normalise_expiry(text) is None
    unclosed = text.count("(") > text.count(")")
    return not pieces or (len(pieces) <= spec.multiline and (line_full or unclosed))


def _read_field(spec: FieldSpec, hit: _Hit, lines: list[str],
                hits_by_line: list[list[_Hit]], full: list[bool] | None = None,
                printed: bool = False) -> FieldRead:
    """``printed``: every value of the paper is printed (a card), so dashes or dots after a
    label are the guilloche's specks, not a line left blank: the value is below."""
    piece = _value_on_line(hit, hits_by_line[hit.line], lines[hit.line])
    text = lines[hit.line][piece.start:piece.end]
    if _is_dotted(text) and not printed:
        return FieldRead(spec.name, spec.kind, (piece,), hit.line, hit.fuzzy, blank=True)
    keep = any(c.isalnum() for c in text)  # a lone '`' or ':' after a label is a speck
    if spec.kind in ("date", "expiry"):
        keep = keep and _has_date_start(text)
    pieces = [piece] if keep else []
    line, taken = hit.line, 0
    while line + 1 < len(lines) and _wants_next_line(
            spec, pieces, lines, taken, full is None or full[line]):
        line += 1
        if _starts_with_label(hits_by_line[line]) or not lines[line].strip():
            break
        first = min((h.start for h in hits_by_line[line]), default=len(lines[line]))
        pieces.append(ValuePiece(line, 0, first))
        taken += 1
    if not pieces:
        return FieldRead(spec.name, spec.kind, (piece,), hit.line, hit.fuzzy, blank=True)
    return FieldRead(spec.name, spec.kind, tuple(pieces), hit.line, hit.fuzzy)


def _sections(labels: LabelSet, hits_by_line: list[list[_Hit]]) -> list[str | None]:
    """The section each line belongs to (the last section heading above it)."""
    current: str | None = None
    out: list[str | None] = []
    for hits in hits_by_line:
        for h in hits:
            if h.at_line_start and h.label in labels.section_of:
                current = labels.section_of[h.label]
        out.append(current)
    return out


def read_pairs(lines: list[str], labels: LabelSet,
               full: list[bool] | None = None) -> list[FieldRead]:
    """Every field of ``labels`` found in ``lines`` (the pages' lines, in order).

    ``full[i]`` says line i reaches the right margin (so a value on it may wrap onto
    the next line); without it every line is taken to be full.
    """
    hits_by_line = [_line_hits(i, text, labels) for i, text in enumerate(lines)]
    section_at = _sections(labels, hits_by_line)
    label_line: dict[str, int] = {}
    reads: list[FieldRead] = []
    for spec in labels.fields:
        floor = label_line.get(spec.after, -1) if spec.after else -1
        found: _Hit | None = None
        for label in spec.labels:
            for hits in hits_by_line:
                for h in hits:
                    if h.label != label or h.line <= floor:
                        continue
                    if spec.section and section_at[h.line] != spec.section:
                        continue
                    found = h
                    break
                if found:
                    break
            if found:
                break
        if found is None:
            continue
        label_line[spec.name] = found.line
        reads.append(_read_field(spec, found, lines, hits_by_line, full,
                                 printed=labels.doc_type == "cccd"))
    return reads


# ---------------------------------------------------------------- spaCy components

_SEP = {"TEXT": {"IN": ["/", "-", "."]}}
_DAY = {"TEXT": {"REGEX": r"^[0-3]?\d$"}}
_MONTH = {"TEXT": {"REGEX": r"^[01]?\d$"}}
_YEAR = {"TEXT": {"REGEX": r"^(1[89]|2\d)\d\d$"}}
ENTITY_PATTERNS: list[dict[str, Any]] = [
    {"label": "DATE", "pattern": [_DAY, _SEP, _MONTH, _SEP, _YEAR]},
    {"label": "DATE", "pattern": [{"TEXT": {"REGEX": r"^[0-3]?\d[/.\-][01]?\d[/.\-]\d{4}$"}}]},
    {"label": "DATE", "pattern": [{"LOWER": "ngày", "OP": "?"}, _DAY, {"LOWER": "tháng"}, _MONTH,
                                  {"TEXT": ",", "OP": "?"}, {"LOWER": "năm", "OP": "?"}, _YEAR]},
    {"label": "ID_NUMBER", "pattern": [{"TEXT": {"REGEX": r"^(\d{12}|\d{9})$"}}]},
    {"label": "MONEY", "pattern": [{"TEXT": {"REGEX": r"^\d{1,3}([.,]\d{3})+$"}},
                                   {"LOWER": {"IN": ["đồng", "vnđ", "vnd"]}, "OP": "?"}]},
    {"label": "MONEY", "pattern": [{"TEXT": {"REGEX": r"^\d+([.,]\d+)?$"}},
                                   {"LOWER": {"IN": ["tỷ", "tỉ", "triệu", "nghìn", "ngàn"]}},
                                   {"LOWER": "đồng", "OP": "?"}]},
]
_ENTITY_FOR_KIND = {"date": "DATE", "expiry": "DATE", "id": "ID_NUMBER", "money": "MONEY"}

if not Doc.has_extension("hoso_reads"):
    Doc.set_extension("hoso_reads", default=None)
if not Doc.has_extension("hoso_full_lines"):
    Doc.set_extension("hoso_full_lines", default=None)
# Where each line starts in doc.text: kept by the reader for the typer, because
# ``doc.text`` is rebuilt from every token on each access.
if not Doc.has_extension("hoso_line_starts"):
    Doc.set_extension("hoso_line_starts", default=None)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", text)]
    return starts


@Language.factory("hoso_label_reader", default_config={"doc_type": ""})
def _make_label_reader(nlp: Language, name: str, doc_type: str) -> Any:
    labels = label_set(doc_type)

    def label_reader(doc: Doc) -> Doc:
        text = doc.text
        lines = text.split("\n")
        full = doc._.hoso_full_lines
        reads = read_pairs(lines, labels, full if full and len(full) == len(lines) else None)
        doc._.hoso_reads = reads
        starts = _line_starts(text)
        doc._.hoso_line_starts = starts
        spans = []
        for read in reads:
            for p in read.pieces:
                span = doc.char_span(starts[p.line] + p.start, starts[p.line] + p.end,
                                     label=read.field, alignment_mode="expand")
                if span is not None and len(span):
                    spans.append(span)
        doc.spans["hoso_values"] = spans
        return doc

    return label_reader


@Language.factory("hoso_value_typer")
def _make_value_typer(nlp: Language, name: str) -> Any:
    def value_typer(doc: Doc) -> Doc:
        starts = doc._.hoso_line_starts or _line_starts(doc.text)
        typed: list[FieldRead] = []
        ents: list[tuple[str, int, int]] | None = None  # doc.ents builds its spans anew
        for read in doc._.hoso_reads or []:
            wanted = _ENTITY_FOR_KIND.get(read.kind)
            if wanted and len(read.pieces) == 1 and not read.blank:
                if ents is None:
                    ents = [(e.label_, e.start_char, e.end_char) for e in doc.ents]
                p = read.pieces[0]
                lo, hi = starts[p.line] + p.start, starts[p.line] + p.end
                ent = next((e for e in ents if e[0] == wanted and e[1] >= lo and e[2] <= hi),
                           None)
                if ent is not None:
                    narrowed = ValuePiece(p.line, ent[1] - starts[p.line],
                                          ent[2] - starts[p.line])
                    read = replace(read, pieces=(narrowed,))
            typed.append(read)
        doc._.hoso_reads = typed
        return doc

    return value_typer


@cache
def pipeline_for(doc_type: str) -> Language:
    """The spaCy pipeline for ``doc_type`` (built once; a blank Vietnamese model)."""
    nlp = spacy.blank("vi")
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    ruler.add_patterns(ENTITY_PATTERNS)  # type: ignore[attr-defined]
    nlp.add_pipe("hoso_label_reader", config={"doc_type": doc_type})
    nlp.add_pipe("hoso_value_typer")
    return nlp
