"""Residents first (issue 7): the built demo measured in a real browser (Debian chromium
through Playwright) for elderly readers on cheap phones.

- axe-core (axe-playwright-python) on every page type: no serious or critical violation;
- GB/T 37668 / 适老化 basics by computed style: body text >= 18px, line height >= 1.5,
  touch targets >= 44px, visible focus, skip link, tables with <th> and <caption>,
  <html lang> zh-CN / zh-TW;
- the large-type switch (大字版): text >= 24px, remembered across pages, hidden without JS;
- images always have a text alternative (and `check` reports the missing ones);
- page weight of what loads before anyone types a search (gzip), no web fonts;
- no sideways scrolling at 360px (tables scroll in their own box), screenshots at 360
  and 1280 px (also saved to /tmp/residents-shots/ to look at);
- the Traditional-script copy (`also_traditional`) and a zh-Hant site;
- printing an entry on A4.

The demo is built once per module with `--today 2026-11-20`; small sites for the
cases the demo does not have are written next to it.
"""
from __future__ import annotations

import gzip
import html as htmllib
import io
import posixpath
import re
import string
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import (REPO, TODAY, base_files, build_ok, describe, http_server, line, parse_html, run_check,
                      write_files)

SHOTS = Path("/tmp/residents-shots")
STRINGS = REPO / "site_builder" / "strings"
HANS = yaml.safe_load((STRINGS / "zh-Hans.yaml").read_text(encoding="utf-8"))["ui"]
HANT = yaml.safe_load((STRINGS / "zh-Hant.yaml").read_text(encoding="utf-8"))["ui"]
ENTRY_BUDGET = 30 * 1024   # gzip bytes: HTML + CSS + script loaded before any search
UNIT_BUDGET = 60 * 1024
TARGET_SELECTORS = (".site-nav a", ".site-title", ".site-tools a", ".site-tools button", ".crumbs a",
                    ".entries li > a", ".pager a", ".pager span", "button", ".inline a", ".more",
                    ".prev-next a", ".attachments li > a", ".unit-card h3 a", ".unit-list a", ".ledger-csv a",
                    ".ask li a")
# A 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The demo built once for this module."""
    out = tmp_path_factory.mktemp("residents") / "public"
    return build_ok(REPO, out, TODAY)


def _body_class(path: Path) -> str:
    m = re.search(r'<body class="([^"]*)"', path.read_text(encoding="utf-8"))
    return m.group(1) if m else ""


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    """One page of each type of the demo (paths relative to the output folder)."""
    config = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    entries = sorted(p for p in site.glob("*/*/*/index.html")
                     if p.parts[-4] != "zh-hant" and _body_class(p) == "page-entry")
    assert entries, "the demo has no entry pages"
    ledger = next(p for p in entries if 'class="ledger"' in p.read_text(encoding="utf-8"))
    attach = next(p for p in entries if 'class="attachments"' in p.read_text(encoding="utf-8"))
    unit = ledger.parts[-4]
    category = ledger.parts[-3]
    unit_name = next(u["name"] for u in config["units"] if u["id"] == unit)
    found = {
        "home": "index.html",
        "unit": f"{unit}/index.html",
        "unit-category": f"{unit}/{category}/index.html",
        "category": f"category/{category}/index.html",
        "entry-ledger": ledger.relative_to(site).as_posix(),
        "entry-attachments": attach.relative_to(site).as_posix(),
        "search": f"search/index.html?q={unit_name}",
        "supervision": "supervision/index.html",
        "finance": f"{unit}/ledgers/index.html",
        "traditional-entry": "zh-hant/" + ledger.relative_to(site).as_posix(),
    }
    for name, rel in found.items():
        if name not in ("supervision", "traditional-entry"):
            assert (site / rel.partition("?")[0]).is_file(), rel
    return found


def _open(page, site: Path, rel: str, base: str | None = None) -> None:
    """Open page `rel` of `site` from file://, or from `base` (an http:// address)."""
    path, _, query = rel.partition("?")
    page.goto((base + path if base else (site / path).as_uri()) + (f"?{query}" if query else ""))
    if query and (path.startswith("search/") or "/search/" in path):
        page.wait_for_selector("#search-app[data-ready]", state="attached", timeout=15000)


def _page_or_skip(site: Path, rel: str) -> None:
    if not (site / rel.partition("?")[0]).is_file():
        pytest.skip(f"{rel} is not built (yet)")


# --------------------------------------------------------------------------- axe-core

PAGE_TYPES = ["home", "unit", "unit-category", "category", "entry-ledger", "entry-attachments",
              "search", "supervision", "finance", "traditional-entry"]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_no_serious_or_critical(browser, site, pages, kind):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    rel = pages[kind]
    _page_or_skip(site, rel)
    page = browser.new_page()
    try:
        _open(page, site, rel)
        result = axe_module.Axe().run(page)
    finally:
        page.close()
    violations = result.response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    report = "\n".join(f"{v['impact']} {v['id']}: {v['help']} "
                       f"{[n['target'] for n in v['nodes'][:5]]}" for v in violations)
    assert not bad, f"{rel}:\n{report}"


