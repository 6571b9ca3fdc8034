"""The clean-up's CPU savings change nothing it decides: same thresholds, angles, blobs.

Each cheaper form is checked against the form it replaced, on real generated pages
(an office scan and a speckled, nearly blank photocopy whose Otsu level is lowered).
"""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from pipeline.preprocess.components import ink_components
from pipeline.preprocess.deskew import _profile_score, search_skew
from pipeline.preprocess.geometry import text_mask
from pipeline.preprocess.prepare import prepare_page
from pipeline.preprocess.sparse import MIN_CONTRAST, PAPER_NOISE, ink_threshold, whiten_paper
from scan_simulator.content import make_page
from scan_simulator.degrade import make_scan
from scan_simulator.render import render_page
from tests.test_sparse_page import _one_line_page


def _reference_threshold(grey: np.ndarray) -> tuple[float, bool]:
    """ink_threshold as it was: np.bincount over every other pixel."""
    otsu, _ = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    counts = np.bincount(grey[::2, ::2].ravel(), minlength=256).cumsum()
    paper = int(np.searchsorted(counts, 0.5 * counts[-1]))
    bright = int(np.searchsorted(counts, 0.9 * counts[-1]))
    limit = paper - max(MIN_CONTRAST, PAPER_NOISE * (bright - paper) / 1.2816)
    return (float(limit), True) if otsu > limit else (float(otsu), False)


def _reference_score(ys: np.ndarray, xs: np.ndarray, angle: float, bins: int) -> float:
    theta = np.deg2rad(angle)
    projected = ys * np.cos(theta) + xs * np.sin(theta)
    projected -= projected.min()
    diff = np.diff(np.bincount(projected.astype(np.int32), minlength=bins).astype(np.float64))
    return float(np.dot(diff, diff))


@pytest.fixture(scope="module")
def office() -> np.ndarray:
    image, _ = render_page(make_page(random.Random(3)), font="NotoSerif", size_pt=13.0)
    scan = make_scan(image, "office", 3)
    grey = np.asarray(scan.image.convert("L"))
    return np.ascontiguousarray(grey)


def _sparse_page() -> np.ndarray:
    """One line of text on grainy grey paper with toner specks: Otsu splits the grain."""
    return _one_line_page(specks=True)


def test_ink_threshold_matches_the_bincount_form(office: np.ndarray) -> None:
    sparse = _sparse_page()
    assert ink_threshold(sparse)[1], "the sparse page must take the lowered-threshold path"
    for grey in (office, sparse, office[:, :-1], np.full((40, 30), 200, np.uint8)):
        assert ink_threshold(grey) == _reference_threshold(grey)


def test_shared_threshold_gives_the_same_whitening_and_blobs(office: np.ndarray) -> None:
    for grey in (office, _sparse_page()):
        found = ink_threshold(grey)
        white, whitened = whiten_paper(grey, found)
        again, whitened_again = whiten_paper(grey)
        assert whitened == whitened_again and np.array_equal(white, again)
        shared = ink_components(white, None if whitened else found[0])
        fresh = ink_components(white)
        assert np.array_equal(shared.labels, fresh.labels)
        assert np.array_equal(shared.areas, fresh.areas)


def test_skew_scores_with_scratch_rows_are_bit_identical(office: np.ndarray) -> None:
    small = cv2.resize(office, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA)
    mask = text_mask(small)
    ys, xs = (a.astype(np.float64) for a in np.nonzero(mask))
    bins = int(np.hypot(*mask.shape)) + 2
    work = np.empty((2, ys.size))
    for angle in (-15.0, -2.35, 0.0, 0.05, 1.5, 7.25):
        assert _profile_score(ys, xs, angle, bins, work) == _reference_score(ys, xs, angle, bins)
    found = search_skew(mask)
    assert abs(found.angle) < 3.0 and found.score > found.baseline


def test_prepared_page_is_unchanged_by_the_shared_threshold(office: np.ndarray) -> None:
    """The whole clean-up, run twice, gives the same OCR image (no hidden state)."""
    first = prepare_page(office, 300, keep_colour=False)
    second = prepare_page(office.copy(), 300, keep_colour=False)
    assert first.steps == second.steps
    assert np.array_equal(first.ocr_image, second.ocr_image)
