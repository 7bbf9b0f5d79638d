"""Stage 4: render each page of the site model with Jinja2.

Templates come from the ordered theme path (site theme, then built-in) and are
compiled once, then kept in the build cache until they change. `StrictUndefined`
makes a misspelt variable an error, not an empty string. Every link in a page is
relative (`url('dongzhuang/index.html')` from the page being rendered), so the output
works from file://, under any sub-path and on any host. Templates receive plain data:
the page, the site model, and the interface words of the site language as `t`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any, Callable, Iterable

import jinja2
from markupsafe import Markup

from .board import qr_svg
from .cache import Cache
from .changes import code_fingerprint
from .i18n import Strings, load_strings
from .ledger import PLACEHOLDER_RE, Ledger, combined
from .markup import caption_tables, fill_missing_alt, local_refs, replace_refs
from .model import Item, Page, Site
from .theme import asset_files, template_dirs

_ENTRY_LINK = re.compile(r'<a href="sb-entry:([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S)


def relative(target: str, from_page: str) -> str:
    """The relative URL of output path `target` as seen from output path `from_page`.

    Up to the site root, then down: always right, from file:// and under any sub-path,
    and far cheaper than os.path.relpath on every link. A file beside the page (an
    attachment) is linked by its name alone."""
    if target.startswith(("http://", "https://", "mailto:", "tel:", "#")):
        return target
    folder = from_page.rpartition("/")[0]
    if folder and target.startswith(folder + "/"):
        return target[len(folder) + 1:]
    return "../" * from_page.count("/") + target


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


def format_status(record: Any, strings: Strings) -> str:
    """A unit × category's standing (accountability.CadenceRecord): 按时, 有 N 期迟报,
    未到期, 逾期 N 天 or 缺 N 期, on the pages and in check --supervision."""
    t = strings.ui
    if record.shown_status == "late":
        return t["status_late"].format(count=len(record.late_periods))
    if record.status == "ok":  # (nothing due yet: none was late, but none was on time either)
        return t["status_ok"] if record.expected else t["status_not_due"]
    if record.status == "overdue":
        return t["status_overdue"].format(days=record.overdue_days)
    return t["status_missing"].format(count=len(record.missing_periods))


def format_late_periods(late: Iterable[Any], strings: Strings) -> str:
    """Scheduled periods published after their due date (accountability.LatePeriod),
    each with how late: 2025年9月晚 15 天、…, on the pages and in check --supervision."""
    return strings.ui["list_sep"].join(strings.ui["late_period"].format(
        period=format_period(p.period, strings), days=p.days_late) for p in late)


def format_money(value: Any) -> str:
    return f"{value:,.2f}"


def format_figures(found: Iterable[Ledger], strings: Strings) -> str:
    """Ledgers' opening, income, expense and closing in one line (ledger.combined), above
    a ledger's table and on the 公开栏 sheet."""
    figures = combined(list(found))
    return strings.ui["ledger_figures"].format(**{k: format_money(v) for k, v in figures.items()})


def format_size(size: int, strings: Strings) -> str:
    """A file's size: bytes in the site's language, then kB, MB as Jinja gives them."""
    return strings.ui["size_bytes"].format(n=size) if size < 1000 else jinja2.filters.do_filesizeformat(size)


def css_string(text: str) -> Markup:
    """`text` as a CSS string, quoted, to stand in a <style> element (the running head
    of a printed page): every ASCII character but letters, digits and the space as a
    hex escape, so that no quote, backslash, line break or </style> in a clerk's title
    can end the string or the element. Given markup (a block's output), its text."""
    plain = text.unescape() if isinstance(text, Markup) else str(text)
    return Markup('"' + "".join(c if c.isalnum() or c == " " or ord(c) > 0x7F and c.isprintable()
                                else f"\\{ord(c):x} " for c in plain) + '"')


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the build cache, so that neither a rebuild nor the
    Traditional copy's renderer compiles them again. Jinja checks each against its
    template's source and its own version; the code's fingerprint, kept in front,
    stands for the environment's options, which shape the compiled code too."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.stamp = code_fingerprint().encode("ascii")

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.read(bucket.key)
        if data is not None and data.startswith(self.stamp):
            bucket.bytecode_from_string(data[len(self.stamp):])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.write(bucket.key, self.stamp + bucket.bytecode_to_string())


class _Words:
    """The interface words as templates use them: `t.key` (an attribute, found at the
    first try; on a dict Jinja first tries and fails getattr, thousands of times a
    page) and `t[key]`. A missing word is an error, as with StrictUndefined."""

    def __init__(self, words: dict[str, str]) -> None:
        self.__dict__.update(words)

    def __getitem__(self, key: str) -> str:
        return self.__dict__[key]