# --------------------------------------------------------------------------- GB/T 37668 basics

_STYLE_JS = """() => {
  const body = getComputedStyle(document.body);
  const texts = [...document.querySelectorAll('main p, main li')]
    .filter(e => e.getBoundingClientRect().height > 0 && e.textContent.trim())
    .map(e => { const s = getComputedStyle(e); return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; });
  return {lang: document.documentElement.lang, size: parseFloat(body.fontSize),
          lineHeight: parseFloat(body.lineHeight), texts};
}"""

_TARGETS_JS = """(selectors) => {
  const small = [];
  for (const el of document.querySelectorAll(selectors.join(','))) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.visually-hidden')) continue;
    if (r.height < 43.5) small.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}" ${r.height.toFixed(1)}px`);
  }
  return small;
}"""


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_text_size_line_height_and_touch_targets(browser, site, pages, kind):
    rel = pages[kind]
    _page_or_skip(site, rel)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        _open(page, site, rel)
        style = page.evaluate(_STYLE_JS)
        small = page.evaluate(_TARGETS_JS, list(TARGET_SELECTORS))
    finally:
        page.close()
    assert style["lang"] == ("zh-TW" if rel.startswith("zh-hant/") else "zh-CN")
    assert style["size"] >= 18, style
    assert style["lineHeight"] >= 1.5 * style["size"], style
    tiny = [t for t in style["texts"] if t[0] < 16 or t[1] < 1.5 * t[0]]
    assert not tiny, f"text smaller than 16px or tighter than 1.5 in {rel}: {tiny[:5]}"
    assert not small, f"touch targets under 44px on {rel}: {small[:10]}"


def test_skip_link_and_visible_focus(browser, site, pages):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        _open(page, site, pages["entry-ledger"])
        page.keyboard.press("Tab")
        skip = page.evaluate("""() => { const a = document.activeElement; const r = a.getBoundingClientRect();
            const s = getComputedStyle(a);
            return {cls: a.className, href: a.getAttribute('href'), left: r.left, top: r.top, w: r.width,
                    outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)}; }""")
        assert skip["cls"] == "skip-link" and skip["href"] == "#main", skip
        assert skip["left"] >= 0 and skip["top"] >= 0 and skip["w"] > 0, f"skip link not shown on focus: {skip}"
        assert page.evaluate("!!document.getElementById('main')")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # Every link and button reached by Tab shows a focus ring of at least 2px.
        seen = []
        for _ in range(12):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("""() => { const a = document.activeElement; const s = getComputedStyle(a);
                return [a.tagName, a.textContent.trim().slice(0, 12), s.outlineStyle, parseFloat(s.outlineWidth)]; }"""))
        no_ring = [s for s in seen if s[0] in ("A", "BUTTON", "INPUT", "SELECT")
                   and (s[2] == "none" or s[3] < 2)]
        assert not no_ring, no_ring
    finally:
        page.close()


_TABLE = re.compile(r"<table\b.*?</table>", re.S)


def test_every_unit_is_a_tap_away_on_the_first_screen_of_the_home_page(browser, site):
    """A resident comes for one village: its page is linked on the phone's first screen
    (it was six screens down, below the other villages' lists)."""
    config = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        page.goto((site / "index.html").as_uri())
        for unit in config["units"]:
            link = page.locator("nav.unit-jump a", has_text=unit["name"])
            box = link.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 740, (unit["name"], box)
            assert link.get_attribute("href") == f"{unit['id']}/index.html"
    finally:
        page.close()


