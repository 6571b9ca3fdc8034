"""Compose the clean-up steps for one page: measure first, apply only what the page needs.

Returns two images: the *normalised* page (upright, deskewed, flattened, in its
own colours: the copy we store and draw boxes on) and the *OCR* image (grey,
seal removed, lighting flattened, rescaled for Tesseract).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.preprocess.analysis import ANALYSIS_SIDE, downscale, rotate_quarter, to_grey
from pipeline.preprocess.blank import is_blank
from pipeline.preprocess.components import Components, ink_components
from pipeline.preprocess.deskew import rotate_by, rotated_size
from pipeline.preprocess.despeckle import MIN_SPECKS, remove_specks, speck_mask
from pipeline.preprocess.geometry import find_geometry
from pipeline.preprocess.lighting import estimate_paper, flatten_lighting, lighting_is_uneven
from pipeline.preprocess.page_crop import find_page_quad, flatten_page
from pipeline.preprocess.scale import letter_height, rescale, scale_factor
from pipeline.preprocess.scribble import remove_scribbles
from pipeline.preprocess.seal import grey_without_seals
from pipeline.preprocess.sparse import ink_threshold, whiten_paper

MIN_SKEW = 0.3  # degrees; below this resampling costs Tesseract more than the skew does
ASSUMED_DPI = 300
# The kept copy's full-size deskew: bilinear costs a third of bicubic (~35 of ~95 ms CPU on
# an A4 page at 300 dpi); Tesseract never sees it (its copy is warped apart, bicubic), and
# for a turn of a few degrees at the same scale a person reading it cannot tell the two.
KEPT_INTERPOLATION = cv2.INTER_LINEAR


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


def _measure(grey: np.ndarray) -> tuple[np.ndarray, bool, Components, float | None, list[str]]:
    """Paper whitened if Otsu would split its grain, the ink's blobs, the letter height,
    signatures painted out: (grey, whitened, blobs, letter height, steps)."""
    steps = []
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
    return grey, whitened, blobs, height, steps


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
    deskew = abs(skew) >= MIN_SKEW
    if deskew:
        # Only the kept copy is deskewed at full size; the OCR copy is deskewed and
        # rescaled by one warp below, its letters measured on the page as it is
        # (a skew of a few degrees changes a letter's box height by under a pixel):
        # ~75 ms CPU less per A4 page at 300 dpi (bench/preprocess_speed.py --office).
        image = rotate_by(image, skew, interpolation=KEPT_INTERPOLATION) if keep_colour else image
        steps.append(f"deskewed-{skew:+.2f}")
    # What normalised was before: the grey page before rescaling, never written into.
    straight = grey

    grey, whitened, blobs, height, marks = _measure(grey)
    size = rotated_size(*grey.shape[:2], skew) if deskew else grey.shape[1::-1]
    factor = scale_factor(height, size[0] * size[1])
    warped = False
    if deskew and factor > 1.0:
        # Small letters (150-200 dpi, fax): deskewed at full size and measured there as
        # before; the one warp read them a little worse (bench/ocr_accuracy.py: fax,
        # 200-dpi copies), and their pages are the smaller ones anyway.
        grey, whitened, blobs, height, marks = _measure(rotate_by(straight, skew))
        factor = scale_factor(height, grey.shape[0] * grey.shape[1])
        warped = True
    steps += marks
    specks = None if height is None else speck_mask(blobs, height)
    speckled = specks is not None and int(specks.sum()) >= MIN_SPECKS
    if deskew and not warped:
        if factor < 1.0:  # a warp samples, it cannot average: blurred as much first
            sigma = 0.5 * (1.0 / factor ** 2 - 1.0) ** 0.5
            grey = cv2.GaussianBlur(grey, (3, 3), sigma)
        grey = rotate_by(grey, skew, factor)
    elif factor != 1.0:
        grey = rescale(grey, factor)
    if factor != 1.0:
        steps.append(f"rescaled-x{factor:.2f}")
    if speckled and (deskew or factor != 1.0):  # specks are judged at the size Tesseract
        blobs, specks = ink_components(grey), None  # will see them, on the page it sees
    if not keep_colour:
        # Only the size of the normalised page is used then: a white stand-in of
        # that size, not a full-resolution warp of a copy nobody keeps.
        image = (np.broadcast_to(np.uint8(255), (size[1], size[0])) if deskew
                 else straight)
    if speckled and height is not None:
        # A speck's blurred edge, one pixel around its core, is painted along with it
        # (two pixels read one photocopy's "II." as "H.": bench/ocr_accuracy.py).
        grey, removed = remove_specks(grey, blobs, height * factor, rim=1, specks=specks)
        steps.append(f"specks-removed-{removed}")
        if not whitened:  # the specks were much of the ink: what is left may be too little
            grey, whitened = whiten_paper(grey)
            if whitened:
                steps.append("paper-whitened")
    del blobs
    effective_dpi = round((dpi or ASSUMED_DPI) * factor)
    alternative = None if geometry.certain else (0 if geometry.turn else 180)
    return PreparedPage(image, grey, geometry.turn, skew, effective_dpi, False, factor, steps,
                        alternative)
