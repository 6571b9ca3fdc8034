"""Decide whether a PDF page's own text can be trusted, and read it with boxes.

Fonts without a Unicode map extract as control characters, `(cid:N)` codes or
punctuation soup; an earlier OCR run (GlyphLessFont) is of unknown quality.
Such pages are OCRed instead.
"""

from __future__ import annotations

import ctypes
import unicodedata
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

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


def image_coverage(page: pdfium.PdfPage) -> float:
    """Fraction of the page area covered by raster images (a scan covers ~1.0)."""
    width, height = page.get_size()
    area = float(width * height) or 1.0
    covered = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = image.get_bounds()
        covered += max(0.0, min(right, width) - max(left, 0.0)) * max(
            0.0, min(top, height) - max(bottom, 0.0))
    return min(1.0, covered / area)


def _font_name(textpage: pdfium.PdfTextPage, index: int) -> str:
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(flags))
    return buffer.value.decode("utf-8", "replace")


def _prior_ocr(textpage: pdfium.PdfTextPage, count: int) -> bool:
    """An earlier OCR run's invisible layer, recognised by its font (sampled, it is uniform)."""
    step = max(1, count // 20)
    return any(bad in _font_name(textpage, i) for i in range(0, count, step)
               for bad in PRIOR_OCR_FONTS)


def read_text_layer(page: pdfium.PdfPage) -> TextLayer | None:
    """Return the page's text layer if it is trustworthy, else None (the page gets OCR).

    Read with PDFium's text page (C): an order of magnitude faster than parsing
    the page's objects in Python, which matters for born-digital stacks.
    """
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0 or _prior_ocr(textpage, count):
            return None
        if image_coverage(page) > 0.5:
            # A scan with a text layer: our Vietnamese OCR beats a scanner's built-in one.
            return None
        text = textpage.get_text_range()
        if not looks_like_text(unicodedata.normalize("NFC", text)):
            return None
        width, height = page.get_size()
        boxes = ([textpage.get_charbox(i) for i in range(count)] if len(text) == count
                 else [(0.0, 0.0, 0.0, 0.0)] * len(text))
        words = [word for line in _words(text, boxes, height) for word in line]
        return _layout(words, float(width), float(height)) if words else None
    finally:
        textpage.close()


def _words(text: str, boxes: list[tuple[float, float, float, float]],
           page_height: float) -> list[list[dict[str, Any]]]:
    """Lines of words (text and box in points from the top-left) from PDFium's characters."""
    lines: list[list[dict[str, Any]]] = [[]]
    current: list[tuple[str, tuple[float, float, float, float]]] = []

    def close_word() -> None:
        if current:
            lefts, bottoms, rights, tops = zip(*(box for _, box in current), strict=True)
            lines[-1].append({"text": "".join(c for c, _ in current), "x0": min(lefts),
                              "top": page_height - max(tops), "x1": max(rights),
                              "bottom": page_height - min(bottoms)})
            current.clear()

    for char, box in zip(text, boxes, strict=True):
        if char in "\r\n":
            close_word()
            if char == "\n" and lines[-1]:
                lines.append([])
        elif char.isspace():
            close_word()
        else:
            current.append((char, box))
    close_word()
    return [line for line in lines if line]


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

