"""PostgreSQL backend: for many desks sharing one database.

Each page row carries two tsvectors built with the 'simple' configuration
(no stemming, no stop words: Vietnamese syllables must match as typed):
`folded` (diacritics stripped in Python by search.folding, GIN-indexed; it
decides whether a page matches) and `exact` (diacritics kept, not indexed;
read only to rank).  Folding happens in Python rather than with the
`unaccent` extension so both backends tokenise and fold identically, `đ`
included, and no superuser-only extension is required.

Ranking: pages matching every typed-with-diacritics term exactly form a
first tier; inside a tier, ts_rank on the folded vector plus a weighted
ts_rank on the exact vector.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

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

EXACT_WEIGHT = 3.0
BATCH = 5000
STATEMENT_TIMEOUT_MS = 15000
MAX_LEXEME_BYTES = 2046   # to_tsvector skips longer words: a query for one matches nothing
PROBE = 1000   # newest pages tested first, to measure how common a query is
DENSE = 0.1    # share of matching pages above which walking the newest beats the GIN index

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS search_pages (
        id bigserial PRIMARY KEY,
        record_id text NOT NULL,
        dossier_code text NOT NULL,
        agency_code text NOT NULL,
        procedure text,
        document_type text,
        page integer NOT NULL,
        received_at timestamp NOT NULL,
        status text,
        identity_numbers text[] NOT NULL DEFAULT '{}',
        text text NOT NULL,
        fields jsonb NOT NULL DEFAULT '{}',
        folded tsvector NOT NULL,
        exact tsvector NOT NULL,
        UNIQUE (record_id, page)) WITH (toast_tuple_target = 8160)""",
    "CREATE INDEX IF NOT EXISTS search_pages_folded ON search_pages USING gin (folded)",
    "CREATE INDEX IF NOT EXISTS search_pages_dossier ON search_pages (dossier_code)",
    # Filter-only browsing and counting read this index alone (index-only scans):
    # the filters and the sort keys are all in it.
    "DROP INDEX IF EXISTS search_pages_agency",
    "CREATE INDEX IF NOT EXISTS search_pages_browse ON search_pages (agency_code, received_at)"
    " INCLUDE (procedure, document_type, status, record_id, page, id)",
]
STAGE = """CREATE TEMP TABLE IF NOT EXISTS search_stage (
    record_id text, dossier_code text, agency_code text, procedure text, document_type text,
    page integer, received_at timestamp, status text, identity_numbers text[], text text,
    fields text, exact text, folded text, meta text) ON COMMIT DELETE ROWS"""
COLUMNS = ("record_id, dossier_code, agency_code, procedure, document_type, page, received_at,"
           " status, identity_numbers, text")


def _lexeme(word: str, prefix: bool = False) -> str:
    # Tokens are letters/digits only (search.folding); quoting is belt and braces.
    word = word.replace("\\", "").replace("'", "")
    if len(word.encode()) > MAX_LEXEME_BYTES:  # never indexed: match nothing, no error
        word, prefix = "mxtoolong", False  # a meta-like token no page carries
    return "'" + word + "'" + (":*" if prefix else "")


def _phrase(words: tuple[str, ...], prefix: bool) -> str:
    parts = [_lexeme(w, prefix and i == len(words) - 1) for i, w in enumerate(words)]
    return "(" + " <-> ".join(parts) + ")" if len(parts) > 1 else parts[0]


def tsqueries(parsed: ParsedQuery) -> tuple[str, str | None, str | None]:
    """(folded AND query, exact OR query for boosting, exact AND query for the tier)."""
    folded = " & ".join(_phrase(t.folded, t.prefix) for t in parsed.terms)
    typed: list[Term] = [t for t in parsed.terms if t.exact != t.folded]
    if not typed:
        return folded, None, None
    boost = " | ".join(_phrase(t.exact, t.prefix) for t in typed)
    tier = " & ".join(_phrase(t.exact, t.prefix) for t in parsed.terms)
    return folded, boost, tier


def meta_query(query: SearchQuery, agencies: list[str]) -> str:
    """The agency limit and exact filters as tsquery terms (see base.meta_token)."""
    groups = [[meta_token("a", a) for a in agencies]]
    for kind, value in (("p", query.procedure), ("t", query.document_type),
                        ("s", query.status)):
        if value:
            groups.append([meta_token(kind, value)])
    if query.identity_number:
        groups.append([meta_token("i", normal_id(query.identity_number) or "-")])
    return " & ".join("(" + " | ".join(_lexeme(t) for t in g) + ")" for g in groups)


