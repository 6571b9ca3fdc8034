"""Which way up is the page? 0/90/180/270 from the text itself, no extra OCR run.

Two cheap measurements on a downscaled ink mask:
- text lines run along the axis whose projection profile is sharpest
  (rows for an upright or upside-down page, columns for a sideways one);
- Latin script, and Vietnamese far more so, carries more ink above the
  x-height band (ascenders, capitals, tone marks) than below it (descenders,
  the dot of dấu nặng), so the heavier side of each line is the top.
"""

from __future__ import annotations

import numpy as np


def _line_bands(profile: np.ndarray, min_height: int) -> list[tuple[int, int]]:
    """Runs of rows that carry ink: the text lines of an upright (or upside-down) page."""
    threshold = max(1.0, 0.04 * float(profile.max()))
    inked = profile > threshold
    bands: list[tuple[int, int]] = []
    start = None
    for y, on in enumerate(inked):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= min_height:
                bands.append((start, y))
            start = None
    if start is not None and len(inked) - start >= min_height:
        bands.append((start, len(inked)))
    return bands


def top_heaviness(mask: np.ndarray) -> tuple[float, int]:
    """Ink above the x-height band minus ink below it, over all lines, normalised.

    Returns (score in -1..1, number of lines used); positive means upright.
    """
    profile = mask.sum(axis=1).astype(np.float64)
    if profile.max() <= 0:
        return 0.0, 0
    above_total = below_total = 0.0
    used = 0
    for start, end in _line_bands(profile, min_height=4):
        band = profile[start:end]
        peak = band.max()
        core = np.nonzero(band >= 0.5 * peak)[0]
        if core.size == 0 or band.size > 8 * max(1, core.size):
            continue  # a picture or a rule, not a text line
        top, bottom = core[0], core[-1]
        above = float(band[:top].sum())
        below = float(band[bottom + 1:].sum())
        if above + below <= 0:
            continue
        above_total += above
        below_total += below
        used += 1
    total = above_total + below_total
    if total <= 0:
        return 0.0, used
    return (above_total - below_total) / total, used


LINE_LENGTH = 8.0  # inked columns per row of a band, at least, for the band to be a text line


def long_lines(mask: np.ndarray) -> int:
    """Bands of rows whose ink spans many times their height: text lines along the rows.

    A sharp row profile is not enough to tell the lines' axis: looked at sideways, the
    letters of one line also make bands (one per letter), and a ruled edge broken into
    dashes makes a sharp profile with no band at all. Only text run along the rows gives
    bands much longer than they are high; inked columns are counted, not the extent, so
    a few specks far apart do not lengthen a band.
    """
    profile = mask.sum(axis=1).astype(np.float64)
    if profile.max() <= 0:
        return 0
    return sum(int(np.count_nonzero(mask[start:end].any(axis=0))) >= LINE_LENGTH * (end - start)
               for start, end in _line_bands(profile, min_height=4))


def upright_score(mask: np.ndarray) -> tuple[float, int]:
    """For a deskewed page with horizontal lines: (score, lines); score < 0 = upside down."""
    return top_heaviness(mask)
