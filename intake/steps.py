"""The steps of one dossier as separate, repeatable units, for workers that may die at any time.

``intake.process`` runs a dossier start to end in one process. Here the same
work is cut where a queue can sit between two steps:

    split(dossier)            originals -> page count, one OCR message per page
    ocr_one(dossier, page)    the page read from its original -> page result in the work area
    publish(dossier)          page results -> verdict, ``archive.keep``, status ``done``

Every step may run twice (a broker redelivers a message whose worker died)
and must then change nothing: inputs and results live under fixed keys per
page, progress only moves forward (``pages_done`` is set from what is stored,
never incremented), and a dossier in a final state is left alone. Steps never
talk to a broker: the next step is handed in as a callable, so the same code
runs behind dramatiq or in one process.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from archive import keep
from archive.audit import record_audit
from archive.copies import PreparedCopy, copy_title, prepare_copy
from archive.page_image import EncodedImage, decode_page_image, encode_page_image
from archive.transactions import in_write_transaction
from intake.indexing import index_dossier
from intake.originals import LocalOriginals
from intake.result import build_result, document_input
from intake.status import mark_processing, record_progress
from intake.work_area import FilePlan, Manifest, WorkArea
from models.catalog import Catalog
from models.dossier_code import VIETNAM_TZ
from models.records import FINAL_STATUSES, Dossier, Procedure, utcnow
from pipeline.dossier_check import check_dossier, reads_pixels, standalone_type
from pipeline.errors import DocumentError, ErrorKind
from pipeline.ingest import open_pages, read_page
from pipeline.ocr_page import ocr_page
from pipeline.options import OcrOptions
from pipeline.page_input import PageInput
from pipeline.results import FileResult, PageResult
from pipeline.searchable_pdf import PdfPage
from signing.desk import desk_signer
from storage import ObjectStore
from webhooks.outbox import emit_failed

__all__ = ["FINAL_STATES", "Context", "PageSource", "SourceFile", "mark_failed", "ocr_one",
           "publish", "split"]

log = logging.getLogger(__name__)

FINAL_STATES = FINAL_STATUSES

T = TypeVar("T")


@dataclass(frozen=True)
class PageSource:
    """Where OCR reads page ``number`` (0-based) of one original: the original's store key."""

    key: str
    number: int


SendPage = Callable[[int, PageSource], None]
SendPublish = Callable[[], None]


@dataclass(frozen=True)
class Context:
    """What every step needs; built once per worker process."""

    store: ObjectStore
    sessions: sessionmaker[Session]
    catalog: Catalog
    options: OcrOptions
    originals: LocalOriginals = field(default_factory=LocalOriginals)


@dataclass(frozen=True)
class SourceFile:
    """One file handed in: its original's key in the store and the name the result shows."""

    key: str
    name: str


def _dossier(ctx: Context, dossier_id: str) -> Dossier | None:
    with ctx.sessions() as session:
        return session.get(Dossier, dossier_id)


def _ocr_options(ctx: Context) -> OcrOptions:
    return ctx.options.model_copy(update={"keep_images": True})


# ----------------------------------------------------------------------------- split


def split(ctx: Context, dossier_id: str, files: Sequence[SourceFile], send_page: SendPage,
          send_publish: SendPublish) -> None:
    """Count the originals' pages and send one OCR message per page.

    Each page is read from its original by the worker that OCRs it, so no page
    is rendered, stored and fetched again before OCR starts, and every page of
    a long scan starts at once. A file that cannot be opened is noted with its
    error in the manifest and the other files go on, as in ``dossier process``;
    a page that fails later is marked by its OCR step and ``publish`` ends that
    file there. ``publish`` fails the dossier only if no page at all was read.
    Pages already OCR'd by an earlier delivery are not sent again.
    """
    started = time.perf_counter()
    dossier = _dossier(ctx, dossier_id)
    if dossier is None or dossier.status in FINAL_STATES:
        if dossier is not None:
            WorkArea(ctx.store, dossier.code).clear()
        return
    _set_processing(ctx, dossier_id)
    area = WorkArea(ctx.store, dossier.code)
    done = area.pages_done()
    plans: list[FilePlan] = []
    next_index = 0
    options = _ocr_options(ctx)
    for source in files:
        error: DocumentError | None = None
        count = 0
        with ctx.originals.path(ctx.store, source.key) as path:
            try:
                count = _reading(lambda: open_pages(path, options))
            except _Unreadable as exc:
                error = exc.error
        indices = list(range(next_index, next_index + count))
        for number, index in enumerate(indices):
            if index not in done:
                send_page(index, PageSource(source.key, number))
        next_index += count
        plans.append(FilePlan(source.name, indices, error.as_dict() if error else None))
    manifest = Manifest(plans)
    log.info("dossier %s split: %d pages in %.2fs", dossier.code, next_index,
             time.perf_counter() - started)
    area.put_manifest(manifest)
    if _ended_meanwhile(ctx, dossier_id, area):
        return
    if manifest.total == 0:
        mark_failed(ctx, dossier_id, _no_page_reason(manifest))
        return
    _record_progress(ctx, dossier_id, len(done), manifest.total)
    if len(done) >= manifest.total:
        send_publish()


