"""The `site-builder` command as a clerk runs it: exit codes, messages, init/new/serve."""
from __future__ import annotations

import datetime as dt

import html
import io
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import (CLI_TIMEOUT, DECISION, REPO, SITE_YAML, TODAY, build_ok, describe, line, msg, run_build,
                      run_check, run_cli, run_python)
from site_builder import cli as cli_module, periods, uptodate
from site_builder.cli import _Progress, _width
from site_builder.build import build, load_site
from site_builder.i18n import load_strings
from site_builder.parallel import Tally


STAGES = ("config", "read", "model", "render", "write")


def stage_ended(number: int, name: str, of: int = 5) -> str:
    """The pattern of the line that tells a stage has ended, its seconds any."""
    return re.escape(msg("build_stage", n=number, total=of, stage=msg(f"stage_{name}"), seconds="@")).replace("@", r"\d+\.\d\d")


def stage_counted(number: int, name: str) -> str:
    """The pattern of the line that tells how far a stage is, its share any."""
    return re.escape(msg("build_stage_count", n=number, total=5, stage=msg(f"stage_{name}"), percent="@")).replace("@", r"\d+")


def test_a_build_in_a_ci_log_tells_each_stage_on_a_plain_line(make_site):
    """A CI service's log is no terminal: each stage is a line of its own as it ends,
    with no line rewritten in place; a build with nothing to do tells none."""
    site = make_site()
    result = run_build(site, env={"CI": "true"})
    assert result.returncode == 0, describe(result)
    assert "\r" not in result.stderr
    told = [text for text in result.stderr.splitlines() if text.startswith("[")]
    assert len(told) == 5 and all(re.fullmatch(stage_ended(k, name), text)
                                  for k, (name, text) in enumerate(zip(STAGES, told), 1)), describe(result)
    again = run_build(site, env={"CI": "true"})
    assert not [text for text in again.stderr.splitlines() if text.startswith("[")], describe(again)
    assert not run_build(site).stderr.count("[1/5]")  # (piped, not in a CI log: nothing)
    checked = run_cli("check", str(site), "--today", TODAY, env={"CI": "true"})  # (its three stages)
    told = [text for text in checked.stderr.splitlines() if text.startswith("[")]
    assert checked.returncode == 0 and len(told) == 3 and all(
        re.fullmatch(stage_ended(k, name, of=3), text) for k, (name, text) in enumerate(zip(STAGES, told), 1)), told


def build_on_a_terminal(site: Path, columns: int = 80) -> tuple[int, str]:
    """The exit code of a build of `site` whose stderr is a (pseudo-)terminal `columns`
    wide, and what the terminal was sent (line ends as written)."""
    import fcntl
    import pty
    import termios

    terminal, stderr = pty.openpty()
    fcntl.ioctl(stderr, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    try:
        done = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--today", TODAY],
                              stdout=subprocess.PIPE, stderr=stderr, timeout=CLI_TIMEOUT)
    finally:
        os.close(stderr)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # (every end of the terminal closed: all is read)
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    return done.returncode, shown.decode("utf-8").replace("\r\n", "\n")


def test_a_build_on_a_terminal_shows_the_stage_under_way(make_site):
    """On a terminal a long build shows what it is doing: each stage as it begins, on
    a line rewritten as it goes with how far it is (when it takes long enough) and with
    the stage's time once it ends. A build stopped by a mistake blanks the stage it
    stopped in, and the mistake is written over it."""
    code, text = build_on_a_terminal(make_site())
    assert code == 0, text
    for k, name in enumerate(STAGES, 1):
        begun = re.escape(msg("build_stage_begun", n=k, total=5, stage=msg(f"stage_{name}")))
        assert re.search(f"(^|\\n){begun}(\\r{stage_counted(k, name)} *)*\\r{stage_ended(k, name)} *\\n", text), text
    code, text = build_on_a_terminal(make_site(), columns=24)  # (a phone's SSH client, a split pane)
    shown = [part for line in text.split("\n") for part in line.split("\r") if part.startswith("[")]
    assert code == 0 and len(shown) >= 10 and all(_width(part) <= 23 for part in shown), text  # (never wrapped)
    ended = [line.split("\r")[-1] for line in text.split("\n") if line.startswith("[")]
    assert len(ended) == 5 and all(re.search(r"\d+\.\d\d", part) for part in ended), text  # (the name cut)
    path = "content/dongcun/decisions/2026-11-03-cuowu.md"
    code, text = build_on_a_terminal(make_site({path: "---\ntitle: 错\ndate: 2026-13-01\n---\n正文\n"}))
    assert code == 1 and re.search(f"\\r +\\r{re.escape(path)}:3: ", text), text


@pytest.mark.parametrize("columns", [80, 24])
def test_a_stage_under_way_on_a_terminal_shows_how_far_it_is(monkeypatch, columns):
    """A long stage (reading 10,000 entries, rendering their pages, making the search
    index: a minute or more on an old laptop) shows its share done, on the line of the
    stage under way, drawn again only when it changes; then the stage's time is written
    over it, or, when a mistake stops the build, it is blanked. On a narrow terminal
    (a phone's SSH client) the stage's name is cut, never the share."""
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(cli_module, "_columns", lambda stream: columns)
    read = msg("stage_read")
    for ended in (True, False):
        terminal = Terminal()
        progress = _Progress.shown(load_strings("zh-Hans"), 5, terminal)
        progress.stage(2, "read", None)
        for done in (3, 3, 10):
            progress.count(2, "read", done, 10)
        progress.stage(2, "read", 1.5) if ended else progress.end()
        begun, *counted, last = terminal.getvalue().split("\r")
        assert len(counted) == (2 if ended else 3), counted
        for drawn, share in zip(counted, ("30", "100")):
            assert drawn.rstrip().endswith(f" {share}%") and _width(drawn) <= columns - 1, drawn
        full = msg("build_stage_count", n=2, total=5, stage=read, percent="100")
        assert (counted[1] == full) == (columns == 80)  # (cut only where it must be)
        if ended:  # (written over the count, the rest of which is blanked)
            done = msg("build_stage", n=2, total=5, stage=read, seconds="1.50")
            assert last.endswith("\n") and _width(last[:-1]) >= _width(counted[1])
            assert last.rstrip() == done if columns == 80 else (
                last.startswith("[2/5] ") and last.rstrip().endswith("1.50 秒") and _width(last.rstrip()) <= columns - 1)
        else:
            assert counted[2] == " " * _width(counted[1]) and last == ""


