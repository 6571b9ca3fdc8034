"""A card's expiry date from damaged evidence, tested against the dates it can be.

A chip card runs exactly to its holder's 14th, 25th, 40th or 60th birthday (Luật Căn
cước), and never ends before it was issued. That short list of possible dates lets two
kinds of damaged reading be trusted when exactly one possible date fits them:

* the printed date with its year cut by the photo's edge or OCR ('27/04/20'): its day
  and month, and the year's first digits;
* the MRZ's expiry whose check digit failed: a possible date one digit away from what
  was read *and* whose own check digit is the one read (a single slip in six digits),
  or two digits away when both slips are the OCR-B loop confusions 0/6/8/9.

Anything ambiguous gives None: an empty field is reviewed, a wrong one is believed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.understand.mrz import check_digit, expiry_as_read, expiry_digits_as_read

__all__ = ["expiry_from_blurred_date", "expiry_from_cut_date", "expiry_from_mrz_digits",
           "expiry_from_mrz_slip", "expiry_from_printed_slip"]

# A day and month, then a year of at most three digits that stops there (the rest lost).
_CUT_DATE = re.compile(
    r"(?<![\d/])(?P<d>[0-3]\d)\s?[/.\-]\s?(?P<m>[01]\d)\s?[/.\-]\s?(?P<y>[12]\d{0,2})(?!\d)")


def _possible(milestones: Iterable[str], issued: str | None) -> list[str]:
    return sorted(m for m in milestones if issued is None or m > issued)


def expiry_from_cut_date(texts: Iterable[str], milestones: Iterable[str],
                         issued: str | None) -> tuple[str, int] | None:
    """(ISO expiry, index of the text) from a printed date whose year was cut short."""
    possible = _possible(milestones, issued)
    hits: dict[str, int] = {}
    for i, text in enumerate(texts):
        for m in _CUT_DATE.finditer(text):
            for iso in possible:
                if iso[8:] == m.group("d") and iso[5:7] == m.group("m") and iso.startswith(
                        m.group("y")):
                    hits.setdefault(iso, i)
    return next(iter(hits.items())) if len(hits) == 1 else None


def _yymmdd(iso: str) -> str:
    return iso[2:4] + iso[5:7] + iso[8:10]


def expiry_from_mrz_slip(texts: list[str], milestones: Iterable[str],
                         issued: str | None) -> tuple[str, int] | None:
    """(ISO expiry the MRZ meant when one of its six digits was misread, index of the line)."""
    read = expiry_as_read(texts)
    if read is None:
        return None
    digits, check, line = read
    hits = [iso for iso in _possible(milestones, issued)
            if _slips_allowed(_yymmdd(iso), digits) and check_digit(_yymmdd(iso)) == check]
    return (hits[0], line) if len(hits) == 1 else None


# Digits the OCR-B font's closed loops make OCR confuse ('380303' read '386363').
_LOOPED = frozenset("0689")


def _slips_allowed(meant: str, read: str) -> bool:
    """One digit misread anywhere, or two when both are loop confusions (0/6/8/9): the
    MRZ of a phone photo fills or opens a zero's loop twice as easily as it slips once."""
    slips = [(a, b) for a, b in zip(meant, read, strict=True) if a != b]
    return len(slips) <= 1 or (len(slips) == 2 and all(
        a in _LOOPED and b in _LOOPED for a, b in slips))


# A day and month, then a year whose first three digits read and whatever OCR made of the
# rest ('D3/02/203677'): 'D', 'O' and 'Q' for a zero as in any printed date.
_BLURRED_DATE = re.compile(
    r"(?<![\d/])(?P<d>[0-3ODQ]\d)\s?[/.\-]\s?(?P<m>[01ODQ]\d)\s?[/.\-]\s?(?P<y>2\d\d)")
_ZERO = str.maketrans("ODQ", "000")


def expiry_from_blurred_date(texts: Iterable[str],
                             possible: Iterable[str]) -> tuple[str, int] | None:
    """(ISO expiry, index of the text) when the holder's birth and the issue date leave
    one possible expiry and a printed date has its day, month and the year's first three
    digits; the last digit, lost or misread, is then the only thing the law leaves open.

    Give ``possible`` only when narrowed by the issue date; with more than one date: None.
    """
    dates = list(possible)
    if len(dates) != 1:
        return None
    iso = dates[0]
    for i, text in enumerate(texts):
        for m in _BLURRED_DATE.finditer(text):
            if (m.group("d").translate(_ZERO), m.group("m").translate(_ZERO)) == (
                    iso[8:], iso[5:7]) and iso.startswith(m.group("y")):
                return iso, i
    return None


def _only(possible: Iterable[str]) -> str | None:
    dates = list(possible)
    return dates[0] if len(dates) == 1 else None


def expiry_from_mrz_digits(texts: list[str], possible: Iterable[str]) -> tuple[str, int] | None:
    """(ISO expiry, index of the line) when birth and issue date leave one possible expiry
    and the MRZ's six expiry digits are exactly that date, though its check digit or the
    nationality after it came out garbled: two independent readings agree.

    Give ``possible`` only when narrowed by the issue date; with more than one date: None.
    """
    iso = _only(possible)
    read = expiry_digits_as_read(texts)
    if iso is None or read is None or read[0] != _yymmdd(iso):
        return None
    return iso, read[1]


_FULL_DATE = re.compile(r"(?<!\d)(?P<d>\d\d)\s?[/.\-]\s?(?P<m>\d\d)\s?[/.\-]\s?(?P<y>\d{4})(?!\d)")


def expiry_from_printed_slip(texts: Iterable[str],
                             possible: Iterable[str]) -> tuple[str, int] | None:
    """(ISO expiry, index of the text) when birth and issue date leave one possible expiry
    and a printed date is that date with one digit misread ('23/02/2943' for 2043), its
    day and month being the holder's birthday. For review: the digit is the law's, not
    the card's.

    Give ``possible`` only when narrowed by the issue date; with more than one date: None.
    """
    iso = _only(possible)
    if iso is None:
        return None
    want = iso[8:] + iso[5:7] + iso[:4]
    for i, text in enumerate(texts):
        for m in _FULL_DATE.finditer(text):
            got = m.group("d") + m.group("m") + m.group("y")
            if got[:4] == want[:4] and sum(a != b for a, b in zip(got, want, strict=True)) == 1:
                return iso, i
    return None
