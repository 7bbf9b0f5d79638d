"""Stage 2: read every entry file under content/ and validate it.

An entry is YAML front matter between `---` lines, then Markdown. Keys may be written
in English or Chinese (Simplified or Traditional). The reader is forgiving where a
clerk's habits are harmless (UTF-8 BOM, a GBK-saved file, a full-width colon after a
key, dates written 2024年7月1日, periods 2024年第三季度: each read correctly, the file's
encoding and the colon with a note saying how to tidy them) and strict where the site
would be wrong (missing title or date, impossible dates, unknown unit or category,
missing attachments, ledgers that do not add up, personal numbers). `read_entry` is a
pure function of one file, so files can be read in parallel; `read_entries` reads them
all and collects every problem.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import difflib
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from . import attachments as att
from . import ledger as ledgers
from . import periods, privacy
from .cache import Cache, hexdigest, plain_digest, stat_key
from .changes import code_fingerprint
from .config import SiteConfig, named_id
from .errors import Place, Problems
from .i18n import LANGUAGES, Listed, load_strings
from .markup import MarkdownRenderer, image_sources, images_without_alt, local_refs, plain_text, replace_refs, shorten
from .parallel import ForkedCall, Tally, fork_map, workers
from .yamlread import LeadingZero, LineDict, load_yaml, mend_typing, syntax_problem, without_invisible

KEY_ALIASES = {
    "标题": "title", "標題": "title", "日期": "date", "发布日期": "date", "發布日期": "date",
    "發佈日期": "date", "发布时间": "date", "發布時間": "date", "發佈時間": "date", "单位": "unit", "單位": "unit",
    "栏目": "category", "欄目": "category", "所属期": "period", "所屬期": "period",
    "生成日期": "formed", "公示截止": "notice_until", "文号": "doc_no", "文號": "doc_no",
    "索引号": "index_no", "索引號": "index_no", "发布机构": "publisher", "發布機構": "publisher",
    "發佈機構": "publisher", "关键词": "tags", "關鍵詞": "tags", "關鍵字": "tags", "摘要": "summary",
    "附件": "attachments", "合计": "totals", "合計": "totals", "更正": "corrects", "草稿": "draft",
    "撤回": "withdrawn", "期初说明": "opening_note", "期初說明": "opening_note",
}
FIELDS = ("title", "date", "unit", "category", "period", "formed", "notice_until", "doc_no",
          "index_no", "publisher", "tags", "summary", "attachments", "totals", "corrects",
          "draft", "withdrawn", "opening_note")
TOTAL_ALIASES = {"期初": "opening", "期初余额": "opening", "期初餘額": "opening", "收入": "income",
                 "支出": "expense", "期末": "closing", "期末余额": "closing", "期末餘額": "closing"}
WITHDRAWN_ALIASES = {f"{head}{name}": part for head in ("", "撤回") for names, part in (
    (("日期", "时间", "時間"), "date"), (("原因", "理由", "说明", "說明"), "reason")) for name in names}
_LOOSE_WITHDRAWAL = "撤回"  # (撤回日期:, 撤回原因: and the like, keys of the front matter beside 撤回: or for it)
_NOT_SHOWN_WITHDRAWN = ("summary", "attachments", "totals", "opening_note")  # (see notices.withhold, entry.html)
_WITHDRAWN_IN_BODY = re.compile(  # (撤回:, withdrawn:, or one of its parts as a key of its own)
    rf"^[ \t]*(?:{'|'.join(k for k in WITHDRAWN_ALIASES if k.startswith(_LOOSE_WITHDRAWAL))}|撤回|withdrawn)"
    r"[ \t]*[:：][ \t]*\S[^\n]*", re.M | re.I)
# a Markdown table with income and expense columns: a ledger written as a plain table
_PLAIN_LEDGER = re.compile(r"(?m)^(?=[^\n]*收入)(?=[^\n]*支出)([^\n|]*\|[^\n]*)\n[ \t]*\|?[ \t]*:?-+")
_CODE_BLOCK = re.compile(r"(?ms)^[ \t]*(```|~~~).*?^[ \t]*\1")  # (a table shown as code is no table)
_KNOWN_KEYS = set(FIELDS) | set(KEY_ALIASES) | set(ledgers.TOTAL_KEYS) | set(TOTAL_ALIASES) | set(WITHDRAWN_ALIASES) \
    | {"date", "reason", "file", "title", "name", "文件", "名称", "名稱"}
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"),
    re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s+(\d{1,2})[:：](\d{2}))?$"),
    # (号 as spoken, as in ledgers; 发布时间 may give the hour)
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號](?:\s*(\d{1,2})[:：](\d{2}))?$"),
)
_SUMMARY_CHARS = 120
_UNSAFE_NAME = re.compile(r"[\s#?%&'\"<>\\]")
# the names a copy gets from Windows, macOS, WeChat, browsers and others: 2026-10 - 副本.md,
# 2026-10 - 复制.md, 2026-10 - Copy.md, 2026-10 copy.md, 2026-10(1).md, 2026-10 (2).md, 复件 2026-10.md
_COPY_NAME = re.compile(r"(?:[\s_-]+(?:副本|复制|複製|拷贝|拷貝|copy)(?:[\s_-]*[(（]?\d+[)）]?)?"
                        r"|\s*[(（]\d+[)）])$|^(?:复件|複件|copy of)[\s_-]", re.I)  # (营业执照副本 is no copy)


def is_unsafe_name(stem: str) -> bool:
    """Whether a file name breaks a web address (an entry so named is never published)."""
    return bool(_UNSAFE_NAME.search(stem))


def copy_like(rel: str) -> bool:
    """Whether an entry's file is named as a copy of another file (see _COPY_NAME): of
    two entries alike, the one told to go."""
    name = rel.rpartition("/")[2]  # (its stem, as Path.stem gives it, at a tenth of the cost:
    dot = name.rfind(".")           # the model asks it of every entry)
    return bool(_COPY_NAME.search(name[:dot] if 0 < dot < len(name) - 1 else name))


@lru_cache(maxsize=None)
def _placeholders(key: str) -> tuple[str, ...]:
    """What `new` writes to be replaced (its body, `new_entry_body`; the line for a
    ledger's transactions, `new_ledger_line`), in each language: published as is, a
    mistake."""
    return tuple(load_strings(language).ui[key] for language in LANGUAGES)


@dataclass(frozen=True)
class Attachment:
    source: Path  # absolute path of the file in content/
    rel: str      # path relative to content/
    name: str     # file name beside the entry page in the output
    title: str
    size: int
    kind: str
    is_image: bool

    @property
    def href(self) -> str:
        """The file name as a link: %, # and ? escaped (in a link they would end the path),
        and a space (no address holds one: browsers mend it, validators and some readers
        do not)."""
        return self.name.replace("%", "%25").replace("#", "%23").replace("?", "%3F").replace(" ", "%20")


@dataclass(frozen=True)
class Withdrawal:
    date: dt.date | None
    reason: str
    line: int  # (of `withdrawn:`, for what the model tells of its date)


@dataclass(frozen=True)
class Entry:
    """One disclosure, validated. Dates are `datetime.date`; amounts `Decimal`."""
    rel: str              # path relative to content/, with forward slashes
    stem: str
    unit: str
    category: str
    title: str
    date: dt.date
    time: str | None
    period: str | None
    formed: dt.date | None
    notice_until: dt.date | None
    doc_no: str | None
    index_no: str | None
    publisher: str | None
    tags: tuple[str, ...]
    summary: str
    attachments: tuple[Attachment, ...]
    totals: dict | None
    corrects: str | None
    draft: bool
    withdrawn: Withdrawal | None
    opening_note: str | None
    html: str                    # sanitized body HTML, ledgers as placeholders
    ledgers: tuple[ledgers.Ledger, ...]
    entry_links: tuple[str, ...]  # other entries linked from the body (content-relative .md)
    digest: str                  # hash of the file's bytes and its attachments' bytes
    face: str = ""               # hash of what pages other than its own show of it (`with_face`:
                                 # made again whenever a field it covers is replaced)
    line: int = 1                # first line of the front matter, for messages about the entry
    date_line: int = 2           # the line of its date, for messages about the date
    corrects_line: int = 1       # the line of `corrects`, for messages about the entry it corrects
    entry_link_lines: tuple[int, ...] = ()  # the line of each of `entry_links`

    @property
    def source(self) -> str:
        return f"content/{self.rel}"


def parse_date(value: Any) -> tuple[dt.date, str | None] | None:
    """A date as clerks write it; None when it is not a real date."""
    if isinstance(value, dt.datetime):
        return value.date(), value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value, None
    m = _date_form(unicodedata.normalize("NFKC", str(value)).strip())  # (２０２６－１１－０５ as typed)
    if m is None:
        return None
    try:
        day = dt.date(*(int(g) for g in m.groups()[:3]))
    except ValueError:
        return None
    hm = m.groups()[3:5] if len(m.groups()) > 3 and m.group(4) else None
    if hm and not (0 <= int(hm[0]) < 24 and 0 <= int(hm[1]) < 60):
        return None
    return day, (f"{int(hm[0]):02d}:{hm[1]}" if hm else None)


def _date_form(text: str) -> re.Match | None:
    """`text` matched by the first of _DATE_FORMS that takes it (year, month and day its
    first three groups), when its year is one a clerk means (not 0226 or 2o26 typed for
    2026); the day may not exist."""
    m = next((m for m in (form.match(text) for form in _DATE_FORMS) if m), None)
    return m if m is not None and 1900 <= int(m.group(1)) <= 2199 else None


def notice_days(date: dt.date, until: dt.date) -> int:
    """The days of a notice from `date` to `until`, as notices count them, the first and
    the last included (公示5天（4月24日至4月28日）); the end the content model gives
    one without notice_until, date + notice_days, is a day later."""
    return (until - date).days + 1


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line) or None when there is no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None


_READ_AS = {"gb18030": "encoding_gbk", "utf-16": "encoding_utf16"}  # (read, with how to save it as UTF-8)


def _decode(data: bytes, rel: str, problems: Problems) -> str | None:
    try:
        text, encoding = att.decode(data)
    except UnicodeDecodeError:
        problems.add(rel, None, "encoding_unknown")
        return None
    if encoding in _READ_AS:
        problems.add(rel, None, _READ_AS[encoding], warning=True)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _near_file(path: Path, taken: set[str]) -> str | None:
    """The name of the file beside `path` (not there) a clerk most likely meant: the same
    name in other case (名单.CSV), with its extension twice (名单.csv.csv, as Windows hides
    it), or one letter or so off; not an entry, an office's lock file (~$名单.xlsx), nor
    a file `taken` names already."""
    try:
        names = sorted(p.name for p in path.parent.iterdir() if p.is_file() and p.suffix.lower() != ".md"
                       and not p.name.startswith("~$") and p.name not in taken)
    except OSError:
        return None
    same = [n for n in names if n.lower() == path.name.lower() or n.lower().startswith(path.name.lower() + ".")]
    return (same or difflib.get_close_matches(path.name, names, n=1, cutoff=0.75) or [None])[0]


class EntryReader:
    """Reads entries of one site; holds the Markdown converter to reuse it."""

    def __init__(self, config: SiteConfig, attachments_scanned: bool = True):
        self.config = config
        self.content = config.content_dir.resolve()
        self.phones = config.published_phones()
        self.markdown = MarkdownRenderer()
        # (off only where the entries are looked at, never published: reading PDFs,
        # spreadsheets and documents for ID numbers is most of the time an entry takes)
        self.attachments_scanned = attachments_scanned

    def read(self, path: Path) -> tuple[Entry | None, Problems]:
        problems = Problems()
        rel_path = path.relative_to(self.config.content_dir).as_posix()
        rel = f"content/{rel_path}"
        data = path.read_bytes()
        if b"\0" in data[:4096] and att.utf16(data) is None:  # (Notepad's "Unicode" is text)
            problems.add(rel, None, "not_text")
            return None, problems
        text = _decode(data, rel, problems)
        if text is None:
            return None, problems
        split = _split_front_matter(without_invisible(text))
        if split is None:
            starts = text.split("\n", 1)[0].strip() == "---"
            problems.add(rel, 1, "front_matter_unclosed" if starts else "no_front_matter")
            return None, problems
        front, body, body_line = split
        front = self.front = mend_typing(front, _KNOWN_KEYS, rel, 1, problems)
        try:
            meta = load_yaml(front) if front.strip() else LineDict()
        except yaml.YAMLError as exc:
            syntax_problem(exc, front, rel, 1, problems)
            meta = None
        if not isinstance(meta, LineDict):
            if meta is not None:
                problems.add(rel, 2, "front_matter_not_mapping")
            # the body's ledgers are checked all the same: every mistake of the file at once
            ledgers.extract_ledgers(body, body_line, rel, problems)
            return None, problems
        fields = self._fields(meta, rel, problems)
        self._title_cut(front, fields.get("title"), rel, problems)
        draft = _flag(fields.get("draft", False))
        empty = "draft" in fields and _text(fields["draft"]) is None
        if empty:  # `draft:` left empty means something was meant: never publish on doubt
            problems.add(rel, self._line("draft"), "empty_flag", key=self._written("draft"))
        elif draft is None:  # neither yes nor no: never publish on doubt
            problems.add(rel, self._line("draft"), "bad_flag", key=self._written("draft"), value=fields["draft"])
        doubt = empty or draft is None
        if draft:
            return None, problems  # never published, so nothing else is checked
        # (on doubt, checked all the same: every mistake of the file is told at once)
        entry = self._entry(fields, meta, rel_path, rel, body, body_line, data, problems)
        return (None if doubt else entry), problems

    def _fields(self, meta: LineDict, rel: str, problems: Problems) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        self.lines: dict[str, int] = {}
        self.written: dict[str, str] = {}  # each field's key as the clerk wrote it (日期 for date)
        given = {KEY_ALIASES.get(str(key), str(key)) for key in meta}
        for key, line in meta.duplicates:
            problems.add(rel, line + 1, "duplicate_key", key=key)
        loose: dict[str, Any] = {}  # 撤回日期: and 撤回原因: written as keys of their own
        for key, value in meta.items():
            name = KEY_ALIASES.get(str(key), str(key))
            line = meta.line_of(key) + 1
            if str(key).startswith(_LOOSE_WITHDRAWAL) and str(key) != _LOOSE_WITHDRAWAL:
                loose[str(key)] = value
                self.lines.setdefault("withdrawn", line)
                continue
            if name not in FIELDS:
                close = _close_key(str(key), given)
                problems.add(rel, line, "unknown_key_hint" if close else "unknown_key", key=key,
                             suggestion=close or "")
                continue
            if name in fields:  # under two names (标题 and title): which one is meant?
                problems.add(rel, line, "key_twice", key=key, first=self.written[name])
                continue
            fields[name] = value
            self.lines[name] = line
            self.written[name] = str(key)
        own = fields.get("withdrawn")  # (what 撤回: itself says)
        if loose and (own is None or _flag(own) is not False):  # (撤回: 否 stands: the clerk takes it back)
            # with 撤回: as well, what it says comes first: its date, its reason, or its parts
            if not isinstance(own, dict):
                own = {} if own is None or _flag(own) else {"日期" if _date_like(own) else "原因": own}
            fields["withdrawn"] = {**loose, **own}
            self.written.setdefault("withdrawn", "撤回")
        return fields

    def _line(self, name: str) -> int:
        return self.lines.get(name, 2)

    def _item_line(self, item: Any, text: str, key: str) -> int:
        """The line of one item of the list under `key` (an attachment): its own mapping's,
        or the first line from the key's down that holds its text; else the key's."""
        if isinstance(item, LineDict):
            return item.line + 1
        lines = self.front.split("\n")  # (the front matter starts on line 2)
        start = self._line(key)
        item_re = re.compile(rf"^\s*-\s*(['\"]?){re.escape(text)}\1\s*(#.*)?$")  # (`- name`, whole)
        return next((k + 2 for k in range(start - 2, len(lines)) if item_re.match(lines[k])), start)

    def _fixed_name(self, rel_path: str, stem: str, date: dt.date | None, copied: bool) -> str:
        """The name to give a file whose name breaks a web address: its own, made safe; a
        copy's, the original's with the copy's date for the date or month it starts with
        (2026-10 - 副本.md, dated 2026-12-05: 2026-12-05.md), and -2 when that is a file
        already (neither the copy's name nor the original's). `copied`: copy_like(rel_path)."""
        if not copied:
            return _safe_name(stem)
        base = _COPY_NAME.sub("", stem)
        if date is not None:
            base = _LEADING_DAY.sub(date.isoformat(), base, count=1)
        folder = self.config.content_dir / rel_path.rpartition("/")[0]
        return _safe_name(base if not (folder / f"{base}.md").exists() else base + "-2")

    def _written(self, name: str) -> str:
        return self.written.get(name, name)

    def _title_cut(self, front: str, title: Any, rel: str, problems: Problems) -> None:
        """A title written unquoted with " #" in it (`title: 东村公示 #1`) loses all from
        the # on, which YAML reads as a comment: the clerk is told."""
        if " #" not in front or not isinstance(title, str) or "title" not in self.lines or "#" in title:
            return
        value = front.split("\n")[self.lines["title"] - 2].split(":", 1)[-1].strip()  # (front: from line 2)
        if " #" in value and not value.startswith(("'", '"')):
            problems.add(rel, self.lines["title"], "title_cut_at_hash", warning=True, title=title,
                         cut=value[value.index(" #") + 1:])

    def _entry(self, f: dict[str, Any], meta: LineDict, rel_path: str, rel: str, body: str,
               body_line: int, data: bytes, problems: Problems) -> Entry | None:
        parts = rel_path.split("/")
        folder_unit, folder_cat = (parts[0], parts[1]) if len(parts) == 3 else (None, None)
        stem = Path(rel_path).stem
        unsafe = is_unsafe_name(stem)  # the name becomes part of a web address (told once the date is read)
        title = _text(f.get("title"))
        if isinstance(f.get("title"), (bool, list, dict)):
            problems.add(rel, self._line("title"), "title_not_text")
            title = None
        elif not title and "title" in f:  # written, but empty (`title: #1号公告` is a comment to YAML)
            problems.add(rel, self._line("title"), "empty_title", key=self._written("title"))
        elif not title:
            problems.add(rel, 2, "missing_title")
        date, time = None, None
        if f.get("date") in (None, ""):
            problems.add(rel, 2, "missing_date")
        else:
            parsed = parse_date(f["date"])
            if parsed is None:
                named = re.match(r"(\d{4})-", Path(rel_path).name)  # (the year its file name starts with)
                _bad_date(problems, rel, self._line("date"), self._written("date"), f["date"],
                          dt.date(int(named.group(1)), 1, 1) if named else None)
            else:
                date, time = parsed
        if unsafe:
            copied = copy_like(rel_path)
            problems.add(rel, None, "copy_file_name" if copied else "bad_file_name",
                         name=Path(rel_path).name, fixed=self._fixed_name(rel_path, stem, date, copied))
        unit = _text(f.get("unit")) or folder_unit
        category = _text(f.get("category")) or folder_cat
        if unit is None or category is None:
            problems.add(rel, 2, "no_unit_category")
        else:
            # by id or, as `new` takes them, by name in either script (单位: 东村)
            unit, category = (named_id(self.config, key, given, problems, rel, self._line(key) if key in f else None)
                              for key, given in (("unit", unit), ("category", category)))
            filed = (folder_unit, folder_cat)
            units, cats = self.config.units_by_id.keys(), self.config.categories_by_id.keys()
            if (unit, category) != filed and {folder_unit, unit} <= units and {folder_cat, category} <= cats:
                # misfiled? its address follows the header (an unknown unit or category is told already)
                problems.add(rel, self._line("unit" if unit != folder_unit else "category"), "filed_elsewhere",
                             warning=True, folder="/".join(filed), meant=f"{unit}/{category}")
        period = _text(f.get("period"))
        period_written = bool(period)  # (one that cannot be read is told as such, not as none written)
        if period:
            meant = periods.parse(str(f["period"]))  # (2026.10 unquoted is kept as written)
            if meant is None:
                problems.add(rel, self._line("period"), "bad_period", value=f["period"])
            period = meant
        cat = self.config.categories_by_id.get(category) if category else None
        scheduled = cat is not None and cat.cadence in periods.GRANULARITY
        if period and scheduled:
            one = periods.of_cadence(period, cat.cadence)  # the period of the cadence it starts
            if not periods.within(periods.span(period), one):  # (a quarter in a monthly category)
                problems.add(rel, self._line("period"), "period_longer_than_cadence", warning=True,
                             period=period, category=cat.name, example=one)
            named = periods.stated_periods(title, cat.cadence) if title else []
            if named and not {period, one} & set(named):  # (a month's file copied, its title kept)
                problems.add(rel, self._line("period"), "title_names_other_period", warning=True, named=Listed(named),
                             period=period)
        formed = self._date(f, "formed", rel, problems, date)
        if formed and date and formed > date:
            problems.add(rel, self._line("formed"), "formed_after_date", formed=formed.isoformat(),
                         date=date.isoformat())
        notice_until = self._date(f, "notice_until", rel, problems, date)
        if notice_until and date and notice_until < date:
            problems.add(rel, self._line("notice_until"), "notice_before_date",
                         until=notice_until.isoformat(), date=date.isoformat())
        elif notice_until and date:
            # a mistyped day or year: names under notice taken down too soon, or left up
            # for a year longer (counted as notices say them: see notice_days)
            days, least = notice_days(date, notice_until), cat.notice_days if cat is not None else None
            if least is not None and days < least:
                problems.add(rel, self._line("notice_until"), "notice_shorter", warning=True, days=days,
                             least=least, category=cat.name, date=date.isoformat(), until=notice_until.isoformat())
            elif days > 366:
                problems.add(rel, self._line("notice_until"), "notice_over_a_year", warning=True, days=days,
                             date=date.isoformat(), until=notice_until.isoformat())
        withdrawn = self._withdrawn(f, rel, problems, date)
        # A withdrawn entry's page shows its catalogue data only: what its body, files,
        # totals and summary hold is told to nobody (a clerk who withdraws names published
        # by mistake may well delete their file; an error for it would keep the page up).
        told = problems if withdrawn is None else Problems()  # (where those are told)
        tags = self._tags(f.get("tags"))
        totals = self._totals(f, rel, told)
        for key in ("doc_no", "index_no", "publisher", "summary", "corrects", "opening_note"):
            if key in f and f[key] is not None and not isinstance(f[key], (str, int, float)):
                (told if key in _NOT_SHOWN_WITHDRAWN else problems).add(
                    rel, self._line(key), "expect_text", key=self._written(key), value=f[key])
        if withdrawn is None and (m := _WITHDRAWN_IN_BODY.search(body)):  # (the page stays up, showing it)
            problems.add(rel, _find_line(body, m.group(0), body_line), "withdrawn_in_body", warning=True,
                         text=m.group(0).strip())
        for placeholder in _placeholders("new_entry_body"):  # (an error: published, a notice would
            if placeholder in body:                            # run its days with no text)
                told.add(rel, _find_line(body, placeholder, body_line), "placeholder_body", text=placeholder)
        attachments = self._attachments(f.get("attachments"), rel_path, rel, told)

        # The body: ledgers out first, then Markdown, then local links checked.
        span = periods.span(period) if period else None
        # (a ledger in an HTML comment is never shown: nor is it read; its lines are kept,
        # for the line numbers, and other comments left alone: in a code block they show)
        shown = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), body)
        for placeholder in _placeholders("new_ledger_line"):  # (an error, not a note: figures)
            if placeholder in shown:
                told.add(rel, _find_line(body, placeholder, body_line), "placeholder_ledger", text=placeholder)
                shown = shown.replace(placeholder, "")
        body_md, found_ledgers, summed = ledgers.extract_ledgers(shown, body_line, rel, told, span, date)
        # a period's accounts pasted from Excel as a table: nothing in them is checked (a budget's
        # table, in a category with no schedule, is none)
        if scheduled and not found_ledgers and (m := _PLAIN_LEDGER.search(_CODE_BLOCK.sub("", shown))):
            told.add(rel, _find_line(body, m.group(1), body_line), "ledger_as_plain_table", warning=True)
        if found_ledgers and span and date and span[0] > date:
            # a ledger published before its period began: 12 typed for 10, say (not one
            # published before its period ended: a month's may be put up on its last days)
            told.add(rel, self._line("period"), "ledger_period_not_begun", warning=True, period=period,
                     date=date.isoformat())
        lines_told = False  # (that a ledger's lines are of another month than its date's)
        if found_ledgers and not period_written and date:
            # without period, the month of the date counts: caught up months later, each
            # ledger would count for the month it was put up, not for its own
            month, counted = ledgers.month_of_lines(found_ledgers), periods.containing(date, "monthly")
            if month is not None and month != counted:
                told.add(rel, found_ledgers[0].line, "ledger_period_from_lines", warning=True, month=month,
                         counted=counted)
                lines_told = True
        if scheduled and not period_written and date and title and not lines_told:  # (counted for its date's period)
            named, counted = periods.stated_periods(title, cat.cadence), periods.containing(date, cat.cadence)
            if named and counted not in named:
                told.add(rel, self._line("title"), "title_period_not_written", warning=True, named=Listed(named),
                         counted=counted, first=named[0])
        if totals is not None:
            ledgers.check_totals(totals, summed or [], rel, {k: self._line(f"totals.{k}") for k in totals}, told,
                                 {k: self._written(f"totals.{k}") for k in totals})
        html = self.markdown.convert(body_md)
        html, linked, entry_links = self._local_links(html, body, body_line, rel_path, rel, told)
        for src in images_without_alt(html):
            told.add(rel, _find_line(body, src, body_line), "image_no_alt", warning=True, src=src)
        known = {a.rel for a in attachments}
        attachments = attachments + tuple(a for a in linked if a.rel not in known)
        self._check_names(attachments, rel, told)

        summary = _text(f.get("summary")) or _summary(html)
        if withdrawn is None:
            self._scan_fields(f, attachments, rel, problems)
            self._scan_privacy(body, body_line, attachments, rel, problems)
        else:  # (its page shows none of its files, nor what `notices.withhold` takes away; nor
            # is a file it names known to the cache: one put back must not change what is read)
            attachments, entry_links = (), {}
            self._scan_fields({k: v for k, v in f.items() if k not in _NOT_SHOWN_WITHDRAWN}, (), rel, problems)
        if date is None or not title or (problems.errors and (summed is None or any(
                not p.key.startswith(_LEDGER_KEYS) for p in problems.errors))):
            return None
        # An entry whose only mistakes are in its ledgers' lines (amounts all known) is
        # kept, with every ledger, never to be rendered or published (its errors stop
        # the build), so that what is checked between entries (the chain of openings,
        # one ledger a period) is told in the same run, not after these are mended.
        return with_face(Entry(
            rel=rel_path, stem=Path(rel_path).stem, unit=unit, category=category, title=title,
            date=date, time=time, period=period, formed=formed, notice_until=notice_until,
            doc_no=_text(f.get("doc_no")), index_no=_text(f.get("index_no")),
            publisher=_text(f.get("publisher")), tags=tags, summary=summary,
            attachments=attachments, totals=totals, corrects=_content_path(f.get("corrects")),
            draft=False, withdrawn=withdrawn, opening_note=_text(f.get("opening_note")),
            html=html, ledgers=tuple(summed if problems.errors else found_ledgers),
            entry_links=tuple(entry_links), entry_link_lines=tuple(entry_links.values()),
            digest=content_digest(data, attachments), date_line=self._line("date"),
            corrects_line=self._line("corrects")))

    def _date(self, f: dict, key: str, rel: str, problems: Problems, date: dt.date | None) -> dt.date | None:
        """The date under `key`; `date`, the entry's (a date written without its year is
        told the first such day from it)."""
        if f.get(key) in (None, ""):
            return None
        parsed = parse_date(f[key])
        if parsed is None:
            _bad_date(problems, rel, self._line(key), self._written(key), f[key], date)
            return None
        return parsed[0]

    def _withdrawn(self, f: dict, rel: str, problems: Problems, date: dt.date | None) -> Withdrawal | None:
        """The entry's withdrawal, if it is withdrawn. Whatever is amiss in how it is
        written is a note, not an error: an error would stop the build and keep up the
        page the clerk is taking down (names published by mistake, say)."""
        value, line, key = f.get("withdrawn"), self._line("withdrawn"), self._written("withdrawn")
        if value is None or value == "":  # (`撤回:` left empty: neither yes nor no)
            if "withdrawn" in f:
                problems.add(rel, line, "withdrawn_empty", warning=True, key=key)
            return None
        dated = False  # (a date written, if unreadable: told as such)
        if isinstance(value, dict):
            parts = _withdrawal_parts(value)
            dated = bool(parts.get("date"))
            for name in parts.keys() - {"date", "reason"}:
                problems.add(rel, line, "withdrawn_unknown_key", warning=True, key=key, name=name)
            day = None
            if dated:
                parsed = parse_date(parts["date"])
                day = parsed[0] if parsed else None
                if parsed is None:
                    _bad_date(problems, rel, line, f"{key}.{parts.names['date']}", parts["date"], date, warning=True)
            withdrawal = Withdrawal(day, _text(parts.get("reason")) or "", line)
        elif isinstance(value, list):
            problems.add(rel, line, "bad_withdrawn", warning=True)
            withdrawal = Withdrawal(None, "", line)
        else:
            flag = _flag(value)
            if flag is False:
                return None
            alone = parse_date(str(value)) if flag is None else None  # (撤回: 2026年11月10日, its date alone)
            if flag is None and alone is None and _date_like(value):  # (2026-11-31: a date, unreadable)
                _bad_date(problems, rel, line, key, value, date, warning=True)
                dated = True
            withdrawal = Withdrawal(alone[0] if alone else None, "" if flag or dated or alone else str(value), line)
        if withdrawal.date and date and withdrawal.date < date:  # (taken down all the same: it may be urgent)
            problems.add(rel, line, "withdrawn_before_date", warning=True,
                         withdrawn=withdrawal.date.isoformat(), date=date.isoformat())
        if not withdrawal.reason:  # taken down without a word: the very complaint residents make
            problems.add(rel, line, "withdrawn_no_reason", warning=True, key=key)
        elif withdrawal.date is None and not dated:  # (nor can the feeds and the board tell it on its day)
            problems.add(rel, line, "withdrawn_no_date", warning=True, key=key, reason=withdrawal.reason)
        return withdrawal

    @staticmethod
    def _tags(value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = re.split(r"[,，、;；\s]+", value)
        if not isinstance(value, list):
            value = [value]
        return tuple(str(v).strip() for v in value if str(v).strip())

    def _totals(self, f: dict, rel: str, problems: Problems) -> dict[str, Decimal] | None:
        value = f.get("totals")
        if value is None:
            return None
        if not isinstance(value, dict):
            problems.add(rel, self._line("totals"), "bad_totals")
            return None
        out = {}
        if any(amount is None and re.fullmatch(r"\d+(\.\d*)?", str(key)) for key, amount in value.items()):
            # {期初: 10,000.00}: YAML split the amount at its comma, into 10 and a key 000.00
            problems.add(rel, self._line("totals"), "bad_total_comma")
            return None
        items: list[tuple[Any, Any]] = []
        for key, amount in value.items():
            if amount is None and "：" in str(key):
                # {期初：10000.00}, {期初：1.00，期末：2.00}: read as meant, with a note
                for piece in re.split(r"[，,]", str(key)):
                    written, _, given = (part.strip() for part in piece.partition("："))
                    items.append((written, given))
                    problems.add(rel, self._line("totals"), "fullwidth_colon", warning=True, key=written)
            else:
                items.append((key, amount))
        for key, amount in items:
            name = TOTAL_ALIASES.get(str(key), str(key))
            parsed = ledgers.parse_amount(str(amount)) if name in ledgers.TOTAL_KEYS and str(amount).strip() \
                else None  # (left empty: not a zero)
            if parsed is None:
                problems.add(rel, self._line("totals"), "bad_total_amount" if name in ledgers.TOTAL_KEYS
                             else "bad_total_item", key=key, value="" if amount is None else amount)
                continue
            out[name] = parsed
            self.written[f"totals.{name}"] = str(key)
            # (its own line, written one to a line under 合计:; else 合计:'s)
            self.lines[f"totals.{name}"] = value.line_of(key) + 1 if isinstance(value, LineDict) else self._line("totals")
        return out

    def _attachments(self, value: Any, rel_path: str, rel: str,
                     problems: Problems) -> tuple[Attachment, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            value = [value]
        named = [(item, item.get("file") or item.get("文件") or "",
                  item.get("title") or item.get("name") or item.get("名称") or item.get("名稱"))
                 if isinstance(item, dict) else (item, item, None) for item in value]
        taken = {str(name) for _, name, _ in named}  # (none of them another's likely meaning)
        out = []
        for item, name, title in named:
            if name is None or not str(name).strip():  # ({名称: 名单} with no file, or `- ` alone: no name
                problems.add(rel, self._item_line(item, str(name or ""), "attachments"), "attachment_no_file")
                continue
            line = self._item_line(item, str(name), "attachments")
            if "，" in str(name) and not (self.config.content_dir / rel_path).parent.joinpath(str(name)).exists():
                # [名单.csv，花名册.csv]: YAML reads one name, parted by full-width commas
                problems.add(rel, line, "yaml_fullwidth_comma", mark="[", closing="]")
                continue
            found = self._resolve(str(name), rel_path, rel, line, problems, taken)
            if found:
                out.append(self._attachment(found, str(title) if title else None))
        return tuple(out)

    def _resolve(self, target: str, rel_path: str, rel: str, line: int,
                 problems: Problems, taken: set[str] = frozenset()) -> Path | None:
        """An attachment or linked file: it must exist and be inside content/ (`taken`: the
        names its list gives, none of them another's likely meaning)."""
        base = (self.config.content_dir / rel_path).parent
        path = (base / target).resolve()
        if not path.is_relative_to(self.content):
            problems.add(rel, line, "attachment_outside", file=target)
            return None
        if path.is_file():
            return path
        if path.suffix == ".md":  # a link to another entry, renamed or gone
            near = difflib.get_close_matches(path.name, [p.name for p in path.parent.glob("*.md")], n=1) \
                if path.parent.is_dir() else []
            problems.add(rel, line, "entry_link_missing_hint" if near else "entry_link_missing", file=target,
                         suggestion=near[0] if near else "")
        else:
            near = _near_file(path, taken)
            problems.add(rel, line, "attachment_missing_hint" if near else "attachment_missing", file=target,
                         suggestion=near or "")
        return None

    def _attachment(self, path: Path, title: str | None) -> Attachment:
        return Attachment(source=path, rel=path.relative_to(self.content).as_posix(), name=path.name,
                          title=title or path.name, size=att.published_size(path),
                          kind=att.kind_name(path), is_image=att.is_image(path))

    @staticmethod
    def _check_names(attachments: tuple[Attachment, ...], rel: str, problems: Problems) -> None:
        seen: dict[str, str] = {}
        for a in attachments:
            if a.name.lower() == "index.html":
                problems.add(rel, None, "attachment_reserved_name", name=a.name)
            if a.name in seen and seen[a.name] != a.rel:
                problems.add(rel, None, "attachment_name_clash", name=a.name, first=seen[a.name], second=a.rel)
            seen[a.name] = a.rel

    def _local_links(self, html: str, body: str, body_line: int, rel_path: str, rel: str,
                     problems: Problems) -> tuple[str, list[Attachment], dict[str, int]]:
        """Check relative links and images; files are published beside the entry page. An
        image shown in the page that a phone on a slow network takes long to load (a
        photo as the camera took it) is told, with what to do. Returns the HTML, the files,
        and the entries linked, each with the line of its first link."""
        mapping: dict[str, str] = {}
        files: list[Attachment] = []
        entries: dict[str, int] = {}
        shown = image_sources(html)
        for url in local_refs(html):
            target, _, fragment = url.partition("#")
            target = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), target.split("?")[0])
            if not target:
                continue
            line = _find_line(body, url, body_line)
            path = self._resolve(target, rel_path, rel, line, problems)
            if path is None:
                continue
            if path.suffix == ".md":
                link = path.relative_to(self.content).as_posix()
                entries.setdefault(link, line)  # (linked twice: told once)
                mapping[url] = f"sb-entry:{link}" + (f"#{fragment}" if fragment else "")
            else:
                a = self._attachment(path, None)
                files.append(a)
                mapping[url] = a.href + (f"#{fragment}" if fragment else "")
                if url in shown and a.size > HEAVY_IMAGE:
                    problems.add(rel, line, "image_heavy", warning=True, name=a.name,
                                 size=f"{a.size / 1e6:.1f} MB", most=f"{HEAVY_IMAGE // 1000} KB")
        return replace_refs(html, mapping), files, entries

    def _scan_fields(self, f: dict, attachments: tuple[Attachment, ...], rel: str,
                     problems: Problems) -> None:
        """Every front-matter text a page, feed or data file may show, whatever the status."""
        for key, value in f.items():
            if key in ("date", "formed", "notice_until", "period", "draft", "unit", "category", "corrects"):
                continue
            text = " ".join(_strings(value))
            if text:
                self._scan_text(text, rel, self._line(key), problems)
        for a in attachments:
            if a.title != a.name:
                self._scan_text(a.title, rel, self._line("attachments"), problems)

    def _scan_privacy(self, body: str, body_line: int, attachments: tuple[Attachment, ...], rel: str,
                      problems: Problems) -> None:
        self._scan_text(body, rel, body_line, problems)
        for a in attachments if self.attachments_scanned else ():
            where = f"content/{a.rel}"
            try:
                passages = att.extract_text(a.source)
            except att.UnreadableAttachment:
                problems.add(where, None, "attachment_unreadable", entry=rel)
                continue
            if passages is None:  # images, old Office formats, archives: a person must look
                problems.add(where, None, "image_check_by_hand" if a.is_image else "file_check_by_hand",
                             warning=True, entry=rel)
                continue
            for text, place in passages:
                self._scan_text(text, where, 1, problems, place)

    def _scan_text(self, text: str, rel: str, first_line: int, problems: Problems, place: Place | None = None) -> None:
        """Personal numbers in `text`, told by line (its first is `first_line`), or, given
        a `place` (a PDF's page, a sheet's row), at that place."""
        for hit in privacy.scan(text, self.phones):
            line = None if place is not None else first_line + text.count("\n", 0, hit.offset)
            problems.add(rel, line, f"privacy_{hit.kind}", warning=hit.kind == "id_number_maybe", place=place,
                         masked=hit.masked)