def test_a_build_tells_how_far_its_long_stages_are(make_site, monkeypatch):
    """What a build tells its progress display as it reads entries, renders pages and
    makes the search index: how far each is, never going back, up to the whole (but
    for reading, whose last step, saving what was read, ends with the stage)."""
    monkeypatch.setattr(Tally, "TELL_EVERY", 0)  # (told at every step: else only every 0.2 s)
    told: dict[str, list[tuple[int, int]]] = {}

    class Shown:
        counts = True

        def stage(self, number: int, name: str, seconds: float | None) -> None:
            pass

        def count(self, number: int, name: str, done: int, total: int) -> None:
            assert STAGES[number - 1] == name
            told.setdefault(name, []).append((done, total))

    site = make_site()
    build(site, site / "public", dt.date(2026, 11, 20), Shown(), parallel=False)
    assert set(told) == {"read", "render", "write"}, told
    for name, counts in told.items():
        assert counts == sorted(counts) and len({total for _, total in counts}) == 1, (name, counts)
        assert counts[-1][0] + (name == "read") == counts[-1][1] > 0, (name, counts)
    assert told["read"][-1][1] == len(list((site / "content").rglob("*.md"))) + 1


def told_by_main(*args) -> subprocess.CompletedProcess:
    """The command line `args` run by `cli.main` alone, as it is run when nothing can
    be answered before it (see cli._told_again)."""
    return run_python("-c", "import sys; from site_builder.cli import main; sys.exit(main(sys.argv[1:]))", *args)


def timeless(text: str) -> str:
    """A build's summary with its seconds left out."""
    return re.sub(r"\d+\.\d\d", "?", text)


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_a_build_with_nothing_to_do_is_answered_before_the_builder_is_imported(make_site, tmp_path, language):
    """A build with nothing to do tells just what a full look at the site tells (its
    warnings, its summary) without importing the builder's stages, YAML or the site's
    strings: that import was half of the time of such a build. Its output named or
    not, told as it was named."""
    site = make_site({"site.yaml": SITE_YAML.replace("language: zh-Hans", f"language: {language}"),
                      "content/dongcun/decisions/2026-11-02-daolu-2.md": DECISION})  # (a warning: twice)
    for args in (["build", site, "--today", TODAY], ["build", f"--today={TODAY}", "-o", tmp_path / "out", site]):
        first = run_cli(*args)
        assert first.returncode == 0 and "2026-11-02-daolu-2.md" in first.stderr, describe(first)
        again = run_python("-X", "importtime", "-m", "site_builder", *args)
        imported = {text.split("|")[-1].strip() for text in again.stderr.splitlines() if text.startswith("import time:")}
        assert "site_builder.uptodate" in imported and not imported & {
            "yaml", "site_builder.config", "site_builder.build", "site_builder.errors", "site_builder.i18n",
            "site_builder.cache"}, sorted(imported)
        full = told_by_main(*args)
        assert again.returncode == full.returncode == 0, describe(full)
        assert [text for text in again.stderr.splitlines() if not text.startswith("import time:")] == \
            full.stderr.splitlines()
        assert timeless(again.stdout) == timeless(full.stdout) != timeless(first.stdout), (again.stdout, full.stdout)
        assert str(args[args.index("-o") + 1] if "-o" in args else Path(site) / "public") in again.stdout


def test_a_build_with_nothing_to_do_never_tells_what_another_build_told(make_site):
    """What a build told is kept with the key of the inputs it built: after a build by
    other means (`serve`, the library) the next build with nothing to do tells its own
    counts, not those of the build before."""
    site = make_site()
    build_ok(site)
    (site / "content/dongcun/decisions/2026-11-03-qiao.md").write_text(
        DECISION.replace("2026-11-02", "2026-11-03"), encoding="utf-8")
    build(site, site / "public", dt.date.fromisoformat(TODAY), parallel=False)
    again = run_build(site)
    assert again.returncode == 0 and timeless(again.stdout) == timeless(told_by_main("build", site, "--today", TODAY).stdout)
    assert msg("build_done", entries=6, pages="@", written=0, unchanged="@", removed=0, seconds="@",
               output=site / "public").split("@")[0] in again.stdout, again.stdout


def test_a_build_goes_on_from_what_was_seen_before_the_builder_was_imported(make_site, monkeypatch, capsys):
    """What stage 0 saw before the builder was imported (the inputs' stats, the output
    looked at) is where the build goes on from, not seen again: at 10,000 entries it
    takes a tenth of a second. So after an edit; and after a build by other means,
    whose report the command has no record of (it is told by `main`)."""
    site = make_site()
    build_ok(site)
    entry = site / "content/dongcun/decisions/2026-11-02-daolu.md"
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补记：已开工。\n", encoding="utf-8")
    taken = []
    stats = uptodate.input_stats
    monkeypatch.setattr(uptodate, "input_stats", lambda root: taken.append(root) or stats(root))
    argv = ["build", str(site), "--today", TODAY]
    told, seen = cli_module._told_again(argv)
    assert not told and seen.unchanged is None and capsys.readouterr() == ("", "")
    assert cli_module.main(argv, seen) == 0
    assert len(taken) == 1 and "已开工" in (site / "public/dongcun/decisions/2026-11-02-daolu/index.html").read_text(
        encoding="utf-8")
    written = capsys.readouterr().out
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补记：已完工。\n", encoding="utf-8")
    build(site, site / "public", dt.date.fromisoformat(TODAY), parallel=False)
    told, seen = cli_module._told_again(argv)
    assert not told and seen.unchanged is not None
    assert cli_module.main(argv, seen) == 0
    again = capsys.readouterr().out
    assert len(taken) == 3 and timeless(again) == timeless(told_by_main(*argv).stdout) != timeless(written)


