"""The `site-builder` command: parse arguments, call one library function, report. (A
build with nothing to do is answered first, from records alone: see `_told_again`.)

Exit codes: 0 ok, 1 a content problem (shown as `path:line: message`, never a
traceback), 2 a usage mistake (a mistyped command, option or date, told in words, with
argparse's detail). Messages are in the site's language.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import marshal
import os
import re
import signal
import sys
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, NoReturn, TextIO

from . import __version__

if TYPE_CHECKING:  # (the rest of the builder is imported where it is used: see run)
    from .build import BuildResult
    from .errors import Problem
    from .i18n import Strings
    from .uptodate import Seen


COMMANDS = ("build", "check", "serve", "new", "init", "archive")


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake told in the site's language (exit 2) after the
    usage line."""

    def __init__(self, *args: Any, strings: Strings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.strings = strings

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, self.strings.message("usage_error", detail=_told(message, self.strings)) + "\n")


_ARGPARSE_WORDS = [  # argparse's words for a usage mistake, and ours
    (re.compile(r"the following arguments are required: (?P<what>.+)"), "usage_missing"),
    (re.compile(r"unrecognized arguments: (?P<what>.+)"), "usage_unrecognized"),
    (re.compile(r"argument (?P<option>\S+): invalid int value: '(?P<value>.*)'"), "usage_not_a_number"),
    (re.compile(r"argument (?P<option>\S+): expected one argument"), "usage_needs_value"),
]


def _told(message: str, strings: Strings) -> str:
    """argparse's message in the site's language (the option or value it names kept)."""
    for pattern, key in _ARGPARSE_WORDS:
        m = pattern.fullmatch(message)
        if m:
            return strings.message(key, **m.groupdict())
    m = re.fullmatch(r"argument (\S+): (.+)", message, re.S)  # our own checks (a date, a port)
    return f"{m.group(1)}: {m.group(2)}" if m else message


def _parser(strings: Strings) -> _Parser:
    """The command line, its help in the site's language (a clerk reads --help too)."""
    say = strings.message

    def date(text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(say("usage_bad_date", value=text)) from None

    def port(text: str) -> int:
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise argparse.ArgumentTypeError(say("usage_bad_port", value=text))
        return int(text)

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
            # (argparse asks for no prefix, "", when it makes a command's name)
            super().add_usage(usage, actions, groups, say("help_usage") if prefix is None else prefix)

    def command(parser: argparse.ArgumentParser, site: bool = True) -> tuple[Any, Any]:
        """The groups of a parser's arguments and options, named in the site's language
        (a group left empty is not shown), with -h among the options."""
        arguments = parser.add_argument_group(say("help_arguments"))
        options = parser.add_argument_group(say("help_options"))
        options.add_argument("-h", "--help", action="help", help=say("help_help"))
        if site:
            arguments.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE", help=say("help_site"))
        return arguments, options

    def sub_parser(name: str, usage: str | None = None) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=say(f"help_{name}"), description=say(f"help_{name}"),
                              usage=usage, add_help=False, formatter_class=Formatter, strings=strings)

    p = _Parser(prog="site-builder", description=say("help_description"), add_help=False,
                formatter_class=Formatter, strings=strings)
    _, options = command(p, site=False)
    options.add_argument("--version", action="version", version=f"site-builder {__version__}",
                         help=say("help_version"))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", title=say("help_commands"))
    today = {"type": date, "metavar": "YYYY-MM-DD", "help": say("help_today")}

    _, o = command(sub_parser("build"))
    o.add_argument("--output", "-o", type=Path, metavar="FOLDER", help=say("help_output"))
    o.add_argument("--today", **today)

    _, o = command(sub_parser("check"))
    o.add_argument("--today", **today)
    o.add_argument("--supervision", action="store_true", help=say("help_supervision"))

    _, o = command(sub_parser("archive"))
    o.add_argument("--year", type=int, required=True, help=say("help_year"))
    o.add_argument("--unit", help=say("help_unit"))
    o.add_argument("--output", "-o", type=Path, metavar="ZIP", help=say("help_zip"))
    o.add_argument("--today", **today)

    _, o = command(sub_parser("serve"))
    o.add_argument("--port", type=port, default=8000, help=say("help_port"))
    o.add_argument("--output", "-o", type=Path, metavar="FOLDER", help=say("help_output"))
    o.add_argument("--today", **today)

    a, o = command(sub_parser("new", "%(prog)s [-h] [--today YYYY-MM-DD] [SITE] UNIT CATEGORY TITLE"), site=False)
    a.add_argument("args", nargs="+", metavar="[SITE] UNIT CATEGORY TITLE", help=say("help_new_args"))
    o.add_argument("--today", **today)

    a, _ = command(sub_parser("init"), site=False)
    a.add_argument("dir", type=Path, metavar="DIR", help=say("help_dir"))
    return p


