"""Rescaling for Tesseract: small letters grow, but never past an A4-at-600-dpi budget."""

from __future__ import annotations

import pytest

from pipeline.preprocess.scale import MAX_OCR_PIXELS, MAX_SCALE_UP, scale_factor


def test_small_letters_on_a_small_page_get_the_full_factor() -> None:
    assert scale_factor(10.0, 1_000_000) == MAX_SCALE_UP
    assert scale_factor(17.0, 1_000_000) == pytest.approx(2.0)


@pytest.mark.parametrize("pixels", [4_000_000, 12_000_000, 30_000_000])
def test_an_upscale_never_passes_the_pixel_budget(pixels: int) -> None:
    factor = scale_factor(10.0, pixels)
    assert factor >= 1.0
    assert pixels * factor * factor <= MAX_OCR_PIXELS * 1.0001


def test_letters_in_range_and_large_pages_are_left_alone() -> None:
    assert scale_factor(30.0, 50_000_000) == 1.0
    assert scale_factor(None, 1_000_000) == 1.0
    assert scale_factor(10.0, 50_000_000) == 1.0  # already past the budget: no upscale
    assert scale_factor(140.0, 50_000_000) == pytest.approx(34.0 / 140.0)  # downscale allowed
