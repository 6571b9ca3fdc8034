"""Dates whose year cannot be right for their field, repaired only when one reading fits.

OCR of a photocopy slips a digit of a year now and then ('2925' for '2025'). Nothing
on the page tells the slip from the truth, but the dossier's reception day does: a
form is not signed, and nobody is born, after the dossier reached the desk, nor
before 1900. Such a year is impossible, whatever the person wrote.

A year judged impossible is replaced only by a one-digit change of it that makes the
date possible: when exactly one change does, or, for an application date (signed on
the reception day or a few days before), the possible one nearest the reception day.
The repaired value always stays marked for review, with a note giving both readings;
anything else impossible is kept as read and marked for review. A possible year is
never touched: a date really mistyped on a form still disagrees with the other papers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from pipeline.understand.fields import ExtractedDocument, Field
from pipeline.understand.identity import Problem

__all__ = ["DATE_DOUBTED", "DATE_REPAIRED", "EARLIEST", "check_dates", "year_slips"]

DATE_REPAIRED = "ngay_da_sua"
"""Problem kind of a date whose impossible year was replaced by a one-digit change."""
DATE_DOUBTED = "ngay_khong_hop_ly"
"""Problem kind of a date that cannot be right and was kept as read."""
EARLIEST = date(1900, 1, 1)
_ISO = re.compile(r"\d{4}-\d\d-\d\d")


def _kind(name: str) -> str | None:
    """'application' or 'birth' for the fields whose dates cannot follow the reception."""
    if name == "ngay_lam_don":
        return "application"
    if name == "ngay_sinh" or name.endswith("_ngay_sinh"):
        return "birth"
    return None


def _label(kind: str) -> str:
    return "ngày làm đơn" if kind == "application" else "ngày sinh"


def _dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def year_slips(read: date) -> list[date]:
    """Every valid date that differs from ``read`` in exactly one digit of its year."""
    year = f"{read.year:04d}"
    out = []
    for i, digit in enumerate(year):
        for other in "0123456789":
            if other == digit:
                continue
            changed = int(year[:i] + other + year[i + 1:])
            try:
                out.append(read.replace(year=changed))
            except ValueError:  # 29 February in a common year, or year 0
                continue
    return out


def _possible(d: date, received_on: date) -> bool:
    return EARLIEST <= d <= received_on


def _checked(name: str, f: Field, received_on: date) -> tuple[Field, Problem] | None:
    """The field made safe and its note, or None when its date is possible (or no date)."""
    kind = _kind(name)
    if kind is None or f.source == "qr" or not _ISO.fullmatch(f.value or ""):
        return None
    try:
        read = date.fromisoformat(f.value)
    except ValueError:
        return None
    if _possible(read, received_on):
        return None
    label, when = _label(kind), _dmy(received_on)
    doubted = replace(f, needs_review=True)
    if EARLIEST.year <= read.year <= received_on.year:  # the year may be right: not repaired
        return doubted, Problem(DATE_DOUBTED, f"{name}: {label} đọc được “{_dmy(read)}” sau "
                                f"ngày tiếp nhận {when}: cần cán bộ kiểm tra.")
    fits = sorted(d for d in year_slips(read) if _possible(d, received_on))
    if len(fits) == 1 or (fits and kind == "application"):
        fixed = fits[-1]  # the one, or the one nearest the reception day
        return (replace(doubted, value=fixed.isoformat()),
                Problem(DATE_REPAIRED, f"{name}: {label} đọc được “{_dmy(read)}” là năm không "
                        f"thể có (tiếp nhận ngày {when}); đã sửa một chữ số của năm thành "
                        f"“{_dmy(fixed)}”: cần cán bộ kiểm tra."))
    return doubted, Problem(DATE_DOUBTED, f"{name}: {label} đọc được “{_dmy(read)}” là năm "
                            f"không thể có (tiếp nhận ngày {when}): cần cán bộ kiểm tra.")


def check_dates(fields: ExtractedDocument, received_on: date) -> ExtractedDocument:
    """The document's fields with impossible application and birth dates repaired or
    marked for review, each with a note; the same object when every date is possible."""
    changed = {name: found for name, f in fields.items()
               if (found := _checked(name, f, received_on)) is not None}
    if not changed:
        return fields
    out = dict(fields)
    out.update({name: f for name, (f, _) in changed.items()})
    return ExtractedDocument(out, [*fields.problems, *(p for _, p in changed.values())])
