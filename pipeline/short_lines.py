"""A short line read badly on a page read well: read it again on its own, contrast stretched.

Tesseract's LSTM reads each line's grey pixels. On a pale photocopy (ink at 90-130,
grainy paper at 210-250) the long lines of a page read well, but a line of one short
word, such as the year of a form's date wrapped alone under it, is read from the grain
as much as from the ink: "2025" came back as "2U22" (confidence 0.23), "c4)." or
"TU2O." (0.0). Cut out with half a line of paper around it and stretched to black on
white, the same pixels read "2025" at 0.8-0.96. Stretching the whole page instead
perturbed the reading of long lines (bench/ocr_accuracy.py: photocopy CER 0.79 → 0.97 %),
so only the doubtful short lines are read again, and the new reading is kept only when
Tesseract is surer of it.
"""

from __future__ import annotations

import numpy as np

from pipeline.preprocess.sparse import stretch_contrast
from pipeline.results import Line, Word, union_box
from pipeline.tesseract import Recognised, recognise

SHORT_LINE = 8  # characters: a date's year, a page number, a lone word
DOUBTFUL_WORD = 0.6  # confidence under which such a line is read again
PAD = 0.5  # of the line's height: paper kept around the cut, not the next line's ink
MAX_REREADS = 4  # per page: each one is a Tesseract run, however small


def doubtful_short_lines(found: Recognised) -> list[int]:
    """Indexes of the short lines holding a word Tesseract was unsure of."""
    worst: dict[int, float] = {}
    for word in found.words:
        worst[word.line] = min(worst.get(word.line, 1.0), word.confidence)
    return [n for n, line in enumerate(found.lines)
            if len(line.text) <= SHORT_LINE and worst.get(n, 1.0) < DOUBTFUL_WORD][:MAX_REREADS]


def reread_short_lines(image: np.ndarray, found: Recognised, language: str, dpi: int,
                       timeout_s: float) -> tuple[Recognised, int]:
    """``found`` with its doubtful short lines read again where the new reading is surer;
    returns it and how many lines changed. Boxes stay on ``image``'s pixels."""
    lines = list(found.lines)
    words = {n: [w for w in found.words if w.line == n] for n in range(len(lines))}
    changed = 0
    for n in doubtful_short_lines(found):
        x0, y0, x1, y1 = lines[n].bbox
        pad = max(2, round(PAD * (y1 - y0)))
        left, top = max(0, x0 - pad), max(0, y0 - pad)
        cut = image[top:y1 + pad, left:x1 + pad]
        cut, _ = stretch_contrast(cut)
        again = recognise(cut, language, dpi, timeout_s)
        if len(again.lines) != 1 or not again.words:
            continue
        if again.confidence <= _confidence(words[n]):
            continue
        words[n] = [Word(w.text, w.confidence, (w.bbox[0] + left, w.bbox[1] + top,
                                                w.bbox[2] + left, w.bbox[3] + top), n)
                    for w in again.words]
        lines[n] = Line(" ".join(w.text for w in words[n]), union_box(words[n]))
        changed += 1
    if not changed:
        return found, 0
    all_words = [w for n in range(len(lines)) for w in words[n]]
    letters = sum(len(w.text) for w in all_words)
    confidence = sum(w.confidence * len(w.text) for w in all_words) / letters if letters else 0.0
    return Recognised(all_words, lines, "\n".join(line.text for line in lines),
                      confidence), changed


def _confidence(words: list[Word]) -> float:
    letters = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / letters if letters else 0.0
