"""Stage 1: load and validate site.yaml into a typed, frozen `SiteConfig`.

Every problem in the file is collected (unknown keys with a suggestion, missing or
mistyped values, bad or reserved ids, unknown parents) before anything stops, each
with its line. Ids become URLs, so they are lowercase ASCII slugs and may not take the
names of the folders the site itself writes (`RESERVED_TOP`, `RESERVED_IN_UNIT`).
"""
from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from . import periods
from .errors import Problems
from .i18n import LANGUAGES, Listed, load_strings
from .workdays import parse_holidays
from .yamlread import LeadingZero, LineDict, YesNo, load_yaml, mend_typing, syntax_problem

CONFIG_FILE = "site.yaml"
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
CADENCES = ("monthly", "quarterly", "yearly", "as-needed", "permanent")
KINDS = ("town", "village", "community", "office")
# Days after a period's end by which it is due, when a category sets no `due_days`.
DEFAULT_DUE_DAYS = {"monthly": 10, "quarterly": 10, "yearly": 31}
PER_PAGE = (5, 100)  # entries per archive page: fewer is an error; more, a page slow on a cheap phone
# Folders the site writes at its top level and inside each unit: ids may not take them.
RESERVED_TOP = frozenset({"search", "supervision", "data", "assets", "zh-hant", "board",
                          "category", "feeds", "page", "static", "404"})
RESERVED_IN_UNIT = frozenset({"board", "ledgers", "page", "feeds"})


@dataclass(frozen=True)
class Person:
    name: str
    phone: str = ""


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    parent: str | None = None
    code: str | None = None
    supervisor: Person | None = None
    since: str | None = None


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    cadence: str
    group: str = ""
    notice_days: int | None = None
    description: str = ""
    publish_within_workdays: int = 20
    withdraw_after_notice: bool = False
    due_days: int | None = None

    @property
    def due_after(self) -> int | None:
        """Days after a period's end when it is due; None for unscheduled cadences."""
        default = DEFAULT_DUE_DAYS.get(self.cadence)
        return None if default is None else (default if self.due_days is None else self.due_days)


@dataclass(frozen=True)
class SiteConfig:
    # absolute (not resolved), so that a site named `.` and by its full path is the same
    # site; not in its repr, so not in the keys of the caches, which a site moved to
    # another folder keeps (see reader.read_entries)
    root: Path = field(repr=False)
    title: str
    units: tuple[Unit, ...]
    categories: tuple[Category, ...]
    language: str = "zh-Hans"
    base_url: str = ""
    organization: str = ""
    timezone: str = "Asia/Shanghai"
    contact: Contact = Contact()
    search: bool = True
    also_traditional: bool = False
    public_phones: tuple[str, ...] = ()
    holidays: dict = field(default_factory=dict)
    theme: str = "default"
    per_page: int = 30
    units_by_id: dict[str, Unit] = field(init=False, repr=False, compare=False)
    categories_by_id: dict[str, Category] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "units_by_id", {u.id: u for u in self.units})
        object.__setattr__(self, "categories_by_id", {c.id: c for c in self.categories})

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def publisher(self) -> str:
        return self.organization or (self.units[0].name if self.units else self.title)

    def published_phones(self) -> set[str]:
        """Numbers the site itself publishes; only these may appear in entries."""
        phones = {self.contact.phone, *self.public_phones}
        phones.update(u.supervisor.phone for u in self.units if u.supervisor)
        return {re.sub(r"\D", "", p) for p in phones if p}


_TOP_KEYS = {"title": str, "language": str, "base_url": str, "organization": str, "timezone": str,
             "contact": dict, "units": list, "categories": list, "search": bool,
             "also_traditional": bool, "public_phones": list, "holidays": dict, "theme": str,
             "per_page": int}
_UNIT_KEYS = {"id": str, "name": str, "kind": str, "parent": str, "code": str,
              "supervisor": dict, "since": str}
_CATEGORY_KEYS = {"id": str, "name": str, "group": str, "cadence": str, "notice_days": int,
                  "description": str, "publish_within_workdays": int, "withdraw_after_notice": bool,
                  "due_days": int}
_CONTACT_KEYS = {"phone": str, "email": str, "address": str}
_PERSON_KEYS = {"name": str, "phone": str}
_ALL_KEYS = {*_TOP_KEYS, *_UNIT_KEYS, *_CATEGORY_KEYS, *_CONTACT_KEYS, *_PERSON_KEYS}
_EXPECT = {str: "expect_text", int: "expect_int", bool: "expect_bool", list: "expect_list",
           dict: "expect_mapping"}


