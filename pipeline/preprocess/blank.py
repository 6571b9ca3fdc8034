"""Blank pages (separator sheets, empty backs) are reported, not OCRed."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.analysis import ANALYSIS_SIDE, downscale, label_components


def is_blank(grey: np.ndarray) -> bool:
    """No letter-sized marks left after ignoring specks and the scanner's dark borders."""
    small, _ = downscale(grey, ANALYSIS_SIDE)
    height, width = small.shape
    margin_y, margin_x = max(1, height // 40), max(1, width // 40)
    inner = small[margin_y:height - margin_y, margin_x:width - margin_x]
    if inner.size == 0:
        return True
    # A fixed threshold relative to the paper: Otsu would invent ink on an empty page.
    paper = float(np.percentile(inner, 90))
    ink = (inner < paper - 60).astype(np.uint8)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    count, _, stats, _ = label_components(ink)
    if count <= 1:
        return True
    areas = stats[1:, cv2.CC_STAT_AREA]
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    marks = (areas >= 6) & (heights >= 3)
    # A few specks of dust are not a page; a few letter-sized marks (one short word) are.
    return int(marks.sum()) == 0 or (int(marks.sum()) < 5 and int(heights[marks].max()) < 8)
