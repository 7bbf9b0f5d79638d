"""Stage 5: write the output folder safely.

Each file is written whole (a temporary file beside it, then an atomic rename), and
only when its bytes changed, so a reader never sees a torn page and a deploy uploads
little. The folder keeps a manifest of the files the last build wrote; files that a
build no longer produces (a deleted or renamed entry's pages) are removed, and files
the tool did not write are never touched. A non-empty folder without a manifest is
refused rather than mixed with. A build that was stopped (Ctrl-C, killed) may have
left a temporary file half-written: the next finds them, and removes them.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

MANIFEST = ".site-builder-manifest.json"
UNFINISHED = ".site-builder-unfinished"  # there while a build writes: gone when it has finished


class OutputWriter:
    def __init__(self, root: Path):
        self.root = root
        self.produced: set[str] = set()
        self.written = 0
        self.unchanged = 0
        self.removed = 0
        self.touched: set[str] = {""}  # folders written into or looked at ("" for the top)
        self.previous = self._read_manifest()
        self._begun = False

    def _read_manifest(self) -> set[str]:
        manifest = self.root / MANIFEST
        if manifest.is_file():
            try:
                return set(json.loads(manifest.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                raise _refused(manifest, "manifest_corrupt") from None
        if self.root.exists() and any(self.root.iterdir()):
            raise _refused(self.root, "output_not_ours")
        # Claim the new folder at once, so a build that dies half-way can be re-run.
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(manifest, b"[]")
        return set()

    def _remove_half_written(self) -> None:
        """The temporary files that a build stopped while writing left in the output
        (killed, its files are not removed: see write_atomic), wherever they are: looked
        for only after such a build, a walk of the whole folder."""
        for folder, _, names in os.walk(self.root):
            for name in names:
                if left_half_written(name):
                    try:
                        os.remove(os.path.join(folder, name))
                    except OSError:
                        pass

    def _begin(self) -> None:
        """Before the first file is written (not before: a build stopped by a mistake
        found first leaves the output as it was), the mark that a build is writing; when
        the last build left it there, it was stopped while writing."""
        if self._begun:
            return
        self._begun = True
        if (self.root / UNFINISHED).is_file():
            self._remove_half_written()
        write_atomic(self.root / UNFINISHED, b"")

    def plan(self, paths: list[str]) -> None:
        """Record the files about to be written before writing them: should the build
        stop half-way, the next one still knows every file it may have to remove."""
        self._begin()
        self.touched.update(folder_of(path) for path in paths)
        if not self.previous.issuperset(paths):  # (else the manifest there names them all)
            self.previous |= set(paths)
            write_atomic(self.root / MANIFEST, json.dumps(sorted(self.previous), ensure_ascii=False,
                                                          indent=0).encode("utf-8"))

    def write(self, rel: str, data: bytes) -> None:
        self._begin()
        self.touched.add(folder_of(rel))
        self.record(rel, write_if_changed(self.root / rel, data))

    def record(self, rel: str, written: bool) -> None:
        """Count a file of this build (written here, by a worker, or kept as it was)."""
        self.produced.add(rel)
        if written:
            self.touched.add(folder_of(rel))
            self.written += 1
        else:
            self.unchanged += 1

    def copy(self, rel: str, source: Path) -> None:
        self.write(rel, source.read_bytes())

    def put(self, rel: str, data: bytes) -> None:
        """Write `data`, known to differ from what is there, as `rel` (not compared first)."""
        self._begin()
        write_atomic(self.root / rel, data)
        self.record(rel, written=True)

    def finish(self) -> None:
        """Remove what the previous build wrote and this one did not; save the manifest."""
        self._begin()  # (whatever a build stopped while writing left, even if this one wrote nothing)
        for rel in sorted(self.previous - self.produced):
            path = self.root / rel
            if path.is_file():
                path.unlink()
                self.removed += 1
                folder = rel
                while folder:  # its folder, and those above, which may be removed if empty
                    folder = folder_of(folder)
                    self.touched.add(folder)
                _remove_empty_parents(path.parent, self.root)
        data = json.dumps(sorted(self.produced), ensure_ascii=False, indent=0).encode("utf-8")
        self.root.mkdir(parents=True, exist_ok=True)
        write_if_changed(self.root / MANIFEST, data)  # (as every file: a deploy uploads what changed)
        (self.root / UNFINISHED).unlink(missing_ok=True)


def refuse_inside_inputs(root: Path, output: Path) -> None:
    """Refuse an output folder inside the site's content/ or themes/ (`-o out` given in
    a unit's folder): it would be read back as the site's own files, and change its
    inputs at every build."""
    out = os.path.abspath(output)
    for folder in ("content", "themes"):
        inputs = os.path.abspath(os.path.join(root, folder))
        if out == inputs or out.startswith(inputs + os.sep):
            raise _refused(output, "output_in_inputs", folder=folder + "/")


def _refused(path: Path, key: str, **params: str) -> Exception:
    """The error of an output folder this build will not write into."""
    from .errors import Problems, SiteError  # (here: stage 0 imports this module, to look
                                             # at the output, and needs none of it)
    problems = Problems()
    problems.add(str(path), None, key, **params)
    return SiteError(problems)


def folder_of(rel: str) -> str:
    """The folder of an output path ("/" between its parts), as os.path.dirname gives
    it, at a third of the cost (a rebuild asks it of every file of the output)."""
    return rel.rpartition("/")[0]


def present(path: str) -> bool:
    """Whether the output still holds the file at `path`, one it wrote (os.access: a
    third cheaper than os.path.isfile, and a rebuild asks it of every page)."""
    return os.access(path, os.F_OK)


def write_if_changed(target: Path, data: bytes, maybe_there: bool = True) -> bool:
    """Write `data` to `target` unless it already holds exactly these bytes. Not
    `maybe_there` (no build wrote it): written without looking first."""
    if maybe_there and holds(os.fspath(target), data):
        return False
    write_atomic(target, data)
    return True


def holds(path: str, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data` (False when there is none)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except FileNotFoundError:
        return False


def write_atomic(target: Path, data: bytes) -> None:
    """Write a file whole: into a temporary file beside it, then renamed over it. The
    temporary name is this process's and thread's own (mkstemp's random names cost
    more than the write); its folder is made when missing. Plain descriptor calls: a
    file object costs more than the write of a page."""
    path = os.fspath(target)
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".tmp-{os.getpid()}-{threading.get_ident()}{os.path.splitext(name)[1]}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)  # no \r\n on Windows
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o644)  # whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        if not hasattr(os, "fchmod"):
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def left_half_written(name: str) -> bool:
    """Whether the file `name` is one write_atomic began in a process that has ended
    (stopped before the file was renamed into place)."""
    return name.startswith(".tmp-") and not running(name.split("-")[1])


def running(pid: str) -> bool:
    """Whether process `pid` (a number as text) may still be running."""
    try:
        os.kill(int(pid), 0)
    except ValueError:
        return True  # not a name of ours: leave it
    except ProcessLookupError:
        return False
    except OSError:  # there, another user's
        return True
    return True


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
