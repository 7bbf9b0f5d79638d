"""Markdown to safe HTML for entry bodies.

One `Markdown` instance is reused (reset between entries: building a converter costs
more than most entries). Tables, footnotes and fenced code are on. Headings get anchors
(Unicode slugs, so Chinese headings get readable ids) from one regular expression over
the output, which costs a fraction of the toc extension. Text with none of the
characters Markdown's inline syntax starts with (most Chinese prose and table cells) is
marked atomic before the inline patterns run, which would try all fifteen of them on
it in vain: that alone makes conversion about 40% faster. Text that is only paragraphs,
`#` headings and "- " lists, as half the disclosures are, is not given to Markdown at
all: its HTML is made here as Markdown makes it (`_plain_html`; a test compares the two
over every text of the corpus and random ones), at a fraction of the cost. Before
either, a body is read as a clerk who pastes from Word or types as in a chat window
means it (`_as_meant`: a line under another stays under it, a list right under text is
a list, ...), and asterisks that hide characters (138****5678, 张*三) are kept from
Markdown's emphasis (`_MaskStars`). Raw HTML a clerk pastes
is sanitized with nh3 (the Ammonia sanitizer): no script, no event handlers, no
javascript: URLs. `local_refs` lists the relative links and images in the HTML so the
reader can check them and the site can copy the files they point to.
"""
from __future__ import annotations

import html as htmllib
import re
import xml.etree.ElementTree as etree
from typing import Any
from urllib.parse import unquote

import markdown
import nh3
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.nl2br import Nl2BrExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

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
_HEADING = re.compile(r"<h([2-4])>(.*?)</h\1>", re.S)
# Every inline pattern of the extensions used starts with one of these characters
# (code, escape, links, images, footnotes, autolinks, raw HTML, entities, emphasis) or
# is a line break: two spaces before a newline, or a newline alone (nl2br: a line a
# clerk wrote under another stays under it), which `_PlainText` sets apart itself.
_INLINE_SYNTAX = re.compile(r"[`\\\[!<&*_]|  \n")


class _PlainText(Treeprocessor):
    """Marks text that no inline pattern can match as atomic, so none is tried; the
    lines of such text in an element of its own are set apart by <br> here, as nl2br's
    pattern would (it is the one pattern most paragraphs of several lines would be
    given to: Markdown's inline stage took a tenth of reading an entry)."""

    def run(self, root):  # type: ignore[no-untyped-def]
        for el in list(root.iter()):
            text = el.text
            if text and not isinstance(text, AtomicString) and not _INLINE_SYNTAX.search(text):
                if "\n" not in text:
                    el.text = AtomicString(text)
                elif not len(el):
                    first, *lines = text.split("\n")
                    el.text = AtomicString(first)
                    for line in lines:
                        etree.SubElement(el, "br").tail = AtomicString(line)
            tail = el.tail
            if tail and not isinstance(tail, AtomicString) and "\n" not in tail and not _INLINE_SYNTAX.search(tail):
                el.tail = AtomicString(tail)


HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han characters (unified, extension A, compatibility)
# Asterisks that stand for hidden characters, not for emphasis:
# - between two digits or beside a digit with a dash or space between, or four or more
#   beside a digit (138****5678, 138-****-5678, 4105**********123X, 138********: the masks
#   `check` asks for; 3*4, 3m*4m: products);
# - one between two Han characters (张*三; Chinese is not set in italics);
# - one to three after a name standing alone: one or two Han characters that end where
#   the stars begin (张*、王***), or a common surname and one character more (李**户,
#   欧**明, 司马**); after a common surname, where the stars end (户主张*，); unless they
#   may close an emphasis opened before them (**联系人：张三**).
# Markdown would pair them with any other asterisk of the paragraph and set the text
# between in italics or bold, the asterisks gone.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
             "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
             "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
             "單張劉陳楊黃趙吳週孫馬鄭謝韓馮鄧蕭董袁葉蘇呂盧姜鍾譚陸範賈韋鄒龔嚴覃湯溫樊顏聶魯詹歐關")