class _Unreadable(Exception):
    """The file cannot be read (further); ``error`` is what ``dossier process`` reports."""

    def __init__(self, error: DocumentError) -> None:
        super().__init__(error.message)
        self.error = error


def _reading(call: Callable[[], T]) -> T:
    """``call`` (a reader); a file the pipeline refuses ends with ``_Unreadable``.

    The errors are the ones ``pipeline.api.ocr_paths`` gives, word for word, so
    both paths record the same result. Only the reading is guarded: storage
    errors while fetching the original are transient and must reach the retry
    policy untouched.
    """
    try:
        return call()
    except DocumentError as exc:
        raise _Unreadable(exc) from exc
    except MemoryError as exc:
        raise _Unreadable(DocumentError(ErrorKind.TOO_LARGE,
                                        "not enough memory to read this file")) from exc
    except Exception as exc:  # a reader bug: the same file fails the same way next time
        raise _Unreadable(DocumentError(
            ErrorKind.CORRUPT, f"cannot be read: {type(exc).__name__}: {exc}"[:500])) from exc


def _no_page_reason(manifest: Manifest) -> str:
    """Why a dossier with no readable page failed: every file with its error."""
    reasons = [f"{f.name}: {f.error['kind']}: {f.error['message']}"
               for f in manifest.files if f.error]
    return "; ".join(reasons) or "no pages in the files handed in"


# ----------------------------------------------------------------------------- ocr


def ocr_one(ctx: Context, dossier_id: str, index: int, send_publish: SendPublish,
            source: PageSource | None = None) -> None:
    """OCR page ``index`` (read from ``source``) into the work area; the step that completes
    the set sends ``publish``. Without ``source`` the page is taken from the work area,
    where the ``split`` of an earlier version stored it (messages queued before an upgrade).
    """
    dossier = _dossier(ctx, dossier_id)
    if dossier is None or dossier.status in FINAL_STATES:
        return
    area = WorkArea(ctx.store, dossier.code)
    already = area.has_page(index)
    if not already:
        started = time.perf_counter()
        page = _page_input(ctx, area, index, source)
        if page is None:
            return  # the work area was cleared: the dossier ended meanwhile
        fetched = time.perf_counter()
        if isinstance(page, PageInput):
            result = ocr_page(page, index, _ocr_options(ctx))
            read = time.perf_counter()
            # Encoded for keeping here, on every worker, rather than all at once in publish;
            # then only a card's pixels (its QR code) are still needed there.
            kept = encode_page_image(result.image) if result.image is not None else None
            copy = _prepared_copy(ctx, dossier, result, kept)
            area.put_page(result, kept, pixels=reads_pixels(result.text, ctx.catalog),
                          copy=copy)
            log.info("dossier %s page %d: %.2fs (read %.2fs, clean-up+tesseract %.2fs, "
                     "encode%s+store %.2fs)", dossier.code, index + 1,
                     time.perf_counter() - started, fetched - started, read - fetched,
                     "+copy" if copy else "", time.perf_counter() - read)
        else:
            area.put_unreadable(index, page.error)
        if _ended_meanwhile(ctx, dossier_id, area):
            return
    manifest = area.get_manifest()
    if manifest is None:
        return  # split has not finished: it sends publish itself if all pages are in
    done = len(area.pages_done())
    advanced = _record_progress(ctx, dossier_id, done, manifest.total)
    # Two workers finishing the last two pages both see the full set; only the one
    # that moved the counter sends. A redelivered message (page already stored) sends
    # too, in case its first delivery died between the counter and the send.
    if done >= manifest.total and (advanced or already):
        send_publish()


