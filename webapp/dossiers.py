"""What the desk does to a dossier, shared by the pages and the API.

Every function that takes a code looks the dossier up *through the user's
agency*: a dossier of another agency is "not found" (404), never "forbidden",
so its existence is not revealed either.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from archive.audit import record_audit
from models.catalog import Catalog, NoVersionError
from models.dossier_code import VIETNAM_TZ
from models.records import Agency, AuditEntry, Document, Dossier, FieldValue, utcnow
from webapp.accounts import User
from webapp.labels import APPLICANT_FIELDS, DECISION_NAMES, STATUS_NAMES, field_label
from webhooks.outbox import emit_decision
from workdays import DueDate, WorkCalendar, due_date

__all__ = ["LOW_CONFIDENCE", "Decision", "correct_field", "decide", "dossier_view",
           "find_dossier", "last_decision", "proposed_due", "register_rows"]

log = logging.getLogger(__name__)

LOW_CONFIDENCE = 0.80
"""Fields read with less confidence than this are highlighted for a person to check."""

DECIDED = ("accepted", "incomplete", "refused")
_DECISION_STATUS = {"accept": "accepted", "incomplete": "incomplete", "refuse": "refused"}


def not_found() -> HTTPException:
    return HTTPException(404, "Không tìm thấy hồ sơ.")


def find_dossier(session: Session, user: User, code: str) -> Dossier:
    """The dossier with ``code`` at the user's agency; 404 otherwise."""
    dossier = session.scalars(
        select(Dossier).join(Agency, Dossier.agency_id == Agency.id)
        .where(Dossier.code == code, Agency.code == user.agency_code)
        .options(joinedload(Dossier.procedure), joinedload(Dossier.agency))).first()
    if dossier is None:
        raise not_found()
    return dossier


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(VIETNAM_TZ) if moment else None


def procedure_code(dossier: Dossier) -> str | None:
    if dossier.procedure is not None:
        return dossier.procedure.code
    return (dossier.result or {}).get("procedure")


def proposed_due(dossier: Dossier, catalog: Catalog, calendar: WorkCalendar) -> DueDate | None:
    """The return date if the dossier were accepted: from its receipt, in working days."""
    code = procedure_code(dossier)
    if not code or code not in catalog.procedures:
        return None
    try:
        version = catalog.procedure(code).version_on(local(dossier.received_at).date())
    except NoVersionError:
        version = catalog.procedure(code).current
    return due_date(dossier.received_at, version.processing_time, calendar)


def _documents(session: Session, dossier: Dossier) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.dossier_id == dossier.id)
                                .options(joinedload(Document.fields))
                                .order_by(Document.position)).unique())


def _review_flags(dossier: Dossier) -> dict[tuple[int, str], bool]:
    flags: dict[tuple[int, str], bool] = {}
    for i, doc in enumerate((dossier.result or {}).get("documents", [])):
        for name, f in doc.get("fields", {}).items():
            flags[(i, name)] = bool(f.get("needs_review"))
    return flags


def applicant_name(session: Session, dossier: Dossier) -> str:
    if dossier.applicant_name:
        return dossier.applicant_name
    fields = {f.field_id: f.value for d in _documents(session, dossier) for f in d.fields}
    return next((fields[k] for k in APPLICANT_FIELDS if fields.get(k)), "")


def last_decision(session: Session, dossier: Dossier) -> dict[str, Any] | None:
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.dossier_id == dossier.id, AuditEntry.action == "dossier.decided")
        .order_by(AuditEntry.id.desc())).first()
    if entry is None:
        return None
    return {**entry.details, "at": local(entry.at), "actor": entry.actor}


def dossier_view(session: Session, dossier: Dossier, catalog: Catalog,
                 calendar: WorkCalendar) -> dict[str, Any]:
    """Everything the review page and the API show about one dossier."""
    result = dossier.result or {}
    flags = _review_flags(dossier)
    documents = []
    for doc in _documents(session, dossier):
        type_name = (catalog.document_types[doc.type_id].name
                     if doc.type_id in catalog.document_types else doc.type_id)
        fields = [{
            "field_id": f.field_id, "label": field_label(f.field_id), "value": f.value,
            "confidence": round(f.confidence, 2), "page": f.page, "bbox": f.bbox,
            "source": f.source,
            "needs_review": f.source != "manual" and (
                flags.get((doc.position, f.field_id), False) or f.confidence < LOW_CONFIDENCE),
            "corrected_by": f.corrected_by,
            "corrected_at": local(f.corrected_at).isoformat() if f.corrected_at else None,
        } for f in doc.fields]
        documents.append({"position": doc.position, "type": doc.type_id, "type_name": type_name,
                          "pages": list(range(doc.first_page, doc.first_page + doc.page_count)),
                          "confidence": round(doc.confidence, 2), "fields": fields})
    completeness = result.get("completeness") or {"complete": False, "missing": [],
                                                  "problems": []}
    missing = [{"type": t, "name": catalog.document_types[t].name
                if t in catalog.document_types else t} for t in completeness.get("missing", [])]
    code = procedure_code(dossier)
    due = proposed_due(dossier, catalog, calendar)
    decision = last_decision(session, dossier)
    return {
        "dossier_code": dossier.code,
        "record_id": dossier.id,
        "status": dossier.status,
        "status_name": STATUS_NAMES.get(dossier.status, dossier.status),
        "received_at": local(dossier.received_at).isoformat(),
        "due_at": local(dossier.due_at).isoformat() if dossier.due_at else None,
        "proposed_due_at": due.at.isoformat() if due else None,
        "procedure": code,
        "procedure_name": catalog.procedures[code].name if code in catalog.procedures else None,
        "applicant_name": applicant_name(session, dossier),
        "pages": [{"index": p.page_index, "width": p.width, "height": p.height,
                   "confidence": round(p.confidence, 2), "blank": p.blank}
                  for p in dossier.pages],
        "documents": documents,
        "completeness": {"complete": bool(completeness.get("complete")), "missing": missing,
                         "problems": completeness.get("problems", [])},
        "decision": {**decision, "at": decision["at"].isoformat()} if decision else None,
    }