HEAVY_IMAGE = 500_000  # bytes: an image shown in a page, larger than this, is told

_YES = {"true", "yes", "on", "是", "1"}
_NO = {"false", "no", "off", "否", "0", ""}


def _close_key(key: str, given: set[str]) -> str | None:
    """The key `key` may be a misspelling of: one letter of six wrong (sumary), or, of a
    Chinese key as long whose field is not `given` already, a character after the first
    (标提 for 标题, as an input method offers the wrong one of two words that sound
    alike; 期间 is not 日期, nor 标注 标题 when the title is there)."""
    close = difflib.get_close_matches(key, list(FIELDS) + list(KEY_ALIASES), n=1)
    if not close and not key.isascii():
        alike = [k for k in KEY_ALIASES if len(k) == len(key) and k[0] == key[0] and not k.isascii()
                 and KEY_ALIASES[k] not in given]
        close = difflib.get_close_matches(key, alike, n=1, cutoff=0.5)
    return close[0] if close else None


class _Parts(dict):
    """A withdrawal's parts by their names (date, reason), with `names`: each as written."""
    names: dict[str, str]


def _withdrawal_parts(value: dict) -> _Parts:
    """`撤回: {日期: …, 原因: …}` as meant, however typed: 日期：2026-11-10 with a
    full-width colon (YAML reads the whole for a key without a value), a reason cut at
    a comma (原因: 金额有误, 已另行公开: YAML reads 已另行公开 for a key of its own), 理由
    for 原因."""
    parts, names, last = _Parts(), {}, None
    for k, v in value.items():
        k = str(k).strip()
        if v is None and (":" in k or "：" in k):
            k, _, v = re.split("([:：])", k, maxsplit=1)
            k, v = k.strip(), v.strip()
        elif v is None and last is not None and k not in WITHDRAWN_ALIASES:  # (not 原因: left empty)
            parts[last] = f"{parts[last]}, {k}"  # (the rest of the last part, cut at its comma)
            continue
        name = WITHDRAWN_ALIASES.get(k, k)
        parts[name], names[name], last = v, k, name
    parts.names = names
    return parts


