"""How a build tells, at the least cost, what may have changed since the last one: a
file's stat fields, a fingerprint of the code, and where the records of the builds
into an output folder are kept. Apart from `cache` (which imports dataclasses and
pickle for the rest) so that stage 0, `uptodate`, can answer a build with nothing to
do before anything else is imported: it is a third of such a build's time.
"""
from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path

from . import __version__

CACHE_DIR = ".site-builder-cache"

_DEPENDENCIES = ("markdown", "nh3", "jinja2", "pyyaml", "opencc", "chinese-calendar", "segno",
                 "openpyxl", "python-docx", "pypdf")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever a file of the package or the version of a library it renders
    or checks with changes (a sanitizer fix must reach every cached page). Computed once
    per process: the code a process runs cannot change under it. The files' bytes are
    hashed, not their mtimes: `pip install .` on every CI run writes the same code anew,
    and must not make every cached entry and page stale (a few milliseconds)."""
    h = hashlib.sha1(__version__.encode())
    versions = _installed_versions()
    for name in _DEPENDENCIES:
        h.update(f"{name}={versions.get(_normal(name), '')}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml") and path.is_file():
            data = path.read_bytes()
            h.update(f"{path.relative_to(package).as_posix()}:{len(data)}:".encode())
            h.update(data)
    return h.hexdigest()


def _installed_versions() -> dict[str, str]:
    """{name: version} of the distributions on sys.path, read off the names of their
    metadata folders (NAME-VERSION.dist-info, NAME-VERSION-pyX.Y.egg-info), the first
    on the path winning as for an import. (importlib.metadata would take a tenth of a
    build that has nothing to do, most of it to import.)"""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, or gone
            continue
        for name in names:
            stem, _, suffix = name.rpartition(".")
            if suffix in ("dist-info", "egg-info") and "-" in stem:
                dist, _, version = stem.partition("-")
                found.setdefault(_normal(dist), version.partition("-")[0])
    return found


def _normal(name: str) -> str:
    """A distribution's name as its metadata folder spells it, in lower case."""
    return name.lower().replace("-", "_").replace(".", "_")


def stat_fields(st: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file changed without reading it: size, mtime, inode and change
    time. The change time is there because, on Linux and macOS, no tool sets it: a file
    rewritten in place at the same size with its old mtime put back (`cp -p` over it,
    `touch -r`) is still seen as changed. (On Windows it is the creation time: no help,
    no harm. A chmod or chown changes it: the file is hashed again, not read.) Neither
    on Windows, where os.scandir gives no inode and, before Python 3.12.3, no change
    time, and os.stat both: the same file must have the same fields whichever way it
    was stat'ed."""
    if os.name == "nt":
        return (st.st_size, st.st_mtime_ns, 0, 0)
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def output_scope(root: Path, output: Path) -> str:
    """The name, in the cache, of the records of what was written into one output
    folder, apart from other folders: one inside the site's folder (`public/`) by its
    place there, so that it goes on serving when the site is moved with its output."""
    site, out = os.path.abspath(root), os.path.abspath(output)
    name = os.path.relpath(out, site) if out.startswith(site + os.sep) else out
    return "out-" + hashlib.sha1(name.encode()).hexdigest()[:12]


def records_folder(root: Path, output: Path) -> str:
    """The folder of the records of the builds into `output` (`cache.for_output`'s)."""
    return os.path.join(root, CACHE_DIR, output_scope(root, output))
