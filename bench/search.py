"""site_builder's search next to Pagefind on the same pages, issue 4.

For each size (1,000 and 10,000 entries, 100 units) this builds the site with search,
and again with `search: false`, then runs Pagefind (extended edition, which segments
Chinese) over site_builder's own output, and reports side by side:

- index build time: site_builder's cold build minus the `search: false` build, the
  `search` stage if the build prints stage times, and `search_files(site)` timed
  in-process on the loaded site model (the median of three runs); Pagefind's run time;
- index bytes on disk: OUT/search/ + OUT/assets/search.js against OUT/pagefind/;
- bytes a first query downloads: OUT is served over HTTP by a small server that gzips
  .html/.js/.css/.json on the fly (level 6) and counts every response body it sends.
  Each query runs in a fresh browser context (cache disabled): the bare search page is
  loaded, then the query is typed (site_builder: the search form; Pagefind: its JS API,
  import + init + search + data() of the first 10 results, as many as site_builder
  shows). "query" = bytes after the bare page; "in all" = query + the search client
  script if the bare page already loaded it (site_builder's assets/search.js). Pagefind
  fetches its index from a Web Worker, which a page's DevTools session does not see, so
  the server's count is the figure; the page's CDP `Network.loadingFinished`
  encodedDataLength is shown next to it as a cross-check;
- hits against the true count: entries whose folded text (site_builder.search.fold of
  exactly the indexed title and body) contains every space-separated word of the
  folded query (a Latin word or number as a whole word, not inside a longer one, as
  the index tokenizes it; the plain substring count is shown where it differs). Pagefind's hits are its results that are entry pages (its results on
  other pages, e.g. archives, are counted apart);
- query latency in headless Chromium at 1x and 4x CPU throttling
  (Emulation.setCPUThrottlingRate): wall clock around window.sbSearch(q) / pf.search(q)
  inside the page, the first run of each query (loads its chunks) and the median of
  the repeats.

Prints markdown tables with issue 4's targets marked met / not met. Not run in CI.

    /work/venv/bin/python bench/search.py --sizes 1000,10000
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from benchlib import (TODAY, Measured, build_cmd, compiled_package, copy_site, corpus, disable_search,
                      end_run, ensure_peers, fmt_bytes, fresh_dir, machine_note, md_table, measure,
                      source_fingerprint, spread, stage_times, tree_size)

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
QUERIES = ["财务", "財務", "低保", "东庄村", "東莊村", "四议两公开", "四議兩公開", "财务公开",
           "村务监督委员会", "公开", "2024", "高政", "道路 硬化"]
VILLAGE = "dongzhuang"
SHOWN = 10                    # results whose data a first query loads (site_builder shows 10 a page)
TEXT_SUFFIXES = {".html", ".js", ".mjs", ".css", ".json", ".svg", ".xml", ".txt"}

# Targets of issue 4 (at 10,000 entries).
FIRST_QUERY_LIMIT = 100_000
INDEX_BUILD_LIMIT = 5.0
LATENCY_LIMIT = 50.0


# ----------------------------------------------------------------------------- truth

TRUTH_SCRIPT = r"""
import datetime as dt, json, re, sys, time
from pathlib import Path
from site_builder.build import load_site
from site_builder.search import entry_text, fold, search_files, searchable

root, today, village = sys.argv[1], sys.argv[2], sys.argv[3]
queries = json.loads(sys.argv[4])
t = time.perf_counter()
site, problems = load_site(Path(root), dt.date.fromisoformat(today))
load_s = time.perf_counter() - t
items = searchable(site)
docs = []
for item in items:
    title, body = entry_text(item)
    docs.append((fold(title) + "\n" + fold(body), item.unit.id))
# timed three times, the median kept: one busy moment of a shared machine can add a
# second to a single run (the files are the same each time)
times = []
for _ in range(3):
    t = time.perf_counter()
    files = dict(search_files(site))
    times.append(time.perf_counter() - t)
index_s = sorted(times)[1]

def words_of(q):
    return fold(q).split()

def count(q, unit=None, token=False):
    ws = words_of(q)
    pats = [re.compile(r"(?<![a-z0-9])" + re.escape(w) + r"(?![a-z0-9])") if token and w.isascii() else None
            for w in ws]
    n = 0
    for text, u in docs:
        if unit and u != unit:
            continue
        if all((p.search(text) if p else w in text) for w, p in zip(ws, pats)):
            n += 1
    return n