@pytest.mark.parametrize("args, plain", [
    (["build"], (".", "public", None)),
    (["build", "S", "--today", TODAY], ("S", "S/public", TODAY)),
    (["build", f"--today={TODAY}", "--output", "out", "S"], ("S", "out", TODAY)),
    (["build", "-o", "out", "S"], ("S", "out", None)),
    (["build", "S", "S"], None),  # (argparse tells each of these mistakes)
    (["build", "--out", "x", "S"], None),  # (an abbreviation: argparse's to read)
    (["build", "-o=x", "S"], None),
    (["build", "-ox", "S"], None),
    (["build", "--today", TODAY, "--today", TODAY, "S"], None),
    (["build", "--today", "2026-13-01", "S"], None),
    (["build", "S", "--today"], None),
    (["build", "--output", "-h", "S"], None),
    (["build", "S", "-h"], None),
    (["build", "S/content"], None),  # (the site around it: main finds it)
    (["check", "S"], None),
])
def test_a_plain_build_command_line_is_read_before_argparse_is(make_site, monkeypatch, args, plain):
    site = make_site(name="S")
    (site / "content/town").mkdir(exist_ok=True)
    monkeypatch.chdir(site.parent)
    if args == ["build"]:
        monkeypatch.chdir(site)
    expected = plain and (Path(plain[0]), Path(plain[1]), plain[2] and dt.date.fromisoformat(plain[2]))
    assert cli_module._plain_build(args) == expected


def test_what_stage_0_saw_of_one_build_is_not_taken_for_another(make_site):
    """A build handed what stage 0 saw of another (another site, output or day) looks
    for itself."""
    site, other = make_site(), make_site(name="other")
    build_ok(site)
    seen = uptodate.unchanged(site, site / "public", dt.date.fromisoformat(TODAY))
    assert seen is not None and seen.unchanged is not None
    made = build(other, other / "public", dt.date.fromisoformat(TODAY), parallel=False, seen=seen)
    assert made.site is not None and made.written > 0 and made.inputs != seen.unchanged.inputs
    again = build(site, site / "public", dt.date(2026, 11, 21), parallel=False, seen=seen)
    assert again.site is not None  # (another day: pages that count days change)


def test_a_plain_build_command_line_is_read_as_argparse_reads_it(make_site, monkeypatch, capsys):
    """Every command line of the build's options and a site, in their every form, that
    `_plain_build` reads at all it reads as argparse does (with the site around the one
    named, as main finds it); and it knows no option the build's parser does not."""
    import itertools

    from site_builder.config import site_around

    parser = cli_module._parser(load_strings("zh-Hans"))
    build_parser = next(a for a in parser._actions if a.dest == "command").choices["build"]
    options = {o for a in build_parser._actions for o in a.option_strings} - {"-h", "--help"}
    assert set(cli_module._PLAIN_OPTIONS) == options
    site = make_site(name="S")
    monkeypatch.chdir(site.parent)
    words = ["S", "S/content", "--today", TODAY, f"--today={TODAY}", "20261120", "-o", "out", "--output=out",
             "--out", "-oout", "--", "-", "-h"]
    read = 0
    for n in range(4):
        for rest in itertools.product(words, repeat=n):
            argv = ["build", *rest]
            plain = cli_module._plain_build(argv)
            if plain is None:
                continue
            read += 1
            args = parser.parse_args(argv)
            root = site_around(args.site) or args.site
            assert (root, args.output or root / "public", args.today) == plain, argv
    assert read > 20
    capsys.readouterr()


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_help_is_in_the_language_of_the_site_in_this_folder(tmp_path, language):
    """A clerk reads --help too: every command and option is told in the site's language."""
    (tmp_path / "site.yaml").write_text(f"language: {language}\n", encoding="utf-8")
    say = yaml.safe_load((REPO / f"site_builder/strings/{language}.yaml").read_text(encoding="utf-8"))["messages"]
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0, describe(result)
    assert result.stdout.startswith(say["help_usage"] + "site-builder [-h]")
    for key in ("help_description", "help_commands", "help_options", "help_help", "help_version"):
        assert say[key] in result.stdout, key
    shown = " ".join(result.stdout.split())  # (argparse wraps long lines)
    for command in ("build", "check", "archive", "serve", "new", "init"):
        assert f" {command} {say[f'help_{command}']}" in shown, command
        sub = run_cli(command, "--help", cwd=tmp_path)
        assert sub.returncode == 0, describe(sub)
        assert sub.stdout.startswith(say["help_usage"] + f"site-builder {command} [-h]"), sub.stdout
        assert say["help_arguments"] in sub.stdout and say["help_help"] in sub.stdout
    elsewhere = run_cli("build", "--today", "2026-11-20", tmp_path, "--help", cwd=REPO)  # SITE named: its language
    assert elsewhere.stdout.startswith(say["help_usage"] + "site-builder build [-h]"), elsewhere.stdout
    build = " ".join(run_cli("build", "--help", cwd=tmp_path).stdout.split())
    for key in ("help_site", "help_output", "help_today"):
        assert " ".join(say[key].split()) in build, key


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert "site-builder" in result.stdout


def run_with_reader_gone(args: list[str], gone: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command run with its `gone` stream ("stdout" or "stderr") a pipe whose reader
    has gone before the first line; the other stream's bytes are kept."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    kept = "stderr" if gone == "stdout" else "stdout"
    try:
        return subprocess.run([sys.executable, "-m", "site_builder", *args],
                              **{gone: write_end, kept: subprocess.PIPE}, timeout=CLI_TIMEOUT,
                              env=dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {})))
    finally:
        os.close(write_end)


def test_output_whose_reader_has_gone_is_dropped_and_the_command_carries_on():
    """`site-builder check | head -1`: once `head` has gone, what is left to print is
    dropped; the command's exit code is its own, with no complaint of a broken pipe."""
    result = run_with_reader_gone(["check", str(REPO), "--today", "2026-11-20"], gone="stdout")
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 0, stderr
    assert "Broken pipe" not in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("closed", ["1", "2"])
