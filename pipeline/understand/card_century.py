"""The century of a birth date read from a card's MRZ (YYMMDD) when nothing printed gives it.

Why: the MRZ's birth date passes its check digit more often than the printed one
survives a phone photo, but it carries two digits of the year. The card number's
fourth digit or the printed year usually give the century; when both are lost, the
law and the calendar still may: a holder is born neither in the future nor more than
120 years ago, and a card runs exactly to its holder's 14th/25th/40th/60th birthday,
so an expiry that passed its own check digit fits only one century.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

__all__ = ["birth_century"]

OLDEST_HOLDER_YEARS = 120


def _iso(century: int, yymmdd: str) -> str | None:
    try:
        return date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])).isoformat()
    except ValueError:
        return None


def birth_century(yymmdd: str, expiry: str | None, milestones: Callable[[str], set[str]],
                  today: date | None = None) -> int | None:
    """1900 or 2000 when only one century fits the calendar (or, failing that, the
    check-digit-valid ``expiry``); None when both still fit."""
    today = today or date.today()
    alive = [c for c in (1900, 2000) if (iso := _iso(c, yymmdd)) is not None
             and iso <= today.isoformat() and today.year - (c + int(yymmdd[:2]))
             <= OLDEST_HOLDER_YEARS]
    if len(alive) == 1:
        return alive[0]
    if expiry is None:
        return None
    fits = [c for c in alive if expiry in milestones(_iso(c, yymmdd) or "")]
    return fits[0] if len(fits) == 1 else None
