"""When each entry file was changed, and what it was named before, from git's history.

One `git log` over content/ for the whole site (never one call per entry: sites have
10,000+ entries) gives, for each content-relative path, the dates of the commits that
touched it, as days in the site's timezone, oldest first, none after `today`, and the
paths it had before it was renamed (as git finds renames: a file renamed and edited
little); the commits of a file under its earlier names count for it, those of another
file once at its path do not. There is no history (empty mappings) when the site is
not in a git repository, when git is not installed, or when the clone is shallow,
because a shallow clone would show a wrong "first published" date; deploy with full
history (`fetch-depth: 0`).
"""
from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

_MARK = "\x01"


def _git(root: Path, *args: str) -> str | None:
    import subprocess  # (here: a build with nothing to do asks git nothing)

    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", "-C", str(root), *args],
                              capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


@dataclass(frozen=True)
class FileHistory:
    dates: dict[str, tuple[dt.date, ...]]  # content-relative path -> days it was committed
    former: dict[str, tuple[str, ...]]     # content-relative path -> the paths it had before


def file_history(root: Path, timezone: str, today: dt.date) -> FileHistory:
    """The days each file under content/ was committed (oldest first, up to `today`), and
    its earlier paths, by its path now."""
    none = FileHistory({}, {})
    info = _git(root, "rev-parse", "--is-shallow-repository", "--show-prefix")
    if info is None:
        return none
    lines = info.split("\n")
    if lines[0].strip() != "false":
        return none
    prefix = (lines[1] if len(lines) > 1 else "").strip() + "content/"
    # (the line of commits the site was built from: a merge brings a branch's changes, its
    # renames among them, on the day it was merged, when they went online)
    log = _git(root, "log", "--first-parent", "-m", "-M", "--name-status", f"--format={_MARK}%ct", "--", "content")
    if not log:
        return none
    from zoneinfo import ZoneInfo  # (here: stage 0 imports this module for git_dirs alone)

    zone = ZoneInfo(timezone)
    found: dict[str, set[dt.date]] = defaultdict(set)
    former: dict[str, set[str]] = defaultdict(set)
    # Newest commit first: the path each path a commit names has now (None: another file
    # was there, made later; renamed since: its path now).
    now: dict[str, str | None] = {}
    day: dt.date | None = None
    for line in log.split("\n"):
        if line.startswith(_MARK):
            day = dt.datetime.fromtimestamp(int(line[1:]), zone).date()
            continue
        status, *paths = line.split("\t")
        if day is None or not paths:
            continue
        path = now.get(paths[-1], paths[-1])
        if path is not None and day <= today and status != "R100":  # (renamed alone: not changed)
            found[path].add(day)
        if status.startswith("R") and len(paths) == 2:  # earlier commits name it by its old path,
            now[paths[0]] = path                          # and its new one is another file's
            now[paths[1]] = None
            if path is not None and paths[0].startswith(prefix):
                former[path].add(paths[0])
        elif status.startswith(("A", "C")):  # made here: earlier commits of its path are another file's
            now[paths[-1]] = None
    cut = len(prefix)
    return FileHistory({p[cut:]: tuple(sorted(days)) for p, days in sorted(found.items()) if p.startswith(prefix)},
                       {p[cut:]: tuple(sorted(q[cut:] for q in old)) for p, old in sorted(former.items())
                        if p.startswith(prefix)})


def git_dirs(root: str) -> list[str]:
    """The folders whose files say which commit the history of a site in `root` ends
    at: the git folder of the repository the site is in (found upward from `root`, as
    git finds it: the site may be a subfolder of a repository), and the repository's
    common folder when that is a worktree's (a `.git` file, `gitdir:` and `commondir`);
    none outside a repository. Stats only: no git process (a build with nothing to do
    asks this)."""
    folder = os.path.abspath(root)
    while True:
        dot = os.path.join(folder, ".git")
        if os.path.isdir(dot):
            return [dot]
        if os.path.isfile(dot):
            try:
                with open(dot, encoding="utf-8") as f:
                    named = f.read().strip()
            except (OSError, UnicodeDecodeError):
                return []
            if not named.startswith("gitdir:"):
                return []
            own = os.path.normpath(os.path.join(folder, named[len("gitdir:"):].strip()))
            try:
                with open(os.path.join(own, "commondir"), encoding="utf-8") as f:
                    return [own, os.path.normpath(os.path.join(own, f.read().strip()))]
            except (OSError, UnicodeDecodeError):
                return [own]
        parent = os.path.dirname(folder)
        if parent == folder:
            return []
        folder = parent


def online_dates(days: tuple[dt.date, ...], published: dt.date) -> tuple[dt.date, ...]:
    """The days an entry was put online and changed online, from the days its file was
    committed: a file committed before its publication date went online on that date,
    and its commits up to then are not changes a resident could have seen."""
    if not days:
        return ()
    first = max(days[0], published)
    return (first, *(d for d in days if d > first))
