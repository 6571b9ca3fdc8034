"""Open PDFs safely and hand out their pages: a trusted text layer, or pixels to OCR.

PDFium (through pypdfium2, which pdfplumber itself renders with) validates and
rasterises; pdfplumber reads the text layer and the images' own resolution so
that scans are rasterised at the resolution they were scanned at.
PDFium is not thread-safe, not even across different documents: every use of
it goes through ``opened_pdf``, which holds one lock per process for as long as
the document is open (worker threads read their pages one after the other;
Tesseract, the long part, still runs in parallel).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pypdfium2 as pdfium

from pipeline.errors import DocumentError, ErrorKind
from pipeline.ingest_image import _is_grey
from pipeline.options import OcrOptions
from pipeline.page_input import PageInput
from pipeline.text_layer import read_text_layer

log = logging.getLogger(__name__)

PDFIUM_LOCK = threading.RLock()  # see the module docstring
_PDFIUM_PASSWORD_ERROR = 4
_PDFIUM_SECURITY_ERROR = 5


def open_pdfium(path: Path) -> pdfium.PdfDocument:
    """Open with an empty user password (owner-only protection is not a lock)."""
    try:
        return pdfium.PdfDocument(str(path), password=None)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (_PDFIUM_PASSWORD_ERROR, _PDFIUM_SECURITY_ERROR):
            raise DocumentError(
                ErrorKind.ENCRYPTED, "PDF is protected by a password that we do not have"
            ) from exc
        raise DocumentError(ErrorKind.CORRUPT, f"PDF cannot be opened: {exc}") from exc


def _open_plumber(path: Path) -> Any | None:
    """pdfplumber gives the text layer; if it cannot parse what PDFium can, we still OCR."""
    try:
        return pdfplumber.open(str(path), password="")
    except Exception as exc:  # pdfminer raises many unrelated types on odd files
        log.warning("text layer unreadable, pages will be OCRed: %s", type(exc).__name__)
        return None


def _needs_xfa(plumber: Any | None, doc: pdfium.PdfDocument) -> bool:
    """Dynamic XFA forms draw their pages from XFA data that no renderer here supports."""
    if plumber is not None:
        try:
            catalog = plumber.doc.catalog
            flag = catalog.get("NeedsRendering")
            flag = flag.resolve() if hasattr(flag, "resolve") else flag
            if flag is True:
                return True
        except Exception:  # a broken catalog is judged by PDFium below
            pass
    try:
        form_type = pdfium.raw.FPDF_GetFormType(doc)
    except Exception:
        return False
    return form_type == pdfium.raw.FORMTYPE_XFA_FULL


def native_dpi(page: Any, width_pt: float, height_pt: float) -> float | None:
    """The resolution of the page's main scanned image, from its pixels and its drawn size."""
    best: float | None = None
    page_area = width_pt * height_pt or 1.0
    for image in page.images:
        drawn_w = float(image["x1"] - image["x0"])
        drawn_h = float(image["bottom"] - image["top"])
        if drawn_w <= 1 or drawn_h <= 1 or drawn_w * drawn_h < 0.05 * page_area:
            continue
        src_w, src_h = image["srcsize"]
        dpi = max(src_w / (drawn_w / 72.0), src_h / (drawn_h / 72.0))
        best = dpi if best is None else max(best, dpi)
    return best


class OpenPdf:
    """An opened PDF whose upfront checks passed: its page count, and any page on demand."""

    def __init__(self, doc: pdfium.PdfDocument, plumber: Any | None,
                 options: OcrOptions) -> None:
        self.doc = doc
        self.count = len(doc)
        self._plumber = plumber
        self._options = options
        self._opened: list[Any] = []

    def _plumber_page(self, number: int) -> Any | None:
        """pdfplumber's page, parsed only for pages that are rasterised (text pages skip it)."""
        try:
            if self._plumber is None or len(self._plumber.pages) != self.count:
                return None
            self._opened.append(self._plumber.pages[number])
        except Exception as exc:  # pdfminer fails in many ways; PDFium still renders
            log.warning("page %d not described by pdfplumber: %s", number + 1,
                        type(exc).__name__)
            return None
        return self._opened[-1]

    def page(self, number: int) -> PageInput:
        """Page ``number`` (0-based); raises the page's own DocumentError."""
        try:
            return _one_page(self.doc, number, self._plumber_page, self._options)
        finally:
            while self._opened:
                self._opened.pop().close()  # drop pdfminer's per-page caches: pages stream


