"""SQLite FTS5 backend: the embedded default, one file, no server.

Layout:
- `search_pages`: one row per page (date filter, original text for snippets,
  and everything needed to re-derive the indexed values).
- `search_fts`: a *contentless* FTS5 table with three columns: `exact`
  (lower-case NFC tokens, diacritics kept), `folded` (diacritics stripped,
  đ→d) and `meta` (one token per exact filter value: agency, procedure,
  document type, status, identity numbers; see base.meta_token).
  Contentless keeps the text stored once; deleting a row therefore
  re-derives the indexed values from `search_pages`.

A query term T matches as `(folded: fold(T) OR exact: T)`: the folded phrase
decides *whether* a page matches, the exact phrase (only when T was typed
with diacritics) adds to bm25 through a heavier column weight.  Pages that
match every term exactly form a first tier, so an exact-diacritic match
always ranks above a folded-only one.  The agency limit and the exact
filters are `meta` terms ANDed into the same MATCH, so FTS5 intersects them
with the words and only the date range needs a join.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from search import links
from search.base import (
    EMPTY,
    RANK_CAP,
    PageDoc,
    SearchHit,
    SearchIndex,
    SearchResult,
    as_datetime,
    batched,
    meta_doc,
    meta_token,
    normal_id,
    searchable_text,
)
from search.folding import index_docs
from search.query import ParsedQuery, SearchQuery, Term, check_paging, parse_query
from search.snippet import best_snippet

EXACT_WEIGHT, FOLDED_WEIGHT, META_WEIGHT = 3.0, 1.0, 0.0
BATCH = 2000

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_pages (
    id INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    procedure TEXT,
    document_type TEXT,
    page INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT,
    identity_numbers TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}',
    UNIQUE (record_id, page)
);
CREATE INDEX IF NOT EXISTS search_pages_dossier ON search_pages (dossier_code);
DROP INDEX IF EXISTS search_pages_agency;
-- Filter-only browsing counts and sorts from this index alone (covering).
CREATE INDEX IF NOT EXISTS search_pages_browse ON search_pages
    (agency_code, received_at, procedure, document_type, status, record_id, page);
"""
FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    exact, folded, meta, content='', tokenize='unicode61 remove_diacritics 0', prefix='2 3'
);
"""
_ROW = ("id, text, fields, identity_numbers, agency_code, procedure, document_type, status")


def _phrase(words: tuple[str, ...], prefix: bool) -> str:
    # Tokens are letters/digits only (search.folding), so quoting cannot be escaped.
    return '"' + " ".join(words) + '"' + (" *" if prefix else "")


def _term_expr(term: Term) -> str:
    folded = f"folded : {_phrase(term.folded, term.prefix)}"
    if term.exact == term.folded:  # typed without diacritics: nothing to boost
        return folded
    return f"({folded} OR exact : {_phrase(term.exact, term.prefix)})"


def _any(kind: str, values: list[str]) -> str:
    return "(" + " OR ".join(f'meta : "{meta_token(kind, v)}"' for v in values) + ")"


def fts_expression(parsed: ParsedQuery, query: SearchQuery, agencies: list[str]) -> str:
    """FTS5 MATCH expression built only from our own tokens: words AND filters."""
    parts = [_term_expr(t) for t in parsed.terms]
    parts.append(_any("a", agencies))
    for kind, value in (("p", query.procedure), ("t", query.document_type),
                        ("s", query.status)):
        if value:
            parts.append(_any(kind, [value]))
    if query.identity_number:
        parts.append(_any("i", [normal_id(query.identity_number) or "-"]))
    return " AND ".join(parts)


def exact_expression(parsed: ParsedQuery) -> str | None:
    """Pages matching every term with its diacritics; None when none were typed."""
    if all(t.exact == t.folded for t in parsed.terms):
        return None
    return " AND ".join(f"exact : {_phrase(t.exact, t.prefix)}" for t in parsed.terms)


def _stamp(value: object, end_of_day: bool = False) -> str:
    return as_datetime(value, end_of_day).isoformat(sep="T", timespec="seconds")  # type: ignore[arg-type]


def _fts_values(row: tuple) -> tuple[int, str, str, str]:
    pid, text, fields, numbers, agency, procedure, doc_type, status = row
    numbers = json.loads(numbers)
    exact, folded = index_docs(searchable_text(text, json.loads(fields), numbers))
    return pid, exact, folded, meta_doc(agency, procedure, doc_type, status, numbers)


class SqliteSearchIndex(SearchIndex):
    """FTS5 index in a SQLite file (or ':memory:')."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.executescript(SCHEMA + FTS_SCHEMA)
        self._lock = threading.RLock()
        self._records: bool | None = None  # are the records tables here? (search.links)

    def _write(self, work: object, *args: object) -> None:
        """Run `work` in one write transaction (the lock keeps threads' transactions apart)."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                work(*args)  # type: ignore[operator]
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    # -- writing -----------------------------------------------------------
    def index_pages(self, docs: Iterable[PageDoc]) -> int:
        done = 0
        for batch in batched(docs, BATCH):
            unique = list({(d.record_id, d.page): d for d in batch}.values())
            self._write(self._replace, unique)
            done += len(unique)
        return done

    def _replace(self, docs: list[PageDoc]) -> None:
        wanted = {(d.record_id, d.page) for d in docs}
        ids = sorted({d.record_id for d in docs})
        found: list[int] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT id, record_id, page FROM search_pages WHERE record_id IN ({marks})", chunk)
            found.extend(r[0] for r in rows if (r[1], r[2]) in wanted)
        self._delete_ids(found)
        self._insert(docs)

    def _insert(self, docs: list[PageDoc]) -> None:
        (top,) = self.db.execute("SELECT coalesce(max(id), 0) FROM search_pages").fetchone()
        pages, fts = [], []
        for n, d in enumerate(docs, start=top + 1):
            numbers = sorted({normal_id(x) for x in d.identity_numbers if normal_id(x)})
            pages.append((n, d.record_id, d.dossier_code, d.agency_code, d.procedure,
                          d.document_type, int(d.page), _stamp(d.received_at), d.status,
                          json.dumps(numbers), d.text,
                          json.dumps(d.fields, ensure_ascii=False)))
            exact, folded = index_docs(searchable_text(d.text, d.fields, numbers))
            fts.append((n, exact, folded, meta_doc(d.agency_code, d.procedure,
                                                   d.document_type, d.status, numbers)))
        self.db.executemany("INSERT INTO search_pages VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", pages)
        self.db.executemany(
            "INSERT INTO search_fts (rowid, exact, folded, meta) VALUES (?,?,?,?)", fts)

    def _delete_ids(self, ids: list[int]) -> None:
        """Delete pages; contentless FTS5 needs the exact values that were indexed."""
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT {_ROW} FROM search_pages WHERE id IN ({marks})",
                                   chunk).fetchall()
            self.db.executemany("INSERT INTO search_fts (search_fts, rowid, exact, folded, meta)"
                                " VALUES ('delete', ?, ?, ?, ?)", map(_fts_values, rows))
            self.db.execute(f"DELETE FROM search_pages WHERE id IN ({marks})", chunk)

    def _delete_where(self, column: str, value: str) -> int:
        deleted: list[int] = []

        def work() -> None:
            deleted.extend(r[0] for r in self.db.execute(
                f"SELECT id FROM search_pages WHERE {column} = ?", (value,)))
            self._delete_ids(deleted)

        self._write(work)
        return len(deleted)

    def delete_dossier(self, dossier_code: str) -> int:
        return self._delete_where("dossier_code", dossier_code)

    def delete_record(self, record_id: str) -> int:
        return self._delete_where("record_id", record_id)

    def clear(self) -> None:
        with self._lock:
            self.db.executescript("BEGIN; DROP TABLE IF EXISTS search_fts;"
                                  " DELETE FROM search_pages; COMMIT;")
            self.db.executescript(FTS_SCHEMA)

    def rebuild(self) -> None:
        def work() -> None:
            self.db.execute("DROP TABLE IF EXISTS search_fts")
            self.db.execute(FTS_SCHEMA)
            rows = self.db.execute(f"SELECT {_ROW} FROM search_pages ORDER BY id")
            self.db.executemany("INSERT INTO search_fts (rowid, exact, folded, meta)"
                                " VALUES (?,?,?,?)", map(_fts_values, rows.fetchall()))
        self._write(work)

    def optimize(self) -> None:
        with self._lock:
            self.db.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
            self.db.execute("ANALYZE")

    # -- reading -----------------------------------------------------------
    def count(self, agency_codes: list[str] | None = None) -> int:
        if agency_codes is None:
            return int(self.db.execute("SELECT count(*) FROM search_pages").fetchone()[0])
        if not agency_codes:
            return 0
        marks = ",".join("?" * len(agency_codes))
        return int(self.db.execute(
            f"SELECT count(*) FROM search_pages WHERE agency_code IN ({marks})",
            list(agency_codes)).fetchone()[0])

    def search(self, query: SearchQuery) -> SearchResult:
        with self._lock:
            return self._search(query)

    def _search(self, query: SearchQuery) -> SearchResult:
        parsed = parse_query(query)
        check_paging(query)
        agencies = sorted({a for a in (query.agency_codes or []) if a})
        if not agencies:
            return EMPTY
        if not parsed.terms:
            return self._browse(query, agencies)
        expr = fts_expression(parsed, query, agencies)
        exact = exact_expression(parsed)
        if exact:
            exact = f"{exact} AND {_any('a', agencies)}"
        dates, params = self._dates(query)
        source = "search_fts"
        if dates:  # only the date range needs the page rows
            source = f"search_fts JOIN search_pages p ON p.id = search_fts.rowid AND {dates}"
        where = "search_fts MATCH ?"
        # The newest `window` + 1 matches and no more (FTS5 walks its doclists in
        # rowid order): the count stops there, and only those are ranked.
        window = max(RANK_CAP, query.offset + query.limit)
        newest = [r[0] for r in self.db.execute(
            f"SELECT search_fts.rowid FROM {source} WHERE {where}"
            " ORDER BY search_fts.rowid DESC LIMIT ?", [*params, expr, window + 1])]
        total, exact_total = min(len(newest), window), len(newest) <= window
        if total <= query.offset:
            return SearchResult(total, [], exact_total)
        where += " AND search_fts.rowid >= ?"
        cut: list[object] = [newest[total - 1]]
        tier = "search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)"
        bm25 = f"bm25(search_fts, {EXACT_WEIGHT}, {FOLDED_WEIGHT}, {META_WEIGHT})"
        sql = (
            "SELECT id, tier + (-score) / (1.0 - score) FROM ("
            f" SELECT search_fts.rowid AS id, {bm25} AS score, {tier if exact else '0'} AS tier"
            f" FROM {source} WHERE {where})"
            " ORDER BY tier DESC, score, id LIMIT ? OFFSET ?"
        )
        args = [*([exact] if exact else []), *params, expr, *cut, query.limit, query.offset]
        rows = self.db.execute(sql, args).fetchall()
        return SearchResult(total, self._hits(rows, parsed), exact_total)

    def _browse(self, query: SearchQuery, agencies: list[str]) -> SearchResult:
        """Filters only: the newest matching pages, received date descending (score 0)."""
        marks = ",".join("?" * len(agencies))
        clauses, params = [f"p.agency_code IN ({marks})"], list(agencies)
        for column, value in (("procedure", query.procedure),
                              ("document_type", query.document_type),
                              ("status", query.status)):
            if value:
                clauses.append(f"p.{column} = ?")
                params.append(value)
        dates, date_params = self._dates(query)
        if dates:
            clauses.append(dates)
            params.extend(date_params)
        if query.identity_number:  # the meta term is indexed; the JSON column is not
            clauses.append("p.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)")
            params.append(_any("i", [normal_id(query.identity_number) or "-"]))
        where = " AND ".join(clauses)
        window = max(RANK_CAP, query.offset + query.limit)
        total = int(self.db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM search_pages p WHERE {where} LIMIT ?)",
            [*params, window + 1]).fetchone()[0])
        if total <= query.offset:
            return SearchResult(min(total, window), [], total <= window)
        rows = self.db.execute(
            f"SELECT p.id, 0.0 FROM search_pages p WHERE {where}"
            " ORDER BY p.received_at DESC, p.record_id, p.page LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset]).fetchall()
        return SearchResult(min(total, window), self._hits(rows, ParsedQuery(())),
                            total <= window)

    @staticmethod
    def _dates(query: SearchQuery) -> tuple[str, list[object]]:
        clauses, params = [], []
        if query.date_from is not None:
            clauses.append("p.received_at >= ?")
            params.append(_stamp(query.date_from))
        if query.date_to is not None:
            clauses.append("p.received_at <= ?")
            params.append(_stamp(query.date_to, end_of_day=True))
        return " AND ".join(clauses), params

    def _hits(self, rows: list[tuple[int, float]], parsed: ParsedQuery) -> list[SearchHit]:
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        pages = {r[0]: r for r in self.db.execute(
            "SELECT id, record_id, dossier_code, document_type, page, text, fields,"
            f" identity_numbers FROM search_pages WHERE id IN ({marks})", ids)}
        hits = []
        for pid, score in rows:
            _, record_id, dossier, doc_type, page, text, fields, numbers = pages[pid]
            extra = searchable_text("", json.loads(fields), json.loads(numbers))
            hits.append(SearchHit(record_id, dossier, doc_type, page, float(score),
                                  best_snippet([text, extra], parsed)))
        if self._has_records():
            links.attach(hits, self._link_rows)
        return hits

    def _has_records(self) -> bool:
        if self._records is None:
            marks = ",".join("?" * len(links.RECORD_TABLES))
            (found,) = self.db.execute(
                f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
                links.RECORD_TABLES).fetchone()
            self._records = found == len(links.RECORD_TABLES)
        return self._records

    def _link_rows(self, record_ids: list[str]) -> links.Rows:
        return self.db.execute(links.links_sql(len(record_ids), "?"), record_ids).fetchall()

    def close(self) -> None:
        self.db.close()
