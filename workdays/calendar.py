"""Which days are working days: Monday–Friday, less holidays, plus make-up Saturdays.

Holidays are data (``workdays/holidays/YEAR.yaml``), not code: the Prime
Minister decides each year's Tết and swap days a few months ahead, and the
lunar dates (Tết Nguyên đán, Giỗ Tổ Hùng Vương) move every year, so a desk
updates a YAML file instead of waiting for a release. A year with no file is
counted with weekends only, and says so (``WorkCalendar.known``), rather than
failing at the counter.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULT_FOLDER", "CalendarError", "DayOff", "WorkCalendar", "load_calendar"]

DEFAULT_FOLDER = Path(__file__).resolve().parent / "holidays"


class CalendarError(ValueError):
    """A holiday file is wrong; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class DayOff:
    """One dated entry of a holiday file (a day off, or a weekend day worked)."""

    day: date
    name: str


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Days off and make-up working days by date; years that have data."""

    days_off: dict[date, DayOff] = field(default_factory=dict)
    make_up_days: dict[date, DayOff] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    provisional_years: frozenset[int] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri unless a day off; a Saturday/Sunday only when it is a make-up day."""
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def known(self, year: int) -> bool:
        """True when the year's holidays are in the data (else only weekends count)."""
        return year in self.years

    def holiday_name(self, day: date) -> str | None:
        entry = self.days_off.get(day)
        return entry.name if entry else None


def _entries(raw: Any, path: Path, key: str, year: int) -> list[DayOff]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CalendarError(f"{path}: '{key}' must be a list of {{date, name}}")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("date"), date):
            raise CalendarError(f"{path}: {key}[{i}] needs a date written YYYY-MM-DD")
        day, name = item["date"], str(item.get("name") or "").strip()
        if day.year != year:
            raise CalendarError(f"{path}: {key}[{i}] {day} is not in year {year}")
        if not name:
            raise CalendarError(f"{path}: {key}[{i}] {day} has no name")
        out.append(DayOff(day, unicodedata.normalize("NFC", name)))
    return out


def load_calendar(folder: Path | None = None) -> WorkCalendar:
    """Read every ``YEAR.yaml`` in ``folder``; CalendarError on any inconsistency."""
    folder = folder or DEFAULT_FOLDER
    days_off: dict[date, DayOff] = {}
    make_up: dict[date, DayOff] = {}
    years: set[int] = set()
    provisional: set[int] = set()
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CalendarError(f"{path}: invalid YAML: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("year"), int):
            raise CalendarError(f"{path}: expected a mapping with an integer 'year'")
        year = data["year"]
        if path.stem != str(year):
            raise CalendarError(f"{path}: file name must be {year}.yaml")
        for entry in _entries(data.get("days_off"), path, "days_off", year):
            if entry.day.weekday() >= 5:
                raise CalendarError(f"{path}: day off {entry.day} is a weekend day; "
                                    "list the compensatory weekday instead")
            days_off[entry.day] = entry
        for entry in _entries(data.get("working_days"), path, "working_days", year):
            if entry.day.weekday() < 5:
                raise CalendarError(f"{path}: make-up day {entry.day} is already a weekday")
            make_up[entry.day] = entry
        years.add(year)
        if data.get("status") != "official":
            provisional.add(year)
    return WorkCalendar(days_off, make_up, frozenset(years), frozenset(provisional))
