"""Orientation, skew, blank pages and page crop on generated pages (no Tesseract: fast)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.preprocess.analysis import rotate_quarter
from pipeline.preprocess.blank import is_blank
from pipeline.preprocess.deskew import rotate_by
from pipeline.preprocess.geometry import find_geometry
from pipeline.preprocess.page_crop import find_page_quad
from pipeline.preprocess.prepare import prepare_page
from scan_simulator.degrade import make_scan
from tests.pages import clean_page, grey_array


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [0.0, 1.7, -3.2])
def test_orientation_and_skew_are_found(turned: int, skew: float) -> None:
    page = grey_array(clean_page(11)[0])
    if skew:
        page = rotate_by(page, -skew)  # rotate_by undoes a skew, so this applies one
    page = rotate_quarter(page, turned)
    geometry = find_geometry(page)
    assert geometry.turn == (360 - turned) % 360
    assert geometry.certain
    assert geometry.skew == pytest.approx(skew, abs=0.15)


def test_prepared_page_reports_what_it_did() -> None:
    page = rotate_quarter(rotate_by(grey_array(clean_page(12)[0]), 2.0), 90)
    prepared = prepare_page(page, 300)
    assert prepared.rotation == 270
    assert prepared.skew == pytest.approx(-2.0, abs=0.15)
    assert "rotated-270" in prepared.steps
    assert not prepared.blank


def test_blank_pages() -> None:
    rng = np.random.default_rng(0)
    paper = np.full((3508, 2480), 245, np.uint8)
    assert is_blank(paper)
    noisy = np.clip(paper + rng.normal(0, 6, paper.shape), 0, 255).astype(np.uint8)
    assert is_blank(noisy)
    with_border = noisy.copy()
    with_border[:, :25] = 20  # the scanner lid's dark edge is not content
    assert is_blank(with_border)
    assert not is_blank(grey_array(clean_page(13)[0]))


def test_photo_sheet_is_found_and_scans_are_left_alone() -> None:
    image, _ = clean_page(14)
    photo = make_scan(image, "photo", seed=14).image
    assert find_page_quad(np.asarray(photo.convert("RGB"))[:, :, ::-1].copy()) is not None
    assert find_page_quad(grey_array(image)) is None
