"""A nearly blank, speckled photocopy page is measured by its text, not by its specks.

The case comes from the dossier bench (``1.001193-photocopy-00``, seed 20014 of
``bench/dossier_accuracy.py``): the second page of a giấy chứng sinh carries one
line (a name) and about a thousand toner specks on grainy grey paper. Otsu put the
ink threshold inside the paper's grain, the specks set the letter height (6 px),
1,567 "signatures" were removed, the page was blown up ×3 to 36 Mpx and Tesseract
passed the 90-s page limit. Real generator, real Tesseract (two short runs).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.ingest import read_page
from pipeline.ocr_page import ocr_page
from pipeline.options import OcrOptions
from pipeline.preprocess.components import ink_components
from pipeline.preprocess.prepare import prepare_page
from pipeline.preprocess.scale import letter_height
from pipeline.preprocess.sparse import ink_threshold, whiten_paper
from scan_simulator.degrade import blur, gaussian_noise, speckle, uneven_lighting
from scan_simulator.dossiers import make_dossier, write_dossier
from scan_simulator.render import FONT_FILES
from tests.pages import clean_page, grey_array


def _one_line_page(specks: bool) -> np.ndarray:
    """An A4 sheet at 200 dpi, grey paper with grain and a photocopier's mild shading
    (too mild to be flattened, enough to spread the paper's levels), one grey line of
    13-pt text, and (optionally) toner specks of 1-5 px at a photocopy's density."""
    page = Image.new("L", (1654, 2339), 205)
    face = ImageFont.truetype(str(FONT_FILES["NotoSerif"]["regular"]), 36)
    ImageDraw.Draw(page).text((900, 180), "Đặng Thanh Phương", fill=100, font=face)
    rng = np.random.default_rng(7)
    page = blur(uneven_lighting(page, rng, 0.12), 0.7)
    if specks:
        page = speckle(page, rng, 3e-4, 2)
    return grey_array(gaussian_noise(page, rng, 6.0))


def test_specks_do_not_set_the_letter_height() -> None:
    blobs = ink_components(_one_line_page(specks=True))
    # The line's letters (a 36-px em) are 20-32 px tall, its diacritics 5-6 px.
    in_line = (blobs.tops[1:] >= 170) & (blobs.tops[1:] <= 240) & (blobs.lefts[1:] >= 890)
    letters = blobs.heights[1:][in_line & (blobs.heights[1:] >= 15)]
    assert len(letters) >= 10
    # The specks are letter-sized blobs too, and far more numerous: the median of all
    # letter-sized blobs, the old measure, is a speck's height.
    sized = (blobs.heights[1:] >= 4) & (blobs.areas[1:] >= 8)
    assert sized.sum() > 10 * len(letters)
    assert np.median(blobs.heights[1:][sized]) <= 8
    measured = letter_height(blobs)
    assert measured is not None
    assert letters.min() <= measured <= letters.max()


def test_otsu_in_the_paper_grain_is_lowered_and_the_paper_whitened() -> None:
    page = _one_line_page(specks=True)
    otsu, _ = cv2.threshold(page, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    threshold, lowered = ink_threshold(page)
    assert lowered and threshold < otsu - 10
    assert (page <= otsu).mean() > 0.2  # Otsu alone takes a fifth of the paper for ink
    assert (page <= threshold).mean() < 0.01
    white, whitened = whiten_paper(page)
    assert whitened
    assert np.median(white) == 255
    assert white[170:240, 900:1300].min() < 128  # the text stays dark


@pytest.mark.parametrize("seed", [41, 42])
def test_a_page_of_text_is_left_as_otsu_sees_it(seed: int) -> None:
    """Pages with text are the usual case: their threshold and pixels do not change."""
    image, _ = clean_page(seed, "NotoSerif", 13.0)
    page = grey_array(gaussian_noise(image.convert("L"), np.random.default_rng(seed), 4.0))
    otsu, _ = cv2.threshold(page, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    assert ink_threshold(page) == (otsu, False)
    white, whitened = whiten_paper(page)
    assert not whitened and white is page


@pytest.fixture(scope="module")
def sparse_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dossier = make_dossier(20014, "1.001193", complete=True,
                           inconsistent=False, quality="photocopy", shuffle=False,
                           rotate_some=False)
    folder = tmp_path_factory.mktemp("sparse")
    return write_dossier(dossier, folder)[0]


def test_the_dossier_page_is_not_blown_up_and_reads_upright(sparse_page: Path) -> None:
    options = OcrOptions()
    page = read_page(sparse_page, 2, options)
    assert page is not None and page.image is not None
    prepared = prepare_page(page.image, page.dpi, keep_colour=False)
    assert not any(step.startswith("scribbles-removed") for step in prepared.steps)
    assert "paper-whitened" in prepared.steps
    assert 1.0 <= prepared.scale <= 2.0  # a 200-dpi page grows as any other, not ×3
    result = ocr_page(page, 2, options)
    assert result.error is None
    assert result.rotation == 0
    assert result.confidence > 0.8
    words = result.text.split()
    assert 2 <= len(words) <= 6 and all(word[0].isupper() for word in words)
