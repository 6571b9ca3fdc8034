"""The archive search, if the search package is there; a clear "chưa có" when it is not.

Pages of a processed dossier are indexed here (from the records) until the
workers index them themselves; every query carries the user's agency, and
hits are checked against the records again before anyone sees them.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from models.records import Document, Dossier

__all__ = ["SearchUnavailable", "available", "index_dossier", "run_search"]

log = logging.getLogger(__name__)

try:
    import search as _search
except ImportError:  # built in parallel; the app works without it
    _search = None  # type: ignore[assignment]

_IDENTITY_FIELDS = ("so_dinh_danh", "me_so_dinh_danh", "nguoi_yeu_cau_so_giay_to", "so_giay_to",
                    "chu_ho_so_dinh_danh", "ben_nu_so_giay_to", "ben_nam_so_giay_to")


class SearchUnavailable(RuntimeError):
    """The search engine is not installed or cannot be opened."""


def available() -> bool:
    return _search is not None


def index_dossier(sessions: sessionmaker[Session], database_url: str, code: str) -> int:
    """Index every page of dossier ``code``; returns pages indexed (0 without search)."""
    if _search is None:
        return 0
    with sessions() as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code).options(
            joinedload(Dossier.agency), joinedload(Dossier.procedure))).unique().one()
        docs = {d.id: d for d in session.scalars(select(Document).where(
            Document.dossier_id == dossier.id).options(joinedload(Document.fields))).unique()}
        pages = []
        for page in dossier.pages:
            doc = docs.get(page.document_id) if page.document_id else None
            fields = {f.field_id: f.value for f in doc.fields} if doc else {}
            pages.append(_search.PageDoc(
                record_id=dossier.id, dossier_code=dossier.code,
                agency_code=dossier.agency.code,
                procedure=dossier.procedure.code if dossier.procedure else None,
                document_type=doc.type_id if doc else None, page=page.page_index,
                received_at=dossier.received_at, status=dossier.status,
                identity_numbers=[fields[k] for k in _IDENTITY_FIELDS if fields.get(k)],
                text=page.text, fields=fields))
    with _search.open_index(database_url) as index:
        return index.index_pages(pages)


def run_search(database_url: str, text: str, agency_code: str, *, procedure: str | None = None,
               limit: int = 20) -> dict[str, Any]:
    """The contract's search object for one agency; SearchUnavailable or ValueError."""
    if _search is None:
        raise SearchUnavailable("search package not installed")
    query = _search.SearchQuery(text, agency_codes=[agency_code], procedure=procedure or None,
                                limit=limit)
    with _search.open_index(database_url) as index:
        return index.search(query).as_dict()
