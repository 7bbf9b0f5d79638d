"""Who published what, and when: the supervision figures of a site on `today`.

For each unit × category with a schedule (cadence monthly, quarterly or yearly) the
expected periods run from the unit's `since` (its first whole period of that cadence;
without `since`, the unit's first entry in that category; with neither, the pair is
"never published", owed since when unknown) to the period holding `today`; a period
is covered by an entry whose `period` (or, failing that, its date) falls in it, and
it is due `due_after` days after it ends. An uncovered period past its due date is
missing: one, the latest, is shown as 逾期 N 天, more (or an older gap) as 缺 N 期.
Entries with `formed` must be published within the category's
`publish_within_workdays` working days (政府信息公开条例 art. 26, default 20); units
with no entry for 14 days or more are stale. `annual_rows` gives the 主动公开 counts per
year, late by either rule (past the working-day limit, or covering a period after its
due date) counted once, and the periods of each year missing. Every function is one pass over the entries and returns frozen
dataclasses; nothing here renders or reads files.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from . import periods
from .config import SiteConfig
from .reader import Entry, notice_days
from .workdays import WorkCalendar

STALE_DAYS = 14


@dataclass(frozen=True)
class LatePeriod:
    """A scheduled period covered by an entry published after the period's due date."""
    period: str
    rel: str          # the entry that covers it
    due: dt.date
    published: dt.date
    days_late: int


@dataclass(frozen=True)
class LateEntry:
    """An entry published later than its category's working-day limit after `formed`."""
    rel: str
    unit: str
    category: str
    formed: dt.date
    deadline: dt.date
    published: dt.date
    limit: int
    workdays_late: int


@dataclass(frozen=True)
class ShortNotice:
    """An entry whose public notice (公示) is shorter than its category's `notice_days`:
    counted as notices say them, its first and last day included (reader.notice_days)."""
    rel: str
    unit: str
    category: str
    start: dt.date
    until: dt.date
    days: int
    least: int


@dataclass(frozen=True)
class CadenceRecord:
    """One unit × scheduled category on `today`."""
    unit: str
    category: str
    cadence: str
    first_period: str
    last_period: str | None            # newest period covered by an entry
    expected: int                      # periods due by today
    missing_periods: tuple[str, ...]   # due and not covered, oldest first
    overdue_days: int                  # days since the oldest missing period was due
    late_periods: tuple[LatePeriod, ...]  # covered, but after their due date
    next_due: dt.date | None           # due date of the next period not yet covered
    late_entries: tuple[str, ...]      # entries late against the working-day rule
    status: str  # "ok" 按时; "overdue" 逾期 N 天 (only the latest is missing); "missing" 缺 N 期

    @property
    def shown_status(self) -> str:
        """The status as pages show it: "late" 有 N 期迟报 for one whose periods are all
        covered, some after their due dates (tester: shown 按时, in green, for a village
        late every month)."""
        return "late" if self.status == "ok" and self.late_periods else self.status


@dataclass(frozen=True)
class StaleUnit:
    unit: str
    last_update: dt.date | None
    days: int | None


@dataclass(frozen=True)
class Supervision:
    today: dt.date
    records: tuple[CadenceRecord, ...]   # in site.yaml order of units, then categories
    late_entries: tuple[LateEntry, ...]  # newest first
    stale_units: tuple[StaleUnit, ...]
    fallback_years: tuple[int, ...]      # years counted Monday to Friday
    unstarted: tuple[tuple[str, str], ...] = ()  # (unit, category) scheduled but never
                                                 # published, and owed since when unknown
                                                 # (the unit has no `since`)
    short_notices: tuple[ShortNotice, ...] = ()  # newest first

    @property
    def late_rels(self) -> frozenset[str]:
        """Entries published late by either rule: past the working-day limit after
        `formed`, or covering a scheduled period after its due date."""
        return frozenset({x.rel for x in self.late_entries}
                         | {p.rel for r in self.records for p in r.late_periods})

    @property
    def failing(self) -> tuple[CadenceRecord, ...]:
        return tuple(r for r in self.records if r.status != "ok")

    @property
    def late_only(self) -> tuple[CadenceRecord, ...]:
        """Those with every period due covered, some late (`CadenceRecord.shown_status`)."""
        return tuple(r for r in self.records if r.shown_status == "late")

    def for_unit(self, unit_id: str) -> tuple[CadenceRecord, ...]:
        return tuple(r for r in self.records if r.unit == unit_id)

    def unstarted_in(self, unit_id: str) -> tuple[str, ...]:
        """The unit's scheduled categories never published, with no `since` to count from."""
        return tuple(c for u, c in self.unstarted if u == unit_id)

    def stale(self, unit_id: str) -> StaleUnit | None:
        return next((s for s in self.stale_units if s.unit == unit_id), None)


