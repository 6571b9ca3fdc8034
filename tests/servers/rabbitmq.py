"""Run a real RabbitMQ (Debian's ``rabbitmq-server``) on loopback for tests and benchmarks.

The node gets its own name, ports and data/log folders under a temporary
directory, so it never touches a system RabbitMQ and several can run at once.
``/usr/lib/rabbitmq/bin/rabbitmq-server`` is started directly: the
``/usr/sbin`` wrapper would switch to the ``rabbitmq`` user, who cannot write
our temporary folder. The default ``guest`` account works on loopback only,
which is all a test needs. Erlang's port mapper (``epmd``) is started by the
node when none runs and, being a shared daemon, outlives it (as it does for
any Erlang program).
"""

from __future__ import annotations

import os
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
RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
START_TIMEOUT_S = 60.0


def available() -> bool:
    """True if Debian's rabbitmq-server is installed."""
    return Path(RABBITMQ_SERVER).exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _amqp_ready(port: int) -> bool:
    """The broker answers the AMQP protocol header with its ``connection.start`` frame."""
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            return sock.recv(1) == b"\x01"  # frame type 1: method (connection.start)
    except OSError:
        return False


@dataclass
class RabbitmqServer:
    folder: Path
    port: int
    node: str
    process: subprocess.Popen[bytes] | None = None
    started_in_s: float = 0.0

    def url(self, vhost: str = "%2F") -> str:
        return f"amqp://guest:guest@{HOST}:{self.port}/{vhost}"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        (self.folder / "etc").mkdir(exist_ok=True)
        (self.folder / "etc" / "rabbitmq.conf").write_text(
            "loopback_users.guest = true\n"
            "disk_free_limit.absolute = 10MB\n"
            "collect_statistics_interval = 60000\n")
        (self.folder / "etc" / "enabled_plugins").write_text("[].\n")
        env.update({
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": HOST,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(_free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_PID_FILE": str(self.folder / "node.pid"),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "etc" / "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "etc" / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.folder / "etc" / "rabbitmq-env.conf"),
            "RABBITMQ_LOGS": str(self.folder / "log" / "node.log"),
            # A small VM: two schedulers are plenty for tests on a shared machine.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "+S 2:2 +A 4",
        })
        return env

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        started = time.monotonic()
        out = open(self.folder / "stdout.log", "ab")  # noqa: SIM115 - written until stop()
        self.process = subprocess.Popen([RABBITMQ_SERVER], env=self._env(), stdout=out,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rabbitmq-server exited at start:\n{self.log_tail()}")
            if _amqp_ready(self.port):
                self.started_in_s = time.monotonic() - started
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"rabbitmq-server not ready after {timeout_s:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM the node (its whole process group) and wait."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, 15)
        except ProcessLookupError:
            return
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        texts = []
        for log in (self.folder / "stdout.log", self.folder / "log" / "node.log"):
            if log.exists():
                texts += log.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(texts)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_rabbitmq() -> RabbitmqServer:
    folder = Path(tempfile.mkdtemp(prefix="hoso-rabbitmq-"))
    server = RabbitmqServer(folder, _free_port(), f"hoso-{uuid.uuid4().hex[:10]}@localhost")
    server.start()
    return server


@contextmanager
def running_rabbitmq() -> Iterator[RabbitmqServer]:
    server = start_rabbitmq()
    try:
        yield server
    finally:
        server.remove()
