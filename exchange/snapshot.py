"""A dossier's records as plain data, independent of any one database.

Export reads a snapshot from the records, the XML carries it, import writes it
back. Row ids are left out on purpose: they are local to an installation
(autoincrement), so documents and pages are linked by *position* and *page
index* instead. The record id of the dossier itself (a UUID) is kept, so the
``stored.record_id`` a one-stop system already saw stays valid after a move.

``canonical()`` is what "the same records" means for import idempotence and
for the tests: everything except the audit trail, which only ever grows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models.records import (
    Agency,
    AuditEntry,
    CheckResult,
    Document,
    Dossier,
    Page,
    StoredObjectRecord,
)

__all__ = ["AuditData", "CheckData", "DocumentData", "DossierData", "FieldData", "ObjectData",
           "PageData", "ProcedureData", "read_snapshot"]


@dataclass
class FieldData:
    field_id: str
    value: str
    confidence: float
    source: str
    page: int | None = None
    bbox: list[Any] | None = None
    corrected_by: str | None = None
    corrected_at: datetime | None = None


@dataclass
class DocumentData:
    position: int
    type_id: str
    first_page: int
    page_count: int
    confidence: float
    fields: list[FieldData] = field(default_factory=list)


@dataclass
class PageData:
    page_index: int
    document: int | None  # position of its document
    source: str
    text: str
    confidence: float
    rotation: int
    skew_degrees: float
    dpi: int
    blank: bool
    width: int
    height: int


@dataclass
class CheckData:
    kind: str
    message: str
    ok: bool
    created_at: datetime


@dataclass
class ObjectData:
    key: str
    sha256: str
    size: int
    content_type: str
    kind: str
    page_index: int | None
    document: int | None  # position of its document
    original_name: str | None
    created_at: datetime

    @property
    def package_path(self) -> str:
        """Stable path inside the ZIP: never the citizen's file name, which may be anything."""
        extension = self.key.rsplit(".", 1)[-1] if "." in self.key.rsplit("/", 1)[-1] else "bin"
        return f"objects/{self.kind}/{self.sha256}.{extension}"


@dataclass
class AuditData:
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


@dataclass
class ProcedureData:
    code: str
    name: str
    domain: str
    effective_from: date | None


@dataclass
class DossierData:
    record_id: str
    code: str
    agency_code: str
    agency_name: str
    procedure: ProcedureData | None
    applicant_name: str | None
    status: str
    received_at: datetime
    due_at: datetime | None
    pages_done: int
    pages_total: int
    result: dict[str, Any] | None
    fingerprint: str | None
    needs_review: bool
    needs_reprocessing: bool
    review_reason: str | None
    updated_at: datetime
    documents: list[DocumentData] = field(default_factory=list)
    pages: list[PageData] = field(default_factory=list)
    checks: list[CheckData] = field(default_factory=list)
    objects: list[ObjectData] = field(default_factory=list)
    audit: list[AuditData] = field(default_factory=list)

    def canonical(self) -> dict[str, Any]:
        """Every record of the dossier as comparable data (objects by key, no audit trail)."""
        data = asdict(self)
        data.pop("audit")
        data["objects"] = sorted(data["objects"], key=lambda o: o["key"])
        data["checks"] = sorted(data["checks"], key=lambda c: (c["created_at"], c["kind"]))
        if data["procedure"] is not None:  # the catalogue of the target may be newer
            data["procedure"] = data["procedure"]["code"]
        data["agency_name"] = None  # the target may know the agency by a better name
        return data


def read_snapshot(session: Session, code: str, agency_code: str | None = None
                  ) -> DossierData | None:
    """The dossier ``code`` (at ``agency_code`` when given) as plain data, or None."""
    query = (select(Dossier).join(Agency, Dossier.agency_id == Agency.id)
             .where(Dossier.code == code)
             .options(joinedload(Dossier.agency), joinedload(Dossier.procedure)))
    if agency_code is not None:
        query = query.where(Agency.code == agency_code)
    dossier = session.scalars(query).one_or_none()
    if dossier is None:
        return None
    documents = list(session.scalars(
        select(Document).where(Document.dossier_id == dossier.id)
        .options(joinedload(Document.fields)).order_by(Document.position)).unique())
    position = {d.id: d.position for d in documents}
    pages = session.scalars(select(Page).where(Page.dossier_id == dossier.id)
                            .order_by(Page.page_index))
    checks = session.scalars(select(CheckResult).where(CheckResult.dossier_id == dossier.id)
                             .order_by(CheckResult.id))
    objects = session.scalars(select(StoredObjectRecord)
                              .where(StoredObjectRecord.dossier_id == dossier.id)
                              .order_by(StoredObjectRecord.id))
    audit = session.scalars(select(AuditEntry).where(AuditEntry.dossier_id == dossier.id)
                            .order_by(AuditEntry.id))
    proc = dossier.procedure
    return DossierData(
        record_id=dossier.id, code=dossier.code, agency_code=dossier.agency.code,
        agency_name=dossier.agency.name,
        procedure=ProcedureData(proc.code, proc.name, proc.domain, proc.version_effective_from)
        if proc is not None else None,
        applicant_name=dossier.applicant_name, status=dossier.status,
        received_at=dossier.received_at, due_at=dossier.due_at, pages_done=dossier.pages_done,
        pages_total=dossier.pages_total,
        result=dict(dossier.result) if dossier.result is not None else None,
        fingerprint=dossier.fingerprint, needs_review=dossier.needs_review,
        needs_reprocessing=dossier.needs_reprocessing, review_reason=dossier.review_reason,
        updated_at=dossier.updated_at,
        documents=[DocumentData(
            d.position, d.type_id, d.first_page, d.page_count, d.confidence,
            [FieldData(f.field_id, f.value, f.confidence, f.source, f.page,
                       list(f.bbox) if f.bbox is not None else None, f.corrected_by,
                       f.corrected_at) for f in sorted(d.fields, key=lambda f: f.id)])
            for d in documents],
        pages=[PageData(p.page_index, position.get(p.document_id) if p.document_id else None,
                        p.source, p.text, p.confidence, p.rotation, p.skew_degrees, p.dpi,
                        p.blank, p.width, p.height) for p in pages],
        checks=[CheckData(c.kind, c.message, c.ok, c.created_at) for c in checks],
        objects=[ObjectData(o.key, o.sha256, o.size, o.content_type, o.kind, o.page_index,
                            position.get(o.document_id) if o.document_id else None,
                            o.original_name, o.created_at) for o in objects],
        audit=[AuditData(a.at, a.actor, a.action, dict(a.details or {})) for a in audit],
    )
