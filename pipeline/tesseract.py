"""The one thin wrapper around Tesseract (through pytesseract).

One run per page gives words, confidences, boxes and lines in reading order
(TSV output). OpenMP threads are pinned to one: we parallelise across pages,
and Tesseract's own threads made it ~6x slower on these machines. The time
limit is enforced on the Tesseract process itself (pytesseract kills it).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image

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


def recognise(image: np.ndarray, language: str, dpi: int, timeout_s: float) -> Recognised:
    """OCR a grey or BGR uint8 image; raise PageTimeout or TesseractFailed."""
    pil = Image.fromarray(image if image.ndim == 2 else image[:, :, ::-1])
    pil.format = "BMP"  # uncompressed hand-over: PNG encoding would cost more than it saves
    config = f"--psm 3 --dpi {int(dpi)} -c tessedit_do_invert=0"
    try:
        data = pytesseract.image_to_data(
            pil, lang=language, config=config, timeout=timeout_s,
            output_type=pytesseract.Output.DICT,
        )
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise PageTimeout(f"Tesseract took longer than {timeout_s:.0f} s") from exc
        raise TesseractFailed(str(exc)) from exc
    except pytesseract.TesseractError as exc:
        raise TesseractFailed(f"Tesseract failed: {exc.message}") from exc
    return parse_tsv(data)


def parse_tsv(data: dict[str, list]) -> Recognised:
    """Turn pytesseract's TSV dictionary into words and lines, in Tesseract's reading order."""
    words: list[Word] = []
    lines: list[Line] = []
    current_key: tuple[int, int, int] | None = None
    current: list[Word] = []

    def close_line() -> None:
        if current:
            lines.append(Line(" ".join(w.text for w in current), union_box(current)))

    for i, level in enumerate(data["level"]):
        if int(level) != 5:
            continue
        text = unicodedata.normalize("NFC", str(data["text"][i])).strip()
        if not text:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if key != current_key:
            close_line()
            current = []
            current_key = key
        left, top = int(data["left"][i]), int(data["top"][i])
        box = (left, top, left + int(data["width"][i]), top + int(data["height"][i]))
        conf = max(0.0, min(1.0, float(data["conf"][i]) / 100.0))
        word = Word(text, conf, box, len(lines))
        current.append(word)
        words.append(word)
    close_line()
    letters = sum(len(w.text) for w in words)
    confidence = sum(w.confidence * len(w.text) for w in words) / letters if letters else 0.0
    return Recognised(words, lines, "\n".join(line.text for line in lines), confidence)

