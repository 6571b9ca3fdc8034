"""A phone photo of an upright card photocopy is neither turned sideways nor skewed by 7°.

The case is ``card-photo-0`` of ``bench/ocr_accuracy.py`` (seed 0): the sheet's edge,
broken into letter-sized dashes by the desk's shadows, gave the column profile a sharper
peak (at −7.5°) than the cards' short text lines gave the row profile. The page was turned
90° and deskewed −7.5°, and Tesseract read garbage whichever way up (0 of 4 card values).
The real generator with the bench's parameters; real Tesseract once.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.ingest import read_page
from pipeline.ocr_page import ocr_page
from pipeline.options import OcrOptions
from pipeline.preprocess.prepare import prepare_page
from scan_simulator.cards import make_card, make_citizen, render_photocopy
from scan_simulator.degrade import KIND_FORMATS, make_scan, save


@pytest.fixture(scope="module")
def card_photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``card-photo-0`` exactly as the bench makes it, and the card's number."""
    rng = random.Random("0-card-photo-0")
    card = make_card(rng, make_citizen(rng))
    image = render_photocopy(card, 300, rng.choice((1.0, 1.25, 1.5)), "NotoSans",
                             rng.randrange(2**16)).convert("RGB")
    scan = make_scan(image, "photo", rng.randrange(2**32))
    folder = tmp_path_factory.mktemp("card-geometry")
    path = save(scan.image, folder / f"card-photo-0{KIND_FORMATS['photo']}", scan.dpi)
    return path, card.holder.id_number


def test_the_sheet_edge_does_not_turn_the_card_sideways(card_photo: tuple[Path, str]) -> None:
    page = read_page(card_photo[0], 0, OcrOptions())
    assert page is not None and page.image is not None
    prepared = prepare_page(page.image, page.dpi, keep_colour=False)
    assert prepared.rotation == 0
    assert abs(prepared.skew) < 3.0
    assert prepared.alternative_turn is None  # sure enough: no second Tesseract run


def test_the_card_photo_is_read(card_photo: tuple[Path, str]) -> None:
    path, number = card_photo
    options = OcrOptions()
    page = read_page(path, 0, options)
    assert page is not None
    result = ocr_page(page, 0, options)
    assert result.error is None
    assert "CĂN CƯỚC" in result.text
    assert number in result.text.replace(" ", "")