# Latin words and numbers are words (issue 4): "2024" is not in "20246.58"; the plain
# substring count is shown beside it where it differs.
truth = {q: {"all": count(q, token=True), "village": count(q, village, token=True), "substring": count(q)}
         for q in queries}
print(json.dumps({"entries": len(items), "load_s": load_s, "index_s": index_s, "index_times": times,
                  "index_files": len(files), "index_bytes": sum(len(b) for b in files.values()),
                  "truth": truth,
                  "entry_urls": ["/" + i.url[:-len("index.html")] if i.url.endswith("index.html")
                                 else "/" + i.url for i in items]}, ensure_ascii=False))
"""


def truth_and_index(site: Path, today: str, timeout: float) -> dict:
    """True counts and an in-process timing of search_files, from a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-c", TRUTH_SCRIPT, str(site), today, VILLAGE,
                           json.dumps(QUERIES, ensure_ascii=False)],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"truth script failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


# ----------------------------------------------------------------------------- server

class CountingServer:
    """Serves a folder on 127.0.0.1 (free port), gzipping text files when the client
    accepts gzip, and logging (path, body bytes) of every response."""

    def __init__(self, directory: Path):
        self.log: list[tuple[str, int]] = []
        self.inflight = 0
        self.lock = threading.Lock()
        self._gz: dict[str, bytes] = {}
        handler = functools.partial(_Handler, directory=str(directory), counter=self)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def gzipped(self, path: str) -> bytes:
        with self.lock:
            data = self._gz.get(path)
        if data is None:
            data = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
            with self.lock:
                self._gz[path] = data
        return data

    def mark(self) -> int:
        with self.lock:
            return len(self.log)

    def since(self, mark: int) -> list[tuple[str, int]]:
        with self.lock:
            return list(self.log[mark:])

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, counter: CountingServer, **kw):
        self.counter = counter
        super().__init__(*args, **kw)

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        with self.counter.lock:
            self.counter.inflight += 1
        try:
            self._get()
        finally:
            with self.counter.lock:
                self.counter.inflight -= 1

    def _get(self) -> None:
        path = urlsplit(self.path).path
        fs = self.translate_path(path)
        if os.path.isdir(fs):
            fs = os.path.join(fs, "index.html")
        if not os.path.isfile(fs):
            self.send_error(404)
            with self.counter.lock:
                self.counter.log.append((unquote(path) + " (404)", 0))
            return
        zipped = (os.path.splitext(fs)[1] in TEXT_SUFFIXES
                  and "gzip" in self.headers.get("Accept-Encoding", ""))
        body = self.counter.gzipped(fs) if zipped else Path(fs).read_bytes()
        self.send_response(200)
        ctype = self.guess_type(fs)
        if fs.endswith(".wasm"):
            ctype = "application/wasm"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)
        with self.counter.lock:
            self.counter.log.append((unquote(path), len(body)))


# ----------------------------------------------------------------------------- browser

def _context(browser, throttle: float = 1, no_worker: bool = False):
    """A fresh context and page with the HTTP cache off; a CDP session recording
    encodedDataLength of every finished request of the page."""
    ctx = browser.new_context()
    if no_worker:
        ctx.add_init_script("window.Worker = undefined;")
    page = ctx.new_page()
    page.set_default_timeout(600_000)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle != 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    finished: dict[str, int] = {}
    cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
    return ctx, page, finished


def _wait_quiet(page, server: CountingServer, quiet: float = 0.4, limit: float = 120) -> None:
    """Until the server has answered nothing new for `quiet` seconds (and nothing is in flight)."""
    last, since, start = server.mark(), time.monotonic(), time.monotonic()
    while time.monotonic() - start < limit:
        page.wait_for_timeout(100)          # also lets Playwright deliver CDP events
        now = server.mark()
        if now != last or server.inflight:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


SB_WAIT = "q => document.getElementById('search-app').getAttribute('data-ready') === q"
PF_FIRST = """async ({q, shown}) => {
  const pf = await import('/pagefind/pagefind.js');
  await pf.init();
  const r = await pf.search(q);
  await Promise.all(r.results.slice(0, shown).map(x => x.data()));
  return r.results.length;
}"""


