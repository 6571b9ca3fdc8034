"""Run a real PostgreSQL (Debian's) on loopback for tests and benchmarks.

A throw-away cluster is initialised in a temp folder and run as the `postgres`
system user (the server refuses to run as root), on a free port with password
authentication, then removed. `new_database()` gives each test its own
database so tests never see each other's rows.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
USER = "hoso"


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _as_postgres() -> list[str]:
    """Prefix that runs a command as the `postgres` user when we are root."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class PostgresServer:
    folder: Path
    port: int
    password: str
    process: subprocess.Popen[bytes]

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver)."""
        return f"postgresql+psycopg://{USER}:{self.password}@{HOST}:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        env = {**os.environ, "PGPASSWORD": self.password}
        out = subprocess.run(
            [postgres_bin("psql"), "-h", HOST, "-p", str(self.port), "-U", USER, "-d", database,
             "-v", "ON_ERROR_STOP=1", "-Atc", sql],
            env=env, capture_output=True, text=True, check=True,
        )
        return out.stdout

    def log_tail(self, lines: int = 40) -> str:
        log = self.folder / "server.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(timeout_s: float = 60.0) -> PostgresServer:
    folder = Path(tempfile.mkdtemp(prefix="hoso-pg-"))
    data = folder / "data"
    password = secrets.token_urlsafe(16)
    pwfile = folder / "pw"
    pwfile.write_text(password)
    if os.geteuid() == 0:
        uid = pwd.getpwnam("postgres").pw_uid
        gid = pwd.getpwnam("postgres").pw_gid
        os.chown(folder, uid, gid)
        os.chown(pwfile, uid, gid)
    subprocess.run(
        [*_as_postgres(), postgres_bin("initdb"), "-D", str(data), "-U", USER,
         f"--pwfile={pwfile}", "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )
    port = _free_port()
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - the server writes it until stop()
    process = subprocess.Popen(
        [*_as_postgres(), postgres_bin("postgres"), "-D", str(data), "-h", HOST, "-p", str(port),
         "-k", str(folder), "-c", "fsync=off", "-c", "synchronous_commit=off",
         "-c", "full_page_writes=off", "-c", "max_connections=200"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    server = PostgresServer(folder, port, password, process)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = server.log_tail()
            server.stop()
            raise RuntimeError(f"PostgreSQL exited at start:\n{tail}")
        ready = subprocess.run([postgres_bin("pg_isready"), "-h", HOST, "-p", str(port)],
                               capture_output=True)
        if ready.returncode == 0:
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("PostgreSQL did not become ready in time")


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()
