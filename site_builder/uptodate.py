"""Stage 0 of a build: whether it has anything to do.

A build first asks whether the output is up to date: whether the inputs, by stat, and
the code and `today` are those of the last build into it, and all that build wrote is
still there. Then it does nothing. "All it wrote is there" is asked of the output's
folders, not of each file (removing a file changes its folder's mtime), in a forked
process while this one stats the inputs: at 10,000 entries the two take about as
long, each mostly waiting on the system, and are the cost of such a build. So that
it costs no more, this module imports only site.yaml's reading of the stages (not
the reading of entries, nor NumPy, Jinja2, Markdown or multiprocessing), and the
build imports the other stages' modules where they are first used.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import signal
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from . import forking, history
from .cache import code_fingerprint, hexdigest, stat_fields
from .config import SiteConfig, load_config
from .errors import Problems
from .theme import builtin_theme
from .writer import MANIFEST, folder_of, present


def site_today(config: SiteConfig) -> dt.date:
    return dt.datetime.now(ZoneInfo(config.timezone)).date()


Record = tuple[str, tuple]  # the last build's: its inputs key, and (entries, pages, warnings, Stamps)


@dataclass(frozen=True)
class Look:
    """What stage 0 found: the inputs key (None without a site.yaml); site.yaml as
    `load_config` gave it; the stat of every file under content/ by path (None when a
    folder or file could not be looked at, or without a site.yaml); and, when nothing is to be done, the last
    build's (entries, pages, warnings, files)."""
    inputs: str | None
    loaded: tuple[SiteConfig | None, Problems]
    files: dict[str, tuple] | None
    unchanged: tuple | None


def look(root: Path, output: Path, today: dt.date | None, last: Record | None, parallel: bool) -> Look:
    """Stage 0 for a build of `root` into `output`, the last build's record being
    `last`; with `parallel`, the output is looked at in a forked process meanwhile."""
    stamps = Stamps.of(last) if (output / MANIFEST).is_file() else None
    intact = _Aside(lambda: stamps is not None and stamps.intact(output))
    try:  # (from the fork on: whatever stops this stage, that process is not left behind)
        if stamps is not None:
            intact.start(parallel)
        inputs, loaded, files = inputs_key(root, today)
        if last is None or inputs is None or last[0] != inputs or not intact.answer():
            return Look(inputs, loaded, files, None)
        entries, pages, warnings, _ = last[1]
        return Look(inputs, loaded, files, (entries, pages, warnings, stamps.files))
    finally:
        intact.drop()


class _Aside:
    """A yes-or-no question, asked in a forked process (`start`) while this one goes
    on, its answer the process's exit code; else asked here when its answer is wanted.
    Ctrl-C and SIGTERM are held back while the process is forked, waited for or
    stopped (it takes a tenth of a second at 10,000 entries, and is never left behind).
    It ignores Ctrl-C (this one stops it), and ends at once when it has answered,
    running nothing of this one's (no exit handlers, no flush of its buffers)."""

    def __init__(self, ask: Callable[[], bool]):
        self._ask, self._pid = ask, 0

    def start(self, parallel: bool) -> None:
        # Not where SIGCHLD is ignored (some daemons and CI agents leave it so): the
        # system reaps the process as it ends, so it cannot be waited for, and its pid
        # may be another process's by the time it is stopped.
        if not forking.can_fork(parallel) or signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN:
            return
        parent, yes = os.getpid(), False
        with forking.held():
            try:
                self._pid = os.fork()
                if self._pid == 0:
                    forking.stopped_by_parent()
                    yes = self._ask()
            except OSError:  # (no process to spare: asked here)
                self._pid = 0
            finally:
                if os.getpid() != parent:  # (the forked process, however its call ended)
                    os._exit(0 if yes else 1)

    def answer(self) -> bool:
        if not self._pid:
            return self._ask()
        with forking.held():
            return self._wait() == 0

    def drop(self) -> None:
        """Stop the forked process, if it has not ended, and wait for it."""
        if self._pid:
            with forking.held():
                with contextlib.suppress(OSError):  # (ended already)
                    os.kill(self._pid, signal.SIGKILL)
                self._wait()

    def _wait(self) -> int:
        """The forked process's exit code, once it has ended (-1: reaped already, as
        when SIGCHLD has been ignored since; < 0: stopped by a signal). A Ctrl-C
        meanwhile, from another thread of this process (which signals held back in
        this thread do not stop), is raised once it has ended."""
        stopped: BaseException | None = None
        try:
            while True:
                try:
                    return os.waitstatus_to_exitcode(os.waitpid(self._pid, 0)[1])
                except ChildProcessError:
                    return -1
                except KeyboardInterrupt as exc:
                    stopped = exc
        finally:
            self._pid = 0
            if stopped is not None:
                raise stopped


