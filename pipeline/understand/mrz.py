"""The machine-readable zone (ICAO 9303 TD1) on the back of a chip-based card.

Why read it: on a poor photocopy the QR code is often lost, and OCR slips a digit
of the printed number or dates now and then. The MRZ repeats the number, the birth
date, the sex and the expiry, each guarded by a check digit, so a value read there
that passes its checks is safer than the printed one.

Vietnamese cards write line 1 as ``IDVNM`` + the last 9 digits of the personal
number + check + the 12-digit number + ``<<`` + check, and line 2 as birth YYMMDD +
check, sex, expiry YYMMDD + check, ``VNM``. OCR reads the filler ``<`` as ``<``,
``«``, ``K`` or ``k`` and puts spaces anywhere, so the lines are matched on a
compacted, repaired copy of each line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "MrzData",
    "birth_as_read",
    "check_digit",
    "expiry_as_read",
    "line1_check",
    "number_tail",
    "read_mrz",
    "repaired_number",
    "says_vietnamese",
    "sex_as_read",
]

# What OCR reads in place of digits in a line that is all digits and fillers.
_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1",
                         "S": "5", "B": "8", "Z": "2", "G": "6"})
_LINE1 = re.compile(r"[I1l]{1,2}[D0O]VNM(?P<n9>[0-9ODQIl|SBZG]{9})(?P<c9>\d)"
                    r"(?P<n12>[0-9ODQIl|SBZG]{12})[<«Kk(]{0,3}(?P<c12>\d)?")
# Line 1's start with its document code's 'I' also read 'T' ('TDVNM…'), for the tail only.
_LINE1_START = re.compile(r"[I1lT]{1,2}[D0O]VNM(?P<n9>[0-9ODQIl|SBZG]{9})(?P<c9>\d)")
_LINE2 = re.compile(r"(?P<b>\d{6})(?P<cb>\d)(?P<sex>[MFH])(?P<e>\d{6})(?P<ce>\d)V[NM]M")
# Line 2's end alone, for a line whose birth part OCR garbled ('82932T0F4203212VNM'): the
# sex letter, the expiry and its check digit, the nationality.
_LINE2_END = re.compile(r"[MFH<](?P<e>\d{6})(?P<ce>\d)V[NM]M")
_SEX_END = re.compile(r"(?P<sex>[MF])\d{7}V[NM]M")
# The holder's nationality on line 2 (after sex and expiry, whatever OCR made of them).
_NATIONALITY = re.compile(r"[MFH<]\d{6,8}V?(?P<code>VNM|NM<)")


def check_digit(digits: str) -> int:
    """ICAO 9303 check digit (weights 7, 3, 1) of a run of digits."""
    return sum(int(c) * (7, 3, 1)[i % 3] for i, c in enumerate(digits)) % 10


@dataclass(frozen=True, slots=True)
class MrzData:
    """What passed its check digits; None where a part was unreadable or failed."""

    number: str | None = None
    birth_yymmdd: str | None = None
    sex: str | None = None  # 'Nam' or 'Nữ'
    expiry: str | None = None  # ISO date (cards expire in this century)

    def birth(self, century_hint: int | None) -> str | None:
        """The ISO birth date; the century comes from the caller (the number or the print)."""
        if self.birth_yymmdd is None or century_hint is None:
            return None
        yy, mm, dd = (int(self.birth_yymmdd[i:i + 2]) for i in (0, 2, 4))
        try:
            return date(century_hint + yy, mm, dd).isoformat()
        except ValueError:
            return None


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _number(text: str) -> str | None:
    m = _LINE1.search(text)
    if m is None:
        return None
    n9, n12 = m.group("n9").translate(_DIGITS), m.group("n12").translate(_DIGITS)
    if check_digit(n9) != int(m.group("c9")) or n12[3:] != n9:
        return None
    c12 = m.group("c12")
    if c12 is not None and check_digit(n12) != int(c12):
        return None
    return n12


def _iso(yymmdd: str) -> str | None:
    try:
        return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])).isoformat()
    except ValueError:
        return None


def _expiry_read(text: str) -> tuple[str, int] | None:
    """Line 2's expiry YYMMDD and check digit as read, from the whole line or its end."""
    m = _LINE2.search(text) or _LINE2_END.search(text)
    return (m.group("e"), int(m.group("ce"))) if m is not None else None


def read_mrz(lines: list[str]) -> MrzData | None:
    """The card's MRZ facts that pass their check digits, from the page's OCR lines."""
    number = birth = sex = expiry = None
    for raw in lines:
        text = _compact(raw)
        if number is None:
            number = _number(text)
        digits = text.translate(_DIGITS)
        read = _expiry_read(digits)
        if expiry is None and read is not None and check_digit(read[0]) == read[1]:
            expiry = _iso(read[0])
        m = _LINE2.search(digits)
        if m is None:
            continue
        if birth is None and check_digit(m.group("b")) == int(m.group("cb")):
            birth = m.group("b")
            sex = {"M": "Nam", "F": "Nữ"}.get(m.group("sex"))
    if number is None and birth is None and expiry is None:
        return None
    return MrzData(number, birth, sex, expiry)


