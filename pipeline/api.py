"""Run the OCR half of the pipeline over files: pages stream, Tesseract runs on every core.

Ingest (PDF rendering is not thread-safe) runs in the calling thread; each page's
clean-up and Tesseract run go to a pool of `options.jobs` threads (OpenCV and
the Tesseract subprocess both leave the GIL). At most 2 × jobs pages are in
flight, so memory stays flat however long the scan is.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pipeline.errors import DocumentError, ErrorKind
from pipeline.ingest import iter_pages
from pipeline.ocr_page import ocr_page
from pipeline.options import OcrOptions
from pipeline.results import FileResult, PageResult

log = logging.getLogger(__name__)

PageCallback = Callable[[FileResult, PageResult], None]


def ocr_paths(paths: Iterable[Path | str], options: OcrOptions | None = None,
              on_page: PageCallback | None = None) -> list[FileResult]:
    """OCR every file; a bad file gets a typed error and the others still run."""
    options = options or OcrOptions()
    results: list[FileResult] = []
    next_index = 0
    with ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="ocr") as pool:
        for path in paths:
            result = FileResult(path=str(path))
            results.append(result)
            for page in _run_file(Path(path), result, next_index, options, pool):
                result.pages.append(page)
                if page.error and result.error is None:
                    result.error = page.error
                if on_page is not None:
                    on_page(result, page)
            next_index += len(result.pages)
    return results


def _run_file(path: Path, result: FileResult, first_index: int, options: OcrOptions,
              pool: ThreadPoolExecutor) -> Iterator[PageResult]:
    """Yield the file's pages in order; record a file-level error on `result`."""
    in_flight: deque[Future[PageResult]] = deque()
    index = first_index
    try:
        for page in iter_pages(path, options):
            in_flight.append(pool.submit(ocr_page, page, index, options))
            index += 1
            while len(in_flight) >= 2 * options.jobs:
                yield in_flight.popleft().result()
    except DocumentError as exc:
        result.error = exc
    except MemoryError:
        result.error = DocumentError(ErrorKind.TOO_LARGE, "not enough memory to read this file")
    except Exception as exc:  # a reader bug must not take the other files down with it
        log.debug("unexpected error reading %s", path, exc_info=True)
        result.error = DocumentError(
            ErrorKind.CORRUPT, f"cannot be read: {type(exc).__name__}: {exc}"[:500]
        )
    while in_flight:
        yield in_flight.popleft().result()
