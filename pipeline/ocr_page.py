"""One page in, one PageResult out: text layer as is, or clean-up then a single Tesseract run."""

from __future__ import annotations

import time

import numpy as np

from pipeline.errors import DocumentError, ErrorKind, PageTimeout
from pipeline.options import OcrOptions
from pipeline.page_input import PageInput
from pipeline.preprocess.analysis import rotate_quarter
from pipeline.preprocess.deskew import rotate_by
from pipeline.preprocess.page_crop import crop_to_text
from pipeline.preprocess.prepare import MIN_SKEW, PreparedPage, prepare_page
from pipeline.results import Line, PageResult, Word
from pipeline.short_lines import reread_short_lines
from pipeline.tesseract import Recognised, TesseractFailed, recognise

DOUBTFUL_PAGE = 0.5
"""Mean word confidence under which a page read the way the layout cues said is tried the
other way up too: printed pages read 0.85–0.95, even harsh photocopies and faxes stay above
0.7, while text read upside down scores 0.2–0.4."""


def ocr_page(page: PageInput, index: int, options: OcrOptions) -> PageResult:
    started = time.perf_counter()
    if page.text_layer is not None:
        layer = page.text_layer
        return PageResult(
            index=index, source="text-layer", text=layer.text, confidence=1.0, rotation=0,
            skew_degrees=0.0, dpi=layer.dpi, blank=not layer.text.strip(), width=layer.width,
            height=layer.height, words=layer.words, lines=layer.lines,
            steps=["text-layer"], seconds=time.perf_counter() - started,
        )
    assert page.image is not None, "ingest gives either a text layer or an image"
    prepared = prepare_page(page.image, page.dpi, enabled=options.preprocess,
                            keep_colour=options.keep_images)
    height, width = prepared.normalised.shape[:2]
    result = PageResult(
        index=index, source="ocr", text="", confidence=0.0, rotation=prepared.rotation,
        skew_degrees=prepared.skew, dpi=round(prepared.dpi / prepared.scale), blank=prepared.blank,
        width=width, height=height, steps=page.notes + prepared.steps,
        image=prepared.normalised if options.keep_images else None,
    )
    if not prepared.blank:
        try:
            if prepared.alternative_turn is None:
                text_only, offset = crop_to_text(prepared.ocr_image)
                found = recognise(text_only, options.language, prepared.dpi,
                                  options.page_timeout_s)
                if found.confidence >= DOUBTFUL_PAGE:  # a page read well: its short lines
                    found, reread = reread_short_lines(text_only, found, options.language,
                                                       prepared.dpi, options.page_timeout_s)
                    if reread:
                        result.steps.append(f"short-lines-reread-{reread}")
                if found.words and found.confidence < DOUBTFUL_PAGE:
                    # Sure of the way up, yet Tesseract reads garbage: a card photo whose
                    # printed pattern misled the layout cues. The other way up is tried.
                    upside_down = (prepared.rotation + 180) % 360
                    turned = _other_way_up(prepared, found, result, options, upside_down,
                                           crop=True)
                    if turned is not None:
                        found, offset = turned
            else:  # the second orientation is tried on the whole image: no offsets to turn
                offset = (0, 0)
                found = recognise(prepared.ocr_image, options.language, prepared.dpi,
                                  options.page_timeout_s)
                for n, turn in enumerate(_other_turns(prepared)):
                    if n and not _doubtful(found):
                        break
                    turned = _other_way_up(prepared, found, result, options, turn,
                                           crop=False)
                    if turned is not None:
                        found, offset = turned
            if _doubtful(found) and (prepared.rotation or abs(prepared.skew) >= MIN_SKEW):
                as_came = _as_it_came(prepared, found, result, options)
                if as_came is not None:
                    found, offset = as_came
        except PageTimeout as exc:
            result.error = DocumentError(ErrorKind.TOO_LARGE, f"page {index + 1}: {exc}")
        except TesseractFailed as exc:
            result.error = DocumentError(ErrorKind.CORRUPT, f"page {index + 1}: {exc}")
        else:
            back = 1.0 / prepared.scale  # boxes are given on the normalised image
            result.words = [_scaled_word(w, offset, back) for w in found.words]
            result.lines = [Line(line.text, _scaled(line.bbox, offset, back))
                            for line in found.lines]
            result.text = found.text
            result.confidence = found.confidence
    result.seconds = time.perf_counter() - started
    return result