_COMPOUND_SURNAMES = "司马|欧阳|诸葛|上官|司徒|东方|夏侯|皇甫|尉迟|公孙|慕容|长孙|宇文|令狐|司馬|歐陽|諸葛|東方|長孫"
_MASK_STARS = re.compile(
    rf"(?<=\d)\*+(?=[\dXx])|(?<=\d[-－ ])\*{{3,}}|\*{{3,}}(?=[-－ ]\d)|(?<=\d)\*{{4,}}|(?<![*\\])\*{{4,}}(?=\d)"
    rf"|(?<=[\dA-Za-z])\*(?=\d)|(?<=\d)\*(?=[A-Za-z])|(?<=[{HAN}])\*(?=[{HAN}])"
    rf"|(?P<name>(?<![\w*])(?:[{HAN}]{{1,2}}\*{{1,3}}(?![\w*])|(?:[{_SURNAMES}][{HAN}]?|{_COMPOUND_SURNAMES})\*{{1,3}}"
    rf"(?!\*))|[{_SURNAMES}]\*{{1,3}}(?![\w*]))")
_STARS = re.compile(r"\*+")


class _MaskStars(InlineProcessor):
    """Keeps the asterisks of `_MASK_STARS` as they are written."""

    def handleMatch(self, m: re.Match, data: str) -> tuple[str | None, int | None, int | None]:  # type: ignore[override]
        if m.group("name") and len(_STARS.findall(data, 0, m.start())) % 2:
            return None, None, None  # (an odd number of runs before it: one may be waiting for it)
        return AtomicString(m.group(0)), m.start(0), m.end(0)


class _PlainTextExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_PlainText(md), "plain-text", 25)  # just before "inline" (20)
        md.inlinePatterns.register(_MaskStars(_MASK_STARS.pattern, md), "mask-stars", 65)  # before emphasis (60)


class MarkdownRenderer:
    """Converts entry Markdown to sanitized HTML; create one per process and reuse it."""

    def __init__(self) -> None:
        # (extensions given as objects, not names: a name is looked up among the installed
        # packages' entry points, which took 50 ms of every process that reads entries)
        self._md = markdown.Markdown(
            extensions=[TableExtension(), FootnoteExtension(BACKLINK_TITLE="↩ %d"), FencedCodeExtension(),
                        SaneListExtension(), Nl2BrExtension(), _PlainTextExtension()],
            output_format="html",
        )

    def convert(self, text: str) -> str:
        text = _as_meant(text)
        raw = _plain_html(text)
        if raw is None:
            self._md.reset()
            raw = self._md.convert(text)
        clean = nh3.clean(raw, tags=_TAGS, attributes=_ATTRS, url_schemes={"http", "https", "mailto", "tel"},
                          link_rel="noopener noreferrer", strip_comments=True)
        return add_heading_ids(clean)


# What makes text more than paragraphs, headings and simple lists to Markdown (with the
# extensions above): a character of its inline syntax, of raw HTML or an entity, of a
# table or a fenced block; a control character or tab; a line that starts with a space
# (code, nested lists) or with the mark of a rule, a Setext heading or any list but
# "- " and a word (one that is not itself a list's or heading's mark, nor a number and a
# dot); a line that ends with a space (two make a line break).
# (A number is any digit Python's \d matches, as in Markdown's own patterns: １. starts a list.)
_NOT_PLAIN = re.compile(r"[\x00-\x09\x0b-\x1f`\\*_\[\]!<>&|~]|^[ =+]|^-(?! [^\s#=+\-])|^(?:- )?\d+\."
                        r"|[ ]$", re.M)
_HASH_HEADING = HashHeaderProcessor.RE  # (Markdown's own: its headings are ours)


def _plain_html(text: str) -> str | None:
    """The HTML Markdown makes of `text` when it is only paragraphs, `#` headings and
    lists of "- " items (None for any other), made as its block parser makes it: blocks
    split at blank lines (one that starts with a line break loses it); a heading line
    takes the lines before it as a block of their own and those after as the next; a
    block that starts with "- " is a list, each "- " line an item, the lines after it
    part of it; a list right after a list is the same list, loose from there (its item
    before and its first in paragraphs); any other block is a paragraph. Text is as
    written: there is nothing in it to escape."""
    if _NOT_PLAIN.search(text):
        return None
    out: list[tuple[str, Any]] = []  # (tag, words), or ("ul", [[words, loose], ...])
    todo: list[str | tuple[str, str]] = (text + "\n\n").split("\n\n")[::-1]  # (the next last)
    while todo:
        block = todo.pop()
        if isinstance(block, tuple):  # a heading, after the lines before it
            out.append(block)
        elif not block or block[0] == "\n":
            if block[1:]:
                todo.append(block[1:])
        elif (heading := _HASH_HEADING.search(block)) is not None:
            words = heading.group("header").strip()
            if not words:
                return None  # (an empty heading: Markdown's own word on it)
            after, before = block[heading.end():], block[:heading.start()]
            todo += [x for x in (after, (f"h{len(heading.group('level'))}", words), before) if x]
        elif block.startswith("- "):
            items: list[list[Any]] = []
            for line in block.split("\n"):
                if line.startswith("- "):
                    items.append([line[2:], False])
                else:
                    items[-1][0] += "\n" + line
            if out and out[-1][0] == "ul":  # the list goes on, loose from its last item on
                out[-1][1][-1][1] = items[0][1] = True
                out[-1][1].extend(items)
            else:
                out.append(("ul", items))
        elif block.strip():
            out.append(("p", block.lstrip()))
    return "\n".join(_element(tag, words) for tag, words in out)


