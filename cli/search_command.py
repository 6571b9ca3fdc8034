"""`dossier search QUERY ... --json`: archive search, always limited to the caller's agencies."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from datetime import date
from typing import TYPE_CHECKING

from cli.desk import agency_code

if TYPE_CHECKING:
    from search import SearchResult



def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "search", help="find pages in the archive (diacritics and case are ignored)",
        description="Search the OCR text and fields of stored pages. Words are all required; "
                    '"quoted words" must appear together; a trailing * matches a prefix. '
                    "Only the agencies given by --agency (default: DOSSIER_AGENCY_CODE) "
                    "are searched. With no words but a filter (--procedure, --type, "
                    "--from/--to, --status, --id), the newest matching pages are listed. "
                    "Hits carry the stored object keys of the page image and the "
                    "document PDF. Exit code 2 for a query that cannot be searched.",
    )
    parser.add_argument("query", metavar="QUERY", nargs="?", default="",
                        help='e.g. nguyen van an "khai sinh" 2024; leave it out with a filter '
                             "to list the newest matching pages")
    parser.add_argument("--procedure", metavar="CODE", help="procedure code, e.g. 1.001193")
    parser.add_argument("--type", dest="document_type", metavar="T",
                        help="document type id, e.g. to_khai_khai_sinh")
    parser.add_argument("--from", dest="date_from", type=_day, metavar="D",
                        help="received on or after this day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=_day, metavar="D",
                        help="received on or before this day (YYYY-MM-DD)")
    parser.add_argument("--agency", nargs="+", metavar="A",
                        help="agency codes to search (default: DOSSIER_AGENCY_CODE)")
    parser.add_argument("--status", help="dossier status, e.g. done")
    parser.add_argument("--id", dest="identity_number", metavar="NUMBER",
                        help="only pages carrying this identity number")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="hits to print (20)")
    parser.add_argument("--offset", type=int, default=0, metavar="N", help="hits to skip (0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (contract)")
    parser.set_defaults(run=run)
    rebuild = commands.add_parser(
        "reindex", help="rebuild the search index from the stored records",
        description="Clear the archive search index and index every page of every recorded "
                    "dossier again, from the records database.",
    )
    rebuild.set_defaults(run=run_reindex)


def run_reindex(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    import search
    from intake.indexing import database_url_of, page_docs
    from models.database import open_database
    from models.records import Dossier

    engine, sessions = open_database()
    try:
        with sessions() as session:
            codes = list(session.scalars(select(Dossier.code).order_by(Dossier.code)))

        def pages():  # one dossier at a time: the archive may hold millions of pages
            for code in codes:
                with sessions() as session:
                    yield from page_docs(session, code)

        with search.open_index(database_url_of(sessions)) as index:
            done = search.reindex(index, pages())
    finally:
        engine.dispose()
    print(f"indexed {done} pages of {len(codes)} dossiers")
    return 0


def run(args: argparse.Namespace) -> int:
    # Imported here so other `dossier` commands do not pay for SQLAlchemy/psycopg.
    import psycopg
    from sqlalchemy.exc import SQLAlchemyError

    from search import QueryError, SearchConfigError, SearchQuery, open_index

    agencies = args.agency or [agency_code()]
    query = SearchQuery(
        text=args.query, agency_codes=agencies, procedure=args.procedure,
        document_type=args.document_type, date_from=args.date_from, date_to=args.date_to,
        status=args.status, identity_number=args.identity_number,
        limit=args.limit, offset=args.offset,
    )
    try:
        with open_index(os.environ.get("DOSSIER_DATABASE_URL") or None) as index:
            result = index.search(query)
    except QueryError as exc:
        print(f"dossier: search: bad query: {exc}", file=sys.stderr)
        return 2
    except SearchConfigError as exc:
        print(f"dossier: search: configuration: {exc}", file=sys.stderr)
        return 2
    except (sqlite3.Error, psycopg.Error, SQLAlchemyError, OSError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"dossier: search: database: {reason}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_table(result)
    return 0


def print_table(result: SearchResult) -> None:
    print(f"{result.total} page(s)")
    for hit in result.hits:
        print(f"{hit.score:7.3f}  {hit.dossier_code}  page {hit.page}  {hit.document_type or '-'}")
        print(f"         {hit.snippet}")
        for label, key in (("page image", hit.page_image_key), ("document PDF", hit.pdf_key)):
            if key:
                print(f"         {label}: {key}")
