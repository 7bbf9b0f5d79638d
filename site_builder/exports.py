"""Open data files: the same figures the pages show, for the county office's own tools.

`data/supervision.json` (one record per unit × scheduled category, the pairs never
published by a unit without `since`, the entries late against the working-day rule,
stale units), `data/annual-YYYY.csv` (主动公开 counts per unit and category, with the
day they are counted to), `data/entries.json` (the catalogue of every published entry),
and (`ledger_csvs`) a CSV of each ledger beside its entry page. Pure functions of the
site model returning (path, bytes); keys and rows are in a fixed order, so the same
input gives the same bytes. CSV files are UTF-8 with a byte-order mark, which Excel on
Chinese Windows needs. They show of an entry only what its face covers (see
`cache.PageFingerprints`: nothing of its body or its files' bytes), so a rebuild after
which no entry's face changed keeps the files but the ledger CSVs as the last build
wrote them (see `build._OpenData`).
"""
from __future__ import annotations

import csv
import io
import json
from functools import partial
from typing import Any, Callable, Iterator

from .accountability import counted_to
from .feeds import page_url
from .i18n import load_strings
from .ledger import Ledger
from .model import Item, Site


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json_lines(records: list[Any]) -> str:
    """A list with one record per line: as easy to read and diff as an indented file,
    and written by json's C encoder (indented output goes through its slow Python one)."""
    return "[\n" + ",\n".join(map(_ENCODE, records)) + "\n]" if records else "[]"


def _json(fields: dict[str, Any]) -> bytes:
    """An object with a field per line, its lists one record per line."""
    lines = ",\n".join(f"{_ENCODE(k)}: {_json_lines(v) if isinstance(v, list) else _ENCODE(v)}"
                        for k, v in fields.items())
    return f"{{\n{lines}\n}}\n".encode("utf-8")


def _day(d: Any) -> str | None:
    return d.isoformat() if d else None


def _link(site: Site, item: Item) -> str:
    path = item.url[: -len("index.html")]
    return page_url(site, item.url) if site.config.base_url else path


def ledger_csv(ledger: Ledger, balance: str, opening: str, closing: str) -> bytes:
    """The ledger's table as its page shows it: the computed balance last, the date in
    one form, amounts with two decimals."""
    blank = [""] * (len(ledger.columns) - 1)
    rows: list[list[Any]] = [[*(ledger.header[k] for k in ledger.columns), balance],
                             [opening, *blank, f"{ledger.opening:.2f}"]]
    for row in ledger.rows:
        cells = list(row.cells)
        cells[0] = row.day.isoformat() if row.day else cells[0]
        cells[2] = f"{row.income:.2f}" if cells[2] else ""
        cells[3] = f"{row.expense:.2f}" if cells[3] else ""
        rows.append([*(cells[k] for k in ledger.columns), f"{row.balance:.2f}"])
    rows.append([closing, *blank, f"{ledger.closing:.2f}"])
    return _csv(rows)


def _entry_ref(site: Site, rel: str) -> dict[str, Any]:
    item = site.by_rel[rel]
    return {"index_no": item.index_no, "title": item.entry.title, "url": _link(site, item)}


def supervision_json(site: Site) -> bytes:
    sv = site.supervision
    cfg = site.config
    records = []
    for r in sv.records:
        records.append({
            "unit": r.unit, "unit_name": cfg.units_by_id[r.unit].name,
            "category": r.category, "category_name": cfg.categories_by_id[r.category].name,
            "cadence": r.cadence, "status": r.status, "first_period": r.first_period,
            "last_period": r.last_period, "expected_periods": r.expected,
            "missing_periods": list(r.missing_periods), "overdue_days": r.overdue_days,
            "next_due": _day(r.next_due),
            "late_periods": [{"period": p.period, "due": _day(p.due), "published": _day(p.published),
                              "days_late": p.days_late, "entry": _entry_ref(site, p.rel)}
                             for p in r.late_periods],
            "late_entries": [_entry_ref(site, rel) for rel in r.late_entries],
        })
    late = [{**_entry_ref(site, x.rel), "unit": x.unit, "category": x.category,
             "formed": _day(x.formed), "deadline": _day(x.deadline), "published": _day(x.published),
             "limit_workdays": x.limit, "workdays_late": x.workdays_late} for x in sv.late_entries]
    short = [{**_entry_ref(site, x.rel), "unit": x.unit, "category": x.category, "start": _day(x.start),
              "until": _day(x.until), "days": x.days, "least_days": x.least} for x in sv.short_notices]
    stale = [{"unit": s.unit, "unit_name": cfg.units_by_id[s.unit].name,
              "last_update": _day(s.last_update), "days": s.days} for s in sv.stale_units]
    never = [{"unit": u, "unit_name": cfg.units_by_id[u].name, "category": c,
              "category_name": cfg.categories_by_id[c].name} for u, c in sv.unstarted]
    return _json({"today": _day(sv.today), "workdays_fallback_years": list(sv.fallback_years),
                  "records": records, "never_published": never, "late_entries": late, "short_notices": short,
                  "stale_units": stale})


