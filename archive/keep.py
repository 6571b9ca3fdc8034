"""Keep what processing produced for a received dossier: objects first, then one transaction.

Per dossier this stores a normalised image and the OCR result (words, boxes,
confidences) per page, one searchable PDF per document (one per file when no
documents are given), and a metadata file. Only when every object is safely
stored does one database transaction write the pages, documents, fields,
stored-object rows and an audit entry. A crash in between leaves derived
objects no row refers to, which ``archive.fsck`` may delete: they can always
be made again from the originals.

Keys are content-addressed, so keeping the same result twice stores nothing
new and adds no row.
"""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from archive.audit import record_audit
from archive.copies import PreparedCopy, copy_title, make_copy
from archive.metadata import DocumentSummary, ObjectSummary, build_metadata, metadata_bytes
from archive.page_image import EncodedImage, encode_page_image
from archive.transactions import in_write_transaction
from models.catalog import Catalog, load_catalog
from models.dossier_code import VIETNAM_TZ
from models.records import (
    FIELD_SOURCES,
    Agency,
    Document,
    Dossier,
    FieldValue,
    Page,
    Procedure,
    StoredObjectRecord,
    utcnow,
)
from pipeline.results import FileResult, PageResult
from pipeline.searchable_pdf import MIN_DPI, PdfPage
from storage import ObjectStore, StoredObject
from webhooks.outbox import emit_verdict

if TYPE_CHECKING:
    from signing.desk import DeskSigner

__all__ = ["DocumentInput", "FieldInput", "Kept", "keep"]

PUT_THREADS = 4  # objects written at once


@dataclass(frozen=True)
class FieldInput:
    """One field value to record (normalised as the contract says)."""

    value: str
    confidence: float = 0.0
    page: int | None = None
    bbox: Sequence[int] | None = None
    source: str = "ocr"


@dataclass(frozen=True)
class DocumentInput:
    """A document found in the dossier: its type and its pages (0-based, all files)."""

    type_id: str
    pages: Sequence[int]
    confidence: float = 0.0
    fields: Mapping[str, FieldInput] = field(default_factory=dict)


@dataclass(frozen=True)
class Kept:
    """What ``keep`` stored: the record id, every object key, and any warnings."""

    record_id: str
    objects: list[str]
    warnings: list[str]

    def as_contract(self) -> dict[str, Any]:
        """The ``stored`` object of ``dossier process --json``."""
        return {"record_id": self.record_id, "objects": list(self.objects)}


@dataclass
class _Object:
    stored: StoredObject
    kind: str
    page: int | None = None
    document: int | None = None  # position of the document


