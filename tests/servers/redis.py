"""Run a real redis-server (Debian's) on loopback for tests and benchmarks.

Persistence is on (append-only file, fsync on every write) so that a restart,
even after SIGKILL, brings back every queued message: the fault tests rely on
it the way a production Redis for dramatiq should be configured.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
REDIS_SERVER = "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0, **options: object) -> str:
        """``redis://`` URL; ``options`` become query parameters (e.g. heartbeat_timeout_ms)."""
        query = "&".join(f"{k}={v}" for k, v in options.items())
        return f"redis://{HOST}:{self.port}/{db}" + (f"?{query}" if query else "")

    def start(self, timeout_s: float = 20.0) -> None:
        """Start (or start again) on the same port and data folder."""
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - written until stop()
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--bind", HOST, "--port", str(self.port), "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--protected-mode", "no", "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited at start:\n{self.log_tail()}")
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not become ready in time")

    def ping(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL) and wait; the data folder stays for a restart."""
        if self.process is not None and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def restart(self, down_s: float = 0.0, kill: bool = False) -> None:
        """Stop, stay down ``down_s`` seconds, start again with the persisted data."""
        self.stop(kill=kill)
        time.sleep(down_s)
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        log = self.folder / "redis.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_redis() -> RedisServer:
    server = RedisServer(Path(tempfile.mkdtemp(prefix="hoso-redis-")), _free_port())
    server.start()
    return server


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    server = start_redis()
    try:
        yield server
    finally:
        server.remove()
