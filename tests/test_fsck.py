"""fsck: a process killed (SIGKILL) between upload and commit loses nothing.

A real subprocess receives (or keeps) a dossier against the real database and
store; it is killed at the exact moment its objects are stored and its
transaction not yet committed. fsck must find the orphans, and ``--repair``
must leave a clean state with every original still there and referenced.
Runs on both backends.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import select as select_module
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import select

from archive import fsck, keep, receive
from archive.receive import fingerprint
from cli import fsck_command
from models.records import AuditEntry, CheckResult, Dossier, StoredObjectRecord
from storage import LocalStore, parse_key, sha256_file
from tests import test_records as records
from tests.test_archive import PROCEDURE, fake_result, keys
from tests.test_records import AGENCY, Backend

backend = records.backend  # the shared fixtures (both backends, one PostgreSQL)
postgres = records.postgres
REPO = Path(__file__).resolve().parents[1]

# The child: a real desk process whose store announces when the chosen objects
# are stored, then hangs, so the parent can SIGKILL it before the commit.
CHILD = r"""
import sys, time
from models.database import open_database
from storage import open_store
from archive import receive, keep
from tests.test_archive import fake_result

db_url, store_url, mode, *files = sys.argv[1:]

class PausingStore:
    def __init__(self, inner, after):
        self.inner, self.after, self.count = inner, after, 0
    def __getattr__(self, name):
        return getattr(self.inner, name)
    def _tick(self, result):
        self.count += 1
        if self.count == self.after:
            print("STORED", flush=True)
            time.sleep(600)
        return result
    def put_file(self, *args, **kwargs):
        return self._tick(self.inner.put_file(*args, **kwargs))
    def put_content(self, *args, **kwargs):
        return self._tick(self.inner.put_content(*args, **kwargs))

engine, sessions = open_database(db_url)
store = open_store(store_url)
with sessions() as session:
    if mode == "receive":
        receive(files, "000.00.00.H26", "1.001193", PausingStore(store, len(files)), session)
    else:
        got = receive(files, "000.00.00.H26", "1.001193", store, session)
        results = [fake_result(files[0], 0, 2)]
        # 2 page images + 2 OCR JSON + 1 PDF + 1 metadata = 6 derived objects
        keep(session, PausingStore(store, 6), got.dossier, results)
print("COMMITTED", flush=True)
"""


def kill_after_upload(backend: Backend, mode: str, files: list[Path]) -> None:
    """Run the child until its objects are stored, then SIGKILL it (no chance to clean up)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, backend.database_url, backend.store_url, mode,
         *map(str, files)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready, _, _ = select_module.select([child.stdout], [], [], 90)
        line = child.stdout.readline().decode() if ready else ""  # type: ignore[union-attr]
        stderr = child.stderr.read1().decode() if line.strip() != "STORED" else ""  # type: ignore[union-attr]
        assert line.strip() == "STORED", f"child said {line!r}: {stderr}"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def scans(folder: Path) -> list[Path]:
    paths = [folder / "to-khai.pdf", folder / "giay-chung-sinh.jpg"]
    for i, path in enumerate(paths):
        path.write_bytes(f"scan {i} ".encode() + os.urandom(4000 + i))
    return paths


# ----------------------------------------------------------------------------- kill tests


def test_kill_between_upload_and_commit_of_a_reception(backend: Backend, tmp_path: Path) -> None:
    files = scans(tmp_path)
    kill_after_upload(backend, "receive", files)
    stored = keys(backend.store)
    assert len(stored) == 2  # both originals made it to the store ...
    with backend.sessions() as session:
        assert session.scalars(select(Dossier)).all() == []  # ... but no record did
        report = fsck(backend.store, session)
    assert not report.ok
    assert {f.key for f in report.orphan_objects} == stored
    assert {f.kind for f in report.orphan_objects} == {"original"}
    assert report.missing_objects == [] and report.checksum_mismatches == []

    with backend.sessions() as session:
        repaired = fsck(backend.store, session, repair=True)
        assert repaired.ok and repaired.repaired
        assert all("recorded as new dossier" in (f.repair or "") for f in repaired.orphan_objects)
        dossier = session.scalars(select(Dossier)).one()
        code = parse_key(next(iter(stored))).dossier_code  # type: ignore[union-attr]
        assert dossier.code == code and dossier.status == "received" and dossier.needs_review
        assert {o.key for o in dossier.objects} == stored  # nothing lost, all referenced
        digests = {sha256_file(f) for f in files}
        assert {o.sha256 for o in dossier.objects} == digests
        assert {o.original_name for o in dossier.objects} == {f.name for f in files}
        for row in dossier.objects:
            assert backend.store.verify(row.key)
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions == ["fsck.recovered-originals"]
        assert dossier.fingerprint == fingerprint(sorted(digests))
        assert fsck(backend.store, session).ok  # a second run finds nothing

        again = receive(files, AGENCY, PROCEDURE, backend.store, session)
    assert not again.created and again.dossier.id == dossier.id  # recognised, not duplicated
    assert keys(backend.store) == stored