def test_a_build_started_with_stdout_or_stderr_closed_carries_on(make_site, closed):
    """`site-builder build 2>&-` (a hook or a scheduler may start it so): what would be
    written there is dropped, the rest told, the site built, and the exit code its own."""
    site = make_site()
    result = subprocess.run(["sh", "-c", f'exec "$0" -m site_builder build "$1" --today {TODAY} {closed}>&-',
                             sys.executable, str(site)], capture_output=True, text=True, encoding="utf-8",
                            timeout=CLI_TIMEOUT, env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    assert result.returncode == 0 and (site / "public/index.html").is_file(), describe(result)
    kept = result.stdout if closed == "2" else result.stderr
    assert "Traceback" not in kept and (closed == "1" or msg("build_done", entries=5, pages="@", written="@",
                                        unchanged="@", removed="@", seconds="@", output="@").split("@")[0] in kept)


def test_a_build_whose_ci_log_reader_has_gone_carries_on(make_site):
    """`CI=true site-builder build 2>&1 | head -1`: the stage lines, like every other
    line, are dropped once the reader has gone, and the site is built."""
    site = make_site()
    result = run_with_reader_gone(["build", str(site), "--today", TODAY], gone="stderr", env={"CI": "true"})
    assert result.returncode == 0 and (site / "public/index.html").is_file(), result.stdout


def test_unknown_command_is_a_usage_error():
    result = run_cli("biuld", ".")
    assert result.returncode == 2, describe(result)
    assert result.stderr.strip() == msg("usage_unknown_command", command="biuld", suggestion="build",
                                        commands="build、check、serve、new、init、archive")
    result = run_cli("build", "--nope")
    assert result.returncode == 2, describe(result)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == msg("usage_error", detail=msg("usage_unrecognized", what="--nope"))


@pytest.mark.parametrize("args, detail", [
    ((), msg("usage_missing", what="COMMAND")),
    (("archive", "--year", "abc"), msg("usage_not_a_number", option="--year", value="abc")),
    (("check", "--today"), msg("usage_needs_value", option="--today")),
    (("serve", "--port", "99999"), "--port: " + msg("usage_bad_port", value="99999")),
    (("new", "dongzhuang"), msg("usage_new_words")),
])
def test_usage_mistakes_are_told_in_the_sites_language(args, detail):
    result = run_cli(*args)
    assert result.returncode == 2, describe(result)
    assert result.stderr.splitlines()[-1] == msg("usage_error", detail=detail), describe(result)


@pytest.mark.parametrize("inside", [False, True])
def test_new_with_a_site_and_no_title_says_the_title_is_missing(make_site, inside):
    """From beside the site (new site unit category) or inside it (new . unit category)."""
    site = make_site()
    named = "." if inside else site.name
    result = run_cli("new", named, "dongcun", "finance", cwd=site if inside else site.parent)
    assert result.returncode == 2, describe(result)
    assert result.stderr.splitlines()[-1] == msg("usage_error", detail=msg(
        "usage_new_no_title", site=named, unit="dongcun", category="finance")), describe(result)


def test_serve_on_a_port_in_use_says_so_before_building(make_site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", make_site(), "--port", port, timeout=30)
    assert result.returncode == 1, describe(result)
    assert result.stderr.strip() == msg("serve_port_taken", port=port, other=port + 1), describe(result)
    assert "已生成" not in result.stdout


def test_bad_today_is_a_usage_error(make_site):
    result = run_cli("build", make_site(), "--today", "2026-13-01")
    assert result.returncode == 2, describe(result)
    assert "Traceback" not in result.stderr
    assert msg("usage_bad_date", value="2026-13-01") in result.stderr.splitlines()[-1], describe(result)


def test_init_then_build_and_check(tmp_path):
    site = tmp_path / "新网站"
    result = run_cli("init", site)
    assert result.returncode == 0, describe(result)
    assert msg("init_done", dir=site) in result.stdout
    assert (site / "site.yaml").is_file()
    result = run_cli("build", site)
    assert result.returncode == 0, describe(result)
    assert (site / "public/index.html").is_file()
    result = run_cli("check", site)
    assert result.returncode == 0, describe(result)
    assert msg("check_ok", warnings=0) in result.stdout
    # every unit owes its scheduled categories from the month of `init`: nothing yet,
    # and a village that then publishes nothing is missing periods, not "on time"
    today = dt.date.today()
    result = run_cli("check", "--supervision", site, "--today", today.isoformat())
    assert result.returncode == 0, describe(result)
    assert result.stdout.strip() == msg("supervision_ok", date=f"{today.year}年{today.month}月{today.day}日")
    # the example ledger (last month's) counts on 东村's row, its first period
    model, _ = load_site(site, today)
    example = next(r for r in model.supervision.records if (r.unit, r.category) == ("dongcun", "finance"))
    assert example.first_period == example.last_period == periods.containing(today.replace(day=1) - dt.timedelta(days=1),
                                                                             "monthly"), example
    later = (dt.date.today() + dt.timedelta(days=130)).isoformat()
    result = run_cli("check", "--supervision", site, "--today", later)
    assert result.returncode == 1, describe(result)
    assert any(line.startswith("西村　财务收支　缺 ") for line in result.stdout.splitlines()), describe(result)


def test_init_does_not_overwrite(tmp_path):
    site = tmp_path / "site"
    assert run_cli("init", site).returncode == 0
    before = (site / "site.yaml").read_bytes()
    result = run_cli("init", site)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stderr
    assert msg("init_exists") in result.stderr
    assert (site / "site.yaml").read_bytes() == before


def test_a_command_run_inside_a_site_finds_it_and_init_there_is_refused(tmp_path):
    """A clerk runs `check` in content/dongcun/finance/, or names an entry's file: the
    site around it is checked, as git finds its repository. `init` there (as the old
    message suggested) is refused: the new site's files would be read as entries."""
    site = tmp_path / "site"
    assert run_cli("init", site).returncode == 0
    inside = site / "content" / "dongcun" / "finance"
    entry = next(inside.glob("*.md"))
    for args, cwd in [(("check",), inside), (("check", entry.name), inside), (("check", entry), tmp_path)]:
        result = run_cli(*args, "--today", TODAY, cwd=cwd)
        assert result.returncode == 0 and "site.yaml" not in result.stdout + result.stderr, describe(result)
    assert run_cli("build", "--today", TODAY, cwd=inside).returncode == 0
    assert (site / "public/index.html").is_file() and not (inside / "public").exists()
    result = run_cli("init", "new", cwd=inside)
    assert result.returncode == 1, describe(result)
    assert msg("init_inside_site", site=str(site.resolve())) in result.stderr
    assert not (inside / "new").exists()
    # beside content/, a site of its own is no entry of this one
    assert run_cli("init", site / "other").returncode == 0


# the text `new` writes for the body, an error if left in (a notice would run its days with none)
NEW_BODY = yaml.safe_load((REPO / "site_builder/strings/zh-Hans.yaml").read_text(encoding="utf-8"))["ui"]["new_entry_body"]


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


@pytest.fixture
def init_site(tmp_path):
    site = tmp_path / "site"
    result = run_cli("init", site)
    assert result.returncode == 0, describe(result)
    return site


def test_a_new_site_takes_a_relief_list_down_when_its_notice_ends(init_site, tmp_path):
    """The names of a 低保 list stay online for its notice only (withdraw_after_notice)."""
    (init_site / "content/dongcun/relief").mkdir(parents=True)
    (init_site / "content/dongcun/relief/2026-11-02-dibao.md").write_text(
        "---\ntitle: 东村2026年第四季度低保对象公示\ndate: 2026-11-02\n---\n\n王桂兰，每月800元。\n", encoding="utf-8")
    page = "dongcun/relief/2026-11-02-dibao/index.html"
    during = build_ok(init_site, tmp_path / "during", today="2026-11-05")
    assert "王桂兰" in (during / page).read_text(encoding="utf-8")
    after = build_ok(init_site, tmp_path / "after", today="2026-12-30")
    assert "王桂兰" not in (after / page).read_text(encoding="utf-8")


def test_new_monthly_entry(init_site):
    result = run_cli("new", init_site, "xicun", "finance", "西村2026年10月财务收支公开", "--today", "2026-11-25")
    assert result.returncode == 0, describe(result)
    assert not result.stderr, describe(result)
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.is_file(), result.stdout
    assert path.parent == init_site / "content/xicun/finance"
    meta = _front_matter(path)
    assert str(meta["date"]) == "2026-11-25"
    assert str(meta["period"]) == "2026-10"
    assert meta["title"] == "西村2026年10月财务收支公开"
    # 生成日期 is the clerk's to give (today would meet the working-day rule by itself)
    assert meta["formed"] is None and "formed:  # 生成日期" in path.read_text(encoding="utf-8")

    # 西村's first ledger, in a category whose entries have ledgers (东村's): shown how to
    # write it, its opening left to fill in (a tester's clerk, given none, pasted a table)
    text = path.read_text(encoding="utf-8")
    line_text = yaml.safe_load((REPO / "site_builder/strings/zh-Hans.yaml").read_text(encoding="utf-8"))["ui"][
        "new_ledger_line"]
    assert f"```ledger\nopening:\n日期,摘要,收入,支出\n{line_text}\n```" in text, text
    # the clerk writes the text and the ledger (the placeholders left in are errors: see the next test)
    path.write_text(text.replace(NEW_BODY, "西村10月收支情况如下。").replace("opening:\n", "opening: 8000.00\n")
                    .replace(line_text, "2026-10-05,上级转移支付,5000.00,"), encoding="utf-8")
    out = build_ok(init_site, init_site / "public", today="2026-11-25")
    page = out / "xicun/finance" / path.stem / "index.html"
    assert page.is_file()
    assert "西村2026年10月财务收支公开" in page.read_text(encoding="utf-8")
    assert run_check(init_site, "2026-11-25").returncode == 0


def test_new_gives_a_ledger_opening_where_the_last_one_closed(init_site):
    """东村's example ledger is out (10,000.00 + 5,000.00 - 320.50): the next month's entry
    comes with a ledger to fill in, opening at its closing, so the chain of openings
    holds. Its line for the transactions, left as it is, is an error (the month would be
    published with none); filled in, the entry checks clean. A month later, with the one
    between still missing, the opening is left for the clerk (the closing before a gap
    is no opening)."""
    example = next((init_site / "content/dongcun/finance").glob("*.md"))
    year, month = map(int, re.search(r'period: "(\d{4})-(\d{2})"', example.read_text(encoding="utf-8")).groups())
    after_next = dt.date(year + (month + 2 > 12), (month + 1) % 12 + 1, 5)
    result = run_cli("new", init_site, "dongcun", "finance", "东村财务收支公开", "--today", after_next.isoformat())
    assert result.returncode == 0, describe(result)
    path = Path(result.stdout.strip().splitlines()[-1])
    text = path.read_text(encoding="utf-8")
    line_text = yaml.safe_load((REPO / "site_builder/strings/zh-Hans.yaml").read_text(encoding="utf-8"))["ui"][
        "new_ledger_line"]
    assert f"```ledger\nopening: 14679.50\n日期,摘要,收入,支出\n{line_text}\n```" in text, text
    check = run_check(init_site, after_next.isoformat())
    expected = line(path.relative_to(init_site).as_posix(), text.split("\n").index(line_text) + 1,
                    "placeholder_ledger", text=line_text)
    assert check.returncode == 1 and expected in check.stdout.splitlines(), describe(check)
    path.write_text(text.replace(line_text, f"{after_next.replace(day=1) - dt.timedelta(days=1)},租金,100.00,")
                    .replace(NEW_BODY, "本月收支如下。"), encoding="utf-8")
    assert run_check(init_site, after_next.isoformat()).returncode == 0
    path.unlink()  # the month between still missing: the opening is the clerk's to write
    later = dt.date(after_next.year + (after_next.month == 12), after_next.month % 12 + 1, 5)
    result = run_cli("new", init_site, "dongcun", "finance", "东村财务收支公开", "--today", later.isoformat())
    gap = Path(result.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8")
    assert "```ledger\nopening:\n日期,摘要,收入,支出\n" in gap, gap


def test_new_takes_the_names_a_clerk_knows(init_site):
    """`new 西村 财务收支 …`: the unit and category named as on the site, not by id."""
    result = run_cli("new", init_site, "西村", "财务收支", "西村2026年10月财务收支公开", "--today", "2026-11-25")
    assert result.returncode == 0, describe(result)
    assert Path(result.stdout.strip().splitlines()[-1]).parent == init_site / "content/xicun/finance"
    # typed in Traditional script, as a clerk whose input method is set so may, and an id
    # typed in full-width letters or with a capital
    for unit, category in (("東村", "財務收支"), ("ｄｏｎｇｃｕｎ", "Finance")):
        result = run_cli("new", init_site, unit, category, "东村2026年10月财务收支公开", "--today", "2026-11-25")
        assert result.returncode == 0, describe(result)
        assert Path(result.stdout.strip().splitlines()[-1]).parent == init_site / "content/dongcun/finance"
    # a name two units have: which one is asked, not said to be unknown
    config = init_site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "categories:", "  - {id: xicun2, name: 西村, kind: village, parent: town}\ncategories:", 1), encoding="utf-8")
    result = run_cli("new", init_site, "西村", "财务收支", "西村财务收支公开", "--today", "2026-11-25")
    assert result.returncode == 1, describe(result)
    assert result.stderr.splitlines()[0] == line("site-builder new", None, "ambiguous_name", name="西村",
                                                 ids="xicun、xicun2")


@pytest.mark.parametrize("language", ["zh-Hant", "en"])
def test_new_writes_its_placeholder_in_the_sites_language(init_site, language):
    config = init_site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: zh-Hans", f"language: {language}"),
                      encoding="utf-8")
    strings = yaml.safe_load((REPO / f"site_builder/strings/{language}.yaml").read_text(encoding="utf-8"))
    placeholder = strings["ui"]["new_entry_body"]
    result = run_cli("new", init_site, "dongcun", "decisions", "西村决议", "--today", "2026-11-25")
    assert result.returncode == 0, describe(result)
    path = Path(result.stdout.strip().splitlines()[-1])
    assert placeholder in path.read_text(encoding="utf-8")
    check = run_check(init_site, "2026-11-25")  # an error: it would go online as it is (a notice with no text)
    assert check.returncode == 1, describe(check)
    assert strings["messages"]["placeholder_body"].format(text=placeholder) in check.stdout + check.stderr, describe(check)


