"""Faults in the middle of a dossier: each ends with exactly one set of records and objects.

* every worker process SIGKILLed mid-dossier, then started again: Redis gives
  the dead worker's unacknowledged messages back (heartbeat timeout), the
  steps redo only what was not stored;
* Redis restarted mid-run: the append-only file brings the queues back;
* the object store unreachable for a while (its port closed, like a network
  cut or a server restart): steps fail with StorageUnavailable and are
  retried with backoff until it is back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from typing import Any

from tests.servers.postgres import PostgresServer
from tests.servers.redis import RedisServer
from tests.test_workers import (  # noqa: F401 - fixtures
    Records,
    WorkerGroup,
    assert_one_clean_set,
    postgres,
    redis_server,
    sample,
    server_env,
    submit,
)

PAGES = 4  # ket-hon


class PortGate:
    """A TCP forwarder that can be closed (connections refused) and opened again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = self._free_port()
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []

    @staticmethod
    def _free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def open(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def close(self) -> None:
        """Refuse new connections and cut the open ones."""
        if self.listener is not None:
            with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
        self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def _mid_run(records: Records, code: str) -> dict[str, Any]:
    """Wait until at least one page is read and the dossier is not finished."""
    status = records.wait(code, lambda s: s["pages_done"] >= 1 or s["state"] in ("done", "failed"),
                          timeout_s=120)
    assert status["state"] == "processing", f"finished before the fault could hit: {status}"
    return status


def test_worker_killed_mid_dossier(tmp_path: Path, postgres: PostgresServer, seaweedfs: Any,  # noqa: F811
                                   redis_server: RedisServer) -> None:  # noqa: F811
    env = server_env(tmp_path, postgres, seaweedfs, redis_server)
    workers = WorkerGroup(env, processes=1, log=tmp_path / "worker.log").start()
    records = Records(env)
    try:
        code = submit(env, sample("ket-hon"), "1.000894")
        _mid_run(records, code)
        workers.kill()
        assert records.status(code)["state"] == "processing"  # type: ignore[index]
        workers = WorkerGroup(env, processes=1, log=tmp_path / "worker.log").start()
        status = records.wait_final(code)
    finally:
        workers.stop()
    assert status["state"] == "done", status
    assert_one_clean_set(records, PAGES)
    records.close()


def test_redis_restarts_mid_dossier(tmp_path: Path, postgres: PostgresServer, seaweedfs: Any,  # noqa: F811
                                    redis_server: RedisServer) -> None:  # noqa: F811
    env = server_env(tmp_path, postgres, seaweedfs, redis_server)
    workers = WorkerGroup(env, processes=1, log=tmp_path / "worker.log").start()
    records = Records(env)
    try:
        code = submit(env, sample("ket-hon"), "1.000894")
        _mid_run(records, code)
        redis_server.restart(down_s=2.0, kill=True)
        status = records.wait_final(code)
    finally:
        workers.stop()
    assert status["state"] == "done", status
    assert_one_clean_set(records, PAGES)
    records.close()


def test_object_store_down_for_a_while(tmp_path: Path, postgres: PostgresServer,  # noqa: F811
                                       seaweedfs: Any, redis_server: RedisServer) -> None:  # noqa: F811
    gate = PortGate(("127.0.0.1", seaweedfs.s3_port))
    gate.open()
    bucket = seaweedfs.new_bucket()
    via_gate = seaweedfs.url(bucket).replace(f":{seaweedfs.s3_port}/", f":{gate.port}/")
    env = server_env(tmp_path, postgres, seaweedfs, redis_server, storage_url=via_gate)
    workers = WorkerGroup(env, processes=1, log=tmp_path / "worker.log").start()
    records = Records({**env, "DOSSIER_STORAGE_URL": seaweedfs.url(bucket)})
    try:
        code = submit(env, sample("ket-hon"), "1.000894")
        _mid_run(records, code)
        gate.close()
        time.sleep(20.0)  # longer than the S3 client's and the store's own retries
        assert records.status(code)["state"] == "processing"  # type: ignore[index]
        gate.open()
        status = records.wait_final(code)
    finally:
        workers.stop()
        gate.close()
    assert status["state"] == "done", status
    assert_one_clean_set(records, PAGES)
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "StorageUnavailable" in log  # the dramatiq retry path really ran
    records.close()
