"""Search on the demo site, typed into real Chromium, from file:// and from a sub-path.

Checks exact recall against a substring count on folded text, script folding both
ways, filters, highlighting, one-character and document-number queries, no results,
the search box on an entry page, and the ranking against lunr.py built over the same
tokens.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

import pytest

from conftest import http_server
from site_builder.build import load_site
from site_builder.i18n import load_strings
from site_builder.search import (COMMON_SHARE, LONGEST, MOST_COMMON, entry_text, fold, joints, search_files,
                                  searchable, tokens)

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-20"
RECALL_QUERIES = ["财务", "財務", "低保", "东庄村", "東莊村", "四议两公开", "四議兩公開", "村", "公开",
                  "2025", "高政", "道路 硬化", "村务监督委员会", "收支明细", "觸摸屏", "合计",
                  # covered by extensions of common n-grams, and longer than any indexed n-gram
                  "财务公开", "村務公開", "公示期内向村务监督委员会主任", "以上收支凭证已经村务监督委员会逐笔审核签字"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("search") / "portal" / "gongkai"
    subprocess.run([sys.executable, "-m", "site_builder", "build", str(ROOT), "--output", str(out),
                    "--today", TODAY], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def site_model():
    site, problems = load_site(ROOT, dt.date.fromisoformat(TODAY))
    assert not problems.errors
    return site


@pytest.fixture(scope="module")
def server(demo):
    """Serve the folder that holds portal/gongkai/ so the site lives under a sub-path."""
    with http_server(demo.parents[1]) as root:
        yield root + "portal/gongkai/"


@pytest.fixture(params=["file", "http"])
def base(request, demo) -> str:
    if request.param == "file":
        return demo.as_uri() + "/"
    return request.getfixturevalue("server")


def run_query(page, base: str, query: str, **filters: str) -> dict:
    params = urllib.parse.urlencode({"q": query, **filters})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(r.url))
    page.goto(f"{base}search/index.html?{params}")
    page.wait_for_function("q => document.getElementById('search-app').getAttribute('data-ready') === q",
                           arg=query, timeout=15000)
    assert not errors, errors
    results = page.locator("#search-results > li")
    return {
        "hits": int(page.get_attribute("#search-results", "data-hits")),
        "partial": int(page.get_attribute("#search-results", "data-partial")),
        "hrefs": [a.get_attribute("href") for a in page.locator("#search-results > li > a").all()],
        "partial_flags": [("partial" in (li.get_attribute("class") or "")) for li in results.all()],
        "status": page.inner_text("#search-status"),
        "html": page.inner_html("#search-results"),
    }


def truth(site, query: str) -> set[str]:
    """Entries whose folded text contains every space-separated folded word."""
    words = fold(query).split()
    out = set()
    for item in searchable(site):
        title, body = entry_text(item)
        text = fold(title) + "\n" + fold(body)
        if all(w in text for w in words):
            out.add(item.url)
    return out


def urls(result: dict, hits_only: bool = True) -> list[str]:
    n = result["hits"] if hits_only else len(result["hrefs"])
    return [h.replace("../", "", 1) for h in result["hrefs"][:n]]


def test_exact_recall_against_substring_count(browser, base, site_model):
    page = browser.new_page()
    checked = 0
    for q in RECALL_QUERIES:
        expected = truth(site_model, q)
        result = run_query(page, base, q)
        assert result["hits"] == len(expected), (q, result["hits"], len(expected))
        page.evaluate("window.sbSearch && null")
        # every hit is listed first, and the first page shows only true hits
        shown = urls(result)
        assert set(shown) <= expected, q
        assert not any(result["partial_flags"][: result["hits"]])
        checked += 1
    assert checked == len(RECALL_QUERIES)


def test_random_phrases_have_exactly_their_hits(browser, demo, site_model):
    """Phrases cut at random from the entries (in the script they were written in) and
    phrases spliced from two such pieces, which mostly occur nowhere: the client's hits
    are exactly the entries holding each, however its n-grams are covered."""
    import random

    rng = random.Random(11)
    texts = ["\n".join(entry_text(item)) for item in searchable(site_model)]
    runs = [r for t in texts for r in re.findall("[\u3400-\u9fff]{2,}", t)]
    pieces = []
    while len(pieces) < 160:
        run = rng.choice(runs)
        n = rng.randint(2, min(len(run), 14))
        start = rng.randint(0, len(run) - n)
        pieces.append(run[start:start + n])
    queries = pieces[:120] + [a + b for a, b in zip(pieces[120:140], pieces[140:160])]
    page = browser.new_page()
    run_query(page, demo.as_uri() + "/", queries[0])
    found = page.evaluate("""async qs => {
        const out = [];
        for (const q of qs) {
            await window.sbSearch(q);
            out.push(+document.getElementById('search-results').getAttribute('data-hits'));
        }
        return out;
    }""", queries)
    expected = [len(truth(site_model, q)) for q in queries]
    assert [(q, f) for q, f in zip(queries, found)] == [(q, e) for q, e in zip(queries, expected)]
    assert sum(1 for e in expected[120:] if e == 0) >= 5 and min(expected[:120]) >= 1


def test_an_open_notice_among_the_results_says_so(browser, demo, site_model):
    """A resident searching 低保 must not miss the list under notice, whose days to object
    are running: its result is marked 公示中, by the browser's own date (the index is
    built once; the notice ends on its day), an ended one not."""
    import datetime as _dt

    notices = {i.url: i.notice for i in searchable(site_model) if i.notice and "低保" in i.entry.title}
    assert any(n.open for n in notices.values()) and not all(n.open for n in notices.values())
    context = browser.new_context()
    page = context.new_page()
    try:
        page.clock.install(time=_dt.datetime(2026, 11, 20, 9, 0))
        result = run_query(page, demo.as_uri() + "/", "低保")
        items = page.locator("#search-results > li").all()
        tagged = {li.locator("a").first.get_attribute("href").replace("../", "", 1): li.inner_text() for li in items}
        mark = load_strings("zh-Hans").ui["notice_open"]
        for url, notice in notices.items():
            if url in tagged:
                assert (mark in tagged[url]) == notice.open, (url, notice)
        assert any(mark in text for text in tagged.values()), result["status"]
    finally:
        context.close()


def test_below_its_hits_a_query_lists_only_near_misses(browser, demo, site_model):
    """An amount found is not followed by every entry holding one of its parts (581.90:
    each entry with a 90); a query of three terms or more may be followed by entries
    lacking one of them."""
    page = browser.new_page()
    result = run_query(page, demo.as_uri() + "/", "581.90")
    assert result["hits"] == len(truth(site_model, "581.90")) >= 1 and result["partial"] == 0, result["status"]


def test_words_typed_without_spaces_find_the_entries_that_hold_each(browser, demo, site_model):
    """People type 东庄村低保, not 东庄村 低保: no entry holds it as typed, so it is cut
    into what entries do hold, and the entries holding every piece are listed, said to
    be so (not counted as hits of the query as typed); a query some entry holds as typed
    is never cut."""
    page = browser.new_page()
    base = demo.as_uri() + "/"
    assert not truth(site_model, "东庄村低保") and truth(site_model, "东庄村 低保")
    result = run_query(page, base, "东庄村低保")
    split = int(page.get_attribute("#search-results", "data-split"))
    assert result["hits"] == 0 and split == len(truth(site_model, "东庄村 低保")), (result["status"], split)
    assert set(urls(result, hits_only=False)[:split]) <= truth(site_model, "东庄村 低保")
    assert result["status"].startswith(load_strings("zh-Hans").ui["search_split"].split("“")[0]) and "东庄村" in result["status"]
    assert "<mark>东庄村</mark>" in result["html"] and "<mark>低保</mark>" in result["html"]
    whole = run_query(page, base, "农村低保")  # held as typed: its hits, not cut
    assert whole["hits"] == len(truth(site_model, "农村低保")) > 0
    assert page.get_attribute("#search-results", "data-split") == "0"
    # never cut into characters alone: 张明低保 is not 张, 明 and 低保 anywhere in a list of names
    assert not truth(site_model, "张明") and truth(site_model, "张") and truth(site_model, "明")
    run_query(page, base, "张明低保")
    assert page.get_attribute("#search-results", "data-split") == "0"
    # a run longer than words typed (a sentence pasted) is not cut: that would ask for
    # up to half its length squared files
    assert not truth(site_model, "东庄村低保东庄村低保东庄村")
    run_query(page, base, "东庄村低保东庄村低保东庄村")
    assert page.get_attribute("#search-results", "data-split") == "0"
    # the pieces are named as typed, in the script typed
    trad = run_query(page, base + "zh-hant/", "東莊村低保")
    assert "“東莊村”" in trad["status"] and "“低保”" in trad["status"], trad["status"]


def test_traditional_and_simplified_are_one(browser, demo, site_model):
    page = browser.new_page()
    base = demo.as_uri() + "/"
    for simp, trad in [("四议两公开", "四議兩公開"), ("东庄村", "東莊村"), ("财务收支", "財務收支"),
                       ("北关村", "北關村"), ("了", "瞭")]:
        a, b = run_query(page, base, simp), run_query(page, base, trad)
        assert a["hits"] == b["hits"] > 0, (simp, trad)
        assert a["hrefs"] == b["hrefs"]
    # the Traditional-script village is found by a Simplified query on its own words
    beiguan = run_query(page, base, "关于原砖厂场地出租")
    assert beiguan["hits"] >= 1 and all("beiguan/" in h for h in urls(beiguan))
    # the link to the other script keeps the query and its filters (tester: typed again)
    a = run_query(page, base, "四议两公开", unit="dongzhuang")
    page.click("a.script-switch")
    page.wait_for_function("document.getElementById('search-app').getAttribute('data-ready') === '四议两公开'")
    assert page.url.startswith(base + "zh-hant/search/index.html?")
    assert page.input_value("#search-form [name=unit]") == "dongzhuang"
    assert int(page.get_attribute("#search-results", "data-hits")) == a["hits"] > 0
    page.click("a.script-switch")  # and back
    page.wait_for_function("document.getElementById('search-app').getAttribute('data-ready') === '四议两公开'")
    assert page.url.startswith(base + "search/index.html?")


def test_characters_opencc_changes_only_in_some_words_fold_alike():
    """瞭解 is 了解 and 藉口 借口, though t2s leaves 瞭 and 藉 alone (瞭望, 慰藉)."""
    for trad, simp in [("瞭解情況", "了解情况"), ("明瞭", "明了"), ("藉口", "借口"), ("甦醒", "苏醒")]:
        assert fold(trad) == fold(simp), trad


def test_filters_highlight_one_char_doc_number_and_no_results(browser, demo, site_model):
    page = browser.new_page()
    base = demo.as_uri() + "/"
    everything = run_query(page, base, "财务")
    in_unit = run_query(page, base, "财务", unit="dongzhuang")
    assert 0 < in_unit["hits"] < everything["hits"]
    assert all(h.startswith("dongzhuang/") for h in urls(in_unit))
    assert in_unit["hits"] == len({u for u in truth(site_model, "财务") if u.startswith("dongzhuang/")})
    in_cat = run_query(page, base, "公开", category="relief")
    assert in_cat["hits"] > 0 and all("/relief/" in h for h in urls(in_cat))
    assert run_query(page, base, "财务", unit="nowhere")["hits"] == 0
    in_year = run_query(page, base, "财务", year="2025")
    years = {i.url: i.entry.date.year for i in site_model.items}
    assert in_year["hits"] > 0 and all(years[h] == 2025 for h in urls(in_year))
    # filters shown in the form reflect the URL
    assert page.input_value("#search-unit") == "" and page.input_value("#search-year") == "2025"

    assert "<mark>财务</mark>" in everything["html"]
    trad = run_query(page, base, "財務")
    assert "<mark>财务</mark>" in trad["html"]  # the Simplified text is highlighted

    one = run_query(page, base, "镇")
    assert one["hits"] == len(truth(site_model, "镇")) > 0

    doc = next(i for i in site_model.items if i.entry.doc_no)
    by_doc_no = run_query(page, base, doc.entry.doc_no)
    assert doc.url in urls(by_doc_no)
    assert by_doc_no["hits"] == len(truth(site_model, doc.entry.doc_no))

    none = run_query(page, base, "这串字不会出现在任何公开信息里")
    assert none["hits"] == 0 and none["hrefs"] == []
    assert "没有找到结果" in none["status"]
    assert page.locator("#search-status a").count() == 1


def test_a_corrected_entry_is_marked_so_among_the_results(browser, demo, site_model):
    """As in the lists: a resident who finds the old figures is told they were corrected."""
    page = browser.new_page()
    found = run_query(page, demo.as_uri() + "/", "耕地地力保护补贴 第三村民小组")
    items = {i.url: i for i in site_model.items}
    marked = [h for h, li in zip(urls(found, hits_only=False), page.locator("#search-results > li").all())
              if li.locator(".tag-corrected").count()]
    assert marked == [u for u in urls(found, hits_only=False) if items[u].corrected_by]
    assert "nanguan/subsidies/2026-07-15-gengdi/index.html" in marked
    assert page.locator(".tag-corrected").first.inner_text() == load_strings().ui["corrected"]


def test_a_withdrawn_entry_is_found_by_what_its_page_still_shows(browser, tmp_path):
    """As in the lists: by its title, 文号 and why it was withdrawn, marked 已撤回 (a
    resident who saw it on the board learns it is gone, and why), never by its body;
    and withdrawing it renumbers no document after it (their snippet files stay)."""
    site = tmp_path / "site"
    folder = site / "content/dongzhuang/plans"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    first = folder / "2026-03-01-shuitang.md"
    first.write_text("---\ntitle: 东庄村水塘承包公告\ndate: 2026-03-01\ndoc_no: 东庄村委〔2026〕3号\n---\n\n"
                     "水塘承包给WDBODY，承包费每年八千元。\n", encoding="utf-8")
    for n, text in enumerate(("水塘承包费改为每年九千元。", "村道路灯维修完毕。")):
        (folder / f"2026-03-0{n + 2}-b{n}.md").write_text(
            f"---\ntitle: 东庄村公告{n}\ndate: 2026-03-0{n + 2}\n---\n\n{text}\n", encoding="utf-8")

    def build() -> dict[str, bytes]:
        done = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--today", TODAY],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return {p.name: p.read_bytes() for p in (site / "public/search/d").iterdir()}

    before = build()
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("doc_no:", "withdrawn: {date: 2026-03-05, reason: 承包价格录入错误}\ndoc_no:"),
                     encoding="utf-8")
    after = build()
    assert sorted(after) == sorted(before) and after["1.js"] == before["1.js"] and after["2.js"] == before["2.js"]
    assert after["0.js"] != before["0.js"] and b"W\x00D\x00B\x00O\x00D\x00Y" not in after["0.js"]
    page = browser.new_page()
    base = (site / "public").as_uri() + "/"
    for query in ("水塘承包公告", "东庄村委〔2026〕3号", "价格录入错误"):
        found = run_query(page, base, query)
        assert urls(found)[:1] == ["dongzhuang/plans/2026-03-01-shuitang/index.html"], (query, found)
        withdrawn = page.locator("#search-results > li").first.locator(".tag-withdrawn")
        assert withdrawn.inner_text() == load_strings().ui["withdrawn"], found["html"]
    assert run_query(page, base, "WDBODY")["hits"] == 0
    assert urls(run_query(page, base, "水塘承包费")) == ["dongzhuang/plans/2026-03-02-b0/index.html"]
    assert page.locator("#search-results > li").first.locator(".tag-withdrawn").count() == 0


def test_english_words_agree_with_their_number(browser, tmp_path, site_model):
    """Chinese has no plural; English has: "1 result", "2 results", "1 entry", on the
    pages, in the search page's script and in the build's summary."""
    site = tmp_path / "en"
    shutil.copytree(ROOT / "content", site / "content")
    (site / "site.yaml").write_text((ROOT / "site.yaml").read_text(encoding="utf-8").replace(
        "language: zh-Hans", "language: en", 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--today", TODAY],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^built \d+ entries, \d+ pages; \d+ files written", done.stdout, re.M), done.stdout
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (site / "public").rglob("*.html"))
    assert "1 entry<" in pages or "1 entry " in pages
    assert not re.search(r"\b1 (entries|results|days|working days)\b", pages)
    singles = [i for i in site_model.items if i.entry.doc_no and len(truth(site_model, i.entry.doc_no)) == 1]
    page = browser.new_page()
    base = (site / "public").as_uri() + "/"
    assert run_query(page, base, singles[0].entry.doc_no)["status"] == "1 result"
    many = run_query(page, base, "财务")
    assert many["status"] == f"{many['hits']} results" and many["hits"] > 1


def _site_of(tmp_path: Path, bodies: dict[str, tuple[str, str]], demo: bool = True) -> str:
    """The demo site (or its site.yaml alone) with more entries in 东庄村's plans, each
    {name: (title, body)}, built; the base URL of its output."""
    site = tmp_path / "site"
    if demo:
        shutil.copytree(ROOT / "content", site / "content")
    site.mkdir(exist_ok=True)
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    folder = site / "content/dongzhuang/plans"
    folder.mkdir(parents=True, exist_ok=True)
    for n, (name, (title, body)) in enumerate(bodies.items()):
        day = dt.date(2026, 3, 1) + dt.timedelta(days=n)
        (folder / f"{day}-{name}.md").write_text(f"---\ntitle: {title}\ndate: {day}\n---\n\n{body}\n",
                                                 encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--today", TODAY],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return (site / "public").as_uri() + "/"


def _solar_site(tmp_path: Path) -> Path:
    """The output of a site of one entry, on a solar plant's income (as a path)."""
    site_url = _site_of(tmp_path, {"a": ("东庄村光伏电站收益公开", "光伏电站收益386500元。")}, demo=False)
    return Path(urllib.request.url2pathname(urllib.parse.urlsplit(site_url).path))