_VALUED = ("--output", "-o", "--today", "--year", "--unit", "--port")  # options that take a value


def _named_site(argv: list[str]) -> Path:
    """The SITE a command line names, read before it is parsed (its help is told in that
    site's language): the first word after the command that is neither an option nor an
    option's value; this folder for a command without one, or none given."""
    if not argv or argv[0] not in ("build", "check", "archive", "serve"):
        return Path(".")
    words = iter(argv[1:])
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return Path(word)
    return Path(".")


def _strings_for(root: Path) -> Strings:
    """The site's language, read leniently: messages must show even for a broken site.yaml."""
    from .config import site_around
    from .i18n import load_strings
    from .yamlread import load_plain

    try:
        data = load_plain(((site_around(root) or root) / "site.yaml").read_text(encoding="utf-8-sig"))
        return load_strings(str(data.get("language", "zh-Hans")))
    except Exception:  # noqa: BLE001 - any failure: default language
        return load_strings("zh-Hans")


def _report(problems: list[Problem], strings: Strings, stream: TextIO | None = None) -> None:
    """Each problem on a line, those of the files with errors last: just above the line
    that tells the build or check failed (see errors.files_in_error_apart)."""
    from .errors import files_in_error_apart

    for problem in files_in_error_apart(problems):  # (sys.stderr as it is then: see run)
        print(problem.format(strings), file=stream or sys.stderr)