@pytest.mark.parametrize("category, period", [("party", "2026-Q3"), ("decisions", None)])
def test_new_period_follows_cadence(init_site, category, period):
    result = run_cli("new", init_site, "xicun", category, '带"引号"的标题', "--today", "2026-11-25")
    assert result.returncode == 0, describe(result)
    meta = _front_matter(Path(result.stdout.strip().splitlines()[-1]))
    assert meta["title"] == '带"引号"的标题'
    assert (str(meta["period"]) if "period" in meta else None) == period


def test_new_proposes_a_period_whose_ledger_is_not_yet_published_and_says_why(init_site):
    """October's ledger is published (after a notice for October without one): a new
    ledger is for the newest month before it without one (September, then August: gaps
    an inspection found); each time the clerk is told which file holds October's, and
    how to make the new entry its correction instead. With no gap left, October again,
    most likely a correction, never November, which has not ended: its ledger would
    not be whole."""
    config = init_site / "site.yaml"
    config.write_text(re.sub(r'since: "[0-9-]+"', 'since: "2026-06"', config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    folder = init_site / "content/xicun/finance"
    folder.mkdir(parents=True)
    def ledger(period: str) -> str:
        return f"```ledger\nopening: 100.00\n日期,摘要,收入,支出\n{period}-05,上级转移支付,50.00,\n```\n"

    for period in ("2026-06", "2026-07", "2026-10"):
        (folder / f"{period}-caiwu.md").write_text(
            f'---\ntitle: 西村{period}财务公开\ndate: 2026-11-05\nperiod: "{period}"\n---\n\n{ledger(period)}',
            encoding="utf-8")
    (folder / "2026-10-tongzhi.md").write_text(  # a notice for October, without a ledger, out first
        '---\ntitle: 西村十月财务公开延期通知\ndate: 2026-11-02\nperiod: "2026-10"\n---\n\n正文。\n', encoding="utf-8")
    proposed = []
    for title in ("补九月", "补八月", "十月更正"):
        result = run_cli("new", init_site, "xicun", "finance", title, "--today", "2026-11-25")
        assert result.returncode == 0, describe(result)
        path = Path(result.stdout.strip().splitlines()[-1])
        period = str(_front_matter(path)["period"])
        proposed.append(period)
        skeleton = re.sub(r"(?s)```ledger\n.*?```\n", "", path.read_text(encoding="utf-8"))  # (the one `new` gives)
        path.write_text(skeleton.replace(NEW_BODY, "正文。") + ledger(period), encoding="utf-8")  # the clerk's text
        where = f"content/xicun/finance/{path.name}:4"
        note = f"{where}: {msg('warning_label')}" + msg(
            "new_period_taken" if period != "2026-10" else "new_period_all_taken", ended="2026-10",
            rel="xicun/finance/2026-10-caiwu.md", period=period)
        assert result.stderr.splitlines() == [note], describe(result)
    assert proposed == ["2026-09", "2026-08", "2026-10"]


def test_new_takes_the_period_its_title_names(init_site):
    """东村2026年11月…, made on 11-25 (before November ends): November, as the title says,
    not October, the last month ended, with a note that November has not ended (its
    accounts are not whole: tester); its opening is October's closing. A title naming a
    period whose ledger is out is told so."""
    folder = init_site / "content/xicun/finance"
    folder.mkdir(parents=True)
    (folder / "2026-10-caiwu.md").write_text(
        '---\ntitle: 西村2026年10月财务公开\ndate: 2026-11-05\nperiod: "2026-10"\n---\n\n'
        "```ledger\nopening: 100.00\n日期,摘要,收入,支出\n2026-10-05,上级转移支付,50.00,\n```\n", encoding="utf-8")
    result = run_cli("new", init_site, "xicun", "finance", "西村2026年11月财务收支公开", "--today", "2026-11-25")
    assert result.returncode == 0, describe(result)
    path = Path(result.stdout.strip().splitlines()[-1])
    assert result.stderr.splitlines() == [f"content/xicun/finance/{path.name}:4: {msg('warning_label')}" + msg(
        "new_period_under_way", period="2026-11", ended="2026-10")], describe(result)
    assert str(_front_matter(path)["period"]) == "2026-11"
    assert "opening: 150.00" in path.read_text(encoding="utf-8")
    result = run_cli("new", init_site, "xicun", "finance", "西村２０２６年１０月财务收支公开", "--today", "2026-11-25")
    path = Path(result.stdout.strip().splitlines()[-1])
    assert str(_front_matter(path)["period"]) == "2026-10"
    assert result.stderr.splitlines() == [f"content/xicun/finance/{path.name}:4: {msg('warning_label')}" + msg(
        "new_period_stated_taken", period="2026-10", rel="xicun/finance/2026-10-caiwu.md")], describe(result)
    result = run_cli("new", init_site, "xicun", "finance", "西村2026年12月财务收支公开", "--today", "2026-11-25")
    path = Path(result.stdout.strip().splitlines()[-1])  # December has not begun: a month mistyped, likely
    assert result.stderr.splitlines() == [f"content/xicun/finance/{path.name}:4: {msg('warning_label')}" + msg(
        "ledger_period_not_begun", period="2026-12", date="2026-11-25")], describe(result)


def test_new_names_the_ledger_that_stands_when_it_corrected_another(init_site):
    """October's ledger was corrected: the note names the correction, the ledger to
    correct now (naming the first would make two corrections of one)."""
    folder = init_site / "content/xicun/finance"
    folder.mkdir(parents=True)
    ledger = "```ledger\nopening: 100.00\n日期,摘要,收入,支出\n2026-10-05,上级转移支付,50.00,\n```\n"
    (folder / "a.md").write_text(f'---\ntitle: 十月\ndate: 2026-11-05\nperiod: "2026-10"\n---\n\n{ledger}',
                                 encoding="utf-8")
    (folder / "b.md").write_text(f'---\ntitle: 十月（更正）\ndate: 2026-11-09\nperiod: "2026-10"\n'
                                 f'corrects: xicun/finance/a.md\n---\n\n{ledger}', encoding="utf-8")
    result = run_cli("new", init_site, "xicun", "finance", "再更正", "--today", "2026-11-25")
    assert result.returncode == 0, describe(result)
    assert "corrects: xicun/finance/b.md" in result.stderr and "a.md" not in result.stderr, describe(result)


def test_new_proposes_the_last_ended_period_where_a_period_holds_several_entries(init_site):
    """Two disclosures of government affairs for one quarter (a plan, then how it went):
    outside ledgers a period often holds several entries, and nothing is said of the first."""
    folder = init_site / "content/town/affairs"
    folder.mkdir(parents=True)
    (folder / "2026-10-12-jihua.md").write_text(
        '---\ntitle: 三季度工作计划\ndate: 2026-10-12\nperiod: "2026-Q3"\n---\n\n正文。\n', encoding="utf-8")
    result = run_cli("new", init_site, "town", "affairs", "三季度工作完成情况", "--today", "2026-11-25")
    assert result.returncode == 0 and not result.stderr, describe(result)
    assert str(_front_matter(Path(result.stdout.strip().splitlines()[-1]))["period"]) == "2026-Q3"


def test_new_twice_same_day_gives_two_files(init_site):
    paths = []
    for title in ("第一条", "第二条"):
        result = run_cli("new", init_site, "town", "services", title, "--today", "2026-11-25")
        assert result.returncode == 0, describe(result)
        paths.append(Path(result.stdout.strip().splitlines()[-1]))
    assert paths[0] != paths[1] and all(p.is_file() for p in paths)
    assert _front_matter(paths[0])["title"] == "第一条"


def test_new_in_current_folder(init_site):
    result = run_cli("new", "town", "affairs", "当前文件夹", "--today", "2026-11-25", cwd=init_site)
    assert result.returncode == 0, describe(result)
    path = Path(result.stdout.strip().splitlines()[-1])
    path = path if path.is_absolute() else init_site / path
    assert path.is_file()


def test_new_with_unknown_unit(init_site):
    result = run_cli("new", init_site, "nowhere", "finance", "标题", "--today", "2026-11-25")
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    known = "town（示范镇人民政府）、dongcun（东村）、xicun（西村）"  # (by id or name, as the clerk may type either)
    assert line("site-builder new", None, "unknown_unit", unit="nowhere", known=known) in result.stderr.splitlines(), \
        describe(result)
    assert not (init_site / "content/nowhere").exists()


def test_check_with_errors_exits_1(make_site):
    site = make_site({
        "content/dongcun/decisions/no-title.md": "---\ndate: 2026-11-01\n---\n\n正文。\n",
        "content/dongcun/nosuch/x.md": "---\ntitle: 栏目不存在\ndate: 2026-11-01\n---\n\n正文。\n",
    })
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    assert msg("check_failed", count=2) in result.stdout


def test_build_without_site_yaml(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_build(empty)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    assert line("site.yaml", None, "config_missing", root=str(empty)) in result.stderr.splitlines(), describe(result)
    assert not (empty / "public").exists()
    result = run_check(empty)
    assert result.returncode == 1
    assert msg("config_missing", root=str(empty)) in result.stdout


def test_build_of_missing_folder(tmp_path):
    result = run_build(tmp_path / "does-not-exist")
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr


def test_broken_site_yaml(make_site):
    site = make_site({"site.yaml": "title: 测试\nunits: [\n"})
    for result in (run_check(site), run_build(site)):
        assert result.returncode == 1, describe(result)
        assert "Traceback" not in result.stdout + result.stderr
        assert "site.yaml:" in result.stdout + result.stderr


# ----------------------------------------------------------------------------- serve

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def _poll(url: str, ok, proc: subprocess.Popen, log: Path, seconds: float) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    last: tuple[int, str] = (0, "")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}:\n{log.read_text(encoding='utf-8', errors='replace')}")
        try:
            last = _get(url)
            if ok(*last):
                return last
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds}s waiting for {url}; last status {last[0]}\n"
                f"{last[1][:500]}\n--- serve log\n{log.read_text(encoding='utf-8', errors='replace')}")


