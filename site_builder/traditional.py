"""The Traditional-script copy of a Simplified site (site.yaml `also_traditional: true`).

Every page is rendered a second time under `zh-hant/` (same relative layout) by the
same renderer and templates, with the zh-Hant interface words and `<html lang="zh-TW">`,
and the page's content (titles, bodies, names) converted with OpenCC `s2t` at build
time. Links between pages stay inside the copy; assets, attachments, the search index
and data files are linked from the copy, never duplicated, but for the search index's
snippet files, converted too (`convert_text`) so that the copy's search page shows its
results in its script. Each page's header links to the same page in the other script
(繁體 ↔ 简体).

The conversion runs over the finished HTML, leaving alone what must not change:
the paths in href/src/action (file names of shared attachments) and the text of an
element marked `lang="zh-CN"` (the link back to the Simplified pages, named in its own
script). The zh-Hant interface words pass through unchanged, since `s2t` leaves
Traditional text as it is (tests/test_residents.py checks this for every word).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .i18n import HTML_LANG, load_strings

if TYPE_CHECKING:  # (the search index converts text too, in a process that renders nothing)
    from .model import Site
    from .render import Renderer
    from .search import Documents

PREFIX = "zh-hant/"
_SIMPLIFIED_TEXT = re.compile(r'(<[^>]*\blang="zh-CN"[^>]*>)([^<]*)')
_PATH = re.compile(r'(\b(?:href|src|action)="|\bcontent="\d+;\s*url=)([^"#]*)')  # (and where a page sends on)
_HOLD = re.compile("\ue000(\\d+)\ue001")


def enabled(site: Site | Documents) -> bool:
    return site.config.also_traditional and site.config.language == "zh-Hans"


def alternate_of_simplified(site: Site) -> tuple[str, str, str] | None:
    """The header link from each Simplified page to its Traditional copy (for Renderer)."""
    if not enabled(site):
        return None
    return PREFIX, load_strings("zh-Hans").ui["script_traditional"], HTML_LANG["zh-Hant"]


@lru_cache(maxsize=1)
def _converter():
    import opencc  # only sites that publish a copy pay for loading the dictionaries

    return opencc.OpenCC("s2t")


def convert_text(text: str) -> str:
    """Plain text in Traditional script."""
    return _converter().convert(text)


def to_traditional(html: str) -> str:
    """Convert a rendered page to Traditional script, paths and zh-CN text kept as they are."""
    held: list[str] = []

    def hold(m: re.Match) -> str:
        held.append(m.group(2))
        return f"{m.group(1)}\ue000{len(held) - 1}\ue001"

    converted = _converter().convert(_PATH.sub(hold, _SIMPLIFIED_TEXT.sub(hold, html)))
    return _HOLD.sub(lambda m: held[int(m.group(1))], converted)


def copy_renderer(site: Site) -> Renderer:
    """The renderer of the copy: zh-Hant words, pages under zh-hant/, linking back."""
    from .render import Renderer

    return Renderer(site, language="zh-Hant", prefix=PREFIX,
                    alternate=("", load_strings("zh-Hant").ui["script_simplified"],
                               HTML_LANG["zh-Hans"]))


def convert_page(data: bytes) -> bytes:
    return to_traditional(data.decode("utf-8")).encode("utf-8")
