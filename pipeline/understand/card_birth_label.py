"""A card's birth date whose label OCR garbled too much for the label reader.

Why: on a phone photo the bilingual label comes out as 'Ngày 3inh / Date of bựth:' or
'Ngày sinh / Oate of bìh' (no colon). The label reader forgives such slips only where
a label stands alone or before a colon, so the date after it is lost although it
reads well. On a card only the birth line pairs the word 'sinh' (or the gloss's
'of b…th') with a full date: the issue date's line says 'Date, month, year' and the
2024 card's 'Nơi đăng ký khai sinh' holds a place. One such line, one date: taken.
"""

from __future__ import annotations

import re

from pipeline.understand.normalise import find_date, fold

__all__ = ["birth_date_span"]

# 'sinh' with its first letter slipped ('3inh'), or the English gloss's 'of birth' with
# up to two letters of 'birth' lost or misread ('of bựth', 'of bìh', 'of beth').
_BIRTH_WORD = re.compile(r"(?<![a-z0-9])(?:ngay\W{0,3}[s3z5]inh|of\W{0,2}b[a-z]{1,3}h)(?![a-z])")
_FULL_DATE = re.compile(r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{4}")
_PLACE_OF_BIRTH = re.compile(r"khai\W*sinh|place\W*of\W*birth")


def birth_date_span(lines: list[str]) -> tuple[int, int, int] | None:
    """(line index, start, end) of the date after a garbled birth label; None unless
    exactly one line has both."""
    found: list[tuple[int, int, int]] = []
    for i, text in enumerate(lines):
        folded = fold(text)
        label = _BIRTH_WORD.search(folded)
        if label is None or _PLACE_OF_BIRTH.search(folded):
            continue
        rest = text[label.end():]
        got = find_date(rest)
        if got is None or not _FULL_DATE.search(rest[got.start:got.end]):
            continue
        found.append((i, label.end() + got.start, label.end() + got.end))
    return found[0] if len(found) == 1 else None