@dataclass
class FirstQuery:
    bare: int               # bytes of the bare search page (server count)
    query: int              # bytes after it, until the results are shown
    client: int             # search client script already loaded with the bare page
    cdp_bare: int
    cdp_query: int
    hits: int | None
    partial: int | None = None
    files: int = 0          # responses during the query

    @property
    def in_all(self) -> int:
        return self.query + self.client


def first_query(browser, server: CountingServer, engine: str, q: str, unit: str | None = None) -> FirstQuery:
    ctx, page, finished = _context(browser)
    try:
        m0 = server.mark()
        page.goto(server.base + "search/index.html", wait_until="load")
        _wait_quiet(page, server)
        bare_log = server.since(m0)
        cdp_bare_ids = set(finished)
        m1 = server.mark()
        partial = None
        if engine == "sb":
            if unit:
                page.select_option("#search-unit", unit)
            page.fill("#search-q", q)
            page.press("#search-q", "Enter")
            page.wait_for_function(SB_WAIT, arg=q)
            hits = int(page.get_attribute("#search-results", "data-hits") or -1)
            partial = int(page.get_attribute("#search-results", "data-partial") or 0)
            client = sum(b for p, b in bare_log if p.endswith("/assets/search.js"))
        else:
            hits = page.evaluate(PF_FIRST, {"q": q, "shown": SHOWN})
            client = 0
        _wait_quiet(page, server)
        query_log = server.since(m1)
        cdp_query = sum(v for k, v in finished.items() if k not in cdp_bare_ids)
        return FirstQuery(sum(b for _, b in bare_log), sum(b for _, b in query_log), client,
                          sum(finished[k] for k in cdp_bare_ids), cdp_query, hits, partial, len(query_log))
    finally:
        ctx.close()


SB_RUNS = """async ({qs, n}) => {
  const out = {};
  for (const q of qs) {
    const times = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await window.sbSearch(q);
      times.push(performance.now() - t);
    }
    out[q] = {times, ok: document.getElementById('search-app').getAttribute('data-ready') === q,
              hits: Number(document.getElementById('search-results').getAttribute('data-hits'))};
  }
  return {init: 0, out};
}"""

PF_RUNS = """async ({qs, n}) => {
  const t0 = performance.now();
  const pf = await import('/pagefind/pagefind.js');
  await pf.init();
  const init = performance.now() - t0;
  const out = {};
  for (const q of qs) {
    const times = [];
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await pf.search(q);
      times.push(performance.now() - t);
      hits = r.results.length;
    }
    out[q] = {times, ok: true, hits};
  }
  return {init, out};
}"""


@dataclass
class Latency:
    init: float                          # ms: import + init (Pagefind only)
    first: dict[str, float]              # ms: first run of each query, in order
    repeat: dict[str, float]             # ms: median of the repeats of each query
    failed: list[str]

    @property
    def cold(self) -> float:
        """The very first query on a fresh page (plus init for Pagefind)."""
        return self.init + self.first[QUERIES[0]]

    @property
    def median(self) -> float:
        return statistics.median(self.repeat.values())

    @property
    def worst(self) -> tuple[str, float]:
        q = max(self.repeat, key=self.repeat.get)
        return q, self.repeat[q]


def latency(browser, server: CountingServer, engine: str, throttle: float, repeats: int,
            no_worker: bool = False) -> Latency:
    ctx, page, _ = _context(browser, throttle, no_worker)
    try:
        page.goto(server.base + "search/index.html", wait_until="load")
        if engine == "sb":
            page.wait_for_function("typeof window.sbSearch === 'function'")
        res = page.evaluate(SB_RUNS if engine == "sb" else PF_RUNS, {"qs": QUERIES, "n": repeats + 1})
    finally:
        ctx.close()
    out = res["out"]
    return Latency(res["init"], {q: out[q]["times"][0] for q in QUERIES},
                   {q: statistics.median(out[q]["times"][1:]) for q in QUERIES},
                   [q for q in QUERIES if not out[q]["ok"]])