@dataclass(frozen=True)
class AnnualRow:
    year: int
    unit: str
    category: str
    published: int
    late: int
    corrections: int
    missing: int = 0  # scheduled periods of the year due by today and not published


def entry_span(entry: Entry) -> tuple[dt.date, dt.date]:
    return periods.span(entry.period) if entry.period else (entry.date, entry.date)


def late_entries(config: SiteConfig, entries: list[Entry], calendar: WorkCalendar) -> list[LateEntry]:
    """Entries published after the working-day limit counted from `formed`, newest first:
    on a working day after the last one allowed (one published the Sunday after it is
    within the limit, which counts working days: no working day has passed)."""
    out = []
    for e in entries:
        if e.formed is None:
            continue
        limit = config.categories_by_id[e.category].publish_within_workdays
        deadline = calendar.add_workdays(e.formed, limit)
        over = calendar.workdays_between(deadline, e.date)
        if over > 0:
            out.append(LateEntry(e.rel, e.unit, e.category, e.formed, deadline, e.date, limit, over))
    return sorted(out, key=lambda x: (x.published, x.rel), reverse=True)


def short_notices(config: SiteConfig, entries: list[Entry]) -> list[ShortNotice]:
    """Entries whose `notice_until` gives them fewer days of notice than their category's
    `notice_days`, newest first (the clerk is told when checking; the supervisors see
    them listed: names posted for two days leave no time to object)."""
    out = []
    for e in entries:
        least = config.categories_by_id[e.category].notice_days
        if e.notice_until is None or least is None:
            continue
        days = notice_days(e.date, e.notice_until)
        if days < least:
            out.append(ShortNotice(e.rel, e.unit, e.category, e.date, e.notice_until, days, least))
    return sorted(out, key=lambda x: (x.start, x.rel), reverse=True)


def first_owed(since: str, cadence: str) -> str:
    """The first whole period of `cadence` starting on or after the first day of `since`."""
    period = periods.of_cadence(since, cadence)
    return period if periods.span(period)[0] >= periods.span(since)[0] else periods.following(period)


def coverage(entries: list[Entry], cadence: str) -> dict[str, Entry]:
    """Period of `cadence` -> the first published of the entries that fall in it."""
    covered: dict[str, Entry] = {}
    for e in entries:
        first, last = entry_span(e)
        key = periods.containing(first, cadence)
        if periods.within((first, last), key) and (key not in covered or e.date < covered[key].date):
            covered[key] = e
    return covered


def cadence_records(config: SiteConfig, entries: list[Entry], today: dt.date,
                    late: list[LateEntry]) -> tuple[list[CadenceRecord], list[tuple[str, str]]]:
    """A record per unit × scheduled category; and the pairs with no record, as no
    entry and no `since` tell when the unit's duty began. A withdrawn entry discloses
    its period no more (its page keeps only why it was withdrawn)."""
    by_uc: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in entries:
        if e.withdrawn is None:
            by_uc[(e.unit, e.category)].append(e)
    late_by_uc: dict[tuple[str, str], list[str]] = defaultdict(list)
    for x in late:
        late_by_uc[(x.unit, x.category)].append(x.rel)
    records, unstarted = [], []
    for unit in config.units:
        for cat in config.categories:
            due_after = cat.due_after
            if due_after is None:
                continue
            covered = coverage(by_uc.get((unit.id, cat.id), []), cat.cadence)
            if unit.since:
                first = first_owed(unit.since, cat.cadence)
            elif covered:
                first = min(covered, key=periods.sort_key)
            else:
                unstarted.append((unit.id, cat.id))
                continue
            records.append(_record(unit.id, cat.id, cat.cadence, first, covered, due_after, today,
                                   tuple(sorted(late_by_uc.get((unit.id, cat.id), [])))))
    return records, unstarted


