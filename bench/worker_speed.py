"""Worker speed: raw Tesseract against the pipeline on dramatiq, on the same pages and cores.

Prints, in one run on the same office-quality pages (default 60):
  (a) raw `tesseract PAGE - -l vie`, one single-threaded process per core, before and
      after (b) and (c): the machine's speed drifts between minutes, so the ratios are
      taken to the mean of the two;
  (b) our throughput through Redis with 1 and with 2 `dossier worker` processes,
      submit to `done` (split, clean-up, OCR, verdict, signed searchable PDFs and
      records included; workers warmed up first), twice: the pages as one dossier
      (its verdict, PDFs and records are made by one thread at the end while the
      other cores wait), and as a stream of 5-page dossiers handed in together
      (how a centre's load arrives: one dossier's verdict overlaps others' OCR);
  (c) the latency from submit to verdict of a 5-page dossier with `dossier worker`'s default
      sizing (one process per two cores): three different dossiers one after the other,
      the median printed, and
      where it went: the workers' per-step timing lines for that dossier
      (split: fetch, render, store; each page: fetch, clean-up + Tesseract,
      store; publish: fetch, understand, keep, index), relative to submit.
Each measured dossier also prints the CPU seconds the workers spent on it
(worker processes and their Tesseract children, from /proc), so runs on a
shared machine can be compared by CPU rather than by wall time.

Uses a throw-away redis-server, SQLite and a local object folder (one machine).

    .venv/bin/python bench/worker_speed.py [--pages 60] [--stream-size 5] [--latency-runs 3]
                                           [--threads T]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ocr_speed import CORES, office_pages, raw_tesseract  # noqa: E402

from tests.servers.redis import running_redis  # noqa: E402


def _env(home: Path, broker: str) -> dict[str, str]:
    env = {**os.environ, "DOSSIER_HOME": str(home), "DOSSIER_BROKER_URL": broker,
           "DOSSIER_AGENCY_CODE": "000.00.00.H26"}
    for key in ("DOSSIER_DATABASE_URL", "DOSSIER_STORAGE_URL"):
        env.pop(key, None)
    return env


def _submit(env: dict[str, str], files: list[Path]) -> str:
    out = subprocess.run([sys.executable, "-m", "cli.worker_commands", "submit",
                          *map(str, files), "--json"], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    import json

    return json.loads(out.stdout)["dossier_code"]


def _wait(env: dict[str, str], code: str, timeout_s: float = 1800) -> str:
    from intake.status import dossier_status
    from models.database import make_engine, make_sessionmaker

    engine = make_engine(f"sqlite:///{env['DOSSIER_HOME']}/hoso.sqlite3")
    sessions = make_sessionmaker(engine)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            with sessions() as session:
                status = dossier_status(session, code)
            if status and status["state"] in ("done", "failed"):
                return str(status["state"])
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise TimeoutError(code)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid``, its descendants, and their reaped children (Tesseract)."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return total
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _timed(env: dict[str, str], files: list[Path],
           worker_pid: int | None = None) -> tuple[float, str, str, float]:
    """Submit (CLI start-up excluded: timed from the printed code) to final state."""
    started = time.perf_counter()
    cpu_before = _cpu_seconds(worker_pid) if worker_pid else 0.0
    code = _submit(env, files)
    submitted = time.perf_counter()
    state = _wait(env, code)
    seconds = time.perf_counter() - submitted
    if worker_pid:
        state += f", workers' CPU {_cpu_seconds(worker_pid) - cpu_before:.1f}s"
    return (seconds, state + f" (submit took {submitted - started:.1f}s)",
            code, time.time() - seconds)


_SUBMIT_MANY = """
import json, sys, time
from pathlib import Path
from cli.desk import agency_code, open_backends
from workers.submit import submit
store, engine, sessions = open_backends()
batches = json.loads(sys.argv[1])
print("ready", flush=True)
for files in batches:
    print(submit([Path(f) for f in files], None, agency_code=agency_code(), store=store,
                 sessions=sessions), flush=True)
"""


def _timed_stream(env: dict[str, str], batches: list[list[Path]],
                  worker_pid: int) -> tuple[float, str]:
    """Hand in every batch as its own dossier, one after the other, from one process
    (timed from its first submit, interpreter start-up excluded) until all are final."""
    import json

    cpu_before = _cpu_seconds(worker_pid)
    proc = subprocess.Popen([sys.executable, "-c", _SUBMIT_MANY,
                             json.dumps([[str(f) for f in b] for b in batches])], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise RuntimeError("the submitting process did not start")
    started = time.perf_counter()
    codes = [line.strip() for line in proc.stdout]
    if proc.wait() != 0 or len(codes) != len(batches):
        raise RuntimeError("submitting the dossiers failed")
    states = [_wait(env, code) for code in codes]
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds(worker_pid) - cpu_before
    return seconds, f"{states.count('done')} of {len(codes)} done, workers' CPU {cpu:.1f}s"


def _timeline(log: Path, code: str, since: float) -> None:
    """The workers' timing lines for dossier ``code``, in seconds after its code was printed."""
    stamp = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\]")
    for line in log.read_text(errors="replace").splitlines():
        found = stamp.match(line)
        if code not in line or not found:
            continue
        at = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").timestamp() \
            + int(found.group(2)) / 1000
        print(f"    +{at - since:5.2f}s {line.split('] ')[-1]}")


