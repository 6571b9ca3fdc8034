"""`dossier ocr FILE... [--json]`: scans in, text out, exactly as the contract says."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.results import FileResult


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "ocr", help="read scans (PDF, TIFF, JPEG, PNG) and print their text",
        description="Read scans and print each page's text, rotation and skew. "
                    "Exit code 2 when any file could not be read.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true", help="print one JSON object (contract)")
    parser.add_argument("--words", action="store_true", help="with --json: add words and boxes")
    parser.add_argument("--jobs", type=int, help="pages OCRed at once (default: number of cores)")
    parser.add_argument("--no-preprocess", action="store_true",
                        help="give Tesseract the page as scanned (for comparison)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.api import ocr_paths  # OpenCV and PDFium load only when needed
    from pipeline.options import OcrOptions

    overrides: dict[str, object] = {}
    if args.jobs:
        overrides["jobs"] = args.jobs
    if args.no_preprocess:
        overrides["preprocess"] = False
    options = OcrOptions.from_env().model_copy(update=overrides)
    results = ocr_paths(args.files, OcrOptions.model_validate(options.model_dump()))
    for result in results:
        if result.error is not None:
            print(f"dossier: {result.path}: {result.error.kind.value}: {result.error.message}",
                  file=sys.stderr)
    if args.json:
        json.dump(as_contract(results, args.words), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_table(results)
    return 2 if any(r.error is not None for r in results) else 0


def as_contract(results: list[FileResult], words: bool = False) -> dict[str, object]:
    files = [r.as_dict(words) for r in results]
    return {"files": files, "pages": [page for f in files for page in f["pages"]]}


def print_table(results: list[FileResult]) -> None:
    for result in results:
        print(f"== {result.path}")
        if result.error is not None and not result.pages:
            print(f"   refused: {result.error.kind.value}: {result.error.message}")
            continue
        for page in result.pages:
            state = "blank" if page.blank else f"confidence {page.confidence:.2f}"
            print(f"-- page {page.index}  source {page.source}  rotation {page.rotation}°  "
                  f"skew {page.skew_degrees:+.2f}°  dpi {page.dpi}  {state}  "
                  f"({page.seconds:.1f} s; {', '.join(page.steps) or 'no clean-up needed'})")
            if page.error is not None:
                print(f"   error: {page.error.kind.value}: {page.error.message}")
            for line in page.text.splitlines():
                print(f"   {line}")