def number_tail(lines: list[str]) -> str | None:
    """Line 1's copy of the number's last nine digits when its own check digit holds,
    even if the 12-digit copy after it failed: evidence for a printed number's tail."""
    for raw in lines:
        m = _LINE1_START.search(_compact(raw))
        if m is not None:
            n9 = m.group("n9").translate(_DIGITS)
            if check_digit(n9) == int(m.group("c9")):
                return n9
    return None


def sex_as_read(lines: list[str]) -> str | None:
    """Line 2's sex letter as read ('Nam'/'Nữ'), checked by nothing: only for a caller
    with an independent reading to agree with (the number's fourth digit)."""
    for raw in lines:
        text = _compact(raw).translate(_DIGITS)
        m = _LINE2.search(text) or _SEX_END.search(text)
        if m is not None:
            return {"M": "Nam", "F": "Nữ"}.get(m.group("sex"))
    return None


def says_vietnamese(lines: list[str]) -> bool:
    """Line 2 gives the holder's nationality as VNM (ICAO code of Viet Nam)."""
    return any(_NATIONALITY.search(_compact(raw).translate(_DIGITS)) for raw in lines)


def birth_as_read(lines: list[str]) -> tuple[str, int, int] | None:
    """Line 2's birth YYMMDD and its check digit as OCR read them (even when they
    disagree) and the index of the line; see ``expiry_as_read``."""
    for i, raw in enumerate(lines):
        m = _LINE2.search(_compact(raw).translate(_DIGITS))
        if m is not None:
            return m.group("b"), int(m.group("cb")), i
    return None


# Line 2's expiry where its check digit or nationality came out garbled ('35111369VNM',
# '3704077VN4'): the sex letter before it and the 'V' of VNM after are still there.
_EXPIRY_LOOSE = re.compile(r"[MFH<](?P<e>\d{6})\d{1,2}V")


def expiry_digits_as_read(lines: list[str]) -> tuple[str, int] | None:
    """Line 2's expiry YYMMDD as read, whatever its check digit, and the index of the line:
    only for testing against a date known by other means."""
    for i, raw in enumerate(lines):
        text = _compact(raw).translate(_DIGITS)
        m = _LINE2.search(text) or _LINE2_END.search(text) or _EXPIRY_LOOSE.search(text)
        if m is not None:
            return m.group("e"), i
    return None


def expiry_as_read(lines: list[str]) -> tuple[str, int, int] | None:
    """Line 2's expiry YYMMDD, its check digit as OCR read them (even when they disagree)
    and the index of the line.

    For a caller that has other evidence to test the digits against (a card expires on a
    known birthday); on its own a failed check means nothing can be trusted.
    """
    for i, raw in enumerate(lines):
        read = _expiry_read(_compact(raw).translate(_DIGITS))
        if read is not None:
            return read[0], read[1], i
    return None


def repaired_number(lines: list[str]) -> str | None:
    """Line 1's 12-digit number when its two copies of the last nine digits disagree in
    at most one place and both check digits settle it.

    OCR slips a digit in either copy ('182795995' beside '048182765995'), or reads the
    number's leading zero as another digit. The copies agree everywhere else; the
    nine-digit copy's check digit fixes the one digit it can be (its weights 7, 3, 1 are
    prime to 10), and the 12-digit copy's own check digit, read apart, must then hold
    for the whole number. Without that second check: None.
    """
    for raw in lines:
        m = _LINE1.search(_compact(raw))
        if m is None or m.group("c12") is None:
            continue
        n9, n12 = m.group("n9").translate(_DIGITS), m.group("n12").translate(_DIGITS)
        if not (n9 + n12).isdigit():
            continue
        differ = [i for i in range(9) if n9[i] != n12[3 + i]]
        if len(differ) > 1:
            continue
        # Where the copies disagree the nine-digit check digit picks the one digit it can be.
        fixed = n9 if not differ else next(
            t for d in "0123456789" if check_digit(
                t := n9[:differ[0]] + d + n9[differ[0] + 1:]) == int(m.group("c9")))
        if check_digit(fixed) != int(m.group("c9")):
            continue
        # Every number starts with 0 (province codes run 001–096): a first digit read
        # '6' or '8' is that zero misread.
        number = "0" + n12[1:3] + fixed
        if check_digit(number) == int(m.group("c12")):
            return number
    return None


# Line 1's end: the check digit over the 12-digit number, after its '<<' filler.
_LINE1_END = re.compile(r"[<«]{1,3}(?P<c>\d)[^\w<«]*$")


def line1_check(lines: list[str]) -> int | None:
    """The check digit line 1 ends with, as read, even when the digits before it are
    garbled: a test for a number read elsewhere on the card."""
    for raw in lines:
        text = _compact(raw)
        if _LINE1_START.search(text) or re.search(r"[I1lT]{1,2}[D0O]VNM", text):
            m = _LINE1_END.search(text)
            if m is not None:
                return int(m.group("c"))
    return None
