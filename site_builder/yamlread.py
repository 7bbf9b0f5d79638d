"""YAML that remembers where each key was written.

site.yaml and entry front matter are read with `load_yaml`, which returns ordinary
Python values except that every mapping is a `LineDict`: a dict that also knows the
1-based line of itself and of each of its keys, so a problem can name the exact line
a clerk must fix. A repeated key is reported instead of silently overwritten.
"""
from __future__ import annotations

import re
from typing import Any, Collection

import yaml

from .errors import Problems, Term


class LineDict(dict):
    """A dict with `line` (where the mapping starts) and `lines[key]`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line = 1
        self.lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


# libyaml's C parser when PyYAML was built with it (the usual wheels are): several
# times faster on large sites; the constructors below are the same either way.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type, misc]
    pass


class LeadingZero(str):
    """A whole number written with a leading zero (0101, 05000), kept as written: an
    identifier (文号, a unit's code) keeps its zero, and where a number is wanted it is
    that number in base ten (YAML 1.1 reads 05000 as the octal 2,560, and 08000 as text)."""

    @property
    def number(self) -> int:
        return int(self.replace("_", ""), 10)  # (YAML lets _ part digits: 0_1, 01_)


class YesNo(str):
    """yes, no, on or off as written (YAML 1.1 reads them as true and false): a summary
    `no`, keywords [on, off] are those words, not True and False; where a yes or no is
    wanted, `meaning` is it. (true and false stay what they say.)"""

    @property
    def meaning(self) -> bool:
        return self.lower() in ("yes", "on")


# No key of site.yaml or of an entry wants a number with a fraction: one is kept as it is
# written, so that a 文号 2024.10 or a period 2026.10 is not YAML's 2024.1 (an amount is
# read from its text, 14679.50 as written).


_LEADING_ZERO_TAG = "tag:site-builder:leading-zero"

# Dates stay strings: the reader parses them itself, so an impossible date such as
# 2024-02-30 becomes a problem with its line instead of an exception from inside YAML.
# A whole number with a leading zero is a LeadingZero, tried before YAML's numbers.
_Loader.yaml_implicit_resolvers = {
    first: ([(_LEADING_ZERO_TAG, re.compile(r"^[-+]?0[0-9_]+$"))] if first in "-+0" else [])
    + [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A whole number, but text where a clerk means text: 9:30 (YAML 1.1 reads it in
    base 60, as 570)."""
    if ":" in node.value:
        return loader.construct_scalar(node)
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_Loader.add_constructor(_LEADING_ZERO_TAG, lambda loader, node: LeadingZero(loader.construct_scalar(node)))
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: loader.construct_scalar(node))
_Loader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: node.value.lower() == "true"
                        if node.value.lower() in ("true", "false") else YesNo(node.value))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            key = str(key)
        if key in result:
            result.duplicates.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> Any:
    """Parse YAML; raises yaml.YAMLError (with problem_mark) on a syntax error."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (SafeLoader subclass)


def load_plain(text: str) -> Any:
    """Parse YAML into plain Python values, with the C parser when there is one (the
    pure-Python safe_load takes a tenth of a second over a large site.yaml)."""
    return yaml.load(text, Loader=_Base)  # noqa: S506 (SafeLoader or CSafeLoader)


# a key followed by a full-width colon, or by a colon and a full-width space (an input
# method's space: no space to YAML, which would read the line as text and fail on the next)
_TYPED_KEY = re.compile(r"^(\s*(?:-\s+)?)([^\s:：#'\"]+?)(\s*：|:(?=　))[ \t　]*(.*)$")


# zero-width spaces and joiners, word joiner, byte-order mark, control characters but
# tab and line ends: invisible, copied in with text from a web page, a chat or a
# spreadsheet, and no part of any value (nor of a body: they would split words a
# resident searches for)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")


def without_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def mend_typing(text: str, keys: Collection[str], path: str, offset: int, problems: Problems) -> str:
    """`text` as a clerk meant it where an input method typed what YAML misreads: a
    full-width colon after a known key (`title：…`) read as ": ", each with a note, and a
    colon followed by a full-width space (`title:　…`) too; an invisible character (a
    date 2026-11-10 followed by a zero-width space would be no date) left out. Line 1 of
    `text` is line 1 + offset of `path`."""
    out = []
    for i, line in enumerate(without_invisible(text).split("\n")):
        m = _TYPED_KEY.match(line)
        if m and m.group(2) in keys:
            if "：" in m.group(3):  # (the space is invisible: no note)
                problems.add(path, i + 1 + offset, "fullwidth_colon", warning=True, key=m.group(2))
            line = f"{m.group(1)}{m.group(2)}: {m.group(4)}"
        out.append(line)
    return "\n".join(out)


def syntax_problem(exc: yaml.YAMLError, text: str, path: str, offset: int, problems: Problems) -> None:
    """A YAML syntax error in `text` (line 1 is line 1 + offset of `path`) as the
    message that best says what to do, with what the parser found as detail (in a
    clerk's words where the messages have them: see error_words)."""
    line, detail, said = error_line(exc, offset), error_words(exc), error_text(exc)
    lines = text.split("\n")
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses (its position is
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)  # in bytes for libyaml): its line
        line = text.count("\n", 0, bad.start()) + 1 + offset if bad else None
    elif "could not find expected ':'" in said and getattr(exc, "context_mark", None) is not None:
        line = exc.context_mark.line + 1 + offset  # (the line without its colon, not the next one)
    at = line - 1 - offset if line else -1
    near = [lines[k] for k in (at - 1, at) if 0 <= k < len(lines)]
    tab_indented = any("\t" in n[:len(n) - len(n.lstrip())] for n in near)
    wide_indented = [k for k in (at - 1, at) if 0 <= k < len(lines) and "\u3000" in lines[k][:_indent(lines[k])]]
    glued = _GLUED_COLON.match(lines[at]) if "could not find expected ':'" in said and 0 <= at < len(lines) else None
    before = lines[at - 1] if 0 < at < len(lines) else ""
    if "mapping values" in said and before.strip() and not before.lstrip().startswith(("#", "-")) \
            and not re.search("[:：]", before) and _indent(before) == _indent(lines[at]):
        # title 关于……, with no colon, then date: …: the line before is the one to mend
        problems.add(path, line - 1, "yaml_syntax_why", detail=Term("yaml_why_no_colon"))
    elif wide_indented:  # (str.strip and so _indent count the full-width space as white space)
        problems.add(path, wide_indented[-1] + 1 + offset, "yaml_fullwidth_space")
    elif glued:  # date:2026-11-10, its colon not followed by a space
        problems.add(path, line, "yaml_colon_space", key=glued.group(1), value=glued.group(2))
    elif "tab character" in said or ("cannot start any token" in said and tab_indented):
        problems.add(path, line, "yaml_tab")  # (libyaml often says only the second)
    elif "mapping values" in said and 0 <= at < len(lines) and lines[at][:1] not in (" ", "\t") \
            and lines[at].count(":") > 1:
        problems.add(path, line, "yaml_colon")  # title: 关于: 第一次 -- a colon in the value
    elif 0 <= at < len(lines) and (m := _CLOSED_START.match(lines[at])):  # title: [草案]关于……, "三资"办法
        value = m.group("value")
        mark = value[0]
        quoted = "'" + value.replace("'", "''") + "'" if '"' in value else f'"{value}"'
        problems.add(path, line, "yaml_quote_start" if mark in "\"'" else "yaml_bracket_start", mark=mark,
                     closing=_CLOSING[mark], quoted=quoted)
    elif (opened := _unclosed(text)) is not None:
        k, mark = opened
        if mark in "[{" and "，" in lines[k]:  # (items parted by full-width commas: read as one, then a mistake)
            problems.add(path, k + 1 + offset, "yaml_fullwidth_comma", mark=mark, closing=_CLOSING[mark])
        else:
            problems.add(path, k + 1 + offset, "yaml_unclosed_quote" if mark in "\"'" else "yaml_unclosed_bracket",
                         mark=mark, closing=_CLOSING[mark])
    else:  # in our words, or, for a mistake they do not name, the parser's and our advice
        problems.add(path, line, "yaml_syntax_why" if isinstance(detail, Term) else "yaml_syntax", detail=detail)


_CLOSING = {'"': '"', "'": "'", "[": "]", "{": "}"}
# a value (of a key, or an item of a list) that starts with a bracket or a quote closed
# before the text goes on (title: [草案] 关于……, - [重要]道路, title: "三资"管理办法):
# YAML's list, map or quoted text, then a mistake; not one inside a list or map written
# on the line ({id: a, name: [试点]东村}), whose quoting the whole line would break
_CLOSED_START = re.compile(r"""^\s*(?:-\s+)?(?:[^\s:#{\["'-][^:#{\[]*:\s+)?"""
                           r"""(?P<value>(?:[\[{][^\]}\[{,:]*[\]}]|"[^"]*"|'[^']*')\s*[^\s#][^#]*?)(?:\s+#.*)?$""")


def _unclosed(text: str) -> tuple[int, str] | None:
    """(0-based line, mark) of the quote or bracket whose missing partner made `text`
    invalid, as the pure-Python parser tells (libyaml's errors say less): the error
    comes inside a quoted value or a [list] or {map} left open, or it comes right after
    a quoted value that ran on over lines (closed by the next value's opening quote).
    None for any other mistake: a value that legitimately spans lines is not blamed."""
    scanned: list[yaml.Token] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            scanned.append(token)
        for _ in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    except yaml.YAMLError as exc:
        context, mark = getattr(exc, "context", None) or "", getattr(exc, "context_mark", None)
        if mark is not None and context.startswith(("while scanning a quoted scalar", "while parsing a flow")):
            opened = text[mark.index:mark.index + 1]
            return (mark.line, opened) if opened in _CLOSING else None
        problem = getattr(exc, "problem_mark", None)
        for token in reversed(scanned):
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'") and problem is not None \
                    and token.start_mark.line < token.end_mark.line == problem.line:
                return token.start_mark.line, token.style
    return None


def error_line(exc: yaml.YAMLError, offset: int = 0) -> int | None:
    """The 1-based line a YAML syntax error points at, shifted by `offset`."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return None if mark is None else mark.line + 1 + offset


def error_text(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or exc).strip()


# The parsers' English for the mistakes clerks make, by a piece of its wording (the same
# in libyaml and in PyYAML), and the message (`yaml_why_*`) that says it in their words.
_WHY = (("mapping values are not allowed", "yaml_why_colon"),
        ("did not find expected key", "yaml_why_indent"),
        ("did not find expected '-' indicator", "yaml_why_list"),
        ("block sequence entries are not allowed", "yaml_why_dash"),
        ("cannot start any token", "yaml_why_mark"),
        ("undefined alias", "yaml_why_star"),
        ("expected alphabetic or numeric character", "yaml_why_star"),
        ("duplicate anchor", "yaml_why_star"),
        ("could not determine a constructor for the tag", "yaml_why_bang"),
        ("unexpected end of stream", "yaml_why_unclosed"),
        ("expected ',' or ']'", "yaml_why_bracket"),
        ("expected ',' or '}'", "yaml_why_brace"),
        ("unknown escape character", "yaml_why_escape"),
        ("could not find expected ':'", "yaml_why_no_colon"),
        ("control characters are not allowed", "yaml_why_control"))


def error_words(exc: yaml.YAMLError) -> str:
    """What the mistake is, in words of the messages where they have some (a `Term`),
    else in the parser's own."""
    said = f"{getattr(exc, 'context', None) or ''} {error_text(exc)}"
    return next((Term(key) for wording, key in _WHY if wording in said), error_text(exc))


_GLUED_COLON = re.compile(r"^\s*(?:-\s+)?([^\s:：#'\"\[{]+):(\S.*?)\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
