"""Clean-up of a nearly blank, speckled photocopy page, and the hand-over to Tesseract (#5).

The page that cost Tesseract more than its 90-s limit: the second sheet of a
200-dpi photocopied form, one name on it and a thousand toner specks. The
clean-up whitened the paper, enlarged the page x1.8 and removed the specks, but
painted only each speck's dark core: its blurred edge stayed as a faint ring.
On white paper those rings were the only "ink" besides the name, Tesseract's
Otsu turned them into thousands of blobs, and its layout analysis never ended.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytesseract
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import PageTimeout
from pipeline.preprocess.components import ink_components
from pipeline.preprocess.despeckle import remove_specks
from pipeline.preprocess.prepare import prepare_page
from pipeline.preprocess.scale import letter_height
from pipeline.preprocess.sparse import whiten_paper
from pipeline.tesseract import TesseractFailed, parse_tsv_text, recognise, write_bmp

FONT = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"


def _speckled_sheet(seed: int = 5) -> np.ndarray:
    """A grey 200-dpi A4 sheet with one line of text and ~1,500 soft toner specks."""
    rng = np.random.default_rng(seed)
    height, width = 2339, 1654
    page = Image.new("L", (width, height), 205)
    draw = ImageDraw.Draw(page)
    draw.text((1000, 120), "Lê Thị Phương", font=ImageFont.truetype(FONT, 30), fill=90)
    grey = np.asarray(page, dtype=np.uint8).copy()
    for _ in range(1500):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        cv2.circle(grey, (x, y), int(rng.integers(1, 3)), int(rng.integers(10, 70)), -1)
    grey = cv2.GaussianBlur(grey, (3, 3), 0.8)  # the copier's blur: every speck has a soft edge
    noise = rng.normal(0, 3, grey.shape)
    return np.clip(grey + noise, 0, 255).astype(np.uint8)


def _otsu_blobs(grey: np.ndarray) -> int:
    """Blobs Tesseract's own binarisation (Otsu) finds in the hand-over image."""
    _, mask = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return cv2.connectedComponents(mask, connectivity=8)[0] - 1


@pytest.fixture(scope="module")
def sheet() -> np.ndarray:
    return _speckled_sheet()


def test_nearly_blank_speckled_sheet_hands_over_its_text_only(sheet: np.ndarray) -> None:
    prepared = prepare_page(sheet, 200, keep_colour=False)
    steps = " ".join(prepared.steps)
    assert "rescaled-x" in steps and "specks-removed" in steps
    assert prepared.scale > 1.3  # enlarged: the specks' edges are blurred over 2 px
    # 13 letters with their diacritics; with the rings left (the old clean-up) Otsu
    # found well over a thousand blobs here.
    assert _otsu_blobs(prepared.ocr_image) < 60
    # The name itself is still there, dark on white.
    assert (prepared.ocr_image[: prepared.ocr_image.shape[0] // 10] < 128).sum() > 200


def test_speck_removal_paints_the_soft_edge_but_not_a_letter_beside_it(
        sheet: np.ndarray) -> None:
    # White paper, as the clean-up makes a nearly blank page before enlarging it.
    whitened, _ = whiten_paper(sheet, (185.0, True))
    grey = cv2.resize(whitened, None, fx=1.8, fy=1.8, interpolation=cv2.INTER_CUBIC)
    blobs = ink_components(grey)
    height = letter_height(blobs)
    assert height is not None
    core_only, removed = remove_specks(grey, blobs, height, rim=0)
    cleaned, removed_too = remove_specks(grey, blobs, height, rim=1)
    assert removed == removed_too > 1000
    assert _otsu_blobs(core_only) > 1000  # the old behaviour: a ring per speck
    assert _otsu_blobs(cleaned) < 60
    # The rim takes nothing from the letters: the name's ink is the same pixels.
    name = (slice(150, 350), slice(1700, 2300))
    assert (cleaned[name] < 160).sum() > 1500
    assert np.array_equal(cleaned[name] < 160, core_only[name] < 160)


def test_hand_over_reads_as_pytesseract_did() -> None:
    """Our BMP hand-over gives Tesseract the same pixels as pytesseract's own did:
    the same words, boxes and (whole-percent) confidences."""
    page = np.full((160, 900), 255, np.uint8)
    image = Image.fromarray(page)
    ImageDraw.Draw(image).text((20, 40), "Giấy chứng sinh số 0123", fill=0,
                               font=ImageFont.truetype(FONT, 48))
    grey = np.asarray(image).copy()
    ours = recognise(grey[10:, 5:], "vie", 300, 30)  # a cropped view, as ocr_page hands over
    data = pytesseract.image_to_data(Image.fromarray(grey[10:, 5:]), lang="vie",
                                     config="--psm 3 --dpi 300 -c tessedit_do_invert=0",
                                     output_type=pytesseract.Output.STRING)
    theirs = parse_tsv_text(data)
    assert ours.words == theirs.words and ours.text == theirs.text
    assert "chứng" in ours.text and 0.5 < ours.confidence <= 1.0


@pytest.mark.parametrize("shape", [(37, 53), (37, 53, 3)])
def test_hand_over_file_holds_the_exact_pixels(shape: tuple[int, ...]) -> None:
    """An odd width (BMP rows are padded to 4 bytes), a cropped view and colour all come
    back pixel for pixel from the file Tesseract reads."""
    rng = np.random.default_rng(7)
    whole = rng.integers(0, 256, (shape[0] + 3, shape[1] + 5, *shape[2:]), dtype=np.uint8)
    view = whole[2:-1, 3:-2]
    buffer = io.BytesIO()
    write_bmp(view, buffer)
    back = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_UNCHANGED)
    assert buffer.getvalue()[:2] == b"BM"
    assert back.shape == view.shape and np.array_equal(back, view)


def test_hand_over_failures() -> None:
    grey = np.full((100, 100), 255, np.uint8)
    with pytest.raises(TesseractFailed):
        recognise(grey, "no-such-language", 300, 30)
    big = np.tile(_speckled_sheet(), (2, 2))
    with pytest.raises(PageTimeout):
        recognise(big, "vie", 300, 0.05)
