"""Outgoing webhooks: outbox written with the state change, delivered signed, in order, once.

The receiver is the project's own example (examples/onestop_receiver.py), run
for real on a loopback port: in this process where the test must switch it
down and up, and as its own process for the command line. Dossiers are small
records made with ``archive.receive`` / ``archive.keep`` (no OCR), so the
whole module runs in seconds.
"""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from archive import keep, receive
from archive.transactions import in_write_transaction
from examples.onestop_receiver import ReceiverServer, make_server
from models.catalog import Catalog, load_catalog
from models.database import open_database
from models.records import Dossier, OutboxEvent
from storage import LocalStore
from tests.test_records import AGENCY, shared_postgres
from webapp.accounts import User
from webapp.dossiers import Decision, decide
from webhooks.delivery import backoff_s, deliver_due
from webhooks.events import body_bytes
from webhooks.outbox import add_event, emit_failed
from webhooks.settings import WebhookSettings
from webhooks.signature import signature_headers, verify_signature
from workdays import load_calendar

SECRET = "bí-mật-chung-của-tỉnh"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_configured_receiver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the deliveries a test starts itself: no background thread from the environment."""
    monkeypatch.delenv("DOSSIER_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("DOSSIER_WEBHOOK_SECRET", raising=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(port: int, secret: str = SECRET) -> WebhookSettings:
    return WebhookSettings(url=f"http://127.0.0.1:{port}/hoso", secret=secret, timeout_s=2.0,
                           backoff_min_s=0.05, backoff_max_s=0.2, lease_s=30.0)


class Receiver:
    """The example receiver on a thread, started and stopped by the test."""

    def __init__(self, port: int, database: Path) -> None:
        self.port, self.database = port, database
        self.server: ReceiverServer | None = None

    def start(self) -> ReceiverServer:
        self.server = make_server("127.0.0.1", self.port, SECRET, str(self.database))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    got = Receiver(_free_port(), tmp_path / "onestop.sqlite3")
    try:
        yield got
    finally:
        got.stop()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'hoso.sqlite3'}")
    try:
        yield engine, sessions
    finally:
        engine.dispose()


def _dossier(sessions: sessionmaker[Session], store: LocalStore, folder: Path,
             procedure: str | None = "1.001193") -> Dossier:
    """A received dossier (event ``received``) from one small file."""
    path = folder / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(b"%PDF-1.4 " + uuid.uuid4().bytes)
    with sessions() as session:
        return receive([path], AGENCY, procedure, store, session).dossier


def _process(sessions: sessionmaker[Session], store: LocalStore, dossier: Dossier,
             missing: list[str]) -> None:
    """Keep a verdict (events ``processed`` + ``complete``/``incomplete``), no OCR."""
    result = {"dossier_code": dossier.code, "procedure": "1.001193", "documents": [
        {"type": "to_khai_khai_sinh", "pages": [0], "confidence": 0.9, "fields": {}}],
        "completeness": {"complete": not missing, "missing": missing, "problems": []}}
    with sessions() as session:
        keep(session, store, session.merge(dossier), [], status="done", result=result,
             catalog=_catalog())


@functools.cache
def _catalog() -> Catalog:
    return load_catalog()


def _outbox(sessions: sessionmaker[Session]) -> list[OutboxEvent]:
    with sessions() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def _officer() -> User:
    return User(id=7, username="can.bo", full_name="Cán bộ Một cửa", password_hash="x",
                role="supervisor", agency_code=AGENCY)


def _decide(sessions: sessionmaker[Session], dossier: Dossier, kind: str, reason: str) -> None:
    catalog, calendar = _catalog(), load_calendar()
    with sessions() as session:
        in_write_transaction(session, lambda s: decide(
            s, s.get(Dossier, dossier.id), _officer(), Decision(kind, reason), catalog,
            calendar))


# ----------------------------------------------------------------------------- signatures


def test_signature_accepts_the_exact_body_only_and_refuses_stale_ones() -> None:
    body = body_bytes({"event_id": "e1", "dossier_code": "000.00.00.H26-261126-0001",
                       "type": "received", "agency_code": "Ủy ban"})
    headers = signature_headers(SECRET, body, "e1", "received", timestamp=1_764_124_800)
    now = 1_764_124_800 + 10
    assert verify_signature(SECRET, headers, body, now=now)
    assert not verify_signature(SECRET, headers, body.replace(b"0001", b"0002"), now=now)
    assert not verify_signature("another secret", headers, body, now=now)
    assert not verify_signature(SECRET, headers, body, now=now + 3600)  # replayed an hour later
    assert not verify_signature(SECRET, {}, body, now=now)
    assert not verify_signature(SECRET, {"X-Hoso-Signature": "t=abc,v1="}, body, now=now)
    # rotation: a second v1 value (the new secret's) is accepted alongside the old one
    rotated = {"x-hoso-signature": headers["X-Hoso-Signature"] + ",v1=" + "0" * 64}
    assert verify_signature(SECRET, rotated, body, now=now)


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    settings = WebhookSettings(url="http://x", secret="s", backoff_min_s=2, backoff_max_s=60)
    for attempts, nominal in ((1, 2), (2, 4), (3, 8), (10, 60), (40, 60)):
        waits = [backoff_s(attempts, settings) for _ in range(50)]
        assert all(nominal / 2 <= w <= nominal for w in waits)
        assert max(waits) - min(waits) > 0  # jittered, so desks do not retry in lockstep


def test_settings_refuse_a_url_without_secret() -> None:
    assert not WebhookSettings.from_env({}).enabled
    with pytest.raises(ValueError, match="DOSSIER_WEBHOOK_SECRET"):
        WebhookSettings.from_env({"DOSSIER_WEBHOOK_URL": "https://motcua.example.vn/hook"})
    with pytest.raises(ValueError, match="http"):
        WebhookSettings.from_env({"DOSSIER_WEBHOOK_URL": "ftp://x", "DOSSIER_WEBHOOK_SECRET": "s"})


def test_example_receiver_process_rejects_wrong_signature_and_dedups(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "onestop_receiver.py"), "--port", str(port),
         "--secret", SECRET, "--database", str(tmp_path / "events.sqlite3")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None and b"listening" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/"
        event = {"event_id": str(uuid.uuid4()), "type": "received", "sequence": 1,
                 "dossier_code": "000.00.00.H26-261126-0001", "version": 1}
        body = body_bytes(event)
        good = signature_headers(SECRET, body, event["event_id"], "received")
        wrong = signature_headers("not the secret", body, event["event_id"], "received")
        stale = signature_headers(SECRET, body, event["event_id"], "received",
                                  timestamp=int(time.time()) - 3600)
        with httpx.Client(timeout=5) as client:
            assert client.post(url, content=body, headers=wrong).status_code == 401
            assert client.post(url, content=body, headers=stale).status_code == 401
            tampered = body.replace(b"0001", b"0009")
            assert client.post(url, content=tampered, headers=good).status_code == 401
            assert client.post(url, content=body, headers=good).json() == {"status": "stored"}
            again = client.post(url, content=body, headers=good)
            assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    finally:
        proc.terminate()
        proc.wait(10)
    from examples.onestop_receiver import EventStore

    stored = EventStore(str(tmp_path / "events.sqlite3"))
    assert [e["event_id"] for e in stored.events()] == [event["event_id"]]


# ----------------------------------------------------------------------------- outbox


def test_event_is_written_with_the_change_or_not_at_all(
        sqlite_db: tuple[Engine, sessionmaker[Session]], tmp_path: Path) -> None:
    _, sessions = sqlite_db
    store = LocalStore(tmp_path / "objects")
    dossier = _dossier(sessions, store, tmp_path)
    assert [e.event_type for e in _outbox(sessions)] == ["received"]

    class Boom(Exception):
        pass

    def change_then_fail(s: Session) -> None:
        row = s.get(Dossier, dossier.id)
        row.status = "failed"
        emit_failed(s, row, "máy quét hỏng")
        raise Boom

    with sessions() as session, pytest.raises(Boom):
        in_write_transaction(session, change_then_fail)
    with sessions() as session:
        assert session.get(Dossier, dossier.id).status == "received"
    assert [e.event_type for e in _outbox(sessions)] == ["received"]  # rolled back together


def test_redelivered_changes_record_one_event_each(
        sqlite_db: tuple[Engine, sessionmaker[Session]], tmp_path: Path) -> None:
    _, sessions = sqlite_db
    store = LocalStore(tmp_path / "objects")
    dossier = _dossier(sessions, store, tmp_path)
    _process(sessions, store, dossier, ["giay_chung_sinh"])
    _process(sessions, store, dossier, ["giay_chung_sinh"])  # a duplicate publish: same result
    with sessions() as session:
        for _ in range(2):
            in_write_transaction(session, lambda s: emit_failed(
                s, s.get(Dossier, dossier.id), "tệp hỏng"))
    events = _outbox(sessions)
    assert [(e.event_type, e.sequence) for e in events] == [
        ("received", 1), ("processed", 2), ("incomplete", 3), ("failed", 4)]
    verdict = events[2].payload
    assert verdict["completeness"]["missing"] == ["giay_chung_sinh"]
    assert verdict["completeness"]["complete"] is False
    assert verdict["occurred_at"].endswith("+07:00")
    assert verdict["procedure_code"] == "1.001193" and verdict["agency_code"] == AGENCY
    assert verdict["version"] == 1 and verdict["event_id"] == events[2].event_id


def test_officer_decisions_become_accepted_and_returned_events(
        sqlite_db: tuple[Engine, sessionmaker[Session]], tmp_path: Path) -> None:
    _, sessions = sqlite_db
    store = LocalStore(tmp_path / "objects")
    dossier = _dossier(sessions, store, tmp_path)
    _process(sessions, store, dossier, [])
    _decide(sessions, dossier, "accept", "")
    _decide(sessions, dossier, "refuse", "Giấy tờ giả mạo")  # a supervisor changes it
    events = _outbox(sessions)
    assert [e.event_type for e in events] == [
        "received", "processed", "complete", "accepted", "returned"]
    accepted, returned = events[3].payload, events[4].payload
    assert accepted["status"] == "accepted" and accepted["decision"]["decision"] == "accept"
    assert accepted["decision"]["due_at"].endswith("+07:00")
    assert returned["status"] == "refused"
    assert returned["decision"] == {"decision": "refuse", "reason": "Giấy tờ giả mạo"}


# ----------------------------------------------------------------------------- delivery


def _check_received(receiver: Receiver, sessions: sessionmaker[Session]) -> None:
    """Every outbox event arrived exactly once, in sequence order per dossier."""
    assert receiver.server is not None
    got = receiver.server.store.events()
    outbox = _outbox(sessions)
    assert sorted(e["event_id"] for e in got) == sorted(e.event_id for e in outbox)
    assert receiver.server.store.delivery_count() == len(outbox)  # no event sent twice
    by_dossier: dict[str, list[int]] = {}
    for event in got:
        by_dossier.setdefault(event["dossier_code"], []).append(event["sequence"])
    for sequences in by_dossier.values():
        assert sequences == list(range(1, len(sequences) + 1))
    assert all(e.delivered_at is not None for e in outbox)


def test_receiver_down_then_failing_still_gets_every_event_once_in_order(
        sqlite_db: tuple[Engine, sessionmaker[Session]], tmp_path: Path,
        receiver: Receiver) -> None:
    _, sessions = sqlite_db
    store = LocalStore(tmp_path / "objects")
    settings = _settings(receiver.port)
    dossiers = [_dossier(sessions, store, tmp_path) for _ in range(3)]
    report = deliver_due(sessions, settings)  # nobody listening
    assert report.delivered == [] and report.pending == 3
    _process(sessions, store, dossiers[0], [])
    _process(sessions, store, dossiers[1], ["giay_chung_sinh"])
    server = receiver.start()
    server.refuse_with = 500  # up, but failing for a while
    for _ in range(3):
        time.sleep(0.25)
        report = deliver_due(sessions, settings)
        assert report.delivered == []
    assert server.store.events() == []
    with sessions() as session:
        heads = session.scalars(select(OutboxEvent).where(OutboxEvent.attempts > 0)).all()
        assert {e.sequence for e in heads} == {1}  # only each dossier's first event was tried
        assert all("HTTP 500" in (e.last_error or "") for e in heads)
    _decide(sessions, dossiers[0], "accept", "")
    server.refuse_with = None
    deadline = time.monotonic() + 10
    while deliver_due(sessions, settings).pending and time.monotonic() < deadline:
        time.sleep(0.1)
    _check_received(receiver, sessions)
    assert len(server.store.events()) == 3 + 2 + 2 + 1


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_concurrent_deliverers_send_each_event_once(
        database: str, tmp_path: Path, receiver: Receiver) -> None:
    url = (f"sqlite:///{tmp_path / 'hoso.sqlite3'}" if database == "sqlite"
           else shared_postgres().new_database())  # type: ignore[attr-defined]
    engine, sessions = open_database(url)
    try:
        assert "webhook_outbox" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
        store = LocalStore(tmp_path / "objects")
        for i in range(6):
            dossier = _dossier(sessions, store, tmp_path)
            _process(sessions, store, dossier, [] if i % 2 else ["giay_chung_sinh"])
        with sessions() as session:  # more events on one dossier, for a long per-dossier chain
            for n in range(4):
                in_write_transaction(session, lambda s, n=n: add_event(
                    s, s.get(Dossier, dossier.id), "failed", {"reason": f"lần {n}"},
                    key=str(n)))
        receiver.start()
        settings = _settings(receiver.port)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                deliver_due(sessions, settings, batch=3)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors
        deliver_due(sessions, settings)  # what the racing rounds left for a later pass
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 6 * 3 + 4
        _check_received(receiver, sessions)
    finally:
        engine.dispose()


def test_cli_deliver_once_reports_and_exits_by_what_is_left(
        tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    db = tmp_path / "hoso.sqlite3"
    engine, sessions = open_database(f"sqlite:///{db}")
    _dossier(sessions, LocalStore(tmp_path / "objects"), tmp_path)
    engine.dispose()
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DOSSIER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("DOSSIER_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("DOSSIER_WEBHOOK_BACKOFF_MIN_S", "0.1")
    monkeypatch.setenv("DOSSIER_WEBHOOK_URL", f"http://127.0.0.1:{receiver.port}/hoso")
    capsys.readouterr()
    assert main(["webhooks", "deliver", "--json"]) == 1  # nobody listening
    assert json.loads(capsys.readouterr().out)["pending"] == 1
    receiver.start()
    time.sleep(0.2)  # the first retry falls due after at most 0.1 s
    assert main(["webhooks", "deliver", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["delivered"] == 1
    monkeypatch.setenv("DOSSIER_WEBHOOK_URL", "")
    assert main(["webhooks", "deliver"]) == 2
    err = capsys.readouterr().err
    assert "DOSSIER_WEBHOOK_URL" in err and len(err.strip().splitlines()) == 1


def test_embedded_mode_delivers_after_the_commit_and_retries_by_itself(
        sqlite_db: tuple[Engine, sessionmaker[Session]], tmp_path: Path, receiver: Receiver,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from webhooks.notify import wait_idle

    server = receiver.start()
    monkeypatch.setenv("DOSSIER_WEBHOOK_URL", f"http://127.0.0.1:{receiver.port}/hoso")
    monkeypatch.setenv("DOSSIER_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("DOSSIER_WEBHOOK_BACKOFF_MIN_S", "0.2")
    _, sessions = sqlite_db
    store = LocalStore(tmp_path / "objects")
    first = _dossier(sessions, store, tmp_path)
    assert wait_idle(10)
    assert [(e["type"], e["dossier_code"]) for e in server.store.events()] == [
        ("received", first.code)]
    server.refuse_with = 503  # the one-stop system goes down for maintenance
    second = _dossier(sessions, store, tmp_path)
    assert wait_idle(10)
    assert len(server.store.events()) == 1
    server.refuse_with = None  # nobody kicks again: the thread's own retry must send it
    deadline = time.monotonic() + 10
    while len(server.store.events()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e["dossier_code"] for e in server.store.events()] == [first.code, second.code]
    assert wait_idle(10)  # the round that sent it has recorded it
    assert all(e.delivered_at is not None for e in _outbox(sessions))


def test_actor_rearms_itself_while_the_receiver_is_down(
        tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    from dramatiq.common import dq_name

    from workers import actors, webhook_actor
    from workers.resources import context

    db = tmp_path / "hoso.sqlite3"
    monkeypatch.setenv("DOSSIER_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("DOSSIER_STORAGE_URL", (tmp_path / "objects").as_uri())
    context.cache_clear()
    try:
        sessions = context().sessions
        _dossier(sessions, LocalStore(tmp_path / "objects"), tmp_path)
        # configured only now: the commit above must not start this process's own thread
        monkeypatch.setenv("DOSSIER_WEBHOOK_URL", f"http://127.0.0.1:{receiver.port}/hoso")
        monkeypatch.setenv("DOSSIER_WEBHOOK_SECRET", SECRET)
        delayed = actors.broker.queues[dq_name(webhook_actor.QUEUE)]  # type: ignore[attr-defined]
        before = delayed.qsize()
        webhook_actor.deliver_webhooks.fn()  # nobody listening: one retry message, delayed
        assert delayed.qsize() == before + 1
        receiver.start()
        with sessions() as session:  # the retry falls due now rather than in 2.5-5 s
            in_write_transaction(session, lambda s: s.execute(
                OutboxEvent.__table__.update().values(next_attempt_at=OutboxEvent.created_at)))
        webhook_actor.deliver_webhooks.fn()
        assert delayed.qsize() == before + 1  # delivered: nothing left, no new retry armed
        _check_received(receiver, sessions)
    finally:
        context.cache_clear()
        actors.broker.flush_all()  # type: ignore[attr-defined]
