"""Where a card's residence starts when OCR garbled its label past the label reader.

Why: a phone photo reads 'Nơi thường trú / Place of residence' as 'Nơt thường trú /
Place of resdence', 'cư trú / Piace of residence:' or 'Nơi thường tró / Phace of
nesidence.': too far from the label for the edit-distance match, and without the colon
it asks for. The middle of the label survives: 'thường trú' or 'cư trú', a slash, a
five-letter word, 'of' and a word ending in 'ence'. Only the residence's label has that
shape on a card; one such line gives where the value starts.
"""

from __future__ import annotations

import re

from pipeline.understand.normalise import fold

__all__ = ["residence_value_start"]

_GARBLED_LABEL = re.compile(
    r"(?<![a-z])(?:thuong|cu)\s*tr[uo]\s*/\s*p[a-z]{3,5}\s*of\s*[a-z]{5,11}ce\b[\s.:;,]*")


def residence_value_start(lines: list[str]) -> tuple[int, int] | None:
    """(line index, offset where the value starts) after the one garbled residence label;
    None when there is none, two, or nothing follows it on its line."""
    found = [(i, m.end()) for i, text in enumerate(lines)
             if (m := _GARBLED_LABEL.search(fold(text))) is not None]
    if len(found) != 1 or not lines[found[0][0]][found[0][1]:].strip():
        return None
    return found[0]