def annual_csv(site: Site, year: int) -> bytes:
    t = load_strings(site.config.language).ui
    cfg = site.config
    rows: list[list[Any]] = [[t["col_year"], t["col_unit_id"], t["col_unit"], t["col_category_id"],
                              t["category"], t["col_count_published"], t["col_count_late"],
                              t["col_count_missing"], t["col_count_corrections"], t["col_as_of"]]]
    as_of = _day(counted_to(year, site.today))
    for r in site.annual[year]:
        rows.append([r.year, r.unit, cfg.units_by_id[r.unit].name, r.category,
                     cfg.categories_by_id[r.category].name, r.published, r.late, r.missing, r.corrections, as_of])
    return _csv(rows)


def entries_json(site: Site) -> bytes:
    out = []
    for item in sorted(site.items, key=lambda i: (i.entry.date, i.entry.rel)):
        e = item.entry
        out.append({
            "index_no": item.index_no, "title": e.title, "unit": item.unit.id,
            "unit_name": item.unit.name, "category": item.category.id,
            "category_name": item.category.name, "date": _day(e.date), "formed": _day(e.formed),
            "period": e.period, "doc_no": e.doc_no, "publisher": item.publisher,
            "notice_until": _day(item.notice.until) if item.notice else None,
            "withdrawn": item.withdrawn,
            # (when and why, as its page tells them: a supervisor checks a withdrawal's reason)
            "withdrawn_date": _day(e.withdrawn.date) if e.withdrawn else None,
            "withdrawn_reason": (e.withdrawn.reason or None) if e.withdrawn else None,
            "body_withheld": item.body_withheld,
            "corrects": item.corrects.index_no if item.corrects else None,
            "url": _link(site, item),
            "ledgers": [f"{item.dir}/{name}" for name in item.ledger_files],
        })
    return (_json_lines(out) + "\n").encode("utf-8")


def _data_makers(site: Site) -> list[tuple[str, Callable[[], bytes]]]:
    """(output path, what makes its bytes) of every open-data file but the ledger CSVs:
    one list, so that their paths are known without making them (`data_paths`)."""
    return [("data/supervision.json", partial(supervision_json, site)),
            ("data/entries.json", partial(entries_json, site)),
            *((f"data/annual-{year}.csv", partial(annual_csv, site, year)) for year in site.annual)]


def data_paths(site: Site) -> list[str]:
    """The output path of every file `data_files` gives, in its order."""
    return [path for path, _ in _data_makers(site)]


def data_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Every open-data file of the site but the ledger CSVs, as (output path, bytes)."""
    for path, make in _data_makers(site):
        yield path, make()


def ledger_paths(item: Item) -> list[str]:
    """The output path of the CSV of each of an entry's ledgers: beside its page."""
    return [f"{item.dir}/{name}" for name in item.ledger_files]


def ledger_csvs(site: Site, item: Item) -> Iterator[tuple[str, bytes]]:
    """The CSV of each of an entry's ledgers, as (output path, bytes)."""
    t = load_strings(site.config.language).ui
    for path, lg in zip(ledger_paths(item), item.entry.ledgers):
        yield path, ledger_csv(lg, t["balance"], t["opening_balance"], t["closing_balance"])
