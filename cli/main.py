"""Entry point of the `dossier` console script."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError

from cli import (
    fsck_command,
    ocr_command,
    process_command,
    search_command,
    serve_command,
    watch_command,
    worker_commands,
)
from cli.settings import load_dotenv


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dossier",
        description="hoso: digitise paper dossiers at one-stop reception desks",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    ocr_command.add_parser(commands)
    process_command.add_parser(commands)
    worker_commands.add_parser(commands)
    watch_command.add_parser(commands)
    search_command.add_parser(commands)
    fsck_command.add_parser(commands)
    serve_command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    load_dotenv()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.run(args))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        print(f"dossier: configuration: {where}: {first.get('msg')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
