"""Disclosure periods: a year `2026`, a quarter `2026-Q3` or a month `2026-07`.

Pure arithmetic used by the cadence check, the ledger chain and the finance overview:
the first and last day of a period (`span`), the period of a cadence that holds a day
or starts a coarser or finer period (`of_cadence`), the next period (`following`), the
periods from one up to another (`up_to`), and a sort key that orders periods of any
granularity by their first day.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

GRANULARITY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


@lru_cache(maxsize=4096)
def span(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period (asked for often: remembered)."""
    if "-Q" in period:
        year, q = int(period[:4]), int(period[-1])
        first = dt.date(year, 3 * q - 2, 1)
        return first, _month_end(year, 3 * q)
    if "-" in period:
        year, month = int(period[:4]), int(period[5:7])
        return dt.date(year, month, 1), _month_end(year, month)
    year = int(period)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def containing(day: dt.date, cadence: str) -> str:
    """The period of `cadence` that holds `day`."""
    kind = GRANULARITY[cadence]
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def of_cadence(period: str, cadence: str) -> str:
    """The period of `cadence` holding the first day of `period` (2025-09 -> 2025-Q3)."""
    return containing(span(period)[0], cadence)


def following(period: str) -> str:
    """The next period of the same granularity."""
    end = span(period)[1] + dt.timedelta(days=1)
    if "-Q" in period:
        return containing(end, "quarterly")
    if "-" in period:
        return containing(end, "monthly")
    return str(end.year)


def up_to(first: str, stop: str) -> list[str]:
    """The periods of `first`'s granularity from `first` on that start before `stop`."""
    out, period = [], first
    while sort_key(period) < sort_key(stop):
        out.append(period)
        period = following(period)
    return out


def within(inner: tuple[dt.date, dt.date], outer: str) -> bool:
    first, last = span(outer)
    return first <= inner[0] and inner[1] <= last


def sort_key(period: str) -> tuple[dt.date, dt.date]:
    return span(period)
