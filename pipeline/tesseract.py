"""The one thin wrapper around Tesseract (through pytesseract).

One run per page gives words, confidences, boxes and lines in reading order
(TSV output). OpenMP threads are pinned to one: we parallelise across pages,
and Tesseract's own threads made it ~6x slower on these machines. The time
limit is enforced on the Tesseract process itself (pytesseract kills it).

The page is handed over as a raw PGM/PPM file (a header and the pixels, no
encoding) whose path pytesseract passes on, and the TSV is parsed here from
the text: pytesseract's own image hand-over (a BMP encoded by PIL) and its
generic TSV-to-columns parse cost twice as much of our CPU. Tesseract reads
the very same pixels either way.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

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


def write_pnm(image: np.ndarray, file: BinaryIO) -> None:
    """Write the image as binary PGM (grey) or PPM (BGR given, RGB written)."""
    height, width = image.shape[:2]
    file.write(b"P%d\n%d %d\n255\n" % (5 if image.ndim == 2 else 6, width, height))
    file.write(np.ascontiguousarray(image if image.ndim == 2 else image[:, :, ::-1]).data)


def recognise(image: np.ndarray, language: str, dpi: int, timeout_s: float) -> Recognised:
    """OCR a grey or BGR uint8 image; raise PageTimeout or TesseractFailed."""
    suffix = ".pgm" if image.ndim == 2 else ".ppm"
    config = f"--psm 3 --dpi {int(dpi)} -c tessedit_do_invert=0"
    with tempfile.NamedTemporaryFile(prefix="hoso-ocr-", suffix=suffix) as file:
        write_pnm(image, file)
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

