"""Bring text to the size Tesseract reads best, whatever the scan's dpi claims.

Tesseract's LSTM models are trained on text with an x-height of roughly 20–30 px;
150 dpi photocopies are too small, a 2400-dpi tag or an undeclared phone photo
misleads it. We measure the letters and rescale only when they are out of range.

The two directions have different targets, both measured with bench/ocr_accuracy.py:
small letters (150–200 dpi scans, fax) are enlarged well past the minimum,
because a smooth cubic enlargement lets Tesseract binarise them better (harsh
200-dpi photocopies: CER 1.4 % → 0.7 %); letters bigger than needed (300 dpi
and up) are shrunk to about 20 px, which reads as well on the whole (pages under
a seal lose a mark or two in their header) and costs Tesseract about a fifth less
CPU, its layout analysis being paid per pixel.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from pipeline.preprocess.components import Components

# Median letter blob height in px; 12–14 pt type at 300 dpi measures 29–32.
TOO_SMALL = 24.0
# What small letters are enlarged to. 28 read photocopied forms better (CER 0.77 -> 0.54 %,
# 15 % less CPU) but lost card values on phone photos of cards (numbers, names): kept at 34.
TARGET_UP = 34.0
TOO_LARGE = 26.0
# What big letters are shrunk to. 22 -> 20 px: ~7 % less Tesseract CPU and the same or lower
# CER on clean, office, rotated and phone-photo pages (bench/ocr_accuracy.py, seeds 3 and 5);
# 18 px read clean pages and photos worse.
TARGET_DOWN = 20.0
MAX_SCALE_UP = 3.0
# An A4 page at 600 dpi. A card photographed or photocopied on a big sheet has
# small letters, and a x3 blow-up of the whole sheet (110 Mpx seen on phone
# photos) costs Tesseract minutes for mostly empty paper.
MAX_OCR_PIXELS = 36_000_000
# Which blobs are letters: those in and beside lines of text (see _near_text_lines).
MIN_LETTERS = 20  # letter-sized blobs a page needs before its letters are measured
MIN_IN_LINES = 8  # of which in or by text lines: fewer, and specks outnumber the text
MIN_RUN = 3  # blobs in a row that make a piece of text line
NEIGHBOUR_GAP = 1.0  # of the taller one's height: letters and word spaces are closer
NEIGHBOUR_RATIO = 2.5  # heights of neighbours differ less (x-height "a" beside "Đ")


def _near_text_lines(blobs: Components, candidates: np.ndarray) -> np.ndarray:
    """Which candidate labels belong to text: blobs in a run of at least ``MIN_RUN`` of
    similar height side by side on a common band, the way letters sit in a line, and the
    blobs within a letter height of such a run (diacritics, dots, punctuation).

    Toner specks on a nearly blank photocopy are letter-sized too, and on a page with one
    line of text they outnumber its letters a hundred to one; but they lie alone. On a
    page of text nearly every blob is near a line, so its measure stays what it was.
    """
    heights = blobs.heights[candidates].astype(np.float64)
    widths = blobs.widths[candidates].astype(np.float64)
    tops = blobs.tops[candidates].astype(np.float64)
    lefts = blobs.lefts[candidates].astype(np.float64)
    middle = np.column_stack([lefts + widths / 2, tops + heights / 2])
    # Neighbours' centres lie within a gap and their sizes apart: searched around each
    # blob by its own size, so a speck looks only at its own few pixels of paper.
    reach = (1 + NEIGHBOUR_GAP) * (heights + widths)
    found = cKDTree(middle).query_ball_point(middle, reach, return_sorted=False)
    counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    a = np.repeat(np.arange(len(found)), counts)
    b = np.concatenate([np.asarray(f, dtype=np.int64) for f in found])
    a, b = a[a != b], b[a != b]
    taller = np.maximum(heights[a], heights[b])
    shorter = np.minimum(heights[a], heights[b])
    gap_x = np.maximum(lefts[a], lefts[b]) - np.minimum(lefts[a] + widths[a],
                                                        lefts[b] + widths[b])
    gap_y = np.maximum(tops[a], tops[b]) - np.minimum(tops[a] + heights[a],
                                                      tops[b] + heights[b])
    side_by_side = ((taller <= NEIGHBOUR_RATIO * shorter) & (gap_x <= NEIGHBOUR_GAP * taller)
                    & (-gap_y >= 0.5 * shorter))  # overlapping by half the shorter one
    graph = coo_matrix((np.ones(int(side_by_side.sum())), (a[side_by_side], b[side_by_side])),
                       shape=(len(candidates),) * 2)
    _, run = connected_components(graph, directed=False)
    in_line = np.bincount(run)[run] >= MIN_RUN
    # Within a letter height of a letter of a line, measured on that letter.
    beside = in_line[b] & (gap_x <= heights[b]) & (gap_y <= heights[b])
    near = in_line.copy()
    near[a[beside]] = True
    return near


def letter_height(blobs: Components) -> float | None:
    """Median height of the letter-sized ink blobs in and beside text lines, or None if
    the page has too few."""
    heights = blobs.heights[1:].astype(np.float64)
    widths = blobs.widths[1:].astype(np.float64)
    areas = blobs.areas[1:].astype(np.float64)
    page_height = blobs.labels.shape[0]
    letters = (heights >= 4) & (heights < page_height * 0.05) & (widths < heights * 4) & (
        areas >= 8)
    if letters.sum() < MIN_LETTERS:
        return None
    candidates = np.flatnonzero(letters) + 1
    text = _near_text_lines(blobs, candidates)
    if text.sum() < MIN_IN_LINES:
        return None
    return float(np.median(blobs.heights[candidates[text]]))


def scale_factor(height: float | None, pixels: int = 0) -> float:
    """The factor that brings letters into range (``TARGET_UP`` or ``TARGET_DOWN``);
    an upscale never passes ``MAX_OCR_PIXELS`` for a page of ``pixels`` pixels."""
    if height is None or TOO_SMALL <= height <= TOO_LARGE:
        return 1.0
    target = TARGET_UP if height < TOO_SMALL else TARGET_DOWN
    factor = min(MAX_SCALE_UP, target / height)
    if factor > 1.0 and pixels:
        factor = max(1.0, min(factor, (MAX_OCR_PIXELS / pixels) ** 0.5))
    return float(factor)


def rescale(image: np.ndarray, factor: float) -> np.ndarray:
    height, width = image.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=interpolation)
