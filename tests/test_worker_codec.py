"""Page blobs between workers: exact pixels, the kept encoding carried, old blobs still read."""

from __future__ import annotations

import json
import struct

import cv2
import numpy as np
import pytest

from archive.page_image import encode_page_image
from intake.page_codec import (
    decode_input,
    decode_kept_result,
    decode_result,
    encode_input,
    encode_result,
)
from pipeline.errors import DocumentError, ErrorKind
from pipeline.page_input import PageInput, TextLayer
from pipeline.results import Line, PageResult, Word


def _scan(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Paper with sensor noise and some ink: what defeats PNG and must survive exactly."""
    rng = np.random.default_rng(seed)
    image = rng.normal(235, 12, shape).clip(0, 255).astype(np.uint8)
    image[40:60, 20:200] = 20
    return image


def _result(image: np.ndarray | None, **extra: object) -> PageResult:
    fields = {"index": 3, "source": "ocr", "text": "Họ và tên: Nguyễn Văn An",
              "confidence": 0.9134567891, "rotation": 90, "skew_degrees": -0.35, "dpi": 300,
              "blank": False, "width": 200, "height": 120,
              "words": [Word("Nguyễn", 0.97, (1, 2, 30, 12), 0)],
              "lines": [Line("Họ và tên: Nguyễn Văn An", (1, 2, 190, 12))],
              "steps": ["deskewed-+0.35"], "seconds": 1.25, "image": image}
    fields.update(extra)
    return PageResult(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", [(120, 200), (120, 200, 3), (50, 60, 4)])
def test_input_pixels_come_back_exactly(shape: tuple[int, ...]) -> None:
    image = _scan(shape)
    layer = TextLayer("Giấy khai sinh", [Word("Giấy", 1.0, (0, 0, 5, 5), 0)],
                      [Line("Giấy khai sinh", (0, 0, 50, 5))], 200, 120, 144)
    back = decode_input(encode_input(PageInput(2, image, 300, layer, ["exif-rotate-90"])))
    assert back.image is not None and back.image.dtype == np.uint8
    assert np.array_equal(back.image, image)
    back.image[0, 0] = 7  # stages may work in place: the array must be writable
    assert (back.file_page, back.dpi, back.notes) == (2, 300, ["exif-rotate-90"])
    assert back.text_layer == layer


def test_result_round_trip_with_its_kept_encoding() -> None:
    image = _scan((120, 200, 3), seed=1)
    kept = encode_page_image(image)
    page, carried = decode_kept_result(encode_result(_result(image), kept))
    assert carried == kept and carried.extension == "jpg"
    assert np.array_equal(page.image, image)
    expected = _result(image)
    for name in ("index", "text", "confidence", "rotation", "skew_degrees", "words", "lines",
                 "steps", "seconds", "dpi", "width", "height"):
        assert getattr(page, name) == getattr(expected, name), name
    assert decode_result(encode_result(_result(image), kept)).text == expected.text


def test_bilevel_page_and_page_without_image() -> None:
    bilevel = np.where(_scan((64, 64)) > 128, 255, 0).astype(np.uint8)
    kept = encode_page_image(bilevel)
    page, carried = decode_kept_result(encode_result(_result(bilevel), kept))
    assert carried is not None and carried.extension == "png" and carried.data == kept.data
    assert np.array_equal(page.image, bilevel)
    error = DocumentError(ErrorKind.TOO_LARGE, "page 4: Tesseract took longer than 90 s")
    page, carried = decode_kept_result(encode_result(_result(None, source="text-layer",
                                                             error=error)))
    assert page.image is None and carried is None
    assert page.error is not None and page.error.kind is ErrorKind.TOO_LARGE
    assert page.error.message == error.message


def test_a_page_kept_as_jpeg_travels_without_its_pixels() -> None:
    image = _scan((120, 200), seed=2)
    kept = encode_page_image(image)
    blob = encode_result(_result(image), kept, pixels=False)
    page, carried = decode_kept_result(blob)
    assert page.image is None and carried == kept
    assert (page.width, page.height, page.text) == (200, 120, _result(image).text)
    assert len(blob) < len(encode_result(_result(image), kept))
    # A bilevel page is kept as PNG: its pixels stay (the searchable PDF packs them).
    bilevel = np.where(image > 128, 255, 0).astype(np.uint8)
    page, _ = decode_kept_result(encode_result(_result(bilevel), encode_page_image(bilevel),
                                               pixels=False))
    assert page.image is not None and np.array_equal(page.image, bilevel)


def test_png_blobs_of_the_previous_format_are_still_read() -> None:
    """Pages in flight when the workers are upgraded must not fail their dossier."""
    image = _scan((80, 90))
    head = json.dumps({"file_page": 0, "dpi": 200, "notes": [], "text_layer": None}).encode()
    png = cv2.imencode(".png", image)[1].tobytes()
    old = b"HOSOPG1\n" + struct.pack(">Q", len(head)) + head + png
    back = decode_input(old)
    assert back.image is not None and np.array_equal(back.image, image)


def test_damaged_blob_is_refused() -> None:
    blob = encode_input(PageInput(0, _scan((120, 200)), 300))
    with pytest.raises(ValueError, match="not a page blob"):
        decode_input(b"GARBAGE!" + blob[8:])
    head_end = 16 + struct.unpack(">Q", blob[8:16])[0]
    header = json.loads(blob[16:head_end])
    header["image"]["shape"] = [121, 200]  # more pixels than stored
    head = json.dumps(header).encode()
    with pytest.raises(ValueError, match="expected"):
        decode_input(blob[:8] + struct.pack(">Q", len(head)) + head + blob[head_end:])
