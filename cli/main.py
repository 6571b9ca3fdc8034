"""Entry point of the `dossier` console script."""

from __future__ import annotations

import argparse
import logging
import sys
from importlib import import_module

from pydantic import ValidationError

from cli.settings import load_dotenv
from signing.errors import SigningConfigError

# Imported only when needed: `dossier ocr` must not pay for SQLAlchemy, MinIO,
# the workers or the web app at start-up (about a second of a short run).
COMMAND_MODULES = (
    "ocr_command",
    "process_command",
    "worker_commands",
    "watch_command",
    "search_command",
    "fsck_command",
    "serve_command",
    "exchange_commands",
    "signing_command",
    "webhooks_command",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand, or only the one in module `only` (the others are not imported)."""
    parser = argparse.ArgumentParser(
        prog="dossier",
        description="hoso: digitise paper dossiers at one-stop reception desks",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in [only] if only else COMMAND_MODULES:
        import_module(f"cli.{name}").add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    load_dotenv()
    words = [w for w in (sys.argv[1:] if argv is None else argv) if not w.startswith("-")]
    only = "ocr_command" if words[:1] == ["ocr"] else None
    args = build_parser(only).parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.run(args))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        print(f"dossier: configuration: {where}: {first.get('msg')}", file=sys.stderr)
        return 2
    except SigningConfigError as exc:
        print(f"dossier: configuration: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
