"""When each entry file was changed, from the site's git history.

One `git log` over content/ for the whole site (never one call per entry: sites have
10,000+ entries) gives, for each content-relative path, the dates of the commits that
touched it, as days in the site's timezone, oldest first, none after `today`. There is
no history (an empty mapping) when the site is not in a git repository, when git is not
installed, or when the clone is shallow, because a shallow clone would show a wrong
"first published" date; deploy with full history (`fetch-depth: 0`).
"""
from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
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


def file_dates(root: Path, timezone: str, today: dt.date) -> dict[str, tuple[dt.date, ...]]:
    """content-relative path -> days it was committed (oldest first, up to `today`)."""
    info = _git(root, "rev-parse", "--is-shallow-repository", "--show-prefix")
    if info is None:
        return {}
    lines = info.split("\n")
    if lines[0].strip() != "false":
        return {}
    prefix = (lines[1] if len(lines) > 1 else "").strip() + "content/"
    log = _git(root, "log", "--no-renames", "--name-only", f"--format={_MARK}%ct", "--", "content")
    if not log:
        return {}
    from zoneinfo import ZoneInfo  # (here: stage 0 imports this module for git_dirs alone)

    zone = ZoneInfo(timezone)
    found: dict[str, set[dt.date]] = defaultdict(set)
    day: dt.date | None = None
    for line in log.split("\n"):
        if line.startswith(_MARK):
            day = dt.datetime.fromtimestamp(int(line[1:]), zone).date()
        elif line and day is not None and day <= today and line.startswith(prefix):
            found[line[len(prefix):]].add(day)
    return {path: tuple(sorted(days)) for path, days in sorted(found.items())}


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
