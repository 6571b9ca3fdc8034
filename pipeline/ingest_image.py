"""Decode PNG, JPEG and TIFF (multi-page, fax) into page pixels, with size guards first."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from pipeline.errors import DocumentError, ErrorKind
from pipeline.options import OcrOptions
from pipeline.page_input import PageInput

# We check pixel counts ourselves before decoding; Pillow's own guard stays as a
# second line of defence but must not turn into a warning on legitimate pages.
warnings.simplefilter("ignore", Image.DecompressionBombWarning)


def _declared_dpi(img: Image.Image) -> tuple[float, float] | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return None
    # 72 and 96 are what software writes when it knows nothing; 1 means "unset".
    if x < 50 or y < 50 or x > 4800 or y > 4800 or (x, y) in {(72.0, 72.0), (96.0, 96.0)}:
        return None
    return x, y


def _check_pixels(size: tuple[int, int], options: OcrOptions, what: str) -> None:
    width, height = size
    pixels = width * height
    if pixels > options.max_page_pixels:
        raise DocumentError(
            ErrorKind.TOO_LARGE,
            f"{what} is {width}x{height} ({pixels / 1e6:.0f} Mpx), over the limit of "
            f"{options.max_page_pixels / 1e6:.0f} Mpx",
        )


def to_array(img: Image.Image) -> np.ndarray:
    """Pillow image → uint8 grey or BGR array; transparency is laid on white paper."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(paper, rgba).convert("RGB")
    if img.mode in ("1", "L", "I;16", "I;16B", "I", "F"):
        if img.mode in ("I;16", "I;16B", "I", "F"):
            arr = np.asarray(img, dtype=np.float64)
            top = arr.max() or 1.0
            return np.clip(arr * (255.0 / top), 0, 255).astype(np.uint8)
        return np.asarray(img.convert("L"), dtype=np.uint8).copy()
    rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
    if _is_grey(rgb):
        return np.ascontiguousarray(rgb[:, :, 1])
    return np.ascontiguousarray(rgb[:, :, ::-1])  # RGB → BGR for OpenCV


def _is_grey(rgb: np.ndarray) -> bool:
    """True when a three-channel image carries no colour (saves work and memory later)."""
    sample = rgb[:: max(1, rgb.shape[0] // 200), :: max(1, rgb.shape[1] // 200)].astype(np.int16)
    spread = np.abs(sample[:, :, 0] - sample[:, :, 1]) + np.abs(sample[:, :, 1] - sample[:, :, 2])
    return bool(np.percentile(spread, 99.5) <= 6)


def _square_pixels(
    arr: np.ndarray, dpi: tuple[float, float] | None
) -> tuple[np.ndarray, int | None]:
    """Fax (200×100 dpi) and other anisotropic scans: stretch to the larger resolution."""
    if dpi is None:
        return arr, None
    x, y = dpi
    if abs(x - y) / max(x, y) < 0.02:
        return arr, round(max(x, y))
    height, width = arr.shape[:2]
    target = max(x, y)
    new_size = (round(width * target / x), round(height * target / y))
    return cv2.resize(arr, new_size, interpolation=cv2.INTER_CUBIC), round(target)


@contextmanager
def opened_image(path: Path, options: OcrOptions) -> Iterator[tuple[Image.Image, int]]:
    """The opened image and its frame count, after the checks that come before any page."""
    # Pillow's own bomb guard stays as a second line of defence, never below our budget.
    Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, options.max_page_pixels)
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise DocumentError(ErrorKind.TOO_LARGE, f"image is too large to decode: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentError(ErrorKind.CORRUPT, f"image cannot be decoded: {exc}") from exc
    with img:
        frames = getattr(img, "n_frames", 1)
        if frames > options.max_pages:
            raise DocumentError(
                ErrorKind.TOO_LARGE, f"{frames} pages, over the limit of {options.max_pages}"
            )
        yield img, frames


def frame_page(frame: Image.Image, number: int, options: OcrOptions) -> PageInput:
    """The current frame as page ``number``; size is checked from the header before decoding."""
    _check_pixels(frame.size, options, f"page {number + 1}")
    try:
        frame.load()
        orientation = frame.getexif().get(0x0112, 1)
        oriented = ImageOps.exif_transpose(frame) if orientation != 1 else frame
    except Image.DecompressionBombError as exc:
        raise DocumentError(ErrorKind.TOO_LARGE, f"image is too large: {exc}") from exc
    except (OSError, SyntaxError, ValueError, MemoryError) as exc:
        raise DocumentError(
            ErrorKind.CORRUPT, f"page {number + 1} cannot be decoded: {exc}"
        ) from exc
    notes = [f"exif-orientation-{orientation}"] if orientation != 1 else []
    arr, dpi = _square_pixels(to_array(oriented), _declared_dpi(frame))
    return PageInput(file_page=number, image=arr, dpi=dpi, notes=notes)


def seek_frame(img: Image.Image, number: int) -> Image.Image | None:
    """Frame ``number`` of ``img`` as ``ImageSequence`` reaches it: None where the sequence
    would have ended early (EOFError); other errors propagate as they would there."""
    try:
        img.seek(number)
    except EOFError:
        return None
    return img


def iter_image_pages(path: Path, options: OcrOptions) -> Iterator[PageInput]:
    """Yield one PageInput per frame; size is checked from the header before any decoding."""
    with opened_image(path, options) as (img, _):
        for number, frame in enumerate(ImageSequence.Iterator(img)):
            yield frame_page(frame, number, options)
