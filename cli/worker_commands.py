"""`dossier submit`, `dossier worker`, `dossier status`: the pipeline through a broker.

    dossier submit FILE... [--procedure CODE] --json   -> {"dossier_code": ...} at once
    dossier worker [--processes N] [--threads T]       -> consume until SIGTERM
    dossier status CODE --json                         -> state, pages done of total, result
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from archive import BadInputFile, UnknownProcedure
from cli.desk import agency_code, open_backends, procedure_known
from models.database import open_database
from storage import StorageError
from workers.settings import ENV_BROKER_URL

POLL_MS = 50


def add_parser(commands: argparse._SubParsersAction) -> None:
    submit = commands.add_parser(
        "submit", help="keep a dossier's files and queue it for the workers",
        description="Store the originals, allocate the dossier code and queue the dossier "
                    "on DOSSIER_BROKER_URL; prints the code at once. With memory:// (the "
                    "default) the dossier is processed in this process before returning.")
    submit.add_argument("files", nargs="+", type=Path, metavar="FILE")
    submit.add_argument("--procedure", metavar="CODE", help="procedure code, e.g. 1.001193")
    submit.add_argument("--json", action="store_true", help="print one JSON object (contract)")
    submit.set_defaults(run=run_submit)

    worker = commands.add_parser(
        "worker", help="process queued dossiers until stopped",
        description="Consume DOSSIER_BROKER_URL (redis:// or amqp://). OCR is CPU-bound "
                    "and Tesseract runs in its own single-threaded process: the default "
                    "keeps one page more in hand than there are cores, so no core waits "
                    "while a page is fetched or stored. SIGTERM lets current messages "
                    "finish (or returns them).")
    worker.add_argument("--processes", type=int, default=None,
                        help="worker processes (default: one per two cores)")
    worker.add_argument("--threads", type=int, default=None,
                        help="threads per process (default: enough for cores + 1 pages "
                             "in hand over all processes)")
    worker.set_defaults(run=run_worker)

    status = commands.add_parser(
        "status", help="where a dossier is: state, pages done of total, result",
        description="Read a dossier's progress from its record.")
    status.add_argument("code", metavar="CODE")
    status.add_argument("--json", action="store_true", help="print one JSON object (contract)")
    status.set_defaults(run=run_status)


def _print(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def run_submit(args: argparse.Namespace) -> int:
    from workers.submit import submit

    if not procedure_known(args.procedure):
        return 2
    backends = open_backends()
    if backends is None:
        return 2
    store, engine, sessions = backends
    try:
        code = submit(args.files, args.procedure, agency_code=agency_code(), store=store,
                      sessions=sessions)
    except BadInputFile as exc:
        print(f"dossier: {exc.path}: not-a-document: {exc.reason}", file=sys.stderr)
        return 2
    except (StorageError, UnknownProcedure, ValueError) as exc:
        print(f"dossier: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if args.json:
        _print({"dossier_code": code})
    else:
        print(code)
    return 0


def run_worker(args: argparse.Namespace) -> int:
    url = os.environ.get(ENV_BROKER_URL, "").strip()
    if not url or url.startswith("memory:"):
        print(f"dossier: worker: set {ENV_BROKER_URL} to redis://... or amqp://... "
              "(memory:// runs inside `dossier submit`)", file=sys.stderr)
        return 2
    processes, threads = worker_size(os.cpu_count() or 1, args.processes, args.threads)
    if processes < 1 or threads < 1:
        print("dossier: worker: --processes and --threads must be at least 1", file=sys.stderr)
        return 2
    # One OCR message in hand per thread: pages spread evenly over machines instead of
    # waiting in a busy worker's prefetch buffer.
    os.environ.setdefault("dramatiq_queue_prefetch", str(threads))
    # How long a Redis consumer holding its full prefetch waits before looking again
    # (no Redis call; an idle one waits on its doorbell, see workers/redis_broker.py),
    # and how often idle worker threads look for a message handed to them.
    os.environ.setdefault("dramatiq_worker_timeout", str(POLL_MS))
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract: one core per process
    argv = [sys.executable, "-m", "dramatiq", "workers.actors",
            "--processes", str(processes), "--threads", str(threads)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)  # dramatiq's supervisor handles signals from here on


def worker_size(cores: int, processes: int | None, threads: int | None) -> tuple[int, int]:
    """Processes and threads for OCR-bound work on ``cores``.

    Each thread spends most of a page waiting for its Tesseract process, so
    threads are nearly free; what matters is that ``cores + 1`` pages are in
    hand over all processes, the extra one covering the moments a thread is
    fetching, storing or recording instead of running Tesseract. One process
    per two cores (3 threads each): a process per core gave no more pages a
    minute on 2 cores but cost 20-30% more CPU (a second warm-up and set of
    consumers) and held 4 pages for 2 cores; 3 threads of
    ~0.4 s Python per 2.3 s page keep the GIL far from saturated.
    """
    processes = max(1, cores // 2) if processes is None else processes
    if threads is None:
        threads = -(-(cores + 1) // max(processes, 1))  # ceil((cores + 1) / processes)
    return processes, threads


def run_status(args: argparse.Namespace) -> int:
    from intake.status import dossier_status

    engine, sessions = open_database()
    try:
        with sessions() as session:
            found = dossier_status(session, args.code)
    finally:
        engine.dispose()
    if found is None:
        print(f"dossier: {args.code}: no such dossier", file=sys.stderr)
        return 1
    if args.json:
        _print(found)
    else:
        print(f"{found['dossier_code']}  {found['state']} ({found['stage']})  "
              f"trang {found['pages_done']}/{found['pages_total']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run these commands without `dossier` (before they are registered, and in tests)."""
    from cli.settings import load_dotenv

    load_dotenv()
    parser = argparse.ArgumentParser(prog="dossier")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