def _stacked_table_pages(site: Path) -> list[str]:
    """The demo's entry pages with a wide table in their body (a 低保 list)."""
    return [p.relative_to(site).as_posix() for p in sorted(site.glob("*/*/*/index.html"))
            if p.parts[-4] != "zh-hant" and 'class="stack"' in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("kind", ["ledger", "stack"])
def test_a_line_of_a_wide_table_on_a_phone_shows_its_words_beside_its_figures(browser, site, pages, kind):
    """On a 360 px phone (and in large type) each line of a ledger, or of a wide table
    in a body (a 低保 list), is a card: its words and every figure, each after its
    column's name, on the screen without scrolling sideways (scrolled to its amounts, a
    line's 摘要 or name and the header were off the screen)."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    shown_pages = [pages["entry-ledger"]] if kind == "ledger" else _stacked_table_pages(site)
    assert len(shown_pages) >= (1 if kind == "ledger" else 5)
    try:
        for path in shown_pages:
            page.goto((site / path).as_uri())
            for large in (False, True):
                if large != page.evaluate("document.documentElement.classList.contains('large')"):
                    page.click("#large-toggle")
                rows = page.locator(f"table.{kind} tbody tr:not(.opening)")
                assert rows.count() > 0
                for k in range(min(3, rows.count())):
                    cells = rows.nth(k).locator("td")
                    shown = [c for c in cells.all() if c.is_visible()]
                    assert len(shown) >= 4, k
                    for cell in shown:
                        box = cell.bounding_box()
                        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (k, cell.inner_text(), box)
                        # and its words within it (tester: in large type 420.00 ran past its
                        # card, and the table's box cut it to 420.0)
                        words = cell.evaluate("c => { const r = document.createRange(); r.selectNodeContents(c);"
                                              " const b = r.getBoundingClientRect(); return [b.left, b.right]; }")
                        assert box["x"] - 0.5 <= words[0] and words[1] <= box["x"] + box["width"] + 0.5, (
                            k, large, cell.inner_text(), box, words)
                    for cell in shown[2 if kind == "ledger" else 0:]:  # (a ledger's date and 摘要 say none)
                        label = cell.evaluate("c => getComputedStyle(c, '::before').content")
                        assert label.strip('"') == cell.get_attribute("data-label") != "", (k, label)
                assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        page.close()


def test_the_supervision_table_swiped_on_a_phone_still_names_each_row_s_unit(browser, site):
    """Swiped to its last column at 360 px, each row of the supervision table still
    shows its unit's name (tester: a cell of 缺 3 期, and no village's name in sight)."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.goto((site / "supervision/index.html").as_uri())
        box = page.locator("table.supervision").locator("xpath=..")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth + 100")
        box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        names = page.locator("table.supervision tbody th[scope=row]")
        assert names.count() >= 3
        for k in range(names.count()):
            left, right = names.nth(k).evaluate("th => { const r = th.getBoundingClientRect(); return [r.left, r.right]; }")
            assert 0 <= left and right <= 360, (k, left, right)
    finally:
        page.close()


def test_every_table_has_headers_and_caption(site):
    missing = []
    for path in site.rglob("*.html"):
        for table in _TABLE.findall(path.read_text(encoding="utf-8")):
            if "<caption" not in table or "<th" not in table:
                missing.append((path.relative_to(site).as_posix(), table[:120]))
    assert not missing, missing[:10]


def test_html_lang(site):
    pages = [p for p in site.rglob("*.html")]
    for p in pages:
        lang = re.search(r'<html lang="([^"]*)"', p.read_text(encoding="utf-8")).group(1)
        expected = "zh-TW" if p.relative_to(site).parts[0] == "zh-hant" else "zh-CN"
        assert lang == expected, p


def test_no_fixed_widths_no_web_fonts(site):
    css = (site / "assets" / "style.css").read_text(encoding="utf-8")
    screen = re.sub(r"@media print\s*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    fixed = [w for w in re.findall(r"(?<![-\w])(?:width|max-width)\s*:\s*([\d.]+)px", screen)
             if float(w) > 2]  # 1px: the visually-hidden pattern
    assert not fixed, fixed
    assert not re.findall(r"font-size\s*:\s*[\d.]+px", screen)
    assert "@font-face" not in css and "@import" not in css
    fonts = [p for p in site.rglob("*") if p.suffix.lower() in (".woff", ".woff2", ".ttf", ".otf", ".eot")]
    assert not fonts


# --------------------------------------------------------------------------- large type