def test_a_terminal_never_sized_is_taken_for_80_columns():
    """A pseudo-terminal whose size nobody set (as `script` leaves one) tells 0 columns:
    every stage's name would be cut to nothing."""
    master, slave = os.openpty()
    try:
        with open(slave, "w", closefd=False) as stream:
            assert os.get_terminal_size(slave).columns == 0
            assert cli_module._columns(stream) == 80
    finally:
        os.close(master)
        os.close(slave)


def test_serve_answers_the_pages_of_an_edit_from_memory(tmp_path):
    """The pages of an edit shown before its build are answered from memory under every
    address a browser may ask them by (the folder with or without its slash, index.html,
    the Traditional copy, a Chinese name %-encoded, a query); other pages from the disk,
    where nothing of the edit is written (reviewer: no test could fail on the lookup)."""
    import threading
    import urllib.parse
    from functools import partial

    from site_builder import serve as serve_module

    out = (tmp_path / "out").resolve()
    for rel in ("东庄/x/index.html", "zh-hant/东庄/x/index.html", "b/index.html"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("<html><body>DISK</body></html>", encoding="utf-8")
    state = serve_module._State()
    state.shown = {"东庄/x/index.html": b"<html><body>MEMORY</body></html>",
                   "zh-hant/东庄/x/index.html": b"<html><body>MEMORY-HANT</body></html>"}
    handler = type("Handler", (serve_module._Handler,), {"state": state, "strings": load_strings("zh-Hans")})
    server = serve_module._Server(("127.0.0.1", 0), partial(handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base, name = f"http://127.0.0.1:{server.server_address[1]}", urllib.parse.quote("东庄")
        for path, shown in ((f"/{name}/x/", "MEMORY"), (f"/{name}/x", "MEMORY"), (f"/{name}/x/index.html", "MEMORY"),
                            (f"/zh-hant/{name}/x/?q=1", "MEMORY-HANT"), ("/b/", "DISK")):
            status, body = _get(base + path)
            assert status == 200 and body.startswith(f"<html><body>{shown}<script>"), (path, body)
    finally:
        server.shutdown()
        server.server_close()
    assert (out / "东庄/x/index.html").read_text(encoding="utf-8") == "<html><body>DISK</body></html>"


def test_serve_rebuilds_and_shows_errors(make_site, tmp_path):
    site = make_site()
    entry = site / "content/dongcun/decisions/2026-11-02-daolu.md"
    port = _free_port()
    log = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    page = f"{base}/dongcun/decisions/2026-11-02-daolu/"
    with open(log, "w", encoding="utf-8") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "serve", str(site), "--port", str(port),
             "--output", str(tmp_path / "out"), "--today", "2026-11-20"],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONUTF8": "1"})
        try:
            status, body = _poll(f"{base}/", lambda s, b: s == 200, proc, log, 30)
            assert "/__site-builder/version" in body
            assert "关于东村道路硬化工程的决议" in body
            status, body = _get(f"{base}/dongcun/no-such-page/")  # the site's own 404 page
            assert status == 404 and body == (tmp_path / "out/404.html").read_text(encoding="utf-8"), body

            # 1. An edited title shows up.
            new_title = "关于东村道路硬化工程的决议（修订稿）"
            entry.write_text(DECISION.replace("关于东村道路硬化工程的决议", new_title), encoding="utf-8")
            status, body = _poll(page, lambda s, b: s == 200 and new_title in b, proc, log, 15)
            assert "/__site-builder/version" in body
            # its own page was shown before the whole site was built again
            assert msg("serve_shown", pages="dongcun/decisions/2026-11-02-daolu/index.html") in \
                log.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")

            # 2. A mistake shows the error page with the message, on every page: above the
            # notes there (of a copy of an entry left behind, in a file named before the
            # error's), below them in the terminal, and a line says the site was not built.
            copies = [site / f"content/dongcun/decisions/2026-11-01-{n}.md" for n in "ab"]
            for copy in copies:
                copy.write_text("---\ntitle: 停水通知\ndate: 2026-11-01\n---\n\n正文。\n", encoding="utf-8")
            entry.write_text(DECISION.replace("date: 2026-11-02", "date: 2026-02-30"), encoding="utf-8")
            expected = msg("date_past_month_end", key="date", value="2026-02-30", year=2026, month=2, days=28)
            note = msg("duplicate_entry", other="content/dongcun/decisions/2026-11-01-a.md")
            status, body = _poll(page, lambda s, b: s == 500, proc, log, 15)
            assert expected in html.unescape(body), body
            assert html.unescape(body).index(expected) < html.unescape(body).index(note), body
            deadline = time.monotonic() + 15  # (the page shows the error as the terminal is told it)
            while msg("serve_failed", count=1) not in (told := log.read_text(encoding="utf-8")) \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            assert told.rindex(note) < told.rindex(expected), told
            assert told.rstrip().endswith(msg("serve_failed", count=1)), told
            for copy in copies:
                copy.unlink()
            assert "content/dongcun/decisions/2026-11-02-daolu.md" in html.unescape(body)
            assert "/__site-builder/version" in body
            status, body = _get(f"{base}/")
            assert status == 500 and expected in html.unescape(body)

            # 3. Fixed again: the site is back.
            entry.write_text(DECISION, encoding="utf-8")
            status, body = _poll(page, lambda s, b: s == 200, proc, log, 15)
            assert "关于东村道路硬化工程的决议" in body

            # 4. A theme folder made while serve runs is watched too.
            theme = site / "themes/default/templates"
            theme.mkdir(parents=True)
            base = (REPO / "themes/default/templates/base.html").read_text(encoding="utf-8")
            (theme / "base.html").write_text(base.replace("</footer>", "<p>本站由镇政府维护</p></footer>"),
                                             encoding="utf-8")
            _poll(page, lambda s, b: s == 200 and "本站由镇政府维护" in b, proc, log, 15)
            (theme / "base.html").write_text(base.replace("</footer>", "<p>本站由镇党政办维护</p></footer>"),
                                             encoding="utf-8")
            _poll(page, lambda s, b: s == 200 and "本站由镇党政办维护" in b, proc, log, 15)

            # 5. A note (a build that has one still succeeds) is told as build tells it.
            entry.write_text(DECISION.replace("date: 2026-11-02", "date: 2026-12-01"), encoding="utf-8")
            note = msg("dated_later", date="2026-12-01")
            deadline = time.monotonic() + 15
            while note not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
                time.sleep(0.1)
            assert note in log.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")

            # 6. Browsers that leave mid-answer (tabs closed, reloaded) are let go quietly.
            for _ in range(20):
                with socket.create_connection(("127.0.0.1", port)) as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _poll(f"http://127.0.0.1:{port}/", lambda s, b: s == 200, proc, log, 15)
            assert "Traceback" not in log.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