def _add_and_build(site: Path, day: str) -> None:
    """An entry on the pumping station dated `day` added to 东庄村's plans, and the site built."""
    (site / f"content/dongzhuang/plans/{day}-b.md").write_text(
        f"---\ntitle: 东庄村抽水泵站维修公开\ndate: {day}\n---\n\n抽水泵站维修费用1200元。\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--today", TODAY],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_browser_that_kept_the_last_builds_files_finds_what_this_one_holds(browser, tmp_path):
    """A host may let browsers keep every file but pages for days. After an entry is
    added and the site rebuilt, a browser that searched before finds it: meta.js is
    asked for afresh, every other file of the index with the version meta.js names,
    and the style sheet and search.js by their bytes."""
    public = _solar_site(tmp_path)
    with http_server(public, kept=True) as base:
        context = browser.new_context()
        page = context.new_page()
        try:
            assert run_query(page, base, "抽水泵站")["hits"] == 0
            assert run_query(page, base, "光伏电站")["hits"] == 1
            day = "2026-03-09"
            _add_and_build(public.parent, day)
            found = run_query(page, base, "抽水泵站")
            assert found["hits"] == 1 and found["hrefs"][0].endswith(f"plans/{day}-b/index.html"), found
            assert run_query(page, base, "光伏电站")["hits"] == 1
        finally:
            context.close()
    html = (public / "search/index.html").read_text(encoding="utf-8")
    for name in ("style.css", "search.js"):
        version = hashlib.sha1((ROOT / "themes/default/assets" / name).read_bytes()).hexdigest()[:10]
        assert f"assets/{name}?v={version}\"" in html


