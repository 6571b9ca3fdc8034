"""Phone photos: find the sheet of paper on the desk and flatten its perspective."""

from __future__ import annotations

from itertools import combinations

import cv2
import numpy as np

from pipeline.preprocess.analysis import ANALYSIS_SIDE, downscale, ink_mask, to_grey

MIN_AREA = 0.15  # the sheet must fill at least this much of the photo...
MAX_AREA = 0.93  # ...and leave some background, else it is a scan, not a photo
MIN_CONTRAST = 25  # grey levels between paper and background
MISFIT = 0.06  # how far the quad's area may stray from the sheet's outline
TEXT_PAD = 64  # px of bare paper kept around the text: two letter heights at OCR size


def _order(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.array([points[sums.argmin()], points[diffs.argmin()],
                     points[sums.argmax()], points[diffs.argmax()]], dtype=np.float32)


def _border(values: np.ndarray) -> np.ndarray:
    rim = max(2, min(values.shape[:2]) // 30)
    return np.concatenate([values[:rim].ravel(), values[-rim:].ravel(),
                           values[:, :rim].ravel(), values[:, -rim:].ravel()])


def sheet_mask(image: np.ndarray, max_side: int = 600) -> tuple[np.ndarray, float] | None:
    """Pixels that look like paper rather than desk, at low resolution, and the scale used.

    Paper is brighter than the desk, and greyer than a wooden or coloured desk:
    the second test keeps a shaded corner of the sheet that brightness alone loses.
    """
    small, factor = downscale(image, max_side)
    grey = cv2.GaussianBlur(to_grey(small), (5, 5), 0)
    desk_level = float(np.median(_border(grey)))
    paper_level = float(np.percentile(grey, 90))
    if paper_level - desk_level < MIN_CONTRAST:
        return None
    mask = grey > desk_level + 0.35 * (paper_level - desk_level)
    if small.ndim == 3:
        saturation = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1], (5, 5), 0)
        desk_sat = float(np.median(_border(saturation)))
        paper_sat = float(np.percentile(saturation[mask], 50)) if mask.any() else desk_sat
        if desk_sat - paper_sat >= 25:
            mask |= saturation < (desk_sat + paper_sat) / 2
    bright = mask.astype(np.uint8) * 255
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    return bright, factor


def find_page_quad(image: np.ndarray) -> np.ndarray | None:
    """Corners of a sheet lighter than its surroundings, in full-resolution pixels, or None."""
    found = sheet_mask(image)
    if found is None:
        return None
    bright, factor = found
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(sheet) / float(bright.shape[0] * bright.shape[1])
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
    # A quad that leaves out much of the sheet (or takes in much desk) is a bad guess:
    # better no crop than a cropped-off corner of text.
    if quad is None or abs(cv2.contourArea(quad) / cv2.contourArea(hull) - 1.0) > MISFIT:
        quad = _quad_without_spur(sheet, hull, perimeter, bright.shape)
        if quad is None:
            return None
    return _order(quad / factor)


def _quad_without_spur(sheet: np.ndarray, hull: np.ndarray, perimeter: float,
                       shape: tuple[int, ...]) -> np.ndarray | None:
    """The sheet when a band of desk as bright as paper (a lit stripe of wood grain, the
    edge of another sheet) joins it: that spur adds a corner or two to the outline, not
    a side. Of the outline's corners, the four whose quad fits the bright region best,
    if it fits it as closely as a clean outline must and what it leaves out runs off the
    photo, as a desk does: a corner of the sheet lost to shade leaves out a sliver that
    does not, and cutting along it would cut off text."""
    region = np.zeros(shape[:2], np.uint8)
    cv2.drawContours(region, [sheet], -1, 1, cv2.FILLED)
    area = int(region.sum())
    best, best_fit, best_drawn = None, 0.0, region
    for epsilon in (0.02, 0.03):
        corners = cv2.approxPolyDP(hull, epsilon * perimeter, True).reshape(-1, 2)
        if not 5 <= len(corners) <= 6:
            continue
        for four in combinations(range(len(corners)), 4):
            quad = corners[list(four)].astype(np.int32)
            drawn = np.zeros_like(region)
            cv2.fillConvexPoly(drawn, quad, 1)
            both = int((drawn & region).sum())
            fit = both / float(area + int(drawn.sum()) - both)
            if fit > best_fit:
                best, best_fit, best_drawn = quad.astype(np.float32), fit, drawn
    if best is None or best_fit < 1.0 - MISFIT:
        return None
    left_out = cv2.morphologyEx(region & (1 - best_drawn), cv2.MORPH_OPEN,
                                np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(left_out, 8)
    height, width = left_out.shape
    for label in range(1, count):
        x, y, w, h, size = stats[label]
        off_photo = x == 0 or y == 0 or x + w == width or y + h == height
        if size >= 0.002 * area and not off_photo:
            return None
    return best


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


def crop_to_text(grey: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The page cut to its ink plus a margin of paper, and the (x, y) of the cut's corner.

    Tesseract's page layout work grows with the image, blank margins included
    (about a tenth of an A4 page's run); the letters it reads are the same
    pixels either way. A page whose ink reaches its edges is returned whole.
    """
    small, factor = downscale(grey, ANALYSIS_SIDE)
    mask = ink_mask(small)
    rows = np.flatnonzero(mask.sum(axis=1) >= 2)  # a lone dark pixel is dust, not text
    cols = np.flatnonzero(mask.sum(axis=0) >= 2)
    if rows.size == 0 or cols.size == 0:
        return grey, (0, 0)
    height, width = grey.shape[:2]
    pad = TEXT_PAD + int(np.ceil(1.0 / factor))  # one analysis pixel spans 1/factor page pixels
    top = max(0, int(rows[0] / factor) - pad)
    bottom = min(height, int((rows[-1] + 1) / factor) + pad)
    left = max(0, int(cols[0] / factor) - pad)
    right = min(width, int((cols[-1] + 1) / factor) + pad)
    if (bottom - top) * (right - left) > 0.95 * height * width:
        return grey, (0, 0)
    return grey[top:bottom, left:right], (left, top)
