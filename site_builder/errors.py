"""Problems found in a site, and the one exception that carries them.

Every content mistake is a `Problem`: where (path relative to the site folder and a
1-based line, when known, or, in a file whose lines mean nothing to a clerk, a `Place`
such as a PDF's page), a message key and its parameters. The words are looked up
in the site language's strings file only when the problem is shown, so checks never
need to know the language. `SiteError` carries every problem found by a stage; the CLI
turns it into `path:line: message` lines and exit code 1, never a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .i18n import Strings


class Term(str):
    """A message key given as a parameter of another: its words, in the language the
    problem is shown in, fill the field (a parser's English put in a clerk's words)."""


@dataclass(frozen=True, init=False)
class Place:
    """Where in a file that has no lines a clerk could count a problem is: a message key
    (a PDF's page, a sheet's row, told after the file's path) and its parameters."""
    key: str
    params: tuple[tuple[str, Any], ...]

    def __init__(self, key: str, **params: Any):
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(sorted(params.items())))


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    key: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    warning: bool = False  # a warning is shown but does not stop the build
    place: Place | None = None  # (with no line)

    def format(self, strings: Strings) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.place is not None:
            where += strings.message(self.place.key, **dict(self.place.params))
        label = strings.message("warning_label" if self.warning else "error_label")  # (told apart at a glance)
        return f"{where}: {label}{strings.message(self.key, **self.params)}"

    def sort_key(self) -> tuple:
        place = (self.place.key, self.place.params) if self.place is not None else ("", ())
        return (self.path, self.line or 0, place, self.key)


class SiteError(Exception):
    """A site cannot be built as it stands; `problems` says every reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = Problems(sorted(problems, key=Problem.sort_key))
        super().__init__(f"{len(self.problems)} problem(s)")

    def __reduce__(self) -> tuple:  # pickled whole: it may come from a worker process
        return (SiteError, (self.problems,))


def files_in_error_apart(problems: Iterable[Problem], last: bool = True) -> list[Problem]:
    """The problems in their order, but those of the files that have an error apart,
    after the others (`last`) or before them: a clerk finds the errors where the eye
    lands (at the end of a terminal's output, at the top of a page), however many notes
    other files have, with the notes of the same file beside them (the full-width colon
    that left an amount unread, say)."""
    problems = list(problems)
    wrong = {p.path for p in problems if not p.warning}
    return sorted(problems, key=lambda p: (p.path in wrong) == last)


class Problems(list):
    """A list of problems collected by one stage, with a helper to add one."""

    def add(self, path: str, line: int | None, key: str, /, warning: bool = False, place: Place | None = None,
            **params: Any) -> None:
        self.append(Problem(path, line, key, params, warning, place))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.warning]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise SiteError(self)