def _search_in_page(page, query: str) -> dict:
    """A query typed into the search page already open (not loaded again)."""
    page.evaluate("q => window.sbSearch(q)", query)
    page.wait_for_function("q => document.getElementById('search-app').getAttribute('data-ready') === q",
                           arg=query, timeout=15000)
    return {"hits": int(page.get_attribute("#search-results", "data-hits")),
            "hrefs": [a.get_attribute("href") for a in page.locator("#search-results > li > a").all()],
            "titles": [a.inner_text() for a in page.locator("#search-results > li > a").all()]}


def test_a_search_page_left_open_across_a_build_finds_what_the_new_build_holds(browser, tmp_path):
    """A kiosk or a phone's tab keeps the search page open for hours. A build meanwhile
    that numbers the documents anew (an entry dated before the others) must not leave
    it reading the new files with the old metadata and documents: after ten minutes it
    asks for meta.js again, and drops what it loaded with another version."""
    public = _solar_site(tmp_path)
    with http_server(public, kept=True) as base:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.clock.install()
            assert run_query(page, base, "光伏电站")["hits"] == 1  # (doc 0, its snippet file loaded)
            day = "2026-02-01"  # (before the other: doc 0 now)
            _add_and_build(public.parent, day)
            page.clock.fast_forward("10:01")
            found = _search_in_page(page, "抽水泵站")
            assert found["hrefs"] == [f"../dongzhuang/plans/{day}-b/index.html"], found
            assert found["titles"] == ["东庄村抽水泵站维修公开"], found
            found = _search_in_page(page, "光伏电站")
            assert found["titles"] == ["东庄村光伏电站收益公开"], found
        finally:
            context.close()