class Renderer:
    """Renders pages of one site. Create once per build; templates are compiled once."""

    def __init__(self, site: Site, language: str | None = None, prefix: str = "",
                 alternate: tuple[str, str, str] | None = None):
        """`language` overrides the site's for the interface words; `prefix` puts every
        page under a folder (the Traditional-script copy: "zh-hant/"), where links to
        pages go to the pages under the prefix and links to everything else (assets,
        attachments, the search index, data files) to the one shared copy; `alternate`
        is (prefix, label, html lang) of the same pages in the other script, linked from
        each page's header."""
        self.site = site
        self.strings = load_strings(language or site.config.language)
        self.prefix = prefix
        self.alternate = alternate
        self._pages = {p.path for p in site.pages} if prefix else set()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(site.config)]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=True,
            bytecode_cache=_CompiledTemplates(Cache(site.config.root, "templates")),
            auto_reload=False)  # one build, one set of templates: no stat per page
        # pass_context: Jinja then never computes them while compiling (a literal's
        # result would be kept with the compiled template, in one language)
        self.env.filters["date"] = jinja2.pass_context(lambda _, d: format_date(d, self.strings))
        self.env.filters["period"] = jinja2.pass_context(lambda _, p: format_period(p, self.strings))
        self.env.filters["status"] = jinja2.pass_context(lambda _, r: format_status(r, self.strings))
        self.env.filters["late_periods"] = jinja2.pass_context(lambda _, x: format_late_periods(x, self.strings))
        self.env.filters["money"] = format_money
        self.env.filters["figures"] = jinja2.pass_context(lambda _, found: format_figures(found, self.strings))
        self.env.filters["size"] = jinja2.pass_context(lambda _, n: format_size(n, self.strings))
        self.env.filters["qr"] = qr_svg
        self.env.filters["css_string"] = css_string
        # An asset's address names its bytes (style.css?v=…): a browser that kept the
        # file of an earlier build asks again when it changed, not days later.
        self._assets = {name: hashlib.sha1(path.read_bytes()).hexdigest()[:10]
                        for name, path in asset_files(site.config).items()}
        self.env.globals.update(site=site, config=site.config, t=_Words(self.strings.ui),
                                html_lang=self.strings.html_lang, today=site.today,
                                alternate=None, page_path="")

    def render(self, page: Page) -> bytes:
        template = self.env.get_template(page.template)
        out = self.prefix + page.path
        url = self._url_for(out)
        alternate = None
        if self.alternate:
            other, label, lang = self.alternate
            alternate = {"href": relative(other + page.path, out), "label": label, "lang": lang}
        html = template.render(page=page, url=url, body=lambda item: self.body_parts(item, url),
                               asset=lambda name: f"{url('assets/' + name)}?v={self._assets[name]}",
                               page_path=out, alternate=alternate, **page.data)
        return html.encode("utf-8")

    def _url_for(self, page_path: str) -> Callable[[str], str]:
        if not self.prefix:
            return lambda target: relative(target, page_path)
        pages, prefix = self._pages, self.prefix

        def url(target: str) -> str:
            return relative(prefix + target if target.partition("#")[0] in pages else target, page_path)
        return url

    def body_parts(self, item: Item, url: Callable[[str], str]) -> list[tuple[str, Ledger | None]]:
        """The body HTML split around its ledgers, with links to other entries resolved,
        every table captioned and every image given a text alternative."""
        html = item.entry.html
        if self.prefix:  # files beside the entry are shared: link them from the copy
            html = replace_refs(html, {ref: url(f"{item.dir}/{ref}") for ref in local_refs(html)})
        html = _ENTRY_LINK.sub(lambda m: self._entry_link(m, url), html)
        ui = self.strings.ui
        html = fill_missing_alt(caption_tables(html, ui["table_fallback"], ui["swipe_hint_table"]), ui["image_alt"])
        parts: list[tuple[str, Ledger | None]] = []
        last = 0
        for m in PLACEHOLDER_RE.finditer(html):
            parts.append((html[last:m.start()], item.entry.ledgers[int(m.group(1))]))
            last = m.end()
        parts.append((html[last:], None))
        return parts

    def _entry_link(self, m: re.Match, url: Callable[[str], str]) -> str:
        target = self.site.by_rel.get(m.group(1))
        if target is None:  # not published (yet): keep the words, drop the link
            return m.group(4)
        return f'<a href="{url(target.url)}{m.group(2) or ""}"{m.group(3)}>{m.group(4)}</a>'
