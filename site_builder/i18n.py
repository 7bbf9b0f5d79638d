"""Interface words and messages, one strings file per language.

`strings/<language>.yaml` has two sections: `ui` (every word a page shows, used by
templates as `t.key`) and `messages` (every problem text, `str.format` templates).
Languages: zh-Hans, zh-Hant, en. A missing key is a bug and raises at once. A field
written `{count:entry|entries}` gives the first word when the number is 1, else the
second (Chinese needs none; English does); the search page's script reads it too.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import Term
from .yamlread import load_plain

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
HTML_LANG = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en"}
_DIR = Path(__file__).parent / "strings"


class _Plurals(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return one if value in (1, "1") else other
        return super().format_field(value, format_spec)


_PLURALS = _Plurals()
_PLURAL_FIELD = re.compile(r"\{[^{}:]*:[^{}|]*\|[^{}]*\}")


class Phrase(str):
    """An interface string with a `{n:one|other}` field, whose `format` fills it in
    (templates call `t.key.format(...)`). Only such strings are made Phrases: the
    formatter written in Python costs six times str.format, and dates on every page
    are formatted with strings of their own."""

    def format(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        return _PLURALS.vformat(self, args, kwargs)


class Listed(tuple):
    """Values a message lists, joined in the language it is shown in (a plain list or
    tuple is a value as a clerk wrote it, shown as it is)."""


@dataclass(frozen=True)
class Strings:
    language: str
    ui: dict[str, str]
    messages: dict[str, str]

    def message(self, key: str, /, **params: Any) -> str:
        """The message `key` with its parameters filled in; a `Listed` one is joined as
        the language lists things (东村、西村; dongcun, xicun), a `Term` is its words."""
        text = self.messages[key]
        params = {k: self.ui["list_sep"].join(map(str, v)) if isinstance(v, Listed)
                  else self.messages[v] if isinstance(v, Term) else as_written(v) for k, v in params.items()}
        return _PLURALS.vformat(text, (), params) if _PLURAL_FIELD.search(text) else text.format(**params)

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.language]


def as_written(value: Any) -> Any:
    """A value as a clerk wrote it in YAML: a list [2026-11-20] and a map {a: b} in
    brackets, not as Python shows them (['2026-11-20'])."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(as_written(v)) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{as_written(k)}: {as_written(v)}" for k, v in value.items()) + "}"
    return value


@lru_cache(maxsize=None)
def load_strings(language: str = "zh-Hans") -> Strings:
    if language not in LANGUAGES:
        language = "zh-Hans"
    data = load_plain((_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    ui = {k: Phrase(v) if isinstance(v, str) and _PLURAL_FIELD.search(v) else v for k, v in data["ui"].items()}
    return Strings(language, ui, data["messages"])
