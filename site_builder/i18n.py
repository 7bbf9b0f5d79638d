"""Interface words and messages, one strings file per language.

`strings/<language>.yaml` has two sections: `ui` (every word a page shows, used by
templates as `t.key`) and `messages` (every problem text, `str.format` templates).
Languages: zh-Hans, zh-Hant, en. A missing key is a bug and raises at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .yamlread import load_plain

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
HTML_LANG = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en"}
_DIR = Path(__file__).parent / "strings"


@dataclass(frozen=True)
class Strings:
    language: str
    ui: dict[str, str]
    messages: dict[str, str]

    def message(self, key: str, /, **params: Any) -> str:
        return self.messages[key].format(**params)

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.language]


@lru_cache(maxsize=None)
def load_strings(language: str = "zh-Hans") -> Strings:
    if language not in LANGUAGES:
        language = "zh-Hans"
    data = load_plain((_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    return Strings(language, data["ui"], data["messages"])
