"""How fast the outbox drains to a local receiver (the example), with one and two deliverers.

    .venv/bin/python bench/webhook_delivery.py [--dossiers 100] [--database URL]

Prints events per second; the receiver is examples/onestop_receiver.py on
loopback, so this measures hoso's side (claim, sign, send, record), not a
network.
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import tempfile
import threading
import time
from pathlib import Path

from archive.transactions import in_write_transaction
from models.database import open_database
from models.records import Agency, Dossier
from webhooks.delivery import deliver_due
from webhooks.outbox import add_event
from webhooks.settings import WebhookSettings


def _receiver_module():  # type: ignore[no-untyped-def]
    """examples/ is not a package: load the receiver from its file, as an IT team would."""
    path = Path(__file__).resolve().parent.parent / "examples" / "onestop_receiver.py"
    spec = importlib.util.spec_from_file_location("onestop_receiver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(url: str, dossiers: int, deliverers: int, folder: Path) -> float:
    engine, sessions = open_database(url)

    def fill(s):  # type: ignore[no-untyped-def]
        agency = Agency(code=f"B{time.monotonic_ns()}"[:40], name="")
        s.add(agency)
        s.flush()
        for i in range(dossiers):
            d = Dossier(code=f"{agency.code}-{i:04d}", agency_id=agency.id, status="received")
            s.add(d)
            add_event(s, d, "received")
            add_event(s, d, "failed", {"reason": "x"})
            add_event(s, d, "returned", {"decision": {"decision": "refuse"}})

    with sessions() as session:
        in_write_transaction(session, fill)
    port = _port()
    server = _receiver_module().make_server("127.0.0.1", port, "s",
                                            str(folder / f"r{port}.sqlite3"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = WebhookSettings(url=f"http://127.0.0.1:{port}/", secret="s")
    started = time.perf_counter()
    threads = [threading.Thread(target=deliver_due, args=(sessions, settings))
               for _ in range(deliverers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert server.store.delivery_count() == 3 * dossiers, server.store.delivery_count()
    server.shutdown()
    engine.dispose()
    return 3 * dossiers / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for deliverers in (1, 2):
            url = args.database or f"sqlite:///{folder / f'b{deliverers}.sqlite3'}"
            rate = run(url, args.dossiers, deliverers, folder)
            print(f"{deliverers} deliverer(s), {3 * args.dossiers} events: {rate:.0f} events/s")


if __name__ == "__main__":
    main()
