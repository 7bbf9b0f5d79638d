"""The build cache in SITE/.site-builder-cache/: what a rebuild may skip.

Two things are kept between builds, each keyed so that a stale value is never used:
the validated entries (keyed by each file's and attachment's size, mtime and inode,
the config and the code that read them), and a fingerprint of every page written
(a hash of the template set, config, code, `today` and the fingerprints of the entries
the page shows). A page whose fingerprint is unchanged and whose file is still in the
output is not rendered again. Losing the cache only makes the next build a cold one.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from . import __version__
from .writer import write_atomic

CACHE_DIR = ".site-builder-cache"


def code_fingerprint() -> str:
    """Changes whenever any file of the installed package changes."""
    h = hashlib.sha1(__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.suffix in (".py", ".yaml") and path.is_file():
            st = path.stat()
            h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def files_fingerprint(paths: list[Path]) -> str:
    """Content hash of a set of files (templates, assets, strings)."""
    h = hashlib.sha1()
    for path in sorted(paths):
        h.update(str(path).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def stat_key(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class Cache:
    """One pickled dict per name under SITE/.site-builder-cache/<scope>/."""

    def __init__(self, root: Path, scope: str = ""):
        self.dir = root / CACHE_DIR / scope if scope else root / CACHE_DIR

    def load(self, name: str, key: str) -> Any:
        path = self.dir / f"{name}.pickle"
        try:
            with open(path, "rb") as f:
                stored_key, value = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, ImportError):
            return None
        return value if stored_key == key else None

    def save(self, name: str, key: str, value: Any) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            if not (self.dir.parent / ".gitignore").exists() and self.dir.parent.name == CACHE_DIR:
                write_atomic(self.dir.parent / ".gitignore", b"*\n")
            write_atomic(self.dir / f"{name}.pickle", pickle.dumps((key, value), protocol=5))
        except OSError:
            pass  # a cache that cannot be written only costs time


def hexdigest(*parts: Any) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def output_scope(output: Path) -> str:
    """Page fingerprints belong to one output folder."""
    return "out-" + hashlib.sha1(os.path.abspath(output).encode()).hexdigest()[:12]
