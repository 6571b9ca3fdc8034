"""What every desk command needs: the agency code, a known procedure, the store and the database.

One place, so `process`, `submit` and `search` agree on defaults and on the
one-line errors they print.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from storage import ObjectStore

DEFAULT_AGENCY = "000.00.00.H00"


def agency_code() -> str:
    """`DOSSIER_AGENCY_CODE`, or the embedded default."""
    return os.environ.get("DOSSIER_AGENCY_CODE") or DEFAULT_AGENCY


def procedure_known(code: str | None) -> bool:
    """True for no code or a catalogued one; otherwise print the one-line error."""
    from models.catalog import load_catalog

    if code is None or code in load_catalog().procedures:
        return True
    print(f"dossier: --procedure {code}: not in the catalogue", file=sys.stderr)
    return False


def open_backends() -> tuple[ObjectStore, Engine, sessionmaker[Session]] | None:
    """The configured object store and records database, or None after printing why not."""
    from models.database import open_database
    from storage import StorageError, open_store

    try:
        store = open_store()
        engine, sessions = open_database()
    except StorageError as exc:
        print(f"dossier: storage: {exc}", file=sys.stderr)
        return None
    return store, engine, sessions
