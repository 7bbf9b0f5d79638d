"""The pages that show the accountability figures, laid out from the site model.

`accountability_pages` adds to the site: the supervision page `supervision/index.html`
(units × scheduled categories, late entries, stale units), one annual report page per
year with entries or periods missing (`supervision/annual-YYYY/index.html`), a finance overview per unit
with ledgers (`<unit>/ledgers/index.html`, a table and an inline SVG chart made here)
and a printable bulletin-board sheet per unit and month (`<unit>/board/YYYY-MM/`).
It only arranges data already computed by `model.build_site`; titles and chart labels
come from the site language's strings file.
"""
from __future__ import annotations

import datetime as dt

from .accountability import counted_to
from .feeds import page_url
from .finance import bar_chart
from .i18n import load_strings
from .model import Item, Page, Site
from .render import format_money, format_period


def _chart_labels(periods: list[str], t: dict[str, str]) -> list[tuple[str, str]]:
    """A short label under each bar, with the year under the first bar and each new year."""
    out, year = [], None
    for p in periods:
        if "-Q" in p:
            main = t["chart_quarter"].format(q=p[-1])
        elif "-" in p:
            main = t["chart_month"].format(m=int(p[5:7]))
        else:
            main = p
        out.append((main, p[:4] if p[:4] != year and "-" in p else ""))
        year = p[:4]
    return out


def accountability_pages(site: Site, home: tuple[str, str]) -> list[Page]:
    cfg, sv = site.config, site.supervision
    strings = load_strings(cfg.language)
    t = strings.ui
    sup_path = "supervision/index.html"
    scheduled = [c for c in cfg.categories if c.due_after is not None]
    records = {(r.unit, r.category): r for r in sv.records}
    matrix = [(u, [(c, records.get((u.id, c.id))) for c in scheduled]) for u in cfg.units]
    pages = [Page(sup_path, "supervision.html", t["supervision_title"], {
        "supervision": sv, "categories": scheduled, "matrix": matrix,
        "failing": sv.failing, "years": sorted(site.annual, reverse=True),
    }, frozenset({"*"}), (home,))]

    for year, rows in site.annual.items():
        totals = [sum(getattr(r, k) for r in rows) for k in ("published", "late", "missing", "corrections")]
        so_far = counted_to(year, site.today) < dt.date(year, 12, 31)
        data = {"year": year, "rows": rows, "totals": totals, "so_far": so_far}
        # (every entry: the periods of a year missing depend on entries of other years, a
        # backfill dated later or a unit's first entry, that made it owe from then)
        pages.append(Page(f"supervision/annual-{year}/index.html", "annual.html",
                          t["annual_title"].format(y=year), data, frozenset({"*"}),
                          (home, (t["supervision_title"], sup_path))))

    for unit in cfg.units:
        unit_crumb = (unit.name, site.unit_url(unit.id))
        series_list = site.ledger_series.get(unit.id, [])
        if series_list:
            charts = []
            for n, series in enumerate(series_list):
                labels = _chart_labels([r.period for r in series.rows], t)
                title = t["finance_chart_title"].format(
                    unit=unit.name, category=cfg.categories_by_id[series.category].name)
                first, last = series.rows[0].period, series.rows[-1].period
                desc = t["finance_chart_desc"].format(
                    first=format_period(first, strings), last=format_period(last, strings),
                    income=format_money(series.income), expense=format_money(series.expense))
                charts.append((series, cfg.categories_by_id[series.category],
                               bar_chart(series, title, desc, labels, t["income"], t["expense"],
                                         f"chart-{n + 1}")))
            pages.append(Page(f"{unit.id}/ledgers/index.html", "finance.html",
                              t["finance_title"].format(unit=unit.name),
                              {"unit": unit, "charts": charts},
                              frozenset(r.rel for s in series_list for r in s.rows), (home, unit_crumb)))
    for sheet in site.boards:
        unit = cfg.units_by_id[sheet.unit]
        # (a year page, when the month has entries: a sheet of withdrawals alone, which
        # shows no entry of that year, would depend on others for its crumbs)
        year_crumb = (t["year_label"].format(y=sheet.year), f"{unit.id}/{sheet.year}/index.html")
        lines, withdrawals = _sheet_lines(site, sheet.rels), _sheet_lines(site, sheet.withdrawals)
        pages.append(Page(sheet.path, "board.html",
                          t["board_title"].format(unit=unit.name, y=sheet.year, m=sheet.month),
                          {"unit": unit, "year": sheet.year, "month": sheet.month, "lines": lines,
                           "withdrawals": withdrawals, "with_qr": sheet.with_qr},
                          frozenset(sheet.rels + sheet.withdrawals),
                          (home, (unit.name, site.unit_url(unit.id)))
                          + ((year_crumb,) if sheet.rels else ())))
    return pages


def _sheet_lines(site: Site, rels: tuple[str, ...]) -> list[tuple[Item, str | None]]:
    """Each entry of a board sheet, with its address online when the site has one."""
    items = [site.by_rel[rel] for rel in rels]
    return [(i, page_url(site, i.url) if site.config.base_url else None) for i in items]
