"""`site-builder serve`: build, serve on 127.0.0.1, rebuild on change, reload the page.

A watchdog observer watches site.yaml, content/ and themes/; changes are debounced and
rebuilt. When only entries were edited (and each still reads without a mistake), their
own pages are rendered first from the last build's model and shown at once, from memory
(the output is written by builds alone, so that a failed one leaves it whole); the whole
incremental build follows and brings the rest (lists, neighbours, search), seconds
later on a large site. Every HTML page served gets a tiny script that polls
`/__site-builder/version` and reloads when a build or such a page is done. When a
build fails, every page shows the problems (file, line, what to do) until the next
good build: the server never stops for a content mistake.
"""
from __future__ import annotations

import datetime as dt
import errno
import gc
import html
import http.server
import os
import sys
import threading
import time
import traceback
from functools import partial
from pathlib import Path

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent,
                             FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent,
                             FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from .build import build, load_site
from .config import CONFIG_FILE
from .errors import SiteError, files_in_error_apart
from .i18n import Listed, Strings
from .model import Site, edited_item
from .publish import Preview
from .reader import EntryReader

VERSION_PATH = "/__site-builder/version"
RELOAD_SCRIPT = (
    "<script>(function(){var v=%d;setInterval(function(){fetch('" + VERSION_PATH + "')"
    ".then(function(r){return r.text()}).then(function(t){if(+t!==v)location.reload()})"
    ".catch(function(){})},250)})();</script>")


class _State:
    """What the server shows: the build number, the problems of the last build, and the
    pages of an edit shown before its build is done (by output path)."""

    def __init__(self) -> None:
        self.version = 0
        self.error: str | None = None
        self.shown: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.version += 1


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: _State
    strings: Strings

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet server
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith(VERSION_PATH):
            return self._send(str(self.state.version).encode(), "text/plain", 200)
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        wants_html = path.endswith("/") or path.endswith(".html") or "." not in path.rsplit("/", 1)[-1]
        if self.state.error is not None and wants_html:
            return self._send(self._error_page().encode(), "text/html; charset=utf-8", 500)
        if wants_html:
            local = Path(self.translate_path(path))
            if local.is_dir():
                local = local / "index.html"
            body = self.state.shown.get(os.path.relpath(local, self.directory).replace(os.sep, "/"))
            if body is None and local.is_file():
                body = local.read_bytes()
            if body is not None:
                body = body.replace(b"</body>", (RELOAD_SCRIPT % self.state.version).encode() + b"</body>", 1)
                return self._send(body, "text/html; charset=utf-8", 200)
        return super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A page not there is the site's own 404 page, as a host would show it, not
        http.server's page in English."""
        page = Path(self.directory) / "404.html"
        if code == 404 and self.command == "GET" and page.is_file():
            return self._send(page.read_bytes(), "text/html; charset=utf-8", 404)
        super().send_error(code, message, explain)

    def _send(self, body: bytes, kind: str, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _error_page(self) -> str:
        title = html.escape(self.strings.message("serve_error_title"))
        return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
                '<meta name="viewport" content="width=device-width,initial-scale=1">'
                '<style>body{font:20px/1.6 system-ui,sans-serif;margin:1rem auto;max-width:60rem;'
                'padding:0 1rem;color:#1a1a1a}pre{white-space:pre-wrap;background:#fff4f4;'
                'border:2px solid #b00020;padding:1rem;font-size:18px}</style></head><body>'
                f'<h1>{title}</h1><p>{html.escape(self.strings.message("serve_error_help"))}</p>'
                f'<pre>{html.escape(self.state.error or "")}</pre>'
                f'{RELOAD_SCRIPT % self.state.version}</body></html>')