_LARGE_JS = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || el.closest('script, style, .visually-hidden')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const svg = el.closest('svg');  // a chart's labels as drawn: its units scaled to its size
    const scale = svg && svg.viewBox.baseVal ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1;
    const size = parseFloat(getComputedStyle(el).fontSize) * scale;
    if (size < 24) small.push(`${el.tagName}.${el.className} ${size}px "${walker.currentNode.textContent.trim().slice(0, 12)}"`);
  }
  const b = document.getElementById('large-toggle');
  return {body: parseFloat(getComputedStyle(document.body).fontSize), small,
          pressed: b.getAttribute('aria-pressed'), wide: document.documentElement.scrollWidth};
}"""


@pytest.fixture(scope="module")
def served(site):
    """The demo output over http://127.0.0.1:PORT/ (Chromium gives file:// pages no
    localStorage they can count on: a page may get an origin of its own)."""
    with http_server(site) as root:
        yield root


def test_large_type_switch_persists(browser, site, pages, served, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        _open(page, site, pages["home"], served)
        toggle = page.locator("#large-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
        assert toggle.evaluate("e => e.tagName") == "BUTTON"
        before = page.evaluate(_LARGE_JS)
        assert before["body"] < 24
        toggle.click()
        after = page.evaluate(_LARGE_JS)
        assert after["pressed"] == "true" and after["body"] >= 24, after
        assert not after["small"], after["small"][:10]
        # Remembered on other pages, before first paint (the class is set in <head>).
        for kind in ("unit", "entry-ledger", "search", "supervision", "finance"):
            if not (site / pages[kind].partition("?")[0]).is_file():
                continue
            _open(page, site, pages[kind], served)
            state = page.evaluate(_LARGE_JS)
            assert state["pressed"] == "true" and state["body"] >= 24, (kind, state)
            assert not state["small"], (kind, state["small"][:10])
            assert state["wide"] <= 360, f"{kind} scrolls sideways in large type: {state['wide']}px"
            assert page.evaluate("document.documentElement.classList.contains('large')")
            page.screenshot(path=str(tmp_path / f"{kind}-large-360.png"))
        page.locator("#large-toggle").click()
        _open(page, site, pages["home"], served)
        assert page.evaluate(_LARGE_JS)["body"] < 24
    finally:
        context.close()


def test_without_javascript_switch_hidden_and_zoom_200(browser, site, pages):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 640, "height": 800})
    page = context.new_page()
    try:
        for kind in ("home", "unit", "entry-ledger", "supervision"):
            rel = pages[kind]
            if not (site / rel).is_file():
                continue
            page.goto((site / rel).as_uri())
            assert not page.locator("#large-toggle").is_visible(), kind
            assert page.locator("main h1").is_visible()
            # 200% zoom of a 1280px window is a 640px layout viewport.
            assert page.evaluate("document.documentElement.scrollWidth") <= 640, kind
        # the search page offers no form that does nothing: its words and the archives' links
        page.goto((site / "search/index.html").as_uri() + "?q=低保")
        assert not page.locator("#search-app").is_visible() and not page.locator("#search-q").is_visible()
        assert page.locator("#search-noscript").is_visible()
    finally:
        context.close()


def test_a_search_on_a_phone_shows_its_results_on_the_screen(browser, site, pages):
    """The form, its three filters and its button fill a phone's first screen: after a
    search, the count and the first result are brought into it; the header's box keeps
    the words searched."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        page.goto((site / "search/index.html").as_uri())
        page.fill("#search-q", "低保")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#search-app[data-ready='低保']", state="attached", timeout=15000)
        for selector in ("#search-status", "#search-results > li:first-child > a"):
            box = page.locator(selector).bounding_box()
            assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 740, (selector, box)
        assert page.input_value("#site-search") == "低保"
    finally:
        page.close()


# --------------------------------------------------------------------------- images, captions

@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> tuple[Path, Path]:
    """A small site with an image without alt text, captionless tables and a pager."""
    root = tmp_path_factory.mktemp("small") / "site"
    files = base_files()
    files["site.yaml"] = files["site.yaml"].replace("timezone: Asia/Shanghai",
                                                    "timezone: Asia/Shanghai\nper_page: 5")
    files["content/dongcun/decisions/2026-11-10-photo.md"] = (
        "---\ntitle: 东村文化广场建成\ndate: 2026-11-10\n---\n\n"
        "广场已建成。\n\n![](广场照片.png)\n\n## 工程量\n\n| 项目 | 数量 |\n| --- | --- |\n| 面积 | 800 |\n\n"
        "说明文字。\n\n| 项目 | 金额 |\n| --- | --- |\n| 合计 | 1000 |\n")
    files["content/dongcun/decisions/广场照片.png"] = PNG
    files["content/town/services/2026-01-01-table.md"] = (
        "---\ntitle: 办事时间\ndate: 2026-01-01\n---\n\n| 窗口 | 时间 |\n| --- | --- |\n| 民政 | 上午 |\n")
    for n in range(1, 7):
        files[f"content/town/services/2026-02-0{n}-guide.md"] = (
            f"---\ntitle: 办事指南第{n}号\ndate: 2026-02-0{n}\n---\n\n指南正文。\n")
    write_files(root, files)
    return root, build_ok(root, root.parent / "out", TODAY)


def test_only_wide_tables_of_plain_columns_are_cards_on_a_phone():
    """From five columns, a body's table is marked to be shown as cards, its cells named
    by their column; not a narrower one, nor one with a cell across columns or rows."""
    from site_builder.markup import caption_tables

    def table(columns: int, span: str = "") -> str:
        head = "".join(f"<th>列{k}</th>" for k in range(columns))
        cells = "".join(f"<td{span if k == 0 else ''}>{k}</td>" for k in range(columns))
        return f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n<tr>{cells}</tr>\n</tbody>\n</table>"

    wide = caption_tables(table(5), "表格", "滑动")
    assert '<table class="stack">' in wide and '<td data-label="列4">4</td>' in wide
    assert "stack" not in caption_tables(table(4), "表格", "滑动")
    assert "stack" not in caption_tables(table(6, ' colspan="2"'), "表格", "滑动")
    # pasted as HTML: a line with attributes is labelled; one opening with a header cell is
    # no card (each cell would be named after its neighbour's column)
    assert '<td data-label="列0">0</td>' in caption_tables(table(5).replace("<tr><td", '<tr class="x"><td'), "表", "滑")
    assert "stack" not in caption_tables(table(5).replace("<td>0</td>", '<th scope="row">0</th>'), "表", "滑")