def keep(session: Session, store: ObjectStore, dossier: Dossier, files: Sequence[FileResult], *,
         documents: Sequence[DocumentInput] | None = None, status: str | None = "done",
         result: Mapping[str, Any] | None = None, actor: str = "system",
         catalog: Catalog | None = None, signer: DeskSigner | None = None,
         encoded_images: Mapping[int, EncodedImage] | None = None,
         prepared: Mapping[int, PreparedCopy] | None = None) -> Kept:
    """Store the derived objects of ``dossier`` and record them in one transaction.

    ``files`` are the OCR results (``OcrOptions(keep_images=True)``); pages
    without an image (a trustworthy PDF text layer) get an OCR JSON but no page
    image, and are left out of the searchable PDF (the original already is one).
    With ``signer`` each searchable PDF is stored signed (Decree 30/2020: the
    agency's signature on a copy), at a time fixed by the dossier so a second
    keep stores the same bytes. ``encoded_images`` are page images already made by
    ``encode_page_image`` (by page index; the workers encode each page where it was
    read), used as they are; a page given one needs no pixels (``image`` None).
    ``prepared`` are copies of one-page documents made ahead (by page index,
    ``archive.copies``), used where they fit. Commits ``session``.
    """
    pages = [page for file in files for page in file.pages]
    by_index = {page.index: page for page in pages}
    docs = list(documents) if documents is not None else _one_per_file(files)
    _check_documents(docs, by_index)
    catalog = catalog or load_catalog()
    if session.in_transaction():
        session.commit()
    agency = session.get(Agency, dossier.agency_id)
    procedure = session.get(Procedure, dossier.procedure_id) if dossier.procedure_id else None
    session.commit()
    assert agency is not None
    year = dossier.received_at.astimezone(VIETNAM_TZ).year

    def store_now(data: bytes, kind: str, ext: str, content_type: str) -> StoredObject:
        return store.put_content(io.BytesIO(data), agency_code=agency.code, received_year=year,
                                 dossier_code=dossier.code, kind=kind, extension=ext,
                                 content_type=content_type, metadata={"kind": kind})

    warnings: list[str] = []
    jpegs: dict[int, bytes] = {}  # page images already JPEG: the PDF embeds the same bytes
    made = encoded_images or {}
    imaged = {p.index for p in pages if p.image is not None or p.index in made}
    # Objects are written by a few threads while the next ones are made: each write waits
    # for the disk (three fsyncs on a local folder) or the network, and a 60-page dossier
    # has some 180 of them. The list keeps the order of making, so records do not depend
    # on which write finished first.
    with ThreadPoolExecutor(max_workers=PUT_THREADS) as pool:
        pending: list[tuple[Future[StoredObject], str, int | None, int | None]] = []

        def put(data: bytes, kind: str, ext: str, content_type: str, *,
                page: int | None = None, document: int | None = None) -> None:
            pending.append((pool.submit(store_now, data, kind, ext, content_type), kind, page,
                            document))

        for page in pages:
            if page.index in imaged:
                encoded = made.get(page.index) or encode_page_image(page.image)  # type: ignore[arg-type]
                if encoded.extension == "jpg":
                    jpegs[page.index] = encoded.data
                put(encoded.data, "page", encoded.extension, encoded.content_type,
                    page=page.index)
            ocr_json = json.dumps({"dossier_code": dossier.code, **page.as_dict(words=True),
                                   "lines": [{"text": ln.text, "bbox": list(ln.bbox)}
                                             for ln in page.lines]},
                                  ensure_ascii=False, sort_keys=True).encode()
            put(ocr_json, "ocr", "json", "application/json", page=page.index)
        for position, doc in enumerate(docs):
            with_images = [by_index[i] for i in doc.pages if i in imaged]
            if not with_images:
                continue
            title = copy_title(dossier.code, doc.type_id, catalog)
            subject = procedure.name if procedure else None
            ready = (prepared or {}).get(with_images[0].index) if len(doc.pages) == 1 else None
            if ready is not None and ready.fits(title, subject, signer):
                data, made_warnings = ready.data, list(ready.warnings)
            else:
                data, made_warnings = make_copy(
                    [PdfPage(p.image, p.dpi, tuple(p.words), jpegs.get(p.index))
                     for p in with_images],
                    title=title, subject=subject, signer=signer, received_at=dossier.received_at)
            warnings += [f"document {position + 1} ({doc.type_id}): {w}" for w in made_warnings]
            put(data, "pdf", "pdf", "application/pdf", document=position)
        objects = [_Object(done.result(), kind, page_index, document)
                   for done, kind, page_index, document in pending]
    low_dpi = sorted(p.index for p in pages if p.index in imaged and p.dpi < MIN_DPI)
    originals = list(session.scalars(select(StoredObjectRecord).where(
        StoredObjectRecord.dossier_id == dossier.id, StoredObjectRecord.kind == "original")
        .order_by(StoredObjectRecord.id)))
    session.commit()
    summaries = [ObjectSummary("original", r.key, r.sha256, r.size, r.content_type,
                               name=r.original_name) for r in originals]
    summaries += [ObjectSummary(o.kind, o.stored.key, o.stored.sha256, o.stored.size,
                                o.stored.content_type, o.page, o.document) for o in objects]
    metadata = build_metadata(
        dossier_code=dossier.code, record_id=dossier.id, agency_code=agency.code,
        agency_name=agency.name, procedure_code=procedure.code if procedure else None,
        procedure_name=procedure.name if procedure else None,
        applicant_name=dossier.applicant_name, received_at=dossier.received_at,
        status=status or dossier.status, page_count=len(pages), sheet_count=None,
        documents=[DocumentSummary(i, d.type_id, _type_name(catalog, d.type_id), d.pages,
                                   d.confidence) for i, d in enumerate(docs)],
        objects=summaries, low_dpi_pages=low_dpi)
    objects.append(_Object(store_now(metadata_bytes(metadata), "metadata", "json",
                                     "application/json"), "metadata"))

    def record(s: Session) -> Kept:
        _replace_contents(s, dossier.id, docs, pages)
        doc_ids = {d.position: d.id for d in s.scalars(
            select(Document).where(Document.dossier_id == dossier.id))}
        known = set(s.scalars(select(StoredObjectRecord.key).where(
            StoredObjectRecord.dossier_id == dossier.id)))
        for obj in objects:
            if obj.stored.key in known:
                continue
            known.add(obj.stored.key)
            s.add(StoredObjectRecord(
                dossier_id=dossier.id, key=obj.stored.key, sha256=obj.stored.sha256,
                size=obj.stored.size, content_type=obj.stored.content_type, kind=obj.kind,
                page_index=obj.page,
                document_id=doc_ids.get(obj.document) if obj.document is not None else None))
        values: dict[str, Any] = {"pages_total": len(pages), "pages_done": len(pages),
                                  "needs_reprocessing": False, "updated_at": utcnow()}
        if status is not None:
            values["status"] = status
        if result is not None:
            values["result"] = dict(result)
        s.execute(update(Dossier).where(Dossier.id == dossier.id).values(**values))
        if status is not None and result is not None:  # the verdict, in this transaction
            emit_verdict(s, s.get(Dossier, dossier.id, populate_existing=True), result)
        keys = [o.stored.key for o in objects]
        record_audit(s, "dossier.kept", actor=actor, dossier_id=dossier.id, details={
            "pages": len(pages), "documents": [d.type_id for d in docs], "objects": keys,
            "warnings": warnings,
        })
        return Kept(dossier.id, [r.key for r in originals] + keys, warnings)

    kept = in_write_transaction(session, record)
    if dossier in session:
        session.refresh(dossier)
        session.commit()
    return kept


