"""Where a card's place value starts and ends, and its unit words OCR misspelt.

A card prints quê quán as a list of units that starts with a unit word ('xã Hòa Vang,
tỉnh Khánh Hòa'); OCR of the guilloche or the photo's edge puts a few short 'words' in
front of it ('lấy:', 'L M1 À.', 'LÁ LẦN.'). Every address ends with its province; what
OCR reads after a whole province (' - sa') is no part of it. Unit words are printed in
small letters, so a small-letter word at a segment's start that folds to one ('xá',
'phuòng') or is one letter off a long one ('ghường') before a capitalised name is that
unit word; capitalised words are left alone (they are names: 'Phương Mai').
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.understand.normalise import UNIT_WORDS, fold
from pipeline.understand.unit_names import ends_with_province

__all__ = [
    "complete_province",
    "cut_after_province",
    "origin_label_end",
    "origin_start",
    "repair_unit_marks",
]

# Unit words a ward-level list starts with and segments of an address start with.
_UNITS = ("xã", "phường", "thị trấn", "thị xã", "huyện", "quận", "tỉnh", "thành phố",
          "đặc khu")
_BY_FOLD = {fold(u): u for u in _UNITS}
# Folded unit words long enough that one wrong letter still leaves only them.
# Words a real address starts with ('Ấp Bình Thạnh', 'Số 5'): never a speck.
_ADDRESS_WORDS = frozenset(fold(w) for w in UNIT_WORDS) | frozenset(_BY_FOLD)
_LONG = tuple(f for f in _BY_FOLD if " " not in f and len(f) >= 6)
ORIGIN_SPECKS = 3
"""At most this many short 'words' of smudge before the unit word a quê quán starts with."""
SPECK_LETTERS = 4


def _unit_at(words: list[str]) -> tuple[str, int] | None:
    """The unit word (official spelling, number of words) ``words`` start with, read
    exactly, with the wrong marks, or (long ones) one letter off; only before a name."""
    for n in (2, 1):
        if len(words) <= n or not words[n][:1].isupper():
            continue
        folded = fold(" ".join(words[:n]))
        if not words[0][:1].islower() and folded != "thanh pho":
            continue
        if folded in _BY_FOLD:
            return _BY_FOLD[folded], n
        if n == 1 and words[0].islower():
            hits = [u for u in _LONG if len(u) == len(folded)
                    and sum(a != b for a, b in zip(u, folded, strict=True)) == 1]
            if len(hits) == 1:
                return _BY_FOLD[hits[0]], 1
    return None


def _is_speck(token: str) -> bool:
    """A smudge's 'word': short, no comma (a comma ends a real unit), not a unit word."""
    letters = sum(c.isalpha() for c in token)
    return letters <= SPECK_LETTERS and not token.endswith(",") and fold(
        token.strip(".:;'")) not in _ADDRESS_WORDS


_QUOTES = "“”\"'‘’`"
# A comma between units, or the '?' OCR makes of one glued to the next unit word.
_COMMA = re.compile(r",|(?<=[^\W\d_])\?\s*(?=(?:tỉnh|thành phố|xã|phường|huyện|quận)\s)",
                    re.IGNORECASE)


def origin_start(text: str) -> int | None:
    """Offset of the unit word a quê quán starts with, past at most ``ORIGIN_SPECKS``
    specks before it; None when the text does not start so (after specks) or already
    starts at it. The rest must be a list (hold a comma), as a quê quán is."""
    tokens = list(re.finditer(r"\S+", text))
    for k in range(1, min(ORIGIN_SPECKS, len(tokens) - 1) + 1):
        if not _is_speck(tokens[k - 1].group()):
            return None
        rest = text[tokens[k].start():]
        lead = len(rest) - len(rest.lstrip(_QUOTES))  # '“xã Long Điền': a speck's quote
        if _unit_at(rest[lead:].split()[:3]) is not None and _COMMA.search(rest):
            return tokens[k].start() + lead
    return None


# A unit word glued to its name by a speck read as a hyphen or a dot ('xã-Nghĩa Đàn'): a
# unit word in small letters, then a capitalised name; no place is spelt so.
_GLUED_UNIT = re.compile(r"^(?P<unit>xã|phường|huyện|quận|tỉnh|thị trấn|thị xã|thành phố)"
                         r"[-.–](?=[^\W\d_])")


