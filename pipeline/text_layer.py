"""Decide whether a PDF page's own text can be trusted, and read it with boxes.

Fonts without a Unicode map extract as control characters, `(cid:N)` codes or
punctuation soup; an earlier OCR run (GlyphLessFont) is of unknown quality.
Such pages are OCRed instead.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.page_input import TextLayer
from pipeline.results import Line, Word

PRIOR_OCR_FONTS = ("GlyphLessFont",)
NOMINAL_DPI = 300  # boxes of text-layer pages are given as if the page were scanned at 300 dpi


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
                      "\U000f0000-\U000ffffd\U00100000-\U0010fffd]")  # Cc, Cs, Co
_VOWELS = frozenset("aeiouyAEIOUY")
_WORD = re.compile(r"\S+")  # \s is exactly str.isspace(), as PDFium's text uses it


def looks_like_text(text: str) -> bool:
    """Plausible human text: mostly letters, no control characters, words with vowels."""
    if "(cid:" in text:
        return False
    visible = "".join(text.split())
    if len(visible) < 2:
        return False
    if _CONTROL.search(visible):
        return False
    letters = sum(map(str.isalpha, visible))
    if letters / len(visible) < 0.5:
        return False
    words = [w for w in text.split() if any(map(str.isalpha, w))]
    # A character's base letter comes first in its canonical decomposition.
    with_vowel = sum(1 for w in words
                     if not _VOWELS.isdisjoint(unicodedata.normalize("NFD", w)))
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
        texts, boxes = _words(textpage, text, count, height)
        return _layout(texts, boxes, float(width), float(height)) if texts else None
    finally:
        textpage.close()


def _words(textpage: pdfium.PdfTextPage, text: str, count: int,
           page_height: float) -> tuple[list[str], np.ndarray]:
    """Words (runs of non-space characters) and their boxes: (n, 4) x0, top, x1, bottom
    in points from the page's top-left.

    A word's box is the union of its characters' boxes; the boxes are read with
    one raw PDFium call per character (no Python object per call) and united
    per word with numpy, not character by character in Python.
    """
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    texts = [text[a:b] for a, b in spans]
    if not spans:
        return texts, np.zeros((0, 4))
    if len(text) != count:  # characters and text disagree: words without boxes
        return texts, np.tile([0.0, page_height, 0.0, page_height], (len(spans), 1))
    boxes = _char_boxes(textpage, [i for a, b in spans for i in range(a, b)])
    starts = np.cumsum([0] + [b - a for a, b in spans[:-1]])
    return texts, np.stack([np.minimum.reduceat(boxes[:, 0], starts),
                            page_height - np.maximum.reduceat(boxes[:, 3], starts),
                            np.maximum.reduceat(boxes[:, 1], starts),
                            page_height - np.minimum.reduceat(boxes[:, 2], starts)], axis=1)


def _char_boxes(textpage: pdfium.PdfTextPage, indices: list[int]) -> np.ndarray:
    """(n, 4) left, right, bottom, top of the given characters; PdfiumError if one fails."""
    values: list[float] = []
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    refs = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    get_box, raw, keep = pdfium_c.FPDFText_GetCharBox, textpage.raw, values.extend
    for index in indices:
        if not get_box(raw, index, *refs):
            raise pdfium.PdfiumError(f"no box for character {index}")
        keep((left.value, right.value, bottom.value, top.value))
    return np.array(values, dtype=np.float64).reshape(-1, 4)


def _layout(texts: list[str], boxes: np.ndarray, width_pt: float,
            height_pt: float) -> TextLayer:
    """Group words into lines (top to bottom, left to right), boxes scaled to NOMINAL_DPI.

    A word joins the line above when its middle lies within that line's extent.
    """
    scale = NOMINAL_DPI / 72.0
    x0, tops, bottoms = boxes[:, 0].tolist(), boxes[:, 1].tolist(), boxes[:, 3].tolist()
    # Stable, like sorted(key=(round(top), x0)); rint rounds half to even as round() does.
    ordered = np.lexsort((boxes[:, 0], np.rint(boxes[:, 1]))).tolist()
    groups: list[list[int]] = []
    top = bottom = 0.0  # extent of the last group, kept as it grows
    for i in ordered:
        if groups and top <= (tops[i] + bottoms[i]) / 2 <= bottom:
            groups[-1].append(i)
            top, bottom = min(top, tops[i]), max(bottom, bottoms[i])
        else:
            groups.append([i])
            top, bottom = tops[i], bottoms[i]
    left, upper, right, lower = np.rint(boxes * scale).astype(np.int64).T.tolist()
    words: list[Word] = []
    lines: list[Line] = []
    for number, group in enumerate(groups):
        group.sort(key=x0.__getitem__)
        line_words = [Word(unicodedata.normalize("NFC", texts[i]), 1.0,
                           (left[i], upper[i], right[i], lower[i]), number) for i in group]
        words.extend(line_words)
        lines.append(Line(" ".join(w.text for w in line_words),
                          (min([left[i] for i in group]), min([upper[i] for i in group]),
                           max([right[i] for i in group]), max([lower[i] for i in group]))))
    return TextLayer(
        text="\n".join(line.text for line in lines),
        words=words,
        lines=lines,
        width=round(width_pt * scale),
        height=round(height_pt * scale),
        dpi=NOMINAL_DPI,
    )