def test_a_search_page_left_open_and_gone_offline_still_finds_what_it_loaded(browser, tmp_path):
    """A phone out of reach when meta.js is due again searches with what it loaded: the
    search does not fail."""
    public = _solar_site(tmp_path)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.clock.install()
        with http_server(public, kept=True) as base:
            assert run_query(page, base, "光伏电站")["hits"] == 1
        page.clock.fast_forward("10:01")  # (the server is gone)
        assert _search_in_page(page, "光伏电站")["hits"] == 1
        assert page.inner_text("#search-status") != load_strings("zh-Hans").ui["search_failed"]
    finally:
        context.close()


def test_a_ledger_is_found_by_the_figures_its_table_shows(browser, tmp_path):
    """Its four figures as the page shows them, the closing balance (computed, written
    nowhere) with or without the thousands comma, and a line's date as its table shows
    it (2026-02-05 for 2月5日) (tester: none of them was found)."""
    ledger = "```ledger\nopening: 10000.00\n日期,摘要,收入,支出\n2月5日,租金,3535,\n```"
    base = _site_of(tmp_path, {"a": ("东庄村2月账目", ledger)}, demo=False)
    page = browser.new_page()
    for query in ("13,535.00", "13535", "3,535.00", "2026-02-05"):
        found = run_query(page, base, query)
        assert found["hits"] == 1 and found["hrefs"][0].endswith("plans/2026-03-01-a/index.html"), (query, found)


