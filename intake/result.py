"""The `dossier process` object, built the same way whichever path produced the pages.

The in-process run (`intake.process`) and the workers (`intake.steps`) both
end here, so a dossier gives the same verdict and the same records whether it
went through a broker or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import DocumentInput, FieldInput
from models.records import StoredObjectRecord
from pipeline.dossier_check import CheckedDocument, DossierCheck
from pipeline.results import FileResult

__all__ = ["build_result", "document_input", "stored_summary"]


def document_input(doc: CheckedDocument) -> DocumentInput:
    """What `archive.keep` records for one document the check found (empty fields left out)."""
    return DocumentInput(doc.type_id, doc.pages, doc.confidence, {
        name: FieldInput(f.value, f.confidence, f.page, f.bbox, f.source)
        for name, f in doc.fields.items() if f.value
    })


def build_result(code: str, checked: DossierCheck, files: Sequence[FileResult]) -> dict[str, Any]:
    """The contract's result object, without ``stored`` (known only after keeping)."""
    result: dict[str, Any] = {"dossier_code": code, **checked.as_dict()}
    result["files"] = [{"path": f.path, "pages": len(f.pages),
                        "error": f.error.as_dict() if f.error else None} for f in files]
    return result


def stored_summary(session: Session, dossier_id: str) -> dict[str, Any]:
    """``stored`` for a dossier kept earlier: its record id and every object key."""
    keys = session.scalars(select(StoredObjectRecord.key).where(
        StoredObjectRecord.dossier_id == dossier_id).order_by(StoredObjectRecord.key)).all()
    return {"record_id": dossier_id, "objects": list(keys)}