PF_IDS = """async ({qs, shown}) => {
  const pf = await import('/pagefind/pagefind.js');
  await pf.init();
  const out = {};
  for (const q of qs) {
    const r = await pf.search(q);
    const sample = await Promise.all(r.results.slice(0, shown).map(x => x.data().then(d => d.url)));
    out[q] = {ids: r.results.map(x => x.id), sample};
  }
  return out;
}"""


def fragment_urls(pagefind_dir: Path) -> dict[str, str]:
    """Pagefind result id -> page URL, read from its fragment files (gzip, 'pagefind_dcd' + JSON),
    so counting hits does not need a data() call per result."""
    urls = {}
    for path in (pagefind_dir / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        raw = raw[12:] if raw.startswith(b"pagefind_dcd") else raw
        urls[path.name.rsplit(".", 1)[0]] = json.loads(raw)["url"]
    return urls


def pagefind_hits(browser, server: CountingServer, pagefind_dir: Path, entry_urls: set[str]) -> dict:
    """For each query: Pagefind's results, how many are entry pages, and a check that the
    id -> URL map agrees with data() on the first results."""
    frag = fragment_urls(pagefind_dir)
    ctx, page, _ = _context(browser)
    try:
        page.goto(server.base + "search/index.html", wait_until="load")
        res = page.evaluate(PF_IDS, {"qs": QUERIES, "shown": SHOWN})
    finally:
        ctx.close()
    out = {}
    for q in QUERIES:
        urls = [frag.get(i, "?") for i in res[q]["ids"]]
        agree = [unquote(u) for u in urls[:len(res[q]["sample"])]] == [unquote(u) for u in res[q]["sample"]]
        entries = sum(1 for u in urls if unquote(u) in entry_urls)
        out[q] = {"results": len(urls), "entries": entries, "map_ok": agree}
    return out


# ----------------------------------------------------------------------------- one size

@dataclass
class SizeResult:
    entries: int
    units: int
    builds: dict[str, Measured] = field(default_factory=dict)
    truth: dict = field(default_factory=dict)
    disk: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    first: dict[tuple[str, str, str | None], FirstQuery] = field(default_factory=dict)
    latency: dict[tuple[str, float], Latency] = field(default_factory=dict)
    pf_hits: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def bench_size(n: int, units: int, run_dir: Path, peers, args) -> SizeResult:
    res = SizeResult(n, units)
    d = run_dir / str(n)
    d.mkdir()
    native = corpus(n, units, "native")
    site = copy_site(native, d / "site")
    site_ns = copy_site(native, d / "site-nosearch")
    disable_search(site_ns)
    out, out_ns = d / "out", d / "out-nosearch"
    code = source_fingerprint()

    def step(key, cmd):
        print(f"  [{n}] {key} ...", file=sys.stderr, flush=True)
        m = measure(cmd, args.timeout)
        res.builds[key] = m
        print(f"  [{n}] {key}: {m.time_text()}", file=sys.stderr, flush=True)
        if not m.ok and not m.timed_out:
            res.notes.append(f"{key} failed:\n" + "\n".join((m.stderr or m.stdout).splitlines()[-8:]))
        return m

    cold = step("sb_search", build_cmd(site, out, args.today))
    step("sb_nosearch", build_cmd(site_ns, out_ns, args.today))
    if source_fingerprint() != code:
        res.notes.append("WARNING: site_builder's package or theme changed during the two builds; "
                         "the index build time (their difference) mixes code versions")
    if not cold.ok:
        res.notes.append("site_builder's build did not finish: nothing else measured")
        return res
    print(f"  [{n}] truth counts and in-process search_files ...", file=sys.stderr, flush=True)
    res.truth = truth_and_index(site, args.today, args.timeout)
    pf_cmd = [str(peers.pagefind), "--site", str(out), "--quiet"]
    if args.pagefind_root != "body":
        pf_cmd += ["--root-selector", args.pagefind_root]
    pf = step("pagefind", pf_cmd)

    s_size, s_alloc, s_files = tree_size(out / "search")
    js = out / "assets" / "search.js"
    js_size = js.stat().st_size if js.exists() else 0
    res.disk["sb"] = (s_size + js_size, s_alloc + (js.stat().st_blocks * 512 if js.exists() else 0),
                      s_files + (1 if js.exists() else 0))
    if pf.ok:
        res.disk["pf"] = tree_size(out / "pagefind")

    from playwright.sync_api import sync_playwright
    server = CountingServer(out)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                engines = ["sb"] + (["pf"] if pf.ok else [])
                for q in QUERIES:
                    print(f"  [{n}] first query {q} ...", file=sys.stderr, flush=True)
                    res.first[("sb", q, None)] = first_query(browser, server, "sb", q)
                    res.first[("sb", q, VILLAGE)] = first_query(browser, server, "sb", q, VILLAGE)
                    if "pf" in engines:
                        res.first[("pf", q, None)] = first_query(browser, server, "pf", q)
                if "pf" in engines:
                    print(f"  [{n}] Pagefind hit counts ...", file=sys.stderr, flush=True)
                    res.pf_hits = pagefind_hits(browser, server, out / "pagefind", set(res.truth["entry_urls"]))
                for rate in (1, 4):
                    print(f"  [{n}] latency at {rate}x ...", file=sys.stderr, flush=True)
                    res.latency[("sb", rate)] = latency(browser, server, "sb", rate, args.repeats)
                    if "pf" in engines:
                        res.latency[("pf", rate)] = latency(browser, server, "pf", rate, args.repeats)
                        res.latency[("pf-main", rate)] = latency(browser, server, "pf", rate,
                                                                args.repeats, no_worker=True)
            finally:
                browser.close()
    finally:
        server.close()
    if source_fingerprint() != code:
        res.notes.append("WARNING: site_builder's package or theme changed during this size's run: "
                         "the build, the truth counts and the pages may come from different code")
    return res


# ----------------------------------------------------------------------------- report

def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "**not met**")


