"""Records database: schema, migrations, append-only audit trail, dossier codes.

Every test runs twice: on the embedded defaults (SQLite file + local folder)
and on the real servers (PostgreSQL + SeaweedFS), both started by the tests.
The fixtures here (``backend``, ``postgres``) are imported by test_archive.py
and test_fsck.py so the three modules share one PostgreSQL.
"""

from __future__ import annotations

import atexit
import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive.reference import ensure_agency, procedure_row, sync_procedures
from archive.transactions import in_write_transaction
from models.database import database_url, make_engine, migrate, open_database
from models.dossier_code import allocate_code, format_code, local_day, parse_code
from models.records import (
    AuditEntry,
    AuditTrailImmutable,
    CheckResult,
    Document,
    Dossier,
    FieldValue,
    Page,
    Procedure,
    StoredObjectRecord,
)
from storage import LocalStore, ObjectStore, open_store

MIGRATIONS = Path(__file__).resolve().parents[1] / "models" / "migrations" / "versions"

AGENCY = "000.00.00.H26"
BACKENDS = ("embedded", "servers")

# ----------------------------------------------------------------------------- fixtures

_POSTGRES: list[object] = []


def shared_postgres() -> object:
    """One PostgreSQL for the whole run, whichever test module asks first."""
    if not _POSTGRES:
        from tests.servers.postgres import start_postgres

        server = start_postgres()
        atexit.register(server.stop)
        _POSTGRES.append(server)
    return _POSTGRES[0]


@pytest.fixture(scope="session")
def postgres() -> object:
    return shared_postgres()


@dataclass
class Backend:
    """A fresh, migrated database and an empty object store, plus their URLs."""

    name: str
    database_url: str
    store_url: str
    store: ObjectStore
    engine: Engine
    sessions: sessionmaker[Session]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "embedded":
        db_url = f"sqlite:///{tmp_path / 'hoso.sqlite3'}"
        store_url = (tmp_path / "objects").as_uri()
    else:
        db_url = request.getfixturevalue("postgres").new_database()  # type: ignore[attr-defined]
        server = request.getfixturevalue("seaweedfs")
        store_url = server.url(server.new_bucket())
    engine, sessions = open_database(db_url)
    try:
        yield Backend(request.param, db_url, store_url, open_store(store_url), engine, sessions)
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- schema


def test_default_url_is_sqlite_in_dossier_home(tmp_path: Path) -> None:
    assert database_url({"DOSSIER_HOME": str(tmp_path)}) == f"sqlite:///{tmp_path}/hoso.sqlite3"
    assert database_url({"DOSSIER_DATABASE_URL": "postgresql+psycopg://x@h/db"}).startswith(
        "postgresql")
    assert database_url({}).endswith("/data/hoso.sqlite3")


