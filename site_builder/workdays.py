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

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import Problems

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR_KEYS = ("holidays", "workdays")


@dataclass(frozen=True)
class HolidayYear:
    """One year's official days off and make-up workdays, as written in site.yaml."""
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


@lru_cache(maxsize=1)
def _package_days() -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[int]]:
    """The package's holidays, make-up workdays and the years it knows (read when a
    calendar is first made: a build with nothing to do needs none of them)."""
    import chinese_calendar

    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = {d.year for d in holidays}
    known = frozenset(range(min(years), max(years) + 1)) if years else frozenset()
    return holidays, workdays, known


class WorkCalendar:
    """Answers "is this a working day?" and counts working days; remembers fallbacks.
    Counting walks no days: each year's working days are counted once, day by day
    (`_running`), and a count is then a lookup (a 10,000-entry site asks thousands of
    deadlines, each walked day by day a tenth of its model's time)."""

    def __init__(self, extra: dict[int, HolidayYear] | None = None):
        self.extra = dict(extra or {})
        self.fallback_years: set[int] = set()
        self._years: dict[int, list[int]] = {}  # year -> working days from Jan 1 to each day
        self._holidays, self._workdays, self._known_years = _package_days()

    def is_workday(self, day: dt.date) -> bool:
        self._note(day, day)
        return self._is_workday(day)

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (the day itself is not counted)."""
        if count <= 0:
            return start
        year, left = start.year, self._so_far(start) + count  # counted from Jan 1 of `year`
        while left > self._running(year)[-1]:
            left -= self._running(year)[-1]
            year += 1
        day = dt.date(year, 1, 1) + dt.timedelta(days=bisect.bisect_left(self._running(year), left))
        self._note(start + _DAY, day)
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        if end <= start:
            return 0
        self._note(start + _DAY, end)
        return (sum(self._running(y)[-1] for y in range(start.year, end.year))
                + self._so_far(end) - self._so_far(start))

    def _is_workday(self, day: dt.date) -> bool:
        weekday = day.weekday() < 5
        year = self.extra.get(day.year)
        if year is not None:
            return day in year.workdays or (weekday and day not in year.holidays)
        if day.year in self._known_years:
            return day in self._workdays or (weekday and day not in self._holidays)
        return weekday

    def _note(self, first: dt.date, last: dt.date) -> None:
        """Remember the years from `first` to `last` counted Monday to Friday."""
        self.fallback_years.update(y for y in range(first.year, last.year + 1)
                                   if y not in self.extra and y not in self._known_years)

    def _running(self, year: int) -> list[int]:
        """The working days of `year` from Jan 1 up to each of its days, inclusive."""
        known = self._years.get(year)
        if known is None:
            day, known, count = dt.date(year, 1, 1), [], 0
            while day.year == year:
                count += self._is_workday(day)
                known.append(count)
                day += _DAY
            self._years[year] = known
        return known

    def _so_far(self, day: dt.date) -> int:
        return self._running(day.year)[day.timetuple().tm_yday - 1]


_DAY = dt.timedelta(days=1)


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
