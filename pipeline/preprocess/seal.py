"""Red seals (con dấu) and red signatures: faded out of the OCR copy, kept in the colour one.

In the red channel a red seal is almost as light as the paper while black
text printed over it stays dark, so red areas take their grey from the red
channel. Painting them white instead would cut holes through text and rules.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.analysis import to_grey


def red_mask(bgr: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    return ((hue <= 12) | (hue >= 165)) & (sat >= 70) & (val >= 70)


def grey_without_red(bgr: np.ndarray, min_fraction: float = 0.002) -> tuple[np.ndarray, bool]:
    """Return (grey image for OCR, whether red ink was faded out)."""
    grey = to_grey(bgr)
    mask = red_mask(bgr)
    if float(mask.mean()) < min_fraction:
        return grey, False
    # Grow a little to take the anti-aliased rim of the seal's strokes with it.
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    faded = grey.copy()
    faded[mask] = bgr[:, :, 2][mask]
    return faded, True