def _one_per_file(files: Sequence[FileResult]) -> list[DocumentInput]:
    """Without classification, each file is one document of type ``khac``."""
    return [DocumentInput("khac", [p.index for p in f.pages]) for f in files if f.pages]


def _check_documents(docs: Sequence[DocumentInput], pages: Mapping[int, PageResult]) -> None:
    seen: set[int] = set()
    for position, doc in enumerate(docs):
        if not doc.pages:
            raise ValueError(f"document {position + 1} ({doc.type_id}) has no pages")
        for index in doc.pages:
            if index not in pages:
                raise ValueError(f"document {position + 1} ({doc.type_id}): no page {index}")
            if index in seen:
                raise ValueError(f"page {index} is in two documents")
            seen.add(index)
        for field_id, value in doc.fields.items():
            if value.source not in FIELD_SOURCES:
                raise ValueError(f"field {field_id}: source {value.source!r} is not one of "
                                 f"{', '.join(FIELD_SOURCES)}")


def _type_name(catalog: Catalog, type_id: str) -> str:
    found = catalog.document_types.get(type_id)
    return found.name if found is not None else type_id


def _replace_contents(session: Session, dossier_id: str, docs: Sequence[DocumentInput],
                      pages: Sequence[PageResult]) -> None:
    """Write documents, fields and pages, replacing those of an earlier keep of this dossier."""
    old_docs = select(Document.id).where(Document.dossier_id == dossier_id)
    session.execute(update(StoredObjectRecord).where(StoredObjectRecord.document_id.in_(old_docs))
                    .values(document_id=None))
    session.execute(delete(Page).where(Page.dossier_id == dossier_id))
    session.execute(delete(FieldValue).where(FieldValue.document_id.in_(old_docs)))
    session.execute(delete(Document).where(Document.dossier_id == dossier_id))
    page_doc: dict[int, Document] = {}
    for position, doc in enumerate(docs):
        row = Document(dossier_id=dossier_id, position=position, type_id=doc.type_id,
                       first_page=min(doc.pages), page_count=len(doc.pages),
                       confidence=doc.confidence)
        row.fields = [
            FieldValue(field_id=field_id, value=_nfc(value.value), confidence=value.confidence,
                       source=value.source, page=value.page,
                       bbox=list(value.bbox) if value.bbox is not None else None)
            for field_id, value in doc.fields.items()
        ]
        session.add(row)
        for index in doc.pages:
            page_doc[index] = row
    session.flush()
    for page in pages:
        doc_row = page_doc.get(page.index)
        session.add(Page(
            dossier_id=dossier_id, page_index=page.index,
            document_id=doc_row.id if doc_row is not None else None, source=page.source,
            text=_nfc(page.text), confidence=page.confidence, rotation=page.rotation,
            skew_degrees=page.skew_degrees, dpi=page.dpi, blank=page.blank, width=page.width,
            height=page.height))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
