"""What a build writes: links that resolve, the URL layout, reproducible bytes, what
must never be published, safe rewrites of the output folder, feeds, and the entry
page's parts (ledger, corrections, neighbours, attachments, sanitized body, theme)."""
from __future__ import annotations

import gzip
import json
import posixpath
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import (CLI_TIMEOUT, CORPUS_SCRIPT, LEDGER_OCT, REPO, SITE_YAML, VOTES_CSV, build_ok, describe, msg,
                      parse_html, run_build, snapshot, write_files)
from site_builder.i18n import load_strings

BASE_URL = "https://example.org/gov/"
UI = yaml.safe_load((REPO / "site_builder/strings/zh-Hans.yaml").read_text(encoding="utf-8"))["ui"]
EXTERNAL_SCHEMES = ("http:", "https:", "mailto:", "tel:", "data:", "//")


# ----------------------------------------------------------------------------- link checking

class LinkReport:
    def __init__(self) -> None:
        self.checked = 0
        self.errors: list[str] = []


def _ids_of(out: Path, rel: str, cache: dict) -> set[str]:
    if rel not in cache:
        cache[rel] = parse_html(out / rel).ids
    return cache[rel]


def check_links(out: Path, base_url: str = "") -> LinkReport:
    """Follow every internal href/src of every HTML file under `out`.

    Internal links must be relative (no leading `/`, except in 404.html, which may be
    served from any depth), resolve inside `out` to an existing file (a directory link
    must name its index.html) and, with a #fragment, to an existing id in the target.
    With a base_url, absolute links under it count as internal too.
    """
    report = LinkReport()
    ids: dict[str, set[str]] = {}
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert pages, f"no HTML in {out}"
    for rel in pages:
        parsed = parse_html(out / rel)
        ids[rel] = parsed.ids
        for tag, attr, value, attrs in parsed.links:
            where = f"{rel}: <{tag} {attr}={value!r}>"
            value = value.strip()
            if not value:
                report.errors.append(f"{where}: empty link")
                continue
            if value.lower().startswith("javascript:"):
                report.errors.append(f"{where}: javascript: URL")
                continue
            if base_url and value.startswith(base_url):
                path = urlsplit(value[len(base_url):]).path
                target = unquote(path)
                if target == "" or target.endswith("/"):
                    target += "index.html"
                report.checked += 1
                if not (out / target).is_file():
                    report.errors.append(f"{where}: {target} does not exist")
                continue
            if value.startswith(EXTERNAL_SCHEMES) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                continue
            report.checked += 1
            if value.startswith("/"):
                if rel != "404.html":
                    report.errors.append(f"{where}: root-relative link (breaks under a sub-path and file://)")
                continue
            parts = urlsplit(value)
            fragment = unquote(parts.fragment)
            if not parts.path:  # same-page anchor
                if fragment and fragment not in parsed.ids:
                    report.errors.append(f"{where}: no id {fragment!r} on this page")
                continue
            if parts.path.endswith("/"):
                report.errors.append(f"{where}: directory link (must end in index.html)")
                continue
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
            if joined.startswith("../") or joined == "..":
                report.errors.append(f"{where}: points outside the site")
                continue
            target = out / joined
            if target.is_dir():
                report.errors.append(f"{where}: directory link (must end in index.html)")
            elif not target.is_file():
                report.errors.append(f"{where}: {joined} does not exist")
            elif fragment and joined.endswith(".html") and fragment not in _ids_of(out, joined, ids):
                report.errors.append(f"{where}: no id {fragment!r} in {joined}")
    return report


def assert_links_ok(out: Path, label: str, base_url: str = "") -> int:
    report = check_links(out, base_url)
    print(f"\n[links] {label}: {report.checked} internal links checked, {len(report.errors)} broken")
    assert not report.errors, f"{len(report.errors)} broken links in {label}:\n" + "\n".join(report.errors[:60])
    assert report.checked > 0
    return report.checked


def test_demo_links_resolve(demo_build):
    assert_links_ok(demo_build, "demo site")


def test_corpus_links_resolve(corpus_build):
    n = assert_links_ok(corpus_build, "generated corpus (200 entries, 8 units)")
    assert n > 1000


def test_small_site_links_resolve(make_site, tmp_path):
    assert_links_ok(build_ok(make_site(), tmp_path / "out"), "small site")


def test_base_url_site_links_resolve(make_site, tmp_path):
    site = make_site({"site.yaml": SITE_YAML.replace('base_url: ""', f'base_url: "{BASE_URL}"')})
    assert_links_ok(build_ok(site, tmp_path / "out"), "small site with base_url", BASE_URL)


def test_no_root_relative_links_without_base_url(demo_build, corpus_build):
    for out in (demo_build, corpus_build):
        for page in out.rglob("*.html"):
            if page.name == "404.html" and page.parent == out:
                continue
            for tag, attr, value, _ in parse_html(page).links:
                assert not value.startswith("/"), f"{page.relative_to(out)}: {tag} {attr}={value}"


# ----------------------------------------------------------------------------- URL layout

def test_url_layout(make_site, tmp_path):
    out = build_ok(make_site(), tmp_path / "out")
    expected = [
        "index.html", "404.html",
        "town/index.html", "dongcun/index.html", "xicun/index.html",
        "dongcun/finance/index.html", "dongcun/decisions/index.html", "town/services/index.html",
        "xicun/relief/index.html",
        "dongcun/finance/2026-09-caiwu/index.html", "dongcun/finance/2026-10-caiwu/index.html",
        "dongcun/decisions/2026-11-02-daolu/index.html", "town/services/dibao-zhinan/index.html",
        "xicun/relief/2026-q3-dibao/index.html",
    ]
    missing = [p for p in expected if not (out / p).is_file()]
    assert not missing, f"missing {missing}; have {sorted(snapshot(out))}"


def test_a_unit_with_nothing_published_says_so_once(make_site, tmp_path):
    site = make_site({"site.yaml": SITE_YAML.replace("categories:\n", "  - id: beicun\n    name: 北村\n"
                                                     "    kind: village\n    parent: town\ncategories:\n", 1)})
    out = build_ok(site, tmp_path / "out")
    home = (out / "index.html").read_text(encoding="utf-8")
    card = home[home.index(">北村</a>", home.index('class="unit-cards"')):]
    card = card[:card.index("</li>")]
    assert UI["never_updated"] in card and UI["no_entries"] not in card, card


