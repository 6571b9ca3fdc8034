"""Official spellings of administrative unit names, to repair OCR's tone-mark slips.

OCR of a photocopy swaps tone marks it cannot see well ('tỉnh Thái Nguyễn' for Thái
Nguyên, 'phường Ninh Kiểu' for Ninh Kiều). After a unit word the name that follows is an
official unit's name, and the maintained ``vietnamadminunits`` dataset (units before and
after July 2025) lists them; a name whose letters, without marks, are those of exactly one
official name of that kind of unit is that name. Names that differ only in marks (xã Văn
Lang / xã Văn Lăng) are never repaired, nor are names the dataset does not know.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.understand.normalise import fold

__all__ = ["ends_with_province", "repair_unit_names", "repair_unit_words"]

# Unit words as the dataset's types write them, folded; 'thành phố' names both a province
# and a former provincial city, so it looks in both.
_KINDS = ("thanh pho", "tinh", "phuong", "xa", "dac khu", "quan", "huyen", "thi xa",
          "thi tran")
_UNIT_NAME = re.compile(
    r"(?<!\w)(?P<kind>thành phố|tỉnh|phường|xã|đặc khu|quận|huyện|thị xã|thị trấn)\s+"
    r"(?P<name>[^\W\d_]+(?:\s+[^\W\d_]+){0,3}?)(?=\s*(?:,|$|\.|;))",
    re.IGNORECASE)


def _split_type(full: str, short: str) -> str:
    return fold(full[: len(full) - len(short)].strip())


@lru_cache(maxsize=1)
def _official() -> dict[tuple[str, str], frozenset[str]]:
    """(folded kind, folded name) → the official spellings of that name."""
    from vietnamadminunits.database import query

    found: dict[tuple[str, str], set[str]] = {}

    def add(kind: str, name: str | None) -> None:
        if name and kind in _KINDS:
            found.setdefault((kind, fold(name)), set()).add(name)

    for row in query("SELECT province, provinceShort, wardType, wardShort FROM admin_units"):
        add(_split_type(row["province"], row["provinceShort"]), row["provinceShort"])
        add(fold(row["wardType"]), row["wardShort"])
    for row in query("SELECT DISTINCT province, provinceShort, districtType, districtShort, "
                     "wardType, wardShort FROM admin_units_legacy"):
        add(_split_type(row["province"], row["provinceShort"]), row["provinceShort"])
        add(fold(row["districtType"] or ""), row["districtShort"])
        add(fold(row["wardType"] or ""), row["wardShort"])
    return {k: frozenset(v) for k, v in found.items()}


def _official_spelling(kind: str, name: str) -> str | None:
    kinds = ("thanh pho", "quan", "huyen", "thi xa") if kind == "thanh pho" else (kind,)
    spellings = {s for k in kinds for s in _official().get((k, fold(name)), ())}
    return next(iter(spellings)) if len(spellings) == 1 else None


@lru_cache(maxsize=1)
def _provinces() -> dict[str, frozenset[str]]:
    """Folded province name → its official spellings (the 63 before July 2025, the 34 after)."""
    from vietnamadminunits.database import query

    found: dict[str, set[str]] = {}
    for table in ("admin_units", "admin_units_legacy"):
        for row in query(f"SELECT DISTINCT provinceShort FROM {table}"):
            found.setdefault(fold(row["provinceShort"]), set()).add(row["provinceShort"])
    return {k: frozenset(v) for k, v in found.items()}


def _province_one_letter_off(name: str) -> str | None:
    """The one province whose name is ``name`` with one letter changed ('Đồng Tháb',
    'Hồ Chf Minh'), when ``name`` is no official name at all.

    Only provinces: just four pairs of their names lie one letter apart (Quảng Ninh and
    Quảng Bình, Thanh Hóa and Khánh Hòa …), and a slip at that letter finds two and is left
    alone; among ten thousand ward names a slip often lands on another real one.
    """
    folded = fold(name)
    if (("thanh pho", folded) in _official()) or (("tinh", folded) in _official()):
        return None
    hits = {s for k, spellings in _provinces().items() if len(k) == len(folded) and sum(
        a != b for a, b in zip(k, folded, strict=True)) == 1 for s in spellings}
    return next(iter(hits)) if len(hits) == 1 else None


_LAST_UNIT = re.compile(
    r"(?:^|,)\s*(?P<kind>tỉnh|thành phố|tp\.?)\s+(?P<name>[^,]+?)[\s.]*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _province_units() -> frozenset[tuple[str, str]]:
    """(folded 'tinh' or 'thanh pho', folded name) of every province, before and after July
    2025, less the 'thành phố' names a provincial city also bore (a city's address goes on
    to its province)."""
    from vietnamadminunits.database import query

    found: set[tuple[str, str]] = set()
    for table in ("admin_units", "admin_units_legacy"):
        for row in query(f"SELECT DISTINCT province, provinceShort FROM {table}"):
            found.add((_split_type(row["province"], row["provinceShort"]),
                       fold(row["provinceShort"])))
    cities = {fold(row["districtShort"]) for row in query(
        "SELECT DISTINCT districtType, districtShort FROM admin_units_legacy")
        if row["districtType"] == "Thành phố" and row["districtShort"]}
    return frozenset(u for u in found if not (u[0] == "thanh pho" and u[1] in cities))


def ends_with_province(text: str) -> bool:
    """Does the address end with a whole province ('…, tỉnh Khánh Hòa')? An address
    names its province last, so nothing on the next line belongs to it; 'Thành phố Hồ
    Chí' is no province and still waits for its 'Minh'."""
    m = _LAST_UNIT.search(text)
    if m is None:
        return False
    kind = "tinh" if fold(m.group("kind")) == "tinh" else "thanh pho"
    return (kind, " ".join(fold(m.group("name")).split())) in _province_units()