class _Progress:
    """How a build shows it is alive, on stderr. On a terminal: the stage under way, on
    a line rewritten as it goes with how far it is (of the entries to read, the pages
    to write, the search index to make) and with its time once it ends; each line fits
    the terminal's width, the stage's name cut if need be (a line that wrapped could not
    be rewritten). In a CI service's log (not a terminal, and CI set, as GitHub Actions,
    GitLab CI and others set it): a plain line for each stage as it ends. Elsewhere
    (piped into a file or another command): nothing."""

    def __init__(self, strings: Strings, total: int, stream: TextIO, live: bool):
        self.strings, self.total, self.stream, self.live = strings, total, stream, live
        self.counts = live  # (a CI log shows no counts: none are made)
        self._open = 0  # the width of the line under way, on a terminal (0: none)
        self._counted = ""  # the last count shown

    @classmethod
    def shown(cls, strings: Strings, total: int, stream: TextIO) -> _Progress | None:
        if stream.isatty():
            return cls(strings, total, stream, live=True)
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            return cls(strings, total, stream, live=False)
        return None

    def stage(self, number: int, name: str, seconds: float | None) -> None:
        if seconds is None:
            if self.live:
                self._show(self._line("build_stage_begun", number, name))
            return
        self._show(self._line("build_stage", number, name, seconds=f"{seconds:.2f}"), ended=True)

    def count(self, number: int, name: str, done: int, total: int) -> None:
        text = self._line("build_stage_count", number, name, percent=100 * done // max(1, total))
        if self.live and text != self._counted:  # (told again while workers run: drawn once)
            self._counted = text
            self._show(text)

    def _line(self, key: str, number: int, name: str, **params: Any) -> str:
        """Message `key` of stage `name`; on a terminal, the stage's name cut so that
        the line fits (its number, share or time are what it is for, and stay whole)."""
        stage = self.strings.message(f"stage_{name}")
        if self.live:
            rest = self.strings.message(key, n=number, total=self.total, stage="", **params)
            stage = _cut(stage, max(0, _columns(self.stream) - 1 - _width(rest)))
        return self.strings.message(key, n=number, total=self.total, stage=stage, **params)

    def end(self) -> None:
        """The line under way blanked, as the build stops with it (a mistake, Ctrl-C):
        what is told next is written over it."""
        if self._open:
            self.stream.write("\r" + " " * self._open + "\r")
            self.stream.flush()
            self._open = 0

    def _show(self, text: str, ended: bool = False) -> None:
        if not ended:  # (even a line too wide with its name cut: a line as wide as the
            text = _cut(text, _columns(self.stream) - 1)  # terminal may wrap at once)
        width = _width(text)
        if self._open:  # over the line under way, its end blanked if it was longer
            text = "\r" + text + " " * max(0, self._open - width)
        self.stream.write(text + ("\n" if ended else ""))
        self.stream.flush()
        self._open = 0 if ended else width


@contextlib.contextmanager
def _shown(strings: Strings, total: int) -> Iterator[_Progress | None]:
    """The progress display of a command of `total` stages, if any is to be shown,
    ended (its line under way blanked) however the command ends."""
    progress = _Progress.shown(strings, total, sys.stderr)  # (stderr as it is now: see run)
    try:
        yield progress
    finally:
        if progress is not None:
            progress.end()


def _width(text: str) -> int:
    """Columns `text` takes on a terminal, at the most: Han characters take two, and so
    may those of ambiguous width (…, as a Chinese console draws it)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def _columns(stream: TextIO) -> int:
    """The width of the terminal `stream` is (not of stdout's, which may be a file)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80  # (0: a terminal never sized)
    except (AttributeError, ValueError, OSError):
        import shutil  # (here: a build with nothing to do shows nothing)

        return shutil.get_terminal_size().columns


def _cut(text: str, columns: int) -> str:
    while text and _width(text) > columns:
        text = text[:-1]
    return text


def main(argv: list[str] | None = None, seen: Seen | None = None) -> int:
    """The command line `argv` run (`seen`: what stage 0 saw of it, when `_told_again`
    asked); its exit code."""
    from .config import site_around
    from .errors import SiteError
    from .i18n import Listed

    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:  # a command mistyped
        strings = _strings_for(Path("."))
        close = difflib.get_close_matches(argv[0], COMMANDS, n=1)
        print(strings.message("usage_unknown_command", command=argv[0], commands=Listed(COMMANDS),
                              suggestion=close[0] if close else COMMANDS[0]), file=sys.stderr)
        return 2
    named = _named_site(argv)
    parser = _parser(_strings_for(named))
    args = parser.parse_args(argv)
    root = Path(getattr(args, "site", None) or ".")
    if args.command == "new":
        if len(args.args) not in (3, 4):
            parser.error(parser.strings.message("usage_new_words"))
        from .config import ID_RE  # (new reads the config anyway)

        first = args.args[0]
        if len(args.args) == 3 and (Path(first) / "site.yaml").is_file() and (
                not Path("site.yaml").is_file() or not ID_RE.match(first)):
            # (a site named first, then a unit and a category: the title was left out; a
            # unit id is a slug, never "." or a path)
            parser.error(parser.strings.message("usage_new_no_title", site=first, unit=args.args[1],
                                                category=args.args[2]))
        root = Path(args.args[0]) if len(args.args) == 4 else Path(".")
    if args.command == "init":
        root = args.dir
    else:  # (run inside content/dongcun/, or given an entry's file: the site around it)
        root = site_around(root) or root
    strings = parser.strings if root == named else _strings_for(root)
    try:
        return _run(args, root, strings, seen)
    except SiteError as err:
        _report(err.problems, strings)
        print(strings.message("build_failed" if args.command == "build" else "command_failed",
                              count=len(err.problems.errors)), file=sys.stderr)
        return 1
    except OSError as err:
        print(strings.message("os_error", detail=f"{err.filename or ''} {err.strerror or err}".strip()),
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C, or a stop (SIGTERM) under `run`
        print(strings.message("interrupted"), file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, root: Path, strings: Strings, seen: Seen | None) -> int:
    if args.command == "build":
        from .build import STAGES, build

        with _shown(strings, len(STAGES)) as progress:
            result = build(root, args.output, args.today, progress, seen=seen)
        _remember(root, result, strings)
        _report(result.warnings, strings)
        print(strings.message("build_done", entries=result.entries, pages=result.pages,
                              written=result.written, unchanged=result.unchanged,
                              removed=result.removed, seconds=f"{result.seconds:.2f}",
                              output=result.output))
        return 0
    if args.command == "check" and args.supervision:
        from .supervision_check import check_supervision

        return check_supervision(root, args.today, strings, sys.stdout)
    if args.command == "archive":
        from .archive import write_archive

        path, count = write_archive(root, args.year, args.unit, args.output, args.today)
        print(strings.message("archive_done", year=args.year, count=count, output=path))
        return 0
    if args.command == "check":
        from .build import CHECKED, check
        from .errors import Problem

        with _shown(strings, len(CHECKED)) as progress:
            problems = check(root, args.today, progress)
        _report(sorted(problems, key=Problem.sort_key), strings, sys.stdout)  # (in build's order)
        errors = problems.errors
        print(strings.message("check_failed", count=len(errors)) if errors
              else strings.message("check_ok", warnings=len(problems.warnings)))
        return 1 if errors else 0
    if args.command == "serve":
        from .serve import serve

        return serve(root, args.port, args.output, args.today, strings)
    if args.command == "new":
        from .scaffold import new_entry

        unit, category, title = args.args[-3:]
        made = new_entry(root, unit, category, title, args.today)
        _report(made.notes, strings)
        print(made.path)
        return 0
    if args.command == "init":
        from .scaffold import init_site

        init_site(root)
        print(strings.message("init_done", dir=root))
        return 0
    raise AssertionError(args.command)


_TOLD = "told.marshal"  # what a build told, kept with the records of the builds into its output
_SECONDS, _OUTPUT = "\0seconds\0", "\0output\0"  # (filled in when it is told again)


def _remember(root: Path, result: BuildResult, strings: Strings) -> None:
    """What a build with nothing to do would tell after `result`: its warnings, and its
    summary, its time and output left to fill in; kept, with the key of the inputs
    built, for `_told_again`."""
    if result.inputs is None:
        return
    from .cache import for_output

    warnings = "".join(problem.format(strings) + "\n" for problem in result.warnings)
    done = strings.message("build_done", entries=result.entries, pages=result.pages, written=0,
                           unchanged=result.files, removed=0, seconds=_SECONDS, output=_OUTPUT)
    for_output(root, result.output).write(_TOLD, marshal.dumps((result.inputs, warnings, done)))


def _told_again(argv: list[str]) -> tuple[bool, Seen | None]:
    """A build with nothing to do, answered before the rest of the builder is imported
    (that import was half of the time of such a build): when `argv` is a `build` command
    line in its plain forms (`_plain_build`), what a build of these inputs tells is on
    record and the output is up to date (`uptodate.unchanged`), it is told again, its
    time filled in: (True, None). Otherwise False (`main` runs, as for any other command
    line), and what stage 0 saw if it was asked, for the build to go on from."""
    started = time.perf_counter()
    plain = _plain_build(argv)
    if plain is None:
        return False, None
    root, output, today = plain
    from .changes import records_folder
    from .uptodate import unchanged

    try:
        with open(os.path.join(records_folder(root, output), _TOLD), "rb") as f:
            told = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return False, None
    if type(told) is not tuple or list(map(type, told)) != [str, str, str]:
        return False, None
    inputs, warnings, done = told
    seen = unchanged(root, output, today)
    if seen is None or seen.unchanged is None or seen.unchanged.inputs != inputs:
        return False, seen  # (what it tells is another build's: main tells it, from the record)
    sys.stderr.write(warnings)
    # (the summary's time and output are filled in as text: no language's words for them
    # change with their value, as words for a count do)
    print(done.replace(_SECONDS, f"{time.perf_counter() - started:.2f}").replace(_OUTPUT, str(output)))
    return True, None


_PLAIN_OPTIONS = {"--output": "output", "-o": "output", "--today": "today"}


def _plain_build(argv: list[str]) -> tuple[Path, Path, dt.date | None] | None:
    """The site, output folder and `today` of a `build` command line in its plain forms:
    a site folder that holds a site.yaml, --output (-o) and --today each given at most
    once, as `--option VALUE` or `--option=VALUE`, a valid date. None for any other
    command line: argparse reads it, and tells of its mistakes."""
    if not argv or argv[0] != "build":
        return None
    given: dict[str, str] = {}
    words = iter(argv[1:])
    for word in words:
        if word.startswith("-"):
            option, eq, value = word.partition("=")
            name = _PLAIN_OPTIONS.get(option)
            if name is None or (eq and not option.startswith("--")):
                return None
            if not eq:
                value = next(words, "")
            if value.startswith("-"):
                return None
        else:
            name, value = "site", word
        if name in given or not value:
            return None
        given[name] = value
    site = Path(given.get("site", "."))
    try:
        today = dt.date.fromisoformat(given["today"]) if "today" in given else None
    except ValueError:
        return None
    if not (site / "site.yaml").is_file():  # (else the site around it, if any: see main)
        return None
    return site, Path(given["output"]) if "output" in given else site / "public", today


def run() -> NoReturn:
    """The `site-builder` command: a build with nothing to do answered at once
    (`_told_again`), else `main`; then an exit that skips tearing the interpreter
    down. A built site's model is millions of objects in reference cycles, which Python
    would collect one by one on the way out (0.4 s after a 10,000-entry build: a sixth of
    a rebuild). Nothing is left to finish by then: every file is written and closed, every
    worker has ended, and the output is flushed here. A stop (SIGTERM, as from a CI
    runner's timeout) is taken as Ctrl-C, so that the build stops its workers and cleans
    up; output whose reader has gone (`site-builder check | head -1`) is dropped and
    the command carries on."""
    signal.signal(signal.SIGTERM, _interrupt)
    sys.stdout, sys.stderr = _ReaderMayLeave(sys.stdout), _ReaderMayLeave(sys.stderr)
    try:
        told, seen = _told_again(sys.argv[1:])
        code = 0 if told else main(seen=seen)
    except KeyboardInterrupt:  # (main tells its own: this one came before it)
        print(_strings_for(_named_site(sys.argv[1:])).message("interrupted"), file=sys.stderr)
        code = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a full disk, say: what was printed is lost,
            code = code or 120          # as Python's own exit would say
    os._exit(code)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class _ReaderMayLeave:
    """A text stream whose reader may go away (a pipe into `head`): once it has, what
    is written is dropped instead of raising BrokenPipeError into the build. Where
    there is none (the command started with it closed, `2>&-`), all is dropped."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream if stream is not None else open(os.devnull, "w", encoding="utf-8")
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone = True
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


if __name__ == "__main__":
    run()
