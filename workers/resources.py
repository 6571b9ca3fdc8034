"""The store, database, catalogue and OCR options of this worker process, opened once.

Opened lazily on the first message (not at import) so that importing the
actors, e.g. to send a message, never needs the database; and once per
process, because every message would otherwise pay for a connection pool
and a catalogue load.

``warm_up`` does the rest of a worker's one-off costs before it takes its
first message: the spaCy pipelines of every document type (building the
Vietnamese tokenizer imports pyvi, sklearn and scipy: ~5 s), the address
tables, the official unit names and the other lazy imports of ``publish``. Without it the first
dossier of every worker process waits for them at its verdict.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import UTC, date, datetime

import cv2

from intake.steps import Context
from models.catalog import load_catalog
from models.database import open_database
from pipeline.options import OcrOptions
from storage import open_store

__all__ = ["context", "warm_up"]

log = logging.getLogger(__name__)

_SAMPLE_ADDRESS = "Số 1 Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"


@functools.cache
def context() -> Context:
    """This process's step context (configured from the environment).

    OpenCV runs single-threaded: the worker's threads already keep one page per
    core busy, and OpenCV's own threads would only add hand-over costs (as in
    ``pipeline.api.ocr_paths``).
    """
    cv2.setNumThreads(1)
    _, sessions = open_database()
    return Context(store=open_store(), sessions=sessions, catalog=load_catalog(),
                   options=OcrOptions.from_env())


def _warm_signing(ctx: Context) -> None:
    """Sign one blank copy: pyHanko's imports (~1 s), the signer built from its certificate
    and the signature's size measured once, before the first page's copy needs them."""
    import numpy as np

    from pipeline.searchable_pdf import PdfPage, build_searchable_pdf
    from signing.desk import desk_signer

    signer = desk_signer(ctx.store)
    if signer is not None:
        blank = build_searchable_pdf([PdfPage(np.full((200, 150), 255, np.uint8), 200)])
        signer.sign_copy(blank.data, datetime.now(UTC))


@functools.cache
def warm_up() -> float:
    """Open the context and load every model ``publish`` needs; returns the seconds spent."""
    started = time.perf_counter()
    ctx = context()
    from pipeline.dossier_check import check_dossier
    from pipeline.understand.address import resolve_address
    from pipeline.understand.fields import readable_types
    from pipeline.understand.nlp import label_set, pipeline_for
    from pipeline.understand.unit_names import repair_unit_names

    for doc_type in readable_types():
        label_set(doc_type)
        pipeline_for(doc_type)("Họ và tên: Nguyễn Văn An")
    resolve_address(_SAMPLE_ADDRESS)
    repair_unit_names(_SAMPLE_ADDRESS)  # the official unit names (~1.7 s to fold)
    check_dossier([], ctx.catalog, None, date.today())
    _warm_signing(ctx)
    seconds = time.perf_counter() - started
    log.info("worker warmed up in %.1fs", seconds)
    return seconds
