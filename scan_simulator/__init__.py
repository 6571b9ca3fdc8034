"""Synthetic scans of Vietnamese administrative forms, with exact ground truth.

Used by tests and the OCR accuracy benchmark (never by production code): a
seed gives a page of fictitious form text (`content`), typeset on A4
(`render`), then degraded the way real intake paper arrives (`degrade`).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

__all__ = ["cer", "normalise_for_cer"]

_WHITESPACE = re.compile(r"\s+")


def normalise_for_cer(text: str) -> str:
    """NFC and one space per whitespace run, so layout differences are not counted as errors."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance / reference length, after `normalise_for_cer`.

    An empty reference gives 0.0 for an empty hypothesis and 1.0 otherwise, so a blank
    page that OCR fills with noise still counts as wrong.
    """
    ref, hyp = normalise_for_cer(reference), normalise_for_cer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)