def _date_like(value: Any) -> bool:
    """Whether `value` is written as a date (readable or not: 2026-11-31, 11月10日)."""
    if isinstance(value, dt.date):
        return True
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return bool(_date_form(text) or _NO_YEAR.match(text))


def _flag(value: Any) -> bool | None:
    """A yes/no front-matter value (true/false, 是/否); None when it is neither."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value.number) if isinstance(value, LeadingZero) else str(value).strip().lower()  # (01 is 1)
    return True if text in _YES else False if text in _NO else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _content_path(value: Any) -> str | None:
    """A path inside content/ as clerks write it (with or without "content/")."""
    text = _text(value)
    return text.removeprefix("content/").lstrip("/") if text else None


def _strings(value: Any) -> list[str]:
    """Every text inside a front-matter value (lists and mappings included)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


_OWN_PAGE_ONLY = ("html", "digest", "face", "attachments")


def with_face(entry: Entry) -> Entry:
    """The entry with its `face`: a hash of every field but those only its own page
    shows (its body HTML, and the bytes of its file and its attachments), so that an
    edit of the body alone (not of its summary, ledgers or links) leaves the pages that
    list the entry as they were (see cache.PageFingerprints). Attachments count by
    their names, titles and sizes, not by where the site is."""
    shown = [(f.name, getattr(entry, f.name)) for f in dataclasses.fields(entry) if f.name not in _OWN_PAGE_ONLY]
    files = [(a.rel, a.name, a.title, a.size, a.kind, a.is_image) for a in entry.attachments]
    return dataclasses.replace(entry, face=plain_digest(shown, files))