def _ms(x: float | None) -> str:
    return "n/a" if x is None else (f"{x:.0f} ms" if x >= 10 else f"{x:.1f} ms")


def summary_table(r: SizeResult) -> str:
    b = r.builds
    t = r.truth
    rows = []
    index_diff = (b["sb_search"].seconds - b["sb_nosearch"].seconds
                  if b["sb_search"].ok and b.get("sb_nosearch") and b["sb_nosearch"].ok else None)
    stage = stage_times(b["sb_search"].stdout + b["sb_search"].stderr).get("search")
    index_s = stage if stage is not None else t.get("index_s")
    times = t.get("index_times") or []
    how = ("search stage" if stage is not None else
           f"search_files in-process, {spread(times)} s" if times
           else "search_files in-process")
    pf = b.get("pagefind")
    rows.append(["index build time",
                 f"{index_s:.2f} s ({how}); "
                 f"build − `search: false` build: {index_diff:.2f} s" if index_s is not None and index_diff is not None
                 else "n/a",
                 pf.time_text() if pf else "not run", f"≤ {INDEX_BUILD_LIMIT:.0f} s",
                 _verdict(index_s <= INDEX_BUILD_LIMIT if index_s is not None else None)])
    sb_disk, pf_disk = r.disk.get("sb"), r.disk.get("pf")
    rows.append(["index bytes on disk (apparent; allocated; files)",
                 f"{fmt_bytes(sb_disk[0])}; {fmt_bytes(sb_disk[1])}; {sb_disk[2]:,}" if sb_disk else "n/a",
                 f"{fmt_bytes(pf_disk[0])}; {fmt_bytes(pf_disk[1])}; {pf_disk[2]:,}" if pf_disk else "n/a",
                 "≤ Pagefind", _verdict(sb_disk[0] <= pf_disk[0] if sb_disk and pf_disk else None)])

    def fq(engine: str, unit: str | None) -> list[FirstQuery]:
        return [r.first[(engine, q, unit)] for q in QUERIES if (engine, q, unit) in r.first]

    def bytes_spread(items: list[FirstQuery]) -> str:
        if not items:
            return "n/a"
        vals = [x.in_all for x in items]
        worst = max(zip(vals, QUERIES), key=lambda v: v[0])
        return f"median {fmt_bytes(int(statistics.median(vals)))}, max {fmt_bytes(worst[0])} ({worst[1]})"

    sb_all, pf_all, sb_v = fq("sb", None), fq("pf", None), fq("sb", VILLAGE)
    worst_sb = max((x.in_all for x in sb_all), default=None)
    rows.append(["first query, whole site, gzip bytes in all", bytes_spread(sb_all), bytes_spread(pf_all),
                 f"≤ {FIRST_QUERY_LIMIT // 1000} KB (each query)",
                 _verdict(worst_sb <= FIRST_QUERY_LIMIT if worst_sb is not None else None)])
    if sb_all and pf_all:
        ratios = [s.in_all / p.in_all for s, p in zip(sb_all, pf_all) if p.in_all]
        rows.append(["  … as a share of Pagefind's (per query)",
                     f"median {statistics.median(ratios):.2f}, max {max(ratios):.2f}", "1",
                     "(\"a third of Pagefind's\")", ""])
    rows.append([f"first query, within one village ({VILLAGE})", bytes_spread(sb_v),
                 "n/a: the pages carry no Pagefind filters", "—", ""])
    exact = [q for q in QUERIES if ("sb", q, None) in r.first
             and r.first[("sb", q, None)].hits == t["truth"][q]["all"]]
    exact_v = [q for q in QUERIES if ("sb", q, VILLAGE) in r.first
               and r.first[("sb", q, VILLAGE)].hits == t["truth"][q]["village"]]
    pf_exact = [q for q in QUERIES if q in r.pf_hits and r.pf_hits[q]["entries"] == t["truth"][q]["all"]]
    rows.append(["hits = true count (whole site)", f"{len(exact)} of {len(QUERIES)} queries",
                 f"{len(pf_exact)} of {len(QUERIES)}" if r.pf_hits else "n/a", "every query",
                 _verdict(len(exact) == len(QUERIES) and len(exact_v) == len(QUERIES))])
    rows.append([f"hits = true count (within {VILLAGE})", f"{len(exact_v)} of {len(QUERIES)} queries",
                 "n/a", "every query", ""])
    for rate in (1, 4):
        sb, pfl, pfm = r.latency.get(("sb", rate)), r.latency.get(("pf", rate)), r.latency.get(("pf-main", rate))

        def lat(x: Latency | None) -> str:
            if x is None:
                return "n/a"
            q, w = x.worst
            return f"{_ms(x.median)} (worst {q} {_ms(w)})" + (f"; failed: {', '.join(x.failed)}" if x.failed else "")

        rows.append([f"median query latency, {rate}× CPU (repeats)", lat(sb),
                     f"worker: {lat(pfl)}; main thread: {lat(pfm)}",
                     f"≤ {LATENCY_LIMIT:.0f} ms" if rate == 4 else "—",
                     _verdict(sb.median <= LATENCY_LIMIT if sb else None) if rate == 4 else ""])
        rows.append([f"first query on a fresh page, {rate}× CPU ({QUERIES[0]})",
                     _ms(sb.cold) if sb else "n/a",
                     f"worker: {_ms(pfl.cold) if pfl else 'n/a'} (init {_ms(pfl.init) if pfl else 'n/a'}); "
                     f"main thread: {_ms(pfm.cold) if pfm else 'n/a'}", "—", ""])
        rows.append([f"median first run of each query, {rate}× CPU",
                     _ms(statistics.median(sb.first.values())) if sb else "n/a",
                     f"worker: {_ms(statistics.median(pfl.first.values())) if pfl else 'n/a'}; "
                     f"main thread: {_ms(statistics.median(pfm.first.values())) if pfm else 'n/a'}", "—", ""])
    return md_table(["measure", "site_builder", "Pagefind", "target (issue 4, at 10,000)",
                     "site_builder verdict"], rows)


