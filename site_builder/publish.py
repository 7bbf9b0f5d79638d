"""Stages 4 and 5 for pages: render what changed, write it, in parallel.

Every page of the site model (and its Traditional-script copy when the site publishes
one) is a job. A job whose fingerprint (see `cache.PageFingerprints`) matches the last
build's and whose file is still there is skipped; the rest are rendered and written
(only when their bytes changed) by forked worker processes that inherit the already
built site model, so a cold build uses every core and a one-entry edit renders a
handful of pages. The workers also fingerprint what they render: in a first build,
with nothing to compare, that is every page, and no page is fingerprinted here.
Before a page is written, the last build's record of fingerprints stops vouching for
it; the new record is saved by the caller (`RenderedPages.save`) once every file of
the build is written.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2

from . import traditional
from .board import withdrawal_sheets
from .cache import Cache, PageFingerprints, PageRecord, files_fingerprint, for_output, hexdigest
from .changes import code_fingerprint
from .errors import Problem, SiteError
from .model import Item, Page, Site, entry_page_data
from .parallel import Tally, fork_map, workers
from .render import Renderer
from .theme import asset_files, template_dirs
from .writer import OutputWriter, present, write_if_changed

PARALLEL_FROM = 300  # below this many pages, forking costs more than it saves


@dataclass(frozen=True)
class Job:
    variant: str  # "" for the site's own pages, traditional.PREFIX for the copy
    page: Page

    @property
    def path(self) -> str:
        return self.variant + self.page.path


class _Renderers:
    """The renderers of one process, made on first use."""

    def __init__(self, site: Site):
        self.site = site
        self._made: dict[str, Renderer] = {}

    def render(self, job: Job) -> bytes:
        if job.variant not in self._made:
            self._made[job.variant] = (traditional.copy_renderer(self.site) if job.variant
                                       else Renderer(self.site, alternate=traditional.alternate_of_simplified(self.site)))
        data = self._made[job.variant].render(job.page)
        return traditional.convert_page(data) if job.variant else data


def jobs_of(site: Site, pages: list[Page] | None = None) -> list[Job]:
    """The jobs of `pages` (default: every page of the site)."""
    pages = site.pages if pages is None else pages
    jobs = [Job("", page) for page in pages]
    if traditional.enabled(site):
        jobs += [Job(traditional.PREFIX, page) for page in pages if page.path.endswith(".html")]
    return jobs


def global_key(site: Site) -> str:
    """Everything every page depends on besides its own data. Theme files are known by
    their place in their theme and their bytes, not by where the site is."""
    theme_files = [(f"{k}/{p.relative_to(d).as_posix()}", p) for k, d in enumerate(template_dirs(site.config))
                   for p in d.rglob("*") if p.is_file()]
    theme_files += [(f"assets/{name}", p) for name, p in asset_files(site.config).items()]
    return hexdigest(code_fingerprint(), site.config, site.today, files_fingerprint(theme_files))


@dataclass(frozen=True)
class RenderedPages:
    """What `render_pages` did: the entries (their paths under content/) added, removed
    or changed since the last build into this folder with the same config, theme, code
    and `today` (None: there was none), and the record of this build's pages, to be
    saved (`save`) once the files of those entries (attachments, ledger CSVs) are
    written too, as the next build trusts it for them."""
    changed: frozenset[str] | None
    record: PageRecord
    cache: Cache
    key: str

    def save(self) -> None:
        try:
            self.cache.save("fingerprints", self.key, self.record, must=True)
        except OSError:  # (a full disk): the last record stays, and what it no longer vouches for
            return
        self.cache.save(UNSURE, self.key, None)


UNSURE = "fingerprints-unsure"


def _last_record(cache: Cache, key: str) -> PageRecord | None:
    """The record of the last build into the folder with this key, but for the entries
    and pages it no longer vouches for (see `_distrust`)."""
    last = cache.load("fingerprints", key)
    unsure = cache.load(UNSURE, key)
    if not isinstance(last, PageRecord):
        return None
    return last.without(*unsure) if unsure else last


def _distrust(cache: Cache, key: str, rels: frozenset[str], paths: set[str]) -> None:
    """Have the record no longer vouch for these entries and pages: noted apart from it,
    as writing the whole record again took a third of a second at 50,000 entries; when
    that note cannot be written (a full disk), the record goes (the next build renders
    every page again) rather than vouch for what is about to change."""
    before_rels, before_paths = cache.load(UNSURE, key) or (frozenset(), frozenset())
    try:
        cache.save(UNSURE, key, (before_rels | rels, before_paths | paths), must=True)
    except OSError:
        cache.forget("fingerprints")


def render_pages(site: Site, writer: OutputWriter, root: Path, parallel: bool = True,
                 faces_known: Callable[[frozenset[str] | None], None] | None = None,
                 told: Callable[[int, int], None] | None = None) -> RenderedPages:
    """Render and write every page that changed. Raises SiteError for a template error.
    The caller saves the record it returns once every other file is written (until then
    the pages it wrote are rendered again by the next build). `faces_known` is told,
    before any page is rendered, the entries whose faces changed since the last build
    into this folder (None: there was none; see PageFingerprints.faces_changed), so
    that the caller may start meanwhile what depends on those alone. `told(done,
    total)` is told from time to time how many of the pages to render are written."""
    cache = for_output(root, writer.root)
    key = global_key(site)
    last = _last_record(cache, key)
    # (a site's own templates may show a body anywhere: see PageFingerprints)
    fingerprints = PageFingerprints(site, last, bodies_declared=len(template_dirs(site.config)) == 1)
    if faces_known is not None:
        faces_known(fingerprints.faces_changed)
    old = last.pages if last is not None else {}
    new: dict[str, str] = {}
    todo: list[Job] = []
    out = str(writer.root) + os.sep
    for job in jobs_of(site):
        if not old:  # nothing to compare with: the workers fingerprint what they render
            todo.append(job)
            continue
        fp = fingerprints.page(job.page, job.variant)
        if old.get(job.path) == fp and present(out + job.path):
            new[job.path] = fp
            writer.record(job.path, written=False)
        else:
            todo.append(job)
    renderers = _Renderers(site)  # made once: the workers inherit its compiled templates
    known = frozenset(writer.previous)  # what an earlier build may have left to compare with
    tried = _preflight(renderers, todo)
    writer.plan([job.path for job in todo])
    # Until this build is done, no record may vouch for what it is about to write: should
    # it stop half-way, and the input be put back as it was, the next build must not take
    # the files it wrote for those of the last one.
    if last is None:
        cache.forget("fingerprints")  # (what a build with other settings left)
    elif todo or fingerprints.changed:
        _distrust(cache, key, fingerprints.changed or frozenset(), {job.path for job in todo})
    for job, data in tried.values():
        writer.write(job.path, data)
        new[job.path] = fingerprints.page(job.page, job.variant)
    rest = [job for job in todo if job.path not in tried]
    counted = (lambda done, _: told(len(tried) + done, len(todo))) if told is not None else None
    for path, written, fp in _run((renderers, fingerprints, known), writer.root, rest, parallel, counted):
        writer.record(path, written)
        new[path] = fp
    return RenderedPages(fingerprints.changed, fingerprints.record(site.pages, new), cache, key)


class Preview:
    """The pages of entries just edited, rendered at once from the model of the last
    build, so that `serve` shows an edit before the whole build that follows it has
    run (seconds, on a large site). Each is the page a build would make but for what
    the edit changes elsewhere (its title in lists, its neighbours' links), which that
    build brings. They are served from memory, never written: the build that follows
    may find the edit wrong (a ledger that no longer follows the month before), and the
    output then stays as the last good build left it, whole."""

    def __init__(self, site: Site):
        self.site = site
        self.renderers = _Renderers(site)
        self.pages = {page.path: page for page in site.pages}
        self.told = withdrawal_sheets(site.boards)

    def render(self, items: list[Item]) -> dict[str, bytes]:
        """The entry pages of `items` (from `model.edited_item`), by output path."""
        jobs = jobs_of(self.site, [dataclasses.replace(self.pages[item.url], title=item.entry.title,
                                                       data=entry_page_data(item, self.told))
                                   for item in items])
        return {job.path: _render_or_raise(self.renderers, job) for job in jobs}


def _preflight(renderers: _Renderers, jobs: list[Job]) -> dict[str, tuple[Job, bytes]]:
    """Render one page of each template before writing anything, so a broken template
    (often a site's own override) stops the build with its file and line. Returns
    those pages, {path: (job, bytes)}, to be written with the rest."""
    tried: dict[tuple[str, str], Job] = {}
    for job in jobs:
        tried.setdefault((job.variant, job.page.template), job)
    return {job.path: (job, _render_or_raise(renderers, job)) for job in tried.values()}


def _render_or_raise(renderers: _Renderers, job: Job) -> bytes:
    try:
        return renderers.render(job)
    except jinja2.TemplateError as exc:
        raise SiteError([template_problem(exc, job.page.template)]) from None


def template_problem(exc: jinja2.TemplateError, template: str) -> Problem:
    """A template mistake as a Problem: the template file and line, and Jinja's words."""
    where, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:  # Jinja rewrites tracebacks to point into the templates
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml")):
            where, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return Problem(str(where or template), line, "template_error", {"detail": str(exc)})


_Work = tuple[_Renderers, PageFingerprints, frozenset]  # renderers, fingerprints, paths written before


def _render_share(shared: tuple[_Work, Path, list[Job], Tally | None], share: range,
                  ) -> list[tuple[str, bool, str]] | Problem:
    (renderers, fingerprints, known), root, jobs, tally = shared
    done = []
    try:
        for job in (jobs[k] for k in share):
            done.append((job.path,
                         write_if_changed(root / job.path, _render_or_raise(renderers, job), job.path in known),
                         fingerprints.page(job.page, job.variant)))
            if tally is not None:
                tally.add(share.start)  # (share k starts at job k)
    except SiteError as err:  # returned, not raised: it must cross the process boundary
        return err.problems[0]
    return done


def _run(work: _Work, root: Path, jobs: list[Job], parallel: bool,
         told: Callable[[int, int], None] | None) -> list[tuple[str, bool, str]]:
    """(path, written, fingerprint) of each job, rendered and written."""
    # Interleaved shares, one per worker, balance cheap and expensive pages. Workers get
    # the jobs by fork and only their numbers by pipe: pickling pages would follow every
    # entry's neighbours, thousands deep.
    n = workers() if parallel and len(jobs) >= PARALLEL_FROM else 1
    shares = [range(i, len(jobs), n) for i in range(n)]
    tally = Tally(n, lambda done: told(done, len(jobs))) if told is not None else None
    results = fork_map(_render_share, shares, (work, root, jobs, tally), parallel, tally=tally)
    problems = [r for r in results if isinstance(r, Problem)]
    if problems:
        raise SiteError(problems)
    return [r for done in results for r in done]
