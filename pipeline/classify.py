"""Decide each page's document type from its printed title, tolerating OCR errors.

Titles ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "GIẤY CHỨNG SINH", "CĂN CƯỚC CÔNG DÂN") are
matched without diacritics and with an edit-distance ratio, line by line (and
across two lines, for titles that wrap) in the top part of the page. The longest
title that matches wins, so "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN" beats
"GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN". A page without a title is `None` here; the
assembler decides whether it continues a neighbouring document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from pipeline.understand.normalise import fold

TOP_LINES = 14  # titles sit under the national motto, within the first lines
MIN_RATIO = 82.0  # edit-distance similarity (0..100) for a line to count as a title
# Pages remembered by text: a worker classifies a page when it is read (does it keep its
# pixels?) and again with its dossier.
PAGE_CACHE_SIZE = 1024
# Lines that are on every Vietnamese form and never a title.
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap tu do hanh phuc")
# Words that mark the back of an identity card (no title there).
_WORD = re.compile(r"[a-z]{2}")
_CARD_BACK = re.compile(r"dac diem nhan dang|[i1l]dvnm|ngon tro|vet seo")  # MRZ: I read as 1 or l


@dataclass(frozen=True, slots=True)
class TitlePattern:
    type_id: str
    folded: str  # letters and spaces only


@dataclass(frozen=True, slots=True)
class PageType:
    type_id: str | None  # None: no title found (a continuation page, or unknown)
    confidence: float  # 0..1
    title: str  # the line that matched, as read


@lru_cache(maxsize=4096)
def _letters(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", fold(text)).split())


def title_patterns(types: Iterable[tuple[str, Iterable[str]]]) -> list[TitlePattern]:
    """(type id, printed titles) pairs → patterns, longest first."""
    patterns = [TitlePattern(type_id, _letters(title)) for type_id, titles in types
                for title in titles]
    return sorted(patterns, key=lambda p: len(p.folded), reverse=True)


def _candidates(lines: list[str]) -> list[tuple[str, str]]:
    """(folded text, text as read) for single lines and pairs of consecutive lines."""
    # A card photocopy's guilloche and photo OCR into many lines of specks ('+', '- -',
    # '“ANẲ«') above the title; they must not use up the window the title is looked for in.
    top = [line for line in lines if _WORD.search(fold(line))][:TOP_LINES]
    out = [(_letters(line), line) for line in top]
    out += [(_letters(a + " " + b), a + " " + b) for a, b in pairwise(top)]
    return [(folded, raw) for folded, raw in out if folded and folded not in _MOTTO]


def classify_page(text: str, patterns: list[TitlePattern]) -> PageType:
    """The page's type from the best-matching title in its top lines (pure, memoised)."""
    return _classify(text, tuple(patterns))


@lru_cache(maxsize=PAGE_CACHE_SIZE)
def _classify(text: str, patterns: tuple[TitlePattern, ...]) -> PageType:
    candidates = _candidates(text.splitlines())
    best: tuple[float, int, TitlePattern, str] | None = None
    # Every (line, title) similarity at once, in C; below MIN_RATIO a score is 0. Row-major
    # order is the order of the two nested loops this replaces, so ties resolve alike.
    scores = (cdist([folded for folded, _ in candidates], [p.folded for p in patterns],
                    scorer=fuzz.ratio, score_cutoff=MIN_RATIO, dtype=np.float64)
              if candidates and patterns else np.zeros((0, 0)))
    for c, t in zip(*np.nonzero(scores), strict=True):
        (folded, raw), pattern = candidates[c], patterns[t]
        # A title stands alone on its line: compare whole strings, not substrings,
        # so a body sentence mentioning "căn cước" is not a card.
        if abs(len(folded) - len(pattern.folded)) > max(4, len(pattern.folded) // 3):
            continue
        ratio = float(scores[c, t])
        if ratio < MIN_RATIO:
            continue
        key = (ratio, len(pattern.folded))
        if best is None or key > (best[0], best[1]):
            best = (ratio, len(pattern.folded), pattern, raw)
    if best is not None:
        return PageType(best[2].type_id, best[0] / 100.0, best[3].strip())
    if _CARD_BACK.search(fold(text)):
        return PageType("cccd", 0.8, "mặt sau thẻ căn cước")
    return PageType(None, 0.0, "")
