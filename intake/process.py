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

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive import DocumentInput, FieldInput, keep, receive
from models.catalog import Catalog
from models.dossier_code import VIETNAM_TZ
from models.records import StoredObjectRecord
from pipeline.api import ocr_paths
from pipeline.dossier_check import CheckedDocument, check_dossier
from pipeline.options import OcrOptions
from pipeline.results import FileResult
from storage import ObjectStore


@dataclass(slots=True)
class Outcome:
    result: dict[str, Any]  # the contract's `dossier process` object
    failed_files: list[FileResult] = field(default_factory=list)
    repeated: bool = False  # the same files were processed before: nothing new stored


def _document_input(doc: CheckedDocument) -> DocumentInput:
    return DocumentInput(doc.type_id, doc.pages, doc.confidence, {
        name: FieldInput(f.value, f.confidence, f.page, f.bbox, f.source)
        for name, f in doc.fields.items() if f.value
    })


def _stored(session: Session, dossier_id: str) -> dict[str, Any]:
    keys = session.scalars(select(StoredObjectRecord.key).where(
        StoredObjectRecord.dossier_id == dossier_id).order_by(StoredObjectRecord.key)).all()
    return {"record_id": dossier_id, "objects": list(keys)}


def process_dossier(paths: Sequence[Path], procedure: str | None, *, agency_code: str,
                    store: ObjectStore, sessions: sessionmaker[Session], catalog: Catalog,
                    options: OcrOptions, received_at: datetime | None = None) -> Outcome:
    with sessions() as session:
        received = receive(paths, agency_code, procedure, store, session, received_at=received_at)
        dossier = received.dossier
        if not received.created and dossier.result:
            result = dict(dossier.result)
            result["stored"] = _stored(session, dossier.id)
            return Outcome(result, repeated=True)
        received_on = dossier.received_at.astimezone(VIETNAM_TZ).date()
        code = dossier.code
    files = ocr_paths(paths, options.model_copy(update={"keep_images": True}))
    pages = [page for f in files for page in f.pages]
    checked = check_dossier(pages, catalog, procedure, received_on)
    failed = [f for f in files if f.error is not None]
    result: dict[str, Any] = {"dossier_code": code, **checked.as_dict()}
    result["files"] = [{"path": f.path, "pages": len(f.pages),
                        "error": f.error.as_dict() if f.error else None} for f in files]
    with sessions() as session:
        dossier = session.merge(dossier)
        kept = keep(session, store, dossier, files,
                    documents=[_document_input(d) for d in checked.documents],
                    status="done", result=result)
    result["stored"] = kept.as_contract()
    return Outcome(result, failed)
