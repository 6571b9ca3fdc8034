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

from pipeline.understand.normalise import UNIT_WORDS, fold
from pipeline.understand.unit_names import ends_with_province

__all__ = ["cut_after_province", "origin_start", "repair_unit_marks"]

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


def origin_start(text: str) -> int | None:
    """Offset of the unit word a quê quán starts with, past at most ``ORIGIN_SPECKS``
    specks before it; None when the text does not start so (after specks) or already
    starts at it. The rest must be a list (hold a comma), as a quê quán is."""
    tokens = list(re.finditer(r"\S+", text))
    for k in range(1, min(ORIGIN_SPECKS, len(tokens) - 1) + 1):
        if not _is_speck(tokens[k - 1].group()):
            return None
        rest = text[tokens[k].start():]
        if _unit_at(rest.split()[:3]) is not None and "," in rest:
            return tokens[k].start()
    return None


def repair_unit_marks(text: str) -> str:
    """Each comma segment's leading unit word in its printed spelling ('xá Long Điện' →
    'xã Long Điện', 'Thành phỏ Cần Thơ' → 'Thành phố Cần Thơ', 'ghường' → 'phường')."""
    out: list[str] = []
    for segment in re.split(r"(,\s*)", text):
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
    for k in range(len(tokens) - 1, 0, -1):
        tail = [t.group() for t in tokens[k:]]
        if any(sum(c.isalnum() for c in t) > 2 for t in tail):
            return None
        end = tokens[k - 1].end()
        if ends_with_province(text[:end].rstrip(".")):
            return end
    return None
