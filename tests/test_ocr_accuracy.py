"""Real Tesseract on generated Vietnamese pages: character error rate per kind of scan.

The thresholds are the issue's targets with a small margin for single pages;
bench/ocr_accuracy.py measures the same over many pages.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.api import ocr_paths
from pipeline.options import OcrOptions
from scan_simulator import cer
from tests.pages import scanned_file

CASES = [
    # kind, seed, extra quarter turn, highest CER accepted for our text
    ("clean", 21, None, 0.015),
    ("office", 22, None, 0.015),
    ("photocopy", 23, None, 0.02),
    ("colour", 24, None, 0.02),
    ("photo", 25, None, 0.03),
    ("fax", 26, None, 0.03),
    ("office", 27, 90, 0.02),
    ("office", 28, 180, 0.02),
    ("office", 29, 270, 0.02),
    # The issue's own photocopy figure (raw Tesseract about 0.7 %) and its 1 % target.
    ("photocopy-200dpi", 30, None, 0.01),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, str]]:
    folder = tmp_path_factory.mktemp("scans")
    files = [scanned_file(folder, kind, seed, turn) for kind, seed, turn, _ in CASES]
    read = ocr_paths([path for path, _ in files], OcrOptions(jobs=2))
    out = {}
    for (kind, seed, turn, _), (path, truth), result in zip(CASES, files, read, strict=True):
        assert result.error is None, result.error
        out[f"{kind}-{seed}-{turn}"] = (path, truth, result.pages[0].text)
    return out


@pytest.mark.parametrize(("kind", "seed", "turn", "limit"), CASES,
                         ids=[f"{k}-{t or 0}" for k, _, t, _ in CASES])
def test_character_error_rate(results: dict, kind: str, seed: int, turn: int | None,
                              limit: float) -> None:
    _, truth, text = results[f"{kind}-{seed}-{turn}"]
    assert cer(truth, text) <= limit, text[:400]


def test_upside_down_page_that_raw_tesseract_cannot_read(results: dict) -> None:
    """The raw engine fails on a page fed upside down; ours must read it."""
    path, truth, text = results["office-28-180"]
    raw = subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True,
                         text=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
                         check=True).stdout
    assert cer(truth, raw) > 0.05
    assert cer(truth, text) < cer(truth, raw) / 10