def correct_field(session: Session, dossier: Dossier, user: User, position: int,
                  field_id: str, value: str) -> FieldValue:
    """Set a field's value by hand; who and when go in the field row and the audit trail."""
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if not value or len(value) > 500:
        raise HTTPException(422, "Giá trị không được để trống và không quá 500 ký tự.")
    row = session.scalars(select(FieldValue).join(Document).where(
        Document.dossier_id == dossier.id, Document.position == position,
        FieldValue.field_id == field_id)).first()
    if row is None:
        raise HTTPException(404, "Không tìm thấy trường này trong hồ sơ.")
    old = row.value
    now = utcnow()
    row.value, row.source, row.confidence = value, "manual", 1.0
    row.corrected_by, row.corrected_at = user.username, now
    result = dict(dossier.result or {})
    docs = result.get("documents") or []
    if position < len(docs) and field_id in docs[position].get("fields", {}):
        docs = [dict(d) for d in docs]
        fields = dict(docs[position]["fields"])
        fields[field_id] = {**fields[field_id], "value": value, "confidence": 1.0,
                            "source": "manual", "needs_review": False}
        docs[position]["fields"] = fields
        result["documents"] = docs
        dossier.result = result
    record_audit(session, "field.corrected", actor=user.username, dossier_id=dossier.id,
                 details={"document": position, "field": field_id, "old": old, "new": value})
    log.info("dossier %s: field %s corrected by user %s", dossier.code, field_id, user.id)
    return row


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # accept | incomplete | refuse
    reason: str = ""


def decide(session: Session, dossier: Dossier, user: User, decision: Decision,
           catalog: Catalog, calendar: WorkCalendar) -> dict[str, Any]:
    """Accept, ask for more, or refuse; the status, due date and audit entry change together."""
    if decision.kind not in _DECISION_STATUS:
        raise HTTPException(422, "Quyết định không hợp lệ.")
    if dossier.status in ("received", "processing", "failed"):
        raise HTTPException(409, "Hồ sơ chưa xử lý xong, chưa thể quyết định.")
    if dossier.status in DECIDED and user.role == "reception":
        raise HTTPException(409, "Hồ sơ đã có quyết định; cần giám sát viên để thay đổi.")
    reason = " ".join(unicodedata.normalize("NFC", decision.reason).split())[:2000]
    completeness = (dossier.result or {}).get("completeness") or {}
    missing = list(completeness.get("missing", []))
    details: dict[str, Any] = {"decision": decision.kind, "reason": reason}
    if decision.kind == "refuse" and not reason:
        raise HTTPException(422, "Phải ghi rõ lý do từ chối tiếp nhận.")
    if decision.kind == "incomplete":
        problems = [p.get("message", "") for p in completeness.get("problems", [])]
        if not missing and not problems and not reason:
            raise HTTPException(422, "Hãy ghi rõ nội dung cần bổ sung, hoàn thiện.")
        details.update(missing=missing, problems=problems)
    if decision.kind == "accept":
        due = proposed_due(dossier, catalog, calendar)
        if due is None:
            raise HTTPException(422, "Hồ sơ chưa có thủ tục, không tính được ngày hẹn trả.")
        dossier.due_at = due.at
        details.update(due_at=due.at.isoformat(), rule=due.rule,
                       unknown_years=list(due.unknown_years))
    dossier.status = _DECISION_STATUS[decision.kind]
    entry = record_audit(session, "dossier.decided", actor=user.username,
                         dossier_id=dossier.id, details=details)
    session.flush()  # the entry's id keys the webhook event: one event per decision
    emit_decision(session, dossier, decision.kind, details, key=f"audit-{entry.id}")
    log.info("dossier %s: %s by user %s", dossier.code, decision.kind, user.id)
    return details


def register_rows(session: Session, user: User, catalog: Catalog, *, status: str | None = None,
                  limit: int = 500) -> list[dict[str, Any]]:
    """The agency's register (Sổ theo dõi hồ sơ, Mẫu 06), newest first, overdue marked."""
    query = (select(Dossier).join(Agency, Dossier.agency_id == Agency.id)
             .where(Agency.code == user.agency_code).options(joinedload(Dossier.procedure))
             .order_by(Dossier.received_at.desc()).limit(limit))
    if status:
        query = query.where(Dossier.status == status)
    now = utcnow()
    rows = []
    for d in session.scalars(query):
        code = procedure_code(d)
        overdue = d.status == "accepted" and d.due_at is not None and d.due_at < now
        rows.append({
            "dossier_code": d.code, "status": d.status,
            "status_name": STATUS_NAMES.get(d.status, d.status),
            "procedure": code,
            "procedure_name": catalog.procedures[code].name if code in catalog.procedures
            else "",
            "applicant_name": applicant_name(session, d),
            "received_at": local(d.received_at).isoformat(),
            "due_at": local(d.due_at).isoformat() if d.due_at else None,
            "overdue": overdue,
        })
    return rows


def decision_name(kind: str) -> str:
    return DECISION_NAMES.get(kind, kind)
