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
    counts = _cumulative_histogram(grey)
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


INK_CORE = 0.25  # of the ink's pixels, the darkest: a letter's core, not its blurred edge
FULL_RANGE = 215  # grey levels from ink core to paper: a page with this much is left alone


def _cumulative_histogram(grey: np.ndarray) -> np.ndarray:
    """Cumulative counts of the grey levels of every other pixel: cv2.calcHist, not
    np.bincount, which widens each pixel to 64 bits first (a 17 MB copy per A4 page)."""
    quarter = np.ascontiguousarray(grey[::2, ::2])
    if quarter.size < EXACT_COUNTS:
        counts = cv2.calcHist([quarter], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    else:
        counts = np.bincount(quarter.ravel(), minlength=256)
    return counts.cumsum()


def stretch_contrast(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """Paper made white and the letters' core black when the page's ink is pale or its
    paper grey.

    Tesseract's LSTM reads the grey pixels of each line, not its binarised copy. On a
    pale photocopy (ink at 90-130, paper grain at 210-250) a page of long lines reads
    well, but a line of one short word, such as the year of a form's date wrapped alone
    under it, is read from the grain as much as from the ink: "2025" came back as "2U22",
    "TU2O." or "20235", and the same pixels binarised or stretched read "2025". The
    stretch keeps the letters' shading and their order of greys.
    """
    counts = _cumulative_histogram(grey)
    total = int(counts[-1])
    paper = int(np.searchsorted(counts, 0.5 * total))
    bright = int(np.searchsorted(counts, 0.9 * total))
    grain = (bright - paper) / 1.2816
    limit = int(paper - max(MIN_CONTRAST, PAPER_NOISE * grain))
    if limit <= 0 or counts[limit] < 1e-4 * total:  # no ink to go by
        return grey, False
    ink = int(np.searchsorted(counts, INK_CORE * counts[limit]))
    if paper - ink >= FULL_RANGE or paper <= ink:
        return grey, False
    # Two pieces meeting at the level halfway between ink and paper, which stays where it
    # is: the ink's half darkens to black, the paper's half lightens to white. A grey
    # that is neither (a desk's grain beside the sheet, a speck's faint ring) keeps its
    # place instead of being darkened with the ink, and Tesseract does not read it.
    middle = (ink + paper) / 2.0
    levels = np.arange(256, dtype=np.float64)
    lut = np.where(levels <= middle, (levels - ink) * middle / (middle - ink),
                   middle + (levels - middle) * (255.0 - middle) / (paper - middle))
    return cv2.LUT(grey, np.rint(np.clip(lut, 0, 255)).astype(np.uint8)), True
