"""A card's number with a speck read as a digit beside it, told apart by the card itself.

On a phone photo of a card the number's label ("Số / No.:") sometimes comes out as
specks, one of which OCR reads as a digit glued to the number: «4031203148519. Thirteen
digits are no identity number (12 digits, or 9 for the old CMND), so nothing is read and
the card loses its number. One of the run's two 12-digit windows is the number, and the
card says which: the number's own digits state the holder's sex, century and the last two
digits of the birth year, and begin with a province code (``identity``). A window that
fits the sex and birth date printed on the same card, while the other window does not, is
taken — about six in a hundred thousand random windows would pass — and is still marked
for review with both readings shown, since it rests on OCR alone.

Only a card with no 12-digit reading at all is looked at, so nothing read cleanly is
second-guessed, and only the card's own lines, so no number is carried across papers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.understand.identity import NUMBER_REPAIRED, Problem, validate_cccd
from pipeline.understand.mrz import check_digit

__all__ = ["GluedNumber", "InnerGluedNumber", "glued_number", "glued_number_note",
           "inner_glued_note", "inner_glued_number", "zero_led_number"]

_RUN = re.compile(r"(?<!\d)\d{13}(?!\d)")
_ISO = re.compile(r"\d{4}-\d\d-\d\d")


@dataclass(frozen=True, slots=True)
class GluedNumber:
    """The 12 digits kept out of a 13-digit run: where they are and what was read."""

    line: int  # index into the lines given
    start: int  # character offsets of the 12 digits on that line
    end: int
    run: str  # the 13 digits as read
    drops_first: bool  # the stray digit is the run's first (else its last)

    @property
    def number(self) -> str:
        return self.run[1:] if self.drops_first else self.run[:12]


def glued_number(lines: list[str], born: str | None, sex: str | None) -> GluedNumber | None:
    """The one 12-digit window of the card's 13-digit runs that fits its holder, or None.

    ``born`` (ISO) and ``sex`` ('Nam' / 'Nữ') must both have been read on the card:
    without them the check is too weak to choose between windows.
    """
    if not (born and _ISO.fullmatch(born)) or sex not in ("Nam", "Nữ"):
        return None
    fits: list[GluedNumber] = []
    for i, text in enumerate(lines):
        if "VNM" in text.upper():  # the MRZ: its digits are checked by mrz.py
            continue
        for m in _RUN.finditer(text):
            run = m.group()
            for drop_first in (True, False):
                window = run[1:] if drop_first else run[:12]
                if not validate_cccd(window, born, sex):
                    start = m.start() + 1 if drop_first else m.start()
                    fits.append(GluedNumber(i, start, start + 12, run, drop_first))
    return fits[0] if len(fits) == 1 else None


def glued_number_note(found: GluedNumber) -> Problem:
    """The officer's note: what was read, what was kept and why."""
    return Problem(
        NUMBER_REPAIRED,
        f"so_dinh_danh: trên thẻ đọc được dãy 13 chữ số «{found.run}»; «{found.number}» là "
        "dãy 12 chữ số duy nhất trong đó khớp với ngày sinh và giới tính in trên thẻ: đã lấy "
        "số ấy, cán bộ đối chiếu với bản giấy.")


# Eleven digits alone, or behind one letter OCR reads for a zero ('Đ27080165356').
_ELEVEN = re.compile(r"(?<![\w])(?P<zero>[ĐDOÔƠQoôơðÐ])?(?P<digits>\d{11})(?!\d)")


def zero_led_number(lines: list[str], born: str | None,
                    sex: str | None) -> tuple[int, int, int, str] | None:
    """(line, start, end, number) of a card number whose leading zero OCR lost or read as
    a letter; every number starts with 0 (province codes run 001–096). Taken only when
    the 12 digits fit the sex and birth date read on the card and no other run does."""
    if not (born and _ISO.fullmatch(born)) or sex not in ("Nam", "Nữ"):
        return None
    fits: list[tuple[int, int, int, str]] = []
    for i, text in enumerate(lines):
        if "VNM" in text.upper():  # the MRZ: its digits are checked by mrz.py
            continue
        for m in _ELEVEN.finditer(text):
            number = "0" + m.group("digits")
            if not validate_cccd(number, born, sex):
                fits.append((i, m.start(), m.end(), number))
    return fits[0] if len(fits) == 1 else None


@dataclass(frozen=True, slots=True)
class InnerGluedNumber:
    """A 13-digit run with a stray digit inside it, and the number the MRZ picked."""

    line: int
    start: int  # offsets of the 13 digits on that line
    end: int
    run: str
    number: str


def inner_glued_number(lines: list[str], born: str | None, sex: str | None,
                       mrz_check: int | None) -> InnerGluedNumber | None:
    """The number in a 13-digit run whose stray digit sits *inside* it ('0982085962079'):
    of the twelve-digit strings left by dropping one digit, the one that fits the holder's
    birth date and sex and passes the check digit the MRZ's line 1 ends with. Both the
    card's birth and sex and that check digit must have been read; one fit or None."""
    if mrz_check is None or not (born and _ISO.fullmatch(born)) or sex not in ("Nam", "Nữ"):
        return None
    fits: dict[str, InnerGluedNumber] = {}
    for i, text in enumerate(lines):
        if "VNM" in text.upper():
            continue
        for m in _RUN.finditer(text):
            run = m.group()
            for k in range(13):
                number = run[:k] + run[k + 1:]
                if check_digit(number) == mrz_check and not validate_cccd(number, born, sex):
                    fits.setdefault(number, InnerGluedNumber(i, m.start(), m.end(), run, number))
    return next(iter(fits.values())) if len(fits) == 1 else None


def inner_glued_note(found: InnerGluedNumber) -> Problem:
    """The officer's note for ``inner_glued_number``."""
    return Problem(
        NUMBER_REPAIRED,
        f"so_dinh_danh: trên thẻ đọc được dãy 13 chữ số «{found.run}»; «{found.number}» là "
        "số duy nhất còn lại khi bỏ một chữ số mà khớp với ngày sinh, giới tính in trên thẻ "
        "và chữ số kiểm tra của vùng MRZ: đã lấy số ấy, cán bộ đối chiếu với bản giấy.")
