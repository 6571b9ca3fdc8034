"""The clean-up's shortcuts give the same answers as the long way round.

Cheap two-step downscaling and cutting the blank margins before Tesseract.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pipeline.api import ocr_paths
from pipeline.options import OcrOptions
from pipeline.preprocess.analysis import downscale, ink_mask
from pipeline.preprocess.page_crop import crop_to_text
from tests.pages import clean_page, grey_array


@pytest.mark.parametrize("side", [1200, 1000, 600, 300])
def test_two_step_downscale_matches_a_plain_area_resize(side: int) -> None:
    page = grey_array(clean_page(13)[0])
    small, factor = downscale(page, side)
    height, width = page.shape
    size = (round(width * factor), round(height * factor))
    assert max(small.shape) == side
    assert (small.shape[1], small.shape[0]) == size
    plain = cv2.resize(page, size, interpolation=cv2.INTER_AREA)
    # The same amount of ink in the same place (darkness-weighted centroid): the
    # two filters differ only in how they blur a stroke's edge.
    ours, theirs = 255.0 - small, 255.0 - plain.astype(np.float64)
    assert abs(ours.sum() - theirs.sum()) < 0.005 * theirs.sum()
    for axis in (0, 1):
        where = np.arange(small.shape[1 - axis])
        shift = (np.dot(ours.sum(axis=axis), where) / ours.sum()
                 - np.dot(theirs.sum(axis=axis), where) / theirs.sum())
        assert abs(shift) < 0.5
    assert float(np.abs(small.astype(np.int16) - plain).mean()) < 5.0


def test_downscale_leaves_small_images_alone() -> None:
    tiny = np.full((300, 200), 255, np.uint8)
    small, factor = downscale(tiny, 1200)
    assert small is tiny and factor == 1.0


def test_crop_keeps_every_letter_and_drops_the_margins() -> None:
    page = grey_array(clean_page(13)[0])
    cut, (left, top) = crop_to_text(page)
    assert cut.size < 0.85 * page.size
    assert np.array_equal(cut, page[top:top + cut.shape[0], left:left + cut.shape[1]])
    ink = ink_mask(page)
    outside = ink.copy()
    outside[top:top + cut.shape[0], left:left + cut.shape[1]] = 0
    assert int(outside.sum()) == 0


def test_crop_leaves_blank_and_edge_to_edge_pages_whole() -> None:
    paper = np.full((2000, 1400), 250, np.uint8)
    assert crop_to_text(paper)[1] == (0, 0) and crop_to_text(paper)[0] is paper
    framed = paper.copy()
    framed[:, :30] = 0  # a scanner's dark border reaching top and bottom
    framed[:30, :] = 0
    framed[-30:, :] = 0
    framed[:, -30:] = 0
    assert crop_to_text(framed)[0] is framed


def test_word_boxes_point_at_the_words_after_the_margin_cut(tmp_path: Path) -> None:
    full = grey_array(clean_page(16)[0])
    # The heading lines only (a short OCR run), cut on a row of plain paper: a line cut
    # through its letters reads as garbage that need not come out the same twice.
    paper_rows = np.flatnonzero(full.min(axis=1) > 200)
    page = full[:int(paper_rows[paper_rows >= 900][0])]
    padded = np.full((page.shape[0] + 700, page.shape[1] + 500), 255, np.uint8)
    padded[700:, 500:] = page
    paths = []
    for name, image in (("plain", page), ("padded", padded)):
        paths.append(tmp_path / f"{name}.png")
        Image.fromarray(image).save(paths[-1], dpi=(300, 300))
    plain, moved = ocr_paths(paths, OcrOptions(jobs=2))
    words = plain.pages[0].words
    assert len(words) >= 5
    assert [w.text for w in moved.pages[0].words] == [w.text for w in words]
    for before, after in zip(words, moved.pages[0].words, strict=True):
        expected = (before.bbox[0] + 500, before.bbox[1] + 700,
                    before.bbox[2] + 500, before.bbox[3] + 700)
        assert max(abs(a - b) for a, b in zip(after.bbox, expected, strict=True)) <= 2
