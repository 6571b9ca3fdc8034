"""Engine and sessions for the records database, and schema upgrades on start.

``DOSSIER_DATABASE_URL`` picks the database; without it the embedded default is
``sqlite:///$DOSSIER_HOME/hoso.sqlite3`` (``DOSSIER_HOME`` defaults to ``./data``).

SQLite is tuned for several desk processes sharing one file: WAL (readers never
block the writer), foreign keys on (off by default in SQLite), and a busy
timeout so a second writer waits instead of failing at once. Python's sqlite3
module starts transactions lazily and only before writes, which breaks
SQLAlchemy's transaction model; we take over ``BEGIN`` ourselves (the recipe in
SQLAlchemy's SQLite dialect documentation) and let a caller ask for
``BEGIN IMMEDIATE`` when it is about to write, so the write lock is taken up
front and waited for, instead of a late lock upgrade failing with "database is
locked".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "ENV_DATABASE_URL",
    "begin_write",
    "database_url",
    "make_engine",
    "make_sessionmaker",
    "migrate",
    "open_database",
    "redacted_url",
    "write_session",
]

ENV_DATABASE_URL = "DOSSIER_DATABASE_URL"
ENV_HOME = "DOSSIER_HOME"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "hoso_sqlite_immediate"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The configured URL, or the embedded SQLite file in ``DOSSIER_HOME``."""
    env = os.environ if environ is None else environ
    url = (env.get(ENV_DATABASE_URL) or "").strip()
    if url:
        return url
    home = Path(env.get(ENV_HOME) or "./data").absolute()
    return f"sqlite:///{home / 'hoso.sqlite3'}"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite also create its folder and install the pragmas."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _install_sqlite_hooks(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (results are returned to callers)."""
    return sessionmaker(engine, expire_on_commit=False)


def write_session(factory: sessionmaker[Session]) -> Session:
    """A session whose transaction takes the write lock at once on SQLite.

    Use it for short transactions that will write (allocating a code, recording
    a dossier); on PostgreSQL it is an ordinary session.
    """
    session = factory()
    session.connection(execution_options={_IMMEDIATE: True})
    return session


def begin_write(session: Session) -> None:
    """Start ``session``'s next transaction as a write transaction (no-op if one is open)."""
    if not session.in_transaction():
        session.connection(execution_options={_IMMEDIATE: True})


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision (a no-op when already there).

    Run programmatically at start-up: the connection is handed to Alembic's
    env.py through ``config.attributes`` so it uses our engine and pragmas.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str | None = None) -> tuple[Engine, sessionmaker[Session]]:
    """Engine + session factory for ``url`` (or the configured one), schema upgraded."""
    engine = make_engine(url)
    migrate(engine)
    return engine, make_sessionmaker(engine)


def redacted_url(url: str | None = None) -> str:
    """The database URL with any password hidden, for error messages."""
    return make_url(url or database_url()).render_as_string(hide_password=True)
