"""Rescaling for Tesseract: small letters grow (within an A4-at-600-dpi budget), big ones shrink."""

from __future__ import annotations

import pytest

from pipeline.preprocess.scale import (
    MAX_OCR_PIXELS,
    MAX_SCALE_UP,
    TARGET_DOWN,
    TARGET_UP,
    scale_factor,
)


def test_small_letters_on_a_small_page_get_the_full_factor() -> None:
    assert scale_factor(10.0, 1_000_000) == MAX_SCALE_UP
    assert scale_factor(17.0, 1_000_000) == pytest.approx(TARGET_UP / 17.0)


@pytest.mark.parametrize("pixels", [4_000_000, 12_000_000, 30_000_000])
def test_an_upscale_never_passes_the_pixel_budget(pixels: int) -> None:
    factor = scale_factor(10.0, pixels)
    assert factor >= 1.0
    assert pixels * factor * factor <= MAX_OCR_PIXELS * 1.0001


def test_letters_in_range_and_large_pages_are_left_alone() -> None:
    assert scale_factor(25.0, 50_000_000) == 1.0
    assert scale_factor(None, 1_000_000) == 1.0
    assert scale_factor(10.0, 50_000_000) == 1.0  # already past the budget: no upscale
    assert scale_factor(140.0, 50_000_000) == pytest.approx(TARGET_DOWN / 140.0)  # may shrink


def test_300_dpi_letters_shrink_and_200_dpi_letters_grow() -> None:
    """Type at 300 dpi (30 px) reads as well at 20 px for less CPU; at 200 dpi (21.6 px) it
    is enlarged well past the minimum, which binarises better."""
    assert scale_factor(30.0, 8_700_000) == pytest.approx(TARGET_DOWN / 30.0)
    assert scale_factor(21.6, 3_900_000) == pytest.approx(TARGET_UP / 21.6)