def query_table(r: SizeResult) -> str:
    rows = []
    for q in QUERIES:
        tr = r.truth["truth"][q]
        sb, sbv, pf = r.first.get(("sb", q, None)), r.first.get(("sb", q, VILLAGE)), r.first.get(("pf", q, None))
        ph = r.pf_hits.get(q)
        truth = f"{tr['all']:,}" + (f" (as substrings {tr['substring']:,})" if tr["substring"] != tr["all"] else "")
        rows.append([
            q, truth,
            _hits(sb, tr["all"]), _hits_pf(ph, tr["all"]),
            f"{tr['village']:,}", _hits(sbv, tr["village"]),
            _bytes(sb), _bytes(pf), _bytes(sbv),
        ])
    return md_table(["query", "true count", "site_builder hits (+partial)", "Pagefind entry hits (all results)",
                     f"true in {VILLAGE}", "site_builder hits there",
                     "site_builder first query: in all (query; CDP page)", "Pagefind first query (CDP page)",
                     f"site_builder in {VILLAGE}"], rows)


def _hits(x: FirstQuery | None, truth: int) -> str:
    if x is None:
        return "n/a"
    mark = "" if x.hits == truth else " ✗"
    return f"{x.hits:,}" + (f" (+{x.partial:,})" if x.partial else "") + mark