# (a table's cells and a heading read as nonsense run into the text; a footnote's mark
# and its note, at the end, as 30 1 元 … 含手续费。 ↩)
_NOT_SUMMED = re.compile(r"<(table|h[1-6])\b.*?</\1>|<div class=\"footnote\">.*?</ol>\s*</div>", re.S)
_FOOTNOTE_MARK = re.compile(r"<sup\b.*?</sup>", re.S)
_SENTENCE_END = re.compile("[。！？；]")
_BARE_NUMBER = re.compile(r"(?<!\S)(?:\d+\.?|\(\d*\)?)$")  # a number at a cut, or part of one
_ITEM_NUMBER = re.compile(r"\d+\. |\(\d+\) ")  # an item's number, as plain_text writes it


def _summary(html: str) -> str:
    """The body's first words, those of its paragraphs (a table's headings run into the
    text read as nonsense: 二、收入预算 项目 预算金额（元） 测算依据…), to the end of a
    sentence where one ends past two fifths of the length; else cut, never after the
    first digits of a longer number (see shorten). A body of tables alone: theirs.
    A numbered list's items keep their numbers (1. 村道硬化 2. 路灯安装), and a cut says
    that more follows where it ends at a ； or before an item (cut there, a list would
    read as whole) and never leaves an item's number without its words."""
    html = _FOOTNOTE_MARK.sub("", html)
    text = plain_text(ledgers.PLACEHOLDER_RE.sub(" ", _NOT_SUMMED.sub(" ", html)), numbered=True) \
        or plain_text(ledgers.PLACEHOLDER_RE.sub(" ", html), numbered=True)
    if len(text) <= _SUMMARY_CHARS:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, _SUMMARY_CHARS)]
    if ends and ends[-1] >= _SUMMARY_CHARS * 2 // 5:
        cut = text[:ends[-1]]
        if cut.endswith("；"):
            return cut[:-1] + "…"
        return cut + "…" if _ITEM_NUMBER.match(text, ends[-1] + 1) else cut  # (an item follows: not whole)
    cut = shorten(text, _SUMMARY_CHARS)[:-1]
    bare = _BARE_NUMBER.search(cut)
    if bare is not None and _ITEM_NUMBER.match(text, bare.start()):  # (an item's, not an amount's)
        cut = cut[:bare.start()]
    return cut.rstrip() + "…"


