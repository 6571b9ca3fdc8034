"""Decide whether a PDF page's own text can be trusted, and read it with boxes.

Fonts without a Unicode map extract as control characters, `(cid:N)` codes or
punctuation soup; an earlier OCR run (GlyphLessFont) is of unknown quality.
Such pages are OCRed instead.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pipeline.page_input import TextLayer
from pipeline.results import Line, Word, union_box

PRIOR_OCR_FONTS = ("GlyphLessFont",)
NOMINAL_DPI = 300  # boxes of text-layer pages are given as if the page were scanned at 300 dpi


def looks_like_text(text: str) -> bool:
    """Plausible human text: mostly letters, no control characters, words with vowels."""
    if "(cid:" in text:
        return False
    visible = [c for c in text if not c.isspace()]
    if len(visible) < 2:
        return False
    if any(unicodedata.category(c) in ("Cc", "Co", "Cs") for c in visible):
        return False
    letters = sum(1 for c in visible if c.isalpha())
    if letters / len(visible) < 0.5:
        return False
    vowels = set("aeiouyAEIOUY")
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    with_vowel = sum(
        1 for w in words if any(unicodedata.normalize("NFD", c)[0] in vowels for c in w)
    )
    return with_vowel >= max(1, len(words) // 2)


def image_coverage(page: Any) -> float:
    """Fraction of the page area covered by raster images (a scan covers ~1.0)."""
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for image in page.images:
        width = max(0.0, min(image["x1"], page.width) - max(image["x0"], 0.0))
        height = max(0.0, min(image["bottom"], page.height) - max(image["top"], 0.0))
        covered += width * height
    return min(1.0, covered / area)


def read_text_layer(page: Any) -> TextLayer | None:
    """Return the page's text layer if it is trustworthy, else None (the page gets OCR)."""
    chars = page.chars
    if not chars:
        return None
    if any(any(bad in (c.get("fontname") or "") for bad in PRIOR_OCR_FONTS) for c in chars):
        return None
    if image_coverage(page) > 0.5:
        # A scan with a text layer: our Vietnamese OCR beats a scanner's built-in one.
        return None
    words_raw = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    if not words_raw:
        return None
    text = unicodedata.normalize("NFC", " ".join(w["text"] for w in words_raw))
    if not looks_like_text(text):
        return None
    return _layout(words_raw, float(page.width), float(page.height))


def _layout(words_raw: list[dict[str, Any]], width_pt: float, height_pt: float) -> TextLayer:
    """Group words into lines (top to bottom, left to right), boxes scaled to NOMINAL_DPI."""
    scale = NOMINAL_DPI / 72.0
    ordered = sorted(words_raw, key=lambda w: (round(w["top"]), w["x0"]))
    groups: list[list[dict[str, Any]]] = []
    for word in ordered:
        mid = (word["top"] + word["bottom"]) / 2
        if groups:
            last = groups[-1]
            top = min(w["top"] for w in last)
            bottom = max(w["bottom"] for w in last)
            if top <= mid <= bottom:
                last.append(word)
                continue
        groups.append([word])
    words: list[Word] = []
    lines: list[Line] = []
    for number, group in enumerate(groups):
        group.sort(key=lambda w: w["x0"])
        line_words = [
            Word(
                unicodedata.normalize("NFC", w["text"]),
                1.0,
                (round(w["x0"] * scale), round(w["top"] * scale),
                 round(w["x1"] * scale), round(w["bottom"] * scale)),
                number,
            )
            for w in group
        ]
        words.extend(line_words)
        lines.append(Line(" ".join(w.text for w in line_words), union_box(line_words)))
    return TextLayer(
        text="\n".join(line.text for line in lines),
        words=words,
        lines=lines,
        width=round(width_pt * scale),
        height=round(height_pt * scale),
        dpi=NOMINAL_DPI,
    )