def test_image_without_alt_is_reported_and_never_shown_without_text(small_site):
    root, out = small_site
    result = run_check(root)
    source = (root / "content/dongcun/decisions/2026-11-10-photo.md").read_text(encoding="utf-8")
    lineno = source.splitlines().index("![](广场照片.png)") + 1
    expected = line("content/dongcun/decisions/2026-11-10-photo.md", lineno, "image_no_alt",
                    warning=True, src="广场照片.png")
    assert expected in result.stdout + result.stderr, describe(result)
    html = (out / "dongcun/decisions/2026-11-10-photo/index.html").read_text(encoding="utf-8")
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert imgs
    for img in imgs:
        alt = re.search(r'\balt="([^"]+)"', img)
        assert alt and alt.group(1).strip(), img
    assert f'alt="{HANS["image_alt"].format(name="广场照片")}"' in html


def test_markdown_tables_get_captions_and_scroll_boxes(small_site):
    _, out = small_site
    html = (out / "dongcun/decisions/2026-11-10-photo/index.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="body">'):]
    tables = _TABLE.findall(body)
    assert len(tables) == 2
    # Right under its heading: the heading names it (caption for screen readers only).
    assert '<caption class="visually-hidden">工程量</caption>' in tables[0]
    # Text between: the caption is shown, numbered so the two differ.
    assert "<caption>工程量 2</caption>" in tables[1]
    assert body.count('<div class="table-scroll" role="region"') == 2
    # No heading before it: the numbered fallback word of the strings file.
    plain = (out / "town/services/2026-01-01-table/index.html").read_text(encoding="utf-8")
    assert f'{HANS["table_fallback"]} 1</caption>' in plain
    assert f'aria-label="{HANS["table_fallback"]} 1"' in plain


def test_swipe_hints_only_above_tables_that_do_not_fit(browser, site, small_site):
    """At 360 px a wide table is told to scroll sideways, and its box is a tab stop (to
    scroll it from the keyboard); one that fits is neither (the hint is hidden and the
    tab stop dropped once the page's script finds it fits; without scripts both stay)."""
    _, out = small_site
    for scripts in (True, False):
        context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=scripts)
        page = context.new_page()
        shown = "Array.from(document.querySelectorAll('.swipe-hint')).map(h => h.offsetParent !== null)"
        tabs = "Array.from(document.querySelectorAll('.swipe-hint')).map(h => h.nextElementSibling.tabIndex)"
        page.goto((site / "supervision/index.html").as_uri())
        assert page.evaluate(shown)[0] is True  # the cadence table: a column a category
        assert page.evaluate(tabs)[0] == 0
        page.goto((out / "dongcun/decisions/2026-11-10-photo/index.html").as_uri())
        assert page.evaluate(shown) == [not scripts] * 2
        assert page.evaluate(tabs) == [-1 if scripts else 0] * 2
        context.close()


def test_pager_targets(browser, small_site):
    _, out = small_site
    rel = "town/services/index.html"
    assert 'class="pager"' in (out / rel).read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.goto((out / rel).as_uri())
        assert page.locator(".pager a").count() > 0
        assert not page.evaluate(_TARGETS_JS, list(TARGET_SELECTORS))
    finally:
        page.close()


# --------------------------------------------------------------------------- page weight

_ASSET = re.compile(r'<link rel="stylesheet" href="([^"]+)"|<script\b[^>]*\bsrc="([^"]+)"')


def page_weight(site: Path, rel: str) -> tuple[int, list[str]]:
    """Gzip bytes of a page and of the style sheets and scripts it loads."""
    html = (site / rel).read_bytes()
    files = [rel]
    total = len(gzip.compress(html, 9))
    for m in _ASSET.finditer(html.decode("utf-8")):
        href = urlsplit(m.group(1) or m.group(2)).path  # (style.css?v=…: the file is style.css)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href))
        total += len(gzip.compress((site / target).read_bytes(), 9))
        files.append(target)
    return total, files


def test_page_weight(site, pages):
    config = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    entries = [p.relative_to(site).as_posix() for p in site.glob("*/*/*/index.html")
               if p.parts[-4] != "zh-hant" and _body_class(p) == "page-entry"]
    units = [f"{u['id']}/index.html" for u in config["units"]]
    weights = {rel: page_weight(site, rel) for rel in entries + units}
    for rel in entries:
        size, files = weights[rel]
        assert size <= ENTRY_BUDGET, f"{rel}: {size} bytes gzip ({files})"
        assert not any(f.endswith("search.js") for f in files), files
    for rel in units:
        assert weights[rel][0] <= UNIT_BUDGET, f"{rel}: {weights[rel]}"
    heaviest = max(entries, key=lambda r: weights[r][0])
    print(f"\nheaviest entry {heaviest}: {weights[heaviest][0]} B gzip; "
          f"unit {pages['unit']}: {weights[pages['unit']][0]} B gzip")


