"""Disclosure periods: a year `2026`, a quarter `2026-Q3` or a month `2026-07`.

Pure arithmetic used by the cadence check, the ledger chain and the finance overview:
the period as a clerk writes it (`parse`: 2026年11月, 2026年第三季度, 2026年度 too),
the first and last day of a period (`span`), the period of a cadence that holds a day
or starts a coarser or finer period (`of_cadence`), the next period (`following`), the
periods from one up to another (`up_to`), and a sort key that orders periods of any
granularity by their first day.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

GRANULARITY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}
_YEAR = r"(19\d\d|2[01]\d\d)\s*"  # years 1900-2199: 0226 or 2o26 typed for 2026 is no period
_FORMS = (  # (a pattern whose groups are the year and the month or quarter, the period it means)
    (re.compile(_YEAR + r"(?:年|年度|年全年)?$"), "{0}"),
    (re.compile(_YEAR + r"(?:-|/|\.|年)\s*(0?[1-9]|1[0-2])\s*(?:月|月份)?$"), "{0}-{1:0>2}"),
    (re.compile(_YEAR + r"(?:-|年)?\s*q\s*([1-4])$"), "{0}-Q{1}"),
    (re.compile(_YEAR + r"年?\s*第?\s*([1-4一二三四])\s*季度?$"), "{0}-Q{1}"),
)
_QUARTERS = {"一": "1", "二": "2", "三": "3", "四": "4"}


def parse(text: str) -> str | None:
    """The period `text` means, written YYYY, YYYY-Qn or YYYY-MM (as periods are kept) or
    as clerks also write them: 2026年, 2026年度, 2026年11月, 2026.11, 2026年第三季度,
    2026年3季度, 2026Q3 (full-width digits too); None when it is none of these."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    for pattern, form in _FORMS:
        m = pattern.match(text)
        if m:
            return form.format(*(_QUARTERS.get(x, x) for x in m.groups()))
    return None


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


# a period named in a title: 东村2026年11月财务收支公开, 2026年第三季度, 2026年度, 2026.10,
# 2026年10月至11月 and 2026年10-11月 (each month of the range)
_MONTH = r"(1[0-2]|0?[1-9])"
_TITLE_PERIOD = re.compile(
    r"(19\d\d|2[01]\d\d)\s*(?:年\s*(?:第?\s*([1-4一二三四])\s*季度|度|" + _MONTH + r"\s*月?"
    r"(?:\s*(?:至|到|-|~|—)\s*" + _MONTH + r"\s*月)?(?<=月))|\.\s*" + _MONTH + r"(?!\d))")
# numbers written in Han characters: 二〇二六年, 十一月
_HAN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_HAN_TENS = {"十": "10", "十一": "11", "十二": "12"}
_HAN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
_HAN_MONTH = re.compile(r"(?<=[年至到\-~—])(\s*)(十[一二]?|[一二三四五六七八九])(?=\s*月)")


def _arabic(title: str) -> str:
    """`title` with the years and months written in Han numbers in digits."""
    title = _HAN_YEAR.sub(lambda m: m.group(0).translate(_HAN_DIGITS), title)
    return _HAN_MONTH.sub(lambda m: m.group(1) + _HAN_TENS.get(m.group(2), m.group(2).translate(_HAN_DIGITS)), title)


def stated_periods(title: str, cadence: str) -> list[str]:
    """The periods of the category's cadence that the title names, in its order
    (北村2025年度决算及2026年度预算公开: 2025, 2026)."""
    found = []
    for m in _TITLE_PERIOD.finditer(_arabic(unicodedata.normalize("NFKC", title))):
        year, quarter, month, last, dotted = m.groups()
        if quarter:
            named = [f"{year}年第{quarter}季度"]
        elif month or dotted:
            first = int(month or dotted)
            end = max(first, int(last or 0))
            named = [f"{year}年{n}月" for n in range(first, end + 1)]
            if first % 3 == 1 and end == first + 2:  # (1-3月: the first quarter, as well)
                named.append(f"{year}年第{end // 3}季度")
        else:
            named = [year]
        for period in map(parse, named):
            if period and of_cadence(period, cadence) == period:
                found.append(period)
    return found


def stated_period(title: str, cadence: str) -> str | None:
    """The first period of the category's cadence that the title names, if it names one."""
    return next(iter(stated_periods(title, cadence)), None)
