"""Pages as bytes, so they can wait in the object store between two workers.

One blob = an 8-byte length, a JSON header (every field, floats exact), then
the image as PNG (lossless: the page image a later step encodes for keeping
must be exactly the pixels OCR saw, or the content-addressed keys would
differ from an in-process run). No pickle: a blob is data, never code.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import cv2
import numpy as np

from pipeline.errors import DocumentError, ErrorKind
from pipeline.page_input import PageInput, TextLayer
from pipeline.results import Line, PageResult, Word

__all__ = ["decode_input", "decode_result", "encode_input", "encode_result"]

_MAGIC = b"HOSOPG1\n"
_PNG_FAST = [cv2.IMWRITE_PNG_COMPRESSION, 1]  # scratch data: speed over size


def _pack(header: dict[str, Any], image: np.ndarray | None) -> bytes:
    head = json.dumps(header, ensure_ascii=False).encode()
    png = b""
    if image is not None:
        ok, encoded = cv2.imencode(".png", image, _PNG_FAST)
        if not ok:
            raise ValueError(f"cannot encode image of shape {image.shape} as PNG")
        png = encoded.tobytes()
    return _MAGIC + struct.pack(">Q", len(head)) + head + png


def _unpack(blob: bytes) -> tuple[dict[str, Any], np.ndarray | None]:
    if not blob.startswith(_MAGIC):
        raise ValueError("not a page blob")
    offset = len(_MAGIC)
    (size,) = struct.unpack(">Q", blob[offset:offset + 8])
    header = json.loads(blob[offset + 8:offset + 8 + size])
    rest = blob[offset + 8 + size:]
    image = None
    if rest:
        image = cv2.imdecode(np.frombuffer(rest, np.uint8), cv2.IMREAD_UNCHANGED)
    return header, image


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
    header, image = _unpack(blob)
    layer = header["text_layer"]
    text_layer = None
    if layer is not None:
        text_layer = TextLayer(layer["text"], _read_words(layer["words"]),
                               _read_lines(layer["lines"]), layer["width"], layer["height"],
                               layer["dpi"])
    return PageInput(file_page=header["file_page"], image=image, dpi=header["dpi"],
                     text_layer=text_layer, notes=list(header["notes"]))


def encode_result(page: PageResult) -> bytes:
    header = {
        "index": page.index, "source": page.source, "text": page.text,
        "confidence": page.confidence, "rotation": page.rotation,
        "skew_degrees": page.skew_degrees, "dpi": page.dpi, "blank": page.blank,
        "width": page.width, "height": page.height, "words": _words(page.words),
        "lines": _lines(page.lines), "steps": list(page.steps), "seconds": page.seconds,
        "error": page.error.as_dict() if page.error else None,
    }
    return _pack(header, page.image)


def decode_result(blob: bytes) -> PageResult:
    h, image = _unpack(blob)
    error = h["error"]
    return PageResult(
        index=h["index"], source=h["source"], text=h["text"], confidence=h["confidence"],
        rotation=h["rotation"], skew_degrees=h["skew_degrees"], dpi=h["dpi"], blank=h["blank"],
        width=h["width"], height=h["height"], words=_read_words(h["words"]),
        lines=_read_lines(h["lines"]), steps=list(h["steps"]), seconds=h["seconds"],
        error=DocumentError(ErrorKind(error["kind"]), error["message"]) if error else None,
        image=image)