def _marks(text: str) -> list[str]:
    return sorted(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.combining(c))


def repair_unit_names(text: str) -> str:
    """``text`` with each unit's name in its official spelling where that is unambiguous."""

    def fix(m: re.Match[str]) -> str:
        name = m.group("name")
        if name.isupper() or name.islower():
            return m.group()  # capitals or no capitals: not a name as a form prints it
        kind = fold(m.group("kind"))
        official = _official_spelling(kind, name)
        if official is None and kind in ("tinh", "thanh pho"):
            letter = _province_one_letter_off(name)
            if letter is not None:
                return m.group()[: m.start("name") - m.start()] + letter
        if official is None or official == name or _marks(official) == _marks(name):
            return m.group()  # the same marks elsewhere ('Hoà'/'Hòa') is a style, not a slip
        return m.group()[: m.start("name") - m.start()] + official

    return _UNIT_NAME.sub(fix, text)


# Unit words an address segment starts with, long enough that one wrong letter still
# leaves them recognisable ('tỉih' is 'tỉnh'; 'xã' is too short to tell).
_SEGMENT_UNITS = ("tỉnh", "phường", "huyện", "quận", "đường", "thôn", "xóm", "ngõ", "hẻm",
                  "ngách", "kiệt")
_SEGMENT_START = re.compile(r"(?:^|(?<=,\s))(?P<word>[^\W\d_]{3,7})(?=\s+[^\W\d_])")


def _one_letter_off(a: str, b: str) -> bool:
    return len(a) == len(b) and a[0] == b[0] and sum(x != y for x, y in zip(a, b,
                                                                            strict=True)) == 1


def repair_unit_words(text: str) -> str:
    """A segment's first word one letter away from exactly one unit word, followed by a
    capitalised name, is that unit word ('tỉih Thanh Hóa' → 'tỉnh Thanh Hóa')."""

    def fix(m: re.Match[str]) -> str:
        word = m.group("word")
        low = word.lower()
        after = text[m.end():].lstrip()[:1]
        if low in _SEGMENT_UNITS or not after.isupper():
            return word
        hits = [u for u in _SEGMENT_UNITS if _one_letter_off(low, u)]
        if len(hits) != 1:
            return word
        return hits[0].capitalize() if word[0].isupper() else hits[0]

    return _SEGMENT_START.sub(fix, text)
