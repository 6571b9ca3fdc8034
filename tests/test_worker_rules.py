"""One rule for unreadable files, whichever way a dossier goes, and RabbitMQ as a broker.

`dossier process` reports a file it cannot read with its error and goes on
with the readable ones; the workers must do the same and record the same
things. The reference is one in-process run of a good and a corrupt file;
the same files through Redis and through RabbitMQ (Debian's servers, started
on loopback) must give the same result, records and objects.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.worker_commands import worker_size
from intake.work_area import FilePlan, Manifest
from tests.servers.postgres import PostgresServer
from tests.servers.rabbitmq import RabbitmqServer, available, start_rabbitmq
from tests.servers.redis import RedisServer
from tests.test_workers import (  # noqa: F401  (module fixtures: postgres, redis_server)
    PYTHON,
    ROOT,
    Records,
    WorkerGroup,
    _by_kind,
    postgres,
    redis_server,
    sample,
    server_env,
    submit,
)

PROCEDURE = "1.001193"


@pytest.fixture(scope="module")
def rabbitmq() -> Iterator[RabbitmqServer]:
    if not available():
        pytest.skip("rabbitmq-server is not installed (apt-get install rabbitmq-server)")
    server = start_rabbitmq()
    yield server
    server.remove()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    bad = tmp_path_factory.mktemp("hong") / "hong.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    return [*sample("khai-sinh-thieu-giay-chung-sinh"), str(bad)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer,  # noqa: F811
              seaweedfs: Any, files: list[str]) -> Iterator[tuple[dict[str, Any], Records]]:
    """`dossier process` on the files, in its own database and bucket."""
    env = server_env(tmp_path_factory.mktemp("reference"), postgres, seaweedfs, None)
    done = subprocess.run([str(Path(PYTHON).parent / "dossier"), "process", *files,
                           "--procedure", PROCEDURE, "--json"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr  # a file failed: reported, the rest went on
    assert "hong.pdf: corrupt" in done.stderr
    records = Records(env)
    yield json.loads(done.stdout), records
    records.close()


def _through_broker(env: dict[str, str], files: list[str], log: Path,
                    reference: tuple[dict[str, Any], Records]) -> None:
    expected, theirs = reference
    workers = WorkerGroup(env, processes=2, log=log).start()
    records = Records(env)
    try:
        code = submit(env, files, PROCEDURE)
        status = records.wait_final(code)
    finally:
        workers.stop()
    assert status["state"] == "done", status
    assert status["pages_done"] == status["pages_total"] == 2
    got, expected = dict(status["result"]), dict(expected)
    assert got["files"][1]["error"]["kind"] == "corrupt"
    assert got["completeness"]["missing"] == ["giay_chung_sinh"]
    for result in (got, expected):
        result.pop("dossier_code")
        result.pop("stored")
    assert got == expected
    assert records.counts() == theirs.counts()
    mine, other = _by_kind(records.stored_keys()), _by_kind(theirs.stored_keys())
    assert {k: len(v) for k, v in mine.items()} == {k: len(v) for k, v in other.items()}
    for kind in ("original", "page", "pdf"):  # the same bytes (OCR JSON carries timings)
        assert mine.get(kind) == other.get(kind), kind
    assert records.stored_keys() == records.object_rows()  # no scratch left, no orphan
    records.close()


def test_redis_run_keeps_the_readable_files_like_process(
        tmp_path: Path, postgres: PostgresServer, seaweedfs: Any,  # noqa: F811
        redis_server: RedisServer, files: list[str],  # noqa: F811
        reference: tuple[dict[str, Any], Records]) -> None:
    env = server_env(tmp_path, postgres, seaweedfs, redis_server)
    _through_broker(env, files, tmp_path / "worker.log", reference)


def test_rabbitmq_run_matches_in_process_run(
        tmp_path: Path, postgres: PostgresServer, seaweedfs: Any,  # noqa: F811
        rabbitmq: RabbitmqServer, files: list[str],
        reference: tuple[dict[str, Any], Records]) -> None:
    env = server_env(tmp_path, postgres, seaweedfs, None)
    env["DOSSIER_BROKER_URL"] = rabbitmq.url()
    _through_broker(env, files, tmp_path / "worker.log", reference)


def test_manifest_keeps_file_errors() -> None:
    manifest = Manifest([FilePlan("a.pdf", [0, 1]),
                         FilePlan("b.pdf", [], {"kind": "corrupt", "message": "x"})])
    again = Manifest.from_json(manifest.as_json())
    assert again == manifest and again.total == 2
    old = Manifest.from_json(b'{"files": [{"name": "a.pdf", "pages": [0]}]}')  # in flight
    assert old.files[0].error is None


@pytest.mark.parametrize(("cores", "processes", "threads", "expected"), [
    (2, None, None, (1, 3)), (2, 1, None, (1, 3)), (8, None, None, (4, 3)), (2, 2, None, (2, 2)),
    (4, 2, None, (2, 3)), (2, 1, 1, (1, 1)), (1, None, None, (1, 2))])
def test_worker_size_keeps_one_page_more_than_cores(
        cores: int, processes: int | None, threads: int | None,
        expected: tuple[int, int]) -> None:
    assert worker_size(cores, processes, threads) == expected
