"""Encode a normalised page image for keeping: lossless PNG if bilevel, else JPEG.

Bilevel scans compress to a few tens of kB as 1-bit PNG and must not get JPEG
ringing; grey and colour scans as PNG would be several MB a page, so they are
kept as high-quality JPEG (the same choice the searchable PDF makes).
"""

from __future__ import annotations

import io
from typing import NamedTuple

import cv2
import numpy as np
from PIL import Image

__all__ = ["EncodedImage", "decode_page_image", "encode_page_image"]

JPEG_QUALITY = 90


class EncodedImage(NamedTuple):
    data: bytes
    extension: str
    content_type: str


def encode_page_image(image: np.ndarray, quality: int = JPEG_QUALITY) -> EncodedImage:
    """Bytes, file extension and MIME type for ``image`` (grey or BGR, 8-bit)."""
    if image.ndim == 2 and bool(np.all((image == 0) | (image == 255))):
        buffer = io.BytesIO()
        Image.fromarray(image > 127).save(buffer, "PNG", optimize=False)
        return EncodedImage(buffer.getvalue(), "png", "image/png")
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"cannot encode page image of shape {image.shape} as JPEG")
    return EncodedImage(encoded.tobytes(), "jpg", "image/jpeg")


def decode_page_image(encoded: EncodedImage | None) -> np.ndarray | None:
    """The pixels back (grey or BGR), for the rare reader that needs them after encoding."""
    if encoded is None:
        return None
    image = cv2.imdecode(np.frombuffer(encoded.data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"cannot decode a kept page image ({encoded.content_type})")
    return image