def run_workers(folder: Path, processes: int, pages: list[Path], warm: list[Path],
                extra: list[list[Path]] | None, threads: int | None,
                stream_size: int) -> tuple[float, float, float | None]:
    """Pages a minute as one dossier and as a stream of ``stream_size``-page dossiers,
    and the median latency of each of ``extra`` as one dossier, one after the other
    (if given; the timeline of the last is printed)."""
    with running_redis() as redis:
        env = _env(folder / f"home-{processes}", redis.url(heartbeat_timeout_ms=15000))
        log_path = folder / f"worker-{processes}.log"
        log = open(log_path, "wb")  # noqa: SIM115
        sizing = ["--threads", str(threads)] if threads else []
        worker = subprocess.Popen([sys.executable, "-m", "cli.worker_commands", "worker",
                                   "--processes", str(processes), *sizing], env=env, cwd=ROOT,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            # Start-up, models and caches out of the measurement: one one-page dossier per
            # process, handed in together so that every process reads and signs one.
            _timed_stream(env, [[page] for page in warm], worker.pid)
            seconds, state, _, _ = _timed(env, pages, worker.pid)
            one = len(pages) / seconds * 60
            print(f"  {processes} worker process(es), one {len(pages)}-page dossier: "
                  f"{seconds:.1f}s = {one:.1f} pages/min [{state}]")
            batches = [pages[i:i + stream_size] for i in range(0, len(pages), stream_size)]
            seconds, state = _timed_stream(env, batches, worker.pid)
            stream = len(pages) / seconds * 60
            print(f"  {processes} worker process(es), {len(batches)} dossiers of "
                  f"{stream_size} pages: {seconds:.1f}s = {stream:.1f} pages/min [{state}]")
            latency = None
            if extra:
                latencies = []
                for files in extra:
                    time.sleep(2.0)  # each dossier alone, on idle workers, as at a desk
                    seconds, state, code, since = _timed(env, files, worker.pid)
                    latencies.append(seconds)
                    print(f"  {len(files)}-page dossier, submit -> verdict: {seconds:.2f}s "
                          f"[{state}]")
                time.sleep(0.5)  # the log lines reach the file through dramatiq's pipe
                _timeline(log_path, code, since)
                latency = statistics.median(latencies)
            return one, stream, latency
        finally:
            os.kill(worker.pid, 15)  # the supervisor only (see workers/README.md)
            worker.wait(120)


def _raw(pages: list[Path], when: str) -> float:
    """Pages a minute of raw ``tesseract PAGE - -l vie``, one single-threaded process per core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = raw_tesseract(pages)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    rate = len(pages) / seconds * 60
    print(f"  raw tesseract ({when}), {CORES} single-threaded processes: {rate:.1f} pages/min "
          f"[CPU {cpu:.1f}s]")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--stream-size", type=int, default=5,
                        help="pages per dossier in the stream measurement")
    parser.add_argument("--latency-runs", type=int, default=3,
                        help="5-page dossiers timed one after the other (median printed)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per worker process (default: dossier worker's own)")
    args = parser.parse_args()
    # A timeout's SIGTERM must still run the clean-up below (workers, redis-server).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="hoso-worker-bench-") as tmp:
        folder = Path(tmp)
        (folder / "pages").mkdir()
        runs = max(1, args.latency_runs)
        pages = office_pages(folder / "pages", args.pages + 3 + 5 * runs)
        main_pages, warm = pages[:args.pages], pages[args.pages:args.pages + 3]
        five = [pages[args.pages + 3 + 5 * i:args.pages + 8 + 5 * i] for i in range(runs)]
        print(f"{CORES} cores (shared machine: other jobs may be running); "
              f"{args.pages} office-quality pages")
        raw_first = _raw(main_pages, "before")
        # The latency is measured with `dossier worker`'s default sizing on this machine
        # (one process per two cores): what a desk runs.
        default_processes = max(1, CORES // 2)
        one, one_stream, latency_one = run_workers(
            folder, 1, main_pages, warm[:1], five if default_processes == 1 else None,
            args.threads, args.stream_size)
        two, two_stream, latency_two = run_workers(
            folder, 2, main_pages, warm[1:3], five if default_processes != 1 else None,
            args.threads, args.stream_size)
        latency = latency_one if latency_one is not None else latency_two
        # The machine's speed drifts between minutes: raw Tesseract is timed again after the
        # workers, and the ratio taken to the mean of its two runs.
        raw = (raw_first + _raw(main_pages, "after")) / 2
        print(f"  ratio to raw (mean of both raw runs, {raw:.1f} pages/min; target >= 0.9x): "
              f"one dossier: 1 process {one / raw:.2f}x, 2 processes {two / raw:.2f}x; "
              f"{args.stream_size}-page dossiers: 1 process {one_stream / raw:.2f}x, "
              f"2 processes {two_stream / raw:.2f}x")
        if latency is not None:
            print(f"  5-page verdict {latency:.2f}s, median of {runs} (target < 6 s on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