def _prepared_copy(ctx: Context, dossier: Dossier, page: PageResult,
                   kept: EncodedImage | None) -> PreparedCopy | None:
    """The page's signed copy as a one-page document, when its title says it is one: made
    here, beside the other pages, rather than by ``publish`` alone at the end."""
    if kept is None or kept.extension != "jpg" or page.error is not None:
        return None
    type_id = standalone_type(page.text, ctx.catalog)
    if type_id is None:
        return None
    return prepare_copy(PdfPage(None, page.dpi, tuple(page.words), kept.data),
                        title=copy_title(dossier.code, type_id, ctx.catalog),
                        subject=_procedure_name(ctx, dossier),
                        signer=desk_signer(ctx.store), received_at=dossier.received_at)


def _procedure_name(ctx: Context, dossier: Dossier) -> str | None:
    if dossier.procedure_id is None:
        return None
    with ctx.sessions() as session:
        procedure = session.get(Procedure, dossier.procedure_id)
        return procedure.name if procedure is not None else None


@dataclass(frozen=True)
class _NoPage:
    """The page could not be read from its original (``error``), or its file ended before
    it (None)."""

    error: DocumentError | None


def _page_input(ctx: Context, area: WorkArea, index: int,
                source: PageSource | None) -> PageInput | _NoPage | None:
    if source is None:
        return area.get_input(index)
    with ctx.originals.path(ctx.store, source.key) as path:
        try:
            page = _reading(lambda: read_page(path, source.number, _ocr_options(ctx)))
        except _Unreadable as exc:
            return _NoPage(exc.error)
    return page if page is not None else _NoPage(None)


def _ended_meanwhile(ctx: Context, dossier_id: str, area: WorkArea) -> bool:
    """A late (retried or duplicate) step wrote after publish cleared the area: clear it again."""
    dossier = _dossier(ctx, dossier_id)
    if dossier is None or dossier.status in FINAL_STATES:
        area.clear()
        return True
    return False


def _set_processing(ctx: Context, dossier_id: str) -> None:
    mark_processing(ctx.sessions, dossier_id)


def _record_progress(ctx: Context, dossier_id: str, done: int, total: int) -> bool:
    """Move ``pages_done`` forward to ``done``; True if this call moved it."""
    return record_progress(ctx.sessions, dossier_id, done, total)


# ----------------------------------------------------------------------------- publish


def publish(ctx: Context, dossier_id: str) -> None:
    """Understand the pages, keep everything and record ``done``; clear the work area."""
    dossier = _dossier(ctx, dossier_id)
    if dossier is None:
        return
    area = WorkArea(ctx.store, dossier.code)
    if dossier.status in FINAL_STATES:
        area.clear()  # a redelivery after the commit: only the clean-up may be missing
        return
    started = time.perf_counter()
    manifest = area.get_manifest()
    if manifest is None or len(area.pages_done()) < manifest.total:
        raise RuntimeError(f"dossier {dossier.code}: publish before every page is read")
    files, encoded, copies = _file_results(area, manifest)
    if not any(page.error is None for f in files for page in f.pages):
        # Nothing was read: there is no dossier to judge (``dossier process`` exits 2 too).
        mark_failed(ctx, dossier_id, "; ".join(
            f"{f.path}: {f.error.kind.value}: {f.error.message}" for f in files if f.error)
            or "no page could be read")
        return
    fetched = time.perf_counter()
    with ctx.sessions() as session:
        procedure = session.get(Procedure, dossier.procedure_id) if dossier.procedure_id else None
        code = procedure.code if procedure else None
    pages = [page for f in files for page in f.pages]
    received_on = dossier.received_at.astimezone(VIETNAM_TZ).date()
    checked = check_dossier(pages, ctx.catalog, code, received_on,
                            pixels=lambda page: decode_page_image(encoded.get(page.index)))
    result = build_result(dossier.code, checked, files)
    understood = time.perf_counter()
    latest = _dossier(ctx, dossier_id)
    if latest is None or latest.status in FINAL_STATES:
        return  # a duplicate publish got there first
    with ctx.sessions() as session:
        keep(session, ctx.store, session.merge(latest), files,
             documents=[document_input(d) for d in checked.documents], status="done",
             result=result, actor="worker", catalog=ctx.catalog, signer=desk_signer(ctx.store),
             encoded_images=encoded, prepared=copies)
    kept = time.perf_counter()
    index_dossier(ctx.sessions, None, dossier.code)
    indexed = time.perf_counter()
    area.clear()
    log.info("dossier %s publish: %d pages in %.2fs (fetch %.2fs, understand %.2fs, keep %.2fs, "
             "index %.2fs, clear %.2fs)", dossier.code, len(pages), time.perf_counter() - started,
             fetched - started, understood - fetched, kept - understood, indexed - kept,
             time.perf_counter() - indexed)


