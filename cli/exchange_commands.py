"""`dossier export CODE [--out DIR]` and `dossier import PACKAGE.zip`: move a dossier between desks.

Both use the desk's configuration (DOSSIER_HOME, DOSSIER_DATABASE_URL,
DOSSIER_STORAGE_URL). Exit 0 on success, 1 when the records refuse the
import (a conflict), 2 on bad input (unknown dossier, corrupt or tampered
package) or an unreachable store or database; always one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

__all__ = ["add_parser"]


def add_parser(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export", help="write a dossier's package (ZIP: XML, originals, signed PDFs, checksums)",
        description="Write CODE.zip: the dossier's XML (Decree 30/2020 Appendix VI metadata "
                    "and every record, schema exchange/schema/ho-so-so-hoa.xsd), every stored "
                    "object (originals, signed PDFs, page images, OCR, metadata) and a SHA-256 "
                    "manifest. Only dossiers of DOSSIER_AGENCY_CODE unless --any-agency.")
    export.add_argument("code", metavar="CODE", help="dossier code")
    export.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                        help="folder to write CODE.zip into (default: current folder)")
    export.add_argument("--any-agency", action="store_true",
                        help="export a dossier of any agency held here (provincial archive)")
    export.add_argument("--json", action="store_true", help="print {dossier_code, package}")
    export.set_defaults(run=run_export)

    imp = commands.add_parser(
        "import", help="read a dossier package into this installation",
        description="Verify PACKAGE.zip completely (schema, every checksum) and record its "
                    "dossier here with the same code, agency and record id: objects first, "
                    "then the records in one transaction. Importing the same package again "
                    "changes nothing. A corrupt or tampered package is refused.")
    imp.add_argument("package", type=Path, metavar="PACKAGE.zip")
    imp.add_argument("--json", action="store_true",
                     help="print {dossier_code, record_id, created, objects_written}")
    imp.set_defaults(run=run_import)


def run_export(args: argparse.Namespace) -> int:
    from cli.desk import agency_code
    from exchange import DossierNotFound, ExportFailed, export_dossier

    def work(store, session, _sessions) -> int:  # type: ignore[no-untyped-def]
        try:
            path = export_dossier(session, store, args.code, args.out,
                                  agency_code=None if args.any_agency else agency_code(),
                                  actor="cli")
        except DossierNotFound as exc:
            print(f"dossier: export: {exc}", file=sys.stderr)
            return 2
        except ExportFailed as exc:
            print(f"dossier: export: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"dossier: export: {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps({"dossier_code": args.code, "package": str(path)},
                             ensure_ascii=False))
        else:
            print(path)
        return 0

    return _with_backends("export", work)


def run_import(args: argparse.Namespace) -> int:
    from exchange import ImportConflict, PackageInvalid, import_package

    def work(store, session, sessions) -> int:  # type: ignore[no-untyped-def]
        try:
            done = import_package(session, store, args.package, actor="cli")
        except PackageInvalid as exc:
            print(f"dossier: import: {exc}", file=sys.stderr)
            return 2
        except ImportConflict as exc:
            print(f"dossier: import: {args.package}: {exc}", file=sys.stderr)
            return 1
        if done.created:
            _index(sessions, done.code)
        if args.json:
            print(json.dumps({"dossier_code": done.code, "record_id": done.record_id,
                              "created": done.created, "objects_written": done.objects_written},
                             ensure_ascii=False))
        else:
            state = "imported" if done.created else "already here, nothing changed"
            print(f"{done.code}: {state} ({done.objects_written} objects written)")
        return 0

    return _with_backends("import", work)


def _with_backends(name: str, work) -> int:  # type: ignore[no-untyped-def]
    from models.database import open_database, redacted_url
    from storage import StorageError, open_store

    try:
        store = open_store()
        engine, sessions = open_database()
    except StorageError as exc:
        print(f"dossier: {name}: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"dossier: {name}: database {redacted_url()}: {_first_line(exc)}", file=sys.stderr)
        return 2
    try:
        with sessions() as session:
            return int(work(store, session, sessions))
    except StorageError as exc:
        print(f"dossier: {name}: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"dossier: {name}: database {redacted_url()}: {_first_line(exc)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _index(sessions, code: str) -> None:  # type: ignore[no-untyped-def]
    """Make the imported dossier findable at once; `dossier reindex` catches up if this fails."""
    from intake.indexing import index_dossier

    try:
        index_dossier(sessions, None, code)
    except Exception as exc:  # search is a convenience: the import itself succeeded
        print(f"dossier: import: {code}: not indexed for search ({type(exc).__name__}); "
              "run dossier reindex", file=sys.stderr)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