def repair_unit_marks(text: str) -> str:
    """Each comma segment's leading unit word in its printed spelling ('xá Long Điện' →
    'xã Long Điện', 'Thành phỏ Cần Thơ' → 'Thành phố Cần Thơ', 'ghường' → 'phường')."""
    out: list[str] = []
    text = _COMMA.sub(lambda m: m.group() if m.group() == "," else ", ", text)
    for segment in re.split(r"(,\s*)", text):
        glued = _GLUED_UNIT.match(segment)
        if glued is not None and segment[glued.end():][:1].isupper():
            segment = f"{glued.group('unit')} {segment[glued.end():]}"
        words = segment.split(" ")
        found = _unit_at(words[:3]) if segment and not segment.startswith(",") else None
        if found is not None:
            unit, n = found
            if words[0][:1].isupper():
                unit = unit[:1].upper() + unit[1:]
            segment = " ".join([unit, *words[n:]])
        out.append(segment)
    return "".join(out)


def cut_after_province(text: str) -> int | None:
    """Where an address that names its whole province ends, when what follows is only
    specks (' - sa', "' ."): no address goes on after its province. None otherwise."""
    tokens = list(re.finditer(r"\S+", text))
    # 'tỉnh. Khánh Hòa': a speck read as a dot after the unit word.
    spoken = _UNIT_DOT.sub(lambda m: m.group(1) + " ", text)
    for k in range(len(tokens) - 1, 0, -1):
        tail = [t.group() for t in tokens[k:]]
        widest = max(sum(c.isalnum() for c in t) for t in tail)
        if widest > TAIL_SPECK_CHARS or (widest == TAIL_SPECK_CHARS and len(tail) > 2):
            return None
        end = tokens[k - 1].end()
        if ends_with_province(spoken[:end].rstrip(".")):
            return end
    return None


TAIL_SPECK_CHARS = 3
"""Letters of a speck after a whole province: two for any number of them (' - sa'), three
for at most two ('Ko KUA'); no address goes on after its province."""
_UNIT_DOT = re.compile(r"(?<![^\s,])(tỉnh|[Tt]hành phố)\.(?=\s)", re.IGNORECASE)


# The old card's 'Quê quán / Place of origin:' as OCR damages it past the label reader
# ('bê lênU nh Quê quán / …' behind a long smudge, 'Qưê quán / Place of origin: ='): the
# Vietnamese words and the English gloss, each a letter or two off, together.
_ORIGIN_LABEL = re.compile(
    r"(?<![a-z])qu[a-z]{0,2}\s*qu[a-z]n\W{0,4}p[a-z]{3,5}\s*[a-z]{1,2}\s*or[a-z]{3,5}"
    r"(?![a-z])\s*[:;.]?")


def origin_label_end(text: str) -> int | None:
    """Offset just past a damaged quê quán label on this card line, or None. Both words
    and the gloss must be there: 'Place of birth' (the 2024 card's other fact) is not it."""
    m = _ORIGIN_LABEL.search(fold(text))
    return m.end() if m is not None else None


# The last unit of an address: a province, its name cut at the photo's edge ('tỉnh Lâm').
_LAST_PROVINCE = re.compile(
    r"(?:^|,)\s*(?P<kind>tỉnh|thành phố)\s+(?P<name>[^\W\d_]+(?: [^\W\d_]+)*)$",
    re.IGNORECASE)


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    """Every province's name as printed (before and after July 2025), and every city's
    below a province (a 'thành phố Bà Rịa' is no cut 'Bà Rịa - Vũng Tàu')."""
    from vietnamadminunits.database import query

    provinces = frozenset(row["provinceShort"] for table in ("admin_units", "admin_units_legacy")
                          for row in query(f"SELECT DISTINCT provinceShort FROM {table}"))
    cities = frozenset(row["districtShort"] for row in query(
        "SELECT DISTINCT districtType, districtShort FROM admin_units_legacy")
        if row["districtType"] == "Thành phố" and row["districtShort"])
    return provinces, cities


def complete_province(text: str) -> str | None:
    """``text`` with its last unit's province name made whole when the card's edge cut it
    after whole syllables ('tỉnh Lâm' → 'tỉnh Lâm Đồng') and exactly one province's name
    starts with those syllables, marks and all (and, after 'thành phố', no city's name
    does); None otherwise (whole, or ambiguous: 'tỉnh Quảng')."""
    m = _LAST_PROVINCE.search(text.rstrip(" ."))
    provinces, cities = _names()
    if m is None or m.group("name") in provinces:
        return None
    read = m.group("name").split()

    def starting(names: frozenset[str]) -> set[str]:
        return {p for p in names if p.split()[:len(read)] == read and len(p.split()) > len(read)}

    hits = starting(provinces)
    if len(hits) != 1 or (m.group("kind").lower() != "tỉnh" and (
            starting(cities) or m.group("name") in cities)):
        return None
    return text.rstrip(" .")[:m.start("name")] + hits.pop()