def test_an_amount_is_found_with_or_without_its_thousands_commas(browser, tmp_path):
    """Residents type 386500 for 386,500.00 (and the other way): found either way, and by
    its parts as before, highlighted as written; 12019.5 for 12,019.50; a decimal's tail before a comma (2400.00,031) and a list
    (1,234,567,8) are not taken for grouped numbers. And two of the search fuzzer's
    findings: the word constructor, a snippet's window cutting a mark."""
    bodies = {"a": "道路硬化工程款386,500.00元，已于11月支付。", "b": "光伏电站收益386500元。",
              "c": "凭证记录：2400.00,031，经手人签字。", "d": "名单编号1,234,567,8。",
              "e": "项目承包方 constructor 张三", "f": "甲" * 100 + "抽检" + "乙" * 104 + "抽检" + "丙" * 50,
              "g": "房号101，102，103，凭证号001,002,003。",
              "h": "12345678" + "甲" * 52 + "抽样检测" + "乙" * 98 + "已付467450.14元。",
              "i": "丙" * 1496 + "已付467450.14元。", "j": "本月支出合计12,019.50元。", "k": "流转土地3.5亩。",
              "l": "2026.10 村民代表会议纪要"}
    base = _site_of(tmp_path, {f"amount-{k}": (f"金额测试{k}", body) for k, body in bodies.items()})
    page = browser.new_page()

    def found(query: str) -> list[str]:
        return sorted(h.rsplit("amount-", 1)[1][0] for h in urls(run_query(page, base, query)) if "amount-" in h)

    assert found("386500") == found("386,500") == found("３８６，５００") == ["a", "b"]
    assert found("386500.00") == found("386,500.00") == ["a"]
    assert found("386") == found("500") == ["a"]  # its parts still find it
    assert found("102") == found("002") == ["g"]  # a list that only looks like one number
    assert "<mark>386,500</mark>" in run_query(page, base, "386500")["html"]
    assert found("031") == ["c"] and found("00031") == []
    # an amount typed as a calculator shows it, without its last zero (reviewer), told
    # so; a figure of one decimal as written; not a month (2026.1 is January)
    assert found("12019.5") == found("12,019.5") == found("１２０１９．５") == found("12019.50") == ["j"]
    cents = run_query(page, base, "12019.5")
    assert "<mark>12,019.50</mark>" in cents["html"]
    assert cents["status"] == load_strings("zh-Hans").ui["search_cents"].format(amounts="12019.50", count=1), cents["status"]
    assert found("3.5") == ["k"] and found("3.50") == [] and found("19.5") == [] and found("2026.1") == []
    assert found("8") == ["d"] and found("1234567") == []
    # a word that names a property of every JavaScript object is a word like any other
    assert found("constructor") == ["e"]
    # a snippet's window never cuts a mark short nor leaves one empty
    marks = re.findall(r"<mark>(.*?)</mark>", run_query(page, base, "抽检")["html"])
    assert marks and set(marks) == {"抽检"}, marks
    # nor a number (its window would start at 78 of 12345678 and end at 46 of 467450.14), nor
    # does the text kept for snippets (1,500 characters, cut at 46 of the same)
    snippet = re.search(r'amount-h/index.html".*?<p class="snippet">(.*?)</p>', run_query(page, base, "抽样检测")["html"],
                        re.S).group(1)
    assert snippet.startswith("12345678") and "已付467450.14" in snippet, snippet
    kept = [f.read_bytes()[2:].decode("utf-16-le") for f in (tmp_path / "site/public/search/d").iterdir()]
    ends = [d[-12:] for d in kept if "金额测试i" in d]
    assert ends == ['丙丙丙丙已付…"]);\n'], ends
    assert [t for t, _ in tokens(fold("工程款386,500.00元 2400.00,031 1,234,567,8 a1,234"))] == [
        "工程", "程款", "386", "500", "00", "元", "2400", "00", "031", "1", "234", "567", "8", "a1", "234", "386500"]


def test_a_word_of_han_and_numbers_is_found_where_its_parts_stand_so(browser, demo, site_model, tmp_path):
    """A document number or a date is found where its parts stand one after the other
    (joints), not wherever each part is: every document number of the demo has exactly
    its true hits; a meeting of 高政 in 2022年12月 is not 高政〔2022〕12号, nor is a text
    with 2022年, 年12 and 12月 in different places 2022年12月. The punctuation between a
    number and what stands next to it is not compared (〔2022〕 or [2022]), nor are an
    amount's thousands commas (1,234元 or 1234元), and the text may have spaces there."""
    page = browser.new_page()
    numbers = sorted({i.entry.doc_no for i in site_model.items if i.entry.doc_no})
    assert len(numbers) > 5
    for number in numbers:
        assert set(urls(run_query(page, demo.as_uri() + "/", number))) == truth(site_model, number), number
    bodies = {"a": "根据高政〔2022〕12号文件精神，制定本方案。", "b": "高政办于2022年12月召开会议，审议第3号议题。",
              "c": "2023年12月起，共12户；2022年1月复核。", "d": "2022年12月复核低保对象。",
              "e": "拨付资金1,234元。", "f": "拨付资金1234元，另有234元。", "g": "拨付资金234,000元。",
              "h": "于 2022 年 12 月复核。", "i": "补贴1,000-2,000元。"}
    base = _site_of(tmp_path, {f"tie-{k}": (f"测试{k}", body) for k, body in bodies.items()}, demo=False)

    def found(query: str) -> list[str]:
        return sorted(h.rsplit("tie-", 1)[1][0] for h in urls(run_query(page, base, query)) if "tie-" in h)

    assert found("高政〔2022〕12号") == found("高政[2022]12号") == found("高政2022-12号") == ["a"]
    assert "<mark>高政〔2022〕12号</mark>" in run_query(page, base, "高政[2022]12号")["html"]  # marked as written
    assert found("2022年12月") == ["b", "d", "h"]  # (spaces between a number and Chinese: typeset so)
    assert found("年12月") == ["b", "c", "d", "h"]
    assert found("1,234元") == found("1234元") == ["e", "f"]
    assert found("234元") == ["e", "f"]
    assert found("资金234") == ["g"]
    assert found("1,000-2,000元") == found("1000-2000元") == ["i"]  # (two numbers joined, side by side)


