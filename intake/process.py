"""Receive → OCR → understand → keep: the steps of one dossier, in the order the law needs.

The original files are stored before anything can fail. A file we cannot read
is still kept, and named in the result; the other files go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from archive import keep, receive
from intake.indexing import index_dossier
from intake.result import build_result, document_input, stored_summary
from intake.status import mark_processing, record_progress
from models.catalog import Catalog
from models.dossier_code import VIETNAM_TZ
from pipeline.api import ocr_paths
from pipeline.dossier_check import check_dossier
from pipeline.ingest import count_pages
from pipeline.options import OcrOptions
from pipeline.results import FileResult, PageResult
from signing.desk import desk_signer
from storage import ObjectStore
from webhooks.notify import wait_idle

WEBHOOK_SETTLE_S = 5.0  # at most this long; a receiver that is down fails at once


@dataclass(slots=True)
class Outcome:
    result: dict[str, Any]  # the contract's `dossier process` object
    failed_files: list[FileResult] = field(default_factory=list)
    repeated: bool = False  # the same files were processed before: nothing new stored


def process_dossier(paths: Sequence[Path], procedure: str | None, *, agency_code: str,
                    store: ObjectStore, sessions: sessionmaker[Session], catalog: Catalog,
                    options: OcrOptions, received_at: datetime | None = None) -> Outcome:
    """Run one dossier start to end in this process (embedded mode, `dossier process`).

    The workers run the same steps split into messages (`intake.steps`); both
    build the result with `intake.result`, so their records agree.
    """
    signer = desk_signer(store)  # a bad certificate setting fails before anything is stored
    with sessions() as session:
        received = receive(paths, agency_code, procedure, store, session, received_at=received_at)
        dossier = received.dossier
        if not received.created and dossier.result:
            result = dict(dossier.result)
            result["stored"] = stored_summary(session, dossier.id)
            return Outcome(result, repeated=True)
        received_on = dossier.received_at.astimezone(VIETNAM_TZ).date()
        code, dossier_id = dossier.code, dossier.id
    total = sum(count_pages(Path(p), options) for p in paths)
    mark_processing(sessions, dossier_id)
    done = 0

    def on_page(_file: FileResult, _page: PageResult) -> None:
        nonlocal done
        done += 1
        record_progress(sessions, dossier_id, done, max(total, done))

    files = ocr_paths(paths, options.model_copy(update={"keep_images": True}), on_page=on_page)
    pages = [page for f in files for page in f.pages]
    checked = check_dossier(pages, catalog, procedure, received_on)
    failed = [f for f in files if f.error is not None]
    result = build_result(code, checked, files)
    with sessions() as session:
        dossier = session.merge(dossier)
        kept = keep(session, store, dossier, files,
                    documents=[document_input(d) for d in checked.documents],
                    status="done", result=result, signer=signer)
    index_dossier(sessions, None, code)
    wait_idle(WEBHOOK_SETTLE_S)  # `dossier process` exits next: give the events their chance
    result["stored"] = kept.as_contract()
    return Outcome(result, failed)
