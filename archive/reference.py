"""Reference rows every dossier points at: its agency and its procedure.

Both are created on first use with race-safe upserts, so two desks receiving
their first dossier at the same moment do not trip over each other.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.catalog import Catalog, load_catalog
from models.catalog import Procedure as CatalogProcedure
from models.records import Agency, Procedure

__all__ = ["UnknownProcedure", "ensure_agency", "procedure_row", "sync_procedures"]


class UnknownProcedure(LookupError):
    """The procedure code is neither in the database nor in the catalogue."""


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def ensure_agency(session: Session, code: str, name: str = "") -> Agency:
    """The agency row for ``code``, inserted if missing (in the caller's transaction)."""
    found = session.scalars(select(Agency).where(Agency.code == code)).one_or_none()
    if found is not None:
        return found
    statement = _insert(session)(Agency).values(code=code, name=name or code)
    session.execute(statement.on_conflict_do_nothing(index_elements=[Agency.code]))
    return session.scalars(select(Agency).where(Agency.code == code)).one()


def sync_procedures(session: Session, catalog: Catalog | None = None,
                    on: date | None = None) -> int:
    """Insert or update one row per catalogue procedure; returns how many were written.

    ``version_effective_from`` is the start of the version in force ``on`` that
    day (default: the latest version), so a record says which rules applied.
    """
    catalog = catalog or load_catalog()
    count = 0
    for proc in catalog.procedures.values():
        _upsert_procedure(session, proc.code, proc.name, proc.domain,
                          _effective_from(proc, on))
        count += 1
    return count


def procedure_row(session: Session, code: str, catalog: Catalog | None = None) -> Procedure:
    """The row for procedure ``code``, taken from the catalogue if not yet in the database."""
    found = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if found is not None:
        return found
    catalog = catalog or load_catalog()
    try:
        proc = catalog.procedure(code)
    except KeyError as exc:
        raise UnknownProcedure(str(exc.args[0])) from None
    _upsert_procedure(session, proc.code, proc.name, proc.domain, _effective_from(proc, None))
    return session.scalars(select(Procedure).where(Procedure.code == code)).one()


def _effective_from(proc: CatalogProcedure, on: date | None) -> date:
    return (proc.version_on(on) if on is not None else proc.current).effective_from


def _upsert_procedure(session: Session, code: str, name: str, domain: str,
                      effective_from: date) -> None:
    values = {"code": code, "name": name, "domain": domain,
              "version_effective_from": effective_from}
    statement = _insert(session)(Procedure).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[Procedure.code],
        set_={k: v for k, v in values.items() if k != "code"},
    ))