def test_a_term_found_in_no_title_weighs_as_lunr_weighs_it(browser, tmp_path):
    """lunr's query vector holds every query term the index knows in each field: a term
    that is in no title still counts in the title's norm (the browser left it out, and
    boosted a long title holding the other term above the entry holding both)."""
    entries = {"t1": ("关于二〇二六年度村内道路及农田水利设施维修养护工作的情况说明", "请村民注意出行安全。"),
               "t2": ("工程公开", "道路安全，道路安全，"),
               **{f"f{n}": ("公示", "名单如下，公示七天。") for n in range(30)}}
    base = _site_of(tmp_path, entries, demo=False)
    index = _lunr_index(entries)
    query = index.create_query()
    for t, _ in tokens(fold("道路 安全")):
        query.term(t, use_pipeline=False)
    assert [r["ref"] for r in index.query(query)][:2] == ["t2", "t1"]
    hits = urls(run_query(browser.new_page(), base, "道路 安全"))
    assert [h.rsplit("-", 1)[1].split("/")[0] for h in hits] == ["t2", "t1"]


def test_box_on_entry_page_submits_to_search(browser, server, site_model):
    page = browser.new_page()
    item = next(i for i in site_model.items if i.unit.id == "dongzhuang" and i.category.id == "finance")
    page.goto(server + item.url)
    page.fill("#site-search", "低保")
    page.press("#site-search", "Enter")
    page.wait_for_function("() => document.getElementById('search-app') && "
                           "document.getElementById('search-app').getAttribute('data-ready') === '低保'",
                           timeout=15000)
    assert page.url.startswith(server + "search/index.html?q=")
    assert int(page.get_attribute("#search-results", "data-hits")) == len(truth(site_model, "低保"))


def test_without_javascript_the_page_links_the_archives(browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo.as_uri() + "/search/index.html?q=财务")
    assert page.is_visible("#search-noscript")
    links = page.locator("#search-noscript a")
    assert links.count() > 5
    context.close()


def _lunr_index(docs: dict[str, tuple[str, str]]):
    """lunr.py's index of {id: (title, body)} over the same tokens as ours, title boosted."""
    from lunr.builder import Builder

    builder = Builder()
    builder.pipeline.reset()
    builder.search_pipeline.reset()
    builder.ref("id")
    builder.field("title", 10)
    builder.field("body")
    for ref, (title, body) in docs.items():
        builder.add({"id": ref, "title": [t for t, _ in tokens(fold(title))],
                     "body": [t for t, _ in tokens(fold(body))]})
    return builder.build()


def test_ranking_follows_lunr(browser, demo, site_model):
    index = _lunr_index({item.url: entry_text(item) for item in searchable(site_model)})

    page = browser.new_page()
    base = demo.as_uri() + "/"
    compared = 0
    for q in ["财务收支", "低保", "道路硬化", "四议两公开", "东庄村", "党员", "工程招标", "补贴发放"]:
        result = run_query(page, base, q)
        hits = urls(result)
        if len(hits) < 2:
            continue
        query = index.create_query()
        for t, _ in tokens(fold(q)):
            query.term(t, use_pipeline=False)
        ranked = [r for r in index.query(query) if r["ref"] in set(hits)]
        scores = {r["ref"]: r["score"] for r in ranked}
        best = ranked[0]["score"]
        assert scores[hits[0]] >= best * 0.999, (q, hits[0], scores[hits[0]], best)
        top = min(10, len(hits))
        overlap = len(set(hits[:top]) & {r["ref"] for r in ranked[:top]})
        assert overlap >= min(8, top), (q, overlap, top)
        compared += 1
    assert compared >= 5


def test_index_is_deterministic_and_leaves_out_unpublished(tmp_path, demo):
    again = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "site_builder", "build", str(ROOT), "--output", str(again),
                    "--today", TODAY], check=True, capture_output=True)
    for path in sorted((demo / "search").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(demo)).read_bytes(), path
    index_text = "".join(p.read_text(encoding="utf-16") for p in (demo / "search" / "d").glob("*.js"))
    for md in (ROOT / "content").rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        if "draft: true" in text or "date: 2026-12" in text:
            title = next(line for line in text.splitlines() if line.startswith("title:"))
            assert title.split(":", 1)[1].strip().strip('"') not in index_text, md


class _Units:
    """A term's string read as assets/search.js reads it: segments of 15-bit units
    (the character minus U+3000), each VLQ header numbers (14 bits a unit, low first,
    bit 14 set where more follow), then Exp-Golomb codes bit by bit, top bit first,
    up to the end of a unit."""

    def __init__(self, encoded: str) -> None:
        self.units = [ord(c) - 0x3000 for c in encoded]
        self.at = 0
        self.bits: deque[int] = deque()

    def more(self) -> bool:
        return self.at < len(self.units)

    def number(self) -> int:
        self.bits.clear()  # a segment ends at the end of a unit
        n = shift = 0
        while True:
            d = self.units[self.at]
            self.at += 1
            n += (d & 0x3FFF) << shift
            shift += 14
            if not d & 0x4000:
                return n

    def _bit(self) -> int:
        if not self.bits:
            d = self.units[self.at]
            self.at += 1
            self.bits.extend((d >> (14 - i)) & 1 for i in range(15))
        return self.bits.popleft()

    def code(self, k: int) -> int:
        zeros = 0
        while not self._bit():
            zeros += 1
        n = 1
        for _ in range(zeros + k):
            n = n * 2 + self._bit()
        return n - (1 << k)


def _segments(encoded: str, streams: int, heads: bool):
    """Per segment: (first doc delta or None, documents, the orders of its streams, reader)."""
    r = _Units(encoded)
    while r.more():
        head = r.number() if heads else None
        docs, orders = r.number(), r.number()
        yield head, docs, [(orders >> (4 * s)) & 15 for s in range(streams)], r


