"""The expiry dates a card can print, given its holder's birth date and its issue date.

Luật Căn cước 2023 (Art. 21; Luật Căn cước công dân 2014 before it) makes a card run to
its holder's 14th, 25th, 40th or 60th birthday, and one issued *within two years before*
such a birthday runs on to the next; issued within two years of the 60th, it never
expires. So birth and issue date together leave one possible expiry, not four: a
'09/08/2056' read on a card issued at 27 is a misread 2036, never a 60th birthday.

The law counts in years of age, desks in days: an issue date within ``BOUNDARY_DAYS`` of
the two-year line keeps both neighbouring birthdays possible rather than guess.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["BOUNDARY_DAYS", "MILESTONES", "birthday", "possible_expiries"]

MILESTONES = (14, 25, 40, 60)
RENEW_BEFORE_YEARS = 2
BOUNDARY_DAYS = 45
"""Slack around the two-year line, for a desk that counts it a little differently."""


def birthday(born: date, years: int) -> date:
    """The ``years``-th birthday (born on 29 February: 1 March in a common year)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def possible_expiries(born: str, issued: str | None) -> set[str]:
    """ISO dates the card can run to; every milestone after the issue date when it is
    unknown. Empty when the card cannot expire (issued within two years of the 60th)."""
    b = date.fromisoformat(born)
    if issued is None:
        return {birthday(b, years).isoformat() for years in MILESTONES}
    i = date.fromisoformat(issued)
    slack = timedelta(days=BOUNDARY_DAYS)
    out: set[str] = set()
    for years in MILESTONES:
        end, line = birthday(b, years), birthday(b, years - RENEW_BEFORE_YEARS)
        if i < line + slack and end > i:
            out.add(end.isoformat())
            if i < line - slack:  # clearly before the two-year line: this one, no later
                break
    return out
