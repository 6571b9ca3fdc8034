"""Pages whose OCR failed outright on generated dossiers (issue #3): the causes, one by one."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.preprocess.geometry import find_geometry
from pipeline.preprocess.sparse import stretch_contrast
from pipeline.results import Line, Word
from pipeline.short_lines import doubtful_short_lines, reread_short_lines
from pipeline.tesseract import Recognised, recognise

DATA = Path(__file__).parent / "data"


def _page(paper: int, ink: int, grain: float, seed: int = 0) -> np.ndarray:
    """A grey page with a few lines of text-like bars in ``ink`` on grainy ``paper``."""
    rng = np.random.default_rng(seed)
    page = np.clip(rng.normal(paper, grain, (400, 600)), 0, 255).astype(np.uint8)
    for y in range(40, 360, 40):
        page[y:y + 14, 40:560:9] = ink
    return page


def test_pale_ink_on_grey_paper_is_stretched_to_black_on_white() -> None:
    page = _page(paper=210, ink=92, grain=3.0)
    out, stretched = stretch_contrast(page)
    assert stretched
    assert np.median(out) >= 250  # the paper is white
    assert out[40:54, 40:560:9].max() <= 5  # the letters' core is black
    # Order is kept: darker stays darker (Otsu's split between ink and paper is unmoved).
    order = np.argsort(page.ravel(), kind="stable")
    assert np.all(np.diff(out.ravel()[order].astype(int)) >= 0)


def test_page_with_full_contrast_is_left_alone() -> None:
    page = _page(paper=250, ink=20, grain=2.0)
    out, stretched = stretch_contrast(page)
    assert not stretched
    assert out is page


def test_paper_alone_is_not_stretched_into_noise() -> None:
    """No ink at all: stretching would blow the paper's grain up into black specks."""
    rng = np.random.default_rng(1)
    page = np.clip(rng.normal(220, 4.0, (300, 300)), 0, 255).astype(np.uint8)
    out, stretched = stretch_contrast(page)
    assert not stretched
    assert out is page


@pytest.fixture(scope="module")
def year_alone() -> np.ndarray:
    """The OCR image of a real form (held set, 1.004873-photocopy-01 page 2): "Làm tại: …,
    ngày 13 tháng 07 năm" and the year "2025" wrapped alone to the next line, as handed to
    Tesseract (pale photocopy ink at 95 on grainy paper at 250, 324 dpi)."""
    image = cv2.imread(str(DATA / "year_alone_pale_photocopy.png"), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def _year_line(image: np.ndarray) -> str:
    found = recognise(image, "vie", 324, 60)
    after = [n for n, line in enumerate(found.lines) if line.text.endswith("năm")]
    assert after, found.text
    return found.lines[after[0] + 1].text


def test_lone_year_read_from_grain_before_the_stretch(year_alone: np.ndarray) -> None:
    """The cause: Tesseract's LSTM reads the line's grey pixels, grain and all."""
    assert _year_line(year_alone) != "2025"


def test_lone_year_read_after_the_stretch(year_alone: np.ndarray) -> None:
    stretched, done = stretch_contrast(year_alone)
    assert done
    assert _year_line(stretched) == "2025"


def test_doubtful_lone_year_is_read_again_on_its_own(year_alone: np.ndarray) -> None:
    found = recognise(year_alone, "vie", 324, 60)
    doubtful = doubtful_short_lines(found)
    assert len(doubtful) == 1 and found.lines[doubtful[0]].text != "2025"
    again, changed = reread_short_lines(year_alone, found, "vie", 324, 60)
    assert changed == 1
    line = again.lines[doubtful[0]]
    assert line.text == "2025"
    # The other lines and their words are untouched; the new words sit on the year's pixels.
    assert [x.text for n, x in enumerate(again.lines) if n != doubtful[0]] == [
        x.text for n, x in enumerate(found.lines) if n != doubtful[0]]
    year = [w for w in again.words if w.line == doubtful[0]]
    assert [w.text for w in year] == ["2025"]
    old = found.lines[doubtful[0]].bbox
    assert abs(year[0].bbox[0] - old[0]) < 20 and abs(year[0].bbox[1] - old[1]) < 20
    assert again.confidence > found.confidence


def test_page_of_sure_lines_is_not_read_again() -> None:
    """A page Tesseract is sure of costs no extra run."""
    found = Recognised([Word("2025", 0.95, (0, 0, 40, 12), 0)],
                       [Line("2025", (0, 0, 40, 12))], "2025", 0.95)
    assert doubtful_short_lines(found) == []
    assert reread_short_lines(np.zeros((20, 50), np.uint8), found, "vie", 300, 10) == (found, 0)


def test_card_lines_beat_a_sheet_edge_broken_into_dashes() -> None:
    """A phone photo of two cards copied on a sheet (third set, 1.014061-photo-02), as the
    geometry search sees it: the sheet's left edge, broken into letter-sized dashes by the
    desk's shade, made the sharper profile (sideways, 2 long lines) against the cards'
    8 long text lines along the rows. The upright card was turned 90° and read as 2 lines."""
    ink = cv2.imread(str(DATA / "card_photo_sheet_edge_ink.png"), cv2.IMREAD_GRAYSCALE)
    assert ink is not None
    geometry = find_geometry(ink)
    assert geometry.turn in (0, 180)
    assert not geometry.certain  # few lines: OCR still checks which end is up