def _find_line(body: str, needle: str, body_line: int) -> int:
    """The line of `needle` in the body: where it stands as a link's or an image's
    target first (`](x.md`, `]: x.md`, `="x.md`), as its words may stand in the text
    before; the body's first line when it stands nowhere as written."""
    for form in (f"]({needle}", f"]: {needle}", f'="{needle}', needle):
        if (at := body.find(form)) >= 0:
            return body_line + body.count("\n", 0, at)
    return body_line


_LEDGER_KEYS = ("ledger_", "totals_")  # the mistakes of a ledger's lines and totals
_COMMENT = re.compile(rf"<!--(?:(?!-->).)*?{ledgers.OPEN_FENCE}.*?-->", re.S)  # (a comment holding a ledger)
_MISNAMED = re.compile(r"\.(?:md|markdown)(?:\.txt)?$", re.I)  # an entry, but for its ending


def entry_files(config: SiteConfig, files: Iterable[str] | None = None) -> tuple[list[Path], list[Path]]:
    """Every Markdown file under content/, in a stable order: that of their folders and
    names (as Path sorts), symlinked folders not followed (as rglob); and the files
    named as an entry but for the ending (`x.md.txt`, as Notepad saves, `x.MD`,
    `x.markdown`), which are never published and so must be told about. os.scandir
    tells files from folders without a stat of each, which pathlib's rglob does not.
    `files`: the paths of every regular file under content/, found so already."""
    root = os.fspath(config.content_dir)
    found: list[str] = []
    misnamed: list[str] = []
    if files is not None:
        for path in files:
            name = os.path.basename(path)
            if name.endswith(".md"):
                found.append(path)
            elif _MISNAMED.search(name):
                misnamed.append(path)
    elif os.path.isdir(root):
        folders = [root]
        while folders:
            with os.scandir(folders.pop()) as listing:
                for item in listing:
                    if item.is_dir(follow_symlinks=False):
                        folders.append(item.path)
                    elif item.name.endswith(".md") and item.is_file():
                        found.append(item.path)
                    elif _MISNAMED.search(item.name) and item.is_file():
                        misnamed.append(item.path)
    return [[Path(p) for p in sorted(paths, key=lambda p: p.split(os.sep))] for paths in (found, misnamed)]


