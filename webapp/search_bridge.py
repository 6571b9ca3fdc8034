"""The archive search, if the search package is there; a clear "chưa có" when it is not.

Pages of a processed dossier are indexed here (from the records) until the
workers index them themselves; every query carries the user's agency, and
hits are checked against the records again before anyone sees them.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

__all__ = ["SearchUnavailable", "available", "index_dossier", "run_search"]

log = logging.getLogger(__name__)

try:
    import search as _search
except ImportError:  # built in parallel; the app works without it
    _search = None  # type: ignore[assignment]



class SearchUnavailable(RuntimeError):
    """The search engine is not installed or cannot be opened."""


def available() -> bool:
    return _search is not None


def index_dossier(sessions: sessionmaker[Session], database_url: str, code: str) -> int:
    """Index every page of dossier ``code``; returns pages indexed (0 without search)."""
    if _search is None:
        return 0
    from intake.indexing import index_dossier as index_from_records

    return index_from_records(sessions, database_url, code)


def run_search(database_url: str, text: str, agency_code: str, *, procedure: str | None = None,
               limit: int = 20, **filters: Any) -> dict[str, Any]:
    """The contract's search object for one agency; SearchUnavailable or ValueError.

    ``filters`` are the other exact filters of ``search.SearchQuery``
    (document_type, date_from, date_to, status, identity_number); empty ones are dropped.
    """
    if _search is None:
        raise SearchUnavailable("search package not installed")
    given = {k: v for k, v in filters.items() if v not in (None, "")}
    query = _search.SearchQuery(text, agency_codes=[agency_code], procedure=procedure or None,
                                limit=limit, **given)
    with _search.open_index(database_url) as index:
        return index.search(query).as_dict()
