"""Stage 3: the site model: what is published, where, and what links to what.

From the config and the validated entries, `build_site` decides which entries are
published on `today` (no drafts, nothing dated later, withdrawn ones reduced to their
metadata), gives each a stable URL derived from its path and a stable 索引号, links
neighbours and corrections both ways, and lays out every page of the site (home,
unit archives, years and months, categories within and across units, entries) as a
`Page`: an output path, a template, the data it shows and the inputs it depends on.
Nothing is rendered or written here; problems found across entries (a correction of
an unknown entry, two pages on one path) are collected and returned.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from . import accountability, board, finance, history, notices
from .accountability import AnnualRow, LateEntry, Supervision
from .config import Category, SiteConfig, Unit
from .errors import Problems
from .notices import NoticeStatus
from .reader import Entry, copy_like, is_unsafe_name
from .workdays import WorkCalendar

LATEST_ON_HOME = 10
LATEST_PER_UNIT = 5
LATEST_PER_GROUP = 10
# A county's portal holds hundreds of units: its home page lists them without their
# latest entries, and a category's page gives each unit fewer (at 100 units they were
# 164 and 194 KB, heavy on a slow rural network); each unit's own pages have them all.
MANY_UNITS = 20
LATEST_PER_GROUP_OF_MANY = 3


@dataclass
class Item:
    """A published entry as the pages show it."""
    entry: Entry
    url: str                 # output path of its page, e.g. dongzhuang/finance/2025-10-06/index.html
    index_no: str
    unit: Unit
    category: Category
    prev: Item | None = None  # older entry of the same unit and category
    next: Item | None = None  # newer one
    corrects: Item | None = None
    corrected_by: list[Item] = field(default_factory=list)
    notice: NoticeStatus | None = None     # public notice (公示) on `today`
    body_withheld: bool = False            # notice ended, names taken down (entry is metadata only)
    late: LateEntry | None = None          # published after the working-day limit
    history: tuple[dt.date, ...] = ()      # days it went online and was changed (history.online_dates)
    former_urls: tuple[str, ...] = ()      # addresses it had under earlier file names (git: renamed)
    ledger_files: tuple[str, ...] = ()     # CSV of each ledger, beside the page

    @property
    def dir(self) -> str:
        return self.url.rsplit("/", 1)[0]

    @property
    def withdrawn(self) -> bool:
        return self.entry.withdrawn is not None

    @property
    def shown_notice(self) -> NoticeStatus | None:
        """Its public notice as pages and search tell it: none once it is withdrawn (its
        notice ended with it; the catalogue data keeps `notice`)."""
        return None if self.withdrawn else self.notice

    @property
    def publisher(self) -> str:
        return self.entry.publisher or self.unit.name

    def withdrawn_on(self, today: dt.date) -> dt.date | None:
        """The day its withdrawal is news (the feeds, the board sheet of its month): its
        date, when dated after the entry's; today, when dated later still (it is in
        force now); None when it is not withdrawn, or its day is not told."""
        w = self.entry.withdrawn
        return min(w.date, today) if w is not None and w.date and w.date > self.entry.date else None


@dataclass(frozen=True)
class Page:
    path: str                 # output path relative to the site root, always ends in .html/.xml/...
    template: str
    title: str
    data: dict[str, Any]
    inputs: frozenset[str]    # entry paths (content-relative) this page shows; "*" = every entry
    crumbs: tuple[tuple[str, str], ...] = ()  # (title, path) from home down to the parent
    bodies: frozenset[str] = frozenset()  # entries (among the inputs) whose body it shows


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    paths: tuple[str, ...]    # output path of each page, 1-based order


@dataclass
class Site:
    config: SiteConfig
    today: dt.date
    items: list[Item]                       # every published entry, newest first
    by_rel: dict[str, Item]
    by_unit: dict[str, list[Item]]
    by_unit_category: dict[tuple[str, str], list[Item]]
    pages: list[Page]
    supervision: Supervision | None = None
    ledger_series: dict[str, list[finance.LedgerSeries]] = field(default_factory=dict)  # by unit id
    annual: dict[int, tuple[AnnualRow, ...]] = field(default_factory=dict)  # 主动公开 counts by year
    boards: list[board.BoardSheet] = field(default_factory=list)

    def unit_url(self, unit_id: str) -> str:
        return f"{unit_id}/index.html"


def _newest_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.entry.date, i.entry.time or "", i.entry.rel), reverse=True)


def is_published(entry: Entry, today: dt.date) -> bool:
    return not entry.draft and entry.date <= today


def _index_no(entry: Entry, unit: Unit) -> str:
    digest = hashlib.sha1(entry.rel.encode("utf-8")).hexdigest()[:8].upper()
    return f"{unit.code or unit.id}-{entry.date.year}-{digest}"


def _entry_url(unit: str, category: str, stem: str) -> str:
    return f"{unit}/{category}/{stem}/index.html"


def _item(config: SiteConfig, e: Entry, today: dt.date) -> Item:
    """The entry as its page shows it, before it is linked to others."""
    unit, cat = config.units_by_id[e.unit], config.categories_by_id[e.category]
    notice = notices.notice_status(e, cat, today)
    withheld = notices.withholds_body(cat, notice)
    return Item(notices.withhold(e) if withheld or e.withdrawn else e, _entry_url(e.unit, e.category, e.stem),
                e.index_no or _index_no(e, unit), unit, cat, notice=notice, body_withheld=withheld)


def edited_item(site: Site, entry: Entry) -> Item | None:
    """An entry of `site` read again after an edit, as its page would show it with
    everything else as it was; None when the edit may move or unpublish its page or
    change how others link to it, which takes a whole build to show."""
    old = site.by_rel.get(entry.rel)
    if old is None or not is_published(entry, site.today) or entry.unit not in site.config.units_by_id \
            or entry.category not in site.config.categories_by_id:
        return None
    new = _item(site.config, entry, site.today)
    if (new.url, new.index_no, new.entry.date, new.entry.corrects, len(new.entry.ledgers)) != (
            old.url, old.index_no, old.entry.date, old.entry.corrects, len(old.entry.ledgers)):
        return None  # elsewhere, in another order, linked otherwise, or with other CSV files
    return dataclasses.replace(old, entry=new.entry, notice=new.notice, body_withheld=new.body_withheld)


def entry_page_data(item: Item, told: dict[str, str]) -> dict[str, Any]:
    """What an entry's page is given: the item, and, withdrawn, the board sheet that
    tells it (`told`: board.withdrawal_sheets), else its own month's, where it is marked
    so (to print: no archive page links a sheet of withdrawals alone)."""
    e = item.entry
    sheet = (told.get(e.rel) or board.sheet_path(item.unit.id, e.date.year, e.date.month)) if item.withdrawn else None
    return {"item": item, "withdrawal_sheet": sheet}


def published_items(config: SiteConfig, entries: list[Entry], today: dt.date) -> list[Item]:
    """The entries published on `today` as items, newest first, not yet linked to one
    another: all the search index needs of the model. The files of a list taken down when
    its notice ended (withdraw_after_notice: names) go down with it where another entry
    links them too. (Not those of a withdrawn entry: a file it shares with others, a
    policy all cite, stays theirs.)"""
    shown = [e for e in entries if is_published(e, today)]
    items = [_item(config, e, today) for e in shown]
    down = {a.source for e, i in zip(shown, items) if i.body_withheld for a in e.attachments}
    for i in items if down else ():
        if any(a.source in down for a in i.entry.attachments):
            i.entry = notices.without_files(i.entry, down)
    return _newest_first(items)


def build_site(config: SiteConfig, entries: list[Entry], today: dt.date,
               items: list[Item] | None = None, mistaken: frozenset[str] = frozenset()) -> tuple[Site, Problems]:
    """The site model of `entries` on `today`; `items`: their `published_items`, when
    made already (they are linked here); `mistaken`: the entry files (by path under
    content/) that could not be read for a mistake, told as such where named."""
    problems = Problems()
    for e in entries:
        if e.date > today:  # on purpose, or a year mistyped: either way the clerk should know
            problems.add(e.source, e.date_line, "dated_later", warning=True, date=e.date.isoformat())
        elif e.withdrawn and e.withdrawn.date and e.withdrawn.date > today:  # (withdrawn now all the same)
            problems.add(e.source, e.withdrawn.line, "withdrawn_dated_later", warning=True,
                         date=e.withdrawn.date.isoformat())
    items = published_items(config, entries, today) if items is None else items
    by_rel = {i.entry.rel: i for i in items}
    _check_index_numbers(items, problems)
    all_rels = {e.rel: e.title for e in entries}  # (an entry's 更正 may name another by its title)
    _link_corrections(items, by_rel, all_rels, mistaken, problems)
    for e in entries:
        if e.date > today and e.corrects and e.corrects not in all_rels:
            _corrects_unknown(e, all_rels, mistaken, problems)
    _tell_links_to_unpublished(items, by_rel, entries, mistaken, problems)

    by_unit: dict[str, list[Item]] = defaultdict(list)
    by_uc: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for i in items:
        by_unit[i.unit.id].append(i)
        by_uc[(i.unit.id, i.category.id)].append(i)
    for group in by_uc.values():  # newest first: the next (newer) one is before
        for newer, older in zip(group, group[1:]):
            older.next, newer.prev = newer, older

    site = Site(config, today, items, by_rel, dict(by_unit), dict(by_uc), [])
    _attach_accountability(site, entries, problems)
    site.pages.extend(_layout(site))
    site.pages.extend(_moved_pages(site))
    _check_paths(site.pages, problems)
    return site, problems


def _attach_accountability(site: Site, entries: list[Entry], problems: Problems) -> None:
    """Supervision figures, ledger series, git history and board sheets, onto the model."""
    cfg, today = site.config, site.today
    published = [e for e in entries if is_published(e, today)]
    site.supervision = accountability.supervise(cfg, published, today, WorkCalendar(cfg.holidays))
    for year in site.supervision.fallback_years:
        problems.add("site.yaml", None, "workdays_unknown_year", warning=True, year=year)
    for late in site.supervision.late_entries:
        site.by_rel[late.rel].late = late
    site.annual = accountability.annual_rows(cfg, published, site.supervision.late_rels, site.supervision.records)
    # The chain is checked over every ledger, those dated later too (a correction of
    # October that breaks November's opening is told now, not on November's day, when
    # it would stop that day's build).
    every = finance.ledger_series(entries, problems, cfg.categories_by_id)
    shown = [i.entry for i in site.items if not i.withdrawn and not i.body_withheld]
    # only shown ledgers are charted: made again of those when some are not (dated later, say)
    same = {e.rel for e in entries if e.ledgers and e.withdrawn is None} == {e.rel for e in shown if e.ledgers}
    for series in every if same else finance.ledger_series(shown, Problems(), cfg.categories_by_id):
        site.ledger_series.setdefault(series.unit, []).append(series)
    found = history.file_history(cfg.root, cfg.timezone, today)
    for i in site.items:
        i.history = history.online_dates(found.dates.get(i.entry.rel, ()), i.entry.date)
        i.former_urls = tuple(sorted({url for old in found.former.get(i.entry.rel, ())
                                      if (url := _former_url(cfg, i, old)) is not None} - {i.url}))
        if i.entry.ledgers and not i.withdrawn:
            i.ledger_files = finance.ledger_names(tuple(a.name for a in i.entry.attachments),
                                                  len(i.entry.ledgers))
    site.boards = board.board_sheets([(i.unit.id, i.entry.rel, i.entry.date, w := i.withdrawn_on(today),
                                       w is not None and w == i.entry.withdrawn.date) for i in site.items], today)


def _check_index_numbers(items: list[Item], problems: Problems) -> None:
    """An error for a 索引号 given twice; a note for an entry that repeats another's unit,
    category, title and date (a file copied and forgotten, published twice)."""
    seen: dict[str, Item] = {}
    same: dict[tuple, Item] = {}
    for i in sorted(items, key=lambda i: (copy_like(i.entry.rel), i.entry.rel)):  # (a copy's told)
        if i.index_no in seen:
            problems.add(i.entry.source, i.entry.line, "duplicate_index_no", index_no=i.index_no,
                         other=seen[i.index_no].entry.source)
        seen[i.index_no] = i
        first = same.setdefault((i.unit.id, i.category.id, i.entry.title, i.entry.date), i)
        if first is not i and i.entry.rel != first.entry.corrects and first.entry.rel != i.entry.corrects:
            problems.add(i.entry.source, i.entry.line, "duplicate_entry", warning=True, other=first.entry.source)


def _link_corrections(items: list[Item], by_rel: dict[str, Item], all_rels: dict[str, str], mistaken: frozenset[str],
                      problems: Problems) -> None:
    for i in items:
        target = i.entry.corrects
        if not target:
            continue
        if target == i.entry.rel:
            problems.add(i.entry.source, i.entry.corrects_line, "corrects_self", target=target)
            continue
        old = by_rel.get(target)
        if old is None:
            if target in all_rels:
                problems.add(i.entry.source, i.entry.corrects_line, "corrects_unpublished", target=target)
                continue
            _corrects_unknown(i.entry, all_rels, mistaken, problems)
            continue
        i.corrects = old
        old.corrected_by.append(i)
        if i.entry.formed is not None and i.entry.formed < old.entry.date:
            # the date the entry it corrects was formed, copied with its text: the correction
            # would count as published months after it was formed (late, to the supervisors)
            problems.add(i.entry.source, i.entry.corrects_line, "correction_formed_before", warning=True,
                         formed=i.entry.formed.isoformat(), date=old.entry.date.isoformat())


def _tell_links_to_unpublished(items: list[Item], by_rel: dict[str, Item], entries: list[Entry],
                               mistaken: frozenset[str], problems: Problems) -> None:
    """A note for each link to an entry not published today, a draft (read, the file
    is there, but left out of `entries`) or one dated later: its page shows the link's
    words alone until then (tester: nothing said so, and the clerk took it for a link
    residents could follow). A file that could not be read has its own error."""
    later = {e.rel: e for e in entries if e.rel not in by_rel}
    for i in items:
        for rel, line in zip(i.entry.entry_links, i.entry.entry_link_lines):
            if rel in by_rel or rel in mistaken:
                continue
            target = later.get(rel)
            if target is None:
                problems.add(i.entry.source, line, "entry_link_draft", warning=True, file=f"content/{rel}")
            else:
                problems.add(i.entry.source, line, "entry_link_later", warning=True, file=target.source,
                             date=target.date.isoformat())


def _corrects_unknown(entry: Entry, all_rels: dict[str, str], mistaken: frozenset[str], problems: Problems) -> None:
    """`entry`'s 更正 names no entry: told, with the path it may mean (of the one entry
    with that title, if it names one by its title; an entry dated later too, as its
    ledger is checked now: see finance.ledger_series); or names one that could not be
    read for a mistake of its own (told at its file: not offered another entry's path
    instead). `all_rels`: the title of every entry by its path."""
    if entry.corrects in mistaken:
        problems.add(entry.source, entry.corrects_line, "corrects_mistaken", target=entry.corrects)
        return
    others = all_rels.keys() - {entry.rel}
    titled = [rel for rel in others if all_rels[rel] == entry.corrects.strip()]
    if len(titled) == 1:  # (named by its title: it is there)
        problems.add(entry.source, entry.corrects_line, "corrects_by_title", target=entry.corrects, path=titled[0])
        return
    near = _nearest(entry.corrects, others)
    folder = entry.rel.rpartition("/")[0]  # (an example from its folder, not its own path)
    example = min((r for r in others if r.rpartition("/")[0] == folder), default=f"{folder}/2024-07-05-ledger.md")
    problems.add(entry.source, entry.corrects_line, "corrects_unknown_hint" if near else "corrects_unknown",
                 target=entry.corrects, suggestion=near[0] if near else "", example=example)


def _nearest(target: str, rels: set[str]) -> list[str]:
    """The entry a path to a missing one may mean (renamed, mistyped): by file name in
    its folder (the folder's part of the path would make any two alike), else by the
    whole path (its folder mistyped)."""
    folder, _, name = target.rpartition("/")
    beside = {rel.rpartition("/")[2]: rel for rel in rels if rel.rpartition("/")[0] == folder}
    if beside:
        return [beside[n] for n in difflib.get_close_matches(name, list(beside), n=1)]
    return difflib.get_close_matches(target, rels, n=1)


MOVED = "moved.html"  # the template of a page that sends on to an entry's page


def _former_url(cfg: SiteConfig, item: Item, old: str) -> str | None:
    """The address an entry had as file `old` (content-relative), as well as it can be
    told without the file as it was then: by the folders it was in when its address
    follows its folders now (else by its unit and category now); None for a name that
    was never published (one that breaks a web address), or folders that are no unit
    and category."""
    path = PurePosixPath(old)
    if is_unsafe_name(path.stem):
        return None
    unit, category = item.unit.id, item.category.id
    if PurePosixPath(item.entry.rel).parts[:-1] == (unit, category):
        if len(path.parts) != 3 or path.parts[0] not in cfg.units_by_id or path.parts[1] not in cfg.categories_by_id:
            return None
        unit, category = path.parts[0], path.parts[1]
    return _entry_url(unit, category, path.stem)


def _moved_pages(site: Site) -> list[Page]:
    """A page at each address an entry had under an earlier file name, sending on to its
    page: a link, a bookmark or the QR code on a sheet posted on the board keeps
    working when a clerk renames a file. Not where a page of this build is (another
    entry took the name), nor in the sitemap."""
    taken = {p.path for p in site.pages}
    pages = []
    for i in site.items:
        for path in i.former_urls:
            if path not in taken:
                taken.add(path)
                pages.append(Page(path, MOVED, i.entry.title, {"item": i}, frozenset({i.entry.rel})))
    return pages


def _check_paths(pages: list[Page], problems: Problems) -> None:
    seen: dict[str, Page] = {}
    for p in pages:
        if p.path in seen:
            problems.add(p.path, None, "path_clash", first=seen[p.path].title, second=p.title)
        seen[p.path] = p


def _paginate(base: str, items: list[Item], per_page: int) -> list[tuple[list[Item], Pagination]]:
    """Split items into pages: base/index.html, base/page/2/index.html, ..."""
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
    paths = tuple(f"{base}/index.html" if n == 1 else f"{base}/page/{n}/index.html"
                  for n in range(1, len(chunks) + 1))
    return [(chunk, Pagination(n + 1, len(chunks), paths)) for n, chunk in enumerate(chunks)]


def _rels(items: list[Item]) -> frozenset[str]:
    return frozenset(i.entry.rel for i in items)


def _layout(site: Site) -> list[Page]:
    cfg = site.config
    home = (cfg.title, "index.html")
    pages: list[Page] = []
    units = [(u, site.by_unit.get(u.id, [])) for u in cfg.units]
    many = len(units) > MANY_UNITS
    pages.append(Page("index.html", "home.html", cfg.title, {
        "units": [(u, [] if many else items[:LATEST_PER_UNIT], items[0].entry.date if items else None)
                  for u, items in units],
        "many_units": many,
        "latest": site.items[:LATEST_ON_HOME],
        "notices": notices.open_notices(site.items),
    }, frozenset({"*"})))

    groups: dict[str, list[Category]] = defaultdict(list)
    for c in cfg.categories:
        groups[c.group].append(c)
    pages.append(Page("category/index.html", "categories.html", "", {
        "groups": list(groups.items()),
        "counts": {c.id: sum(len(site.by_unit_category.get((u.id, c.id), [])) for u in cfg.units)
                   for c in cfg.categories},
    }, frozenset({"*"}), (home,)))

    for c in cfg.categories:
        per_unit = [(u, site.by_unit_category.get((u.id, c.id), [])) for u in cfg.units]
        per_unit = [(u, items) for u, items in per_unit if items]
        pages.append(Page(f"category/{c.id}/index.html", "category.html", c.name, {
            "category": c, "per_unit": [(u, items[:LATEST_PER_GROUP_OF_MANY if many else LATEST_PER_GROUP], len(items))
                                        for u, items in per_unit],
        }, _rels([i for _, items in per_unit for i in items]), (home, ("", "category/index.html"))))

    for u, items in units:
        pages.extend(_unit_pages(site, u, items, home))
    from .accountability_pages import accountability_pages  # it builds on this module's Page

    pages.extend(accountability_pages(site, home))
    if cfg.search:
        unit_years = [(u, sorted({i.entry.date.year for i in items}, reverse=True)) for u, items in units]
        pages.append(Page("search/index.html", "search.html", "", {
            "title_key": "search_title", "units": unit_years, "categories": cfg.categories,
            "years": sorted({i.entry.date.year for i in site.items}, reverse=True),
        }, frozenset({"*"}), (home,)))
    told = board.withdrawal_sheets(site.boards)
    for i in site.items:
        u_path = site.unit_url(i.unit.id)
        crumbs = (home, (i.unit.name, u_path), (i.category.name, f"{i.unit.id}/{i.category.id}/index.html"))
        neighbours = [n for n in (i.prev, i.next, i.corrects, *i.corrected_by) if n]
        pages.append(Page(i.url, "entry.html", i.entry.title, entry_page_data(i, told),
                          frozenset({i.entry.rel, *(n.entry.rel for n in neighbours), *i.entry.entry_links}),
                          crumbs, frozenset({i.entry.rel})))
    return pages


def _unit_pages(site: Site, u: Unit, items: list[Item], home: tuple[str, str]) -> list[Page]:
    cfg = site.config
    unit_crumb = (u.name, site.unit_url(u.id))
    years: dict[int, list[Item]] = defaultdict(list)
    for i in items:
        years[i.entry.date.year].append(i)
    cats = [(c, site.by_unit_category.get((u.id, c.id), [])) for c in cfg.categories]
    pages = [Page(site.unit_url(u.id), "unit.html", u.name, {
        "unit": u, "categories": [(c, its[:LATEST_PER_GROUP], len(its)) for c, its in cats],
        "years": sorted(years, reverse=True), "count": len(items),
        "updated": items[0].entry.date if items else None,
        "notices": notices.open_notices(items), "records": site.supervision.for_unit(u.id),
        "unstarted": [cfg.categories_by_id[c] for c in site.supervision.unstarted_in(u.id)],
        "stale": site.supervision.stale(u.id), "has_ledgers": u.id in site.ledger_series,
    }, _rels(items), (home,))]
    for c, its in cats:
        for chunk, pager in _paginate(f"{u.id}/{c.id}", its, cfg.per_page):
            title = c.name if pager.number == 1 else f"{c.name} ({pager.number}/{pager.count})"
            pages.append(Page(pager.paths[pager.number - 1], "unit_category.html", title, {
                "unit": u, "category": c, "items": chunk, "pager": pager, "total": len(its),
            }, _rels(its), (home, unit_crumb)))
    for year, its in sorted(years.items()):
        months: dict[int, list[Item]] = defaultdict(list)
        for i in its:
            months[i.entry.date.month].append(i)
        year_path = f"{u.id}/{year}/index.html"
        pages.append(Page(year_path, "archive_year.html", str(year), {
            "unit": u, "year": year, "months": sorted(months.items(), reverse=True),
        }, _rels(its), (home, unit_crumb)))
        for month, m_items in months.items():
            pages.append(Page(f"{u.id}/{year}/{month:02d}/index.html", "archive_month.html",
                              f"{year}-{month:02d}", {"unit": u, "year": year, "month": month,
                                                      "items": m_items},
                              _rels(m_items), (home, unit_crumb, (str(year), year_path))))
    return pages