def test_kill_between_keep_uploads_and_commit(backend: Backend, tmp_path: Path) -> None:
    files = scans(tmp_path)[:1]
    kill_after_upload(backend, "keep", files)
    with backend.sessions() as session:
        dossier = session.scalars(select(Dossier)).one()
        (original,) = dossier.objects
        assert dossier.status == "received" and dossier.pages == []
        report = fsck(backend.store, session)
        assert sorted(f.kind for f in report.orphan_objects) == [
            "metadata", "ocr", "ocr", "page", "page", "pdf"]
        repaired = fsck(backend.store, session, repair=True)
        assert repaired.ok
        assert all((f.repair or "").startswith("deleted") for f in repaired.orphan_objects)
    assert keys(backend.store) == {original.key}
    assert backend.store.get_bytes(original.key) == files[0].read_bytes()
    with backend.sessions() as session:  # the dossier can simply be kept again
        dossier = session.scalars(select(Dossier)).one()
        kept = keep(session, backend.store, dossier, [fake_result(str(files[0]), 0, 2)])
        assert len(kept.objects) == 7 and fsck(backend.store, session).ok


# ----------------------------------------------------------------------------- damage


def corrupt(backend: Backend, key: str, data: bytes) -> None:
    """Change an object's bytes behind the store's back (disk rot, a stray tool)."""
    if isinstance(backend.store, LocalStore):
        backend.store.root.joinpath(*key.split("/")).write_bytes(data)
        return
    from minio import Minio

    parts = urlsplit(backend.store_url)
    client = Minio(f"{parts.hostname}:{parts.port}", unquote(parts.username or ""),
                   unquote(parts.password or ""), secure=False, region="us-east-1")
    client.put_object(parts.path.strip("/"), key, io.BytesIO(data), len(data))


def test_missing_and_corrupt_objects_are_found_and_safely_repaired(
        backend: Backend, tmp_path: Path) -> None:
    (path,) = scans(tmp_path)[:1]
    with backend.sessions() as session:
        got = receive([path], AGENCY, PROCEDURE, backend.store, session)
        kept = keep(session, backend.store, got.dossier, [fake_result(str(path), 0, 2)])
    by_kind: dict[str, list[str]] = {}
    for key in kept.objects:
        by_kind.setdefault(parse_key(key).kind, []).append(key)  # type: ignore[union-attr]
    gone, rotten, original = by_kind["page"][0], by_kind["ocr"][0], by_kind["original"][0]
    backend.store.delete(gone)
    corrupt(backend, rotten, b'{"not": "the OCR result"}')
    corrupt(backend, original, b"tampered")

    with backend.sessions() as session:
        report = fsck(backend.store, session)
        assert not report.ok and report.orphan_objects == []
        assert [f.key for f in report.missing_objects] == [gone]
        assert sorted(f.key for f in report.checksum_mismatches) == sorted([rotten, original])

        repaired = fsck(backend.store, session, repair=True)
        assert not repaired.ok  # a damaged original cannot be repaired here: still reported
        unresolved = [f.key for f in repaired.checksum_mismatches if f.repair is None]
        assert unresolved == [original]
        dossier = session.get(Dossier, got.dossier.id)
        assert dossier is not None and dossier.needs_reprocessing and dossier.needs_review
        assert original in (dossier.review_reason or "")
        remaining = {o.key for o in dossier.objects}
        assert original in remaining and gone not in remaining and rotten not in remaining
        assert not backend.store.exists(rotten)
        checks = session.scalars(select(CheckResult.message)).all()
        assert any(gone in m for m in checks) and any(original in m for m in checks)
        assert session.scalars(select(StoredObjectRecord).where(
            StoredObjectRecord.key == original)).one()


# ----------------------------------------------------------------------------- CLI


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    parser = argparse.ArgumentParser(prog="dossier")
    fsck_command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.run(args)
    return code, json.loads(capsys.readouterr().out)


def test_cli_fsck_json_exit_codes_and_repair(
        backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DOSSIER_DATABASE_URL", backend.database_url)
    monkeypatch.setenv("DOSSIER_STORAGE_URL", backend.store_url)
    code, out = run_cli(["fsck", "--json"], capsys)
    assert (code, out["ok"]) == (0, True)
    assert set(out) >= {"ok", "orphan_objects", "missing_objects", "checksum_mismatches"}

    orphan = backend.store.put_content(
        io.BytesIO(b"page image"), agency_code=AGENCY, received_year=2026,
        dossier_code=f"{AGENCY}-261125-0009", kind="page", extension="png")
    code, out = run_cli(["fsck", "--json"], capsys)
    assert code == 1 and out["ok"] is False
    assert [o["key"] for o in out["orphan_objects"]] == [orphan.key]  # type: ignore[union-attr]

    code, out = run_cli(["fsck", "--repair", "--json"], capsys)
    assert (code, out["ok"]) == (0, True)
    assert not backend.store.exists(orphan.key)


def test_cli_fsck_unreachable_store_is_one_line_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.servers.seaweedfs import free_ports

    (port,) = free_ports(1)
    monkeypatch.setenv("DOSSIER_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("DOSSIER_STORAGE_URL", f"s3://k:secret@127.0.0.1:{port}/bucket")
    parser = argparse.ArgumentParser(prog="dossier")
    fsck_command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["fsck", "--json"])
    assert args.run(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unavailable" in err and "secret" not in err