def _element(tag: str, words: Any) -> str:
    if tag != "ul":
        return f"<{tag}>{_lines(words)}</{tag}>"
    return "<ul>\n" + "\n".join(f"<li>\n<p>{_lines(w)}</p>\n</li>" if loose else f"<li>{_lines(w)}</li>"
                                 for w, loose in words) + "\n</ul>"


def _lines(words: str) -> str:
    """Lines of a paragraph, each under the one before (nl2br), as Markdown sets them:
    a line of spaces alone is left empty."""
    first, *rest = words.split("\n")
    return "<br>\n".join([first, *(line if line.strip() else "" for line in rest)])


# A list's item (its mark and a word; at most three spaces in, unless in a list); a
# table's first two rows (a row with a pipe, then one of dashes with a pipe); a line of
# dashes or equals signs (under text: Markdown's Setext heading); a footnote's
# definition; a fence as Markdown's fenced_code opens one (at the line's start); the
# start of a block left alone to its end (raw HTML, a quote, a link's definition); a
# number that opens a heading (#1机井 is no heading); a list's number.
_ITEM = re.compile(r"[ ]{0,3}(?:[*+-]|\d+\.)[ ]+\S")
_NESTED_ITEM = re.compile(r"[ ]*(?:[*+-]|\d+\.)[ ]+\S")
_TABLE_START = re.compile(r"[^\n]*\|[^\n]*\n[ ]{0,3}(?=[-:| ]*\|)\|?[ ]*:?-+:?[ ]*(?:\|[ ]*:?-+:?[ ]*)*\|?[ ]*$")
_UNDERLINE = re.compile(r"[ ]{0,3}(?:=+|-+)[ ]*$")
_FOOTNOTE = re.compile(r"[ ]{0,3}\[\^[^\]]+\]:")
_FENCE = re.compile(r"(`{3,}|~{3,})")
_OPAQUE = re.compile(r"[ ]{0,3}(?:<|>|\[[^\]]+\]:)")
_NUMBER_HEADING = re.compile(r"#{1,6}(?=\d)")
_NUMBER = re.compile(r"(\d+)(?=\.)")
_CODE_INDENT = re.compile(r"[ ]{4}|\t")
_MARKS = frozenset(" \t*+-<>[")  # (what a line of any kind but text may start with, or a digit)