def _record(unit: str, category: str, cadence: str, first: str, covered: dict[str, Entry],
            due_after: int, today: dt.date, late_rels: tuple[str, ...]) -> CadenceRecord:
    current = periods.containing(today, cadence)
    expected, missing, late, next_due, last_due = 0, [], [], None, None
    period = first
    while periods.span(period)[0] <= periods.span(current)[0]:
        due = periods.span(period)[1] + dt.timedelta(days=due_after)
        entry = covered.get(period)
        if due < today:
            expected, last_due = expected + 1, period
            if entry is None:
                missing.append(period)
            elif entry.date > due:
                late.append(LatePeriod(period, entry.rel, due, entry.date, (entry.date - due).days))
        elif entry is None and next_due is None:
            next_due = due
        period = periods.following(period)
    if next_due is None:
        next_due = periods.span(period)[1] + dt.timedelta(days=due_after)
    # (a period before `since` too: published, it is the latest, though none was owed then)
    last = max(covered, key=periods.sort_key) if covered else None
    overdue = 0
    if missing:
        overdue = (today - periods.span(missing[0])[1] - dt.timedelta(days=due_after)).days
    status = "ok" if not missing else "overdue" if missing == [last_due] else "missing"
    return CadenceRecord(unit, category, cadence, first, last, expected, tuple(missing), overdue,
                         tuple(late), next_due, late_rels, status)


def stale_units(config: SiteConfig, entries: list[Entry], today: dt.date) -> list[StaleUnit]:
    last: dict[str, dt.date] = {}
    for e in entries:
        if e.unit not in last or e.date > last[e.unit]:
            last[e.unit] = e.date
    out = []
    for unit in config.units:
        day = last.get(unit.id)
        days = (today - day).days if day else None
        if days is None or days >= STALE_DAYS:
            out.append(StaleUnit(unit.id, day, days))
    return out


def supervise(config: SiteConfig, entries: list[Entry], today: dt.date,
              calendar: WorkCalendar) -> Supervision:
    """Every supervision figure of the published `entries` on `today`."""
    late = late_entries(config, entries, calendar)
    records, unstarted = cadence_records(config, entries, today, late)
    return Supervision(today, tuple(records), tuple(late), tuple(stale_units(config, entries, today)),
                       tuple(sorted(calendar.fallback_years)), tuple(unstarted), tuple(short_notices(config, entries)))


def counted_to(year: int, today: dt.date) -> dt.date:
    """The last day a year's annual counts cover: today in a year under way."""
    return min(today, dt.date(year, 12, 31))


def annual_rows(config: SiteConfig, entries: list[Entry], late_rels: frozenset[str],
                records: tuple[CadenceRecord, ...]) -> dict[int, tuple[AnnualRow, ...]]:
    """Per year with entries or periods missing: per unit × category, entries published,
    those of them published late (`Supervision.late_rels`), corrections, and the periods
    of the year missing on today (of `records`), so that a unit that stopped publishing
    is not a short row, or no row, in its year's report (tester)."""
    counts: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for e in entries:
        row = counts[(e.date.year, e.unit, e.category)]
        row[0] += 1
        row[1] += e.rel in late_rels
        row[2] += bool(e.corrects)
    for r in records:
        for period in r.missing_periods:
            counts[(periods.span(period)[0].year, r.unit, r.category)][3] += 1
    unit_order = {u.id: n for n, u in enumerate(config.units)}
    cat_order = {c.id: n for n, c in enumerate(config.categories)}
    years: dict[int, list[AnnualRow]] = defaultdict(list)
    for (year, unit, cat), (published, n_late, fixes, missing) in sorted(
            counts.items(), key=lambda kv: (kv[0][0], unit_order[kv[0][1]], cat_order[kv[0][2]])):
        years[year].append(AnnualRow(year, unit, cat, published, n_late, fixes, missing))
    return {year: tuple(rows) for year, rows in sorted(years.items())}
