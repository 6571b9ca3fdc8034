"""A receiver for hoso's webhooks, for a provincial one-stop system to copy (stdlib only).

    python examples/onestop_receiver.py --port 8787 --secret "$DOSSIER_WEBHOOK_SECRET" \\
        --database events.sqlite3

What a receiver must do, and this one does:

* verify ``X-Hoso-Signature`` (HMAC-SHA256 of ``"<t>." + body`` with the
  shared secret) over the *raw* body, before parsing it; a wrong, missing or
  stale (more than 5 minutes off) signature gets **401** and is not stored;
* store the event under its ``event_id`` once: hoso delivers *at least* once
  (a lost acknowledgement means a resend), so a repeat is acknowledged
  (**200**) and ignored;
* answer 2xx only once the event is safely stored: anything else (or no
  answer within the deliverer's time limit) makes hoso retry later, and hold
  back that dossier's later events until this one is acknowledged.

Events arrive in ``sequence`` order per dossier; here they are kept in a
SQLite table in arrival order. Replace ``store_event`` with a call into your
own system (in the same transaction as the dedup, if you can).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import sqlite3
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOLERANCE_S = 300
MAX_BODY = 1_000_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id     TEXT PRIMARY KEY,
    dossier_code TEXT NOT NULL,
    sequence     INTEGER NOT NULL,
    type         TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (  -- every accepted POST, repeats included
    event_id    TEXT NOT NULL,
    received_at REAL NOT NULL
);
"""


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes, *,
                     tolerance: float = TOLERANCE_S, now: float | None = None) -> bool:
    """True iff ``X-Hoso-Signature`` is a fresh, valid signature of exactly ``body``."""
    value = next((v for k, v in headers.items() if k.lower() == "x-hoso-signature"), "")
    timestamp, candidates = None, []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == "v1" and item:
            candidates.append(item.strip().lower())
    if not secret or timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, c) for c in candidates)


class EventStore:
    """Events by id in SQLite; ``store_event`` says whether the event was new."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")  # one fsync per event, still durable
        self._db.execute("PRAGMA synchronous = FULL")  # acknowledged means on disk
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def store_event(self, event: Mapping[str, Any], body: bytes) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                now = time.time()
                self._db.execute("INSERT INTO deliveries VALUES (?, ?)", (event["event_id"], now))
                new = self._db.execute(
                    "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?)",
                    (event["event_id"], event["dossier_code"], int(event["sequence"]),
                     event["type"], body.decode("utf-8"), now)).rowcount == 1
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return new

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM events ORDER BY rowid").fetchall()
        return [json.loads(r[0]) for r in rows]

    def delivery_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM deliveries").fetchone()[0])


class ReceiverServer(ThreadingHTTPServer):
    """The HTTP server with its secret and store. ``refuse_with`` set to a status
    (e.g. 503) answers every POST with it: a maintenance window (the tests use it)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], secret: str, store: EventStore) -> None:
        super().__init__(address, Handler)
        self.secret, self.store = secret, store
        self.refuse_with: int | None = None


class Handler(BaseHTTPRequestHandler):
    server: ReceiverServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return self._answer(400, "body missing or too large")
        body = self.rfile.read(length)
        if self.server.refuse_with is not None:
            return self._answer(self.server.refuse_with, "temporarily unavailable")
        if not verify_signature(self.server.secret, dict(self.headers.items()), body):
            return self._answer(401, "bad signature")
        try:
            event = json.loads(body)
            if self.headers.get("X-Hoso-Event-Id") != event["event_id"]:
                return self._answer(400, "event id header and body disagree")
            new = self.server.store.store_event(event, body)
        except (ValueError, KeyError, TypeError):
            return self._answer(400, "not a hoso event")
        self._answer(200, "stored" if new else "duplicate")

    def _answer(self, status: int, message: str) -> None:
        data = json.dumps({"status": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        pass


def make_server(host: str, port: int, secret: str, database: str) -> ReceiverServer:
    return ReceiverServer((host, port), secret, EventStore(database))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--secret", required=True, help="the same as DOSSIER_WEBHOOK_SECRET")
    parser.add_argument("--database", default="onestop_events.sqlite3")
    args = parser.parse_args()
    server = make_server(args.host, args.port, args.secret, args.database)
    print(f"listening on http://{args.host}:{server.server_address[1]}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
