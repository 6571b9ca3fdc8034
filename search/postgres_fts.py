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
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

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
from search.query import ParsedQuery, SearchQuery, Term, check_paging, parse
from search.snippet import best_snippet

EXACT_WEIGHT = 3.0
BATCH = 5000
STATEMENT_TIMEOUT_MS = 15000

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
    "CREATE INDEX IF NOT EXISTS search_pages_agency ON search_pages (agency_code, received_at)",
]
STAGE = """CREATE TEMP TABLE IF NOT EXISTS search_stage (
    record_id text, dossier_code text, agency_code text, procedure text, document_type text,
    page integer, received_at timestamp, status text, identity_numbers text[], text text,
    fields text, exact text, folded text, meta text) ON COMMIT DELETE ROWS"""
COLUMNS = ("record_id, dossier_code, agency_code, procedure, document_type, page, received_at,"
           " status, identity_numbers, text")


def _lexeme(word: str, prefix: bool = False) -> str:
    # Tokens are letters/digits only (search.folding); quoting is belt and braces.
    return "'" + word.replace("\\", "").replace("'", "") + "'" + (":*" if prefix else "")


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


def _sqlalchemy_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername != "postgresql+psycopg":  # psycopg 3 is the driver we ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class PostgresSearchIndex(SearchIndex):
    """tsvector + GIN index in a PostgreSQL database; tables created if missing."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(_sqlalchemy_url(url), pool_pre_ping=True)
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            for statement in SCHEMA:
                cur.execute(statement)

    # -- writing -----------------------------------------------------------
    def index_pages(self, docs: Iterable[PageDoc]) -> int:
        done = 0
        for batch in batched(docs, BATCH):
            unique = list({(d.record_id, d.page): d for d in batch}.values())
            with self.engine.begin() as conn:
                cur = conn.connection.cursor()
                cur.execute(STAGE)
                with cur.copy(f"COPY search_stage ({COLUMNS}, fields, exact, folded, meta)"
                              " FROM STDIN") as copy:
                    for d in unique:
                        numbers = sorted({normal_id(x) for x in d.identity_numbers
                                          if normal_id(x)})
                        text = searchable_text(d.text, d.fields, numbers)
                        copy.write_row((
                            d.record_id, d.dossier_code, d.agency_code, d.procedure,
                            d.document_type, int(d.page), as_datetime(d.received_at),
                            d.status, numbers, d.text, json.dumps(d.fields, ensure_ascii=False),
                            *index_docs(text),
                            meta_doc(d.agency_code, d.procedure, d.document_type, d.status,
                                     numbers)))
                cur.execute("DELETE FROM search_pages p USING search_stage s"
                            " WHERE p.record_id = s.record_id AND p.page = s.page")
                cur.execute(
                    f"INSERT INTO search_pages ({COLUMNS}, fields, folded, exact)"
                    f" SELECT {COLUMNS}, fields::jsonb,"
                    " to_tsvector('simple', folded || ' ' || meta),"
                    " to_tsvector('simple', exact) FROM search_stage")
            done += len(unique)
        return done

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
        parsed = parse(query.text)
        check_paging(query)
        agencies = [a for a in (query.agency_codes or []) if a]
        if not agencies:
            return EMPTY
        folded, boost, tier = tsqueries(parsed)
        where, params = self._filters(query, agencies)
        params.update(fq=folded, mq=f"({folded}) & {meta_query(query, agencies)}",
                      bq=boost or "", tq=tier or "", w=EXACT_WEIGHT,
                      limit=query.limit, offset=query.offset)
        rank = "ts_rank(p.folded, q.fq, 1)"
        if boost:
            rank += " + %(w)s * ts_rank(p.exact, q.bq, 1)"
        tier_sql = "(p.exact @@ q.tq)::int" if tier else "0"
        queries = ("WITH q AS (SELECT to_tsquery('simple', %(fq)s) AS fq,"
                   " to_tsquery('simple', %(mq)s) AS mq,"
                   " to_tsquery('simple', %(bq)s) AS bq, to_tsquery('simple', %(tq)s) AS tq)")
        matches = f"FROM search_pages p, q WHERE p.folded @@ q.mq AND {where}"
        params["window"] = max(RANK_CAP, query.offset + query.limit)
        # One pass over the matches (the GIN scan and its recheck) gives the exact
        # total and, when there are too many to rank, the id above which the newest
        # `window` lie; only those rows are then read again to be ranked.
        sql = (
            f"{queries}, m AS MATERIALIZED (SELECT p.id {matches}),"
            " cut AS (SELECT coalesce((SELECT id FROM m ORDER BY id DESC"
            "   OFFSET %(window)s - 1 LIMIT 1), 0) AS id)"
            " SELECT id, tier + r / (1 + r) AS score, (SELECT count(*) FROM m) FROM ("
            f"  SELECT p.id, {rank} AS r, {tier_sql} AS tier FROM search_pages p, q"
            "   WHERE p.id IN (SELECT m.id FROM m, cut WHERE m.id >= cut.id)) ranked"
            " ORDER BY score DESC, id LIMIT %(limit)s OFFSET %(offset)s"
        )
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            cur.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            cur.execute(sql, params)
            rows = cur.fetchall()
            if not rows:
                total = 0
                if query.offset:
                    cur.execute(f"{queries} SELECT count(*) {matches}", params)
                    total = int(cur.fetchone()[0])
                return SearchResult(total, [])
            total = int(rows[0][2])
            cur.execute("SELECT id, record_id, dossier_code, document_type, page, text, fields,"
                        " identity_numbers FROM search_pages WHERE id = ANY(%s)",
                        ([r[0] for r in rows],))
            pages = {r[0]: r for r in cur.fetchall()}
        hits = []
        for pid, score, _ in rows:
            _, record_id, dossier, doc_type, page, text, fields, numbers = pages[pid]
            extra = searchable_text("", fields, list(numbers))
            hits.append(SearchHit(record_id, dossier, doc_type, page, float(score),
                                  best_snippet([text, extra], parsed)))
        return SearchResult(int(total), hits)

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