# --------------------------------------------------------------------------- small screens

SCREENS = ["home", "unit", "entry-ledger", "search", "supervision", "finance"]


@pytest.mark.parametrize("kind", SCREENS)
def test_no_sideways_scrolling_and_screenshots(browser, site, pages, kind, tmp_path):
    rel = pages[kind]
    _page_or_skip(site, rel)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page = browser.new_page(viewport={"width": width, "height": 800})
        try:
            _open(page, site, rel)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            for target in (tmp_path, SHOTS):
                page.screenshot(path=str(target / f"{kind}-{width}.png"))
            page.screenshot(path=str(tmp_path / f"{kind}-{width}-full.png"), full_page=True)
            if width == 360:
                assert scroll_width <= 360, f"{rel} scrolls sideways at 360px: {scroll_width}px"
                # A table wider than the screen scrolls inside its own box.
                boxes = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
                    const box = t.closest('.table-scroll');
                    return [t.className, !!box, t.getBoundingClientRect().width > innerWidth,
                            box ? getComputedStyle(box).overflowX : ''];
                })""")
                for cls, in_box, wide, overflow in boxes:
                    assert not wide or (in_box and overflow in ("auto", "scroll")), (rel, cls)
            else:
                main = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
                assert main >= 800, f"{rel}: main column only {main}px wide at 1280px"
                assert scroll_width <= 1280
                if kind == "home":
                    columns = page.evaluate("new Set([...document.querySelectorAll('.unit-card')]"
                                            ".map(c => Math.round(c.getBoundingClientRect().left))).size")
                    assert columns >= 2, "unit cards use one column at 1280px"
        finally:
            page.close()


# --------------------------------------------------------------------------- both scripts

def _differing_pieces() -> dict[str, str]:
    """Simplified pieces of interface words whose Traditional version differs."""
    pieces = {}
    for key, hans in HANS.items():
        hant = HANT[key]
        if hant == hans:
            continue
        a, b = re.split(r"\{[^}]*\}", hans), re.split(r"\{[^}]*\}", hant)
        assert len(a) == len(b), key
        for s, t in zip(a, b):
            if s.strip() and s.strip() != t.strip():
                pieces[s.strip()] = key
    return pieces


_URL_ATTR = re.compile(r'\b(?:href|src|action)="[^"]*"')


def _simplified_leftovers(folder: Path) -> dict[str, str]:
    pieces = _differing_pieces()
    found = {}
    for path in folder.rglob("*.html"):
        text = _URL_ATTR.sub("", path.read_text(encoding="utf-8"))  # file names are not words
        for piece, key in pieces.items():
            if piece in text:
                found.setdefault(f"{key}: {piece}", path.relative_to(folder).as_posix())
    return found


def test_zh_hant_strings_are_traditional_and_stable():
    opencc = pytest.importorskip("opencc")
    s2t = opencc.OpenCC("s2t")
    assert set(HANS) == set(HANT)
    # The copy converts whole pages with s2t: the Traditional words must come through unchanged.
    changed = {k: (v, s2t.convert(v)) for k, v in HANT.items()
               if k != "script_simplified" and s2t.convert(v) != v}
    assert not changed, changed
    assert HANS["script_traditional"] == HANT["script_traditional"] == "繁體"
    assert HANS["script_simplified"] == HANT["script_simplified"] == "简体"


def test_every_string_formats_and_takes_the_same_fields_in_every_language():
    """A brace the formatter cannot read is a traceback for whoever meets that message
    (a clerk's `title: yes` once was); a field missing from one language is another.
    Every message is formatted, with numbers 1 and 2 for its fields."""
    from site_builder.i18n import load_strings

    fields = {}
    for language in ("zh-Hans", "zh-Hant", "en"):
        data = yaml.safe_load((STRINGS / f"{language}.yaml").read_text(encoding="utf-8"))
        fields[language] = {(section, key): {name.split(".")[0].split("[")[0]
                                             for _, name, _, _ in string.Formatter().parse(value) if name}
                            for section in ("ui", "messages") for key, value in data[section].items()
                            if isinstance(value, str)}
        strings = load_strings(language)
        for (section, key), names in fields[language].items():
            if section == "messages":
                for n in (1, 2):
                    shown = strings.message(key, **dict.fromkeys(names, n))
                    assert not any("{" + name in shown for name in names), (language, key, shown)
    assert fields["zh-Hans"] == fields["zh-Hant"] == fields["en"]


def _links_resolve(root: Path, folder: Path) -> list:
    bad = []
    for path in folder.rglob("*.html"):
        rel = path.relative_to(root).as_posix()
        for tag, attr, value, attrs in parse_html(path).links:
            parts = urlsplit(value)
            if parts.scheme or value.startswith(("//", "/")) or (tag == "link" and attrs.get("rel") == "canonical"):
                continue
            if not parts.path:
                continue
            target = root / posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                bad.append((rel, value))
    return bad


def test_traditional_copy(site):
    config = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    if not config.get("also_traditional"):
        pytest.skip("the demo does not publish a Traditional copy")
    copy = site / "zh-hant"
    simplified = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                        if p.relative_to(site).parts[0] != "zh-hant" and p.name != "404.html")
    missing = [p for p in simplified if not (copy / p).is_file()]
    assert not missing, missing[:10]
    # Shared files are not duplicated, but for the search index's snippets, in the copy's script.
    assert not [p for p in copy.rglob("*") if p.is_file() and p.suffix != ".html" and p.parent != copy / "search/d"]
    assert sorted(p.name for p in (copy / "search/d").iterdir()) == sorted(p.name for p in (site / "search/d").iterdir())
    leftovers = _simplified_leftovers(copy)
    assert not leftovers, leftovers
    assert not _links_resolve(site, copy)
    # Links between pages stay in the copy, shared files come from the one copy.
    home = (copy / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-TW">' in home
    assert 'href="../assets/style.css?v=' in home
    import opencc
    assert opencc.OpenCC("s2t").convert(config["title"]) in home
    for rel in ("dongzhuang/index.html", simplified[len(simplified) // 2]):
        here = (copy / rel).read_text(encoding="utf-8")
        depth = rel.count("/") + 1
        back = re.search(r'<a class="script-switch" href="([^"]+)" lang="zh-CN"[^>]*>([^<]+)</a>', here)
        assert back and back.group(2) == "简体" and back.group(1) == "../" * depth + rel, back
        there = (site / rel).read_text(encoding="utf-8")
        forth = re.search(r'<a class="script-switch" href="([^"]+)" lang="zh-TW"[^>]*>([^<]+)</a>', there)
        assert forth and forth.group(2) == "繁體", forth
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), forth.group(1)))
        assert target == f"zh-hant/{rel}"
        for href in re.findall(r'<a [^>]*href="([^"#]+\.html)[^"]*"', here):
            if href == back.group(1):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname("zh-hant/" + rel), href))
            assert target.startswith("zh-hant/"), (rel, href)


def test_traditional_copy_search_and_print_of_a_small_site(browser, tmp_path):
    root = tmp_path / "site"
    files = base_files()
    files["site.yaml"] = files["site.yaml"].replace("language: zh-Hans",
                                                    "language: zh-Hans\nalso_traditional: true")
    write_files(root, files)
    out = build_ok(root, tmp_path / "out")
    assert (out / "zh-hant/dongcun/decisions/2026-11-02-daolu/index.html").is_file()
    assert not (out / "zh-hant/dongcun/decisions/2026-11-02-daolu/表决结果.csv").exists()
    assert not _links_resolve(out, out / "zh-hant")
    assert not _simplified_leftovers(out / "zh-hant")
    entry = (out / "zh-hant/dongcun/decisions/2026-11-02-daolu/index.html").read_text(encoding="utf-8")
    assert "關於東村道路硬化工程的決議" in entry  # content converted
    page = browser.new_page()
    try:
        page.goto((out / "zh-hant/search/index.html").as_uri() + "?q=道路")
        page.wait_for_selector("#search-app[data-ready]", state="attached", timeout=15000)
        hrefs = page.eval_on_selector_all("#search-results a", "els => els.map(a => a.href)")
        assert hrefs and all("/zh-hant/" in h for h in hrefs), hrefs
        shown = page.inner_text("#search-results")  # titles, units, snippets: in the copy's script
        assert "關於東村道路硬化工程的決議" in shown and "关于东村" not in shown, shown
    finally:
        page.close()


def test_zh_hant_site_shows_traditional_words(tmp_path):
    opencc = pytest.importorskip("opencc")
    s2t = opencc.OpenCC("s2t").convert
    root = tmp_path / "site"
    # A Traditional site is written in Traditional script: its content and its file names.
    files = {s2t(k): s2t(v) if isinstance(v, str) else v for k, v in base_files().items()}
    files["site.yaml"] = files["site.yaml"].replace("language: zh-Hans", "language: zh-Hant")
    write_files(root, files)
    out = build_ok(root, tmp_path / "out")
    for path in out.rglob("*.html"):
        assert '<html lang="zh-TW">' in path.read_text(encoding="utf-8"), path
    leftovers = _simplified_leftovers(out)
    assert not leftovers, leftovers
    home = (out / "index.html").read_text(encoding="utf-8")
    assert HANT["home"] in home and HANT["large_type"] in home


# --------------------------------------------------------------------------- print

def _pdf_pages(data: bytes) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    # NFKC folds the CJK compatibility forms some fonts map to; layout spaces are dropped.
    return [re.sub(r"\s+", "", unicodedata.normalize("NFKC", p.extract_text() or "")) for p in reader.pages]


def _longest_ledger(site: Path) -> str:
    """The demo's entry page with the most ledger lines (it takes more than one sheet)."""
    texts = {p: p.read_text(encoding="utf-8") for p in site.glob("*/*/*/index.html") if p.parts[-4] != "zh-hant"}
    page = max((p for p, text in texts.items() if 'class="ledger"' in text), key=lambda p: texts[p].count("<tr>"))
    return page.relative_to(site).as_posix()


@pytest.mark.parametrize("kind", ["entry-ledger", "entry-long-ledger", "entry-attachments"])
def test_entry_prints_on_a4(browser, site, pages, kind):
    rel = _longest_ledger(site) if kind == "entry-long-ledger" else pages[kind]
    html = (site / rel).read_text(encoding="utf-8")
    title = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    index_no = re.search(r'<th scope="row">' + HANS["index_no"] + r"</th><td>([^<]+)</td>", html).group(1)
    date = re.search(r'<time datetime="\d{4}-\d\d-\d\d">([^<]+)</time>', html[html.index('class="catalogue"'):]).group(1)
    unit = re.search(r'<p>([^<·]+) · ' + HANS["index_no"], html).group(1).strip()
    page = browser.new_page()
    try:
        page.goto((site / rel).as_uri())
        texts = _pdf_pages(page.pdf(format="A4"))
    finally:
        page.close()
    first = texts[0]
    for needle in (unit, title, date, index_no):
        assert re.sub(r"\s+", "", unicodedata.normalize("NFKC", needle)) in first, (needle, first[:300])
    # every later sheet is headed by what it is part of (posted alone on the board), the
    # first by the page itself
    head = re.sub(r"\s+", "", unicodedata.normalize("NFKC", htmllib.unescape(
        title if unit in title else f"{unit}·{title}")))
    assert len(texts) > 1 or kind != "entry-long-ledger"
    assert not first.startswith(head) and all(t.startswith(head) for t in texts[1:]), (head, [t[:60] for t in texts])
    main_text = re.sub(r"<[^>]+>", "", html[html.index('<main'):html.index("</main>")])
    nav_words = [HANS[k] for k in ("skip_to_content", "large_type", "home", "categories", "search",
                                   "older", "newer", "breadcrumbs")]
    for word in nav_words:
        if word not in main_text:
            assert all(word not in t for t in texts), f"navigation word {word} printed"
    assert HANS["page_address"].rstrip("：") not in "".join(texts)  # no base_url: no address to print
    # a ledger's totals come once, after its last line, not at the foot of every sheet
    for label in (HANS["total"], HANS["closing_balance"]):
        assert "".join(texts).count(label) == main_text.count(label), (label, texts)


def test_supervision_figures_print_with_whose_they_are(browser, site):
    """Printed for a meeting, the supervision page and the annual report say which site's
    figures they are, and on which day (tester: neither the town nor the site was named)."""
    title = re.search(r'<a class="site-title"[^>]*>([^<]+)</a>', (site / "index.html").read_text(encoding="utf-8")).group(1)
    for rel in ("supervision/index.html", next(p.relative_to(site).as_posix() for p in site.glob("supervision/annual-*/index.html"))):
        page = browser.new_page()
        try:
            page.goto((site / rel).as_uri())
            first = _pdf_pages(page.pdf(format="A4"))[0]
        finally:
            page.close()
        first = re.sub(r"^\d+/\d+", "", first)  # (the sheet's number, at its foot)
        assert first.startswith(re.sub(r"\s+", "", title)), (rel, first[:100])
        assert "2026年11月20日" in first or rel != "supervision/index.html"


def test_a_notice_prints_without_its_days_left_and_no_heading_ends_a_sheet(browser, site):
    """An open notice's days left are out of date the day after it is posted; and a
    heading never stands at the foot of a sheet with its text on the next."""
    notices = sorted(p for p in site.glob("*/relief/*/index.html")
                     if HANS["notice_open"] in p.read_text(encoding="utf-8"))
    assert notices, "the demo has no open notice"
    html = notices[-1].read_text(encoding="utf-8")
    assert HANS["notice_days_left_short"].split("{")[0] in re.sub(r"<[^>]+>", "", html)  # on screen
    headings = [re.sub(r"\s+", "", htmllib.unescape(re.sub(r"<[^>]+>", "", h)))
                for h in re.findall(r"<h[2-4][^>]*>(.*?)</h[2-4]>", html, re.S)]
    page = browser.new_page()
    try:
        page.goto(notices[-1].as_uri())
        texts = _pdf_pages(page.pdf(format="A4"))
    finally:
        page.close()
    assert len(texts) > 1
    assert not any(HANS["notice_days_left_short"].split("{")[0] in t for t in texts)
    for t in texts[:-1]:
        assert not any(t.endswith(h) for h in headings if h), (t[-60:], headings)