def inputs_key(root: Path, today: dt.date | None,
               ) -> tuple[str | None, tuple[SiteConfig | None, Problems], dict[str, tuple] | None]:
    """Everything a build reads, by stat: site.yaml, content/, themes/, the built-in
    theme, the code, git's refs and whether the clone is shallow (entry history) and
    `today` (None without a site.yaml); site.yaml as `load_config` gives it, read
    after the stat, so that an edit made meanwhile is never taken for the state the
    key describes; and the stat of every file under content/ by path, for the reading
    of the entries (taken once: walking content/ and stat'ing its files again was half
    of a one-entry edit's read stage at 10,000 entries, 0.28 of 0.58 s)."""
    site = os.path.abspath(root)  # (as the config holds it: see SiteConfig.root)
    unreadable: list[str] = []
    content = _tree(os.path.join(site, "content"), unreadable)
    stats = [*_stats([os.path.join(site, "site.yaml")]), *content,
             *_tree(os.path.join(site, "themes")), *_tree(os.fspath(builtin_theme()))]
    for git in history.git_dirs(site):  # (the site may be a subfolder of the repository)
        stats += [*_stats([os.path.join(git, name) for name in ("HEAD", "packed-refs", "shallow")]),
                  *_tree(os.path.join(git, "refs", "heads"))]
    loaded = load_config(root)
    if loaded[0] is None:
        return None, loaded, None
    # (a folder or file it could not look at: the entries are found by a walk of their
    # own, which stops the build with the error rather than leave those entries out)
    files = dict(content) if not unreadable else None
    # The stats are hashed as marshal writes them (a sixth of the time of their repr at
    # 10,000 entries); in its version 2, which writes every value out in full, never
    # as a reference to one written before: the bytes do not depend on which tuples
    # happen to be shared.
    stats_digest = hashlib.sha1(marshal.dumps(stats, 2)).hexdigest()
    return hexdigest(code_fingerprint(), today or site_today(loaded[0]), stats_digest), loaded, files


Stat = tuple[str, tuple[int, int, int, int]]  # path, stat_fields


def _stats(paths: list[str]) -> list[Stat]:
    out = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        out.append((path, stat_fields(st)))
    return out


def _tree(folder: str, unreadable: list[str] | None = None) -> list[Stat]:
    """The stat of every regular file below `folder` (a link to one too), folder by
    folder, in name order (as os.walk would find them, not following links to folders;
    os.scandir's entries cost less than os.walk's paths stat'ed again); what is there
    but could not be looked at (not what is gone: a broken link, a file an editor just
    renamed over) is added, by path, to `unreadable`."""
    out: list[Stat] = []
    try:
        with os.scandir(folder) as found:
            found_entries = sorted(found, key=lambda e: e.name)
    except FileNotFoundError:
        return out
    except OSError:
        if unreadable is not None:
            unreadable.append(folder)
        return out
    for e in found_entries:
        try:
            if e.is_dir():
                if not e.is_symlink():
                    out.extend(_tree(e.path, unreadable))
                continue
            st = e.stat()
        except FileNotFoundError:
            continue
        except OSError:
            if unreadable is not None:
                unreadable.append(e.path)
            continue
        if stat.S_ISREG(st.st_mode):  # (never a pipe or a device: reading one would hang)
            out.append((e.path, stat_fields(st)))
    return out


