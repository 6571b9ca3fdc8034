"""Photocopy toner specks read as stray punctuation; remove the ones no letter explains.

A speck is a tiny blob. The same tiny blobs on a clean page are diacritics,
the dots of i and j, and punctuation, and each has its place next to a letter:
a diacritic lies straight above or below one, a full stop or comma sits at the
foot of the letter on its left, the upper dot of a colon right above the lower
one. A tiny blob in none of these places is toner, even when it is close to a
letter: in the gap between two words, at mid-height beside a letter, or at the
foot of the letter on its right (Tesseract reads those as ".", "'" or ":").
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from pipeline.preprocess.components import Components

REACH = 0.45  # of the letter height: diacritics and punctuation sit closer than this
SIDE = 0.12  # of the letter height: how far beside a letter a diacritic may start
FOOT = 0.5  # of the letter height: a full stop lies in the lower half beside its letter
BASELINE = 0.2  # of the letter height: how far above the baseline a full stop may end
COLON = 0.9  # of the letter height: the upper dot of a colon is this far above the lower
# Of the letter height squared: the smallest printed mark (a dot below) covers
# 0.023 and more; a blob under half that is toner wherever it lies.
MIN_MARK = 0.012
MIN_SPECKS = 25  # fewer isolated dots than this: a clean page, leave every mark alone


def _boxes(blobs: Components, which: np.ndarray) -> np.ndarray:
    """(n, 4) int boxes x0, y0, x1, y1 (exclusive) of the labels flagged in `which`."""
    slices = ndimage.find_objects(blobs.labels)
    boxes = np.zeros((len(which), 4), dtype=np.int64)
    for label in np.flatnonzero(which):
        found = slices[label - 1]
        if found is not None:
            rows, cols = found
            boxes[label] = (cols.start, rows.start, cols.stop, rows.stop)
    return boxes


def _hits(zone: np.ndarray, boxes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Whether each tiny blob's box touches the zone.

    Every zone rectangle is at least as wide and as tall as a tiny blob, so the
    two overlap exactly when a corner of the blob's box lies in the zone: four
    look-ups per blob instead of a pass over the page.
    """
    x0, y0 = boxes[labels, 0], boxes[labels, 1]
    x1, y1 = boxes[labels, 2] - 1, boxes[labels, 3] - 1
    return (zone[y0, x0] | zone[y0, x1] | zone[y1, x0] | zone[y1, x1]) > 0


def _paint(zone: np.ndarray, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray,
           y1: np.ndarray) -> None:
    """Fill rectangles (clipped to the zone) with 1."""
    height, width = zone.shape
    for a, b, c, d in zip(np.clip(x0, 0, width), np.clip(y0, 0, height),
                          np.clip(x1, 0, width), np.clip(y1, 0, height), strict=True):
        if c > a and d > b:
            zone[b:d, a:c] = 1


def _on_baseline(boxes: np.ndarray, marks: np.ndarray, letters: np.ndarray,
                 letter_height: float) -> np.ndarray:
    """Whether each mark reaches down to the baseline of the line it sits in.

    The baseline is where most letters around the mark end, the lower quartile of their
    feet (descenders end lower, nothing letter-sized ends higher); a mark with no
    letters around is given the benefit of the doubt.
    """
    heights = boxes[letters, 3] - boxes[letters, 1]
    letters = letters[heights <= 2 * letter_height]  # not a rule, a frame or a picture
    lx0, ly0, lx1, ly1 = (boxes[letters, i] for i in range(4))
    span = 3 * letter_height
    tolerance = BASELINE * letter_height
    on = np.ones(len(marks), dtype=bool)
    for n, label in enumerate(marks):
        mx0, my0, mx1, my1 = boxes[label]
        middle = (my0 + my1) / 2
        around = (ly0 <= middle) & (ly1 >= middle) & (lx1 >= mx0 - span) & (lx0 <= mx1 + span)
        if around.any():
            on[n] = my1 >= np.percentile(ly1[around], 25) - tolerance
    return on


