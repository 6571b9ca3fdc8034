"""`dossier process FILE... [--procedure CODE] --json`: one dossier, verdict and storage."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.desk import agency_code, open_backends, procedure_known


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "process", help="process one dossier: read, check completeness, store",
        description="Process the files of one dossier (a sheet-feeder stack may be one PDF): "
                    "store the originals, read every page, find the documents and their "
                    "fields, and check the procedure's required components.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--procedure", metavar="CODE",
                        help="procedure code, e.g. 1.001193 (default: proposed from the papers)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (contract)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: spaCy, OpenCV and SQLAlchemy take seconds to load, and
    # `dossier --help` or another subcommand should not pay for them.
    from archive import BadInputFile, UnknownProcedure
    from intake.process import process_dossier
    from models.catalog import load_catalog
    from pipeline.options import OcrOptions
    from storage import StorageError

    if not procedure_known(args.procedure):
        return 2
    backends = open_backends()
    if backends is None:
        return 2
    store, engine, sessions = backends
    try:
        outcome = process_dossier(args.files, args.procedure, agency_code=agency_code(),
                                  store=store, sessions=sessions, catalog=load_catalog(),
                                  options=OcrOptions.from_env())
    except BadInputFile as exc:
        print(f"dossier: {exc.path}: not-a-document: {exc.reason}", file=sys.stderr)
        return 2
    except (StorageError, UnknownProcedure) as exc:
        print(f"dossier: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for failed in outcome.failed_files:
        assert failed.error is not None
        print(f"dossier: {failed.path}: {failed.error.kind.value}: {failed.error.message}",
              file=sys.stderr)
    if args.json:
        json.dump(outcome.result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_verdict(outcome.result)
    return 2 if outcome.failed_files else 0


def print_verdict(result: dict) -> None:
    verdict = result["completeness"]
    state = "ĐỦ" if verdict["complete"] else "CHƯA ĐỦ"
    print(f"Hồ sơ {result['dossier_code']}  thủ tục {result['procedure'] or '?'}  → {state}")
    for doc in result["documents"]:
        pages = ", ".join(str(p + 1) for p in doc["pages"])
        print(f"  - {doc['type']} (trang {pages}; tin cậy {doc['confidence']:.2f}; "
              f"{len(doc['fields'])} trường)")
    if verdict["missing"]:
        print(f"  Thiếu: {', '.join(verdict['missing'])}")
    for problem in verdict["problems"]:
        print(f"  ! {problem['message']}")
