"""Find and undo a page's small rotation (skew) from the sharpness of its line profile."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.preprocess.analysis import paper_colour


def _profile_score(ys: np.ndarray, xs: np.ndarray, angle_deg: float, bins: int,
                   work: np.ndarray | None = None) -> float:
    """How sharply text lines stand out when rows are taken at `angle_deg`.

    ``work``: two scratch rows as long as ``ys``; the search calls this 80 times per
    axis, and reusing them saves the allocations without changing a single operation.
    """
    theta = np.deg2rad(angle_deg)
    if work is None:
        work = np.empty((2, ys.size))
    projected, other = work[0], work[1]
    np.multiply(ys, np.cos(theta), out=projected)
    np.multiply(xs, np.sin(theta), out=other)
    projected += other
    projected -= projected.min()
    hist = np.bincount(projected.astype(np.int32), minlength=bins)
    diff = np.diff(hist.astype(np.float64))
    return float(np.dot(diff, diff))


@dataclass(frozen=True, slots=True)
class SkewSearch:
    angle: float  # degrees; positive = text rises to the right
    score: float  # sharpness of the line profile at that angle
    baseline: float  # median sharpness over all angles tried

    @property
    def confidence(self) -> float:
        return float(min(1.0, max(0.0, (self.score / (self.baseline or 1.0) - 1.0) / 2.0)))


def search_skew(mask: np.ndarray, max_angle: float = 15.0) -> SkewSearch:
    """Find the angle at which rows of `mask` (ink=1) separate best into text lines.

    A coarse 0.5° search over ±max_angle, then a fine 0.05° one around the best.
    """
    ys, xs = np.nonzero(mask)
    if ys.size < 200:
        return SkewSearch(0.0, 0.0, 0.0)
    if ys.size > 150_000:  # a fixed random sample keeps dense pages cheap
        pick = np.random.default_rng(0).choice(ys.size, 150_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64)
    bins = int(np.hypot(*mask.shape)) + 2
    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    work = np.empty((2, ys.size))
    scores = np.array([_profile_score(ys, xs, a, bins, work) for a in coarse])
    best = float(coarse[int(scores.argmax())])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    fine_scores = np.array([_profile_score(ys, xs, a, bins, work) for a in fine])
    top = int(fine_scores.argmax())
    return SkewSearch(float(fine[top]), float(fine_scores[top]), float(np.median(scores)))


def rotated_size(height: int, width: int, angle_deg: float, scale: float = 1.0) -> tuple[int, int]:
    """(width, height) of the canvas ``rotate_by`` makes: the page turned by ``angle_deg``,
    grown so no corner is cut, then scaled (rounded as ``scale.rescale`` rounds)."""
    matrix = cv2.getRotationMatrix2D((0.0, 0.0), -angle_deg, 1.0)  # rotate_by's own cos/sin
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w = int(height * sin + width * cos + 0.5)
    new_h = int(height * cos + width * sin + 0.5)
    if scale == 1.0:
        return new_w, new_h
    return max(1, round(new_w * scale)), max(1, round(new_h * scale))


def rotate_by(image: np.ndarray, angle_deg: float, scale: float = 1.0,
              interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
    """Rotate about the centre, growing the canvas so no text is cut, paper-coloured corners.

    ``scale``: the page is also resized by this factor in the same warp. The clean-up
    used to deskew at full size and then rescale (two resamplings, the first on the
    largest image of the page's clean-up); one warp onto the final canvas costs what
    the smaller image costs and blurs the letters once instead of twice.
    ``interpolation``: cv2's flag; bilinear costs a third of bicubic at full size.
    """
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -angle_deg, 1.0)
    new_w, new_h = rotated_size(height, width, angle_deg)
    matrix[0, 2] += new_w / 2.0 - width / 2.0
    matrix[1, 2] += new_h / 2.0 - height / 2.0
    size = (new_w, new_h)
    if scale != 1.0:
        size = (max(1, round(new_w * scale)), max(1, round(new_h * scale)))
        # Pixel centres as cv2.resize places them: (x + 0.5) * s - 0.5 on each axis.
        sx, sy = size[0] / new_w, size[1] / new_h
        matrix[0] *= sx
        matrix[1] *= sy
        matrix[0, 2] += 0.5 * sx - 0.5
        matrix[1, 2] += 0.5 * sy - 0.5
    return cv2.warpAffine(image, matrix, size, flags=interpolation,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=paper_colour(image))