def test_segments_read_back_whatever_the_numbers():
    """The bit packer against the reader, on numbers the demo never makes: codes longer
    than 30 bits (written in pieces), empty streams, numbers up to 2**40 - 1, headers
    of several units."""
    import numpy as np

    from site_builder import postings

    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 40, size=60)
    segment = np.repeat(np.arange(60), sizes)
    stream = rng.integers(0, 3, size=len(segment)) * (segment % 5 != 0)  # some with one stream only
    scale = rng.choice([1, 30, 1 << 12, 1 << 30], size=60)[segment]
    values = (rng.random(len(segment)) * scale).astype(np.int64)
    values[::97] = (1 << 40) - 1
    heads, docs = rng.integers(0, 1 << 20, size=60), sizes
    columns = [(values[stream == c], segment[stream == c]) for c in range(3)]
    data, start, head_end = postings.segments(columns, [heads, docs])
    text = data.decode("utf-16-le")
    assert (head_end > start[:-1]).all()
    got: list[list[int]] = [[], [], []]
    for s, (head, n, orders, r) in enumerate(_segments(text, 3, True)):
        assert (head, n) == (heads[s], docs[s])
        for c, (_, of) in enumerate(columns):
            got[c].extend(r.code(orders[c]) for _ in range(int((of == s).sum())))
    assert got == [v.tolist() for v, _ in columns]


def _chunk_terms(files: dict[str, bytes], folder: str) -> dict[str, str]:
    """{term: encoded} of every chunk file in search/<folder>/."""
    found: dict[str, str] = {}
    for path, data in files.items():
        if path.startswith(f"search/{folder}/"):
            text = data.decode("utf-16")
            found.update(json.loads(text[text.index(",") + 1:text.rindex(")")]))
    return found


def _postings(files: dict[str, bytes]) -> dict[str, dict[int, tuple[int, int]]]:
    """Every chunk's postings decoded: term -> doc id -> (count in title, count in body)."""
    found: dict[str, dict[int, tuple[int, int]]] = {}
    for term, encoded in _chunk_terms(files, "c").items():
        doc, docs = -1, {}
        for head, n, (k_delta, k_code, k_title), r in _segments(encoded, 3, True):
            deltas = [head * 2 + 1] + [r.code(k_delta) for _ in range(n - 1)]  # (the first is coded)
            codes = [r.code(k_code) + 1 if delta & 1 else 2 for delta in deltas]  # (else once, in the body)
            for delta, code in zip(deltas, codes):
                doc += (delta >> 1) + 1
                docs[doc] = (r.code(k_title) + 1 if code & 1 else 0, code >> 1)
        found[term] = docs
    return found


def _positions(files: dict[str, bytes], postings: dict) -> dict[str, dict[int, list[int]]]:
    """Every position list decoded: a bigram's in the order and number of its postings,
    a longer n-gram's and a joint's with doc deltas and counts of their own."""
    found: dict[str, dict[int, list[int]]] = {}
    for term, encoded in _chunk_terms(files, "p").items():
        docs: dict[int, list[int]] = {}
        counts = iter(postings[term].items()) if len(term) == 2 else None
        doc = -1
        for head, n, k, r in _segments(encoded, 2 if counts else 4, not counts):
            if counts:
                held = [next(counts) for _ in range(n)]
                ids, sizes = [d for d, _ in held], [title + body for _, (title, body) in held]
            else:
                ids = list(itertools.accumulate([head] + [r.code(k[0]) for _ in range(n - 1)],
                                                lambda a, b: a + b + 1, initial=doc))[1:]
                doc = ids[-1]
                sizes = [r.code(k[1]) + 1 for _ in range(n)]
            firsts = [r.code(k[-2]) for _ in range(n)]
            for d, first, size in zip(ids, firsts, sizes):
                docs[d] = list(itertools.accumulate([r.code(k[-1]) + 1 for _ in range(size - 1)], initial=first))
        assert counts is None or next(counts, None) is None, term
        found[term] = docs
    return found


