"""`site-builder archive`: one year's disclosures as a self-contained zip for filing (立卷归档).

The zip holds the entry pages of the year (of one unit, or of all), rendered exactly as
the site shows them on `today` but with the style sheet included in each page, links
to pages outside the zip made inert and no search box, so every page opens offline
from file://; beside each page its attachments and ledger CSVs; an `index.html`
listing them; and the catalogue (卷内目录) as a CSV: number, 索引号, title, 文号,
publisher, dates, period, page file and attachments. Members are sorted and dated
`today`, so the same input gives the same bytes.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import posixpath
import re
import zipfile
from pathlib import Path

from .build import load_site
from .errors import Problems, SiteError
from .exports import ledger_csvs
from .i18n import Listed, load_strings
from .model import Item, Page, Site
from .render import Renderer
from .theme import asset_files

_STYLESHEET = re.compile(r'<link rel="stylesheet" href="[^"]*assets/style\.css(?:\?v=\w+)?">')
_LINK = re.compile(r'<a ([^>]*?)href="([^"]*)"')


def _items(site: Site, year: int, unit: str | None) -> list[Item]:
    chosen = [i for i in site.items if i.entry.date.year == year and (unit is None or i.unit.id == unit)]
    return sorted(chosen, key=lambda i: (i.entry.date, i.entry.time or "", i.entry.rel))


def _offline(html: str, page_path: str, css: str, members: set[str]) -> str:
    """Include the style sheet; drop the href of links to pages that are not in the zip."""
    html = _STYLESHEET.sub(lambda m: f"<style>\n{css}</style>", html, count=1)

    def link(m: re.Match) -> str:
        href = m.group(2)
        if re.match(r"^(https?:|mailto:|tel:|#)", href):
            return m.group(0)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href.split("#")[0]))
        if target in members or f"{target}/index.html" in members:
            return m.group(0)
        return f"<a {m.group(1)}".rstrip() if m.group(1) else "<a"

    return _LINK.sub(link, html)


def _catalogue(site: Site, items: list[Item]) -> bytes:
    t = load_strings(site.config.language).ui
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([t["archive_no"], t["index_no"], t["col_title"], t["doc_no"], t["publisher"],
                t["date_formed"], t["date_published"], t["period"], t["archive_page"], t["archive_files"],
                t["archive_remarks"]])
    for n, i in enumerate(items, 1):
        e = i.entry
        files = [a.name for a in e.attachments] + list(i.ledger_files)
        w.writerow([n, i.index_no, e.title, e.doc_no or "", i.publisher,
                    e.formed.isoformat() if e.formed else "", e.date.isoformat(), e.period or "",
                    i.url, "；".join(files), t["list_sep"].join(_remarks(i, t))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _remarks(i: Item, t: dict[str, str]) -> list[str]:
    """What a filing clerk must know of an entry besides its catalogue data: withdrawn
    (when, why), its body taken down after its notice, what it corrects or is corrected by."""
    out = []
    if i.withdrawn:
        w = i.entry.withdrawn
        out.append(t["remark_withdrawn"].format(date=w.date.isoformat() if w.date else "", reason=w.reason))
    if i.body_withheld:
        out.append(t["remark_withheld"])
    if i.corrects:
        out.append(t["remark_corrects"].format(index_no=i.corrects.index_no))
    out += [t["remark_corrected"].format(index_no=c.index_no) for c in i.corrected_by]
    return out


def build_archive(site: Site, year: int, unit: str | None = None) -> tuple[dict[str, bytes], int]:
    """The zip's members (path -> bytes) and the number of entries in it."""
    items = _items(site, year, unit)
    strings = load_strings(site.config.language)
    # (no search box: the zip holds no index, and a form is no link `_offline` could make inert)
    renderer = Renderer(dataclasses.replace(site, config=dataclasses.replace(site.config, search=False)))
    css = asset_files(site.config)["style.css"].read_text(encoding="utf-8")
    pages = {p.path: p for p in site.pages}
    members: dict[str, bytes] = {}
    for i in items:
        for a in i.entry.attachments:
            members[f"{i.dir}/{a.name}"] = a.source.read_bytes()
        members.update(ledger_csvs(site, i))
    names = {i.url for i in items} | set(members) | {"index.html"}
    for i in items:
        members[i.url] = _offline(renderer.render(pages[i.url]).decode("utf-8"), i.url, css,
                                  names).encode("utf-8")
    unit_name = site.config.units_by_id[unit].name if unit else site.config.publisher
    title = strings.ui["archive_title"].format(unit=unit_name, y=year)
    index = Page("index.html", "archive_index.html", title,
                 {"items": items, "year": year, "catalogue": strings.ui["archive_catalogue_file"]},
                 frozenset(i.entry.rel for i in items))
    members["index.html"] = _offline(renderer.render(index).decode("utf-8"), "index.html", css,
                                     names | {strings.ui["archive_catalogue_file"]}).encode("utf-8")
    members[strings.ui["archive_catalogue_file"]] = _catalogue(site, items)
    return members, len(items)


def write_archive(root: Path, year: int, unit: str | None, output: Path | None,
                  today: dt.date | None) -> tuple[Path, int]:
    """Build the zip for `year` (and `unit`) of the site in `root`. Raises SiteError."""
    site, problems = load_site(root, today)
    if site is None or problems.errors:
        raise SiteError(problems)
    if unit is not None and unit not in site.config.units_by_id:
        found = Problems()
        found.add("site.yaml", None, "archive_unknown_unit", unit=unit,
                  known=Listed(site.config.units_by_id))
        raise SiteError(found)
    members, count = build_archive(site, year, unit)
    if count == 0:
        found = Problems()
        found.add(str(root), None, "archive_empty", year=year)
        raise SiteError(found)
    output = output or Path(f"archive-{year}{'-' + unit if unit else ''}.zip")
    stamp = (site.today.year, site.today.month, site.today.day, 0, 0, 0)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name])
    return output, count