def _as_meant(text: str) -> str:
    """`text` as a clerk who pastes from Word or types as in a chat window means it, for
    Markdown to read: a blank line put between a paragraph and a list or a table right
    under it (决定如下：, then - 修路 or 1. 修路, or a table's rows), between a list, a
    table or a footnote and text right under it, and above a line of dashes or equals
    signs under text (a rule, not a heading). Markdown reads the list's lines as more of
    the paragraph, shown run together with their marks, the text as more of the list's
    last item, a row or the footnote, and turns the line of text above dashes into a
    heading. Lines are not wrapped by such a clerk: a line under a list's item is text
    of its own. A list's items are nested by how far each is indented, four spaces a
    level as Markdown wants (an editor indents by two); their numbers in ASCII digits
    (３. would start the list at 1). A paragraph's lines lose the full-width spaces that
    indent them (Markdown drops them on its first line only), and a paragraph indented
    by four spaces is one, not code; a line that starts with # and a digit is text. A
    fenced block, raw HTML, a quote and a link's definition are left as written."""
    lines = text.split("\n")
    out: list[str] = []
    block, before, fence = "", "", ""  # what the line above is part of (text, list, table,
    levels: list[int] = []             # footnote, other) and the block before the blank
                                       # line above; the indents of the list's open levels
    for k, line in enumerate(lines):
        if fence:
            fence = "" if line.rstrip(" ") == fence else fence
            out.append(line)
            continue
        if block != "other":
            line = line.lstrip("\u3000")
        if not line.strip(" \t"):
            before, block = block or before, ""
            out.append(line)
            continue
        if m := _FENCE.match(line):
            fence, block = m.group(1), ""
            out.append(line)
            continue
        if not block and before != "list" and _CODE_INDENT.match(line):
            line = line.lstrip(" \t")  # (indented as a paragraph in Word: not code)
        kind = ("text" if line[0] not in _MARKS and not line[0].isdigit() and "|" not in line else  # (most)
                "list" if _ITEM.match(line) or block == "list" and _NESTED_ITEM.match(line) else
                "table" if "|" in line and _TABLE_START.match("\n".join([line, *lines[k + 1:k + 2]])) else
                "footnote" if _FOOTNOTE.match(line) else "other" if _OPAQUE.match(line) else "text")
        if block == "list" and line[0] in " \t" and kind != "list":
            kind = "list"  # (an item's own lines, indented)
        elif block == "table" and kind in ("text", "other") and "|" in line:
            kind = "table"  # (a row)
        elif block == "text" and _UNDERLINE.match(line) or (block, kind) in _APART:
            out.append("")
            block = ""
        elif block:
            kind = block  # (more of the block above)
        if kind == "list" and _NESTED_ITEM.match(line):
            if block != "list" and before != "list":
                levels.clear()  # (a list of its own)
            line = _item(line, levels)
        elif kind == "text" and _NUMBER_HEADING.match(line):
            line = "\\" + line
        block = kind
        out.append(line)
    return "\n".join(out)


_APART = {("text", "list"), ("text", "table"), ("list", "text"), ("list", "table"), ("table", "text"),
          ("table", "list"), ("footnote", "text"), ("footnote", "list"), ("footnote", "table")}


def _item(line: str, levels: list[int]) -> str:
    """A list's item at four spaces a level (`levels`: the indents, as written, of the
    levels open above it, the item's added), its number in ASCII digits."""
    item = line.lstrip(" ")
    indent = len(line) - len(item)
    while levels and indent < levels[-1]:
        levels.pop()
    if not levels or indent > levels[-1]:
        levels.append(indent)
    if number := _NUMBER.match(item):
        item = str(int(number.group(1))) + item[number.end():]
    return " " * 4 * (len(levels) - 1) + item


def add_heading_ids(html: str) -> str:
    """Give every h2-h4 without an id a readable, unique one."""
    seen: set[str] = set()

    def sub(m: re.Match) -> str:
        # (every tag parts words, as when the ids were first made: links to them keep working)
        base = slugify_unicode(plain_text(m.group(2), every_tag_apart=True), "-") or "section"
        slug, n = base, 1
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        return f'<h{m.group(1)} id="{slug}">{m.group(2)}</h{m.group(1)}>'

    return _HEADING.sub(sub, html)


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


_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)


def drop_refs(html: str, names: set[str]) -> str:
    """`html` without its links to, and images of, the files `names` (as they are linked:
    Attachment.href, a #fragment aside): a link keeps its words, an image its alt text."""
    def named(url: str) -> bool:
        return htmllib.unescape(url).partition("#")[0] in names

    def link(m: re.Match) -> str:
        return m.group(2) if named(m.group(1)) else m.group(0)

    def image(m: re.Match) -> str:
        src, alt = _SRC.search(m.group(0)), re.search(r'\balt="([^"]*)"', m.group(0))
        return (alt.group(1) if alt else "") if src and named(src.group(1)) else m.group(0)
    return _IMG.sub(image, _LINK.sub(link, html))


def image_sources(html: str) -> set[str]:
    """The src of every <img>, as local_refs gives it."""
    return {htmllib.unescape(m.group(1)) for tag in _IMG.findall(html) if (m := _SRC.search(tag))}


def images_without_alt(html: str) -> list[str]:
    """The src of every <img> with no or empty alt text."""
    out = []
    for tag in _IMG.findall(html):
        alt = re.search(r'\balt="([^"]*)"', tag)
        if not alt or not alt.group(1).strip():
            src = re.search(r'\bsrc="([^"]*)"', tag)
            out.append(htmllib.unescape(src.group(1)) if src else "")
    return out


