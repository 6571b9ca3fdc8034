"""Orientation and skew together: one search over both axes of a downscaled ink mask."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.preprocess.analysis import downscale, ink_mask, label_components
from pipeline.preprocess.deskew import SkewSearch, rotate_by, search_skew
from pipeline.preprocess.orientation import long_lines, upright_score

GEOMETRY_SIDE = 1000  # px; enough for line profiles, cheap to search
MIN_LINES = 10  # text lines needed before the ink-above/below test is trusted alone
# Long lines on one axis that settle it when the other has at most half as many: a card's
# few lines against a sheet edge broken into dashes (which makes no long line at all).
MIN_CARD_LINES = 4
MIN_TOP_HEAVINESS = 0.2


@dataclass(frozen=True, slots=True)
class Geometry:
    turn: int  # clockwise quarter turn that makes the page upright: 0/90/180/270
    skew: float  # degrees left after the turn; positive = text rises to the right
    turn_confidence: float
    skew_confidence: float
    certain: bool  # False: too little text to be sure; the caller should check with OCR


def text_mask(grey: np.ndarray) -> np.ndarray:
    """Ink mask with pictures, rules and scanner borders removed: only letter-sized blobs."""
    mask = ink_mask(grey)
    count, labels, stats, _ = label_components(mask)
    if count <= 1:
        return mask
    height, width = mask.shape
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    keep = (heights < 0.05 * height) & (widths < 0.05 * width) & (heights >= 2) & (widths >= 1)
    labels_keep = np.zeros(count, dtype=np.uint8)
    labels_keep[1:][keep] = 1
    return labels_keep[labels]


def _deskewed(frame: np.ndarray, search: SkewSearch) -> np.ndarray:
    if abs(search.angle) < 0.1:
        return frame
    return (rotate_by(frame * 255, search.angle) > 127).astype(np.uint8)


def find_geometry(grey: np.ndarray) -> Geometry:
    small, _ = downscale(grey, GEOMETRY_SIDE)
    mask = text_mask(small)
    sideways = np.ascontiguousarray(np.rot90(mask, k=-1))
    rows = search_skew(mask)
    cols = search_skew(sideways)
    axes = [(0, rows, mask), (90, cols, sideways)]
    if cols.score > rows.score:
        axes.reverse()
    (base_turn, chosen, frame), (other_turn, other, other_frame) = axes
    ratio = max(rows.score, cols.score) / (min(rows.score, cols.score) or 1e-9)
    axis_confidence = float(min(1.0, (ratio - 1.0) / 1.0))
    frame = _deskewed(frame, chosen)
    score, lines = upright_score(frame)
    along = long_lines(frame)
    if along < MIN_LINES:
        # The sharper profile is not always the text's: on a photo of a card copy the
        # sheet's edge, broken into letter-sized dashes by the desk's shadows, lines up
        # better than the cards' few short lines. The axis with long text lines wins.
        other_frame = _deskewed(other_frame, other)
        across = long_lines(other_frame)
        if across >= MIN_LINES or (across >= MIN_CARD_LINES and across >= 2 * along):
            base_turn, chosen = other_turn, other
            score, lines = upright_score(other_frame)
            axis_confidence = float(min(1.0, across / max(along, 1) - 1.0))
    turn = base_turn if score >= 0 else (base_turn + 180) % 360
    up_confidence = min(1.0, abs(score) / 0.25) * min(1.0, lines / 10.0)
    certain = lines >= MIN_LINES and abs(score) >= MIN_TOP_HEAVINESS and axis_confidence >= 0.5
    return Geometry(turn=turn, skew=chosen.angle,
                    turn_confidence=float(min(axis_confidence, up_confidence)),
                    skew_confidence=chosen.confidence, certain=certain)
