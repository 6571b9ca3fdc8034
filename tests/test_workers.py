"""The pipeline through a real broker: Redis (Debian's redis-server), PostgreSQL, SeaweedFS.

A dossier submitted through Redis and processed by `dossier worker` processes
must give exactly the records and objects of the in-process `dossier process`
run; the embedded mode (memory://) runs the same actors without any server;
a corrupt file ends the dossier `failed` with the reason, its original kept.
Helpers here are shared with tests/test_worker_faults.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from intake.status import dossier_status
from models.database import make_engine, make_sessionmaker
from models.records import AuditEntry, Document, Dossier, FieldValue, Page, StoredObjectRecord
from storage import open_store
from tests.servers.postgres import PostgresServer, start_postgres
from tests.servers.redis import RedisServer, start_redis

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "dossiers"
PYTHON = sys.executable
AGENCY = "000.00.00.H26"
_db_numbers = count(1)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.remove()


def sample(name: str) -> list[str]:
    return [str(p) for p in sorted((SAMPLES / name).glob("*.pdf"))]


def server_env(tmp_path: Path, postgres: PostgresServer, seaweedfs: Any,
               redis_server: RedisServer | None, storage_url: str | None = None) -> dict[str, str]:
    """A fresh database and bucket (and Redis db), with fast failure detection for tests."""
    env = {**os.environ, "DOSSIER_HOME": str(tmp_path / "home"), "DOSSIER_AGENCY_CODE": AGENCY,
           "DOSSIER_DATABASE_URL": postgres.new_database(),
           "DOSSIER_STORAGE_URL": storage_url or seaweedfs.url(seaweedfs.new_bucket()),
           "DOSSIER_WORKER_MIN_BACKOFF_MS": "300", "DOSSIER_WORKER_MAX_BACKOFF_MS": "3000",
           "DOSSIER_WORKER_MAX_RETRIES": "40", "DOSSIER_OCR_JOBS": "2"}
    if redis_server is not None:
        env["DOSSIER_BROKER_URL"] = redis_server.url(
            next(_db_numbers) % 16, heartbeat_timeout_ms=3000, maintenance_chance=300000)
    else:
        env["DOSSIER_BROKER_URL"] = "memory://"
    return env


def dossier_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "cli.worker_commands", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def submit(env: dict[str, str], files: list[str], procedure: str) -> str:
    done = dossier_cli(env, "submit", *files, "--procedure", procedure, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["dossier_code"]


class WorkerGroup:
    """`dossier worker` as a process group, so the whole group can be SIGKILLed."""

    def __init__(self, env: dict[str, str], processes: int = 2, log: Path | None = None) -> None:
        self.env = env
        self.processes = processes
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerGroup:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "cli.worker_commands", "worker", "--processes", str(self.processes)],
            env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL every process of the group: nothing gets to ack, requeue or clean up."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM to the supervisor only: it forwards one SIGTERM to its workers, which
        finish their current message. (A second SIGTERM, e.g. from killpg, kills them.)"""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