_FileResults = tuple[list[FileResult], dict[int, EncodedImage], dict[int, PreparedCopy]]


def _file_results(area: WorkArea, manifest: Manifest) -> _FileResults:
    """The per-file OCR results, as ``pipeline.api.ocr_paths`` would have returned them,
    and what the OCR workers already made for keeping: page images and one-page copies
    (by page index)."""
    indices = [index for plan in manifest.files for index in plan.pages]
    # Fetching and decompressing release the GIL: a few threads cut the wait for big pages.
    with ThreadPoolExecutor(max_workers=min(4, max(1, len(indices)))) as pool:
        fetched = dict(zip(indices, pool.map(lambda i: _stored_page(area, i), indices),
                           strict=True))
    files = []
    encoded: dict[int, EncodedImage] = {}
    copies: dict[int, PreparedCopy] = {}
    position = 0  # pages are numbered as read in turn: a file's pages end at its bad page
    for plan in manifest.files:
        result = FileResult(path=plan.name)
        for index in plan.pages:
            stored = fetched[index]
            if isinstance(stored, _NoPage):
                result.error = result.error or stored.error
                break
            page, kept, copy = stored
            if page.index != position:
                page = dataclasses.replace(page, index=position)
            if kept is not None:
                encoded[position] = kept
            if copy is not None:
                copies[position] = copy
            result.pages.append(page)
            position += 1
            if page.error and result.error is None:
                result.error = page.error
        if plan.error is not None and result.error is None:
            result.error = DocumentError(ErrorKind(plan.error["kind"]), plan.error["message"])
        files.append(result)
    return files, encoded, copies


_StoredPage = tuple[PageResult, EncodedImage | None, PreparedCopy | None]


def _stored_page(area: WorkArea, index: int) -> _StoredPage | _NoPage:
    unreadable, error = area.get_unreadable(index)
    return _NoPage(error) if unreadable else area.get_page(index)


# ----------------------------------------------------------------------------- failure


def mark_failed(ctx: Context, dossier_id: str, reason: str) -> None:
    """End the dossier ``failed`` with ``reason``; its originals stay kept, scratch goes."""
    def work(s: Session) -> str | None:
        dossier = s.get(Dossier, dossier_id)
        if dossier is None or dossier.status in FINAL_STATES:
            return dossier.code if dossier is not None else None
        s.execute(update(Dossier).where(Dossier.id == dossier_id).values(
            status="failed", result={"failed": reason}, updated_at=utcnow()))
        record_audit(s, "dossier.failed", actor="worker", dossier_id=dossier_id,
                     details={"reason": reason})
        emit_failed(s, s.get(Dossier, dossier_id, populate_existing=True), reason)
        return dossier.code

    with ctx.sessions() as session:
        code = in_write_transaction(session, work)
    log.warning("dossier %s failed: %s", code or dossier_id, reason)
    if code is not None:
        WorkArea(ctx.store, code).clear()


def dossier_id_for(session: Session, code: str) -> str | None:
    return session.scalars(select(Dossier.id).where(Dossier.code == code)).one_or_none()
