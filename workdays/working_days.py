"""The return date (ngày hẹn trả kết quả) of a dossier from its procedure's processing time.

Rules, as reception desks apply them:

* ``working_days`` N: counting starts on the working day after the day of
  receipt; the result is due at the end of the N-th working day.
* ``same_day`` with a cut-off (Luật Hộ tịch, Điều 5 khoản 3): received on a
  working day before the cut-off (15:00) → due the same day; received later,
  or on a day the desk does not normally work → the next working day.
* ``days`` N (calendar days): receipt day + N; if that day is not a working
  day, the deadline moves to the next working day (Bộ luật Dân sự, Điều 148).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from models.catalog import ProcessingTime
from models.dossier_code import VIETNAM_TZ
from workdays.calendar import WorkCalendar, load_calendar

__all__ = ["CLOSING_TIME", "DueDate", "add_working_days", "due_date", "next_working_day"]

CLOSING_TIME = time(17, 0)
"""When the office closes: the due moment on the due day."""

_MAX_SCAN_DAYS = 3 * 366  # a processing time never spans more; stops a broken calendar looping


@dataclass(frozen=True, slots=True)
class DueDate:
    """The due moment, and whether it relied on years without holiday data."""

    at: datetime
    rule: str
    unknown_years: tuple[int, ...] = ()

    @property
    def day(self) -> date:
        return self.at.date()


def next_working_day(day: date, calendar: WorkCalendar) -> date:
    """The first working day strictly after ``day``."""
    for _ in range(_MAX_SCAN_DAYS):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            return day
    raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days after {day}")


def add_working_days(day: date, count: int, calendar: WorkCalendar) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    for _ in range(count):
        day = next_working_day(day, calendar)
    return day


def _unknown_years(start: date, end: date, calendar: WorkCalendar) -> tuple[int, ...]:
    return tuple(y for y in range(start.year, end.year + 1) if not calendar.known(y))


def due_date(received_at: datetime, processing_time: ProcessingTime,
             calendar: WorkCalendar | None = None) -> DueDate:
    """When the result is due for a dossier received at ``received_at`` (aware datetime)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    calendar = calendar or load_calendar()
    local = received_at.astimezone(VIETNAM_TZ)
    received_day = local.date()
    unit = processing_time.unit
    if unit == "same_day":
        cutoff = processing_time.cutoff or CLOSING_TIME
        in_time = calendar.is_working_day(received_day) and local.time() < cutoff
        day = received_day if in_time else next_working_day(received_day, calendar)
        rule = ("trong ngày" if in_time
                else f"nhận sau {cutoff:%H:%M} hoặc ngoài ngày làm việc: ngày làm việc tiếp theo")
    elif unit == "working_days":
        day = add_working_days(received_day, processing_time.value or 0, calendar)
        rule = f"{processing_time.value} ngày làm việc"
    else:
        day = received_day + timedelta(days=processing_time.value or 0)
        if not calendar.is_working_day(day):
            day = next_working_day(day, calendar)
        rule = f"{processing_time.value} ngày"
    at = datetime.combine(day, CLOSING_TIME, tzinfo=VIETNAM_TZ)
    return DueDate(at, rule, _unknown_years(received_day, day, calendar))
