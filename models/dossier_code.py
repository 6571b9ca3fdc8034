"""Dossier codes of Circular 01/2018/TT-VPCP: ``<agency code>-YYMMDD-NNNN``.

``NNNN`` counts the dossiers an agency received that day, from 0001. The number
comes from a counter row per (agency, day) bumped with one atomic upsert
(``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``) in the caller's
transaction: the row lock serialises concurrent desks, and the unique
constraint on ``dossiers.code`` is the last line of defence. No number is ever
held in Python between transactions.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import NamedTuple

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.records import DossierCounter

__all__ = [
    "VIETNAM_TZ",
    "DossierCode",
    "allocate_code",
    "format_code",
    "local_day",
    "next_number",
    "parse_code",
]

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
"""Indochina Time, no daylight saving: the day in a code is the desk's local day."""

_CODE_RE = re.compile(r"(?P<agency>[A-Za-z0-9][A-Za-z0-9.]*)-(?P<date>\d{6})-(?P<number>\d{4,})")


class DossierCode(NamedTuple):
    agency_code: str
    day: date
    number: int

    def __str__(self) -> str:
        return format_code(self.agency_code, self.day, self.number)


def local_day(moment: datetime | None = None) -> date:
    """The calendar day in Vietnam at ``moment`` (default: now)."""
    return (moment or datetime.now(UTC)).astimezone(VIETNAM_TZ).date()


def format_code(agency_code: str, day: date, number: int) -> str:
    """``000.00.00.H26-261125-0001``; numbers past 9999 simply get more digits."""
    if number < 1:
        raise ValueError(f"dossier number must be >= 1, got {number}")
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def parse_code(code: str) -> DossierCode:
    """Split a dossier code; ValueError naming the code if it is not one."""
    match = _CODE_RE.fullmatch(code)
    if match is None:
        raise ValueError(f"{code!r} is not a dossier code (<agency>-YYMMDD-NNNN)")
    try:
        day = datetime.strptime(match["date"], "%y%m%d").date()
    except ValueError:
        raise ValueError(f"{code!r}: {match['date']} is not a date (YYMMDD)") from None
    return DossierCode(match["agency"], day, int(match["number"]))


def next_number(session: Session, agency_code: str, day: date) -> int:
    """Bump and return the (agency, day) counter inside ``session``'s transaction.

    The number is only taken for good when the transaction commits; until then
    other transactions wait on the counter row.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(f"dossier codes need SQLite or PostgreSQL, not {dialect}")
    table = DossierCounter.__table__
    statement = (
        insert(table)
        .values(agency_code=agency_code, day=day, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.agency_code, table.c.day],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return int(session.execute(statement).scalar_one())


def allocate_code(session: Session, agency_code: str, day: date | None = None) -> str:
    """A new dossier code for ``agency_code`` on ``day`` (default: today in Vietnam)."""
    day = day or local_day()
    return format_code(agency_code, day, next_number(session, agency_code, day))