def _other_way_up(prepared: PreparedPage, found: Recognised, result: PageResult,
                  options: OcrOptions, turn: int,
                  crop: bool) -> tuple[Recognised, tuple[int, int]] | None:
    """Little text to go on (a chart, one word), or a reading that is mostly garbage: let
    Tesseract's confidence pick the way up between ``found`` and the page turned to
    ``turn``. Returns the new reading and its offset on the turned page, or None when
    ``found`` stays. ``crop``: read only the turned page's text area (less memory and
    time on a big photo)."""
    delta = (turn - prepared.rotation) % 360
    image = rotate_quarter(prepared.ocr_image, delta)
    offset = (0, 0)
    if crop:
        image, offset = crop_to_text(image)
    other = recognise(image, options.language, prepared.dpi, options.page_timeout_s)
    result.steps.append("orientation-checked-by-ocr")
    if _strength(other) <= _strength(found):
        return None
    result.rotation = turn
    result.steps.append(f"turned-to-{turn}")
    if result.image is not None:
        result.image = rotate_quarter(result.image, delta)
    if delta in (90, 270):
        result.width, result.height = result.height, result.width
    return other, offset


def _other_turns(prepared: PreparedPage) -> list[int]:
    """The orientations worth an OCR try when the layout cues were unsure, likeliest first.

    A page turned sideways was sure of its lines' axis but maybe not of which end is up
    (a card copy's few lines tip the ink test either way): upside down comes first, and
    the page as it came only when that reads garbage too.
    """
    assert prepared.alternative_turn is not None
    if prepared.rotation in (90, 270):
        return [(prepared.rotation + 180) % 360, prepared.alternative_turn]
    return [prepared.alternative_turn]


def _doubtful(found: Recognised) -> bool:
    return not found.words or found.confidence < DOUBTFUL_PAGE


def _undo_geometry(image: np.ndarray, prepared: PreparedPage) -> np.ndarray:
    """The page back the way it came: the skew undone in the turned frame, then the turn."""
    if abs(prepared.skew) >= MIN_SKEW:
        image = rotate_by(image, -prepared.skew)
    return rotate_quarter(image, (360 - prepared.rotation) % 360)


def _as_it_came(prepared: PreparedPage, found: Recognised, result: PageResult,
                options: OcrOptions) -> tuple[Recognised, tuple[int, int]] | None:
    """Still garbage after the turn and its other way up: the geometry itself may be wrong
    (few short lines, a sheet's edge or a picture looked like the text's axis, and the
    skew found for that axis stays in both readings). Tesseract reads the page as it came,
    and the stronger reading wins."""
    image = _undo_geometry(prepared.ocr_image, prepared)
    size = (round(image.shape[0] / prepared.scale), round(image.shape[1] / prepared.scale))
    image, offset = crop_to_text(image)
    other = recognise(image, options.language, prepared.dpi, options.page_timeout_s)
    result.steps.append("geometry-checked-by-ocr")
    if _strength(other) <= _strength(found):
        return None
    result.steps.append("geometry-undone")
    result.rotation, result.skew_degrees = 0, 0.0
    result.height, result.width = size
    if result.image is not None:
        result.image = _undo_geometry(prepared.normalised, prepared)
        result.height, result.width = result.image.shape[:2]
    return other, offset


def _strength(found: Recognised) -> float:
    """Confident letters: readable text scores high, garbage from a wrong turn scores low."""
    return sum(w.confidence * len(w.text) for w in found.words if w.confidence >= 0.5)


def _scaled(box: tuple[int, int, int, int], offset: tuple[int, int],
            factor: float) -> tuple[int, int, int, int]:
    """A box of the (cropped) OCR image on the normalised page."""
    dx, dy = offset
    if factor == 1.0:
        return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
    return (round((box[0] + dx) * factor), round((box[1] + dy) * factor),
            round((box[2] + dx) * factor), round((box[3] + dy) * factor))


def _scaled_word(word: Word, offset: tuple[int, int], factor: float) -> Word:
    return Word(word.text, word.confidence, _scaled(word.bbox, offset, factor), word.line)
