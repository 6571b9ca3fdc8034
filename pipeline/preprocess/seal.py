"""Seals (con dấu, red) and stamps or pen marks in blue: faded out of the OCR copy only.

Official text is printed in black. Ink multiplies: a coloured mark darkens the
paper by a factor that depends on its colour, while black text printed over it
stays dark in every channel. So a coloured pixel's brightest channel, divided by
how much the mark's own ink darkens that channel, gives back the paper where
only the mark is and keeps the text dark where the two overlap. Painting the
marks white instead would cut holes through the text and rules they cross.
Taking the brightest channel alone is not enough: a dark-blue signature or a
seal on tinted paper stays mid-grey and Tesseract reads it as letters.
The colour copy that is stored keeps the seal.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.analysis import to_grey

RED_HUES = ((0, 12), (165, 180))
BLUE_HUES = ((100, 140),)  # blue to violet: stamp pads and ballpoint ink
# Where a blue signature crosses a red seal the two inks multiply to a dark
# magenta, too dark for the bands above; black text over either ink keeps the
# ink's own hue, so this band takes no letters with it.
OVERLAP_HUES = ((141, 164),)
INK_PERCENTILE = 10  # the darkest tenth of a mark is its solid ink; lighter is faint or rim


def coloured_ink_masks(hsv: np.ndarray) -> list[np.ndarray]:
    """Saturated red, blue, then red-over-blue pixels (uint8 0/255); cv2.inRange does a
    band in one C pass."""
    masks = []
    for bands, darkest in ((RED_HUES, 60), (BLUE_HUES, 60), (OVERLAP_HUES, 15)):
        in_range = np.zeros(hsv.shape[:2], dtype=np.uint8)
        for low, high in bands:
            in_range |= cv2.inRange(hsv, (low, 80, darkest), (high, 255, 255))
        masks.append(in_range)
    return masks


def grey_without_seals(bgr: np.ndarray, min_fraction: float = 0.002) -> tuple[np.ndarray, bool]:
    """Return (grey image for OCR, whether coloured marks were faded)."""
    grey = to_grey(bgr)
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    masks = coloured_ink_masks(hsv)
    counts = [cv2.countNonZero(mask) for mask in masks]
    if sum(counts) < min_fraction * grey.size:
        return grey, False
    value = hsv[:, :, 2]
    paper_value = max(1.0, float(np.percentile(value[::8, ::8], 90)))
    paper_grey = float(np.percentile(grey[::8, ::8], 90))
    faded = grey.copy()
    done = np.zeros(grey.shape, dtype=bool)
    pad = 2
    kernel = np.ones((2 * pad + 1, 2 * pad + 1), np.uint8)  # JPEG halves colour: wide rims
    rows, cols = grey.shape
    for mask, count in zip(masks, counts, strict=True):
        if not count:
            continue
        # Seals and signatures cover a small part of the page: work in their box only.
        x, y, w, h = cv2.boundingRect(mask)
        box = (slice(max(0, y - pad), min(rows, y + h + pad)),
               slice(max(0, x - pad), min(cols, x + w + pad)))
        here = mask[box] > 0
        v = value[box]
        # How much this colour's solid ink darkens its own brightest channel.
        ink = max(0.2, float(np.percentile(v[here], INK_PERCENTILE)) / paper_value)
        # Grow to take the anti-aliased rim of the strokes with it.
        grown = cv2.dilate(mask[box], kernel) > 0
        lifted = np.minimum(v[grown] * (paper_grey / (paper_value * ink)), paper_grey)
        # Where two marks' rims overlap, the one that lifts more is the right one.
        out, seen = faded[box], done[box]
        lifted = np.maximum(lifted, np.where(seen[grown], out[grown], 0))
        out[grown] = lifted.astype(np.uint8)
        seen |= grown
    return faded, True
