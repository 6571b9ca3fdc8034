"""Nearly blank pages: too little ink for Otsu, which then splits the paper's grain.

Otsu's method splits the grey levels in two classes. On a page of text the ink
is one and the paper the other; on a nearly blank page (one line of text on a
photocopy's second sheet) the ink is too little to be a class, and Otsu puts
its threshold inside the paper's noise. Our measurements then see 40 % of the
sheet as "ink" in 94,000 blobs, and Tesseract, which binarises with Otsu too,
reads nothing at all. The paper is most of any page, so its level is the
median of the grey levels and its grain shows on the bright side, where no ink is.
"""

from __future__ import annotations

import cv2
import numpy as np

PAPER_NOISE = 4.0  # standard deviations of the paper's grain that ink must lie below
MIN_CONTRAST = 20  # grey levels: ink is at least this much darker than the paper
EXACT_COUNTS = 1 << 24  # cv2.calcHist counts in float32: exact below this many pixels


def ink_threshold(grey: np.ndarray) -> tuple[float, bool]:
    """The grey level at and under which a pixel is ink, and whether Otsu's own threshold
    fell inside the paper's grain (and was lowered)."""
    otsu, _ = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # A histogram of every other pixel: cv2.calcHist, not np.bincount, which widens
    # each pixel to 64 bits first (a 17 MB copy per A4 page).
    quarter = np.ascontiguousarray(grey[::2, ::2])
    if quarter.size < EXACT_COUNTS:
        counts = cv2.calcHist([quarter], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    else:
        counts = np.bincount(quarter.ravel(), minlength=256)
    counts = counts.cumsum()
    paper = int(np.searchsorted(counts, 0.5 * counts[-1]))
    bright = int(np.searchsorted(counts, 0.9 * counts[-1]))
    grain = (bright - paper) / 1.2816  # the 90th percentile of a normal law is +1.28 sigma
    limit = paper - max(MIN_CONTRAST, PAPER_NOISE * grain)
    return (float(limit), True) if otsu > limit else (float(otsu), False)


def whiten_paper(grey: np.ndarray,
                 found: tuple[float, bool] | None = None) -> tuple[np.ndarray, bool]:
    """Paper made white when Otsu would split its grain, so Tesseract's Otsu finds the ink.

    Every level lighter than the ink threshold becomes white and the rest is stretched
    to keep its shading; a page Otsu reads rightly is returned as it is. ``found``: the
    page's ``ink_threshold`` when the caller has it already (it costs a pass over the page).
    """
    threshold, lowered = found if found is not None else ink_threshold(grey)
    if not lowered or threshold <= 0:
        return grey, False
    lut = np.clip(np.arange(256, dtype=np.float64) * 255.0 / threshold, 0, 255)
    lut[int(threshold) + 1:] = 255
    return cv2.LUT(grey, lut.astype(np.uint8)), True