def _hits_pf(x: dict | None, truth: int) -> str:
    if x is None:
        return "n/a"
    mark = "" if x["entries"] == truth else " ✗"
    return f"{x['entries']:,} ({x['results']:,})" + mark + ("" if x["map_ok"] else " [id map disagrees]")


def _bytes(x: FirstQuery | None) -> str:
    if x is None:
        return "n/a"
    extra = f"{fmt_bytes(x.query)}; " if x.client else ""
    return f"{fmt_bytes(x.in_all)} ({extra}{fmt_bytes(x.cdp_query)}; {x.files} files)"


def report(results: list[SizeResult], peers, started_note: str, args) -> None:
    print(f"\n## bench/search.py ({dt.datetime.now():%Y-%m-%d %H:%M})\n")
    root = "whole <body> (its default)" if args.pagefind_root == "body" else f"<{args.pagefind_root}> only (--root-selector)"
    print(f"{peers.pagefind_version} (extended edition) over site_builder's own output, indexing the {root}; Chromium "
          f"headless. Machine: {started_note} at start, {machine_note().split(', ', 1)[1]} at end. "
          f"Bytes are response bodies as sent (gzip level 6 for text, Pagefind's own compression for "
          f"its binary files), counted by the server; HTTP headers not included. Pagefind's figure "
          f"covers pagefind.js, its worker, wasm, entry, meta, index chunks and the data of the first "
          f"{SHOWN} results, not its UI bundle. Bytes on disk for Pagefind include its UI files. "
          f"Latency: site_builder's sbSearch includes loading and rendering the {SHOWN} results it shows "
          f"(titles, snippets); Pagefind's is pf.search alone (no result data). Pagefind runs its search "
          f"in a Web Worker by default ('worker'), which DevTools CPU throttling may not slow down, so it "
          f"is also measured with Worker disabled ('main thread', Pagefind's own fallback).\n")
    for r in results:
        print(f"### {r.entries:,} entries, {r.units} units\n")
        if not r.truth:
            for k, m in r.builds.items():
                print(f"- {k}: {m.time_text()}")
            for note in r.notes:
                print(f"- {note}")
            continue
        b = r.builds
        print(f"site_builder build {b['sb_search'].time_text()} with search, "
              f"{b['sb_nosearch'].time_text()} without; {r.truth['entries']:,} entries in the index; "
              f"site model loaded in {r.truth['load_s']:.1f} s, search_files {r.truth['index_s']:.2f} s "
              f"in-process (median of 3) ({r.truth['index_files']:,} files, {fmt_bytes(r.truth['index_bytes'])}).\n")
        print(summary_table(r))
        print()
        print(query_table(r))
        print()
        for note in r.notes:
            print(f"- note: {note}")
        print(f"- site_builder: {b['sb_search'].last_line()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated entry counts (default 1000,10000)")
    ap.add_argument("--units", type=int, default=100, help="units (default 100)")
    ap.add_argument("--repeats", type=int, default=5, help="repeats of each query for the median (default 5)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per build command (default 900)")
    ap.add_argument("--today", default=TODAY)
    ap.add_argument("--pagefind-root", default="main",
                    help="element Pagefind indexes (--root-selector); 'body' for its default (default: main)")
    ap.add_argument("--keep", action="store_true", help="keep the run folder under /tmp/sb-bench/")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing")

    peers = ensure_peers()
    compiled_package()
    run_dir = fresh_dir("search")
    print(f"run folder: {run_dir}", file=sys.stderr)
    note = machine_note()
    results = [bench_size(n, args.units, run_dir, peers, args) for n in sizes]
    report(results, peers, note, args)
    end_run(run_dir, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
