"""Stage 0 of a build: whether it has anything to do.

A build first asks whether the output is up to date: whether the inputs, by stat, and
the code and `today` are those of the last build into it (its `Record`), and all that
build wrote is still there. Then it does nothing. "All it wrote is there" is asked of
the output's folders, not of each file (removing a file changes its folder's mtime),
in a forked process while this one stats the inputs: at 10,000 entries the two take
about as long, each mostly waiting on the system, and are the cost of such a build.
So that it costs no more, the answer needs neither site.yaml (the record holds the
site's timezone, for `today`; site.yaml's stat is among the inputs) nor the other
stages: this module imports none of their modules but the writer's (for the names of
the output's files), nor dataclasses, and the command line asks it (`unchanged`)
before it imports the rest of the builder, which was half the time of such a build.
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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import forking, history
from .changes import code_fingerprint, records_folder, stat_fields
from .theme import builtin_theme
from .writer import MANIFEST, folder_of, present

if TYPE_CHECKING:
    from .config import SiteConfig
    from .errors import Problem, Problems


def site_today(config: SiteConfig) -> dt.date:
    return today_in(config.timezone)


def today_in(timezone: str) -> dt.date:
    from zoneinfo import ZoneInfo  # (here: a build given --today, with nothing to do, needs none)

    return dt.datetime.now(ZoneInfo(timezone)).date()


RECORD = "last-build.marshal"  # in the records of the builds into an output folder


class Record:
    """What the last build into an output folder leaves for the next: the key of its
    inputs; the site's timezone (its `today`, when none is given); the entries and
    pages it made; its warnings, pickled (only a build that returns them unpickles
    them: the command line tells its own words for them); the stamps of its output.
    Kept with marshal, which imports nothing to read it (pickle imports the module of
    each class it meets: the errors', and with it dataclasses)."""

    __slots__ = ("inputs", "timezone", "entries", "pages", "warnings_pickled", "stamps")

    def __init__(self, inputs: str, timezone: str, entries: int, pages: int, warnings_pickled: bytes,
                 stamps: Stamps):
        self.inputs, self.timezone, self.entries, self.pages = inputs, timezone, entries, pages
        self.warnings_pickled, self.stamps = warnings_pickled, stamps

    @classmethod
    def of(cls, inputs: str, timezone: str, entries: int, pages: int, warnings: list[Problem],
           stamps: Stamps) -> Record:
        import pickle  # (here: a build with nothing to do reads a record, and writes none)

        return cls(inputs, timezone, entries, pages, pickle.dumps(warnings, protocol=5), stamps)

    @classmethod
    def read(cls, folder: str) -> Record | None:
        """The record in `folder` (None: none, or one that cannot be read, as one of other code)."""
        try:
            with open(os.path.join(folder, RECORD), "rb") as f:
                inputs, timezone, entries, pages, warnings, (folders, recent, files, busy) = marshal.loads(f.read())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        fields = (inputs, timezone, entries, pages, warnings, folders, recent, files, busy)
        if list(map(type, fields)) != [str, str, int, int, bytes, dict, tuple, int, frozenset]:
            return None
        return cls(inputs, timezone, entries, pages, warnings, Stamps(folders, recent, files, busy))

    def dumps(self) -> bytes:
        s = self.stamps
        return marshal.dumps((self.inputs, self.timezone, self.entries, self.pages, self.warnings_pickled,
                              (s.folders, s.recent, s.files, s.busy)))

    def warnings(self) -> list[Problem]:
        import pickle

        return pickle.loads(self.warnings_pickled)


class Look:
    """What stage 0 found: the inputs key (None without a site.yaml); site.yaml as
    `load_config` gave it (None when it was not read: nothing to do); the stat of every
    file under content/ by path (None when a folder or file could not be looked at, or
    without a site.yaml); and, when nothing is to be done, the last build's record."""

    __slots__ = ("inputs", "loaded", "files", "unchanged")

    def __init__(self, inputs: str | None, loaded: tuple[SiteConfig | None, Problems] | None,
                 files: dict[str, tuple] | None, unchanged: Record | None):
        self.inputs, self.loaded, self.files, self.unchanged = inputs, loaded, files, unchanged


class Seen:
    """What stage 0 saw of a build of the site in `site` into `output` (both absolute)
    for `today`, from `began` (time.perf_counter) on: a digest of the inputs' stats and
    the stat of every file under content/ (as `input_stats` gives them), the last
    build's record it was compared with (`last`), and whether that record stands (its
    key that of the inputs now, all it wrote still there: nothing to do)."""

    __slots__ = ("site", "output", "today", "began", "digest", "files", "last", "stands")

    def __init__(self, root: Path, output: Path, today: dt.date | None, began: float, digest: str,
                 files: dict[str, tuple] | None, last: Record | None, stands: bool):
        self.site, self.output, self.today = os.path.abspath(root), os.path.abspath(output), today
        self.began, self.digest, self.files, self.last, self.stands = began, digest, files, last, stands

    @property
    def unchanged(self) -> Record | None:
        """The last build's record, when there is nothing to do."""
        return self.last if self.stands else None

    def of(self, root: Path, output: Path, today: dt.date | None) -> bool:
        """Whether this is what stage 0 saw of a build of `root` into `output` for `today`."""
        return (self.site, self.output, self.today) == (os.path.abspath(root), os.path.abspath(output), today)


def look(root: Path, output: Path, today: dt.date | None, last: Record | None, parallel: bool,
         seen: Seen | None = None) -> Look:
    """Stage 0 for a build of `root` into `output`, the last build's record being
    `last`; with `parallel`, the output is looked at in a forked process meanwhile.
    `seen`: what `unchanged` saw of this build, when the command line asked it first
    (not asked again). site.yaml is read (after the stat, so that an edit made
    meanwhile is never taken for the state the key describes) only when there is
    something to do."""
    if seen is None:
        seen = _seen(root, output, today, last, parallel)
    if seen.unchanged is not None:
        return Look(seen.unchanged.inputs, None, seen.files, seen.unchanged)
    from .config import load_config  # (here: see the module's docstring)

    loaded = load_config(root)
    if loaded[0] is None:
        return Look(None, loaded, None, None)
    return Look(_key(seen.digest, today or site_today(loaded[0])), loaded, seen.files, None)


def unchanged(root: Path, output: Path, today: dt.date | None) -> Seen | None:
    """Stage 0 alone, with nothing else of the builder imported: what it saw of a build
    of `root` into `output` (`Seen.unchanged`: whether it has anything to do), for that
    build to go on from; None when there is no record of a last build (nothing seen)."""
    last = Record.read(records_folder(root, output))
    return _seen(root, output, today, last, parallel=True) if last is not None else None


def _seen(root: Path, output: Path, today: dt.date | None, last: Record | None, parallel: bool) -> Seen:
    began = time.perf_counter()
    stamps = last.stamps if last is not None and (output / MANIFEST).is_file() else None
    intact = _Aside(lambda: stamps is not None and stamps.intact(output))
    try:  # (from the fork on: whatever stops this stage, that process is not left behind)
        if stamps is not None:
            intact.start(parallel)
        digest, files = input_stats(root)
        stands = stamps is not None and _stands(last, digest, today) and intact.answer()
        return Seen(root, output, today, began, digest, files, last, stands)
    finally:
        intact.drop()


def _stands(last: Record, digest: str, today: dt.date | None) -> bool:
    """Whether the last build's key is that of the inputs now (their stats' `digest`)."""
    try:
        day = today or today_in(last.timezone)
    except (KeyError, ValueError, TypeError, OSError):  # (a timezone this system no longer
        return False                                    # knows: reading site.yaml tells)
    return last.inputs == _key(digest, day)


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


def input_stats(root: Path) -> tuple[str, dict[str, tuple] | None]:
    """A digest of the stat of everything a build reads: site.yaml, content/, themes/,
    the built-in theme, git's refs and whether the clone is shallow (entry history);
    and the stat of every file under content/ by path, for the reading of the entries
    (taken once: walking content/ and stat'ing its files again was half of a one-entry
    edit's read stage at 10,000 entries, 0.28 of 0.58 s), None when a folder or file
    there could not be looked at (the entries are then found by a walk of their own,
    which stops the build with the error rather than leave those entries out)."""
    site = os.path.abspath(root)  # (as the config holds it: see SiteConfig.root)
    unreadable: list[str] = []
    content = _tree(os.path.join(site, "content"), unreadable)
    stats = [*_stats([os.path.join(site, "site.yaml")]), *content,
             *_tree(os.path.join(site, "themes"), follow=set()), *_tree(os.fspath(builtin_theme()))]
    for git in history.git_dirs(site):  # (the site may be a subfolder of the repository)
        stats += [*_stats([os.path.join(git, name) for name in ("HEAD", "packed-refs", "shallow")]),
                  *_tree(os.path.join(git, "refs", "heads"))]
    # The stats are hashed as marshal writes them (a sixth of the time of their repr at
    # 10,000 entries); in its version 2, which writes every value out in full, never
    # as a reference to one written before: the bytes do not depend on which tuples
    # happen to be shared.
    digest = hashlib.sha1(marshal.dumps(stats, 2)).hexdigest()
    return digest, dict(content) if not unreadable else None


def _key(digest: str, today: dt.date) -> str:
    """The key of a build's inputs: their stats' digest, the code and `today`."""
    return hashlib.sha1(f"{code_fingerprint()}\0{today.isoformat()}\0{digest}".encode()).hexdigest()


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


def _tree(folder: str, unreadable: list[str] | None = None, follow: set[str] | None = None) -> list[Stat]:
    """The stat of every regular file below `folder` (a link to one too), folder by
    folder, in name order (as os.walk would find them, not following links to folders;
    os.scandir's entries cost less than os.walk's paths stat'ed again); what is there
    but could not be looked at (not what is gone: a broken link, a file an editor just
    renamed over) is added, by path, to `unreadable`. Given `follow` (the real paths
    of the linked folders followed so far), links to folders are followed too, each
    folder once: a theme's folder may be a link to one that sites share, and its
    templates and assets are read through it."""
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
                    out.extend(_tree(e.path, unreadable, follow))
                elif follow is not None and os.path.realpath(e.path) not in follow:
                    follow.add(os.path.realpath(e.path))
                    out.extend(_tree(e.path, unreadable, follow))
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


class Stamps:
    """The mtime of every output folder a build wrote into, taken when it ended, and
    the files of the folders changed too recently for their mtime to prove anything
    (a removal in the same clock tick may leave it as it was): those are looked for one
    by one; and how many files it wrote (`files`). A tick is a few milliseconds where
    mtimes have a fraction of a second, else up to two seconds (FAT). Cheaper than a
    stat of every file: there are about half as many folders. A folder this build neither wrote into nor looked at keeps the
    stamp the last build took (had anything else changed it since, the next build
    finds its mtime changed, and looks at everything). `busy`: the folders this build
    wrote into (stamped after it began): a file removed from one while it ran (by
    another build into the folder, a sync) is in its stamp, so the next build's
    `present` looks at their files one by one (and restores what it finds missing;
    the build after it may trust them again, as anything since changes their mtime)."""

    __slots__ = ("folders", "recent", "files", "busy")

    SETTLED_NS = 3_000_000_000       # disks that keep whole seconds
    FINE_SETTLED_NS = 200_000_000    # disks that keep fractions of a second

    def __init__(self, folders: dict[str, int], recent: tuple[str, ...], files: int,
                 busy: frozenset[str] = frozenset()):
        self.folders, self.recent, self.files, self.busy = folders, recent, files, busy

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


