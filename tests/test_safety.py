"""Safety rules found in review: what is never published, and what never crashes.

Yes/no values are read strictly (a draft is never published on doubt), every published
front-matter text is scanned for personal numbers, numbers written in groups are found,
an attachment cannot replace its entry's page, unreadable formats are flagged for a
person, a broken template stops the build with its file and line, and file names that
would break web addresses are refused.
"""
from __future__ import annotations

import shutil
import time

from conftest import (REPO, build_ok, describe, line, luhn_card, mask_card, resident_id, mask_id,
                      msg, run_build, run_check, write_files)

ENTRY = "content/dongcun/decisions/2026-11-10-x.md"


def entry(front: str, body: str = "正文。") -> str:
    return f"---\ntitle: 关于东村修缮活动室的决议\ndate: 2026-11-10\n{front}\n---\n\n{body}\n"


def test_draft_flag_is_read_strictly(make_site, tmp_path):
    site = make_site({ENTRY: entry("草稿: 是", "草稿正文SECRET1"),
                      "content/dongcun/decisions/2026-11-11-y.md": entry("draft: \"true\"", "草稿正文SECRET2")})
    out = build_ok(site, tmp_path / "out")
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            assert "SECRET".encode() not in text, path
    doubtful = make_site({ENTRY: entry("draft: 也许", "SECRET3")}, name="doubt")
    result = run_check(doubtful)
    assert result.returncode == 1
    assert line(ENTRY, 4, "bad_flag", key="draft", value="也许") in result.stdout.splitlines(), describe(result)


def test_every_published_field_is_scanned(make_site):
    card = luhn_card("622202", 16)
    person = resident_id("41052619800101123")
    site = make_site({
        ENTRY: entry(f"opening_note: 经办人电话13812345678\ntags: [低保, \"{person}\"]\n"
                     f"attachments: [{{file: a.csv, title: \"{card}的流水\"}}]"),
        "content/dongcun/decisions/a.csv": "序号,事项\n1,修缮\n",
        "content/dongcun/decisions/2026-11-11-w.md": "---\ntitle: 已撤回的公示\ndate: 2026-11-11\n"
        "withdrawn: {date: 2026-11-12, reason: 联系人13912345678要求撤回}\n---\n\n正文\n",
    })
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    lines = result.stdout.splitlines()
    assert line(ENTRY, 4, "privacy_mobile", masked="138****5678") in lines, describe(result)
    assert line(ENTRY, 5, "privacy_id_number", masked=mask_id(person)) in lines
    assert line(ENTRY, 6, "privacy_bank_card", masked=mask_card(card)) in lines
    assert line("content/dongcun/decisions/2026-11-11-w.md", 4, "privacy_mobile", masked="139****5678") in lines


def test_grouped_numbers_are_found(make_site):
    card = luhn_card("622848", 19)
    grouped = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    site = make_site({ENTRY: entry("", f"补贴打入 {grouped} 账户。")})
    result = run_check(site)
    assert line(ENTRY, 7, "privacy_bank_card", masked=mask_card(card)) in result.stdout.splitlines(), \
        describe(result)


def test_attachment_cannot_replace_the_page_and_odd_formats_are_flagged(make_site):
    site = make_site({ENTRY: entry("attachments: [index.html, old.doc]"),
                      "content/dongcun/decisions/index.html": "<script>alert(1)</script>",
                      "content/dongcun/decisions/old.doc": b"\xd0\xcf\x11\xe0binary"})
    result = run_check(site)
    lines = result.stdout.splitlines()
    assert line(ENTRY, None, "attachment_reserved_name", name="index.html") in lines, describe(result)
    assert line("content/dongcun/decisions/old.doc", None, "file_check_by_hand", warning=True,
                entry=ENTRY) in lines


def test_dates_and_file_names(make_site):
    bad_name = "content/dongcun/decisions/第1#号.md"
    site = make_site({ENTRY: entry("formed: 2026-11-20"), bad_name: entry("")})
    lines = run_check(site).stdout.splitlines()
    assert line(ENTRY, 4, "formed_after_date", formed="2026-11-20", date="2026-11-10") in lines
    assert line(bad_name, None, "bad_file_name", name="第1#号.md", fixed="第1-号.md") in lines


def test_broken_template_stops_before_writing(make_site, tmp_path):
    site = make_site({"themes/default/templates/entry.html": "{% extends 'base.html' %}\n"
                                                              "{% block main %}{{ nosuch.thing }}{% endblock %}\n"})
    out = tmp_path / "out"
    result = run_build(site, output=out)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stderr
    assert "entry.html:2: " in result.stderr, describe(result)
    assert not [p for p in out.rglob("*.html")], "pages were written before the template error"


def test_broken_template_on_a_rebuild_leaves_output_untouched(make_site, tmp_path):
    """On a rebuild the search index is made in a forked process while pages render; a
    template error stops both before anything is written."""
    site = make_site()
    out = tmp_path / "out"
    assert run_build(site, output=out).returncode == 0
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    entry = next(site.glob("content/*/*/*.md"))
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    write_files(site, {"themes/default/templates/entry.html":
                       "{% extends 'base.html' %}\n{% block main %}{{ nosuch.thing }}{% endblock %}\n"})
    result = run_build(site, output=out)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stderr and "entry.html:2: " in result.stderr, describe(result)
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before


def test_write_error_on_a_rebuild_stops_the_forked_index(tmp_path):
    """An entry dated before all others moves every document id, so the forked index
    process has much to hand over; an output file that cannot be written stops the
    build with a plain message, and the index process with it (it once hung)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    out = tmp_path / "out"
    assert run_build(site, output=out).returncode == 0
    write_files(site, {"content/town/decisions/2020-01-02-zuizao.md":
                       "---\ntitle: 最早的一条决议\ndate: 2020-01-02\n---\n\n正文。\n"})
    (out / "assets" / "style.css").unlink()
    (out / "assets" / "style.css").mkdir()
    started = time.monotonic()
    result = run_build(site, output=out)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    assert msg("os_error", detail="").strip() in result.stderr or "style.css" in result.stderr, describe(result)
    assert time.monotonic() - started < 60
