"""Compose the clean-up steps for one page: measure first, apply only what the page needs.

Returns two images: the *normalised* page (upright, deskewed, flattened, in its
own colours: the copy we store and draw boxes on) and the *OCR* image (grey,
seal removed, lighting flattened, rescaled for Tesseract).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.preprocess.analysis import ANALYSIS_SIDE, downscale, rotate_quarter, to_grey
from pipeline.preprocess.blank import is_blank
from pipeline.preprocess.components import ink_components
from pipeline.preprocess.deskew import rotate_by
from pipeline.preprocess.despeckle import MIN_SPECKS, count_specks, remove_specks
from pipeline.preprocess.geometry import find_geometry
from pipeline.preprocess.lighting import estimate_paper, flatten_lighting, lighting_is_uneven
from pipeline.preprocess.page_crop import find_page_quad, flatten_page
from pipeline.preprocess.scale import letter_height, rescale, scale_factor
from pipeline.preprocess.scribble import remove_scribbles
from pipeline.preprocess.seal import grey_without_seals
from pipeline.preprocess.sparse import ink_threshold, whiten_paper

MIN_SKEW = 0.3  # degrees; below this resampling costs Tesseract more than the skew does
ASSUMED_DPI = 300


@dataclass(slots=True)
class PreparedPage:
    normalised: np.ndarray
    ocr_image: np.ndarray
    rotation: int
    skew: float
    dpi: int  # resolution of the OCR image as Tesseract should assume it
    blank: bool
    scale: float  # OCR image pixels per normalised image pixel
    steps: list[str] = field(default_factory=list)
    # When the text gave too little evidence of which way is up, the other
    # orientation worth an OCR try (0 if we turned the page, else 180).
    alternative_turn: int | None = None


def prepare_page(image: np.ndarray, dpi: int | None, enabled: bool = True,
                 keep_colour: bool = True) -> PreparedPage:
    """Clean one page for OCR.

    With `keep_colour=False` the colour copy is not turned or deskewed (it is
    not kept, and a full-resolution warp costs as much as a tenth of an OCR
    run); `normalised` is then the grey page before rescaling.
    """
    steps: list[str] = []
    if not enabled:
        grey = to_grey(image)
        return PreparedPage(image, grey, 0, 0.0, dpi or ASSUMED_DPI, is_blank(grey), 1.0, steps)

    quad = find_page_quad(image)
    if quad is not None:
        image = flatten_page(image, quad)
        steps.append("page-crop")

    grey = to_grey(image)
    if image.ndim == 3:
        grey, faded = grey_without_seals(image)
        if faded:
            steps.append("seals-faded")

    # One downscaled grey copy serves every page-wide measurement below, instead
    # of each step shrinking the full-resolution page again.
    small, _ = downscale(grey, ANALYSIS_SIDE)
    paper = estimate_paper(small)
    if lighting_is_uneven(paper):
        grey = flatten_lighting(grey, paper)
        small = flatten_lighting(small, paper)
        steps.append("lighting-flattened")

    if is_blank(small):
        steps.append("blank")
        return PreparedPage(image, grey, 0, 0.0, dpi or ASSUMED_DPI, True, 1.0, steps)

    geometry = find_geometry(small)
    # A grey scan left untouched so far is its own grey copy: turn it once, not twice
    # (a full-resolution warp costs as much as a tenth of an OCR run). The steps below
    # never write into ``grey``; they return new images.
    shared = image is grey
    if geometry.turn:
        grey = rotate_quarter(grey, geometry.turn)
        image = grey if shared else rotate_quarter(image, geometry.turn) if keep_colour else image
        steps.append(f"rotated-{geometry.turn}")
    skew = geometry.skew if geometry.skew_confidence > 0.05 else 0.0
    if abs(skew) >= MIN_SKEW:
        grey = rotate_by(grey, skew)
        image = grey if shared else rotate_by(image, skew) if keep_colour else image
        steps.append(f"deskewed-{skew:+.2f}")

    if not keep_colour:
        image = grey
    # One ink threshold for both steps when the first leaves the page as it was.
    found = ink_threshold(grey)
    grey, whitened = whiten_paper(grey, found)  # a nearly blank page: Tesseract's Otsu needs it
    if whitened:
        steps.append("paper-whitened")
    blobs = ink_components(grey, None if whitened else found[0])
    height = letter_height(blobs)
    if height is not None:  # a signature is read as a few wrong letters
        grey, scribbles = remove_scribbles(grey, blobs, height)
        if scribbles:
            steps.append(f"scribbles-removed-{scribbles}")
    factor = scale_factor(height, grey.shape[0] * grey.shape[1])
    speckled = height is not None and count_specks(blobs, height) >= MIN_SPECKS
    if factor != 1.0:
        grey = rescale(grey, factor)
        steps.append(f"rescaled-x{factor:.2f}")
        if speckled:  # specks are judged at the size Tesseract will see them
            blobs = ink_components(grey)
    if speckled and height is not None:
        # A speck's blurred edge, one pixel around its core, is painted along with it
        # (two pixels read one photocopy's "II." as "H.": bench/ocr_accuracy.py).
        grey, specks = remove_specks(grey, blobs, height * factor, rim=1)
        steps.append(f"specks-removed-{specks}")
        if not whitened:  # the specks were much of the ink: what is left may be too little
            grey, whitened = whiten_paper(grey)
            if whitened:
                steps.append("paper-whitened")
    del blobs
    effective_dpi = round((dpi or ASSUMED_DPI) * factor)
    alternative = None if geometry.certain else (0 if geometry.turn else 180)
    return PreparedPage(image, grey, geometry.turn, skew, effective_dpi, False, factor, steps,
                        alternative)
