"""Photocopy toner specks read as stray punctuation; remove the isolated ones.

A speck is a tiny blob with no letter nearby. Diacritics and the dots of i
are just as small but sit right above or below a letter, so they are kept.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.components import Components

REACH = 0.45  # of the letter height: diacritics and punctuation sit closer than this
MIN_SPECKS = 25  # fewer isolated dots than this: a clean page, leave every mark alone


def find_specks(blobs: Components, letter_height: float) -> np.ndarray:
    """Boolean per label: small blobs with no larger blob within reach."""
    small_side = max(2.0, 0.3 * letter_height)
    small = (blobs.heights <= small_side) & (blobs.widths <= small_side)
    small[0] = False
    big = ~small
    big[0] = False
    reach = max(3, round(REACH * letter_height))
    # A rectangular kernel dilates in two cheap 1-D passes; it reaches a little
    # further on the diagonals, which only keeps more marks.
    near = cv2.dilate(big[blobs.labels].astype(np.uint8),
                      cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1)))
    touching = np.bincount(blobs.labels[near > 0], minlength=len(small)) > 0
    return small & ~touching


def count_specks(blobs: Components, letter_height: float) -> int:
    """Isolated specks on the page; 0 at once when there are too few tiny blobs to matter.

    Toner specks include many blobs of a few pixels; a clean page has almost
    none (its smallest marks, the diacritics, are larger), so the costly
    "is a letter near?" test runs only on pages that may need it.
    """
    tiny = max(4.0, (0.12 * letter_height) ** 2)
    if int((blobs.areas[1:] <= tiny).sum()) < MIN_SPECKS:
        return 0
    return int(find_specks(blobs, letter_height).sum())


def remove_specks(grey: np.ndarray, blobs: Components,
                  letter_height: float) -> tuple[np.ndarray, int]:
    """Return (grey with isolated specks painted paper-white, how many were removed).

    Callers apply it only to a page with many isolated specks (MIN_SPECKS: a
    photocopy, a dusty glass); on a clean page a few small marks are more likely
    punctuation than toner.
    """
    specks = find_specks(blobs, letter_height)
    removed = int(specks.sum())
    out = grey.copy()
    out[specks[blobs.labels]] = int(np.percentile(grey[::4, ::4], 90))
    return out, removed
