"""A card holder's printed name found through the MRZ's name line.

Why: on a phone photo or a photocopy the label "Họ và tên / Full name" is often
garbled ('Mọ và tên / Fựil naene', 'xi ẻ ì7ne') so the label reader finds no name,
although the name itself, printed in capitals, reads well. Line 3 of the back's MRZ
spells the same name without diacritics ('HOANG<<DIEU<PHUONG'). The printed line
whose capital words fold to that spelling is the name: the MRZ says *which* line and
where it starts (past specks such as 'Ằ Ỏ'), the print gives the diacritics the MRZ
lacks. Nothing is taken from the MRZ itself, so a name is never invented.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from pipeline.understand.normalise import fold

__all__ = ["mrz_name", "name_span_by_mrz"]

# Line 3: surname, '<<', given names separated by '<', '<' fillers to the end. OCR reads
# a filler as '«' or 'K' at times and may drop one of the pair.
# The name starts the line (past a few specks that are not letters): a match further in would
# drop the surname. A letter OCR inserted ('NGO<<ẳHOANG') stays in and costs a little.
_NAME_LINE = re.compile(r"^[\W\d_]{0,4}(?P<name>[A-Z][^\W_]*(?:[<«]{1,2}[^\W_]+){1,6})[<«]{3,}")
_CAPITAL_WORD = re.compile(r"\S+")
MIN_SIMILARITY = 0.85
MIN_LETTERS = 6  # a name shorter than this matches too much by chance


def mrz_name(lines: list[str]) -> str | None:
    """The MRZ's name letters (A–Z, no separators), or None when no name line is read."""
    for raw in lines:
        m = _NAME_LINE.search(re.sub(r"\s+", "", raw))
        if m is not None:
            name = m.group("name").replace("1", "I")
            letters = re.sub(r"[^A-Z]", "", fold(name).upper())
            if len(letters) >= MIN_LETTERS:
                return letters
    return None


def _is_capital(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) >= len(word) - 1


def name_span_by_mrz(lines: list[str], letters: str) -> tuple[int, int, int] | None:
    """(line index, start, end) of the run of capital words that spells ``letters``.

    The best match of at least ``MIN_SIMILARITY`` over every line's runs of capital
    words; None when there is none or two lines match equally well (one cannot tell).
    """
    best: tuple[float, int, int, int] | None = None
    tie = False
    for i, text in enumerate(lines):
        if _NAME_LINE.search(re.sub(r"\s+", "", text)):
            continue  # the MRZ line itself
        words = [(m.start(), m.end(), m.group()) for m in _CAPITAL_WORD.finditer(text)]
        for a in range(len(words)):
            for b in range(a + 1, min(len(words), a + 7) + 1):
                run = words[a:b]
                if not all(_is_capital(w) for _, _, w in run):
                    break
                folded = re.sub(r"[^A-Z]", "", fold(" ".join(w for _, _, w in run)).upper())
                sim = Levenshtein.normalized_similarity(folded, letters)
                if sim < MIN_SIMILARITY:
                    continue
                if best is not None and abs(sim - best[0]) < 1e-9 and i != best[1]:
                    tie = True
                if best is None or sim > best[0] + 1e-9:
                    best, tie = (sim, i, run[0][0], run[-1][1]), False
    if best is None or tie:
        return None
    return best[1], best[2], best[3]
