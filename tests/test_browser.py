"""The demo build in a real browser (Debian chromium through Playwright): crawled from
file:// and from a sub-path over http, every page and stylesheet loads; the layout
fits a 360px phone screen."""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from conftest import http_server

MAX_PAGES = 150
SUB_PATH = "/portal/gongkai/"


@pytest.fixture(scope="module")
def http_root(demo_build, tmp_path_factory):
    """The demo output served at http://127.0.0.1:PORT/portal/gongkai/."""
    parent = tmp_path_factory.mktemp("www")
    shutil.copytree(demo_build, parent / SUB_PATH.strip("/"))
    with http_server(parent) as root:
        yield root.rstrip("/") + SUB_PATH


def _is_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith((".html", "/"))


def crawl(browser, start: str, inside: str, local_root: Path | None) -> dict:
    """Breadth-first crawl of same-site links from `start` (bounded by MAX_PAGES).

    Returns counts; fails on any navigation that does not succeed, any failed request
    and any stylesheet that did not load.
    """
    context = browser.new_context(accept_downloads=False)
    page = context.new_page()
    failed: list[str] = []
    bad_status: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("pageerror", lambda e: failed.append(f"script error on {page.url}: {e}"))
    page.on("response", lambda r: bad_status.append(f"{r.url} {r.status}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    queue, seen, visited, files_checked = [start], {start}, 0, 0
    problems: list[str] = []
    try:
        while queue and visited < MAX_PAGES:
            url = queue.pop(0)
            if local_root is not None:
                path = Path(unquote(urlsplit(url).path))
                if not path.is_file():
                    problems.append(f"missing file {path}")
                    continue
            response = page.goto(url, wait_until="load")
            visited += 1
            if local_root is None:
                if response is None or response.status != 200:
                    problems.append(f"{url}: status {response and response.status}")
                    continue
            sheets = page.evaluate("""() => Array.from(document.querySelectorAll('link[rel~="stylesheet"]'))
                .map(l => [l.href, !!l.sheet])""")
            assert sheets, f"{url}: no stylesheet link"
            for href, loaded in sheets:
                if not loaded:
                    problems.append(f"{url}: stylesheet {href} did not load")
            hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
            for href in hrefs:
                href = urldefrag(href)[0]
                if not href.startswith(inside) or href in seen:
                    continue
                seen.add(href)
                if _is_page(href):
                    queue.append(href)
                else:  # an attachment: it must exist, but is not opened
                    files_checked += 1
                    if local_root is not None:
                        if not Path(unquote(urlsplit(href).path)).is_file():
                            problems.append(f"{url}: missing attachment {href}")
                    else:
                        r = context.request.get(href)
                        if r.status != 200:
                            problems.append(f"{url}: attachment {href} status {r.status}")
    finally:
        context.close()
    problems += [f"request failed: {f}" for f in failed] + [f"bad status: {b}" for b in bad_status]
    assert not problems, "\n".join(problems[:50])
    return {"pages": visited, "links": len(seen), "attachments": files_checked}


def test_crawl_from_file_url(browser, demo_build):
    start = (demo_build / "index.html").as_uri()
    inside = demo_build.as_uri() + "/"
    counts = crawl(browser, start, inside, demo_build)
    print(f"\n[browser] file:// crawl: {counts}")
    assert counts["pages"] >= min(MAX_PAGES, 20)


def test_crawl_under_sub_path_over_http(browser, http_root):
    counts = crawl(browser, http_root, http_root, None)
    print(f"\n[browser] http sub-path crawl: {counts}")
    assert counts["pages"] >= min(MAX_PAGES, 20)


def _ledger_pages(out: Path) -> list[Path]:
    pages = [p for p in sorted(out.glob("*/*/*/index.html"))
             if 'class="ledger"' in p.read_text(encoding="utf-8")]
    return pages


def _unit_pages(out: Path) -> list[Path]:
    return [p for p in sorted(out.glob("*/index.html"))
            if 'class="category-block"' in p.read_text(encoding="utf-8")]


def test_screenshots_and_no_horizontal_scroll_on_phone(browser, demo_build, tmp_path):
    ledgers = _ledger_pages(demo_build)
    units = _unit_pages(demo_build)
    assert ledgers, "the demo has no entry with a ledger"
    assert units, "the demo has no unit page"
    entry = ledgers[0]

    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            for name, target in (("home", demo_build / "index.html"), ("entry", entry)):
                page.goto(target.as_uri(), wait_until="load")
                shot = tmp_path / f"{name}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 1000
                assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            if width == 360:
                too_wide = []
                for target in [demo_build / "index.html", *units, *ledgers[:40]]:
                    page.goto(target.as_uri(), wait_until="load")
                    sw = page.evaluate("() => document.documentElement.scrollWidth")
                    if sw > 360:
                        too_wide.append(f"{target.relative_to(demo_build)}: scrollWidth {sw}")
                assert not too_wide, "wider than a 360px phone:\n" + "\n".join(too_wide)
        finally:
            context.close()
