"""A card holder's birth date from an MRZ whose birth check digit failed.

On a poor photocopy the printed birth date can be lost ('08/16/1990') while the MRZ
keeps it with one of its six digits slipped. A slip alone cannot be undone: several
one-digit changes may pass the check digit. Two other readings on the same card,
independent of the slipped digits, settle it:

* the 12-digit number carries the century (its fourth digit) and the year's last two
  digits (fifth and sixth);
* the MRZ expiry, whose own check digit held, falls on the holder's 14th, 25th, 40th
  or 60th birthday: it gives the month and day, and a year 14/25/40/60 years later.

A birth date is returned only when exactly one one-digit change of what was read
passes the check digit and agrees with both; otherwise None (left for review).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from pipeline.understand.mrz import birth_as_read, check_digit

__all__ = ["birth_from_mrz_slip"]


def _one_digit_changes(digits: str) -> list[str]:
    return [digits[:i] + d + digits[i + 1:] for i, old in enumerate(digits)
            for d in "0123456789" if d != old]


def _iso(century: int, yymmdd: str) -> str | None:
    try:
        return date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])).isoformat()
    except ValueError:
        return None


def birth_from_mrz_slip(lines: list[str], number: str | None, expiry: str | None,
                        milestones: Callable[[str], set[str]]) -> tuple[str, int] | None:
    """(ISO birth date, index of the MRZ line), or None unless one reading fits.

    ``expiry`` must be a check-digit-valid expiry; ``milestones(born)`` the dates a card
    of someone born on ``born`` can run to.
    """
    read = birth_as_read(lines)
    if read is None or expiry is None or number is None:
        return None
    if not re.fullmatch(r"\d{12}", number) or number[3] not in "012345":
        return None
    century = 1900 + 100 * (int(number[3]) // 2)
    digits, check, line = read
    if check_digit(digits) == check:  # not a slip: read_mrz would have taken it
        return None
    fits = {iso for cand in _one_digit_changes(digits)
            if check_digit(cand) == check and cand[:2] == number[4:6]
            and (iso := _iso(century, cand)) is not None and expiry in milestones(iso)}
    return (fits.pop(), line) if len(fits) == 1 else None
