"""A page whose geometry was misjudged is read as it came when both readings are garbage.

The case is ``sparse-photocopy-0`` of ``bench/ocr_accuracy.py`` at seed 1: one line of a
form on a photocopied sheet, upright, yet the geometry turned it 270° and deskewed it
−8.5° (too few lines to be sure). The other way up kept the −8.5° skew, so both
readings were garbage (CER 100 %). The real generator with the bench's parameters; real
Tesseract, three runs on one short line.
"""

from __future__ import annotations

import random
from pathlib import Path

from pipeline.ingest import read_page
from pipeline.ocr_page import DOUBTFUL_PAGE, ocr_page
from pipeline.options import OcrOptions
from scan_simulator import cer
from scan_simulator.content import PageSpec, make_page
from scan_simulator.degrade import KIND_FORMATS, make_scan, save
from scan_simulator.render import render_page


def _sparse_photocopy(folder: Path) -> tuple[Path, str]:
    """``sparse-photocopy-0`` of seed 1, made as the bench makes it, and its text."""
    rng = random.Random("1-sparse-photocopy-0")
    size = rng.choice((12.5, 13.0, 13.5, 14.0))
    spec = make_page(rng)
    start = rng.randrange(len(spec.lines) - 1)
    lines = spec.lines[start:start + rng.choice((1, 2))]
    image, truth = render_page(PageSpec(spec.doc_type, spec.title, lines), "NotoSerif", size)
    scan = make_scan(image, "photocopy", rng.randrange(2**32))
    path = save(scan.image, folder / f"sparse{KIND_FORMATS['photocopy']}", scan.dpi)
    return path, truth


def test_a_misjudged_sparse_page_is_read_as_it_came(tmp_path: Path) -> None:
    path, truth = _sparse_photocopy(tmp_path)
    options = OcrOptions(keep_images=True)
    page = read_page(path, 0, options)
    assert page is not None
    result = ocr_page(page, 0, options)
    assert result.error is None
    assert "geometry-undone" in result.steps
    assert result.rotation == 0 and result.skew_degrees == 0.0
    assert result.confidence > DOUBTFUL_PAGE
    assert cer(truth, result.text) < 0.05
    assert result.image is not None and result.image.shape[:2] == (result.height, result.width)
