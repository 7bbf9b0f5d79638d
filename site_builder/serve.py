"""`site-builder serve`: build, serve on 127.0.0.1, rebuild on change, reload the page.

A watchdog observer watches site.yaml, content/ and themes/; changes are debounced and
rebuilt in a background thread. Every HTML page served gets a tiny script that polls
`/__site-builder/version` and reloads when a build finishes. When a build fails, every
page shows the problems (file, line, what to do) until the next good build: the
server never stops for a content mistake.
"""
from __future__ import annotations

import datetime as dt
import html
import http.server
import threading
import time
import traceback
from functools import partial
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import build
from .errors import SiteError
from .i18n import Strings

VERSION_PATH = "/__site-builder/version"
RELOAD_SCRIPT = (
    "<script>(function(){var v=%d;setInterval(function(){fetch('" + VERSION_PATH + "')"
    ".then(function(r){return r.text()}).then(function(t){if(+t!==v)location.reload()})"
    ".catch(function(){})},700)})();</script>")


class _State:
    """What the server shows: the build number and the problems of the last build."""

    def __init__(self) -> None:
        self.version = 0
        self.error: str | None = None
        self.lock = threading.Lock()


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
            if local.is_file():
                body = local.read_bytes().replace(
                    b"</body>", (RELOAD_SCRIPT % self.state.version).encode() + b"</body>", 1)
                return self._send(body, "text/html; charset=utf-8", 200)
        return super().do_GET()

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


class _Watcher(FileSystemEventHandler):
    def __init__(self, root: Path, ignore: list[Path], changed: threading.Event):
        self.root, self.ignore, self.changed = root, [p.resolve() for p in ignore], changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(str(raw)).resolve()
            if any(path.is_relative_to(p) for p in self.ignore) or path.name.startswith((".", "~")):
                continue
            self.changed.set()


def serve(root: Path, port: int, output: Path | None, today: dt.date | None, strings: Strings) -> int:
    output = (output or root / "public").resolve()
    state = _State()

    def rebuild() -> None:
        try:
            result = build(root, output, today, parallel=False)
            state.error = None
            print(strings.message("build_done", entries=result.entries, pages=result.pages,
                                  written=result.written, unchanged=result.unchanged,
                                  removed=result.removed, seconds=f"{result.seconds:.2f}",
                                  output=result.output), flush=True)
        except SiteError as err:
            state.error = "\n".join(p.format(strings) for p in err.problems)
            print(state.error, flush=True)
        except Exception:  # noqa: BLE001 - a bug must not stop the preview either
            state.error = traceback.format_exc()
            print(state.error, flush=True)
        with state.lock:
            state.version += 1

    rebuild()
    output.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (_Handler,), {"state": state, "strings": strings})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(output)))
    changed = threading.Event()
    observer = Observer()
    observer.schedule(_Watcher(root, [output, root / ".site-builder-cache", root / ".git"], changed),
                      str(root), recursive=True)
    observer.start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(strings.message("serve_running", url=f"http://127.0.0.1:{server.server_address[1]}/"), flush=True)
    try:
        while True:
            changed.wait()
            time.sleep(0.15)  # let an editor finish saving
            changed.clear()
            rebuild()
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
        server.shutdown()
