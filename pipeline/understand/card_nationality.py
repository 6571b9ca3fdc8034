"""A card's "Quốc tịch" whose English gloss OCR garbled, so the label reader missed it.

The card prints ``Giới tính / Sex: Nam   Quốc tịch / Nationality: Việt Nam`` on one line.
On photos and photocopies the gloss comes out as '¿Nätionality:', '/NatUonawty',
'1 Natienality:' or '/ Nationalty' without its colon; the label reader, which takes a
second label on a line only with its colon and a gloss only behind a slash, then finds no
"Quốc tịch" at all and the card loses its nationality. Here the Vietnamese label is found
anywhere on a card line, one gloss-like word after it is skipped when it is close to
"nationality" (a nationality is never spelt like that word), and the rest of the line is
the value, for the nationality normaliser and the usual confidence checks to judge.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from pipeline.understand.normalise import fold

__all__ = ["GLOSS_MIN_RATIO", "VIET_NAM", "nationality_after_label", "viet_nam_cut_short"]

VIET_NAM = "Việt Nam"
GLOSS_MIN_RATIO = 70.0
"""Similarity (0–100) of a word to 'nationality' for it to be the gloss: the misreads seen
('natuonawty' 76, 'namonatty' 70, 'natienality' 91) pass; 'viet' scores 27."""
_LABEL = re.compile(r"(?<![a-z])quoc\s*tich(?![a-z])")
# Separator OCR made of the slash ('/', '1', '|', '¿'), the gloss, then a colon or a dot.
_GLOSS = re.compile(r"\s*[^\sa-z]{0,2}\s*(?P<gloss>[a-z]{5,14})\s*[:;.]?")
_COLON = re.compile(r"\s*[/|]?\s*[:;]?\s*")


_HALF_LABEL = re.compile(r"(?<![a-z])quoc\s*[a-z]{0,4}(?![a-z])")


def _label_by_gloss(folded: str) -> re.Match[str] | None:
    """'Quốc' with the rest of its label misread ('Quốc th ¿ Nabonalty:', 'Quốc tch/
    NaUonatty'): the label ends where 'Quốc' and its word end, when a gloss-like word follows."""
    m = _HALF_LABEL.search(folded)
    if m is None:
        return None
    gloss = _GLOSS.match(folded, m.end())
    if gloss is None or fuzz.ratio(gloss.group("gloss"), "nationality") < GLOSS_MIN_RATIO:
        return None
    return m


def nationality_after_label(text: str) -> tuple[int, int] | None:
    """(start, end) of the value after a card's "Quốc tịch" label on this line, or None."""
    folded = fold(text)
    m = _LABEL.search(folded) or _label_by_gloss(folded)
    if m is None:
        return None
    start = m.end()
    gloss = _GLOSS.match(folded, start)
    if gloss is not None and fuzz.ratio(gloss.group("gloss"), "nationality") >= GLOSS_MIN_RATIO:
        start = gloss.end()
    else:
        start = _COLON.match(folded, start).end()  # type: ignore[union-attr]
    while start < len(text) and text[start].isspace():
        start += 1
    end = len(text.rstrip())
    return (start, end) if end > start else None


_VIET_NAM_FOLDED = "viet nam"


def viet_nam_cut_short(value: str) -> bool:
    """'Việt', 'Vị', 'Việt Na': the start of 'Việt Nam', its end lost at the photo's edge
    or in the guilloche; or 'Việt' and a short word OCR made of 'Nam' ('Việt Man:'). No
    other nationality starts so, and a citizen identity card is issued to Vietnamese
    citizens only."""
    folded = " ".join(re.sub(r"[^a-z ]+", " ", fold(value)).split())
    if folded == _VIET_NAM_FOLDED:
        return False
    return (len(folded.replace(" ", "")) >= 2 and _VIET_NAM_FOLDED.startswith(folded)) or (
        _NAM_MISREAD.fullmatch(folded) is not None)


_NAM_MISREAD = re.compile(r"viet [a-z]{2,4}")