def _han(text: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" for c in text)


@pytest.mark.parametrize("most", [MOST_COMMON, 40])
def test_postings_hold_every_token_whatever_the_spans(site_model, most, monkeypatch, tmp_path):
    """The index is built in spans of documents joined afterwards: as one span, or cut
    into spans of 7 or 10 documents, its decoded postings and positions are exactly the
    tokens and n-grams of each document, computed here the plain way:
    the common n-grams (in more than a quarter of the entries, up to LONGEST - 1 long;
    of those longer than 2, the `most` most frequent, shorter first) have postings and
    no positions; every extension of a common n-gram by one character, left or right,
    has every one of its positions. A span's terms encoded a few occurrences at a time
    give the same bytes; the scratch folder of a build is gone when it ends."""
    import tempfile

    import site_builder.postings as postings
    import site_builder.search as search

    monkeypatch.setattr(search, "MOST_COMMON", most)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    whole = dict(search_files(site_model, parallel=False, span=100_000))
    with monkeypatch.context() as m:
        m.setattr(postings, "PIECE", 5)
        assert dict(search_files(site_model, parallel=False, span=100_000)) == whole
    assert not list(tmp_path.iterdir())
    spans = [dict(search_files(site_model, parallel=False, span=size)) for size in (7, 10)]  # 10: its
                                                                                           # last 3 join a span
    texts = [tuple(fold(x) for x in entry_text(item)) for item in searchable(site_model)]
    grams: dict[str, dict[int, list[int]]] = {}   # every Han n-gram: doc -> positions
    for doc_id, (title, body) in enumerate(texts):
        text = title + "\n" + body
        for n in range(2, LONGEST + 1):
            for k in range(len(text) - n + 1):
                if _han(text[k:k + n]):
                    grams.setdefault(text[k:k + n], {}).setdefault(doc_id, []).append(k)
    frequent = {g for g, docs in grams.items() if len(g) < LONGEST and len(docs) > COMMON_SHARE * len(texts)}
    longer = sorted((-len(grams[g]), len(g), g) for g in frequent if len(g) > 2)
    common = {g for g in frequent if len(g) == 2} | {g for _, _, g in longer[:most]}
    meta = json.loads(whole["search/meta.js"].decode()[len("__sbMeta("):-3])
    assert set(meta["common"]) == common and any(len(g) > 3 for g in common)

    expected: dict[str, dict[int, list[int]]] = {}
    for doc_id, (title, body) in enumerate(texts):
        for field, text in enumerate((title, body)):
            terms = [t for t, _ in tokens(text)] + ["'" + c for c in text if "\u3400" <= c <= "\u9fff"]
            terms += [text[k:k + n] for n in range(3, LONGEST) for k in range(len(text) - n + 1)
                      if text[k:k + n] in common]
            for term in terms:
                counts = expected.setdefault(term, {}).setdefault(doc_id, [0, 0])
                counts[field] += 1
    extended = {g for g in grams if len(g) > 2 and g not in common and (g[1:] in common or g[:-1] in common)}
    plain = {g for g in grams if len(g) == 2 and g not in common}
    tied: dict[str, dict[int, list[int]]] = {}  # every joint: doc -> its values
    for doc_id, (title, body) in enumerate(texts):
        for joint, value in joints(title + "\n" + body):
            tied.setdefault(joint, {}).setdefault(doc_id, []).append(value)
    assert {"2025_年", "年_12", "12_月"} <= set(tied)
    for files in [whole, *spans]:
        assert set(files) == set(whole)
        decoded = _postings(files)
        assert decoded == {t: {d: tuple(c) for d, c in docs.items()} for t, docs in expected.items()}
        positions = _positions(files, decoded)
        assert set(positions) == plain | extended | set(tied)
        assert all(positions[g] == grams[g] for g in positions if g not in tied)
        assert all(positions[j] == {d: sorted(v) for d, v in tied[j].items()} for j in tied)


def test_joints_of_whole_arrays_equal_the_plain_ones(monkeypatch):
    """postings.Span finds the same words and joints (term, document, value) in a span's
    arrays as search.tokens and search.joints do in each text plainly, on random texts
    of Han runs, numbers (grouped, side by side, in lists), punctuation, spaces of every
    kind, line breaks and characters outside the BMP."""
    import random
    from collections import Counter

    import site_builder.postings as postings
    from site_builder.search import _fold_array, _prefold

    found: list[tuple[int, str, int]] = []
    encode = postings.encode_positions

    def caught(key, doc, value, base, headers, names):
        found.extend((d, names[k - postings._WORDS], v) for k, d, v in zip(key.tolist(), doc.tolist(), value.tolist()))
        return encode(key, doc, value, base, headers, names)

    monkeypatch.setattr(postings, "encode_positions", caught)
    pieces = [*"高政〔〕号年月元款村 \n,.-，。（）ab12３0東", "2022", "386,500", "1,234", "5,678元", "1,234,567",
              "1,000-2,000", "2,000，3,000", "\u3000", "\t", "\U00020000", "\u2028", "abcde"]
    rng = random.Random(4)
    for _ in range(400):
        docs = [tuple(_prefold("".join(rng.choice(pieces) for _ in range(rng.randint(0, n)))) for n in (6, 24))
                for _ in range(rng.randint(1, 3))]
        span = postings.Span.of(docs, _fold_array())
        found.clear()
        span.joints(0)
        at, key, names = span.words()
        words = Counter((int(span.doc[a]), names[k - postings._WORDS]) for a, k in zip(at.tolist(), key.tolist()))
        plain_words, plain_joints = Counter(), Counter()
        for d, (title, body) in enumerate(docs):
            text = fold(title) + "\n" + fold(body)
            plain_words.update((d, t) for t, _ in tokens(text) if t.isascii())
            plain_joints.update((d, j, v) for j, v in joints(text))
        assert words == plain_words and Counter(found) == plain_joints, docs


def test_cached_parts_serve_while_they_hold_every_candidate(tmp_path, site_model, monkeypatch):
    """A span's index is reused from the cache when it was made with the candidates for
    common n-grams this build needs (or more), and made again when one is missing;
    either way the files are those of a build without a cache."""
    import site_builder.search as search
    from site_builder.cache import Cache

    plain = dict(search_files(site_model, parallel=False, span=16))
    real_candidates, real_index, made = search._candidates, search._index_part, []
    monkeypatch.setattr(search, "_index_part", lambda shared, span: made.append(span) or real_index(shared, span))
    trigrams = sorted({t[k:k + 3] for item in searchable(site_model) for t in map(fold, entry_text(item))
                       for k in range(len(t) - 2) if _han(t[k:k + 3])})

    def real(*args):
        return real_candidates(*args)

    def more(*args):  # trigrams that are not common, as if some span had found them often
        return {**real(*args), 3: real(*args)[3] | set(trigrams[::2])}

    def other(*args):
        return {**real(*args), 3: real(*args)[3] | set(trigrams[1::2])}

    def shorter(*args):  # none of the longest length: parts made with them still serve
        return {k: v for k, v in real(*args).items() if k < max(real(*args))}

    memo = Cache(tmp_path, "search")
    for candidates, remade in ((real, True), (more, True), (real, False), (more, False), (other, True),
                               (shorter, False)):
        monkeypatch.setattr(search, "_candidates", candidates)
        fresh = dict(search_files(site_model, parallel=False, span=16))
        assert fresh == plain or candidates is shorter
        made.clear()
        assert dict(search_files(site_model, parallel=False, span=16, memo=memo)) == fresh
        assert bool(made) == remade, candidates.__name__


def test_site_without_search_has_no_index(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    (site / "site.yaml").write_text((ROOT / "site.yaml").read_text(encoding="utf-8") + "search: false\n",
                                    encoding="utf-8")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--output", str(out),
                    "--today", TODAY], check=True, capture_output=True)
    assert not (out / "search").exists()
    assert 'role="search"' not in (out / "index.html").read_text(encoding="utf-8")
