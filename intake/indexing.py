"""Put a kept dossier's pages into the archive search index, from its records.

Reading from the records (not from the in-memory result) makes this the same
code for the first indexing, for a redelivered message and for a rebuild.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

import search
from models.records import Document, Dossier

IDENTITY_FIELDS = ("so_dinh_danh", "me_so_dinh_danh", "nguoi_yeu_cau_so_giay_to", "so_giay_to",
                   "chu_ho_so_dinh_danh", "ben_nu_so_giay_to", "ben_nam_so_giay_to")


def database_url_of(sessions: sessionmaker[Session]) -> str:
    """The URL the session factory is bound to (the index lives in the same database)."""
    return sessions.kw["bind"].url.render_as_string(hide_password=False)


def page_docs(session: Session, code: str) -> list[search.PageDoc]:
    dossier = session.scalars(select(Dossier).where(Dossier.code == code).options(
        joinedload(Dossier.agency), joinedload(Dossier.procedure))).unique().one()
    docs = {d.id: d for d in session.scalars(select(Document).where(
        Document.dossier_id == dossier.id).options(joinedload(Document.fields))).unique()}
    pages = []
    for page in dossier.pages:
        doc = docs.get(page.document_id) if page.document_id else None
        fields = {f.field_id: f.value for f in doc.fields} if doc else {}
        pages.append(search.PageDoc(
            record_id=dossier.id, dossier_code=dossier.code, agency_code=dossier.agency.code,
            procedure=dossier.procedure.code if dossier.procedure else None,
            document_type=doc.type_id if doc else None, page=page.page_index,
            received_at=dossier.received_at, status=dossier.status,
            identity_numbers=[fields[k] for k in IDENTITY_FIELDS if fields.get(k)],
            text=page.text, fields=fields))
    return pages


def index_dossier(sessions: sessionmaker[Session], database_url: str | None, code: str) -> int:
    """Index every page of dossier `code`; returns the number of pages indexed."""
    with sessions() as session:
        pages = page_docs(session, code)
    with search.open_index(database_url or database_url_of(sessions)) as index:
        return index.index_pages(pages)
