"""The bytes the desk downloads: page images and receipts, each behind the agency check."""

from __future__ import annotations

from fastapi import HTTPException, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.catalog import Catalog, NoVersionError, ProcessingTime
from models.records import Document, Dossier, StoredObjectRecord
from storage import ObjectStore, StorageError
from webapp.accounts import User
from webapp.dossiers import applicant_name, last_decision, local, procedure_code
from webapp.receipts import Receipt, render_receipt

__all__ = ["document_pdf", "page_image", "receipt_for", "receipt_pdf"]

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def page_image(session: Session, store: ObjectStore, dossier: Dossier, index: int) -> Response:
    """The stored normalised image of page ``index`` of an already agency-checked dossier."""
    row = session.scalars(select(StoredObjectRecord).where(
        StoredObjectRecord.dossier_id == dossier.id, StoredObjectRecord.kind == "page",
        StoredObjectRecord.page_index == index)).first()
    if row is None:
        raise HTTPException(404, "Trang này không có ảnh.")
    try:
        data = store.get_bytes(row.key)
    except StorageError as exc:
        raise HTTPException(503, "Kho lưu trữ tạm thời không đọc được ảnh trang.") from exc
    return Response(data, media_type=row.content_type, headers=_PRIVATE)


def document_pdf(session: Session, store: ObjectStore, dossier: Dossier,
                 position: int) -> Response:
    """The searchable PDF of document ``position`` (0-based) of an agency-checked dossier."""
    row = session.scalars(select(StoredObjectRecord).join(
        Document, Document.id == StoredObjectRecord.document_id).where(
        StoredObjectRecord.dossier_id == dossier.id, StoredObjectRecord.kind == "pdf",
        Document.position == position).order_by(StoredObjectRecord.id)).first()
    if row is None:
        raise HTTPException(404, "Giấy tờ này không có bản PDF.")
    try:
        data = store.get_bytes(row.key)
    except StorageError as exc:
        raise HTTPException(503, "Kho lưu trữ tạm thời không đọc được bản PDF.") from exc
    headers = {**_PRIVATE,
               "Content-Disposition": f'inline; filename="{dossier.code}-{position}.pdf"'}
    return Response(data, media_type="application/pdf", headers=headers)


def describe_time(time: ProcessingTime) -> str:
    if time.unit == "same_day":
        cutoff = f"{time.cutoff:%H:%M}" if time.cutoff else "15:00"
        return f"trong ngày (nhận sau {cutoff} trả trong ngày làm việc tiếp theo)"
    if time.unit == "working_days":
        return f"{time.value:02d} ngày làm việc"
    return f"{time.value:02d} ngày"


def receipt_for(session: Session, dossier: Dossier, catalog: Catalog, staff_name: str) -> Receipt:
    """The receipt of the dossier's last decision; 404 when it has none yet."""
    decision = last_decision(session, dossier)
    if decision is None:
        raise HTTPException(404, "Hồ sơ chưa có quyết định nên chưa có phiếu.")
    code = procedure_code(dossier)
    procedure = catalog.procedures.get(code) if code else None
    version = None
    if procedure is not None:
        try:
            version = procedure.version_on(local(dossier.received_at).date())
        except NoVersionError:
            version = procedure.current
    components = {c.type: c.name for c in version.components} if version else {}
    docs = session.scalars(select(Document).where(Document.dossier_id == dossier.id)
                           .order_by(Document.position)).all()
    submitted = [components.get(d.type_id) or (catalog.document_types[d.type_id].name
                 if d.type_id in catalog.document_types else d.type_id)
                 for d in docs if d.type_id != "khac"]
    missing = [f"{components.get(t) or t}: chưa có trong hồ sơ (thành phần bắt buộc của "
               f"thủ tục)" for t in decision.get("missing", [])]
    missing += [p for p in decision.get("problems", []) if p]
    due = dossier.due_at if decision["decision"] == "accept" else None
    return Receipt(
        kind=decision["decision"], dossier_code=dossier.code,
        agency_name=dossier.agency.name or dossier.agency.code,
        applicant_name=applicant_name(session, dossier),
        procedure_name=procedure.name if procedure else "(chưa xác định thủ tục)",
        received_at=local(dossier.received_at), staff_name=staff_name,
        documents=list(dict.fromkeys(submitted)),
        processing_time=describe_time(version.processing_time) if version else "",
        due_at=local(due) if due else None, missing=missing,
        reason=decision.get("reason", ""))


def receipt_pdf(session: Session, dossier: Dossier, catalog: Catalog, user: User) -> Response:
    receipt = receipt_for(session, dossier, catalog, user.full_name or user.username)
    data = render_receipt(receipt)
    name = {"accept": "mau-01", "incomplete": "mau-02", "refuse": "mau-03"}[receipt.kind]
    headers = {**_PRIVATE,
               "Content-Disposition": f'inline; filename="{name}-{dossier.code}.pdf"'}
    return Response(data, media_type="application/pdf", headers=headers)
