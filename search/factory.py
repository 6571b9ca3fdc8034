"""Pick the search backend from the records database URL (contract: Configuration)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from search.base import PageDoc, SearchIndex


class SearchConfigError(ValueError):
    """The database URL names no backend we can search with."""


def default_url() -> str:
    home = Path(os.environ.get("DOSSIER_HOME") or "./data")
    return f"sqlite:///{home / 'hoso.sqlite3'}"


def open_index(database_url: str | None = None) -> SearchIndex:
    """SQLite URL → FTS5 in that file; PostgreSQL URL → tsvector/GIN in that database."""
    raw = database_url or os.environ.get("DOSSIER_DATABASE_URL") or default_url()
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise SearchConfigError(f"not a database URL: {raw!r}") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        from search.sqlite_fts import SqliteSearchIndex

        return SqliteSearchIndex(url.database or ":memory:")
    if backend in ("postgresql", "postgres"):
        from search.postgres_fts import PostgresSearchIndex

        return PostgresSearchIndex(raw)
    raise SearchConfigError(f"no search backend for {backend!r} databases "
                            "(use sqlite:/// or postgresql://)")


def reindex(index: SearchIndex, pages: Iterable[PageDoc]) -> int:
    """Rebuild the index from stored records (for `dossier reindex`): clear, load, compact."""
    index.clear()
    done = index.index_pages(pages)
    index.optimize()
    return done
