"""Bring text to the size Tesseract reads best, whatever the scan's dpi claims.

Tesseract's LSTM models are trained on text with an x-height of roughly 20–30 px;
150 dpi photocopies are too small, a 2400-dpi tag or an undeclared phone photo
misleads it. We measure the letters and rescale only when they are out of range.

The two directions have different targets, both measured with bench/ocr_accuracy.py:
small letters (150–200 dpi scans, fax) are enlarged well past the minimum,
because a smooth cubic enlargement lets Tesseract binarise them better (harsh
200-dpi photocopies: CER 1.4 % → 0.7 %); letters bigger than needed (300 dpi
and up) are shrunk to about 22 px, which reads as well or better and costs
Tesseract about a sixth less CPU, its layout analysis being paid per pixel.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.components import Components

# Median letter blob height in px; 12–14 pt type at 300 dpi measures 29–32.
TOO_SMALL = 24.0
TARGET_UP = 34.0  # what small letters are enlarged to
TOO_LARGE = 26.0
TARGET_DOWN = 22.0  # what big letters are shrunk to
MAX_SCALE_UP = 3.0
# An A4 page at 600 dpi. A card photographed or photocopied on a big sheet has
# small letters, and a x3 blow-up of the whole sheet (110 Mpx seen on phone
# photos) costs Tesseract minutes for mostly empty paper.
MAX_OCR_PIXELS = 36_000_000


def letter_height(blobs: Components) -> float | None:
    """Median height of letter-sized ink blobs, or None if the page has too few."""
    heights = blobs.heights[1:].astype(np.float64)
    widths = blobs.widths[1:].astype(np.float64)
    areas = blobs.areas[1:].astype(np.float64)
    page_height = blobs.labels.shape[0]
    letters = (heights >= 4) & (heights < page_height * 0.05) & (widths < heights * 4) & (
        areas >= 8)
    if letters.sum() < 20:
        return None
    return float(np.median(heights[letters]))


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
