"""Signatures and other hand-drawn scribbles: out of the OCR copy, they are not text.

Tesseract reads a signature as a handful of wrong letters ("Jo00j", "s00) M8)")
added to the last line of the page. A signature is one connected stroke taller
than two lines of print yet mostly empty inside; a letter, even one merged with
its neighbours by a photocopy, is shorter and denser, and a ruled line is flat.
Only the OCR copy loses the mark; the stored page keeps it.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.components import Components

MIN_HEIGHT = 2.2  # letter heights; merged letters and underlined words stay below 2
MIN_WIDTH = 1.5
MAX_HEIGHT = 8.0  # larger: a table's frame or a seal ring, not worth the risk
MAX_WIDTH = 16.0
MAX_FILL = 0.2  # ink over box; letters fill 0.3–0.6, signatures 0.08–0.16
RIM = 0.1  # letter heights painted around each stroke


def find_scribbles(blobs: Components, letter_height: float) -> np.ndarray:
    """Labels of the blobs shaped like a signature."""
    heights = blobs.heights / letter_height
    widths = blobs.widths / letter_height
    fill = blobs.areas / np.maximum(1, blobs.heights * blobs.widths)
    found = ((heights >= MIN_HEIGHT) & (heights <= MAX_HEIGHT) & (widths >= MIN_WIDTH)
             & (widths <= MAX_WIDTH) & (fill <= MAX_FILL))
    found[0] = False
    return np.flatnonzero(found)


def _pieces_near(blobs: Components, scribbles: np.ndarray, letter_height: float) -> np.ndarray:
    """The rest of a signature: its flourish or underline drawn apart, or the pieces a
    fax or a faint copy broke it into. Anything shaped like a letter is left alone."""
    cx, cy = blobs.centroids[:, 0], blobs.centroids[:, 1]
    heights, widths = blobs.heights, blobs.widths
    fill = blobs.areas / np.maximum(1, heights * widths)
    letter = ((heights >= 0.5 * letter_height) & (heights <= 1.7 * letter_height)
              & (widths <= 1.6 * letter_height) & (fill >= 0.3))
    near = np.zeros(len(heights), dtype=bool)
    for label in scribbles:
        half_w = widths[label] / 2 + 1.5 * letter_height
        half_h = heights[label] / 2 + 0.6 * letter_height
        near |= ((np.abs(cx - cx[label]) + widths / 2 <= half_w)
                 & (np.abs(cy - cy[label]) + heights / 2 <= half_h))
    near[0] = False
    return np.flatnonzero(near & ~letter)


def remove_scribbles(grey: np.ndarray, blobs: Components,
                     letter_height: float) -> tuple[np.ndarray, int]:
    """Return (grey with signatures painted paper-white, how many were removed)."""
    found = find_scribbles(blobs, letter_height)
    if not len(found):
        return grey, 0
    found = np.union1d(found, _pieces_near(blobs, found, letter_height))
    out = grey.copy()
    paper = int(np.percentile(grey[::4, ::4], 90))
    rows, cols = blobs.labels.shape
    # The ink mask misses the faint blurred rim of a stroke; Tesseract does not.
    rim = max(1, round(RIM * letter_height))
    kernel = np.ones((2 * rim + 1, 2 * rim + 1), np.uint8)
    for label in found:
        # The box lies within one width/height of the centroid: search there only.
        cx, cy = blobs.centroids[label]
        w, h = int(blobs.widths[label]) + rim, int(blobs.heights[label]) + rim
        x0, x1 = max(0, int(cx) - w), min(cols, int(cx) + w + 1)
        y0, y1 = max(0, int(cy) - h), min(rows, int(cy) + h + 1)
        mask = (blobs.labels[y0:y1, x0:x1] == label).astype(np.uint8)
        out[y0:y1, x0:x1][cv2.dilate(mask, kernel) > 0] = paper
    return out, len(found)
