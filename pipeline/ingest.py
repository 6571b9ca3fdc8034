"""One entry point from a file on disk to a stream of pages, whatever its format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.options import OcrOptions
from pipeline.page_input import PageInput
from pipeline.sniff import FileFormat, sniff_file


def iter_pages(path: Path, options: OcrOptions) -> Iterator[PageInput]:
    """Yield pages one at a time so a 500-page scan never sits whole in memory.

    Raises DocumentError (typed) for files that cannot become pages; the error
    may come before the first page or, for a bad page, part-way through.
    """
    fmt = sniff_file(path, options.max_file_bytes)
    # Each reader is imported on first use: PDFium and pdfplumber cost a
    # noticeable part of a short run's start-up that a folder of PNGs never needs.
    if fmt is FileFormat.PDF:
        from pipeline.ingest_pdf import iter_pdf_pages

        yield from iter_pdf_pages(path, options)
    else:
        from pipeline.ingest_image import iter_image_pages

        yield from iter_image_pages(path, options)


def open_pages(path: Path, options: OcrOptions) -> int:
    """How many pages ``iter_pages`` will try to give, after the checks it makes before its
    first page (format, size, page limit, XFA): the same DocumentError if one fails.

    With ``read_page`` this lets each page be read where it is OCR'd (a worker
    on any machine) instead of every page being rendered by one step up front.
    """
    fmt = sniff_file(path, options.max_file_bytes)
    if fmt is FileFormat.PDF:
        from pipeline.ingest_pdf import opened_pdf

        with opened_pdf(path, options) as pdf:
            return pdf.count
    from pipeline.ingest_image import opened_image

    with opened_image(path, options) as (_, frames):
        return int(frames)


def read_page(path: Path, number: int, options: OcrOptions) -> PageInput | None:
    """Page ``number`` (0-based) alone, as ``iter_pages`` would give it.

    Raises what ``iter_pages`` raises at that page; None where its stream would
    have ended before it (an image whose frame count overstated its frames).
    Pages are independent, so a page read alone equals the one read in turn.
    """
    fmt = sniff_file(path, options.max_file_bytes)
    if fmt is FileFormat.PDF:
        from pipeline.ingest_pdf import opened_pdf

        with opened_pdf(path, options) as pdf:
            return pdf.page(number) if number < pdf.count else None
    from pipeline.ingest_image import frame_page, opened_image, seek_frame

    with opened_image(path, options) as (img, _):
        frame = seek_frame(img, number)
        return None if frame is None else frame_page(frame, number, options)


def count_pages(path: Path, options: OcrOptions) -> int:
    """Pages a file will give, read from its header only; 0 if it cannot be opened.

    Used for progress ("3 of 12 pages"); errors are reported later by iter_pages.
    """
    from PIL import Image

    from pipeline.errors import DocumentError
    from pipeline.ingest_pdf import PDFIUM_LOCK, open_pdfium

    try:
        fmt = sniff_file(path, options.max_file_bytes)
        if fmt is FileFormat.PDF:
            with PDFIUM_LOCK:
                doc = open_pdfium(path)
                try:
                    return len(doc)
                finally:
                    doc.close()
        with Image.open(path) as img:
            return int(getattr(img, "n_frames", 1))
    except (DocumentError, OSError, ValueError, Image.DecompressionBombError):
        return 0
