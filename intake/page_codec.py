"""Pages as bytes, so they can wait in the object store between two workers.

One blob = a magic line, an 8-byte length, a JSON header (every field, floats
exact), then the image's raw pixels compressed with Zstandard (level 1); a page
result may also carry its image already encoded for keeping (``kept``, before
the pixels), so ``publish`` — one thread at the end of the dossier — does not
encode every page again; a page kept as JPEG then needs no pixels at all
(``encode_result(pixels=False)``). It may also carry the signed copy of the page
as a one-page document, made ahead by the same worker (``archive.copies``).
Lossless, because the page image a later step encodes for keeping must be
exactly the pixels OCR saw, or the content-addressed keys would differ from an
in-process run. Why not PNG: a 300-dpi scan's sensor noise defeats PNG's
filters, and encoding plus decoding one page twice per page (input and result)
cost ~0.8 CPU-s at compression 1 — a third of Tesseract's own time — where
zstd on the raw pixels costs ~0.05 s and is smaller. Blobs written by the
previous format (PNG, ``HOSOPG1``) are still read, so pages in flight survive
an upgrade. No pickle: a blob is data, never code.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import cv2
import numpy as np
import zstandard

from archive.copies import PreparedCopy
from archive.page_image import EncodedImage
from pipeline.errors import DocumentError, ErrorKind
from pipeline.page_input import PageInput, TextLayer
from pipeline.results import Line, PageResult, Word

__all__ = ["decode_input", "decode_kept_result", "decode_page_blob", "decode_result",
           "encode_input", "encode_result"]

_MAGIC = b"HOSOPG2\n"
_MAGIC_PNG = b"HOSOPG1\n"  # earlier format: the image as PNG
_ZSTD_LEVEL = 1  # scratch data: speed over size (still smaller than PNG on noisy scans)
_DTYPES = ("uint8", "uint16", "bool")


def _pack(header: dict[str, Any], image: np.ndarray | None,
          kept: EncodedImage | None = None, copy: PreparedCopy | None = None) -> bytes:
    pixels = b""
    extra = b""
    if kept is not None:
        header = {**header, "kept": {"extension": kept.extension,
                                     "content_type": kept.content_type, "size": len(kept.data)}}
        extra = kept.data
    if copy is not None:
        header = {**header, "copy": {"title": copy.title, "subject": copy.subject,
                                     "signed_by": copy.signed_by,
                                     "warnings": list(copy.warnings), "size": len(copy.data)}}
        extra += copy.data
    if image is not None:
        if image.dtype.name not in _DTYPES:
            raise ValueError(f"cannot store an image of type {image.dtype}")
        header = {**header, "image": {"dtype": image.dtype.name, "shape": list(image.shape)}}
        # A compressor per call: zstandard's objects are not safe across threads.
        pixels = zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(
            np.ascontiguousarray(image).data)
    head = json.dumps(header, ensure_ascii=False).encode()
    return _MAGIC + struct.pack(">Q", len(head)) + head + extra + pixels


_Unpacked = tuple[dict[str, Any], np.ndarray | None, EncodedImage | None, PreparedCopy | None]


def _unpack(blob: bytes) -> _Unpacked:
    magic = blob[:len(_MAGIC)]
    if magic not in (_MAGIC, _MAGIC_PNG):
        raise ValueError("not a page blob")
    offset = len(_MAGIC)
    (size,) = struct.unpack(">Q", blob[offset:offset + 8])
    header = json.loads(blob[offset + 8:offset + 8 + size])
    rest = memoryview(blob)[offset + 8 + size:]
    kept = None
    if "kept" in header:
        spec = header["kept"]
        kept = EncodedImage(bytes(rest[:spec["size"]]), spec["extension"], spec["content_type"])
        rest = rest[spec["size"]:]
    copy = None
    if "copy" in header:
        spec = header["copy"]
        copy = PreparedCopy(spec["title"], spec["subject"], spec["signed_by"],
                            bytes(rest[:spec["size"]]), tuple(spec["warnings"]))
        rest = rest[spec["size"]:]
    if not rest:
        return header, None, kept, copy
    if magic == _MAGIC_PNG:
        return (header, cv2.imdecode(np.frombuffer(rest, np.uint8), cv2.IMREAD_UNCHANGED), kept,
                copy)
    spec = header["image"]
    if spec["dtype"] not in _DTYPES:
        raise ValueError(f"page blob: unknown pixel type {spec['dtype']!r}")
    shape = tuple(int(n) for n in spec["shape"])
    dtype = np.dtype(spec["dtype"])
    expected = int(np.prod(shape)) * dtype.itemsize
    raw = zstandard.ZstdDecompressor().decompress(rest, max_output_size=expected)
    if len(raw) != expected:
        raise ValueError(f"page blob: {len(raw)} bytes of pixels, expected {expected}")
    # A writable array (stages may work in place), not a view of the immutable bytes.
    return header, np.frombuffer(raw, dtype).reshape(shape).copy(), kept, copy
def _words(words: list[Word]) -> list[list[Any]]:
    return [[w.text, w.confidence, list(w.bbox), w.line] for w in words]


def _lines(lines: list[Line]) -> list[list[Any]]:
    return [[ln.text, list(ln.bbox)] for ln in lines]


def _read_words(rows: list[list[Any]]) -> list[Word]:
    return [Word(text, conf, tuple(box), line) for text, conf, box, line in rows]  # type: ignore[arg-type]


def _read_lines(rows: list[list[Any]]) -> list[Line]:
    return [Line(text, tuple(box)) for text, box in rows]  # type: ignore[arg-type]


def encode_input(page: PageInput) -> bytes:
    layer = page.text_layer
    header: dict[str, Any] = {"file_page": page.file_page, "dpi": page.dpi,
                              "notes": list(page.notes), "text_layer": None}
    if layer is not None:
        header["text_layer"] = {"text": layer.text, "words": _words(layer.words),
                                "lines": _lines(layer.lines), "width": layer.width,
                                "height": layer.height, "dpi": layer.dpi}
    return _pack(header, page.image)


def decode_input(blob: bytes) -> PageInput:
    header, image, _, _ = _unpack(blob)
    layer = header["text_layer"]
    text_layer = None
    if layer is not None:
        text_layer = TextLayer(layer["text"], _read_words(layer["words"]),
                               _read_lines(layer["lines"]), layer["width"], layer["height"],
                               layer["dpi"])
    return PageInput(file_page=header["file_page"], image=image, dpi=header["dpi"],
                     text_layer=text_layer, notes=list(header["notes"]))


def encode_result(page: PageResult, kept: EncodedImage | None = None, *,
                  pixels: bool = True, copy: PreparedCopy | None = None) -> bytes:
    """``kept``: ``archive.page_image.encode_page_image(page.image)``, made once here.

    ``pixels=False`` leaves the raw pixels out when ``kept`` is a JPEG: everything
    ``publish`` makes from the page (the kept image, the searchable PDF) embeds that
    JPEG as it is, so compressing and decompressing ~9 MB of pixels a page (a twentieth
    of the page's OCR) would buy nothing. Decoded, such a page has ``image`` None.
    """
    header = {
        "index": page.index, "source": page.source, "text": page.text,
        "confidence": page.confidence, "rotation": page.rotation,
        "skew_degrees": page.skew_degrees, "dpi": page.dpi, "blank": page.blank,
        "width": page.width, "height": page.height, "words": _words(page.words),
        "lines": _lines(page.lines), "steps": list(page.steps), "seconds": page.seconds,
        "error": page.error.as_dict() if page.error else None,
    }
    drop = not pixels and kept is not None and kept.extension == "jpg"
    return _pack(header, None if drop else page.image, kept, copy)


def decode_result(blob: bytes) -> PageResult:
    return decode_kept_result(blob)[0]


def decode_kept_result(blob: bytes) -> tuple[PageResult, EncodedImage | None]:
    """The page result and, if the OCR worker made it, its image encoded for keeping."""
    page, kept, _ = decode_page_blob(blob)
    return page, kept


def decode_page_blob(blob: bytes) -> tuple[PageResult, EncodedImage | None, PreparedCopy | None]:
    """The page result, its image encoded for keeping and its prepared copy (each None
    when the OCR worker did not make it)."""
    h, image, kept, copy = _unpack(blob)
    error = h["error"]
    return PageResult(
        index=h["index"], source=h["source"], text=h["text"], confidence=h["confidence"],
        rotation=h["rotation"], skew_degrees=h["skew_degrees"], dpi=h["dpi"], blank=h["blank"],
        width=h["width"], height=h["height"], words=_read_words(h["words"]),
        lines=_read_lines(h["lines"]), steps=list(h["steps"]), seconds=h["seconds"],
        error=DocumentError(ErrorKind(error["kind"]), error["message"]) if error else None,
        image=image), kept, copy
