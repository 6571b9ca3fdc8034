"""`dossier watch FOLDER`: the scanner's drop folder; each finished file becomes a dossier."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from cli.desk import agency_code, open_backends, procedure_known


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "watch", help="receive every file the desk's scanner drops into a folder",
        description="Watch a folder the desk's scanner writes to. Each finished file (one "
                    "sheet-feeder stack) is received as one dossier and queued on "
                    "DOSSIER_BROKER_URL (memory:// processes it here); the file is then moved "
                    "to 'đã tiếp nhận/' (or 'không đọc được/' with the reason).",
    )
    parser.add_argument("folder", type=Path, metavar="FOLDER")
    parser.add_argument("--procedure", metavar="CODE",
                        help="procedure of every dossier (default: proposed from the papers)")
    parser.add_argument("--once", action="store_true", help="take what is there, then stop")
    parser.add_argument("--interval", type=float, default=2.0, metavar="S",
                        help="seconds between looks at the folder (2)")
    parser.add_argument("--settle", type=float, default=2.0, metavar="S",
                        help="a file unchanged for this long is finished (2)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from archive import BadInputFile
    from intake.watch import DropFolder, receive_once, watch
    from pipeline.errors import DocumentError
    from pipeline.options import OcrOptions
    from pipeline.sniff import sniff_file
    from workers.submit import submit

    if not args.folder.is_dir():
        print(f"dossier: {args.folder}: not a folder", file=sys.stderr)
        return 2
    if not procedure_known(args.procedure):
        return 2
    backends = open_backends()
    if backends is None:
        return 2
    store, engine, sessions = backends
    limit = OcrOptions.from_env().max_file_bytes

    def handle(path: Path) -> str:
        try:
            sniff_file(path, limit)  # refuse a stray note or a half file before storing it
            code = submit([path], args.procedure, agency_code=agency_code(), store=store,
                          sessions=sessions)
        except DocumentError as exc:
            raise ValueError(f"{exc.kind.value}: {exc.message}") from exc
        except BadInputFile as exc:
            raise ValueError(f"not-a-document: {exc.reason}") from exc
        print(f"{code}\t{path.name}", flush=True)
        return code

    drop = DropFolder(args.folder, settle_s=args.settle)
    try:
        if args.once:
            receive_once(drop, handle)
        else:
            stopping = []
            signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
            watch(drop, handle, interval_s=args.interval, should_stop=lambda: bool(stopping))
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
    return 0
