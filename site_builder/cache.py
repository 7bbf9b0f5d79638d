"""The build cache in SITE/.site-builder-cache/: what a rebuild may skip.

Two things are kept between builds, each keyed so that a stale value is never used:
the validated entries (keyed by each file's and attachment's stat, `stat_fields`,
or failing that their bytes, the config and the code that read them), and a
fingerprint of every page written (a hash of the template set, config, code, `today`
and the fingerprints of the entries the page shows). A page whose fingerprint is
unchanged and whose file is still in the output is not rendered again. Losing the
cache only makes the next build a cold one.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dataclasses
import datetime as dt
from decimal import Decimal

from .changes import CACHE_DIR, output_scope, stat_fields
from .writer import running, write_atomic

if TYPE_CHECKING:
    import tempfile

def files_fingerprint(files: list[tuple[str, Path]]) -> str:
    """Content hash of a set of files (templates, assets), each by a name and its bytes."""
    h = hashlib.sha1()
    for name, path in sorted(files):
        h.update(name.encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def stat_key(path: Path) -> tuple[int, int, int, int]:
    return stat_fields(path.stat())


class Cache:
    """One pickled dict per name under SITE/.site-builder-cache/<scope>/."""

    def __init__(self, root: Path, scope: str = ""):
        self.dir = root / CACHE_DIR / scope if scope else root / CACHE_DIR

    def load(self, name: str, key: str) -> Any:
        stored = self.latest(name)
        return stored[1] if stored is not None and stored[0] == key else None

    def latest(self, name: str) -> tuple[str, Any] | None:
        """(key, value) stored under `name`, whatever the key."""
        try:
            with open(self.dir / f"{name}.pickle", "rb") as f:
                key, value = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return None
        return key, value

    def has(self, name: str) -> bool:
        """Whether a value is stored under `name`, whatever its key."""
        return os.path.isfile(self.dir / f"{name}.pickle")

    def save(self, name: str, key: str, value: Any, must: bool = False) -> None:
        """Store `value` under `name` and `key`; a failure (a full disk) is ignored, as
        it only costs time, unless the value `must` be stored: then it raises OSError."""
        self.write(f"{name}.pickle", pickle.dumps((key, value), protocol=5), must)

    def forget(self, name: str) -> None:
        """Remove what is stored under `name` (removing works on a full disk too)."""
        try:
            os.remove(self.dir / f"{name}.pickle")
        except FileNotFoundError:
            pass

    def read(self, file_name: str) -> bytes | None:
        try:
            return (self.dir / file_name).read_bytes()
        except OSError:
            return None

    def write(self, file_name: str, data: bytes, must: bool = False) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            if not (self.dir.parent / ".gitignore").exists() and self.dir.parent.name == CACHE_DIR:
                write_atomic(self.dir.parent / ".gitignore", b"*\n")
            write_atomic(self.dir / file_name, data)
        except OSError:
            if must:
                raise
            # otherwise a cache that cannot be written only costs time


def hexdigest(*parts: Any) -> str:
    """A hash of values, the same in every process (sets are sorted first: their order
    depends on PYTHONHASHSEED)."""
    h = hashlib.sha1()
    for part in parts:
        h.update(repr(canonical(part)).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def plain_digest(*parts: Any) -> str:
    """hexdigest of values known to be plain (strings, numbers, dates, and tuples, lists
    and frozen dataclasses of them), whose repr is stable: hashed without the walk."""
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()


def canonical(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((canonical(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple((canonical(k), canonical(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(canonical(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                tuple((f.name, canonical(getattr(value, f.name))) for f in dataclasses.fields(value)
                      if f.repr))
    return value


def for_output(root: Path, output: Path) -> Cache:
    """What was written into one output folder (see `changes.output_scope`)."""
    return Cache(root, output_scope(root, output))


@dataclasses.dataclass(frozen=True)
class PageRecord:
    """What a build knew of the pages it wrote, for the next build into the same folder:
    the fingerprint of every entry (by its path under content/), of every page (by
    output path, the Traditional copy's included) and a sum of each page's inputs."""
    items: dict[str, str]
    pages: dict[str, str]
    inputs: dict[str, int]
    faces: dict[str, str]

    def without(self, rels: frozenset[str], paths: set[str]) -> PageRecord:
        """This record but for the entries `rels` and the pages `paths`."""
        return PageRecord({r: fp for r, fp in self.items.items() if r not in rels},
                          {p: fp for p, fp in self.pages.items() if p not in paths}, self.inputs,
                          {r: fp for r, fp in self.faces.items() if r not in rels})


class PageFingerprints:
    """What each page shows, hashed: a page whose fingerprint is unchanged needs no render.

    An item has two fingerprints. Its face covers what pages other than its own show
    of it: every field of its entry but the body (`Entry.face`) and everything the model
    derived for it (URL, 索引号, notice, history, neighbours). Its whole adds the bytes
    of its file and attachments (`Entry.digest`), and so its body. A page's fingerprint
    covers its template, title, crumbs, the data it is given (items by their faces),
    the faces of the items it declares as inputs and the whole of those whose bodies it
    declares it shows (an entry's own page). Config, code, theme, strings and `today`
    are in the key every fingerprint is stored under. The built-in templates show a
    body on its entry's page only; a site whose theme has templates of its own may show
    them anywhere: there an item's face is its whole (`bodies_declared` False).

    Told the last build's record, most pages are not hashed at all: a page shows its
    inputs (the entries it declares) and what the config, code and `today` give, and
    nothing else (tests/test_incremental.py checks every page of a generated site for
    this), so a page that shows no entry whose face changed (nor the body of one whose
    whole did), whose inputs are the same set as before (their sum), and which does not
    show every entry ("*") keeps its last fingerprint; so does a page showing every
    entry when no face changed. After an edit of one body at 10,000 entries, only the
    pages showing that body are hashed and rendered again."""

    def __init__(self, site: Any, last: PageRecord | None = None, bodies_declared: bool = True):
        self._items = {id(i): _item_fingerprint(i, bodies_declared) for i in site.items}
        self._by_rel = {i.entry.rel: self._items[id(i)] for i in site.items}
        self._whole = {i.entry.rel: self._items[id(i)] + i.entry.digest for i in site.items}
        self._all = plain_digest(sorted(self._by_rel.items()))
        self._item_type = type(site.items[0]) if site.items else None
        self._pages: dict[int, Any] = {}  # a page's hash so far, for each of its variants
        self._records: dict[int, tuple[Any, str]] = {}  # dataclass -> (it, the hash of its fields):
                                                         # a unit is in thousands of pages
        self._ids = _InputIds((rel, _input_id(rel)) for rel in self._by_rel)
        self._sums: dict[int, int] = {}
        self._last = last
        # entries added, removed or changed since the last build (None: no last build), and
        # those of them whose faces changed (added and removed ones among them)
        self.changed = _changed(self._whole, last.items) if last is not None else None
        self.faces_changed = _changed(self._by_rel, last.faces) if last is not None else None

    def page(self, page: Any, variant: str = "") -> str:
        last = self._last
        if last is not None and self._kept(page):
            known = last.pages.get(variant + page.path)
            if known is not None and last.inputs.get(page.path) == self.inputs_sum(page):
                return known
        shown = self._pages.get(id(page))
        if shown is None:
            inputs = self._all if "*" in page.inputs else [self._by_rel.get(r) for r in sorted(page.inputs)]
            bodies = [self._whole.get(r) for r in sorted(page.bodies)]
            # _sig already gives plain, ordered values: hash their repr directly (hexdigest
            # would walk them all again, and there are as many pages as entries and more).
            plain = (page.path, page.template, page.title, page.crumbs, inputs, bodies, self._sig(page.data))
            shown = self._pages[id(page)] = hashlib.sha1(repr(plain).encode("utf-8"))
        done = shown.copy()
        done.update(b"\0" + variant.encode("utf-8"))
        return done.hexdigest()

    def _kept(self, page: Any) -> bool:
        """Whether nothing `page` shows changed since the last build, as far as entries go."""
        if not page.bodies.isdisjoint(self.changed or ()):
            return False
        if "*" in page.inputs:
            return not self.faces_changed
        return page.inputs.isdisjoint(self.faces_changed or ())

    def inputs_sum(self, page: Any) -> int:
        """The set of a page's inputs as one number (the sum of a 64-bit hash of each)."""
        known = self._sums.get(id(page))
        if known is None:
            known = self._sums[id(page)] = sum(map(self._ids.__getitem__, page.inputs)) & _MASK
        return known

    def record(self, pages: list[Any], fingerprints: dict[str, str]) -> PageRecord:
        """The record of a build of `pages`, which gave these fingerprints."""
        return PageRecord(self._whole, fingerprints, {p.path: self.inputs_sum(p) for p in pages}, self._by_rel)

    def _sig(self, value: Any) -> Any:
        """A plain value that changes with what `value` shows: items by their fingerprint,
        dataclasses by a hash of their fields (a unit, a category or a supervision row is
        in thousands of pages: hashed once, repeated as 40 characters)."""
        kind = type(value)
        if kind is self._item_type:
            return self._items.get(id(value), "?")
        if kind in _PLAIN_TYPES:
            return value
        if isinstance(value, (list, tuple)):
            return tuple(map(self._sig, value))
        if isinstance(value, dict):
            return tuple(zip(map(self._sig, value.keys()), map(self._sig, value.values())))
        if isinstance(value, (set, frozenset)):
            return tuple(map(self._sig, sorted(value, key=repr)))
        if dataclasses.is_dataclass(value):
            known = self._records.get(id(value))
            if known is None or known[0] is not value:
                fields = tuple(self._sig(getattr(value, f.name)) for f in dataclasses.fields(value))
                known = self._records[id(value)] = (value, hashlib.sha1(
                    repr((kind.__name__, fields)).encode("utf-8")).hexdigest())
            return known[1]
        if isinstance(value, _PLAIN):  # a subclass: an enum of str, say
            return value
        return repr(value)


_MASK = (1 << 64) - 1


def _input_id(rel: str) -> int:
    return int.from_bytes(hashlib.blake2b(rel.encode("utf-8"), digest_size=8).digest(), "little")


class _InputIds(dict):
    """{entry path: _input_id}, made for other paths when asked (a link to an entry not
    published is an input too)."""

    def __missing__(self, rel: str) -> int:
        made = self[rel] = _input_id(rel)
        return made


_PLAIN = (str, int, float, bool, type(None), Decimal, dt.date, dt.datetime)
_PLAIN_TYPES = frozenset(_PLAIN)


def _changed(now: dict[str, str], before: dict[str, str]) -> frozenset[str]:
    """The entries whose fingerprint differs from `before`, or that are in one only."""
    return frozenset(rel for rel, fp in now.items() if before.get(rel) != fp) | (before.keys() - now.keys())


def _item_fingerprint(item: Any, face: bool = True) -> str:
    """The item's face (see PageFingerprints); if not `face`, a fingerprint that takes
    the bytes of its files (`Entry.digest`) instead of its entry's face, and so changes
    with its body too. (An entry without a face, made other than by the reader, counts
    by its bytes: never stale.)"""
    def url(other: Any) -> tuple | None:  # (a day's number: formatting dates costs)
        return None if other is None else (other.url, other.entry.title, other.entry.date.toordinal())
    return plain_digest(item.entry.face if face and item.entry.face else item.entry.digest, item.url,
                        item.index_no, item.notice,
                        item.body_withheld, item.late, item.history, item.ledger_files, item.entry.withdrawn,
                        url(item.prev), url(item.next), url(item.corrects), [url(c) for c in item.corrected_by])


def scratch_folder(cache: Cache) -> tempfile.TemporaryDirectory:
    """A scratch folder for building an index (see search._spill): in the site's cache folder,
    on the disk the site is on (a system temporary folder may be memory), else in the
    system's temporary folder. Its name holds this process's id: the folders of builds
    that were killed (and so could not remove them) are removed here."""
    import shutil  # (here: a build with nothing to do makes no index)
    import tempfile

    try:
        cache.dir.mkdir(parents=True, exist_ok=True)
        for name in os.listdir(cache.dir):
            if name.startswith("scratch-") and not running(name.split("-")[1]):
                shutil.rmtree(os.path.join(cache.dir, name), ignore_errors=True)
        # (a stopped build's workers, stopped too, may still be leaving their last file)
        return tempfile.TemporaryDirectory(prefix=f"scratch-{os.getpid()}-", dir=cache.dir,
                                           ignore_cleanup_errors=True)
    except OSError:
        return tempfile.TemporaryDirectory(prefix="site-builder-search-", ignore_cleanup_errors=True)
