"""A phone photo of a card photocopy: the sheet is found even when a lit band of the desk
joins it, and the card is read.

The case comes from the dossier bench (``1.000894-photo-00``, seed 11016 of
``bench/dossier_accuracy.py``): a stripe of the desk as bright as paper ran from the
sheet's edge off the photo, the sheet's outline got a fifth corner, no quad fitted
it and the page was read whole, desk included. Tesseract then merged the card's QR
code with its title ("CĂN CƯỚC" read "gu ớc"), the page was not taken for a card and
every card field came out empty. Synthetic photos (no Tesseract) for the outline,
the real generator and real Tesseract for the card.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.ingest import read_page
from pipeline.ocr_page import ocr_page
from pipeline.options import OcrOptions
from pipeline.preprocess.page_crop import find_page_quad
from scan_simulator.dossiers import make_dossier, write_dossier

CORNERS = np.array([[200, 150], [950, 190], [990, 1420], [160, 1390]], np.int32)


def _photo(spur: bool = False, shade: bool = False) -> np.ndarray:
    """A sheet with lines of print on a brown desk (BGR), 1200 × 1600 px.

    `spur`: a band of desk as bright as the paper runs from the sheet's right edge off
    the photo. `shade`: the sheet's lower right corner falls in shade as dark as the
    desk (the sheet is whole, the bright region is not)."""
    image = np.empty((1600, 1200, 3), np.float32)
    image[:] = (70, 90, 110)
    cv2.fillConvexPoly(image, CORNERS, (222, 226, 228))
    for y in range(300, 1300, 45):
        cv2.line(image, (280, y), (860, y + 20), (60, 60, 60), 6)
    if spur:
        cv2.rectangle(image, (940, 700), (1200, 790), (214, 218, 220), -1)
    if shade:
        corner = np.array([[990, 1420], [990, 1270], [860, 1416]], np.int32)
        cv2.fillConvexPoly(image, corner, (95, 105, 118))
    image += np.random.default_rng(5).normal(0, 3, image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def test_a_bright_band_of_desk_joined_to_the_sheet_is_left_out() -> None:
    for spur in (False, True):
        quad = find_page_quad(_photo(spur=spur))
        assert quad is not None
        assert np.abs(quad - CORNERS).max() <= 8  # px, on a 1200-px-wide photo


def test_a_corner_lost_to_shade_is_not_cut_off() -> None:
    """Four of the five corners would fit the bright region as closely, but the quad
    would cut through the sheet: better no crop."""
    assert find_page_quad(_photo(shade=True)) is None


@pytest.fixture(scope="module")
def card_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dossier = make_dossier(11016, "1.000894", complete=True, inconsistent=False,
                           quality="photo", shuffle=False, rotate_some=False)
    paths = write_dossier(dossier, tmp_path_factory.mktemp("card-photo"))
    return paths[1]  # the bride's card, front and back on one photocopied sheet


def test_the_card_photo_is_cropped_to_its_sheet_and_read(card_photo: Path) -> None:
    options = OcrOptions()
    page = read_page(card_photo, 0, options)
    assert page is not None and page.image is not None
    result = ocr_page(page, 1, options)
    assert result.error is None
    assert "page-crop" in result.steps
    assert result.rotation == 0
    assert "CĂN CƯỚC" in result.text
    assert "092304773699" in result.text.replace(" ", "")