class _Reader:
    """Checks one mapping against its allowed keys, collecting problems."""

    def __init__(self, problems: Problems, path: str):
        self.problems = problems
        self.path = path

    def section(self, data: Any, spec: dict[str, type], required: tuple[str, ...],
                line: int) -> dict[str, Any]:
        if not isinstance(data, LineDict):
            self.problems.add(self.path, line, "expect_mapping", key="", value=_show(data))
            return {}
        for key, key_line in data.duplicates:
            self.problems.add(self.path, key_line, "duplicate_key", key=key)
        out: dict[str, Any] = {}
        for key, value in data.items():
            at = data.line_of(key)
            if key not in spec:
                close = difflib.get_close_matches(str(key), spec, n=1)
                self.problems.add(self.path, at, "unknown_key_hint" if close else "unknown_key",
                                  key=key, suggestion=close[0] if close else "")
                continue
            want = spec[key]
            if want is str and isinstance(value, (int, float, LeadingZero)) and not isinstance(value, bool):
                value = str(value)  # phone: 12345, code: 410526, code: 0101 are fine unquoted
            if want is int and isinstance(value, LeadingZero):
                value = value.number  # per_page: 030 is thirty
            if want is bool and isinstance(value, YesNo):
                value = value.meaning  # search: no
            if value is None and want is not bool:
                continue
            if want is int and isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
                self.problems.add(self.path, at, "quoted_number", key=key, value=int(value))
                continue  # ("30" is a whole number to a clerk: the quotes are what is wrong)
            if want is int and isinstance(value, bool) or not isinstance(value, want):
                self.problems.add(self.path, at, _EXPECT[want], key=key, value=_show(value))
                continue
            out[key] = value
        for key in required:
            if key not in data:
                self.problems.add(self.path, data.line, "required_key", key=key)
        return out


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def site_around(path: Path) -> Path | None:
    """The site that holds `path` (a folder or file): the nearest folder, `path` itself
    or one above it, with a site.yaml (a clerk runs `check` inside content/dongcun/ or
    names an entry's file), as `path` is written when it is that folder."""
    if (path / CONFIG_FILE).is_file():
        return path
    for folder in path.resolve().parents if not path.is_dir() else (path.resolve(), *path.resolve().parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def load_config(root: Path) -> tuple[SiteConfig | None, Problems]:
    """Read SITE/site.yaml. Returns (config or None, problems); never raises for content."""
    problems = Problems()
    path = root / CONFIG_FILE
    if not path.is_file():
        problems.add(CONFIG_FILE, None, "config_missing", root=str(root))
        return None, problems
    try:
        text = mend_typing(path.read_text(encoding="utf-8-sig"), _ALL_KEYS, CONFIG_FILE, 0, problems)
        data = load_yaml(text)
    except UnicodeDecodeError:
        problems.add(CONFIG_FILE, None, "config_encoding")
        return None, problems
    except yaml.YAMLError as exc:
        syntax_problem(exc, text, CONFIG_FILE, 0, problems)
        return None, problems
    r = _Reader(problems, CONFIG_FILE)
    top = r.section(data, _TOP_KEYS, ("title", "units", "categories"), 1)
    if not top:
        return None, problems
    lines = data.line_of

    # A bad value is reported and replaced by its default, so that the entries can
    # still be checked in the same run: `check` lists every problem at once.
    language = top.get("language", "zh-Hans")
    if language not in LANGUAGES:
        meant = _language_meant(str(language))
        problems.add(CONFIG_FILE, lines("language"), "bad_language" if meant else "bad_choice", key="language",
                     value=language, choices=", ".join(LANGUAGES), suggestion=meant)
        language = "zh-Hans"
    timezone = top.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(CONFIG_FILE, lines("timezone"), "bad_timezone", value=timezone)
        timezone = "Asia/Shanghai"
    base_url = top.get("base_url", "")
    if base_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        problems.add(CONFIG_FILE, lines("base_url"), "bad_base_url", value=base_url)
        base_url = ""
    base_url = base_url.rstrip("/") + "/" if base_url else ""
    per_page = top.get("per_page", 30)
    if per_page < PER_PAGE[0]:
        problems.add(CONFIG_FILE, lines("per_page"), "bad_per_page", value=per_page, least=PER_PAGE[0])
        per_page = 30
    elif per_page > PER_PAGE[1]:  # the site's choice, but residents should not pay for it unknowingly
        problems.add(CONFIG_FILE, lines("per_page"), "large_per_page", warning=True, value=per_page,
                     most=PER_PAGE[1])

    if top.get("also_traditional") and language != "zh-Hans":  # (a copy of a Simplified site only)
        problems.add(CONFIG_FILE, lines("also_traditional"), "traditional_copy_unused", warning=True,
                     language=language)

    contact_map = r.section(data["contact"], _CONTACT_KEYS, (), lines("contact")) if "contact" in top else {}
    units = _read_units(r, data.get("units"), lines("units"))
    categories = _read_categories(r, data.get("categories"), lines("categories"))
    unit_ids = {u.id for u, _ in units}
    for u, line in units:
        if u.parent and u.parent not in unit_ids:
            problems.add(CONFIG_FILE, line, "unknown_parent", id=u.id, parent=u.parent)
    phones = tuple(str(p) for p in top.get("public_phones", ()))
    holidays = parse_holidays(data["holidays"], CONFIG_FILE, lines("holidays"), problems) \
        if "holidays" in top else {}
    if "title" not in top or not units or not categories:
        return None, problems
    # With problems, this config holds only the valid units and categories: good enough
    # to check the entries, never to build (the caller stops on any error).
    config = SiteConfig(
        root=Path(os.path.abspath(root)), title=top["title"], language=language, base_url=base_url,
        organization=top.get("organization", ""), timezone=timezone,
        contact=Contact(**contact_map), units=tuple(u for u, _ in units),
        categories=tuple(c for c, _ in categories), search=top.get("search", True),
        also_traditional=top.get("also_traditional", False), public_phones=phones,
        holidays=holidays, theme=top.get("theme", "default"),
        per_page=per_page)
    return config, problems


def _language_meant(value: str) -> str | None:
    """The language a tag or name most likely means (zh-CN, zh_TW, zh-Hans-HK, en-US,
    中文（繁体）, 英文, ...)."""
    v = value.strip().lower().replace("_", "-")
    regions = v.split("-")[1:]
    if "hans" in regions or "简" in value or "簡" in value:
        return "zh-Hans"
    if "hant" in regions or "繁" in value or (v.startswith("zh") and {"tw", "hk", "mo"} & set(regions)):
        return "zh-Hant"
    if v.startswith("zh") or v in ("cn", "chinese") or "中" in value or "汉" in value or "漢" in value:
        return "zh-Hans"
    if v.startswith("en") or "英" in value:
        return "en"
    return None


# A cadence as a clerk may write it in Chinese (每月, 按季度, 年度, 不定期, 长期, ...)
_CADENCE_WORDS = {"不定": "as-needed", "随时": "as-needed", "隨時": "as-needed", "及时": "as-needed",
                  "及時": "as-needed", "长期": "permanent", "長期": "permanent", "常年": "permanent",
                  "永久": "permanent", "月": "monthly", "季": "quarterly", "年": "yearly"}


def _cadence_meant(value: str) -> str | None:
    """The cadence a word most likely means: the one of the word found first in it
    (每季度首月 quarterly, 每年12月 yearly; at one place the longer word: 常年 is no
    yearly cadence), or the English one it is close to (Monthly, quarter)."""
    found = [(value.find(word), -len(word), cadence) for word, cadence in _CADENCE_WORDS.items() if word in value]
    if found:
        return min(found)[2]
    close = difflib.get_close_matches(value.strip().lower(), CADENCES, n=1, cutoff=0.6)
    return close[0] if close else None


class _Ids:
    """Checks that ids are slugs, unreserved and unique within their list."""

    def __init__(self, r: _Reader, reserved: frozenset[str]):
        self.r, self.reserved, self.seen = r, reserved, {}

    def ok(self, ident: str, line: int) -> bool:
        if not ID_RE.match(ident):
            self.r.problems.add(self.r.path, line, "bad_id", id=ident)
            return False
        if ident in self.reserved:
            self.r.problems.add(self.r.path, line, "reserved_id", id=ident,
                                reserved=Listed(sorted(self.reserved)))
            return False
        if ident in self.seen:
            self.r.problems.add(self.r.path, line, "duplicate_id", id=ident, other=self.seen[ident])
            return False
        self.seen[ident] = line
        return True


def _items(r: _Reader, data: Any, line: int, key: str) -> list[LineDict]:
    if not isinstance(data, list) or not data:
        r.problems.add(r.path, line, "expect_nonempty_list", key=key)
        return []
    return data


def _read_units(r: _Reader, data: Any, line: int) -> list[tuple[Unit, int]]:
    ids, units = _Ids(r, RESERVED_TOP), []
    for item in _items(r, data, line, "units"):
        at = getattr(item, "line", line)
        u = r.section(item, _UNIT_KEYS, ("id", "name", "kind"), at)
        if not {"id", "name", "kind"} <= u.keys() or not ids.ok(u["id"], item.line_of("id")):
            continue
        if u["kind"] not in KINDS:
            r.problems.add(r.path, item.line_of("kind"), "bad_choice", key="kind", value=u["kind"],
                           choices=", ".join(KINDS))
        if "since" in u:
            since = periods.parse(str(item.get("since")))  # (2026.10 unquoted is kept as written)
            if since is None:
                r.problems.add(r.path, item.line_of("since"), "bad_since", value=item.get("since"))
                del u["since"]  # checked, not used: the rest of the site can still be checked
            else:
                u["since"] = since
        sup = None
        if "supervisor" in u:
            s = r.section(u["supervisor"], _PERSON_KEYS, ("name",), item.line_of("supervisor"))
            sup = Person(**s) if "name" in s else None
        units.append((Unit(id=u["id"], name=u["name"], kind=u["kind"], parent=u.get("parent"),
                           code=u.get("code"), supervisor=sup, since=u.get("since")), at))
    return units


def _read_categories(r: _Reader, data: Any, line: int) -> list[tuple[Category, int]]:
    ids, cats = _Ids(r, RESERVED_TOP | RESERVED_IN_UNIT), []
    for item in _items(r, data, line, "categories"):
        at = getattr(item, "line", line)
        c = r.section(item, _CATEGORY_KEYS, ("id", "name", "cadence"), at)
        if not {"id", "name", "cadence"} <= c.keys() or not ids.ok(c["id"], item.line_of("id")):
            continue
        if c["cadence"] not in CADENCES:
            meant = _cadence_meant(str(c["cadence"]))
            r.problems.add(r.path, item.line_of("cadence"), "bad_cadence" if meant else "bad_choice", key="cadence",
                           value=c["cadence"], choices=", ".join(CADENCES), suggestion=meant)
            c["cadence"] = "as-needed"  # reported; kept so that its entries are not all
                                        # reported too, as of an unknown category
        for key, least in (("notice_days", 0), ("due_days", 0), ("publish_within_workdays", 1)):
            if key in c and c[key] < least:
                r.problems.add(r.path, item.line_of(key), "too_small", key=key, value=c[key], least=least)
        if c.get("withdraw_after_notice") and not c.get("notice_days"):
            r.problems.add(r.path, item.line_of("withdraw_after_notice"), "withdraw_needs_notice",
                           id=c["id"])
        cats.append((Category(**c), at))
    return cats


def named_id(config: SiteConfig, key: str, given: str, problems: Problems, path: str, line: int | None) -> str:
    """The id of the unit or category (`key`) that `given` names (see _id_of), for an
    entry's header and for `new` alike; when it names none, or several, that is told
    (at `path`, `line`), with the ids and names there are."""
    things = config.units_by_id if key == "unit" else config.categories_by_id
    found, ids = _id_of(things, given)
    if len(ids) > 1:
        problems.add(path, line, "ambiguous_name", name=given, ids=Listed(ids))
    elif found not in things:
        ui = load_strings(config.language).ui
        problems.add(path, line, f"unknown_{key}", **{key: given},
                     known=Listed(f"{k}{ui['paren_open']}{v.name}{ui['paren_close']}" for k, v in things.items()))
    return found


def _id_of(things: dict, given: str) -> tuple[str, list[str]]:
    """The id of the unit or category `given` names, with the ids it may name: an id,
    typed in full-width letters or capitals too (ｄｏｎｇｃｕｎ), or a name (东村 for dongcun:
    a clerk knows the name), in either script (東村). When it names no one thing,
    `given` as it is, with the ids of the things of that name (more than one: the
    clerk is to say which)."""
    if given in things:  # (as nearly every entry writes it: no more asked)
        return given, [given]
    plain = unicodedata.normalize("NFKC", given).strip().lower()
    for key in (given, plain):
        if key in things:
            return key, [key]
    for same in (str.strip, _simplified):
        named = [thing_id for thing_id, thing in things.items() if same(thing.name) == same(given)]
        if named:
            return (named[0] if len(named) == 1 else given), named
    return given, []


def _simplified(text: str) -> str:
    """`text` in Simplified script, full-width letters and digits made plain."""
    return _t2s().convert(unicodedata.normalize("NFKC", text).strip())


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # (made once: a converter takes 3 ms to make, and a site may have hundreds of units)

    return opencc.OpenCC("t2s")

