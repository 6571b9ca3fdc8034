"""Electronic records of received dossiers (SQLAlchemy 2 declarative models).

One row per thing the law asks us to keep track of: the agency that received a
dossier, the procedure it was filed under, the dossier itself, its documents,
pages and extracted fields, the checks run on it, every object kept in the
object store, and an append-only audit trail.

Status and kind columns are short strings guarded by CHECK constraints rather
than database enums: adding a value later is then one constraint change that
works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Mapper,
    ORMExecuteState,
    Session,
    mapped_column,
    relationship,
)

__all__ = [
    "DOSSIER_STATUSES",
    "FIELD_SOURCES",
    "FINAL_STATUSES",
    "OBJECT_KINDS",
    "PAGE_SOURCES",
    "Agency",
    "AuditEntry",
    "AuditTrailImmutable",
    "Base",
    "CheckResult",
    "Document",
    "Dossier",
    "DossierCounter",
    "FieldValue",
    "OutboxEvent",
    "Page",
    "Procedure",
    "StoredObjectRecord",
    "utcnow",
]

DOSSIER_STATUSES = ("received", "processing", "done", "failed", "accepted", "incomplete",
                    "refused")
# Processing is over: no worker step may change the dossier any more.
FINAL_STATUSES = ("done", "failed", "accepted", "incomplete", "refused")
PAGE_SOURCES = ("ocr", "text-layer")
FIELD_SOURCES = ("ocr", "qr", "manual")
OBJECT_KINDS = ("original", "page", "ocr", "pdf", "metadata")

# Stable constraint names, so Alembic migrations can refer to them on both backends.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now in UTC: every timestamp we store is UTC."""
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type and returns naive values; without this, times
    read from the embedded database would compare wrongly with aware ones.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone-aware time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only aliases the rowid (and so auto-increments) for a column typed INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON,
    }


class Agency(Base):
    """A receiving agency; ``code`` is its identifier (first part of every dossier code)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")


class Procedure(Base):
    """A procedure of the catalogue, as synchronised from ``catalog/`` at start-up."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(Text)
    domain: Mapped[str] = mapped_column(String(255), default="")
    version_effective_from: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DossierCounter(Base):
    """Last dossier number given out per agency and day (Circular 01/2018 ``NNNN``).

    Incremented with one atomic upsert; the row lock it takes is what makes two
    desks never get the same number, on SQLite and PostgreSQL alike.
    """

    __tablename__ = "dossier_counters"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Dossier(Base):
    """One dossier handed in at the desk.

    ``fingerprint`` is the SHA-256 over the originals' sorted SHA-256s; unique
    per agency, so the database itself refuses a second record of the same scan.
    """

    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint(_in("status", DOSSIER_STATUSES), name="status"),
        CheckConstraint("pages_done >= 0 AND pages_total >= 0", name="page_counts"),
        UniqueConstraint("agency_id", "fingerprint"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True,
                                    default=lambda: uuid.uuid4().hex)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    applicant_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="received")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None]
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_reprocessing: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    documents: Mapped[list[Document]] = relationship(
        back_populates="dossier", order_by="Document.position", cascade="all, delete-orphan")
    pages: Mapped[list[Page]] = relationship(
        back_populates="dossier", order_by="Page.page_index", cascade="all, delete-orphan")
    objects: Mapped[list[StoredObjectRecord]] = relationship(
        back_populates="dossier", order_by="StoredObjectRecord.id")
    checks: Mapped[list[CheckResult]] = relationship(back_populates="dossier")


class Document(Base):
    """One paper of the dossier (a run of consecutive pages of one type)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("dossier_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    type_id: Mapped[str] = mapped_column(String(64))
    first_page: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")
    fields: Mapped[list[FieldValue]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="FieldValue.id")


class Page(Base):
    """One page, 0-based over all pages of all files of the dossier."""

    __tablename__ = "pages"
    __table_args__ = (
        UniqueConstraint("dossier_id", "page_index"),
        CheckConstraint(_in("source", PAGE_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    page_index: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    source: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    skew_degrees: Mapped[float] = mapped_column(Float, default=0.0)
    dpi: Mapped[int] = mapped_column(Integer)
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)

    dossier: Mapped[Dossier] = relationship(back_populates="pages")


class FieldValue(Base):
    """One extracted (or typed-in) field value of a document, with who corrected it."""

    __tablename__ = "fields"
    __table_args__ = (
        UniqueConstraint("document_id", "field_id"),
        CheckConstraint(_in("source", FIELD_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    field_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(8), default="ocr")
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[Any] | None]
    corrected_by: Mapped[str | None] = mapped_column(String(128))
    corrected_at: Mapped[datetime | None]

    document: Mapped[Document] = relationship(back_populates="fields")


class CheckResult(Base):
    """One completeness or integrity check run on a dossier (``ok`` false = a problem)."""

    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="")
    ok: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="checks")


class StoredObjectRecord(Base):
    """An object kept in the object store for a dossier: the row fsck checks against."""

    __tablename__ = "stored_objects"
    __table_args__ = (
        CheckConstraint(_in("kind", OBJECT_KINDS), name="kind"),
        Index("ix_stored_objects_sha256_kind", "sha256", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    key: Mapped[str] = mapped_column(String(1024), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    page_index: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    original_name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="objects")


class AuditEntry(Base):
    """Who did what to which dossier, when. Rows are only ever inserted.

    The ORM refuses updates and deletes (below), and the migration adds database
    triggers that refuse them too, so even raw SQL cannot rewrite history.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    dossier_id: Mapped[str | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditTrailImmutable(Exception):
    """Raised when code tries to change or remove an audit entry."""


@event.listens_for(AuditEntry, "before_update")
def _refuse_audit_update(mapper: Mapper[Any], connection: object, target: AuditEntry) -> None:
    raise AuditTrailImmutable(f"audit entry {target.id} cannot be changed: append-only trail")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_delete(mapper: Mapper[Any], connection: object, target: AuditEntry) -> None:
    raise AuditTrailImmutable(f"audit entry {target.id} cannot be deleted: append-only trail")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_change(state: ORMExecuteState) -> None:
    """``session.execute(update(AuditEntry))`` bypasses the mapper events; stop it here."""
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditEntry for m in state.all_mappers
    ):
        raise AuditTrailImmutable("audit entries cannot be updated or deleted")


class OutboxEvent(Base):
    """One webhook event for the one-stop system, written in the state change's transaction.

    The row exists iff the change committed (the transactional outbox), so an
    event is never lost when the receiver is down; ``webhooks.delivery`` sends
    rows per dossier in ``sequence`` order. ``event_id`` is what the receiver
    dedups on; (dossier, type, dedup_key) is what stops a redelivered worker
    message from recording the same change twice. ``lease_*`` let several
    deliverers share the table without sending one event twice.
    """

    __tablename__ = "webhook_outbox"
    __table_args__ = (
        UniqueConstraint("dossier_id", "sequence"),
        UniqueConstraint("dossier_id", "event_type", "dedup_key"),
        Index("ix_webhook_outbox_due", "delivered_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(32))
    dedup_key: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
