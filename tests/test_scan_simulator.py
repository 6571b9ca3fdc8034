"""Fast checks of the scan simulator (no Tesseract): determinism, ground truth, kinds, CER."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scan_simulator import cer, normalise_for_cer
from scan_simulator.content import DOC_TYPES, MOTTO, NATIONAL_HEADER, TITLES, make_page
from scan_simulator.degrade import KINDS, Scan, make_scan, quarter_turn, save
from scan_simulator.render import render_document, render_page

A4_300 = (2480, 3508)


@pytest.fixture(scope="module")
def page() -> tuple[Image.Image, str]:
    return render_page(make_page(random.Random(11), "to_khai_khai_sinh"), "NotoSerif", 13)


@pytest.fixture(scope="module")
def scans(page: tuple[Image.Image, str]) -> dict[str, Scan]:
    return {kind: make_scan(page[0], kind, 5) for kind in KINDS}


# ---------------------------------------------------------------- content and render


def test_content_is_deterministic_per_seed() -> None:
    assert make_page(random.Random(3)) == make_page(random.Random(3))
    assert make_page(random.Random(3)) != make_page(random.Random(4))


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_every_form_has_header_title_and_nfc_text(doc_type: str) -> None:
    spec = make_page(random.Random(1), doc_type)
    assert spec.doc_type == doc_type
    assert spec.title == TITLES[doc_type]
    texts = [line.text for line in spec.lines]
    assert texts[:3] == [NATIONAL_HEADER, MOTTO, TITLES[doc_type]]
    for text in texts:
        assert unicodedata.is_normalized("NFC", text)


def test_render_is_deterministic() -> None:
    spec = make_page(random.Random(21))
    a_img, a_truth = render_page(spec, "DejaVuSerif", 13.5)
    b_img, b_truth = render_page(make_page(random.Random(21)), "DejaVuSerif", 13.5)
    assert a_truth == b_truth
    assert a_img.tobytes() == b_img.tobytes()


@pytest.mark.parametrize("font", ["NotoSerif", "DejaVuSerif"])
@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_ground_truth_holds_every_line_and_fits(doc_type: str, font: str) -> None:
    spec = make_page(random.Random(2), doc_type)
    image, truth = render_page(spec, font, 14.0, dpi=150)
    assert image.mode == "RGB"
    assert image.size == (1240, 1754)
    assert unicodedata.is_normalized("NFC", truth)
    assert 25 <= len(truth.splitlines()) <= 36
    flat = normalise_for_cer(truth)
    for line in spec.lines:
        assert normalise_for_cer(line.text) in flat
        assert normalise_for_cer(line.right) in flat
    ink = np.asarray(image.convert("L")) < 128
    assert ink.any()
    assert not ink[:, -50:].any(), "text runs into the right edge"
    assert not ink[-60:, :].any(), "text runs off the bottom"


def test_long_document_spans_two_pages() -> None:
    spec = make_page(random.Random(5), "giay_uy_quyen", long=True)
    pages = render_document(spec, "NotoSerif", 13.0, dpi=100)
    assert len(pages) == 2
    both = normalise_for_cer("\n".join(truth for _, truth in pages))
    for line in spec.lines:
        assert normalise_for_cer(line.text) in both
    with pytest.raises(ValueError, match="pages"):
        render_page(spec, "NotoSerif", 13.0, dpi=100)


# ---------------------------------------------------------------- kinds


EXPECTED = {  # kind: (mode, dpi, size or None when it varies)
    "clean": ("RGB", (300, 300), A4_300),
    "office": ("L", (300, 300), A4_300),
    "photocopy": ("L", (200, 200), (1653, 2339)),
    "colour": ("RGB", (300, 300), A4_300),
    "photo": ("RGB", None, None),
    "fax": ("1", (200, 100), (1653, 1169)),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_kind_mode_dpi_and_size(kind: str, scans: dict[str, Scan]) -> None:
    mode, dpi, size = EXPECTED[kind]
    scan = scans[kind]
    assert scan.image.mode == mode
    assert scan.dpi == dpi
    assert scan.params["kind"] == kind
    if size is not None:
        assert scan.image.size == size


def test_colour_scan_has_a_red_seal(scans: dict[str, Scan]) -> None:
    rgb = np.asarray(scans["colour"].image).astype(int)
    red = (rgb[..., 0] - rgb[..., 1] > 80) & (rgb[..., 0] > 120)
    assert red.sum() > 2000


def test_photo_shows_the_desk_around_a_2000_to_2500_px_page(scans: dict[str, Scan]) -> None:
    scan = scans["photo"]
    assert 2000 <= scan.params["page_width_px"] <= 2500
    assert scan.image.width > scan.params["page_width_px"]
    corners = np.asarray(scan.image.convert("L"))[:40, :40]
    assert corners.mean() < 170  # the desk, not the paper


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_rotated_swaps_dimensions_for_quarter_turns(page: tuple[Image.Image, str],
                                                    seed: int) -> None:
    small = page[0].resize((620, 877))
    scan = make_scan(small, "rotated", seed, dpi=75)
    turn = scan.params["rotation"]
    assert turn in (90, 180, 270)
    expected = (877, 620) if turn in (90, 270) else (620, 877)
    assert scan.image.size == expected
    assert scan.dpi == (75, 75)


def test_quarter_turn_is_clockwise() -> None:
    img = Image.new("L", (4, 2), 255)
    img.putpixel((0, 0), 0)  # top-left
    assert quarter_turn(img, 90).getpixel((1, 0)) == 0  # goes to top-right
    assert quarter_turn(img, 270).getpixel((0, 3)) == 0  # goes to bottom-left
    with pytest.raises(ValueError):
        quarter_turn(img, 45)


def test_make_scan_is_deterministic(page: tuple[Image.Image, str]) -> None:
    small = page[0].resize((620, 877))
    a = make_scan(small, "photocopy", 9, dpi=75)
    b = make_scan(small, "photocopy", 9, dpi=75)
    assert a.image.tobytes() == b.image.tobytes()
    with pytest.raises(ValueError, match="unknown kind"):
        make_scan(small, "watercolour", 9)


# ---------------------------------------------------------------- save


def test_save_writes_dpi_and_formats(tmp_path: Path) -> None:
    grey_img = Image.new("L", (200, 300), 255)
    fax_img = Image.new("1", (200, 150), 1)
    tif = save([fax_img, fax_img], tmp_path / "fax.tif", (200, 100))
    with Image.open(tif) as im:
        assert im.mode == "1"
        assert im.n_frames == 2
        assert im.info["compression"] == "group4"
        assert tuple(round(v) for v in im.info["dpi"]) == (200, 100)
    png = save(grey_img, tmp_path / "a.png", (300, 300))
    with Image.open(png) as im:
        assert tuple(round(v) for v in im.info["dpi"]) == (300, 300)
    jpg = save(grey_img, tmp_path / "a.jpg", (200, 200))
    with Image.open(jpg) as im:
        assert im.mode == "L"
        assert tuple(round(v) for v in im.info["dpi"]) == (200, 200)
    photo = save(grey_img.convert("RGB"), tmp_path / "b.jpg", None)
    with Image.open(photo) as im:
        assert "dpi" not in im.info
    pdf = save(grey_img, tmp_path / "a.pdf", (200, 200))
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError):
        save(grey_img, tmp_path / "a.bmp", (300, 300))


# ---------------------------------------------------------------- CER


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("abc", "abc", 0.0),
        ("abcd", "abxd", 0.25),
        ("abcd", "abd", 0.25),
        ("ab", "", 1.0),
        ("ab", "abcd", 1.0),
        ("Họ  tên:\n\tAn ", "Họ tên: An", 0.0),  # whitespace runs collapse on both sides
        (unicodedata.normalize("NFD", "Nguyễn"), "Nguyễn", 0.0),  # NFD equals NFC
        ("Nguyễn", "Nguyen", 1 / 6),  # one code point (ễ vs e) differs
        ("", "", 0.0),
        ("", "noise", 1.0),
    ],
)
def test_cer(reference: str, hypothesis: str, expected: float) -> None:
    assert cer(reference, hypothesis) == pytest.approx(expected)
