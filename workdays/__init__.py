"""Working days in Vietnam: weekends, public holidays (as data) and legal due dates.

    calendar = load_calendar()            # workdays/holidays/*.yaml
    due = due_date(received_at, procedure_version.processing_time, calendar)
    due.at                                # timezone-aware, Vietnam time
"""

from workdays.calendar import CalendarError, DayOff, WorkCalendar, load_calendar
from workdays.working_days import DueDate, add_working_days, due_date

__all__ = [
    "CalendarError",
    "DayOff",
    "DueDate",
    "WorkCalendar",
    "add_working_days",
    "due_date",
    "load_calendar",
]
