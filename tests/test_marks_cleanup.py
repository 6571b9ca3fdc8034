"""Clean-up of marks that are not print: signatures, seals and toner specks (no Tesseract).

Each test checks both sides: the mark goes, and the letters, diacritics and
punctuation next to it stay.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from pipeline.preprocess.components import Components, ink_components
from pipeline.preprocess.despeckle import find_specks, remove_specks
from pipeline.preprocess.scale import letter_height
from pipeline.preprocess.scribble import find_scribbles, remove_scribbles
from pipeline.preprocess.seal import grey_without_seals
from scan_simulator.degrade import red_seal, speckle
from tests.pages import clean_page, grey_array


def _letters(blobs: Components, height: float) -> int:
    """Blobs shaped like a letter: what no clean-up step may take away."""
    fill = blobs.areas / np.maximum(1, blobs.heights * blobs.widths)
    return int(((blobs.heights[1:] >= 0.5 * height) & (blobs.heights[1:] <= 1.7 * height)
                & (blobs.widths[1:] <= 1.6 * height) & (fill[1:] >= 0.3)).sum())


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    """A clean grey form page at 300 dpi: text, diacritics, punctuation, two signatures."""
    image, _ = clean_page(41, "NotoSerif", 13.0)
    return grey_array(image)


def test_signatures_go_and_letters_stay(page: np.ndarray) -> None:
    blobs = ink_components(page)
    height = letter_height(blobs)
    assert height is not None
    assert len(find_scribbles(blobs, height)) >= 1
    cleaned, removed = remove_scribbles(page, blobs, height)
    assert removed >= 1
    after = ink_components(cleaned)
    assert len(find_scribbles(after, height)) == 0
    tall = (after.heights[1:] >= 2.2 * height) & (after.widths[1:] >= 1.5 * height)
    assert not tall.any()
    assert _letters(after, height) == _letters(blobs, height)


def test_clean_page_keeps_every_diacritic_and_full_stop(page: np.ndarray) -> None:
    small = cv2.resize(page, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA)
    for grey in (page, small):
        blobs = ink_components(grey)
        height = letter_height(blobs)
        assert height is not None
        assert int(find_specks(blobs, height).sum()) == 0


def test_specks_beside_letters_go(page: np.ndarray) -> None:
    """Toner dots in word gaps and at mid-height beside letters are removed, marks are kept."""
    blobs = ink_components(page)
    height = letter_height(blobs)
    assert height is not None
    marks = int(((blobs.heights <= 0.3 * height) & (blobs.widths <= 0.3 * height)).sum()) - 1
    dotted = grey_array(speckle(Image.fromarray(page), np.random.default_rng(3), 3e-4, 2))
    spotted = ink_components(dotted)
    tiny = (spotted.heights <= 0.3 * height) & (spotted.widths <= 0.3 * height)
    added = int(tiny.sum()) - 1 - marks
    assert added > 500
    cleaned, removed = remove_specks(dotted, spotted, height)
    # Nearly all added dots go; the few that land where a diacritic or a full
    # stop would be cannot be told apart and stay.
    assert removed >= 0.9 * added
    after = ink_components(cleaned)
    left = (after.heights <= 0.3 * height) & (after.widths <= 0.3 * height)
    assert int(left.sum()) - 1 >= marks  # no mark of the print went with them
    # A dot landing on a letter merges with it and changes its shape: a few at most.
    assert _letters(after, height) >= 0.99 * _letters(blobs, height)


def test_seal_and_blue_signature_fade_but_text_under_them_stays(page: np.ndarray) -> None:
    rgb = Image.fromarray(cv2.cvtColor(page, cv2.COLOR_GRAY2RGB))
    text = page < 100
    rows, cols = np.nonzero(text)
    centre = (int(np.median(cols)), int(np.median(rows)))  # over the body text
    stamped = np.asarray(red_seal(rgb, np.random.default_rng(7), centre=centre)).copy()
    # A dark-blue ballpoint stroke across empty paper at the bottom.
    cv2.line(stamped, (300, page.shape[0] - 120), (1200, page.shape[0] - 160), (28, 42, 120), 4)
    bgr = cv2.cvtColor(stamped, cv2.COLOR_RGB2BGR)
    grey, faded = grey_without_seals(bgr)
    assert faded
    seal_only = (np.abs(stamped[:, :, 0].astype(int) - stamped[:, :, 1]) > 60) & ~cv2.dilate(
        text.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    assert seal_only.sum() > 5000
    # Plain conversion leaves the seal mid-grey; faded, it is nearly paper.
    assert float(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)[seal_only].mean()) < 170
    assert float(grey[seal_only].mean()) > 235
    pen = np.zeros(page.shape, np.uint8)
    cv2.line(pen, (300, page.shape[0] - 120), (1200, page.shape[0] - 160), 1, 2)
    assert float(grey[pen > 0].mean()) > 200
    # Print under the seal stays dark enough to read.
    ys, xs = np.mgrid[:page.shape[0], :page.shape[1]]
    under = text & (np.hypot(xs - centre[0], ys - centre[1]) < 0.07 * page.shape[1])
    assert under.sum() > 2000
    plain = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    assert float(grey[under].mean()) < 90
    assert float(grey[under].mean()) < float(plain[under].mean()) + 30