@contextmanager
def opened_pdf(path: Path, options: OcrOptions) -> Iterator[OpenPdf]:
    """Open ``path`` and run the checks that come before any page (count, limit, XFA).

    Holds the process's PDFium lock until the document is closed."""
    with PDFIUM_LOCK, ExitStack() as stack:
        doc = open_pdfium(path)
        stack.callback(doc.close)
        plumber = _open_plumber(path)
        if plumber is not None:
            # Not plumber.close(): it parses every page just to close it (seconds for a
            # long born-digital PDF); the pages we parsed are closed as we go.
            stack.callback(plumber.stream.close)
        count = len(doc)
        if count == 0:
            raise DocumentError(ErrorKind.CORRUPT, "PDF has no pages")
        if count > options.max_pages:
            raise DocumentError(
                ErrorKind.TOO_LARGE, f"{count} pages, over the limit of {options.max_pages}"
            )
        if _needs_xfa(plumber, doc):
            raise DocumentError(
                ErrorKind.UNSUPPORTED,
                "dynamic XFA form: its pages are generated from form data and cannot be drawn",
            )
        yield OpenPdf(doc, plumber, options)


def iter_pdf_pages(path: Path, options: OcrOptions) -> Iterator[PageInput]:
    with opened_pdf(path, options) as pdf:
        for number in range(pdf.count):
            yield pdf.page(number)


def _one_page(doc: pdfium.PdfDocument, number: int,
              plumber_page: Callable[[int], Any | None], options: OcrOptions) -> PageInput:
    page = doc[number]
    try:
        width_pt, height_pt = page.get_size()
        if options.use_text_layer:
            try:
                layer = read_text_layer(page)
            except pdfium.PdfiumError as exc:  # a broken text layer: OCR reads the pixels
                log.warning("page %d text layer unreadable: %s", number + 1, type(exc).__name__)
                layer = None
            if layer is not None:
                return PageInput(file_page=number, text_layer=layer, dpi=layer.dpi)
        described = plumber_page(number)
        found = native_dpi(described, width_pt, height_pt) if described is not None else None
        dpi = float(options.default_dpi) if found is None else found
        dpi = min(max(dpi, options.min_render_dpi), options.max_render_dpi)
        # After /Rotate the drawn size may swap, but the pixel count is the same.
        pixels = (width_pt / 72.0 * dpi) * (height_pt / 72.0 * dpi)
        if pixels > options.max_page_pixels:
            raise DocumentError(
                ErrorKind.TOO_LARGE,
                f"page {number + 1} is {pixels / 1e6:.0f} Mpx at {dpi:.0f} dpi, over the limit "
                f"of {options.max_page_pixels / 1e6:.0f} Mpx",
            )
        try:
            bitmap = page.render(scale=dpi / 72.0, may_draw_forms=True)
            array = bitmap.to_numpy()
        except pdfium.PdfiumError as exc:
            raise DocumentError(
                ErrorKind.CORRUPT, f"page {number + 1} cannot be drawn: {exc}"
            ) from exc
        image = _to_grey_or_bgr(array)
        notes = [] if found is None else [f"native-dpi-{found:.0f}"]
        return PageInput(file_page=number, image=image, dpi=round(dpi), notes=notes)
    finally:
        page.close()


def _to_grey_or_bgr(array: np.ndarray) -> np.ndarray:
    if array.ndim == 2:
        return np.ascontiguousarray(array)
    bgr = np.ascontiguousarray(array[:, :, :3])
    if _is_grey(bgr[:, :, ::-1]):
        return np.ascontiguousarray(bgr[:, :, 1])
    return bgr
