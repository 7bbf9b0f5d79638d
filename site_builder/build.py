"""The build pipeline, stage by stage: config -> entries -> site model -> pages -> output.

`load_site` runs the stages that read and validate (nothing is written); `build`
renders every page and writes the output folder only once the whole site is known to
be valid, so a failed build leaves the previous output untouched. Each stage is timed.
`check` runs the same validation and returns every problem instead of raising.

Before anything else, `build` asks whether there is anything to do (stage 0, in
`uptodate`); the stages' modules are imported where they are first used, so that a
build with nothing to do imports none of them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol

from .cache import Cache, for_output, hexdigest, scratch_folder
from .changes import code_fingerprint
from .config import SiteConfig, load_config
from .errors import Problems, SiteError
from .theme import asset_files
from .uptodate import RECORD, Record, Seen, Stamps, all_present, look, site_today
from .writer import OutputWriter, holds, refuse_inside_inputs

if TYPE_CHECKING:
    from .model import Item, Site
    from .parallel import ForkedCall
    from .reader import Entry
    from .render import Renderer
    from .search import Documents, Joined


@dataclass
class BuildResult:
    output: Path
    entries: int
    pages: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    warnings: list = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    site: Site | None = None  # the model built (None when the output was up to date)
    inputs: str | None = None  # the key of the inputs built (see uptodate.Record)
    files: int = 0  # the files the output holds from this build (a build with nothing
                    # to do tells them all unchanged)


STAGES = ("config", "read", "model", "render", "write")
CHECKED = STAGES[:3]  # (what `check` runs)


class Progress(Protocol):
    """What a build tells as it goes (the CLI shows it): each stage of STAGES (of
    CHECKED, for `check`), by its number from 1, as it begins (`seconds` None) and as
    it ends; and, from time to time while it reads entries, renders pages or makes the
    search index, how far it is (`done` of `total`)."""

    counts: bool  # whether it shows how far a stage is (else nothing is counted)

    def stage(self, number: int, name: str, seconds: float | None) -> None: ...

    def count(self, number: int, name: str, done: int, total: int) -> None: ...


class _Timer:
    """Times each of `stages`; tells `progress` as each begins and ends."""

    def __init__(self, progress: Progress | None = None, stages: tuple[str, ...] = STAGES) -> None:
        self.stages: dict[str, float] = {}
        self.progress, self.names = progress, stages
        self._last = time.perf_counter()
        if progress:
            progress.stage(1, stages[0], None)

    def told(self, name: str) -> Callable[[int, int], None] | None:
        """What stage `name` tells how far it is (None: nobody is told)."""
        progress = self.progress
        if progress is None or not progress.counts:
            return None
        number = self.names.index(name) + 1
        return lambda done, total: progress.count(number, name, done, total)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = now - self._last
        self._last = now
        if self.progress:
            number = self.names.index(name) + 1
            self.progress.stage(number, name, self.stages[name])
            if number < len(self.names):
                self.progress.stage(number + 1, self.names[number], None)


def load_site(root: Path, today: dt.date | None = None, timer: _Timer | None = None,
              parallel: bool = True, loaded: tuple[SiteConfig | None, Problems] | None = None,
              ) -> tuple[Site | None, Problems]:
    """Read and validate everything. Returns the site model (None when it cannot be
    made) and every problem found, errors and warnings. `loaded` is site.yaml as
    `load_config` gave it, when the caller has read it already."""
    timer = timer or _Timer()
    config, entries, problems = _read(root, timer, parallel, loaded)
    if config is None:
        return None, problems
    return _model(config, entries, today or site_today(config), timer, problems), problems


def _read(root: Path, timer: _Timer, parallel: bool, loaded: tuple[SiteConfig | None, Problems] | None,
          files: dict[str, tuple] | None = None) -> tuple[SiteConfig | None, list[Entry], Problems]:
    """Stages 1 and 2: site.yaml, then every entry, read and validated (`files`: the
    stat of every file under content/, when taken already)."""
    config, problems = loaded or load_config(root)
    timer.lap("config")
    if config is None:
        return None, [], problems
    from .reader import read_entries  # (here: its import is part of reading, 0.15 s, not of site.yaml)

    entries, found = read_entries(config, Cache(root), parallel, files, timer.told("read"))
    problems.extend(found)
    timer.lap("read")
    return config, entries, problems


def _model(config: SiteConfig, entries: list[Entry], today: dt.date, timer: _Timer, problems: Problems,
           items: list[Item] | None = None) -> Site:
    """Stage 3: the site model (its problems added to `problems`), of `items` when the
    published items are made already."""
    from .model import build_site

    skip = len("content/")  # (entry files are told by their path in the site, under content/)
    mistaken = frozenset(p.path[skip:] for p in problems.errors if p.path.startswith("content/"))
    site, found = build_site(config, entries, today, items, mistaken)
    problems.extend(found)
    timer.lap("model")
    return site


def check(root: Path, today: dt.date | None = None, progress: Progress | None = None) -> Problems:
    return load_site(root, today, _Timer(progress, CHECKED))[1]


def build(root: Path, output: Path | None = None, today: dt.date | None = None,
          progress: Progress | None = None, parallel: bool = True, seen: Seen | None = None,
          ) -> BuildResult:
    """Build the site in `root` into `output` (default root/public). Raises SiteError.
    `parallel=False` keeps all work in this process (`serve` runs threads, and forking
    a process that runs threads is not safe). `seen`: what stage 0 saw, when the
    command line asked it first (`uptodate.unchanged`; the build's time counts from it)."""
    begun = time.time_ns()
    output = output or root / "public"
    refuse_inside_inputs(root, output)
    if seen is not None and not seen.of(root, output, today):  # (of another build: not this one's)
        seen = None
    started = seen.began if seen is not None else time.perf_counter()
    cache = for_output(root, output)
    last = seen.last if seen is not None else Record.read(os.fspath(cache.dir))
    found = look(root, output, today, last, parallel, seen)
    inputs, loaded, files = found.inputs, found.loaded, found.files
    done = found.unchanged
    if done is not None:
        kept = done.stamps.files
        return BuildResult(output, done.entries, done.pages, 0, kept, 0, time.perf_counter() - started,
                           done.warnings(), inputs=inputs, files=kept)
    timer = _Timer(progress)
    # The model is millions of objects, all alive until the build ends: the cyclic
    # garbage collector, run again and again as they are made, would walk them all each
    # time (a tenth of a rebuild), and in forked workers it would touch, and so copy,
    # every page of memory they share. It is off while the model is made, and what the
    # model holds is frozen (left out of collections) until the build ends.
    # (Frozen before the collector is back: the first collection after it would walk
    # every object made meanwhile, a seventh of a second at 10,000 entries.) The search
    # index needs the published items, not the model: it starts as soon as they are
    # made, and shares them (made once, not again in its process).
    collecting = gc.isenabled()
    gc.disable()
    search: _SearchIndex | None = None
    try:
        try:
            config, entries, problems = _read(root, timer, parallel, loaded, files)
            if config is None:
                raise SiteError(problems)
            today = today or site_today(config)
            from .model import published_items  # (here: see the module's docstring)

            items = published_items(config, entries, today)
            if config.search and not problems.errors:
                search = _SearchIndex(config, items, root, output, parallel,
                                      last.stamps if last is not None else None)
            site = _model(config, entries, today, timer, problems, items)
            gc.freeze()
        finally:
            if collecting:
                gc.enable()
        try:
            if problems.errors:
                raise SiteError(problems)
            writer = _write_site(site, root, output, parallel, timer, search)
        finally:
            gc.unfreeze()
    except BaseException:
        if search is not None:  # it may still run: stop it, whatever stopped this build
            search.cancel()
        raise
    if inputs is not None:
        # the last build's stamps are worth keeping when its inputs changed; not when they
        # did not and the output was found changed (by something else, between builds)
        earlier = last.stamps if last is not None and last.inputs != inputs else None
        stamps = Stamps.take(output, sorted(writer.produced), earlier, writer.touched, begun)
        cache.write(RECORD, Record.of(inputs, config.timezone, len(site.items), len(site.pages),
                                      problems.warnings, stamps).dumps())
        cache.forget("last-build")  # (the record as earlier code kept it, pickled)
    return BuildResult(output, len(site.items), len(site.pages), writer.written, writer.unchanged,
                       writer.removed, time.perf_counter() - started, problems.warnings, timer.stages, site,
                       inputs, len(writer.produced))


def _write_site(site: Site, root: Path, output: Path, parallel: bool, timer: _Timer,
                search: _SearchIndex | None) -> OutputWriter:
    """Render, write and index the site; what was written."""
    from .publish import render_pages
    from .render import Renderer

    writer = OutputWriter(output)
    # On a rebuild the open data files are made meanwhile in another process: at 50,000
    # entries they take 0.9 s, when the search index is long done and a core is free. Not
    # on a first build, whose workers keep both cores busy: walking the model there would
    # only copy the memory pages it shares (a quarter of a GiB more at 50,000 entries).
    rebuild = for_output(root, output).has("fingerprints")
    data = _OpenData(site, output, parallel and rebuild)
    try:
        pages = render_pages(site, writer, root, parallel, data.start, timer.told("render"))
        timer.lap("render")
        _write_extras(site, Renderer(site), writer, search, pages.changed, data, timer.told("write"))
    except BaseException:
        data.cancel()
        raise
    writer.finish()
    pages.save()
    timer.lap("write")
    return writer


class _SearchIndex:
    """The search index, started as soon as the entries are read and written once the
    pages are. When the output has a record of an earlier build's index, a forked
    process weighs what changed while the model is made and the pages are rendered (the
    index needs only the published entries as items, not the model, which at 10,000
    entries takes 0.4 s to make): nothing, when no searchable entry (nor the code)
    changed and every file is there; else only the spans of documents that changed are
    indexed again (the others come from the cache), and only the files whose bytes
    changed are left in the scratch folder, in one file, from which this process writes
    them into the output once the pages are written (handing their bytes over a pipe
    took a second when an entry was added to 10,000; a file of its own for each, moved
    into place, took a second and a half more). Without a record (a first build),
    every file is made and streamed from this process once the model is made. The
    scratch folder is made and removed here: a forked process that is stopped (a build
    that failed meanwhile, Ctrl-C) has no time to remove it."""

    def __init__(self, config: SiteConfig, items: list[Item], root: Path, output: Path, parallel: bool,
                 stamps: Stamps | None):
        self.root, self.output, self.parallel = root, output, parallel
        self.cache = for_output(root, output)
        self.scratch = scratch_folder(self.cache)
        from .parallel import ForkedCall

        self.changes = (ForkedCall(_search_in_child, config, items, root, output, parallel,
                                   self.scratch.name, os.getpid(), stamps, parallel=parallel, keep_freed=True)
                        if self.cache.has("search-files") else None)

    def write(self, site: Site, writer: OutputWriter, told: Callable[[int, int], None] | None = None) -> None:
        """`told`: as for search.search_files, when the index is made here (a first build)."""
        self._write(site, writer, self.scratch.name, told)
        # (Not on a failure, Ctrl-C say: build cancels the forked process, then removes
        # the folder it may still be writing into.)
        self.scratch.cleanup()

    def _write(self, site: Site, writer: OutputWriter, scratch: str, told: Callable[[int, int], None] | None,
               ) -> None:
        if self.changes is None:
            made = _search_changes(site, self.root, self.output, self.parallel, scratch, writer, told=told)
        else:
            made = self.changes.result()
            if made.kept:
                for path in made.now:
                    writer.record(path, written=False)
                return
            # Until `now` is saved, no file is vouched for: a build stopped half-way
            # through these writes must not leave a record that trusts them.
            self.cache.forget("search-files")
            with open(os.path.join(scratch, _CHANGED), "rb") as pack:
                for path in made.now:
                    if path in made.changed:
                        start, size = made.changed[path]
                        pack.seek(start)
                        writer.put(path, pack.read(size))
                    else:
                        writer.record(path, written=False)
        self.cache.save("search-files", code_fingerprint(), (made.key, made.now, made.joined))

    def cancel(self) -> None:
        if self.changes is not None:
            self.changes.cancel()
        self.scratch.cleanup()


def _search_in_child(config: SiteConfig, items: list[Item], root: Path, output: Path,
                     parallel: bool, scratch: str, parent: int, stamps: Stamps | None) -> _SearchFiles:
    """_search_changes of the published items, in the forked process (or, not parallel,
    in process `parent`, the build's own, where the model has linked them meanwhile:
    the index reads none of what linking sets)."""
    from .search import Documents

    documents = Documents(config, items)
    if os.getpid() != parent:  # forked while the build had the collector off (see build)
        gc.freeze()
        gc.enable()
    return _search_changes(documents, root, output, parallel, scratch, stamps=stamps)


_CHANGED = "changed.bin"  # (in the scratch folder: the bytes of the index files that changed)


@dataclass(frozen=True)
class _SearchFiles:
    """What `_search_changes` found: the key of the searchable entries; {path: where its
    bytes are in the scratch folder's file _CHANGED (start, size)} of the index files that
    differ from what the last build's record says the output holds; {path: (hash,
    size)} of every index file; what they were made from; and whether every file is
    the last build's (`kept`: no searchable entry changed, and all are there)."""
    key: str
    changed: dict[str, tuple[int, int]]
    now: dict[str, tuple[bytes, int]]
    joined: bytes  # a search.Joined, pickled (b"": none): unpickled here, it would import
                   # the search module and NumPy into the build's process, 70 ms of a rebuild
    kept: bool = False


def _search_changes(source: Site | Documents, root: Path, output: Path, parallel: bool, scratch: str,
                    writer: OutputWriter | None = None, stamps: Stamps | None = None,
                    told: Callable[[int, int], None] | None = None) -> _SearchFiles:
    """The index files of `source` (a site, or its published entries), compared with
    what the last build's record says the output holds (its key, the (hash, size) of
    every file, what they were made from; a file it has no record of, with the file
    there), those that differ left in `scratch`; with `writer`, every file is written
    (or recorded as unchanged) as it comes instead. `stamps`, the last build's, tell
    whether the files are all still there (else each is looked for). `told`: as for
    search.search_files."""
    from .search import Indexed, search_files

    indexed = Indexed.of(source)
    key = hexdigest(code_fingerprint(), source.config.units, source.config.categories, indexed.with_copy,
                    indexed.keys)
    cache = for_output(root, output)
    last_key, before, packed = cache.load("search-files", code_fingerprint()) or (None, {}, b"")
    there = stamps.present(output, list(before)) if stamps is not None else all_present(output, list(before))
    if writer is None and last_key == key and there:
        return _SearchFiles(key, {}, before, packed, kept=True)
    out = os.fspath(output)
    joined: Joined | None = pickle.loads(packed) if packed and there else None  # (else every file is made)
    changed: dict[str, tuple[int, int]] = {}
    now: dict[str, tuple[bytes, int]] = {}
    # (one file for all that changed, not a file each: see _SearchIndex)
    files = search_files(source, parallel, memo=Cache(root, "search"), last=joined, scratch=scratch, indexed=indexed,
                         told=told)
    with open(os.path.join(scratch, _CHANGED), "wb") if writer is None else contextlib.nullcontext() as pack:
        while True:
            try:
                path, data = next(files)
            except StopIteration as done:
                return _SearchFiles(key, changed, now, pickle.dumps(done.value, protocol=5))
            if data is None:  # made from what the last build made it from: as it was
                now[path] = before[path]
                same = True
            else:
                now[path] = (hashlib.sha1(data).digest(), len(data))
                if path in before:
                    same = before[path] == now[path] and _size(os.path.join(out, path)) == len(data)
                else:  # no record of it (made by other code, say): compared with what is there,
                    # so that an upgrade of this tool does not rewrite the whole index (nor a
                    # deploy upload it); `writer` compares as it writes
                    same = writer is None and holds(os.path.join(out, path), data)
            if writer is not None:
                writer.record(path, written=False) if same else writer.write(path, data)
            elif not same:
                changed[path] = (pack.tell(), len(data))
                pack.write(data)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def _data_files(site: Site) -> list[tuple[str, bytes]]:
    """The open data files (exports.data_files), all made (to be sent back whole)."""
    from .exports import data_files

    return list(data_files(site))


class _OpenData:
    """The open data files (exports.data_files), started once the pages' fingerprints
    tell which entries' faces changed since the last build into the output (with the
    same config, code and `today`). They show of an entry only its face: when no face
    changed and every one of them is there, they are the files that build wrote, and
    are neither made nor compared again (at 10,000 entries, making them took a sixth of
    a second of a core the search index was waiting for, after a body was edited)."""

    def __init__(self, site: Site, output: Path, parallel: bool):
        self.site, self.output, self.parallel = site, output, parallel
        self.kept: list[str] = []  # paths of the files kept as they are
        self.call: ForkedCall | None = None

    def start(self, faces_changed: frozenset[str] | None) -> None:
        from .exports import data_paths

        paths = data_paths(self.site)
        if faces_changed is not None and not faces_changed and all_present(self.output, paths):
            self.kept = paths
        else:
            from .parallel import ForkedCall

            self.call = ForkedCall(_data_files, self.site, parallel=self.parallel)

    def files(self) -> list[tuple[str, bytes]]:
        """The files made (none when kept; made here when never started)."""
        if self.kept:
            return []
        return self.call.result() if self.call is not None else _data_files(self.site)

    def cancel(self) -> None:
        if self.call is not None:
            self.call.cancel()


def _write_extras(site: Site, renderer: Renderer, writer: OutputWriter, search: _SearchIndex | None,
                  changed: frozenset[str] | None, data: _OpenData, told: Callable[[int, int], None] | None,
                  ) -> None:
    """Everything but the pages: assets, each entry's files, open data (`data`: being
    made meanwhile, or kept as the last build wrote it), feeds, the search index.
    `changed`: the entries changed since the last build into this folder (see
    `render_pages`); the files of the others are as that build left them, if still
    there (neither read nor made again: at 10,000 entries, making and comparing the
    ledger CSVs alone took a sixth of a second). `told`: how far the search index is,
    when it is made here."""
    from . import exports, feeds
    from .attachments import published_bytes
    from .model import MOVED, Page

    for name, source in asset_files(site.config).items():
        writer.copy(f"assets/{name}", source)
    for item in site.items:
        attached = [] if item.withdrawn else [(f"{item.dir}/{a.name}", a.source) for a in item.entry.attachments]
        paths = [path for path, _ in attached] + exports.ledger_paths(item)
        if changed is not None and item.entry.rel not in changed and all_present(writer.root, paths):
            for path in paths:
                writer.record(path, written=False)
            continue
        for path, source in attached:
            writer.write(path, published_bytes(source))
        for path, made in exports.ledger_csvs(site, item):
            writer.write(path, made)
    for path in data.kept:
        writer.record(path, written=False)
    for path, made in data.files():
        writer.write(path, made)
    writer.write("404.html", renderer.render(Page("404.html", "404.html", "404", {}, frozenset())))
    if site.config.base_url:
        cfg = site.config
        ui = renderer.strings.ui
        writer.write("feed.xml", feeds.atom(site, site.items, cfg.title, "feed.xml", "index.html", ui))
        for unit in cfg.units:
            writer.write(f"{unit.id}/feed.xml", feeds.atom(
                site, site.by_unit.get(unit.id, []), f"{unit.name} - {cfg.title}",
                f"{unit.id}/feed.xml", site.unit_url(unit.id), ui))
        writer.write("sitemap.xml", feeds.sitemap(site, [p.path for p in site.pages if p.template != MOVED]))
        writer.write("robots.txt", feeds.robots(site, ui["robots_subpath"]))
    if search is not None:  # last: on a rebuild it is being made meanwhile, in another process
        search.write(site, writer, told)