def _misnamed_problems(config: SiteConfig, paths: list[Path]) -> Problems:
    problems = Problems()
    for path in paths:
        rel = f"content/{path.relative_to(config.content_dir).as_posix()}"
        problems.add(rel, None, "misnamed_entry", name=path.name, fixed=_safe_name(_MISNAMED.sub("", path.name)))
    return problems


_LEADING_DAY = re.compile(r"^\d{4}-\d{1,2}(?:-\d{1,2})?(?!\d)")  # (a file name's date or month: 2026-10, 2026-10-05)
_NO_YEAR = re.compile(r"^(\d{1,2})\s*(?:月\s*(\d{1,2})\s*[日号號]?|[-/.](\d{1,2}))$")


def _bad_date(problems: Problems, rel: str, line: int | None, key: str, value: Any, after: dt.date | None,
              warning: bool = False) -> None:
    """A date that cannot be read; one without its year (公示截止: 12月27日, as a notice
    says it) is told to add it, shown as the first such day from `after` on (the entry's
    date, or the first day of the year its file name starts with), else in this year."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _NO_YEAR.match(text)
    after = after or dt.date.today().replace(month=1, day=1)
    for year in (after.year, after.year + 1) if m else ():
        try:
            day = dt.date(year, int(m.group(1)), int(m.group(2) or m.group(3)))
        except ValueError:
            continue
        if day >= after:
            problems.add(rel, line, "date_without_year", warning=warning, key=key, value=value,
                             example=day.isoformat())
            return
    written = _date_form(text)  # 2026-09-31: a day its month does not have
    if written and 1 <= int(written.group(2)) <= 12:
        year, month = int(written.group(1)), int(written.group(2))
        days = calendar.monthrange(year, month)[1]
        if int(written.group(3)) > days:
            problems.add(rel, line, "date_past_month_end", warning=warning, key=key, value=value, year=year,
                         month=month, days=days)
            return
    problems.add(rel, line, "bad_date", warning=warning, key=key, value=value)


def _safe_name(stem: str) -> str:
    """The file name to tell a clerk to use: `stem` with .md, its spaces and signs that
    break a web address made hyphens (`2026 11 通知.md.txt` → `2026-11-通知.md`, not a
    name the next run would refuse)."""
    return (re.sub(r"-{2,}", "-", _UNSAFE_NAME.sub("-", stem)).strip("-") or "entry") + ".md"


def _read_many(shared: tuple[SiteConfig, Tally | None], share: tuple[int, list[Path]],
               ) -> list[tuple[Entry | None, Problems]]:
    config, tally = shared
    k, paths = share
    reader = EntryReader(config)
    found = []
    for path in paths:
        found.append(reader.read(path))
        if tally is not None:
            tally.add(k)
    return found


def _read_parallel(config: SiteConfig, paths: list[Path], parallel: bool,
                   told: Callable[[int, int], None] | None) -> list[tuple[Entry | None, Problems]]:
    """Read files in forked worker processes when there are enough to pay for them."""
    n = workers() if parallel and len(paths) >= 200 else 1
    shares = [(k, paths[k::n]) for k in range(n)]
    tally = Tally(n, lambda done: told(done, len(paths))) if told is not None and paths else None
    by_path = {p: r for (_, share), found in zip(shares, fork_map(_read_many, shares, (config, tally), parallel,
                                                                 tally=tally))
               for p, r in zip(share, found)}
    return [by_path[p] for p in paths]


def read_entries(config: SiteConfig, cache: Cache | None = None, parallel: bool = True,
                 files: dict[str, tuple] | None = None, told: Callable[[int, int], None] | None = None,
                 ) -> tuple[list[Entry], Problems]:
    """Read and validate every entry; drafts are left out. Collects every problem.

    With a cache, a file is read again only when it or one of its attachments changed,
    or when site.yaml or the code did. A file whose stat (`changes.stat_fields`) is that
    cached is taken as unchanged; one whose stat differs is hashed, and is read again
    only when its bytes or its attachments' differ too: a fresh clone, a copy of the
    site or a branch switched back and forth gives every file a new stat, but reading
    10,000 entries again takes seconds where hashing them takes a tenth of one. The
    cache is kept per folder of content/ (a unit, usually), so an edit saves only its
    folder's part. `files`: the stat (`changes.stat_fields`) of every file under content/
    by path, when the caller has taken them already (the build's up-to-date check):
    content/ is then neither walked nor stat'ed again, but for the files read now.
    `told(done, total)` is told from time to time how many of the files to read are read."""
    key = hexdigest(code_fingerprint(), config)  # (not where the site is: see SiteConfig.root)
    paths, misnamed = entry_files(config, files)
    content = config.content_dir.resolve()
    skip = len(os.fspath(config.content_dir)) + 1
    names = {path: os.fspath(path)[skip:] for path in paths}  # cached by their path under content/
    shard_of = _shards(names)
    shards: dict[str, list[Path]] = {}
    for path in paths:
        shards.setdefault(shard_of[path], []).append(path)
    results: dict[Path, tuple[Entry | None, Problems]] = {}
    keep: dict[str, dict[str, tuple]] = {}  # by path as a string: Paths unpickle slowly
    stale: set[str] = set()
    todo = []
    for shard, shard_paths in shards.items():
        cached: dict = (cache.load(shard, key) if cache else None) or {}
        kept = keep[shard] = {}
        for path in shard_paths:
            hit = cached.get(name := names[path])
            keys = _file_keys(path, hit[2][0], files) if hit is not None else None
            if hit is not None and keys == hit[0]:
                kept[name] = hit
            elif hit is not None and keys and _same_content(path, hit, keys, content):
                kept[name] = (keys, *hit[1:])  # the new stat, for the next build
                stale.add(shard)
            else:
                todo.append(path)
                stale.add(shard)
                continue
            results[path] = hit[2]
        if len(kept) != len(cached):
            stale.add(shard)
    # (what is read is then saved, a step more: the share told stays short of the whole until it is)
    counted = (lambda done, total: told(done, total + 1)) if told is not None and cache is not None else told
    before = {path: _file_keys(path, None, files) for path in todo}  # stat before reading: an
    for path, result in zip(todo, _read_parallel(config, todo, parallel, counted)):  # edit during the build
        results[path] = result                                   # is then never cached
    entries, problems = [], _misnamed_problems(config, misnamed)
    for path in paths:
        entry, found = results[path]
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
        if path in before:
            # (a draft's bytes are hashed before the stat that vouches for them: an edit
            # made after its read and before its hash changes that stat, and is not kept)
            digest = entry.digest if entry is not None else _digest_of(path, None)
            keys = _file_keys(path, entry)
            if not found.errors and before[path][:1] == keys[:1] and digest is not None:
                keep[shard_of[path]][names[path]] = (keys, digest, (entry, found))
    if cache is not None and stale:
        saving = {shard: keep[shard] for shard in sorted(stale)}
        # Pickling a str keeps its UTF-8 bytes in it for as long as it lives (CPython
        # caches them for every non-ASCII str it encodes): saving every entry from this
        # process would add their text again to the memory every later worker inherits
        # (185 MB at 50,000 entries). A forked process saves them, but for one folder.
        if len(saving) > 1:
            ForkedCall(_save_shards, cache, key, saving, parallel=parallel).result()
        else:
            _save_shards(cache, key, saving)
    return entries, problems


def _save_shards(cache: Cache, key: str, shards: dict[str, dict[str, tuple]]) -> None:
    for shard, value in shards.items():
        cache.save(shard, key, value)


def _shards(names: dict[Path, str]) -> dict[Path, str]:
    """The name of the entries cache that holds each path, given by its path under
    content/: one per folder of content/."""
    tops = {path: name.split(os.sep, 1)[0] for path, name in names.items()}
    hashed = {top: "entries-" + hashlib.sha1(top.encode("utf-8")).hexdigest()[:12] for top in set(tops.values())}
    return {path: hashed[top] for path, top in tops.items()}


def content_digest(data: bytes, attachments: Iterable[Attachment]) -> str:
    """`Entry.digest`: a hash of the file's bytes and of its attachments', each after its
    length (bytes moved from one attachment to the next must change it)."""
    digest = hashlib.sha1()
    for part in (data, *(a.source.read_bytes() for a in attachments)):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _digest_of(path: Path, entry: Entry | None) -> str | None:
    """content_digest of an entry file as it is now (of the file alone for a draft);
    None when a file is gone."""
    try:
        return content_digest(path.read_bytes(), entry.attachments if entry is not None else ())
    except OSError:
        return None


def _same_content(path: Path, hit: tuple, keys: tuple, content: Path) -> bool:
    """Whether a cached file whose stat changed (`keys`, taken before its bytes are
    hashed: an edit made meanwhile changes the stat again) still holds what was read,
    as do its attachments, and links to the same files, found or missing, as then.
    Not if its attachments are not below `content` (the resolved content/ folder): the
    cached entry publishes them from where they were, and the site has moved since."""
    cached_keys, digest, (entry, _) = hit
    attachments = entry.attachments if entry is not None else ()
    if not all(a.source.is_relative_to(content) for a in attachments):
        return False
    stats = 1 + len(attachments)
    return keys[stats:] == cached_keys[stats:] and _digest_of(path, entry) == digest


def _file_keys(path: Path, entry: Entry | None, files: dict[str, tuple] | None = None) -> tuple:
    """Stat keys of an entry file and of every file it publishes (and whether each entry
    it links to is there), from `files` where it has them."""
    def stat(p: Path) -> tuple:
        known = files.get(os.fspath(p)) if files is not None else None
        return known if known is not None else stat_key(p)

    def there(p: Path) -> bool:
        return (files is not None and os.fspath(p) in files) or p.is_file()

    try:
        keys: list = [stat(path)]
        if entry is not None:
            keys += [stat(a.source) for a in entry.attachments]
            if entry.entry_links:
                content = path.parents[len(Path(entry.rel).parts) - 1]
                keys += [(link, there(content / link)) for link in entry.entry_links]
        return tuple(keys)
    except OSError:
        return ()