def find_specks(blobs: Components, letter_height: float) -> np.ndarray:
    """Boolean per label: tiny blobs that are neither diacritic nor punctuation of a letter."""
    small_side = max(2.0, 0.3 * letter_height)
    small = (blobs.heights <= small_side) & (blobs.widths <= small_side)
    small[0] = False
    big = ~small
    big[0] = False
    boxes = _boxes(blobs, np.ones(len(small), dtype=bool))
    letters = np.flatnonzero(big)
    tiny = np.flatnonzero(small)
    if not len(tiny):
        return small
    reach = max(3, round(REACH * letter_height))
    side = max(1, round(SIDE * letter_height))
    x0, y0, x1, y1 = (boxes[letters, i] for i in range(4))
    zone = np.zeros(blobs.labels.shape, dtype=np.uint8)
    # Straight above or below a letter: diacritics, dots of i and j. Beside a letter at
    # mid-height nothing printed is that small (a hyphen is wider), even where the blob
    # overlaps the letter's box (the open side of a "y" or "7"): that band is not kept.
    _paint(zone, x0 - side, y0 - reach, x1 + side, y0 + side)
    _paint(zone, x0 - side, y1 - side, x1 + side, y1 + reach)
    kept = _hits(zone, boxes, tiny)
    # At the foot of the letter on the left: full stop, comma, lower dot of a colon; they
    # reach down to the line's baseline, where a speck at mid-height does not.
    foot = round(FOOT * letter_height)
    zone[:] = 0
    _paint(zone, x1, y1 - foot, x1 + reach, y1 + side)
    at_foot = ~kept & _hits(zone, boxes, tiny)
    kept[at_foot] = _on_baseline(boxes, tiny[at_foot], letters, letter_height)
    # Right above a kept dot or a comma: the upper dot of a colon or semicolon.
    comma = big & (blobs.heights <= 0.7 * letter_height) & (blobs.widths <= 0.35 * letter_height)
    lower = np.concatenate([tiny[kept], np.flatnonzero(comma)])
    colon = round(COLON * letter_height)
    zone[:] = 0
    _paint(zone, boxes[lower, 0] - side, boxes[lower, 1] - colon, boxes[lower, 2] + side,
           boxes[lower, 1])
    kept |= _hits(zone, boxes, tiny)
    kept &= blobs.areas[tiny] >= MIN_MARK * letter_height ** 2
    specks = np.zeros(len(small), dtype=bool)
    specks[tiny[~kept]] = True
    return specks


def speck_mask(blobs: Components, letter_height: float) -> np.ndarray | None:
    """``find_specks``, or None at once when there are too few tiny blobs to matter.

    Toner specks include many blobs of a few pixels; a clean page has almost
    none (its smallest marks, the diacritics, are larger), so the costly
    "is it a letter's mark?" test runs only on pages that may need it. The mask
    is handed on to ``remove_specks`` when the blobs are still the page's.
    """
    tiny = max(4.0, (0.12 * letter_height) ** 2)
    if int((blobs.areas[1:] <= tiny).sum()) < MIN_SPECKS:
        return None
    return find_specks(blobs, letter_height)


def count_specks(blobs: Components, letter_height: float) -> int:
    """Stray specks on the page; 0 at once when there are too few tiny blobs to matter."""
    found = speck_mask(blobs, letter_height)
    return 0 if found is None else int(found.sum())


def remove_specks(grey: np.ndarray, blobs: Components, letter_height: float,
                  rim: int = 1, specks: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Return (grey with stray specks painted paper-white, how many were removed).

    Callers apply it only to a page with many stray specks (MIN_SPECKS: a
    photocopy, a dusty glass); on a clean page a few small marks are more likely
    punctuation than toner.

    ``rim``: pixels of paper around each speck painted too. The ink mask holds only
    a speck's dark core; its blurred edge (wider after an enlargement) is lighter
    than the ink threshold yet darker than whitened paper, and left alone it stays
    as a faint ring. On a nearly blank page those rings are all the "ink" there is:
    Tesseract's Otsu makes thousands of blobs of them and its layout analysis ran
    past the 90-s limit on one line of text. Other blobs' pixels are never painted.
    """
    specks = find_specks(blobs, letter_height)
    removed = int(specks.sum())
    out = grey.copy()
    paint = specks[blobs.labels]
    if rim > 0 and removed:
        kernel = np.ones((2 * rim + 1, 2 * rim + 1), np.uint8)
        around = cv2.dilate(paint.view(np.uint8), kernel).view(bool)
        paint = paint | (around & (blobs.labels == 0))
    out[paint] = int(np.percentile(grey[::4, ::4], 90))
    return out, removed
