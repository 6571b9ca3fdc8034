"""Seals (con dấu, red) and stamps or pen marks in blue: faded out of the OCR copy only.

Official text is printed in black. A coloured mark is bright in its own colour
channel while black text printed over it stays dark in every channel, so
coloured pixels take their grey from the brightest channel. Painting them
white instead would cut holes through the text and rules they cross.
The colour copy that is stored keeps the seal.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.analysis import to_grey

RED_HUES = ((0, 12), (165, 180))
BLUE_HUES = ((100, 140),)  # blue to violet: stamp pads and ballpoint ink


def coloured_ink_mask(hsv: np.ndarray) -> np.ndarray:
    """Saturated red or blue pixels; cv2.inRange does each hue band in one C pass."""
    in_range = np.zeros(hsv.shape[:2], dtype=np.uint8)
    for low, high in RED_HUES + BLUE_HUES:
        in_range |= cv2.inRange(hsv, (low, 80, 60), (high, 255, 255))
    return in_range > 0


def grey_without_seals(bgr: np.ndarray, min_fraction: float = 0.002) -> tuple[np.ndarray, bool]:
    """Return (grey image for OCR, whether coloured marks were faded)."""
    grey = to_grey(bgr)
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    mask = coloured_ink_mask(hsv)
    if float(mask.mean()) < min_fraction:
        return grey, False
    # Grow a little to take the anti-aliased rim of the strokes with it.
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    faded = grey.copy()
    faded[mask] = hsv[:, :, 2][mask]
    return faded, True
