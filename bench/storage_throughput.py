"""Store/fetch throughput of ``storage.S3Store`` vs the plain ``minio`` client.

Both run against the same SeaweedFS server (started like the tests do, via
tests/servers/seaweedfs.py) in the same process, alternating rounds so neither
gets a warmer server.  "ours" is ``put_file(path, key)`` with the
content-addressed key already known (the pipeline hashes a scan once to name
it); the one-pass SHA-256 check and the metadata header are included.
"ours+hash" adds that naming hash (``put_content``).  Fetch streams 1 MiB reads
and discards them, for both.

    .venv/bin/python bench/storage_throughput.py [--rounds 2] [--small 20] [--big-mb 256]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage import S3Store, object_key, open_store  # noqa: E402
from tests.servers.seaweedfs import SeaweedFS, seaweedfs_server, weed_binary  # noqa: E402

MiB = 1024 * 1024
FETCH_REPEATS = 3  # fetches are fast and noisy on a shared machine: keep the best of 3
PART_SIZE = PARALLEL = 0  # 0: the store's defaults
AGENCY, YEAR, DOSSIER = "000.00.00.H26", 2026, "000.00.00.H26-261125-0001"


def make_file(path: Path, size: int) -> str:
    """Incompressible-enough content written in 1 MiB chunks; returns its SHA-256."""
    digest = hashlib.sha256()
    seed = os.urandom(MiB)
    with open(path, "wb") as out:
        for i in range(size // MiB):
            chunk = i.to_bytes(8, "little") + path.name.encode()[:24].ljust(24, b"-") + seed[32:]
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def drain(stream: object) -> None:
    while stream.read(MiB):  # type: ignore[attr-defined]
        pass


def plain_round(server: SeaweedFS, files: list[tuple[Path, str]]) -> tuple[float, float]:
    client = server.client()
    bucket = server.new_bucket("plain")
    names = [f"{AGENCY}/{YEAR}/{DOSSIER}/original/{digest}.pdf" for _, digest in files]

    def store() -> None:
        for (path, _), name in zip(files, names, strict=True):
            client.fput_object(bucket, name, str(path), content_type="application/pdf")

    def fetch() -> None:
        for name in names:
            response = client.get_object(bucket, name)
            try:
                drain(response)
            finally:
                response.close()
                response.release_conn()

    return timed(store), min(timed(fetch) for _ in range(FETCH_REPEATS))


def ours_round(
    server: SeaweedFS, files: list[tuple[Path, str]], with_hash: bool
) -> tuple[float, float]:
    store: S3Store = open_store(server.url(server.new_bucket("ours")))  # type: ignore[assignment]
    store.part_size, store.parallel_uploads = PART_SIZE or store.part_size, PARALLEL or (
        store.parallel_uploads)
    keys = [object_key(AGENCY, YEAR, DOSSIER, digest, "original", "pdf") for _, digest in files]

    def put() -> None:
        for (path, _), key in zip(files, keys, strict=True):
            if with_hash:
                store.put_content(path, agency_code=AGENCY, received_year=YEAR,
                                  dossier_code=DOSSIER, kind="original", extension="pdf",
                                  content_type="application/pdf")
            else:
                store.put_file(path, key, "application/pdf")

    def fetch() -> None:
        for key in keys:
            with store.open(key) as stream:
                drain(stream)

    return timed(put), min(timed(fetch) for _ in range(FETCH_REPEATS))


def machine_facts() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    weed = subprocess.run([weed_binary(), "version"], capture_output=True, text=True, check=False)
    return (
        f"date      {dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
        f"machine   {platform.machine()}, {model}, {os.cpu_count()} cores ({usable} usable), "
        f"load avg {os.getloadavg()[0]:.2f}\n"
        f"software  Python {platform.python_version()}, minio {version('minio')}, "
        f"{weed.stdout.strip()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; best is kept")
    parser.add_argument("--small", type=int, default=20, help="number of 8 MB objects")
    parser.add_argument("--big-mb", type=int, default=256, help="size of the one big object")
    parser.add_argument("--part-mb", type=int, default=0, help="override our part size")
    parser.add_argument("--parallel", type=int, default=0, help="override our parallel parts")
    args = parser.parse_args()
    global PART_SIZE, PARALLEL
    PART_SIZE, PARALLEL = args.part_mb * MiB, args.parallel

    print(machine_facts())
    with tempfile.TemporaryDirectory(prefix="hoso-bench-") as tmp, seaweedfs_server() as server:
        work = Path(tmp)
        datasets = {
            f"{args.small} x 8 MB": [
                (work / f"small-{i}.pdf", make_file(work / f"small-{i}.pdf", 8 * MiB))
                for i in range(args.small)
            ],
            f"1 x {args.big_mb} MB": [
                (work / "big.pdf", make_file(work / "big.pdf", args.big_mb * MiB))
            ],
        }
        probe: S3Store = open_store(server.url(server.new_bucket("probe")))  # type: ignore[assignment]
        part = (PART_SIZE or probe.part_size) // MiB
        print(f"server    SeaweedFS weed mini at {server.endpoint}; ours: part size {part} MiB x "
              f"{PARALLEL or probe.parallel_uploads} parallel (plain fput_object: minio "
              f"defaults); best of {args.rounds} rounds, fetch best of {FETCH_REPEATS}\n")
        header = f"{'dataset':<14} {'client':<10} {'store MB/s':>11} {'fetch MB/s':>11}"
        print(header)
        print("-" * len(header))
        for label, files in datasets.items():
            total_mb = sum(p.stat().st_size for p, _ in files) / 1e6
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.rounds):
                for name, run in (
                    ("minio", lambda f=files: plain_round(server, f)),
                    ("ours", lambda f=files: ours_round(server, f, with_hash=False)),
                    ("ours+hash", lambda f=files: ours_round(server, f, with_hash=True)),
                ):
                    put_s, get_s = run()
                    old = best.get(name, (float("inf"), float("inf")))
                    best[name] = (min(old[0], put_s), min(old[1], get_s))
            for name, (put_s, get_s) in best.items():
                print(f"{label:<14} {name:<10} {total_mb / put_s:>11.1f} {total_mb / get_s:>11.1f}")
            plain_put, plain_get = best["minio"]
            ours_put, ours_get = best["ours"]
            print(f"{label:<14} {'ratio':<10} {plain_put / ours_put:>10.2f}x "
                  f"{plain_get / ours_get:>10.2f}x   (ours / minio; target >= 0.9x)")
            hashed_put = best["ours+hash"][0]
            print(f"{label:<14} {'ratio+hash':<10} {plain_put / hashed_put:>10.2f}x\n")
    print(f"run id {uuid.uuid4().hex[:8]} done")


if __name__ == "__main__":
    main()
