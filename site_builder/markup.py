"""Markdown to safe HTML for entry bodies.

One `Markdown` instance is reused (reset between entries: building a converter costs
more than most entries). Tables, footnotes, fenced code and heading anchors (toc with
Unicode slugs, so Chinese headings get readable ids) are on. Raw HTML a clerk pastes
is sanitized with nh3 (the Ammonia sanitizer): no script, no event handlers, no
javascript: URLs. `local_refs` lists the relative links and images in the HTML so the
reader can check them and the site can copy the files they point to.
"""
from __future__ import annotations

import html as htmllib
import re

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
         "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
         "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
         "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "figure",
         "figcaption", "section"}
_ATTRS = {"*": {"id", "title", "class"}, "a": {"href"}, "img": {"src", "alt", "width", "height"},
          "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"},
          "ol": {"start"}}
_REF = re.compile(r'(?P<attr>href|src)="(?P<url>[^"]*)"')
_IMG = re.compile(r"<img\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")


class MarkdownRenderer:
    """Converts entry Markdown to sanitized HTML; create one per process and reuse it."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["tables", "footnotes", "fenced_code", "sane_lists", "toc"],
            extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-4"},
                               "footnotes": {"BACKLINK_TITLE": "↩ %d"}},
            output_format="html",
        )

    def convert(self, text: str) -> str:
        self._md.reset()
        raw = self._md.convert(text)
        return nh3.clean(raw, tags=_TAGS, attributes=_ATTRS, url_schemes={"http", "https", "mailto", "tel"},
                         link_rel="noopener noreferrer", strip_comments=True)


def local_refs(html: str) -> list[str]:
    """Relative URLs in href/src attributes (not absolute, not pure #anchors)."""
    out = []
    for m in _REF.finditer(html):
        url = htmllib.unescape(m.group("url"))
        if url and not url.startswith(("#", "/")) and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
            out.append(url)
    return out


def replace_refs(html: str, mapping: dict[str, str]) -> str:
    """Rewrite href/src values found in `mapping` (keys as returned by local_refs)."""
    def sub(m: re.Match) -> str:
        url = htmllib.unescape(m.group("url"))
        new = mapping.get(url)
        return m.group(0) if new is None else f'{m.group("attr")}="{htmllib.escape(new)}"'
    return _REF.sub(sub, html)


def images_without_alt(html: str) -> list[str]:
    """The src of every <img> with no or empty alt text."""
    out = []
    for tag in _IMG.findall(html):
        alt = re.search(r'\balt="([^"]*)"', tag)
        if not alt or not alt.group(1).strip():
            src = re.search(r'\bsrc="([^"]*)"', tag)
            out.append(htmllib.unescape(src.group(1)) if src else "")
    return out


def plain_text(html: str) -> str:
    """Visible text of an HTML fragment, whitespace folded."""
    return re.sub(r"\s+", " ", htmllib.unescape(_TAG.sub(" ", html))).strip()