def test_migrate_creates_every_table_and_is_idempotent(backend: Backend) -> None:
    migrate(backend.engine)  # second run: already at head, nothing to do
    tables = set(inspect(backend.engine).get_table_names())
    assert {"agencies", "procedures", "dossiers", "documents", "pages", "fields",
            "check_results", "stored_objects", "audit_log", "dossier_counters",
            "alembic_version"} <= tables
    with backend.engine.connect() as conn:
        head = max(p.name.split("_")[0] for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def _dossier(session: Session, code: str = f"{AGENCY}-261125-0001") -> Dossier:
    agency = ensure_agency(session, AGENCY, "UBND xã Thử")
    dossier = Dossier(code=code, agency_id=agency.id, status="received",
                      received_at=datetime(2026, 11, 25, 2, 30, tzinfo=UTC))
    session.add(dossier)
    session.flush()
    return dossier


def test_records_round_trip(backend: Backend) -> None:
    with backend.sessions() as session:
        assert sync_procedures(session) >= 4
        proc = procedure_row(session, "1.001193")
        dossier = _dossier(session)
        dossier.procedure_id = proc.id
        dossier.applicant_name = "Nguyễn Minh Khang"
        dossier.result = {"complete": False, "missing": ["giay_chung_sinh"]}
        doc = Document(dossier_id=dossier.id, position=0, type_id="to_khai_khai_sinh",
                       first_page=0, page_count=1, confidence=0.97)
        doc.fields = [FieldValue(field_id="ho_ten", value="Nguyễn Minh Khang", confidence=0.91,
                                 source="ocr", page=0, bbox=[10, 20, 300, 60])]
        session.add(doc)
        session.flush()
        session.add_all([
            Page(dossier_id=dossier.id, page_index=0, document_id=doc.id, source="ocr",
                 text="TỜ KHAI ĐĂNG KÝ KHAI SINH", confidence=0.93, rotation=0,
                 skew_degrees=-1.2, dpi=300, blank=False),
            CheckResult(dossier_id=dossier.id, kind="completeness", ok=False,
                        message="thiếu giay_chung_sinh"),
            StoredObjectRecord(dossier_id=dossier.id, key="a/2026/x/original/0.pdf",
                               sha256="0" * 64, size=5_000_000_000, content_type="application/pdf",
                               kind="original", original_name="hồ sơ.pdf"),
        ])
        session.commit()
        dossier_id = dossier.id
    with backend.sessions() as session:
        found = session.get(Dossier, dossier_id)
        assert found is not None and found.procedure is not None
        assert found.procedure.name == "Đăng ký khai sinh"
        assert found.procedure.version_effective_from == date(2016, 1, 1)
        assert found.received_at == datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
        assert found.result == {"complete": False, "missing": ["giay_chung_sinh"]}
        assert found.documents[0].fields[0].bbox == [10, 20, 300, 60]
        assert found.pages[0].text == "TỜ KHAI ĐĂNG KÝ KHAI SINH"
        assert found.objects[0].size == 5_000_000_000  # BigInteger: a 5 GB scan fits
        assert found.agency.name == "UBND xã Thử"


def test_constraints_refuse_bad_rows(backend: Backend) -> None:
    with backend.sessions() as session:
        dossier = _dossier(session)
        session.commit()
        session.add(Page(dossier_id=dossier.id, page_index=0, source="scanner", dpi=300))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        dossier.status = "lost"
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(Dossier(code=dossier.code, agency_id=dossier.agency_id))
        with pytest.raises(IntegrityError):  # codes are unique
            session.commit()


def test_audit_trail_is_append_only_in_the_orm(backend: Backend) -> None:
    with backend.sessions() as session:
        dossier = _dossier(session)
        entry = AuditEntry(actor="cán bộ A", action="dossier.received", dossier_id=dossier.id,
                           details={"files": ["a.pdf"]})
        session.add(entry)
        session.commit()
        entry.action = "rewritten"
        with pytest.raises(AuditTrailImmutable):
            session.flush()
        session.rollback()
        session.delete(entry)
        with pytest.raises(AuditTrailImmutable):
            session.flush()
        session.rollback()
        with pytest.raises(AuditTrailImmutable):
            session.execute(update(AuditEntry).values(action="x"))
        with pytest.raises(AuditTrailImmutable):
            session.execute(delete(AuditEntry))
        session.rollback()
        assert session.scalars(select(AuditEntry.action)).all() == ["dossier.received"]


def test_audit_trail_is_append_only_in_the_database(backend: Backend) -> None:
    with backend.sessions() as session:
        dossier = _dossier(session)
        session.add(AuditEntry(actor="a", action="dossier.received", dossier_id=dossier.id))
        session.commit()
    for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with backend.engine.connect() as conn, pytest.raises(DBAPIError) as err:
            conn.execute(text(sql))
        assert "append-only" in str(err.value)
    if backend.name == "servers":
        with backend.engine.connect() as conn, pytest.raises(DBAPIError):
            conn.execute(text("TRUNCATE audit_log CASCADE"))
    with backend.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1


# ----------------------------------------------------------------------------- dossier codes


def test_code_format_and_parse() -> None:
    code = format_code(AGENCY, date(2026, 11, 25), 1)
    assert code == "000.00.00.H26-261125-0001"
    assert parse_code(code) == (AGENCY, date(2026, 11, 25), 1)
    assert format_code(AGENCY, date(2026, 11, 25), 12345).endswith("-12345")
    assert local_day(datetime(2026, 11, 25, 17, 30, tzinfo=UTC)) == date(2026, 11, 26)
    for bad in ("H26-2611-0001", "000.00.00.H26-261399-0001", "x-261125-1"):
        with pytest.raises(ValueError):
            parse_code(bad)


def test_codes_count_per_agency_and_day(backend: Backend) -> None:
    day, other_day = date(2026, 11, 25), date(2026, 11, 26)
    with backend.sessions() as session:
        def take(agency: str, d: date) -> str:
            return in_write_transaction(session, lambda s: allocate_code(s, agency, d))

        assert [take(AGENCY, day) for _ in range(3)] == [
            f"{AGENCY}-261125-000{i}" for i in (1, 2, 3)]
        assert take(AGENCY, other_day) == f"{AGENCY}-261126-0001"
        assert take("000.00.00.H27", day) == "000.00.00.H27-261125-0001"
        session.begin()
        allocate_code(session, AGENCY, day)
        session.rollback()  # a rolled-back allocation gives its number back
        assert take(AGENCY, day) == f"{AGENCY}-261125-0004"


def _allocate_many(url: str, count: int) -> list[str]:
    """Worker process: ``count`` dossiers, each its own transaction, as a desk would."""
    engine = make_engine(url)
    factory = sessionmaker(engine, expire_on_commit=False)
    codes = []
    with factory() as session:
        def one(s: Session) -> str:
            agency = ensure_agency(s, AGENCY)
            code = allocate_code(s, AGENCY, date(2026, 11, 25))
            s.add(Dossier(code=code, agency_id=agency.id))
            return code

        for _ in range(count):
            codes.append(in_write_transaction(session, one, attempts=20))
    engine.dispose()
    return codes


def test_concurrent_allocation_gives_distinct_consecutive_codes(backend: Backend) -> None:
    """4 processes x 25 dossiers: 100 distinct codes 0001..0100, enforced by the database."""
    backend.engine.dispose()
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(_allocate_many, [(backend.database_url, 25)] * 4)
    codes = [c for batch in results for c in batch]
    assert len(set(codes)) == 100
    assert sorted(codes) == [f"{AGENCY}-261125-{i:04d}" for i in range(1, 101)]
    for batch in results:  # each process saw its own numbers rise
        assert batch == sorted(batch)
    with backend.sessions() as session:
        assert session.scalar(select(Dossier.id).where(Dossier.code.like("%-0100"))) is not None
        assert len(session.scalars(select(Dossier.code)).all()) == 100


def test_procedures_sync_from_catalogue(backend: Backend) -> None:
    with backend.sessions() as session:
        count = sync_procedures(session)
        session.commit()
        assert sync_procedures(session) == count  # upsert: running twice changes nothing
        session.commit()
        codes = set(session.scalars(select(Procedure.code)))
        assert {"1.001193", "1.000894", "1.004873", "1.001612"} <= codes
        assert len(codes) == count


def test_local_store_fixture_is_a_folder(backend: Backend) -> None:
    assert isinstance(backend.store, LocalStore) == (backend.name == "embedded")