def test_an_english_site_punctuates_in_english(make_site, tmp_path):
    """Lists, asides and messages follow the site's language: no 、 or （） on English pages."""
    site = make_site({"site.yaml": SITE_YAML.replace("language: zh-Hans", "language: en", 1),
                      "content/dongcun/decisions/2026-11-03-tags.md":
                          "---\ntitle: Road repair\ndate: 2026-11-03\ntags: [roads, repair]\n---\n\nAgreed.\n"})
    out = build_ok(site, tmp_path / "out")
    page = (out / "dongcun/decisions/2026-11-03-tags/index.html").read_text(encoding="utf-8")
    assert "roads, repair" in page and " (村务公开)" in page, page
    assert not re.search("[、（），]", re.sub("<[^>]*>", "", page).replace("村务公开", "")), page
    bad = site / "content/dongcun/decisions/2026-11-04-unit.md"
    bad.write_text("---\ntitle: Wrong unit\ndate: 2026-11-04\nunit: nowhere\n---\n\nText.\n", encoding="utf-8")
    result = run_build(site, output=tmp_path / "out")
    assert "use the id or name of an existing unit (town (测试镇人民政府), dongcun (东村), xicun (西村))" in \
        result.stdout + result.stderr, \
        describe(result)


def test_demo_url_layout(demo_site, demo_build):
    config = yaml.safe_load((demo_site / "site.yaml").read_text(encoding="utf-8"))
    assert (demo_build / "index.html").is_file()
    for unit in config["units"]:
        assert (demo_build / unit["id"] / "index.html").is_file(), unit["id"]
        for cat in config["categories"]:
            assert (demo_build / unit["id"] / cat["id"] / "index.html").is_file(), (unit["id"], cat["id"])
    # Every entry page lives at <unit>/<category>/<stem>/index.html of its source file.
    entry_pages = [p for p in demo_build.glob("*/*/*/index.html")
                   if p.parts[-4] in {u["id"] for u in config["units"]}
                   and p.parts[-3] in {c["id"] for c in config["categories"]}]
    assert entry_pages
    for page in entry_pages:
        unit, cat, stem = page.parts[-4:-1]
        assert (demo_site / "content" / unit / cat / f"{stem}.md").is_file(), page


# ----------------------------------------------------------------------------- reproducibility

def _assert_same_tree(a: Path, b: Path) -> None:
    sa, sb = snapshot(a), snapshot(b)
    assert sorted(sa) == sorted(sb), set(sa) ^ set(sb)
    differ = [k for k in sa if sa[k] != sb[k]]
    if differ:
        x, y = sa[differ[0]], sb[differ[0]]
        at = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
        detail = (f"first difference in {differ[0]} at byte {at}:\n"
                  f"  {x[max(0, at - 80):at + 80]!r}\n  {y[max(0, at - 80):at + 80]!r}")
        raise AssertionError(f"{len(differ)} files differ, e.g. {differ[:10]}\n{detail}")


