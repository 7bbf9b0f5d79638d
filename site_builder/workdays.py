"""The Chinese working-day calendar used by the 20-working-day timeliness rule.

A working day is Monday to Friday unless it is a statutory holiday, plus the weekend
make-up workdays (调休上班). The days come from the `chinese_calendar` package, which
knows a year only once the State Council has published it; site.yaml `holidays:` adds
(or replaces) a year, in the shape `holidays: {2027: {holidays: [2027-01-01, ...],
workdays: [2027-02-07, ...]}}`, validated by `parse_holidays`. For a year known to
neither, Monday to Friday are counted and the year is remembered in `fallback_years`
so the build can warn and the supervision page can say so. `WorkCalendar` is built once
per build; each question about a day is a set lookup.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import chinese_calendar

from .errors import Problems

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR_KEYS = ("holidays", "workdays")


@dataclass(frozen=True)
class HolidayYear:
    """One year's official days off and make-up workdays, as written in site.yaml."""
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


def _package_days() -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[int]]:
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = {d.year for d in holidays}
    known = frozenset(range(min(years), max(years) + 1)) if years else frozenset()
    return holidays, workdays, known


_HOLIDAYS, _WORKDAYS, _KNOWN_YEARS = _package_days()


class WorkCalendar:
    """Answers "is this a working day?" and counts working days; remembers fallbacks."""

    def __init__(self, extra: dict[int, HolidayYear] | None = None):
        self.extra = dict(extra or {})
        self.fallback_years: set[int] = set()
        self._added: dict[tuple[dt.date, int], dt.date] = {}  # many entries share a date

    def is_workday(self, day: dt.date) -> bool:
        weekday = day.weekday() < 5
        year = self.extra.get(day.year)
        if year is not None:
            return day in year.workdays or (weekday and day not in year.holidays)
        if day.year in _KNOWN_YEARS:
            return day in _WORKDAYS or (weekday and day not in _HOLIDAYS)
        self.fallback_years.add(day.year)
        return weekday

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (the day itself is not counted)."""
        found = self._added.get((start, count))
        if found is not None:
            return found
        day, left = start, count
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        self._added[(start, count)] = day
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    m = _DATE.match(str(value).strip())
    if not m:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None


def parse_holidays(data: Any, path: str, line: int, problems: Problems) -> dict[int, HolidayYear]:
    """site.yaml `holidays:` -> {year: HolidayYear}; every mistake becomes a problem."""
    out: dict[int, HolidayYear] = {}
    if not isinstance(data, dict):
        problems.add(path, line, "holidays_shape")
        return out
    lines = getattr(data, "line_of", lambda key: line)
    for key, value in data.items():
        at = lines(key)
        year = int(key) if isinstance(key, int) or str(key).isdigit() else None
        if year is None or not 1900 <= year <= 2200:
            problems.add(path, at, "holidays_bad_year", value=key)
            continue
        if not isinstance(value, dict):
            problems.add(path, at, "holidays_shape")
            continue
        days: dict[str, set[dt.date]] = {"holidays": set(), "workdays": set()}
        for name, items in value.items():
            name_at = value.line_of(name) if hasattr(value, "line_of") else at
            if name not in _YEAR_KEYS:
                problems.add(path, name_at, "holidays_unknown_key", key=name)
                continue
            if items is None:
                continue
            if not isinstance(items, list):
                problems.add(path, name_at, "holidays_shape")
                continue
            for item in items:
                day = _date(item)
                if day is None:
                    problems.add(path, name_at, "bad_date", key=f"holidays.{year}.{name}", value=item)
                elif day.year != year:
                    problems.add(path, name_at, "holidays_wrong_year", value=day.isoformat(), year=year)
                else:
                    days[name].add(day)
        both = sorted(days["holidays"] & days["workdays"])
        for day in both:
            problems.add(path, at, "holidays_both", value=day.isoformat())
        out[year] = HolidayYear(frozenset(days["holidays"]), frozenset(days["workdays"]))
    return out
