"""A page read the way the layout cues said, but read as garbage, is tried the other way up.

The case comes from the dossier bench: a phone photo of a card (front and back on
one sheet, seed 71060 of ``bench/dossier_accuracy.py``) whose guilloche pattern made
the orientation cues say "upside down" with certainty; Tesseract then read mirror
garbage (mean confidence 0.25) and no field of the card could be found. Real
Tesseract, the real generator; one dossier, two Tesseract runs.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.ingest import iter_pages
from pipeline.ocr_page import DOUBTFUL_PAGE, ocr_page
from pipeline.options import OcrOptions
from scan_simulator.dossiers import make_dossier, write_dossier


def test_card_photo_misjudged_upside_down_is_read_the_right_way_up(tmp_path: Path) -> None:
    dossier = make_dossier(71060, "1.004873", complete=False, inconsistent=False,
                           quality="photo", shuffle=True, rotate_some=False)
    paths = write_dossier(dossier, tmp_path)
    options = OcrOptions(keep_images=True)
    page = next(iter(iter_pages(Path(paths[0]), options)))
    result = ocr_page(page, 0, options)
    assert "orientation-checked-by-ocr" in result.steps
    assert result.rotation == 0 and "turned-to-0" in result.steps
    assert "CĂN CƯỚC" in result.text
    assert result.confidence > DOUBTFUL_PAGE
    assert result.image is not None and result.image.shape[:2] == (result.height, result.width)
