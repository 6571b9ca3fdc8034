"""`dossier ocr` as the contract fixes it: JSON shape, NFC text, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

from PIL import Image

from scan_simulator.degrade import save
from tests.pages import clean_page

DOSSIER = Path(sys.executable).parent / "dossier"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DOSSIER), *args], capture_output=True, text=True, timeout=300)


def test_help_for_every_subcommand() -> None:
    assert run("--help").returncode == 0
    assert "ocr" in run("ocr", "--help").stdout


def test_json_output_matches_the_contract(tmp_path: Path) -> None:
    image, _ = clean_page(31)
    tiff = tmp_path / "two-pages.tif"
    save([image.convert("L"), image.convert("L").rotate(180)], tiff, (300, 300))
    bad = tmp_path / "note.pdf"
    bad.write_text("không phải PDF", encoding="utf-8")
    proc = run("ocr", "--json", str(tiff), str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    (error_line,) = proc.stderr.strip().splitlines()
    assert "note.pdf" in error_line and "not-a-document" in error_line
    report = json.loads(proc.stdout)
    first, second = report["files"]
    assert first["error"] is None and len(first["pages"]) == 2
    assert second["error"]["kind"] == "not-a-document" and second["pages"] == []
    assert [p["index"] for p in report["pages"]] == [0, 1]
    for page in report["pages"]:
        assert set(page) >= {"index", "source", "text", "confidence", "rotation",
                             "skew_degrees", "dpi", "blank"}
        assert page["source"] == "ocr"
        assert page["text"] == unicodedata.normalize("NFC", page["text"])
        assert 0.0 <= page["confidence"] <= 1.0
        assert page["dpi"] == 300
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page["text"]
    assert [p["rotation"] for p in report["pages"]] == [0, 180]


def test_exif_orientation_and_fax_resolution(tmp_path: Path) -> None:
    image, _ = clean_page(32)
    photo = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held sideways: view rotated 90° clockwise
    image.convert("RGB").rotate(90, expand=True).save(photo, quality=90, exif=exif)
    fax = tmp_path / "fax.tif"
    half_height = image.convert("L").resize((image.width * 2 // 3, image.height // 3))
    save(half_height.point(lambda v: 255 if v > 150 else 0).convert("1"), fax, (200, 100))
    proc = run("ocr", "--json", str(photo), str(fax))
    assert proc.returncode == 0, proc.stderr
    pages = json.loads(proc.stdout)["pages"]
    assert pages[0]["rotation"] == 0  # EXIF already made it upright
    assert "exif-orientation-6" in pages[0]["preprocessing"]
    assert pages[1]["dpi"] == 200
    assert pages[1]["width"] / pages[1]["height"] == pytest_approx(image.width / image.height)
    for page in pages:
        assert "CỘNG HÒA" in page["text"]


def pytest_approx(value: float) -> object:
    import pytest

    return pytest.approx(value, rel=0.02)


def test_blank_and_text_layer_pages(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (2480, 3508), 250).save(blank, dpi=(300, 300))
    proc = run("ocr", "--json", str(blank))
    assert proc.returncode == 0
    (page,) = json.loads(proc.stdout)["pages"]
    assert page["blank"] is True and page["text"] == ""


def test_bad_configuration_is_a_clear_error(tmp_path: Path) -> None:
    proc = subprocess.run([str(DOSSIER), "ocr", str(tmp_path)], capture_output=True, text=True,
                          env={"DOSSIER_OCR_JOBS": "zero", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "jobs" in proc.stderr


def test_limits_are_configurable_and_give_too_large(tmp_path: Path) -> None:
    image, _ = clean_page(33)
    tiff = tmp_path / "stack.tif"
    save([image.convert("L"), image.convert("L")], tiff, (300, 300))
    for variable, value in [("DOSSIER_OCR_MAX_PAGES", "1"),
                            ("DOSSIER_OCR_MAX_PAGE_PIXELS", "1000000"),
                            ("DOSSIER_OCR_MAX_FILE_BYTES", "1000")]:
        proc = subprocess.run([str(DOSSIER), "ocr", "--json", str(tiff)], capture_output=True,
                              text=True, env={"PATH": "/usr/bin:/bin", variable: value})
        assert proc.returncode == 2, variable
        assert json.loads(proc.stdout)["files"][0]["error"]["kind"] == "too-large", variable
        assert "Traceback" not in proc.stderr


def test_page_time_limit_kills_tesseract(tmp_path: Path) -> None:
    image, _ = clean_page(34)
    page = tmp_path / "page.png"
    image.save(page, dpi=(300, 300))
    proc = subprocess.run([str(DOSSIER), "ocr", "--json", str(page)], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin",
                                          "DOSSIER_OCR_PAGE_TIMEOUT_S": "0.2"})
    assert proc.returncode == 2
    (page_result,) = json.loads(proc.stdout)["pages"]
    assert page_result["error"]["kind"] == "too-large"
    assert "longer than" in page_result["error"]["message"]
    leftover = subprocess.run(["pgrep", "-f", f"tesseract {tmp_path}"], capture_output=True)
    assert leftover.returncode == 1  # no Tesseract process left behind
