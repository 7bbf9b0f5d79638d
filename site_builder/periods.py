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


# Periods named in a title (each read from a year on): 2026年11月, 2026.11, 2026-11,
# 2026年第三季度, 2026年三季度, 2026年Q3, 2026第三季度, 2026年度, 2026年 (a year), the
# years of a range (2026—2027年度), and the months or quarters after the first that a
# range or a list names (2026年9月至11月, 9-11月, 9月、10月, 2026.9-10, 第三、四季度).
# A year, month and day (2026年11月6日, 2026.11.06) is a date, and names no period.
_YEAR_AT = re.compile(r"(?<![\d.])(19\d\d|2[01]\d\d)(?!\d)")
_QUARTER = "[1-4一二三四]"
_QUARTER_AFTER = re.compile(rf"\s*(?:年度?)?\s*(?:第\s*({_QUARTER})\s*季度?|({_QUARTER})\s*季度|q\s*([1-4])(?!\d))",
                            re.I)
_MONTH_AFTER = re.compile(r"\s*(年|[./-])\s*(1[0-2]|0?[1-9])(?!\d)(\s*月份?)?")
_RANGE = "至到-~—–"  # (what joins the first and last month of a range; others join a list)
_JOINS = re.escape(_RANGE) + "、和及与,，"  # (a comma as an input method types it too)
_MORE_MONTHS = re.compile(rf"\s*([{_JOINS}])\s*(1[0-2]|0?[1-9])(?!\d)(\s*月份?)?")
_QUARTERS_AFTER = re.compile(  # (a list or range of them: 第三、四季度, 第三季度至第四季度, 1-2季度)
    rf"\s*(?:年度?)?\s*第?\s*({_QUARTER})((?:\s*(?:季度)?\s*[{_JOINS}]\s*第?\s*{_QUARTER})+)\s*季度")
_MORE_QUARTERS = re.compile(rf"([{_JOINS}])\s*第?\s*({_QUARTER})")
_DAY_AFTER = re.compile(r"\s*(?:\d{1,2}\s*[日号]|([./-])\s*\d)")  # (a date: 年月日, or the month's own mark again)
_YEAR_AFTER = re.compile(r"\s*年(度)?")
_YEARS_AFTER = re.compile(rf"\s*[{re.escape(_RANGE)}]\s*(19\d\d|2[01]\d\d)\s*年")  # (2026—2027年度, 2021-2025年)
_AMOUNT_AFTER = re.compile(r"\s*[万亿元千百%号]")  # (2026.1万元, 2026.12号)
# numbers written in Han characters: 二〇二六年, 十一月
_HAN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_HAN_TENS = {"十": "10", "十一": "11", "十二": "12"}
_HAN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
_HAN_MONTH = re.compile(rf"(?<=[年{_JOINS}])(\s*)(十[一二]?|[一二三四五六七八九])(?=\s*[月{_JOINS}])")


def _arabic(title: str) -> str:
    """`title` with the years and months written in Han numbers in digits."""
    title = _HAN_YEAR.sub(lambda m: m.group(0).translate(_HAN_DIGITS), title)
    return _HAN_MONTH.sub(lambda m: m.group(1) + _HAN_TENS.get(m.group(2), m.group(2).translate(_HAN_DIGITS)), title)


def _named_after(text: str, at: int, year: str) -> tuple[list[str], int]:
    """The periods named from `at`, right after `year` (see above), as `parse` takes
    them, and where what names them ends."""
    if q := _QUARTERS_AFTER.match(text, at):
        numbers = [int(_QUARTERS.get(q.group(1), q.group(1)))]
        for more in _MORE_QUARTERS.finditer(q.group(2)):
            last = int(_QUARTERS.get(more.group(2), more.group(2)))
            numbers += range(numbers[-1] + 1, last + 1) if more.group(1) in _RANGE else [last]
        return [f"{year}-Q{n}" for n in numbers], q.end()
    if q := _QUARTER_AFTER.match(text, at):
        number = next(n for n in q.groups() if n)
        return [f"{year}-Q{_QUARTERS.get(number, number)}"], q.end()
    if y := _YEARS_AFTER.match(text, at):
        return [str(n) for n in range(int(year), int(y.group(1)) + 1)], y.end()
    if m := _MONTH_AFTER.match(text, at):
        day = _DAY_AFTER.match(text, m.end())
        if day and day.group(1) in (None, m.group(1)) or m.group(1) != "年" and _AMOUNT_AFTER.match(text, m.end()):
            return [], m.end()  # (a date; an amount, 2026.1万元)
        months, end, said = [int(m.group(2))], m.end(), bool(m.group(3))
        while more := _MORE_MONTHS.match(text, end):
            if not (more.group(3) or m.group(1) != "年"):  # (9、10 without 月 may be anything)
                break
            last = int(more.group(2))
            months += range(months[-1] + 1, last + 1) if more.group(1) in _RANGE else [last]
            end, said = more.end(), True
        if m.group(1) == "年" and not said:  # (2026年10 alone: no month)
            return [], end
        return [f"{year}-{n:02d}" for n in months], end
    if y := _YEAR_AFTER.match(text, at):
        return ([year] if y.group(1) or not text[y.end():y.end() + 1].isdigit() else []), y.end()
    return [], at


def _stated(title: str, cadence: str) -> list[list[str]]:
    """The periods of the category's cadence that each place in the title names."""
    text = _arabic(unicodedata.normalize("NFKC", title))
    found, end = [], 0
    for m in _YEAR_AT.finditer(text):
        if m.start() < end:  # (the last year of a range already read)
            continue
        named: list[str] = []
        periods_named, end = _named_after(text, m.end(), m.group(1))
        for period in periods_named:
            if cadence == "quarterly" and "-Q" not in period and "-" in period:
                period = of_cadence(period, cadence)
            if of_cadence(period, cadence) == period and period not in named:
                named.append(period)
        found.append(named)
    return found


def stated_periods(title: str, cadence: str) -> list[str]:
    """The periods of the category's cadence that the title names, in its order
    (北村2025年度决算及2026年度预算公开: 2025, 2026); in a quarterly category, a month
    names its quarter (2026年10月: 2026-Q4)."""
    return list(dict.fromkeys(p for named in _stated(title, cadence) for p in named))


def stated_period(title: str, cadence: str) -> str | None:
    """The first period of the category's cadence that the title names alone (not as
    one of a range or a list: 1至10月 is no month to propose), if it names one."""
    return next((named[0] for named in _stated(title, cadence) if len(named) == 1), None)
