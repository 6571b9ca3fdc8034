"""Phone photos: find the sheet of paper on the desk and flatten its perspective."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.preprocess.analysis import downscale, to_grey

MIN_AREA = 0.15  # the sheet must fill at least this much of the photo...
MAX_AREA = 0.93  # ...and leave some background, else it is a scan, not a photo
MIN_CONTRAST = 25  # grey levels between paper and background


def _order(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.array([points[sums.argmin()], points[diffs.argmin()],
                     points[sums.argmax()], points[diffs.argmax()]], dtype=np.float32)


def find_page_quad(image: np.ndarray) -> np.ndarray | None:
    """Corners of a sheet lighter than its surroundings, in full-resolution pixels, or None."""
    grey = to_grey(image)
    small, factor = downscale(grey, 600)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    # The desk shows along the photo's edges; the paper is the bright part. A cut
    # close to the desk's level keeps shaded parts of the sheet inside the quad.
    rim = max(2, min(small.shape) // 30)
    border = np.concatenate([blurred[:rim].ravel(), blurred[-rim:].ravel(),
                             blurred[:, :rim].ravel(), blurred[:, -rim:].ravel()])
    desk_level = float(np.median(border))
    paper_level = float(np.percentile(blurred, 90))
    if paper_level - desk_level < MIN_CONTRAST:
        return None
    cut = desk_level + 0.35 * (paper_level - desk_level)
    bright = (blurred > cut).astype(np.uint8) * 255
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(sheet) / float(small.shape[0] * small.shape[1])
    if not MIN_AREA <= area <= MAX_AREA:
        return None
    hull = cv2.convexHull(sheet)
    perimeter = cv2.arcLength(hull, True)
    quad = None
    for epsilon in (0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float32)
            break
    if quad is None:
        return None
    return _order(quad / factor)


def flatten_page(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp the quadrilateral to an upright rectangle at the photo's own resolution."""
    tl, tr, br, bl = quad
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad, target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