def _build_twice(site: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two builds of one input into two folders, back to back, with different hash
    seeds (so nothing may depend on set or dict-of-set iteration order)."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"build-{seed}"
        result = run_build(site, output=out, env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, describe(result)
        outs.append(out)
    return outs[0], outs[1]


def test_same_input_same_bytes_corpus(corpus_site, tmp_path):
    _assert_same_tree(*_build_twice(corpus_site, tmp_path))


def test_same_input_same_bytes_demo(demo_site, tmp_path):
    _assert_same_tree(*_build_twice(demo_site, tmp_path))


def test_same_input_same_bytes_with_feeds(make_site, tmp_path):
    site = make_site({"site.yaml": SITE_YAML.replace('base_url: ""', f'base_url: "{BASE_URL}"')})
    a, b = _build_twice(site, tmp_path)
    assert (a / "feed.xml").is_file()
    _assert_same_tree(a, b)


# ----------------------------------------------------------------------------- never published

WITHDRAWN = """\
---
title: 撤回测试WDTITLEMARK
date: 2026-10-20
withdrawn: {date: 2026-11-10, reason: 误传了未脱敏的名单WDREASONMARK}
attachments: [wd-list-WDATTNAMEMARK.csv]
---

WDBODYMARK 本条原文列出了补贴对象的详细信息。
"""


def test_drafts_future_and_withdrawn_are_not_published(make_site, tmp_path):
    site = make_site({
        "site.yaml": SITE_YAML.replace('base_url: ""', f'base_url: "{BASE_URL}"'),
        "content/dongcun/decisions/draft.md":
            "---\ntitle: 草稿DRAFTTITLEMARK\ndate: 2026-11-01\ndraft: true\n---\n\nDRAFTBODYMARK 正文。\n",
        "content/dongcun/decisions/draft-cn.md":
            "---\n标题: 草稿DRAFTCNMARK\n日期: 2026-11-01\n草稿: true\n---\n\nDRAFTCNBODYMARK\n",
        "content/dongcun/decisions/future.md":
            "---\ntitle: 明天才发布FUTURETITLEMARK\ndate: 2026-11-21\n---\n\nFUTUREBODYMARK 正文。\n",
        "content/dongcun/decisions/today.md":
            "---\ntitle: 今天发布TODAYTITLEMARK\ndate: 2026-11-20\n---\n\nTODAYBODYMARK 正文。\n",
        "content/dongcun/decisions/wd.md": WITHDRAWN,
        "content/dongcun/decisions/wd-list-WDATTNAMEMARK.csv": "户主,金额\nWDATTMARK,100\n",
    })
    out = build_ok(site, tmp_path / "out")
    files = snapshot(out)
    forbidden = ["DRAFTTITLEMARK", "DRAFTBODYMARK", "DRAFTCNMARK", "DRAFTCNBODYMARK",
                 "FUTURETITLEMARK", "FUTUREBODYMARK", "WDBODYMARK", "WDATTMARK", "WDATTNAMEMARK"]
    leaks = [f"{m} in {name}" for name, data in files.items() for m in forbidden
             if m.encode() in data or m in name]
    assert not leaks, "\n".join(leaks)
    assert not (out / "dongcun/decisions/draft").exists()
    assert not (out / "dongcun/decisions/future").exists()
    # An entry dated today is published.
    assert b"TODAYBODYMARK" in files["dongcun/decisions/today/index.html"]
    # The withdrawn entry keeps its page: title, date and reason, nothing else.
    page = files["dongcun/decisions/wd/index.html"].decode("utf-8")
    assert "WDTITLEMARK" in page
    assert "WDREASONMARK" in page
    assert "2026年11月10日" in page
    assert not list((out / "dongcun/decisions/wd").glob("*.csv"))
    # The open data tell when and why, as the page does.
    listed = {e["title"]: e for e in json.loads(files["data/entries.json"])}
    assert {k: listed["撤回测试WDTITLEMARK"][k] for k in ("withdrawn", "withdrawn_date", "withdrawn_reason")} == {
        "withdrawn": True, "withdrawn_date": "2026-11-10", "withdrawn_reason": "误传了未脱敏的名单WDREASONMARK"}
    assert {listed["今天发布TODAYTITLEMARK"][k] for k in ("withdrawn_date", "withdrawn_reason")} == {None}


def test_a_withdrawal_is_news_in_the_feeds(make_site, tmp_path):
    """Those who follow the site learn of a withdrawal on its day: the entry moves to
    the place of that day in the feeds, marked, with the reason (never its old text)."""
    site = make_site({"site.yaml": SITE_YAML.replace('base_url: ""', f'base_url: "{BASE_URL}"'),
                      "content/dongcun/decisions/wd.md": WITHDRAWN})
    out = build_ok(site, tmp_path / "out")
    for name in ("feed.xml", "dongcun/feed.xml"):
        entries = ET.parse(out / name).getroot().findall(f"{ATOM}entry")
        stamps = [e.findtext(f"{ATOM}updated") for e in entries]
        assert stamps == sorted(stamps, reverse=True), (name, stamps)
        withdrawn = [e for e in entries if "WDTITLEMARK" in e.findtext(f"{ATOM}title")]
        assert len(withdrawn) == 1, name
        e = withdrawn[0]
        assert e.findtext(f"{ATOM}title") == UI["feed_withdrawn"].format(title="撤回测试WDTITLEMARK")
        assert e.findtext(f"{ATOM}updated") == "2026-11-10T00:00:00+08:00"  # (its withdrawal, not 10-20)
        assert e.findtext(f"{ATOM}summary") == UI["withdrawn_reason"] + "误传了未脱敏的名单WDREASONMARK"
        assert entries[0] is e  # (withdrawn on 11-10, after every other entry's date; published on 10-20)
    assert b"WDBODYMARK" not in (out / "feed.xml").read_bytes()


def test_the_board_sheet_of_the_month_of_a_withdrawal_lists_it(make_site, tmp_path):
    """The sheet posted in November tells that October's entry was withdrawn, and why:
    a resident who read it on the board learns it is taken down."""
    site = make_site({"content/dongcun/decisions/wd.md": WITHDRAWN})
    out = build_ok(site, tmp_path / "out")
    november = (out / "dongcun/board/2026-11/index.html").read_text(encoding="utf-8")
    head, _, withdrawals = november.partition(UI["board_withdrawn"])
    assert "WDTITLEMARK" not in head and "WDTITLEMARK" in withdrawals
    assert UI["board_foot"].format(publisher="东村") in november  # (the village posts it: tester)
    assert UI["withdrawn_reason"] + "误传了未脱敏的名单WDREASONMARK" in withdrawals
    october = (out / "dongcun/board/2026-10/index.html").read_text(encoding="utf-8")
    assert "WDTITLEMARK" in october and UI["board_withdrawn"] not in october  # (its own month's, marked)
    assert UI["board_withdrawn"] not in (out / "xicun/board/2026-10/index.html").read_text(encoding="utf-8")
    page = (out / "dongcun/decisions/wd/index.html").read_text(encoding="utf-8")
    assert f'href="../../../dongcun/board/2026-11/index.html">{UI["withdrawn_board"]}</a>' in page


def test_a_month_of_withdrawals_alone_has_a_sheet_the_entry_links(make_site, tmp_path):
    """Withdrawn in a month when the unit published nothing: the sheet still tells it,
    headed so (no archive page of the month links it: the withdrawn entry's page does),
    its crumbs naming no year page (which may not exist, and would depend on entries the
    sheet does not show). Withdrawn on a day after today (in force now), or on no day
    told: no sheet of its own, that would move month by month; its page links the sheet
    of its own month, where it is marked withdrawn."""
    later = WITHDRAWN.replace("wd-list-WDATTNAMEMARK.csv", "").replace("2026-11-10", "2027-03-05")
    site = make_site({"content/dongcun/decisions/wd.md": WITHDRAWN.replace("2026-11-10", "2027-01-05"),
                      "content/dongcun/decisions/wd-later.md": later.replace("WDTITLEMARK", "LATERMARK"),
                      "content/dongcun/decisions/wd-dateless.md":
                          later.replace("WDTITLEMARK", "DATELESSMARK").replace("date: 2027-03-05, ", "")})
    out = build_ok(site, tmp_path / "out", today="2027-02-10")
    sheet = (out / "dongcun/board/2027-01/index.html").read_text(encoding="utf-8")
    assert UI["board_heading_withdrawn"].format(y=2027, m=1) in sheet and UI["board_lead_withdrawn"] in sheet
    assert "WDTITLEMARK" in sheet and "WDREASONMARK" in sheet and UI["board_withdrawn"] not in sheet
    crumbs = re.search(r"<nav class=\"crumbs.*?</nav>", sheet, re.S).group(0)
    assert re.findall(r'href="([^"]*)"', crumbs) == ["../../../index.html", "../../../dongcun/index.html"], crumbs
    assert not (out / "dongcun/2027").exists()

    def sheet_linked(name: str) -> str:
        page = (out / f"dongcun/decisions/{name}/index.html").read_text(encoding="utf-8")
        return re.search(rf'href="../../../dongcun/board/([0-9-]+)/index.html">{UI["withdrawn_board"]}</a>', page).group(1)

    assert sheet_linked("wd") == "2027-01"
    assert sheet_linked("wd-later") == sheet_linked("wd-dateless") == "2026-10"
    assert "LATERMARK" in (out / "dongcun/board/2026-10/index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "dongcun/board").iterdir() if p.name >= "2026-11") == ["2026-11", "2027-01"]


def test_a_notice_withdrawn_is_no_longer_listed_as_open(make_site, tmp_path):
    """Its days to object ended with it: the home and unit pages do not count them down,
    nor does its page; its board sheet says when and why it was withdrawn."""
    site = make_site({"content/dongcun/decisions/2026-11-18-gongshi.md":
                      "---\ntitle: 撤回的公示WDNOTICE\ndate: 2026-11-18\nwithdrawn: {date: 2026-11-19, reason: 有误}\n---\n\n正文。\n"})
    out = build_ok(site, tmp_path / "out")
    for page in ("index.html", "dongcun/index.html"):
        html = (out / page).read_text(encoding="utf-8")
        notices = re.search(r'(?s)<section aria-labelledby="notices-heading".*?</section>', html)
        assert notices is None or "WDNOTICE" not in notices.group(0), page
    assert "WDNOTICE" in (out / "dongcun/index.html").read_text(encoding="utf-8")  # (listed, as withdrawn)
    ui = load_strings().ui
    page = (out / "dongcun/decisions/2026-11-18-gongshi/index.html").read_text(encoding="utf-8")
    assert ui["notice_open"] not in page and ui["withdrawn_notice"] in page
    sheet = (out / "dongcun/board/2026-11/index.html").read_text(encoding="utf-8")
    item = re.search(r'(?s)<li class="board-item">(?:(?!</li>).)*WDNOTICE.*?</li>', sheet).group(0)
    assert ui["notice_open"] not in item and ui["withdrawn_reason"] + "有误" in item, item


# ----------------------------------------------------------------------------- rewriting the output

def test_deleted_and_renamed_entries_disappear(make_site, tmp_path):
    site = make_site()
    out = build_ok(site, tmp_path / "out")
    assert (out / "dongcun/decisions/2026-11-02-daolu/index.html").is_file()
    assert (out / "dongcun/decisions/2026-11-02-daolu/表决结果.csv").is_file()
    assert (out / "dongcun/finance/2026-09-caiwu/index.html").is_file()

    (site / "content/dongcun/decisions/2026-11-02-daolu.md").unlink()
    src = site / "content/dongcun/finance/2026-09-caiwu.md"
    src.rename(src.with_name("2026-09-caiwu-v2.md"))
    build_ok(site, out)

    assert not (out / "dongcun/decisions/2026-11-02-daolu").exists()
    assert not (out / "dongcun/finance/2026-09-caiwu").exists()
    assert (out / "dongcun/finance/2026-09-caiwu-v2/index.html").is_file()
    for name, data in snapshot(out).items():
        assert "2026-11-02-daolu".encode() not in data, name
        assert b"2026-09-caiwu/" not in data, name
    assert_links_ok(out, "small site after delete and rename")


def test_failed_build_leaves_previous_output_untouched(make_site, tmp_path):
    site = make_site()
    out = build_ok(site, tmp_path / "out")
    before = snapshot(out)
    dirs_before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    write_files(site, {
        "content/dongcun/decisions/2026-11-10-new.md": "---\ntitle: 新的决议\ndate: 2026-11-10\n---\n\n正文。\n",
        "content/dongcun/finance/2026-11-bad.md": "---\ntitle: 没有日期\n---\n\n正文。\n",
        "content/dongcun/nosuch/2026-11-bad.md": "---\ntitle: 栏目不存在\ndate: 2026-11-10\n---\n\n正文。\n",
    })
    (site / "content/town/services/dibao-zhinan.md").unlink()
    result = run_build(site, output=out)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == dirs_before


def test_refuses_a_folder_it_did_not_create(make_site, tmp_path):
    site = make_site()
    out = tmp_path / "somebody-elses"
    out.mkdir()
    (out / "notes.txt").write_text("重要资料，不要删除", encoding="utf-8")
    result = run_build(site, output=out)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stderr
    assert f"{out}: {msg('error_label')}{msg('output_not_ours')}" in result.stderr.splitlines(), describe(result)
    assert snapshot(out) == {"notes.txt": "重要资料，不要删除".encode("utf-8")}


@pytest.mark.parametrize("inside", ["content/dongcun/out", "content", "themes/local/out"])
def test_refuses_an_output_folder_inside_the_sites_own_files(make_site, inside):
    """`-o out` given in a unit's folder: what is built would be read back as the site's
    own files (and change its inputs at every build)."""
    site = make_site()
    result = run_build(site, output=site / inside)
    assert result.returncode == 1, describe(result)
    folder = inside.split("/")[0] + "/"
    assert f"{site / inside}: {msg('error_label')}{msg('output_in_inputs', folder=folder)}" \
        in result.stderr.splitlines(), describe(result)
    assert not (site / "content/dongcun/out").exists() and not (site / "themes").exists()


def test_rebuild_into_own_folder_is_fine(make_site, tmp_path):
    site = make_site()
    out = build_ok(site, tmp_path / "out")
    first = snapshot(out)
    build_ok(site, out)
    assert snapshot(out) == first


# ----------------------------------------------------------------------------- feeds

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_feeds_sitemap_robots_with_base_url(make_site, tmp_path):
    site = make_site({"site.yaml": SITE_YAML.replace('base_url: ""', f'base_url: "{BASE_URL}"')})
    out = build_ok(site, tmp_path / "out")
    feeds = ["feed.xml", "town/feed.xml", "dongcun/feed.xml", "xicun/feed.xml"]
    for name in feeds:
        root = ET.parse(out / name).getroot()
        assert root.tag == f"{ATOM}feed", name
        urls = [el.get("href") for el in root.iter(f"{ATOM}link")] + \
               [el.text for el in root.iter(f"{ATOM}id")]
        assert urls
        for url in urls:
            assert url.startswith(BASE_URL), (name, url)
    entries = ET.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert len(entries) == 5
    # a printed page ends with its full address (without base_url, with none: a path
    # under the site means nothing on a bulletin board)
    page = (out / "dongcun/decisions/2026-11-02-daolu/index.html").read_text(encoding="utf-8")
    assert f'<p class="print-only print-url">{UI["page_address"]}{BASE_URL}dongcun/decisions/2026-11-02-daolu/</p>' in page
    titles = {e.findtext(f"{ATOM}title") for e in entries}
    assert "东村2026年10月财务收支公开" in titles
    dongcun = ET.parse(out / "dongcun/feed.xml").getroot().findall(f"{ATOM}entry")
    assert len(dongcun) == 3
    # a unit's pages offer its own feed besides the site's (in the head and at the foot)
    for page in ("dongcun/index.html", "dongcun/finance/index.html"):
        feeds = [h for tag, attr, h, a in parse_html(out / page).links if a.get("type") == "application/atom+xml"
                 or h.endswith("feed.xml")]
        assert {_resolve(page, h) for h in feeds} == {"feed.xml", "dongcun/feed.xml"}, (page, feeds)

    locs = [el.text for el in ET.parse(out / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert BASE_URL in locs
    assert f"{BASE_URL}dongcun/finance/2026-10-caiwu/" in locs
    for loc in locs:
        assert loc.startswith(BASE_URL), loc
        path = loc[len(BASE_URL):]
        path = path + "index.html" if path == "" or path.endswith("/") else path
        assert (out / unquote(path)).is_file(), loc

    # under a sub-path: lines for the host's robots.txt, the only one crawlers read
    robots = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert robots[-3:] == ["User-agent: *", "Allow: /gov/", f"Sitemap: {BASE_URL}sitemap.xml"]
    assert robots[:-3] == ["# " + x for x in UI["robots_subpath"].format(
        path="/gov/", root="https://example.org/robots.txt").splitlines()]
    # at a host's root: its own robots.txt, plainly; under a sub-path named in Chinese,
    # the path as crawlers compare it (percent-encoded)
    for base, allow in (("https://example.org/", "/"), ("https://example.org:8080/公开/", "/%E5%85%AC%E5%BC%80/")):
        other = make_site({"site.yaml": SITE_YAML.replace('base_url: ""', f'base_url: "{base}"')},
                          name=f"site-{len(allow)}")
        lines = (build_ok(other, tmp_path / f"out-{len(allow)}") / "robots.txt").read_text(encoding="utf-8")
        assert lines.splitlines()[-3:-1] == ["User-agent: *", f"Allow: {allow}"], lines
        assert lines.startswith("#") == (allow != "/"), lines


def test_no_feeds_without_base_url(make_site, tmp_path):
    out = build_ok(make_site(), tmp_path / "out")
    assert not list(out.rglob("feed.xml"))
    assert not (out / "sitemap.xml").exists()
    assert not (out / "robots.txt").exists()


# ----------------------------------------------------------------------------- entry pages

def _links(page: Path) -> list[tuple[str, dict]]:
    return [(value, attrs) for tag, attr, value, attrs in parse_html(page).links if tag == "a"]


def _resolve(page_rel: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(urlsplit(href).path)))


CORRECTION = """\
---
title: 关于东村道路硬化工程决议的更正
date: 2026-11-05
corrects: dongcun/decisions/2026-11-02-daolu.md
---

原决议中工程预算写错，更正为人民币拾伍万元。
"""


def test_correction_links_both_ways(make_site, tmp_path):
    site = make_site({"content/dongcun/decisions/2026-11-05-gengzheng.md": CORRECTION})
    out = build_ok(site, tmp_path / "out")
    old = "dongcun/decisions/2026-11-02-daolu/index.html"
    new = "dongcun/decisions/2026-11-05-gengzheng/index.html"
    assert new in [_resolve(old, h) for h, _ in _links(out / old)], "corrected page does not link to the correction"
    assert old in [_resolve(new, h) for h, _ in _links(out / new)], "correction does not link back"
    assert "关于东村道路硬化工程决议的更正" in (out / old).read_text(encoding="utf-8")


class TableParser(HTMLParser):
    """Rows of the tables with class `ledger`: (row class, [cell texts])."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[str, list[str]]]] = []
        self._in = 0
        self._cell: list[str] | None = None
        self._row: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "ledger" in (a.get("class") or "").split():
            self._in = 1
            self.tables.append([])
        elif self._in and tag == "tr":
            self._row = (a.get("class") or "", [])
            self.tables[-1].append(self._row)
        elif self._in and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._in:
            self._in = 0
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_ledger_table_with_computed_balance(make_site, tmp_path):
    out = build_ok(make_site(), tmp_path / "out")
    parser = TableParser()
    parser.feed((out / "dongcun/finance/2026-10-caiwu/index.html").read_text(encoding="utf-8"))
    assert len(parser.tables) == 1, "no ledger table on the ledger page"
    rows = parser.tables[0]
    header = rows[0][1]
    assert header[:4] == ["日期", "摘要", "收入", "支出"] and "凭证号" in header
    cells = [c for _, r in rows for c in r]
    assert "10,000.00" in cells                          # opening
    data_rows = [r for cls, r in rows if r and r[0].startswith("2026-10-")]
    assert [r[-1] for r in data_rows] == ["15,000.00", "14,679.50"]  # running balance
    closing = [r for cls, r in rows if "closing" in cls]
    assert closing and closing[0][-1] == "14,679.50"
    assert "5,000.00" in cells and "320.50" in cells


def test_a_ledger_pasted_from_a_spreadsheet_is_read_by_its_tabs(make_site, tmp_path):
    """Lines copied from Excel or WPS have their cells apart by tabs, and amounts as the
    sheet showed them (1,200.00): read as the same ledger written with commas."""
    tabbed = LEDGER_OCT.replace("日期,摘要,收入,支出,凭证号\n2026-10-05,上级转移支付,5000.00,,001\n"
                                "2026-10-18,村部办公费,,320.50,002",
                                "日期\t摘要\t收入\t支出\t凭证号\n2026-10-05\t上级转移支付\t5,000.00\t\t001\n"
                                "2026-10-18\t村部办公费\t\t320.50\t002")
    assert tabbed != LEDGER_OCT
    plain = build_ok(make_site(), tmp_path / "plain")
    out = build_ok(make_site({"content/dongcun/finance/2026-10-caiwu.md": tabbed}), tmp_path / "out")
    page = "dongcun/finance/2026-10-caiwu/index.html"
    tables = []
    for root in (plain, out):
        parser = TableParser()
        parser.feed((root / page).read_text(encoding="utf-8"))
        tables.append(parser.tables)
    assert tables[0] == tables[1] and any("14,679.50" in r for _, r in tables[1][0])
    # a cell's quotes are what it says (no CSV quoting between tabs)
    quoted = build_ok(make_site({"content/dongcun/finance/2026-10-caiwu.md": tabbed.replace("村部办公费", '"三资"清理')}),
                      tmp_path / "quoted")
    assert "&#34;三资&#34;清理" in (quoted / page).read_text(encoding="utf-8")


def test_ledger_dates_are_shown_and_exported_in_one_form(make_site, tmp_path):
    """However a line's date was typed (2026/10/18, １０月５日, 10月20日), the table and
    its CSV give 2026-10-18: a line without its year takes its period's, even a line
    dated outside the period (12月5日 in October's ledger, published in November: of
    2026, not of the year before, which the date of publication would give)."""
    text = (LEDGER_OCT.replace("2026-10-05,", "１０月５日,").replace("2026-10-18,", "2026/10/18,")
            .replace("```\n\n", "2026年10月20日,补记,,0.00,003\n12月5日,补记,,0.00,004\n```\n\n", 1))
    out = build_ok(make_site({"content/dongcun/finance/2026-10-caiwu.md": text}), tmp_path / "out")
    page = out / "dongcun/finance/2026-10-caiwu"
    parser = TableParser()
    parser.feed((page / "index.html").read_text(encoding="utf-8"))
    assert [r[0] for _, r in parser.tables[0][2:-2]] == ["2026-10-05", "2026-10-18", "2026-10-20", "2026-12-05"]
    exported = next(page.glob("*.csv")).read_text(encoding="utf-8-sig").splitlines()
    assert [row.split(",")[0] for row in exported[2:-1]] == ["2026-10-05", "2026-10-18", "2026-10-20", "2026-12-05"]


def test_a_clerks_own_balance_column_is_shown_once(make_site, tmp_path):
    """A 余额 column copied from the paper book, checked, is the computed one: the
    page and the CSV show one balance column, not the clerk's beside the site's."""
    text = (LEDGER_OCT.replace("日期,摘要,收入,支出,凭证号", "日期,摘要,收入,支出,余额,凭证号")
            .replace("5000.00,,001", "5000.00,,15000.00,001").replace(",320.50,002", ",320.50,14679.50,002"))
    out = build_ok(make_site({"content/dongcun/finance/2026-10-caiwu.md": text}), tmp_path / "out")
    page = out / "dongcun/finance/2026-10-caiwu"
    parser = TableParser()
    parser.feed((page / "index.html").read_text(encoding="utf-8"))
    assert parser.tables[0][0][1] == ["日期", "摘要", "收入", "支出", "凭证号", "余额"]
    assert parser.tables[0][3][1] == ["2026-10-18", "村部办公费", "", "320.50", "002", "14,679.50"]
    exported = next(page.glob("*.csv")).read_text(encoding="utf-8-sig").splitlines()
    assert exported[0] == "日期,摘要,收入,支出,凭证号,余额"
    assert exported[3] == "2026-10-18,村部办公费,,320.50,002,14679.50"


def test_a_ledger_in_an_html_comment_is_neither_shown_nor_counted(make_site, tmp_path):
    """September's ledger left in a comment: not read (its mistake is not told), and the
    table shown, with its CSV, is October's."""
    hidden = "<!--\n```ledger\nopening: 1.00\n日期,摘要,收入,支出\n2026-09-05,旧账,abc,\n```\n-->\n\n"
    text = LEDGER_OCT.replace("## 收支明细\n\n", "## 收支明细\n\n" + hidden)
    out = build_ok(make_site({"content/dongcun/finance/2026-10-caiwu.md": text}), tmp_path / "out")
    page = out / "dongcun/finance/2026-10-caiwu"
    parser = TableParser()
    parser.feed((page / "index.html").read_text(encoding="utf-8"))
    assert len(parser.tables) == 1 and parser.tables[0][2][1][1] == "上级转移支付"
    assert [p.name for p in page.glob("*.csv")] == ["ledger.csv"]
    assert "上级转移支付" in (page / "ledger.csv").read_text(encoding="utf-8-sig")


def test_prev_next_within_unit_and_category(make_site, tmp_path):
    site = make_site({"content/dongcun/decisions/2026-11-05-gengzheng.md": CORRECTION})
    out = build_ok(site, tmp_path / "out")
    sep = "dongcun/finance/2026-09-caiwu/index.html"
    octo = "dongcun/finance/2026-10-caiwu/index.html"

    def rel_links(page: str, rel: str) -> list[str]:
        return [_resolve(page, h) for h, a in _links(out / page) if rel in (a.get("rel") or "").split()]

    assert rel_links(octo, "prev") == [sep]
    assert rel_links(sep, "next") == [octo]
    assert rel_links(sep, "prev") == [] and rel_links(octo, "next") == []
    dec_old = "dongcun/decisions/2026-11-02-daolu/index.html"
    dec_new = "dongcun/decisions/2026-11-05-gengzheng/index.html"
    assert rel_links(dec_new, "prev") == [dec_old]
    assert rel_links(dec_old, "next") == [dec_new]
    # Other units and categories are not neighbours.
    for page in ("town/services/dibao-zhinan/index.html", "xicun/relief/2026-q3-dibao/index.html"):
        assert rel_links(page, "prev") == [] and rel_links(page, "next") == [], page


def test_attachment_copied_beside_page_with_size(make_site, tmp_path):
    site = make_site()
    out = build_ok(site, tmp_path / "out")
    source = site / "content/dongcun/decisions/表决结果.csv"
    copied = out / "dongcun/decisions/2026-11-02-daolu/表决结果.csv"
    # (a CSV in UTF-8 gets the byte-order mark Excel on Windows needs: without, its
    # Chinese is mojibake there)
    assert copied.read_bytes() == b"\xef\xbb\xbf" + source.read_bytes()
    page = out / "dongcun/decisions/2026-11-02-daolu/index.html"
    links = [(h, a) for h, a in _links(page) if unquote(h) == "表决结果.csv"]
    assert links, "no link to the attachment"
    html = page.read_text(encoding="utf-8")
    size = copied.stat().st_size
    item = re.search(r"<li>\s*<a [^>]*href=\"(?:%E8|表)[^\"]*\"[^>]*>(.*?)</li>", html, re.S)
    assert item, "attachment list item not found"
    text = re.sub(r"<[^>]+>", "", item.group(1))
    assert "村民代表表决结果" in text                   # the title given in front matter
    assert f"{size} 字节" in text, f"size {size} not shown in {text!r}"
    assert "CSV" in text
    # one with a mark already, or in GBK (as Excel saves it on a Chinese Windows), as it is
    for name, data in (("bom.csv", b"\xef\xbb\xbf" + VOTES_CSV.encode()), ("gbk.csv", VOTES_CSV.encode("gbk"))):
        site = make_site({f"content/dongcun/decisions/{name}": data, "content/dongcun/decisions/2026-11-03-x.md":
                          f"---\ntitle: 名单\ndate: 2026-11-03\nattachments: [{name}]\n---\n\n见附件。\n"})
        out = build_ok(site, tmp_path / name)
        assert (out / f"dongcun/decisions/2026-11-03-x/{name}").read_bytes() == data


def test_big_attachment_size_is_human(make_site, tmp_path):
    data = ("序号,户主,金额\n" + "".join(f"{i},户主{i},100.00\n" for i in range(100))).encode("utf-8")
    assert len(data) < 3584
    data += b"#" * (3584 - len(data))  # 3.5 KiB
    kb = len(data) / 1024
    site = make_site({"content/dongcun/decisions/表决结果.csv": data})
    out = build_ok(site, tmp_path / "out")
    html = (out / "dongcun/decisions/2026-11-02-daolu/index.html").read_text(encoding="utf-8")
    assert re.search(rf"{kb:.1f}\s*[kK]i?B", html) or re.search(rf"{len(data) / 1000:.1f}\s*[kK]B", html), html


def test_an_attachment_named_with_a_hash_or_a_question_mark_is_linked(make_site, tmp_path):
    """In a link, # would begin a fragment and ? a query: the names are escaped; and a
    space, which no address holds."""
    names = ["名单(终稿)#1.csv", "what?.csv", "100%.csv", "低保 名单 2026.csv"]
    site = make_site({"content/dongcun/decisions/2026-11-04-mingdan.md":
                      "---\ntitle: 名单\ndate: 2026-11-04\nattachments: [名单(终稿)#1.csv, what?.csv, 100%.csv, "
                      "低保 名单 2026.csv]\n"
                      "---\n\n见附件，及[问号表](what%3F.csv)、[名单](名单(终稿)%231.csv)。\n",
                      **{f"content/dongcun/decisions/{n}": b"a,b\n" for n in names}})
    out = build_ok(site, tmp_path / "out")
    page = "dongcun/decisions/2026-11-04-mingdan/index.html"
    expected = {f"dongcun/decisions/2026-11-04-mingdan/{n}" for n in names}
    assert {_resolve(page, h) for h, a in _links(out / page) if "download" in a} == expected
    assert not [h for h, a in _links(out / page) if " " in h]
    in_body = {_resolve(page, h) for h, a in _links(out / page) if "download" not in a} & expected
    assert in_body == {f"dongcun/decisions/2026-11-04-mingdan/{n}" for n in names[:2]}  # (the body's too)
    assert all((out / path).is_file() for path in expected)


def test_a_portal_of_many_units_lists_them_on_its_home_page_without_their_entries(tmp_path):
    """A county's home page links every unit with its last update (each unit's page has
    its entries); a category's page gives each unit its latest three and a link to all."""
    root = tmp_path / "county"
    made = subprocess.run([sys.executable, str(CORPUS_SCRIPT), "--out", str(root), "--entries", "120",
                           "--units", "30"], capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert made.returncode == 0, made.stdout + made.stderr
    out = build_ok(root, tmp_path / "out")
    config = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    home = out / "index.html"
    listed = [h for h, a in _links(home) if h.endswith("/index.html") and h.count("/") == 1]
    assert {h.split("/")[0] for h in listed} >= {u["id"] for u in config["units"]}
    assert 'class="unit-card"' not in home.read_text(encoding="utf-8"), "entry lists for each of 30 units"
    assert len(gzip.compress(home.read_bytes())) < 12 * 1024
    for page in (out / "category").glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        for section in re.findall(r"<section aria-labelledby=\"u-.*?</section>", html, re.S):
            assert section.count('<ul class="entries">') == 1 and section.count("<li>") <= 3, section


XSS = """\
---
title: '含<b>粗体</b>的"标题"</style>'
date: 2026-11-03
---

<script>alert("XSSMARK")</script>

<p onclick="alert('CLICKMARK')">点我</p>

<a href="javascript:alert('JSMARK')">链接一</a>

[链接二](javascript:alert(2))

<img src="https://example.org/x.png" onerror="alert('ONERRORMARK')" alt="图片">

<iframe src="https://example.org/"></iframe>

<style>body{display:none}</style>
"""


def test_body_is_sanitized_and_title_escaped(make_site, tmp_path):
    site = make_site({"content/dongcun/decisions/xss.md": XSS})
    out = build_ok(site, tmp_path / "out")
    page = (out / "dongcun/decisions/xss/index.html").read_text(encoding="utf-8")
    baseline = (out / "dongcun/decisions/2026-11-02-daolu/index.html").read_text(encoding="utf-8")
    # The pasted markup is gone: none of its markers is left anywhere in the page...
    for marker in ("XSSMARK", "CLICKMARK", "JSMARK", "ONERRORMARK"):
        assert marker not in page, marker
    # ...and the page has no more script, handlers, iframes or styles than a plain entry
    # page of the same template (the theme's own scripts are counted on both).
    low, base = page.lower(), baseline.lower()
    for bad in ("<script", "onclick", "onerror", "javascript:", "alert(", "<iframe", "<style",
                "display:none"):
        assert low.count(bad) == base.count(bad), bad
    assert "点我" in page and "链接一" in page and "链接二" in page
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page
    # the printed sheets' running head holds the title as a CSS string: no quote or tag
    # of it ends the string or the style element
    running = re.search(r'<style media="print">(.*?)</style>', page, re.S).group(1)
    assert 'content: "东村 · 含\\3c b\\3e 粗体\\3c \\2f b\\3e 的\\22 标题\\22 \\3c \\2f style\\3e "; }' in running, running
    # No page or feed carries the raw tag (data files such as a search index hold the
    # title as a JSON string and are not markup).
    for name, data in snapshot(out).items():
        if name.endswith((".html", ".xml")):
            assert "<b>粗体</b>".encode() not in data, name


def test_masked_numbers_and_names_are_shown_as_written(make_site, tmp_path):
    """Asterisks that hide characters (the masks `check` asks for, 138****5678, and a
    name's 张*三) are shown as written: Markdown paired them and set the text between in
    italics, one star of the phone's mask and the name's gone. Bold still works."""
    site = make_site({"content/dongcun/decisions/2026-11-12-dibao.md": (
        "---\ntitle: 东村低保对象名单公示\ndate: 2026-11-12\n---\n## 新增低保对象\n\n"
        "- 张*三，一组，3人，联系电话138****5678\n- 李*四，二组，2人，联系电话139****4321\n\n"
        "身份证号410526********1234。面积为3*4米，合计12*2=24平方米。**特别说明：**公示七天。\n\n"
        "名单：张**，一组；李*，二组；王***（户主）。**联系人：赵六**，**一、****基本情况**\n\n"
        "低保户：李**户，王**户；户主张*，3人；欧**明、司马**。监督电话：138-****-5678。仓库3m*4m。\n")})
    out = build_ok(site, tmp_path / "out")
    page = (out / "dongcun/decisions/2026-11-12-dibao/index.html").read_text(encoding="utf-8")
    body = page[page.index('<div class="body">'):]
    body = body[:body.index("</div>")]
    for shown in ("张*三，一组，3人，联系电话138****5678", "李*四，二组，2人，联系电话139****4321",
                  "410526********1234", "面积为3*4米，合计12*2=24平方米", "<strong>特别说明：</strong>公示七天",
                  "名单：张**，一组；李*，二组；王***（户主）。<strong>联系人：赵六</strong>，"
                  "<strong>一、</strong><strong>基本情况</strong>",
                  "低保户：李**户，王**户；户主张*，3人；欧**明、司马**。监督电话：138-****-5678。仓库3m*4m。"):
        assert shown in body, (shown, body)
    assert "<em>" not in body, body


def test_lines_lists_and_tables_are_shown_as_a_clerk_typed_them(make_site, tmp_path):
    """A line under another stays under it; a list or a table right under a line of
    text (as pasted from Word, with no blank line between) is a list or a table, and a
    line right under one is text again; an item indented by two spaces under another is
    under it, at any depth; a paragraph indented by spaces is no code, text over dashes
    no heading, #1 no heading; a list numbered ３. starts at 3; a fenced block is left as
    written; a summary holds no footnote. Bold leaves
    no space in the summary (the board sheet's and the search's text)."""
    body = ("**特别说明：**本决议经村民代表会议通过。\n"
            "　　决定实施以下项目：\n1.硬化主干道800米；\n2.新建排水沟300米。\n"
            "资金来源如下：\n- 上级奖补资金8万元\n- 村集体收入4万元\n项目明细：\n"
            "| 项目 | 金额（元） |\n| --- | --- |\n| 道路 | 80000 |\n经村两委研究，决定如下：\n1. 修路\n2. 修渠\n"
            "以上。\n\n- 一是成立小组\n  - 子项：公告七天\n  - 子项：评标\n- 二是公开招标\n    - 主干道\n完工。\n\n"
            "| 组 | 户数 |\n---|---\n| 一组 | 3 |\n二组 | 4\n- 注：不含五保户\n\n"
            "说明如下。\n- 基础设施\n  - 道路\n    - 东组路段\n  - 路灯\n\n正文。\n\n    根据镇政府要求公示如下。\n请确认。\n---\n"
            "决定如下：\n３. 修桥\n４. 修渠\n\n#1机井维修费用500元。支出30元[^1]。\n\n[^1]: 含手续费。\n以下为明细。\n\n"
            "```\n原文照录\n````\n- 不是列表\n```\n")
    site = make_site({"content/dongcun/decisions/2026-11-07-word.md":
                      f"---\ntitle: 东村关于村级公益事业建设的决议\ndate: 2026-11-07\n---\n{body}"})
    out = build_ok(site, tmp_path / "out")
    page = (out / "dongcun/decisions/2026-11-07-word/index.html").read_text(encoding="utf-8")
    shown = page[page.index('<div class="body">'):]
    shown = shown[:shown.index("<pre>")]
    for part in ("决定实施以下项目：<br>\n1.硬化主干道800米；<br>\n2.新建排水沟300米。<br>\n资金来源如下：</p>",
                 "<ul>\n<li>上级奖补资金8万元</li>\n<li>村集体收入4万元</li>\n</ul>\n<p>项目明细：</p>",
                 "<td>道路</td>", "<p>经村两委研究，决定如下：</p>\n<ol>\n<li>修路</li>\n<li>修渠</li>\n</ol>\n<p>以上。</p>",
                 "<li>一是成立小组<ul>\n<li>子项：公告七天</li>\n<li>子项：评标</li>\n</ul>\n</li>\n<li>二是公开招标<ul>",
                 "</ul>\n<p>完工。</p>", "<td>二组</td>\n<td>4</td>\n</tr>\n</tbody>\n</table></div>\n<ul>\n<li>注：不含五保户</li>",
                 "<li>基础设施<ul>\n<li>道路<ul>\n<li>东组路段</li>\n</ul>\n</li>\n<li>路灯</li>",
                 "<p>根据镇政府要求公示如下。<br>\n请确认。</p>\n<hr>", '<ol start="3">\n<li>修桥</li>',
                 "<p>#1机井维修费用500元。支出30元<sup", "<p>以下为明细。</p>"):
        assert part in shown, (part, shown)
    assert "<code>原文照录\n````\n- 不是列表\n</code>" in page
    assert '<meta name="description" content="特别说明：本决议经村民代表会议通过。' in page
    words = {"content/dongcun/decisions/2026-11-08-note.md": "---\ntitle: 东村支出说明\ndate: 2026-11-08\n---\n"
             "　　本月支出30元[^1]，另有1元费用。\n\n[^1]: 含手续费。\n"}
    out = build_ok(make_site(words, name="note"), tmp_path / "note-out")
    page = (out / "dongcun/decisions/2026-11-08-note/index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="本月支出30元，另有1元费用。">' in page  # (no mark, note or ↩)


# ----------------------------------------------------------------------------- theme override

def test_site_theme_overrides_template_and_asset(make_site, tmp_path):
    builtin = (REPO / "themes/default/templates/base.html").read_text(encoding="utf-8")
    assert "<head>" in builtin
    marker = '<meta name="x-test-theme" content="SITE-OVERRIDE-BASE">'
    css = "/* SITE-OVERRIDE-CSS */\nbody { color: #000; }\n"
    site = make_site({
        "themes/default/templates/base.html": builtin.replace("<head>", "<head>\n" + marker, 1),
        "themes/default/assets/style.css": css,
    })
    out = build_ok(site, tmp_path / "out")
    assert (out / "assets/style.css").read_text(encoding="utf-8") == css
    pages = [p for p in out.rglob("*.html") if p.name != "404.html"]
    assert pages
    without = [p.relative_to(out).as_posix() for p in pages if marker not in p.read_text(encoding="utf-8")]
    assert not without, without
    # The built-in theme is untouched for a site without an override.
    plain = build_ok(make_site(name="plain"), tmp_path / "plain-out")
    assert (plain / "assets/style.css").read_bytes() == (REPO / "themes/default/assets/style.css").read_bytes()
    assert marker not in (plain / "index.html").read_text(encoding="utf-8")


def test_text_marked_plain_is_text_no_inline_pattern_could_match():
    """Text without `markup._INLINE_SYNTAX` is kept from Markdown's inline patterns. That
    holds only while every pattern starts with one of those characters: a new extension
    with other patterns (smarty, abbr) must widen the set, and this test names it."""
    import markdown

    from site_builder.markup import MarkdownRenderer, _INLINE_SYNTAX

    patterns = {item.name: item for item in MarkdownRenderer()._md.inlinePatterns._priority}
    assert set(patterns) == {"backtick", "escape", "footnote", "reference", "link", "image_link",
                             "image_reference", "short_reference", "short_image_ref", "autolink",
                             "automail", "linebreak", "html", "entity", "em_strong", "mask-stars", "nl"}
    plain = markdown.Markdown(extensions=["tables", "footnotes", "fenced_code", "sane_lists", "nl2br"],
                              extension_configs={"footnotes": {"BACKLINK_TITLE": "↩ %d"}}, output_format="html")
    for text in ("东庄村2025年10月财务收支公开", "a  \nb", "*强调*", "见[附件](a.pdf)", "&amp;", "`代码`",
                 "<b>粗</b>", "a\\*b", "<https://example.org>", "脚注[^1]\n\n[^1]: 说明"):
        assert bool(_INLINE_SYNTAX.search(text)) == (text != "东庄村2025年10月财务收支公开")
        assert MarkdownRenderer()._md.convert(text) == plain.reset().convert(text), text
    # lines of plain text are set apart by the plain-text step as nl2br would set them
    for text in ("a\nb", "一\n\u3000\n二", "- 甲\n乙", "| a | b |\n| --- | --- |\n| 1\n2 | 3 |", "# 标题\n正文\n续"):
        assert MarkdownRenderer()._md.convert(text) == plain.reset().convert(text), text


def _markdown_itself(text: str) -> str:
    """What Markdown makes of `text`, with the converter's own extensions."""
    from site_builder.markup import MarkdownRenderer

    md = MarkdownRenderer()._md
    return md.reset().convert(text)


def test_plain_text_is_converted_as_markdown_converts_it(corpus_site):
    """Paragraphs, headings and "- " lists are made into HTML without Markdown
    (`markup._plain_html`): the HTML is Markdown's own, for every body of the corpus and
    of the demo, every text the corpus is made from and each of their blocks, and for
    lines of every kind put together at random. Most disclosures take that path."""
    import random

    from site_builder.markup import _plain_html

    from site_builder.ledger import PLACEHOLDER

    bodies = [re.sub(r"(?s)```ledger.*?```", PLACEHOLDER.format(0), p.read_text(encoding="utf-8").split("---", 2)[-1])
              for p in sorted([*corpus_site.glob("content/**/*.md"), *(REPO / "content").glob("**/*.md")])]
    taken = sum(_plain_html(body) is not None for body in bodies)  # (ledgers are taken out first)
    assert taken > len(bodies) // 3, (taken, len(bodies))
    texts = list(bodies)
    for source in sorted(CORPUS_SCRIPT.parent.glob("sources/*.txt")):
        whole = source.read_text(encoding="utf-8")
        texts += [whole, *whole.split("\n\n")]
    lines = ["村务公开", "- 一是村务", "- 2023年收入", "- 3. 支出", "- a", "## 一、基本情况", "# 总则",
             "###### 六", "####### 七", "#标题#", "## 标题 ##", "#", "## ", "2. 项目", "2.项目", "- ", "-",
             "- - -", "---", "===", "- # x", "- #x", "1、第一", "\u3000首行", "a b", "- a b", "#c# d",
             "## a # b", "x:y", "-- x", "- -x", "- =x", "- +x", "- x-", "C#", "a  ", "*强调*", "_", "",
             "１. 修路", "- ２. 修渠", "٣. x", "２０２４. 年", "\u3000１. x", "\u3000\u3000经研究", "一、总则", "（一）"]
    rng = random.Random(6)
    for _ in range(20000):
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(1, 12)))
        texts.append(rng.choice(["", "\n"]) + text + rng.choice(["", "\n", "\n\n"]))
    made = [(text, _plain_html(text)) for text in texts]
    differ = [text for text, html in made if html is not None and html != _markdown_itself(text)]
    assert not differ, differ[:3]
    assert sum(html is not None for _, html in made) > 1000
    assert _plain_html("## 一、基本情况\n经村民代表会议决定。\n\n- 一是道路\n- 二是水渠") == (
        "<h2>一、基本情况</h2>\n<p>经村民代表会议决定。</p>\n<ul>\n<li>一是道路</li>\n<li>二是水渠</li>\n</ul>")