class Records:
    """Read-only view of one environment's database and store."""

    def __init__(self, env: dict[str, str]) -> None:
        self.engine = make_engine(env["DOSSIER_DATABASE_URL"])
        self.sessions = make_sessionmaker(self.engine)
        self.store = open_store(env["DOSSIER_STORAGE_URL"])

    def status(self, code: str) -> dict[str, Any] | None:
        with self.sessions() as session:
            return dossier_status(session, code)

    def wait(self, code: str, until: Any, timeout_s: float = 180.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        last = None
        while time.monotonic() < deadline:
            last = self.status(code)
            if last is not None and until(last):
                return last
            time.sleep(0.2)
        raise AssertionError(f"dossier {code} never reached the state wanted: {last}")

    def wait_final(self, code: str, timeout_s: float = 180.0) -> dict[str, Any]:
        return self.wait(code, lambda s: s["state"] in ("done", "failed"), timeout_s)

    def counts(self) -> dict[str, Any]:
        with self.sessions() as s:
            return {
                "dossiers": s.scalar(select(func.count()).select_from(Dossier)),
                "pages": s.scalar(select(func.count()).select_from(Page)),
                "documents": s.scalar(select(func.count()).select_from(Document)),
                "fields": s.scalar(select(func.count()).select_from(FieldValue)),
                "objects": dict(Counter(s.scalars(select(StoredObjectRecord.kind)))),
                "audit": dict(Counter(s.scalars(select(AuditEntry.action)))),
            }

    def object_rows(self) -> list[str]:
        with self.sessions() as s:
            return sorted(s.scalars(select(StoredObjectRecord.key)))

    def stored_keys(self) -> list[str]:
        return sorted(obj.key for obj in self.store.list())

    def close(self) -> None:
        self.engine.dispose()


def assert_one_clean_set(records: Records, expected_pages: int) -> None:
    """Exactly one set: every stored object has a row and vice versa, no scratch left."""
    assert records.stored_keys() == records.object_rows()
    counts = records.counts()
    assert counts["dossiers"] == 1
    assert counts["pages"] == expected_pages
    assert counts["objects"]["page"] == expected_pages
    assert counts["objects"]["ocr"] == expected_pages
    assert counts["objects"]["metadata"] == 1
    assert counts["audit"].get("dossier.kept") == 1
    assert "dossier.failed" not in counts["audit"]


def _by_kind(keys: list[str]) -> dict[str, list[str]]:
    """Object keys grouped by kind, without the agency/year/code prefix."""
    out: dict[str, list[str]] = {}
    for key in keys:
        kind, name = key.split("/")[-2:]
        out.setdefault(kind, []).append(name)
    return {kind: sorted(names) for kind, names in out.items()}


def test_broker_run_matches_in_process_run(tmp_path: Path, postgres: PostgresServer,
                                           seaweedfs: Any, redis_server: RedisServer) -> None:
    files = sample("ket-hon")
    here = server_env(tmp_path / "a", postgres, seaweedfs, None)
    there = server_env(tmp_path / "b", postgres, seaweedfs, redis_server)
    workers = WorkerGroup(there, processes=2, log=tmp_path / "worker.log").start()
    try:
        code = submit(there, files, "1.000894")
        reference = subprocess.run(
            [str(Path(PYTHON).parent / "dossier"), "process", *files, "--procedure", "1.000894",
             "--json"], env=here, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert reference.returncode == 0, reference.stderr
        expected = json.loads(reference.stdout)
        a, b = Records(here), Records(there)
        status = b.wait_final(code)
    finally:
        workers.stop()
    assert status["state"] == "done", status
    assert status["pages_done"] == status["pages_total"] == 4
    got = status["result"]
    for result in (got, expected):
        result.pop("dossier_code")
        result.pop("stored")
    assert got == expected
    assert b.counts() == a.counts()
    mine, theirs = _by_kind(b.stored_keys()), _by_kind(a.stored_keys())
    assert {k: len(v) for k, v in mine.items()} == {k: len(v) for k, v in theirs.items()}
    # Originals and page images are content-addressed and the pixels are the same.
    assert mine["original"] == theirs["original"]
    assert mine["page"] == theirs["page"]
    assert_one_clean_set(b, 4)
    shown = dossier_cli(there, "status", code, "--json")
    assert shown.returncode == 0, shown.stderr
    assert set(json.loads(shown.stdout)) >= {"dossier_code", "state", "pages_done",
                                             "pages_total", "result"}
    a.close()
    b.close()


def test_embedded_mode_runs_the_same_actors_without_servers(tmp_path: Path) -> None:
    env = {**os.environ, "DOSSIER_HOME": str(tmp_path / "home"), "DOSSIER_AGENCY_CODE": AGENCY,
           "DOSSIER_BROKER_URL": "memory://"}
    for key in ("DOSSIER_DATABASE_URL", "DOSSIER_STORAGE_URL"):
        env.pop(key, None)
    code = submit(env, sample("khai-sinh-thieu-giay-chung-sinh"), "1.001193")
    shown = dossier_cli(env, "status", code, "--json")
    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert status["state"] == "done"
    assert status["pages_done"] == status["pages_total"] == 2
    assert status["result"]["completeness"]["missing"] == ["giay_chung_sinh"]
    assert not list((tmp_path / "home" / "objects").glob("work/**/*.bin"))
    again = submit(env, sample("khai-sinh-thieu-giay-chung-sinh"), "1.001193")
    assert again == code  # same files, same dossier: nothing queued or stored again


def test_corrupt_file_fails_the_dossier_and_keeps_the_original(
        tmp_path: Path, postgres: PostgresServer, seaweedfs: Any,
        redis_server: RedisServer) -> None:
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    env = server_env(tmp_path, postgres, seaweedfs, redis_server)
    workers = WorkerGroup(env, processes=1, log=tmp_path / "worker.log").start()
    try:
        code = submit(env, [str(bad)], "1.001193")
        records = Records(env)
        status = records.wait_final(code)
    finally:
        workers.stop()
    assert status["state"] == "failed"
    assert "hong.pdf" in status["result"] and "corrupt" in status["result"]
    keys = records.stored_keys()
    assert len(keys) == 1 and "/original/" in keys[0]
    assert keys == records.object_rows()
    assert records.counts()["audit"].get("dossier.failed") == 1
    records.close()