class _Server(http.server.ThreadingHTTPServer):
    """A browser that leaves in the middle of an answer (a tab closed or reloaded while
    the reload script asks for the version) is no error of the site: it is let go
    quietly, not printed as a traceback in the clerk's terminal."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # (broken pipe, reset, aborted)
            super().handle_error(request, client_address)


class _Watcher(FileSystemEventHandler):
    """Watches what a build reads: site.yaml, and content/ and themes/ each as a whole.
    Not the whole site folder: a build writes thousands of files into public/ and the
    build cache, and on a large site their events overflowed the system's queue, which
    then made watchdog look through everything again and report it as changed. Collects
    the paths changed since they were last taken."""

    INPUTS = ("content", "themes")
    # Not opened, read or closed unwritten: a build reads attachments, and watchdog's
    # own look through a folder opens every subfolder (on a large site, a loop).
    EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
              DirCreatedEvent, DirDeletedEvent, DirMovedEvent]

    def __init__(self, root: Path, ignore: list[Path]):
        self.root, self.ignore = root.resolve(), [p.resolve() for p in ignore]
        self.changed = threading.Event()
        self._paths: set[Path] = set()
        self._lock = threading.Lock()
        self._observer = Observer()
        self._watched: set[Path] = set()

    def start(self) -> None:
        self._observer.schedule(self, str(self.root), recursive=False, event_filter=self.EVENTS)
        for name in self.INPUTS:
            self._watch(self.root / name)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()

    def _watch(self, folder: Path) -> None:
        if folder.is_dir() and folder not in self._watched:
            self._watched.add(folder)
            self._observer.schedule(self, str(folder), recursive=True, event_filter=self.EVENTS)

    def on_any_event(self, event: FileSystemEvent) -> None:
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(str(raw)).resolve()
            if path.parent == self.root:  # of the site folder itself, only these matter
                if path.name in self.INPUTS:
                    self._watch(path)  # made (or moved in) since serve started
                elif path.name != CONFIG_FILE:
                    continue
            if any(path.is_relative_to(p) for p in self.ignore) or path.name.startswith((".", "~")):
                continue
            if not (event.is_directory and event.event_type == "modified"):  # a file in it has its own
                with self._lock:
                    self._paths.add(path)
            self.changed.set()

    def take(self) -> set[Path]:
        with self._lock:
            paths, self._paths = self._paths, set()
            self.changed.clear()
        return paths


class _Edits:
    """Shows edited entries' own pages at once, from the model of the last good build."""

    def __init__(self, root: Path, today: dt.date | None):
        self.root, self.today = root, today
        self.content = (root / "content").resolve()
        self.site: Site | None = None
        self._preview: Preview | None = None
        self._reader: EntryReader | None = None

    def built(self, site: Site | None) -> None:
        """After a good build: its model (None: the output was up to date, and so is the
        model of the build before, which a first build must read)."""
        if site is None and self.site is None:  # in this process: serve runs threads, so no fork
            site = load_site(self.root, self.today, parallel=False)[0]
        if site is not None:
            self.site, self._preview, self._reader = site, None, None

    def failed(self) -> None:
        self.site = self._preview = self._reader = None

    def show(self, paths: set[Path]) -> dict[str, bytes]:
        """The pages of `paths` by output path, when all are published entries edited so
        that a page of their own shows the edit (else none)."""
        site = self.site
        paths = {p for p in paths if p.exists()}  # an editor's temporary file, renamed over an entry
        if site is None or not paths or any(p.suffix != ".md" or not p.is_relative_to(self.content)
                                            or not p.is_file() for p in paths):
            return {}
        self._reader = self._reader or EntryReader(site.config)
        items = []
        for path in sorted(paths):
            entry, problems = self._reader.read(site.config.content_dir / path.relative_to(self.content))
            item = edited_item(site, entry) if entry is not None and not problems.errors else None
            if item is None:
                return {}
            items.append(item)
        self._preview = self._preview or Preview(site)
        try:
            return self._preview.render(items)
        except (SiteError, OSError):
            return {}  # the build that follows reports it


def serve(root: Path, port: int, output: Path | None, today: dt.date | None, strings: Strings) -> int:
    output = (output or root / "public").resolve()
    state = _State()
    edits = _Edits(root, today)

    handler = type("Handler", (_Handler,), {"state": state, "strings": strings})
    try:  # the port first: a clerk told it is taken should not wait for a build to hear it
        server = _Server(("127.0.0.1", port), partial(handler, directory=str(output)))
    except OSError as err:
        if err.errno != errno.EADDRINUSE:
            raise
        print(strings.message("serve_port_taken", port=port, other=port + 1 if port < 65535 else 8000),
              file=sys.stderr)
        return 1

    def rebuild() -> None:
        try:
            result = build(root, output, today, parallel=False)
            state.error = None
            edits.built(result.site)
            for problem in result.warnings:  # (notes: a build that has them still succeeds)
                print(problem.format(strings), flush=True)
            print(strings.message("build_done", entries=result.entries, pages=result.pages,
                                  written=result.written, unchanged=result.unchanged,
                                  removed=result.removed, seconds=f"{result.seconds:.2f}",
                                  output=result.output), flush=True)
        except SiteError as err:
            # the errors where the eye lands: first on the page, last in the terminal, just
            # above the line that says the site was not built
            state.error = "\n".join(p.format(strings) for p in files_in_error_apart(err.problems, last=False))
            for problem in files_in_error_apart(err.problems):
                print(problem.format(strings), flush=True)
            print(strings.message("serve_failed", count=len(err.problems.errors)), flush=True)
            edits.failed()
        except Exception:  # noqa: BLE001 - a bug must not stop the preview either
            state.error = traceback.format_exc()
            print(state.error, flush=True)
            edits.failed()
        state.shown = {}  # (the build wrote them, or found them wrong)
        state.bump()
        # The model kept for the next edit is millions of objects: the last one's, left
        # frozen (a build that failed before its model was made thaws nothing), thawed
        # and collected now, this one's frozen, so that no collection walks them until
        # the next build (a full one took 0.15 s at 10,000 entries; one that fell while
        # an edit was shown, or its page served, doubled the wait for the page).
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    rebuild()
    output.mkdir(parents=True, exist_ok=True)
    watcher = _Watcher(root, [output])
    watcher.start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(strings.message("serve_running", url=f"http://127.0.0.1:{server.server_address[1]}/"), flush=True)
    try:
        while True:
            watcher.changed.wait()
            time.sleep(0.1)  # let an editor finish saving
            shown = edits.show(watcher.take())
            if shown:
                state.shown = shown
                print(strings.message("serve_shown", pages=Listed(list(shown))), flush=True)
                state.bump()
            rebuild()
    except KeyboardInterrupt:
        return 0
    finally:
        watcher.stop()
        server.shutdown()
