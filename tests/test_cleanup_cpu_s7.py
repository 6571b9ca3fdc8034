"""Less CPU in the page clean-up (#5): one warp deskews and rescales the OCR copy.

The OCR copy used to be deskewed at full size and then rescaled: two resamplings,
the first on the largest image of the page. Now the letters are measured on the
page as it is and one warp puts the OCR copy straight onto its final canvas; the
kept copy is deskewed at full size only when it is kept. These tests check that the
one warp lands where the two did, that the OCR copy does not depend on whether the
colour copy is kept, and that a speck mask handed on removes what a fresh search does.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from pipeline.preprocess.analysis import paper_colour
from pipeline.preprocess.components import ink_components
from pipeline.preprocess.deskew import rotate_by, rotated_size
from pipeline.preprocess.despeckle import find_specks, remove_specks, speck_mask
from pipeline.preprocess.prepare import prepare_page
from pipeline.preprocess.scale import letter_height, rescale
from scan_simulator.content import make_page
from scan_simulator.degrade import make_scan
from scan_simulator.render import render_page
from tests.test_cleanup_s7 import _speckled_sheet


def _reference_rotate(image: np.ndarray, angle_deg: float) -> np.ndarray:
    """rotate_by as it was before it could scale."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -angle_deg, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w = int(height * sin + width * cos + 0.5)
    new_h = int(height * cos + width * sin + 0.5)
    matrix[0, 2] += new_w / 2.0 - width / 2.0
    matrix[1, 2] += new_h / 2.0 - height / 2.0
    return cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=paper_colour(image))


@pytest.fixture(scope="module")
def skewed_office() -> np.ndarray:
    """An office scan the clean-up deskews (+0.40°) and shrinks (x0.67)."""
    image, _ = render_page(make_page(random.Random(63)), font="NotoSerif", size_pt=13.0)
    return np.ascontiguousarray(np.asarray(make_scan(image, "office", 63).image.convert("L")))


def test_rotate_by_without_scale_is_the_old_warp(skewed_office: np.ndarray) -> None:
    part = skewed_office[:900, :700]
    for angle in (0.4, -3.25, 11.0):
        assert np.array_equal(rotate_by(part, angle), _reference_rotate(part, angle))
        assert rotated_size(*part.shape, angle) == rotate_by(part, angle).shape[1::-1]


@pytest.mark.parametrize("factor", [0.73, 1.7])
def test_one_warp_lands_where_deskew_then_rescale_did(skewed_office: np.ndarray,
                                                       factor: float) -> None:
    part = skewed_office[300:1300, 200:1200]
    two_steps = rescale(_reference_rotate(part, 0.55), factor)
    one = rotate_by(part, 0.55, factor)
    assert one.shape == two_steps.shape == rotated_size(*part.shape, 0.55, factor)[::-1]
    # Same place: letters misplaced by a pixel would differ by far more than this.
    difference = np.abs(one.astype(np.int16) - two_steps.astype(np.int16))
    assert float(difference.mean()) < 3.0
    shifted = np.abs(np.roll(one, 1, axis=1).astype(np.int16) - two_steps.astype(np.int16))
    assert float(difference.mean()) < 0.5 * float(shifted.mean())


def test_ocr_copy_is_the_same_whether_or_not_the_page_is_kept(
        skewed_office: np.ndarray) -> None:
    kept = prepare_page(skewed_office, 300, keep_colour=True)
    light = prepare_page(skewed_office, 300, keep_colour=False)
    assert any(step.startswith("deskewed-") for step in light.steps)
    assert any(step.startswith("rescaled-x0.6") for step in light.steps)
    assert np.array_equal(kept.ocr_image, light.ocr_image)
    assert kept.steps == light.steps and kept.scale == light.scale
    # The kept copy is deskewed at full size (bilinear, close to the bicubic warp it
    # was); without it only its size is reported.
    cubic = _reference_rotate(skewed_office, kept.skew)
    assert kept.normalised.shape == cubic.shape
    assert float(np.abs(kept.normalised.astype(np.int16) - cubic).mean()) < 2.0
    assert light.normalised.shape == kept.normalised.shape
    expected = rotated_size(*kept.normalised.shape[:2], 0.0, light.scale)
    assert light.ocr_image.shape[::-1] == rotated_size(*skewed_office.shape, light.skew,
                                                       light.scale) == expected


def test_speck_mask_handed_on_removes_what_a_fresh_search_does() -> None:
    grey = _speckled_sheet()
    blobs = ink_components(grey)
    height = letter_height(blobs) or 20.0
    found = speck_mask(blobs, height)
    assert found is not None and int(found.sum()) > 100
    assert np.array_equal(found, find_specks(blobs, height))
    handed, count = remove_specks(grey, blobs, height, rim=1, specks=found)
    fresh, fresh_count = remove_specks(grey, blobs, height, rim=1)
    assert count == fresh_count == int(found.sum())
    assert np.array_equal(handed, fresh)
