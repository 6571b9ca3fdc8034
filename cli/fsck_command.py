"""`dossier fsck [--repair] [--json]`: do the object store and the records agree?

Exit code 0 only when everything agrees (after repairs, with ``--repair``),
1 when problems remain, 2 when the store or database cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "fsck", help="check stored objects against the records (and repair safely)",
        description="Find orphan objects (no record refers to them), records whose object "
                    "is missing, and checksum mismatches. --repair records orphan originals "
                    "as dossiers flagged for review (never deletes them), deletes orphan "
                    "derived objects and flags dossiers for re-processing. "
                    "Exit code 0 only when the result is clean.",
    )
    parser.add_argument("--repair", action="store_true", help="repair what is safe to repair")
    parser.add_argument("--json", action="store_true", help="print one JSON object (contract)")
    parser.add_argument("--quick", action="store_true",
                        help="compare recorded checksums and sizes only; do not re-read content")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from archive.fsck import fsck
    from models.database import open_database, redacted_url
    from storage import StorageError, open_store

    try:
        store = open_store()
        engine, factory = open_database()
    except StorageError as exc:
        print(f"dossier: fsck: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"dossier: fsck: database {redacted_url()}: {_first_line(exc)}", file=sys.stderr)
        return 2
    try:
        with factory() as session:
            report = fsck(store, session, repair=args.repair, verify_content=not args.quick,
                          trusted=_trusted(store))
    except StorageError as exc:
        print(f"dossier: fsck: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"dossier: fsck: database {redacted_url()}: {_first_line(exc)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if args.json:
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_summary(report.as_dict())
    return 0 if report.ok else 1


def _trusted(store: Any) -> list[Any] | None:
    """The desk's certificate when copies are signed (configured or trial), else None."""
    from signing.desk import desk_signer

    signer = desk_signer(store, create=False)  # SigningConfigError: one line from cli.main
    return [signer.certificate] if signer is not None else None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _print_summary(report: dict[str, object]) -> None:
    print(f"checked {report['checked_objects']} objects, {report['checked_rows']} records: "
          f"{'ok' if report['ok'] else 'PROBLEMS'}")
    for name in ("orphan_objects", "missing_objects", "checksum_mismatches",
                 "signature_problems"):
        for finding in report[name]:  # type: ignore[attr-defined]
            repair = f"  -> {finding['repair']}" if finding.get("repair") else ""
            print(f"  {name.replace('_', ' ')}: {finding['key']} ({finding['detail']}){repair}")
