"""Photocopy toner specks read as stray punctuation; remove the isolated ones.

A speck is a tiny blob with no letter nearby. Diacritics and the dots of i
are just as small but sit right above or below a letter, so they are kept.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.analysis import ink_mask

REACH = 0.45  # of the letter height: diacritics and punctuation sit closer than this
MIN_SPECKS = 25  # fewer isolated dots than this: a clean page, leave every mark alone


def remove_specks(grey: np.ndarray, letter_height: float) -> tuple[np.ndarray, int]:
    """Return (grey with isolated specks painted paper-white, how many were removed).

    Only a page with many isolated specks (a photocopy, a dusty glass) is touched:
    on a clean page the few small marks are more likely punctuation than toner.
    """
    mask = ink_mask(grey)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return grey, 0
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    widths = stats[:, cv2.CC_STAT_WIDTH]
    small_side = max(2.0, 0.3 * letter_height)
    small = (heights <= small_side) & (widths <= small_side)
    small[0] = False
    big = ~small
    big[0] = False
    reach = max(3, round(REACH * letter_height))
    near_letters = cv2.dilate(big[labels].astype(np.uint8),
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2))
    touching = np.bincount(labels[near_letters > 0], minlength=count) > 0
    specks = small & ~touching
    removed = int(specks.sum())
    if removed < MIN_SPECKS:
        return grey, 0
    out = grey.copy()
    paper = int(np.percentile(grey[::4, ::4], 90))
    out[specks[labels]] = paper
    return out, removed