def xml_text(text: str) -> str:
    """Text for XML or SVG: &, < and > escaped, as xml.sax.saxutils.escape does (that
    module imports urllib.request: a tenth of what a rebuild imported)."""
    return htmllib.escape(text, quote=False)


# the number a cut would leave cut short (digits full-width too), and what shows that the
# text goes on with it after the cut (a digit, or a point or comma before one)
_NUMBER_END = re.compile(r"[0-9０-９][0-9０-９.,．]*$")
_NUMBER_GOES_ON = re.compile(r"[0-9０-９]|[.,．][0-9０-９]")


def shorten(text: str, limit: int) -> str:
    """`text`, if longer than `limit` characters, cut there and marked "…", but never
    after the first digits of a longer number (支付4674… of 467450.14 would be read as an
    amount): before it."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if _NUMBER_GOES_ON.match(text, limit):
        cut = _NUMBER_END.sub("", cut)
    return cut.rstrip() + "…"


def plain_text(html: str, every_tag_apart: bool = False, numbered: bool = False) -> str:
    """Visible text of an HTML fragment, whitespace folded: a block's tags (and a line
    break, a footnote's number) part words, those within a line do not (**特别说明：**本决议
    is 特别说明：本决议, not 特别说明： 本决议, in a summary, on a board sheet and in search);
    `every_tag_apart`, every tag does. `numbered`: each item of a numbered list (<ol>,
    from its `start`) begins with its number, as a browser shows it, "1. " (in a list
    within an item, "(1) ": read in one line, 1. 修路 1. 东段 2. 西段 2. 修桥 would be
    nonsense), but for an item left with no text (a heading or a table it held, taken
    out beforehand): text made of it (a summary, a 公开栏 sheet's line, a search snippet)
    keeps the numbers a clerk's items are read and spoken by."""
    if numbered:
        html = _numbered_items(html)
    if not every_tag_apart:
        html = _INLINE_TAG.sub("", html)
    text = re.sub(r"\s+", " ", htmllib.unescape(_TAG.sub(" ", html))).strip()
    if numbered:  # (the marks of items with no text go; the others are written out)
        text = _ITEM_MARK.sub(lambda m: f"{m.group(1)}. " if m.group(2) == "1" else f"({m.group(1)}) ",
                              _EMPTY_ITEM.sub("", text)).rstrip()
    return text


def _numbered_items(html: str) -> str:
    """`html` with a mark before the text of each item of a numbered list: its number,
    and whether its list is within another numbered one (see plain_text)."""
    lists: list[int | None] = []  # per open list, the last number given (None: not numbered)

    def number(m: re.Match) -> str:
        closing, tag = m.group(1), m.group(2).lower()
        if tag == "li":
            if closing or not lists or lists[-1] is None:
                return m.group(0)
            lists[-1] += 1
            depth = 1 if sum(n is not None for n in lists) == 1 else 2
            return f"{m.group(0)}{_MARK[0]}{lists[-1]}{_MARK[1]}{depth}{_MARK[2]}"
        if closing:
            if lists:
                lists.pop()
        elif tag == "ol":
            start = _START.search(m.group(3))
            lists.append(int(start.group(1)) - 1 if start else 0)
        else:
            lists.append(None)
        return m.group(0)

    return _LIST_TAG.sub(number, html)


_LIST_TAG = re.compile(r"<(/?)(ol|ul|li)\b([^>]*)>", re.I)
_START = re.compile(r"""(?:^|\s)start\s*=\s*["']?\s*\+?(-?\d+)""", re.I)  # (as a browser reads it)
_MARK = ("\ue000", "\ue001", "\ue002")  # an item's mark: characters no text holds (private use)
_ITEM_MARK = re.compile(f"{_MARK[0]}(-?\\d+){_MARK[1]}(\\d){_MARK[2]}\\s*")
_EMPTY_ITEM = re.compile(f"{_MARK[0]}-?\\d+{_MARK[1]}\\d{_MARK[2]}\\s*(?={_MARK[0]}|$)")


# (not sup: a footnote's number is not part of the word)
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|code|del|em|i|ins|kbd|mark|s|small|span|strong|sub|u)\b[^>]*>", re.I)


_HEADING_OR_TABLE = re.compile(r"<h([1-6])\b[^>]*>(?P<heading>.*?)</h\1>|<table\b[^>]*>(?P<table>.*?)</table>", re.S)
_ALT = re.compile(r'\salt="[^"]*"')
_SRC = re.compile(r'\bsrc="([^"]*)"')


