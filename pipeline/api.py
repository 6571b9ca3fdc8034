"""Run the OCR half of the pipeline over files: pages stream, Tesseract runs on every core.

Ingest (PDF rendering is not thread-safe) runs in the calling thread; each page's
clean-up and Tesseract run go to a pool of `options.jobs` threads (OpenCV and
the Tesseract subprocess both leave the GIL). At most 2 × jobs pages are in
flight, so memory stays flat however long the scan is. The time limit of a
page starts when its Tesseract process starts: waiting in the queue or for
clean-up never counts against it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import cv2

from pipeline.errors import DocumentError, ErrorKind
from pipeline.ingest import iter_pages
from pipeline.ocr_page import ocr_page
from pipeline.options import OcrOptions
from pipeline.results import FileResult, PageResult

log = logging.getLogger(__name__)

PageCallback = Callable[[FileResult, PageResult], None]


def ocr_paths(paths: Iterable[Path | str], options: OcrOptions | None = None,
              on_page: PageCallback | None = None) -> list[FileResult]:
    """OCR every file; a bad file gets a typed error and the others still run.

    Pages of all files share one queue, so a batch of one-page files keeps every
    core busy just as a long PDF does.
    """
    options = options or OcrOptions()
    if options.jobs > 1:
        # Pages already fill every core; OpenCV's own threads would only add
        # hand-over costs to the clean-up (about a tenth of its CPU time).
        cv2.setNumThreads(1)
    results: list[FileResult] = []
    in_flight: deque[tuple[FileResult, Future[PageResult]]] = deque()

    def collect(keep_at_most: int) -> None:
        """Take finished pages in order until at most `keep_at_most` are in flight."""
        while len(in_flight) > keep_at_most:
            result, future = in_flight.popleft()
            page = future.result()
            result.pages.append(page)
            if page.error and result.error is None:
                result.error = page.error
            if on_page is not None:
                on_page(result, page)

    index = 0
    with ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="ocr") as pool:
        for path in paths:
            result = FileResult(path=str(path))
            results.append(result)
            try:
                for page in iter_pages(Path(path), options):
                    in_flight.append((result, pool.submit(ocr_page, page, index, options)))
                    index += 1
                    collect(2 * options.jobs - 1)
            except DocumentError as exc:
                result.error = exc
            except MemoryError:
                result.error = DocumentError(ErrorKind.TOO_LARGE,
                                             "not enough memory to read this file")
            except Exception as exc:  # a reader bug must not take the other files down
                log.debug("unexpected error reading %s", path, exc_info=True)
                result.error = DocumentError(
                    ErrorKind.CORRUPT, f"cannot be read: {type(exc).__name__}: {exc}"[:500])
        collect(0)
    return results