@dataclass(frozen=True)
class Stamps:
    """The mtime of every output folder a build wrote into, taken when it ended, and
    the files of the folders changed too recently for their mtime to prove anything
    (a removal in the same clock tick may leave it as it was): those are looked for one
    by one. A tick is a few milliseconds where mtimes have a fraction of a second, else
    up to two seconds (FAT). Cheaper than a stat of every file: there are about half
    as many folders. A folder this build neither wrote into nor looked at keeps the
    stamp the last build took (had anything else changed it since, the next build
    finds its mtime changed, and looks at everything). `busy`: the folders this build
    wrote into (stamped after it began): a file removed from one while it ran (by
    another build into the folder, a sync) is in its stamp, so the next build's
    `present` looks at their files one by one (and restores what it finds missing;
    the build after it may trust them again, as anything since changes their mtime)."""

    folders: dict[str, int]
    recent: tuple[str, ...]
    files: int
    busy: frozenset[str] = frozenset()

    SETTLED_NS = 3_000_000_000       # disks that keep whole seconds
    FINE_SETTLED_NS = 200_000_000    # disks that keep fractions of a second

    @classmethod
    def take(cls, output: Path, paths: list[str], last: Stamps | None = None,
             touched: set[str] = frozenset(), begun: int = 0) -> Stamps:
        root = os.fspath(output)
        trusted = _removal_changes_mtime(root)
        folders = {folder_of(path) for path in paths}
        known = {folder: mtime for folder, mtime in (last.folders if last else {}).items()
                 if folder not in touched and folder}  # (the top: the probe has just changed it)
        stamps = {folder: known[folder] if folder in known else os.stat(os.path.join(root, folder)).st_mtime_ns
                  for folder in sorted(folders)}
        fine = any(mtime % 1_000_000_000 for mtime in stamps.values())
        settled = time.time_ns() - (cls.FINE_SETTLED_NS if fine else cls.SETTLED_NS)
        fresh = {folder for folder, mtime in stamps.items() if not trusted or mtime >= settled}
        recent = tuple(path for path in paths if folder_of(path) in fresh) if fresh else ()
        since = begun - cls.SETTLED_NS  # (a folder's mtime may lag the clock by a tick)
        busy = {folder for folder, mtime in stamps.items() if folder not in known and mtime >= since}
        return cls(stamps, recent, len(paths), frozenset(busy))

    @staticmethod
    def of(record: tuple[str, tuple] | None) -> Stamps | None:
        """The stamps in a last-build record, if it holds any (one of other code may not)."""
        made = record[1] if record is not None else None
        stamps = made[-1] if isinstance(made, tuple) and made else None
        return stamps if isinstance(stamps, Stamps) else None

    def intact(self, output: Path) -> bool:
        root = os.fspath(output)
        try:
            if os.stat in os.supports_dir_fd:  # (paths relative to the open output: fewer
                fd = os.open(root, os.O_RDONLY)  # joins, and a shorter lookup for each)
                try:
                    changed = any(os.stat(folder or ".", dir_fd=fd).st_mtime_ns != mtime
                                  for folder, mtime in self.folders.items())
                finally:
                    os.close(fd)
            else:
                changed = any(os.stat(os.path.join(root, folder)).st_mtime_ns != mtime
                              for folder, mtime in self.folders.items())
        except OSError:
            return False
        return not changed and all_present(output, self.recent)

    def present(self, output: Path, paths: list[str]) -> bool:
        """Whether every file of `paths`, all written by the build that took these
        stamps, is still there: asked of each file only in the folders whose mtime is
        not the one stamped (a file removed changes its folder's), or was stamped too
        soon to tell (`recent`) or while the build ran (`busy`); a stat per folder,
        not per file. (A file changed in place, as for pages, is not looked for.)"""
        by_folder: dict[str, list[str]] = {}
        for path in paths:
            by_folder.setdefault(folder_of(path), []).append(path)
        recent = set(self.recent)
        for folder, files in by_folder.items():
            try:
                same = self.folders.get(folder) == os.stat(os.path.join(output, folder)).st_mtime_ns
            except OSError:
                return False
            if not all_present(output, files if not same or folder in self.busy else
                                [f for f in files if f in recent]):
                return False
        return True


def _removal_changes_mtime(folder: str) -> bool:
    """Whether removing a file changes its folder's mtime on this disk (some network and
    FUSE disks do not): a probe file is made, the folder's mtime set ten days back, the
    probe removed."""
    probe = os.path.join(folder, ".site-builder-probe")
    try:
        with open(probe, "wb"):
            pass
        st = os.stat(folder)
        past = st.st_mtime_ns - 10 * 86400 * 10**9
        os.utime(folder, ns=(st.st_atime_ns, past))
        os.unlink(probe)
        return os.stat(folder).st_mtime_ns != past
    except OSError:
        return False


def all_present(output: Path, paths: list[str]) -> bool:
    folder = os.fspath(output) + os.sep
    return all(present(folder + path) for path in paths)


