"""The one thin wrapper around Tesseract (through pytesseract).

One run per page gives words, confidences, boxes and lines in reading order
(TSV output). OpenMP threads are pinned to one: we parallelise across pages,
and Tesseract's own threads made it ~6x slower on these machines. The time
limit is enforced on the Tesseract process itself (pytesseract kills it).

The page is handed over as an uncompressed BMP file (a header and the pixels)
whose path pytesseract passes on, and the TSV is parsed here from the text:
pytesseract's own image hand-over (a BMP encoded by PIL) and its generic
TSV-to-columns parse cost twice as much of our CPU. BMP rather than PGM because
Leptonica reads a PGM a few bytes at a time: ~39 ms of Tesseract's CPU for an A4
page at 220 dpi, against ~2 ms for the same pixels as a BMP. Tesseract reads the
very same pixels either way.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

import cv2
import numpy as np
import pytesseract

from pipeline.errors import PageTimeout
from pipeline.results import Line, Word, union_box

os.environ["OMP_THREAD_LIMIT"] = "1"


class TesseractFailed(Exception):
    """Tesseract exited with an error (not a timeout)."""


@dataclass(frozen=True, slots=True)
class Recognised:
    words: list[Word]
    lines: list[Line]
    text: str
    confidence: float  # 0..1, letter-weighted mean over words


def tesseract_version() -> str:
    return str(pytesseract.get_tesseract_version())


def write_bmp(image: np.ndarray, file: BinaryIO) -> None:
    """Write a grey or BGR uint8 image as an uncompressed BMP (OpenCV: ~3 ms for an A4 page)."""
    ok, data = cv2.imencode(".bmp", image)
    if not ok:
        raise TesseractFailed(f"cannot hand a {image.shape} {image.dtype} image to Tesseract")
    file.write(data.data)


def recognise(image: np.ndarray, language: str, dpi: int, timeout_s: float) -> Recognised:
    """OCR a grey or BGR uint8 image; raise PageTimeout or TesseractFailed."""
    config = f"--psm 3 --dpi {int(dpi)} -c tessedit_do_invert=0"
    with tempfile.NamedTemporaryFile(prefix="hoso-ocr-", suffix=".bmp") as file:
        write_bmp(image, file)
        file.flush()
        try:
            tsv = pytesseract.image_to_data(
                file.name, lang=language, config=config, timeout=timeout_s,
                output_type=pytesseract.Output.STRING,
            )
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise PageTimeout(f"Tesseract took longer than {timeout_s:.0f} s") from exc
            raise TesseractFailed(str(exc)) from exc
        except pytesseract.TesseractError as exc:
            raise TesseractFailed(f"Tesseract failed: {exc.message}") from exc
    return parse_tsv_text(tsv)


def parse_tsv_text(tsv: str) -> Recognised:
    """Words and lines of Tesseract's TSV output, in its reading order.

    Only word rows (level 5) with text matter. The confidence is cut to a whole
    percent, as pytesseract did before: the same readings, the same decisions.
    """
    words: list[Word] = []
    lines: list[Line] = []
    current_key: tuple[str, str, str] | None = None
    current: list[Word] = []
    for row in tsv.split("\n")[1:]:
        if not row.startswith("5\t"):
            continue
        cells = row.split("\t")
        if len(cells) < 12:
            continue
        text = unicodedata.normalize("NFC", cells[11]).strip()
        if not text:
            continue
        key = (cells[2], cells[3], cells[4])
        if key != current_key:
            if current:
                lines.append(Line(" ".join(w.text for w in current), union_box(current)))
            current = []
            current_key = key
        left, top = int(cells[6]), int(cells[7])
        box = (left, top, left + int(cells[8]), top + int(cells[9]))
        conf = max(0.0, min(1.0, int(float(cells[10])) / 100.0))
        word = Word(text, conf, box, len(lines))
        current.append(word)
        words.append(word)
    if current:
        lines.append(Line(" ".join(w.text for w in current), union_box(current)))
    letters = sum(len(w.text) for w in words)
    confidence = sum(w.confidence * len(w.text) for w in words) / letters if letters else 0.0
    return Recognised(words, lines, "\n".join(line.text for line in lines), confidence)