def caption_tables(html: str, fallback: str, hint: str) -> str:
    """Give every table a <caption> and a box of its own that scrolls sideways.

    A table without a caption is named after the nearest heading before it, or
    `fallback` (the interface word for "table", numbered: "表格 1"), so a screen reader
    can tell the tables of a page apart. A caption that only repeats the heading right
    above it is visually hidden. Each table is wrapped in a focusable region labelled by
    its caption: a wide table scrolls inside that box, never the page, after a line
    (`hint`, shown on narrow screens only) saying that it does. The words are passed
    in: this module knows no language."""
    heading, gap_start, seen, n = "", 0, set(), 0

    def wrap(m: re.Match) -> str:
        nonlocal n
        inner = m.group("table")
        if "<table" in inner:  # nested tables: leave the markup alone
            return m.group(0)
        table_open = m.group(0)[:m.start("table") - m.start()]
        caption = re.search(r"<caption\b[^>]*>(.*?)</caption>", inner, re.S)
        if caption:
            name = plain_text(caption.group(1))
        else:
            n += 1
            adjacent = heading and not plain_text(html[gap_start:m.start()])
            name = base = heading or f"{fallback} {n}"
            k = 1
            while name in seen:
                k += 1
                name = f"{base} {k}"
            hidden = ' class="visually-hidden"' if adjacent or not heading else ""
            inner = f"<caption{hidden}>{htmllib.escape(name, quote=False)}</caption>{inner}"
        seen.add(name)
        table_open, inner = _stacked(table_open, inner)
        return (f'<p class="swipe-hint" aria-hidden="true">{htmllib.escape(hint)}</p>'
                f'<div class="table-scroll" role="region" aria-label="{htmllib.escape(name)}" '
                f'tabindex="0">{table_open}{inner}</table></div>')

    out, last = [], 0
    for m in _HEADING_OR_TABLE.finditer(html):
        if m.group("heading") is not None:
            heading, gap_start = plain_text(m.group("heading")), m.end()
            continue
        out.append(html[last:m.start()])
        out.append(wrap(m))
        last = m.end()
    out.append(html[last:])
    return "".join(out)


STACK_FROM = 5  # columns from which a table's lines are cards on a phone


def _stacked(table_open: str, inner: str) -> tuple[str, str]:
    """A table of STACK_FROM columns or more (a 低保 list: 序号, 户主, 组别, 人数, 类别,
    金额) marked to show each line as a card on a phone, each cell after its column's
    name (`data-label`): scrolled sideways, its amounts left the names behind. Not one
    with cells spanning columns or rows, whose cells' columns these would not name."""
    head = re.search(r"<thead\b[^>]*>(.*?)</thead>", inner, re.S)
    labels = [plain_text(h) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(1), re.S)] if head else []
    rest = inner[head.end():] if head else ""
    # (nor one whose lines open with a header cell: pasted as HTML, each cell's label would
    # be its neighbour's)
    if len(labels) < STACK_FROM or re.search(r"\b(?:col|row)span=", inner) or re.search(r"<th\b", rest):
        return table_open, inner

    def row(m: re.Match) -> str:
        cells = iter(labels)
        return re.sub(r"<td\b", lambda _: f'<td data-label="{htmllib.escape(next(cells, ""))}"', m.group(0))

    body = re.sub(r"<tr\b[^>]*>.*?</tr>", row, rest, flags=re.S)
    marked = (table_open.replace('class="', 'class="stack ', 1) if 'class="' in table_open
              else table_open[:-1] + ' class="stack">')
    return marked, inner[:head.end()] + body


def fill_missing_alt(html: str, label: str = "{name}") -> str:
    """Give every <img> without alt text one made from its file name (`label` is a
    format string with {name}, e.g. "图片：{name}"), so no image is ever shown without a
    text alternative. `images_without_alt` still reports them to the clerk."""
    def sub(m: re.Match) -> str:
        tag = m.group(0)
        alt = re.search(r'\balt="([^"]*)"', tag)
        if alt and alt.group(1).strip():
            return tag
        src = _SRC.search(tag)
        path = unquote(htmllib.unescape(src.group(1)).split("#")[0].split("?")[0]) if src else ""
        name = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or path
        text = htmllib.escape(label.format(name=name).strip())
        tag = _ALT.sub("", tag)
        return tag[:4] + f' alt="{text}"' + tag[4:]

    return _IMG.sub(sub, html)
