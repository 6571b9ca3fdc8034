"""Due dates in working days: weekends, Tết and other holidays (data), the 15:00 rule."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from models.catalog import ProcessingTime
from models.dossier_code import VIETNAM_TZ
from workdays import CalendarError, add_working_days, due_date, load_calendar

CAL = load_calendar()
SAME_DAY = ProcessingTime(unit="same_day", cutoff="15:00")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VIETNAM_TZ)


def working(n: int) -> ProcessingTime:
    return ProcessingTime(unit="working_days", value=n)


def test_every_year_2024_to_2027_has_data() -> None:
    assert {2024, 2025, 2026, 2027} <= CAL.years
    for year in (2024, 2025, 2026, 2027):
        assert not CAL.is_working_day(date(year, 1, 1)) or date(year, 1, 1).weekday() >= 5
        assert not CAL.is_working_day(date(year, 4, 30)) or date(year, 4, 30).weekday() >= 5


@pytest.mark.parametrize(("received", "days", "expected"), [
    # Tết Giáp Thìn 2024: off Thu 8/2 – Wed 14/2.
    (at(2024, 2, 7), 1, date(2024, 2, 15)),
    (at(2024, 2, 6), 3, date(2024, 2, 16)),
    # Tết Ất Tỵ 2025: off Mon 27/1 – Fri 31/1.
    (at(2025, 1, 24), 1, date(2025, 2, 3)),
    (at(2025, 1, 23), 5, date(2025, 2, 6)),
    # Tết Bính Ngọ 2026: off Sat 14/2 – Sun 22/2.
    (at(2026, 2, 13), 3, date(2026, 2, 25)),
    # Giỗ Tổ 2025 (Mon 7/4) and 30/4–1/5 + swapped Fri 2/5 2025.
    (at(2025, 4, 4), 1, date(2025, 4, 8)),
    (at(2025, 4, 29), 1, date(2025, 5, 5)),
    # Quốc khánh 2025: Mon 1/9 and Tue 2/9.
    (at(2025, 8, 29), 2, date(2025, 9, 4)),
    # Plain weekend: Friday + 1 working day = Monday.
    (at(2025, 11, 21), 1, date(2025, 11, 24)),
])
def test_working_days_skip_weekends_and_holidays(received: datetime, days: int,
                                                  expected: date) -> None:
    assert due_date(received, working(days), CAL).day == expected


def test_make_up_saturday_counts_as_working_day() -> None:
    # Sat 26/4/2025 was worked in exchange for Fri 2/5/2025.
    assert CAL.is_working_day(date(2025, 4, 26))
    assert add_working_days(date(2025, 4, 25), 1, CAL) == date(2025, 4, 26)


def test_compensatory_day_when_holiday_falls_on_sunday() -> None:
    # Giỗ Tổ 2026 is Sunday 26/4: Monday 27/4 is off instead.
    assert not CAL.is_working_day(date(2026, 4, 27))
    assert due_date(at(2026, 4, 24), working(1), CAL).day == date(2026, 4, 28)


@pytest.mark.parametrize(("received", "expected"), [
    (at(2025, 11, 26, 14, 59), date(2025, 11, 26)),   # before 15:00: same day
    (at(2025, 11, 26, 15, 0), date(2025, 11, 27)),    # at 15:00: next working day
    (at(2025, 11, 28, 16, 30), date(2025, 12, 1)),    # Friday afternoon → Monday
    (at(2025, 11, 29, 10, 0), date(2025, 12, 1)),     # Saturday desk → Monday
    (at(2025, 1, 24, 15, 30), date(2025, 2, 3)),      # late before Tết → after Tết
    (at(2024, 12, 31, 16, 0), date(2025, 1, 2)),      # late on 31/12 → skips 1/1
])
def test_same_day_procedures_and_the_15_00_cutoff(received: datetime, expected: date) -> None:
    due = due_date(received, SAME_DAY, CAL)
    assert due.day == expected
    assert due.at.tzinfo is not None


def test_cutoff_is_read_in_vietnam_time() -> None:
    # 07:30 UTC is 14:30 in Hà Nội: still before the cut-off.
    from datetime import UTC
    received = datetime(2025, 11, 26, 7, 30, tzinfo=UTC)
    assert due_date(received, SAME_DAY, CAL).day == date(2025, 11, 26)


def test_calendar_days_end_on_next_working_day() -> None:
    due = due_date(at(2025, 1, 20), ProcessingTime(unit="days", value=10), CAL)
    assert due.day == date(2025, 2, 3)  # 30/1 is Tết → first working day after


def test_year_without_data_is_flagged_not_fatal() -> None:
    due = due_date(at(2029, 3, 2), working(2), CAL)
    assert due.day == date(2029, 3, 6)
    assert due.unknown_years == (2029,)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        due_date(datetime(2025, 1, 2, 9), working(1), CAL)


def test_bad_holiday_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "2030.yaml").write_text(
        "year: 2030\nstatus: official\ndays_off:\n  - {date: 2030-01-05, name: x}\n",
        encoding="utf-8")
    with pytest.raises(CalendarError, match=r"2030\.yaml.*weekend"):
        load_calendar(tmp_path)
