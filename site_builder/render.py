"""Stage 4: render each page of the site model with Jinja2.

Templates come from the ordered theme path (site theme, then built-in) and are
compiled once per build. `StrictUndefined` makes a misspelt variable an error, not an
empty string. Every link in a page is relative (`url('dongzhuang/index.html')` from
the page being rendered), so the output works from file://, under any sub-path and on
any host. Templates receive plain data: the page, the site model, and the interface
words of the site language as `t`.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
from typing import Any, Callable

import jinja2

from .i18n import Strings, load_strings
from .ledger import Ledger
from .model import Item, Page, Site
from .theme import template_dirs

_LEDGER = re.compile(r"<p>SITEBUILDERLEDGER(\d+)END</p>")
_ENTRY_LINK = re.compile(r'<a href="sb-entry:([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S)


def relative(target: str, from_page: str) -> str:
    """The relative URL of output path `target` as seen from output path `from_page`."""
    if target.startswith(("http://", "https://", "mailto:", "tel:", "#")):
        return target
    path, _, fragment = target.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(from_page) or ".")
    return rel + (f"#{fragment}" if fragment else "")


def format_date(day: dt.date | None, strings: Strings) -> str:
    if day is None:
        return ""
    return strings.ui["date_format"].format(y=day.year, m=day.month, d=day.day)


def format_period(period: str | None, strings: Strings) -> str:
    if not period:
        return ""
    if "-Q" in period:
        y, q = period.split("-Q")
        return strings.ui["period_quarter"].format(y=y, q=q)
    if "-" in period:
        y, m = period.split("-")
        return strings.ui["period_month"].format(y=y, m=int(m))
    return strings.ui["period_year"].format(y=period)


def format_money(value: Any) -> str:
    return f"{value:,.2f}"


class Renderer:
    """Renders pages of one site. Create once per build; templates are compiled once."""

    def __init__(self, site: Site):
        self.site = site
        self.strings = load_strings(site.config.language)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(site.config)]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters["date"] = lambda d: format_date(d, self.strings)
        self.env.filters["period"] = lambda p: format_period(p, self.strings)
        self.env.filters["money"] = format_money
        self.env.globals.update(site=site, config=site.config, t=self.strings.ui,
                                html_lang=self.strings.html_lang, today=site.today)

    def render(self, page: Page) -> bytes:
        template = self.env.get_template(page.template)
        url = self._url_for(page.path)
        html = template.render(page=page, url=url, body=lambda item: self.body_parts(item, url),
                               **page.data)
        return html.encode("utf-8")

    @staticmethod
    def _url_for(page_path: str) -> Callable[[str], str]:
        return lambda target: relative(target, page_path)

    def body_parts(self, item: Item, url: Callable[[str], str]) -> list[tuple[str, Ledger | None]]:
        """The body HTML split around its ledgers, with links to other entries resolved."""
        html = _ENTRY_LINK.sub(lambda m: self._entry_link(m, url), item.entry.html)
        parts: list[tuple[str, Ledger | None]] = []
        last = 0
        for m in _LEDGER.finditer(html):
            parts.append((html[last:m.start()], item.entry.ledgers[int(m.group(1))]))
            last = m.end()
        parts.append((html[last:], None))
        return parts

    def _entry_link(self, m: re.Match, url: Callable[[str], str]) -> str:
        target = self.site.by_rel.get(m.group(1))
        if target is None:  # not published (yet): keep the words, drop the link
            return m.group(4)
        return f'<a href="{url(target.url)}{m.group(2) or ""}"{m.group(3)}>{m.group(4)}</a>'