def _stage_rows(docs: list[PageDoc]) -> list[tuple]:
    """The stage table's rows: filters, original text, and the tokens to index."""
    rows = []
    for d in docs:
        numbers = sorted({n for n in map(normal_id, d.identity_numbers) if n})
        text = searchable_text(d.text, d.fields, numbers)
        rows.append((d.record_id, d.dossier_code, d.agency_code, d.procedure,
                     d.document_type, int(d.page), as_datetime(d.received_at),
                     d.status, numbers, d.text, json.dumps(d.fields, ensure_ascii=False),
                     *index_docs(text),
                     meta_doc(d.agency_code, d.procedure, d.document_type, d.status, numbers)))
    return rows


def _sqlalchemy_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername != "postgresql+psycopg":  # psycopg 3 is the driver we ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class PostgresSearchIndex(SearchIndex):
    """tsvector + GIN index in a PostgreSQL database; tables created if missing."""

    def __init__(self, url: str) -> None:
        # No server-side prepared statements: a generic plan cannot see how common
        # the searched words are, and would walk the whole table for a rare name.
        self.engine = create_engine(_sqlalchemy_url(url), pool_pre_ping=True,
                                    connect_args={"prepare_threshold": None})
        self._records: bool | None = None  # are the records tables here? (search.links)
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            for statement in SCHEMA:
                cur.execute(statement)

    # -- writing -----------------------------------------------------------
    def index_pages(self, docs: Iterable[PageDoc]) -> int:
        """Tokenising (Python) and loading (the server) overlap: while one batch is
        copied and inserted, a thread already folds the next, so the two cores
        both work."""
        done = 0
        with ThreadPoolExecutor(1, thread_name_prefix="search-prep") as prep:
            pending: Future[list[tuple]] | None = None
            for batch in batched(docs, BATCH):
                unique = list({(d.record_id, d.page): d for d in batch}.values())
                future = prep.submit(_stage_rows, unique)
                if pending is not None:
                    done += self._load(pending.result())
                pending = future
            if pending is not None:
                done += self._load(pending.result())
        return done

    def _load(self, rows: list[tuple]) -> int:
        """COPY rows into the stage, then replace (record_id, page) in one transaction.

        The vectors are made by the server's C parser (`to_tsvector('simple')`
        on tokens that are already final): building them in Python was measured
        slower, the GIL then serialising the folding thread and the COPY."""
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            cur.execute(STAGE)
            with cur.copy(f"COPY search_stage ({COLUMNS}, fields, exact, folded, meta)"
                          " FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute("DELETE FROM search_pages p USING search_stage s"
                        " WHERE p.record_id = s.record_id AND p.page = s.page")
            cur.execute(
                f"INSERT INTO search_pages ({COLUMNS}, fields, folded, exact)"
                f" SELECT {COLUMNS}, fields::jsonb,"
                " to_tsvector('simple', folded || ' ' || meta),"
                " to_tsvector('simple', exact) FROM search_stage")
        return len(rows)

    def _execute(self, sql: str, params: Any = None) -> int:
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            cur.execute(sql, params)
            return int(cur.rowcount)

    def delete_dossier(self, dossier_code: str) -> int:
        return self._execute("DELETE FROM search_pages WHERE dossier_code = %s", (dossier_code,))

    def delete_record(self, record_id: str) -> int:
        return self._execute("DELETE FROM search_pages WHERE record_id = %s", (record_id,))

    def clear(self) -> None:
        self._execute("TRUNCATE search_pages")

    def rebuild(self) -> None:
        """Recompute both tsvectors from the stored text (after a folding change)."""
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            cur.execute("CREATE TEMP TABLE search_rebuild"
                        " (id bigint, exact text, folded text, meta text) ON COMMIT DROP")
            last = 0
            while True:
                cur.execute("SELECT id, text, fields, identity_numbers, agency_code, procedure,"
                            " document_type, status FROM search_pages"
                            " WHERE id > %s ORDER BY id LIMIT %s", (last, BATCH))
                rows = cur.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                with cur.copy("COPY search_rebuild FROM STDIN") as copy:
                    for pid, text, fields, numbers, agency, procedure, doc_type, status in rows:
                        full = searchable_text(text, fields, list(numbers))
                        meta = meta_doc(agency, procedure, doc_type, status, list(numbers))
                        copy.write_row((pid, *index_docs(full), meta))
            cur.execute("UPDATE search_pages p"
                        " SET folded = to_tsvector('simple', r.folded || ' ' || r.meta),"
                        " exact = to_tsvector('simple', r.exact)"
                        " FROM search_rebuild r WHERE p.id = r.id")
            cur.execute("REINDEX TABLE search_pages")

    def optimize(self) -> None:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.connection.cursor().execute("VACUUM ANALYZE search_pages")

    # -- reading -----------------------------------------------------------
    def count(self, agency_codes: list[str] | None = None) -> int:
        with self.engine.connect() as conn:
            cur = conn.connection.cursor()
            if agency_codes is None:
                cur.execute("SELECT count(*) FROM search_pages")
            else:
                cur.execute("SELECT count(*) FROM search_pages WHERE agency_code = ANY(%s)",
                            (list(agency_codes),))
            return int(cur.fetchone()[0])

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = parse_query(query)
        check_paging(query)
        agencies = [a for a in (query.agency_codes or []) if a]
        if not agencies:
            return EMPTY
        if not parsed.terms:
            return self._browse(query, agencies)
        folded, boost, tier = tsqueries(parsed)
        where, params = self._filters(query, agencies)
        window = max(RANK_CAP, query.offset + query.limit)
        params.update(mq=f"({folded}) & {meta_query(query, agencies)}",
                      fq=folded, bq=boost or "", tq=tier or "", w=EXACT_WEIGHT,
                      window=window, limit=query.limit, offset=query.offset)
        rank = "ts_rank(p.folded, to_tsquery('simple', %(fq)s), 1)"
        if boost:
            rank += " + %(w)s * ts_rank(p.exact, to_tsquery('simple', %(bq)s), 1)"
        tier_sql = "(p.exact @@ to_tsquery('simple', %(tq)s))::int" if tier else "0"
        params.update(probe=PROBE, dense=int(DENSE * PROBE), wanted=window + 1)
        match = f"p.folded @@ to_tsquery('simple', %(mq)s) AND {where}"
        # The newest `window` (+ 1, to know whether there are more) matches, found
        # the cheap way for this query.  The planner's guess of how common a
        # tsquery is is poor (a phrase of common syllables, a prefix), so it is
        # measured: the newest PROBE pages are tested (a short backward walk of
        # the primary key).  When at least DENSE of them match, walking on
        # newest-first finds the window after a bounded number of pages
        # ("dense"); otherwise the GIN index gives every match ("sparse", run
        # only when "dense" came up short).  One statement: one round trip.
        sql = (
            "WITH probe AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT * FROM search_pages"
            f"  ORDER BY id DESC LIMIT %(probe)s) p WHERE {match}),"
            " dense AS MATERIALIZED (SELECT p.id FROM (SELECT * FROM search_pages"
            "  ORDER BY id DESC LIMIT (SELECT CASE WHEN n >= %(dense)s AND n > 0 THEN"
            "   ceil(%(probe)s::float8 * %(wanted)s * 1.5 / n)::bigint ELSE 0 END FROM probe)) p"
            f"  WHERE {match} LIMIT %(wanted)s),"
            " enough AS MATERIALIZED (SELECT count(*) >= %(wanted)s AS yes FROM dense),"
            f" sparse AS MATERIALIZED (SELECT p.id FROM search_pages p WHERE {match}"
            "  AND NOT (SELECT yes FROM enough) ORDER BY p.id + 0 DESC LIMIT %(wanted)s),"
            " m AS (SELECT id FROM dense WHERE (SELECT yes FROM enough)"
            "  UNION ALL SELECT id FROM sparse)"
            " SELECT id, tier + r / (1 + r) AS score, (SELECT count(*) FROM m) FROM ("
            f"  SELECT p.id, {rank} AS r, {tier_sql} AS tier FROM search_pages p"
            "   WHERE p.id IN (SELECT id FROM m ORDER BY id DESC LIMIT %(window)s)) ranked"
            " ORDER BY score DESC, id LIMIT %(limit)s OFFSET %(offset)s"
        )
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            # seqscan off: "sparse" must use the GIN index even when the planner
            # overestimates how many pages match (it only runs when they are few).
            cur.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS};"
                        " SET LOCAL enable_seqscan = off")
            cur.execute(sql, params)
            rows = cur.fetchall()
            if not rows:
                total = 0
                if query.offset:
                    cur.execute("SELECT count(*) FROM (SELECT 1 FROM search_pages p"
                                f" WHERE {match} LIMIT %(wanted)s) m", params)
                    total = int(cur.fetchone()[0])
                return SearchResult(min(total, window), [], total <= window)
            total = int(rows[0][2])
            hits = self._hits(cur, [(r[0], r[1]) for r in rows], parsed)
        return SearchResult(min(total, window), hits, total <= window)

    def _browse(self, query: SearchQuery, agencies: list[str]) -> SearchResult:
        """Filters only: the newest matching pages, received date descending (score 0)."""
        where, params = self._filters(query, agencies)
        if query.identity_number:  # the GIN-indexed meta term finds the few pages at once
            where += " AND p.folded @@ to_tsquery('simple', %(mq)s)"
            params["mq"] = meta_query(query, agencies)
        window = max(RANK_CAP, query.offset + query.limit)
        params.update(limit=query.limit, offset=query.offset, window=window)
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            cur.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            cur.execute("SELECT count(*) FROM (SELECT 1 FROM search_pages p"
                        f" WHERE {where} LIMIT %(window)s + 1) m", params)
            total = int(cur.fetchone()[0])
            if total <= query.offset:
                return SearchResult(min(total, window), [], total <= window)
            cur.execute(f"SELECT p.id, 0.0 FROM search_pages p WHERE {where}"
                        " ORDER BY p.received_at DESC, p.record_id, p.page"
                        " LIMIT %(limit)s OFFSET %(offset)s", params)
            hits = self._hits(cur, cur.fetchall(), ParsedQuery(()))
        return SearchResult(min(total, window), hits, total <= window)

    def _hits(self, cur: Any, rows: list[tuple[int, float]],
              parsed: ParsedQuery) -> list[SearchHit]:
        cur.execute("SELECT id, record_id, dossier_code, document_type, page, text, fields,"
                    " identity_numbers FROM search_pages WHERE id = ANY(%s)",
                    ([r[0] for r in rows],))
        pages = {r[0]: r for r in cur.fetchall()}
        hits = []
        for pid, score in rows:
            _, record_id, dossier, doc_type, page, text, fields, numbers = pages[pid]
            extra = searchable_text("", fields, list(numbers))
            hits.append(SearchHit(record_id, dossier, doc_type, page, float(score),
                                  best_snippet([text, extra], parsed)))
        if self._has_records(cur):
            links.attach(hits, lambda ids: self._link_rows(cur, ids))
        return hits

    def _has_records(self, cur: Any) -> bool:
        if self._records is None:
            cur.execute("SELECT count(*) FROM unnest(%s::text[]) t"
                        " WHERE to_regclass(t) IS NOT NULL", (list(links.RECORD_TABLES),))
            self._records = int(cur.fetchone()[0]) == len(links.RECORD_TABLES)
        return self._records

    @staticmethod
    def _link_rows(cur: Any, record_ids: list[str]) -> links.Rows:
        cur.execute(links.links_sql(len(record_ids), "%s"), record_ids)
        return cur.fetchall()

    @staticmethod
    def _filters(query: SearchQuery, agencies: list[str]) -> tuple[str, dict[str, Any]]:
        clauses = ["p.agency_code = ANY(%(agencies)s)"]
        params: dict[str, Any] = {"agencies": agencies}
        for column, value in (("procedure", query.procedure),
                              ("document_type", query.document_type),
                              ("status", query.status)):
            if value:
                clauses.append(f"p.{column} = %({column})s")
                params[column] = value
        if query.date_from is not None:
            clauses.append("p.received_at >= %(date_from)s")
            params["date_from"] = as_datetime(query.date_from)
        if query.date_to is not None:
            clauses.append("p.received_at <= %(date_to)s")
            params["date_to"] = as_datetime(query.date_to, end_of_day=True)
        if query.identity_number:  # also a meta term; this keeps the SQL self-explaining
            clauses.append("p.identity_numbers @> ARRAY[%(identity)s]::text[]")
            params["identity"] = normal_id(query.identity_number)
        return " AND ".join(clauses), params

    def close(self) -> None:
        self.engine.dispose()
