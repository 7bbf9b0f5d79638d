"""Incremental builds give exactly the bytes of a cold build.

The demo is built cold, then edited (an entry changed, one added, one deleted, then a
template overridden and site.yaml changed) and rebuilt in place with the build cache;
after each round the output must equal, file for file and byte for byte, a cold build
of the same input into a fresh folder from a copy of the site without any cache.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import tempfile
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from site_builder import build as build_module, uptodate
from site_builder.build import build as build_here, load_site
from site_builder.cache import Cache, PageFingerprints, scratch_folder
from site_builder.errors import SiteError
from site_builder.model import Item
from site_builder.publish import _Renderers, jobs_of
from site_builder.serve import _Edits
from site_builder.writer import OutputWriter

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-20"


def demo_copy(folder: Path) -> Path:
    """A copy of the demo's content/ and site.yaml in `folder`, without cache or output."""
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copy(ROOT / "site.yaml", folder / "site.yaml")
    return folder


def corpus_copy(corpus_site: Path, folder: Path) -> Path:
    """A copy of the generated corpus site in `folder`, without cache or output."""
    shutil.copytree(corpus_site, folder, ignore=shutil.ignore_patterns(".site-builder-cache", "public"))
    return folder


@contextlib.contextmanager
def folder_on(disk: str, tmp_path: Path) -> Iterator[Path]:
    """A temporary folder on the test's own file system ("same") or on another one
    ("other": /dev/shm); skips the test where there is no other."""
    if disk == "other" and not Path("/dev/shm").is_dir():
        pytest.skip("no second file system (/dev/shm) here")
    with tempfile.TemporaryDirectory(dir="/dev/shm" if disk == "other" else tmp_path) as folder:
        if disk == "other" and os.stat(folder).st_dev == os.stat(tmp_path).st_dev:
            pytest.skip("/dev/shm is on the same file system as the test's folder here")
        yield Path(folder)


def build(site: Path, out: Path, today: str = TODAY) -> str:
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--output", str(out),
                             "--today", today], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_cold(site: Path, out: Path, tmp: Path, name: str, today: str = TODAY) -> None:
    fresh = tmp / f"fresh-{name}"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".site-builder-cache", "public"))
    cold = tmp / f"cold-{name}"
    build(fresh, cold, today)
    a, b = snapshot(out), snapshot(cold)
    assert sorted(a) == sorted(b), (set(a) ^ set(b))
    different = [path for path in a if a[path] != b[path]]
    assert not different, different[:10]


def written(summary: str) -> int:
    # "已生成：… 写入 N 个文件，未变 M 个 …"
    return int(summary.split("写入 ")[1].split(" ")[0])


EDITED = "dongzhuang/projects/2026-04-14-daolu-zhaobiao-jieguo.md"  # under content/


def edit_entry(site: Path) -> None:
    """Edit one sentence of the demo entry EDITED."""
    edited = site / "content" / EDITED
    edited.write_text(edited.read_text(encoding="utf-8").replace("中标", "中标（已核实）", 1), encoding="utf-8")


def entries_read(monkeypatch, site: Path) -> list[str]:
    """The list that each entry file `site` reads from now on is added to (its path
    under content/)."""
    from site_builder.reader import EntryReader

    read: list[str] = []
    reading = EntryReader.read
    monkeypatch.setattr(EntryReader, "read", lambda reader, path: read.append(
        path.relative_to(site / "content").as_posix()) or reading(reader, path))
    return read


def test_rebuilds_equal_cold_builds(tmp_path):
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    first = build(site, out)
    total = written(first)

    assert written(build(site, out)) == 0  # nothing changed: nothing written
    (out / "index.html").unlink()  # a file lost from the output is written again
    assert written(build(site, out)) == 1 and (out / "index.html").is_file()

    edit_entry(site)
    added = site / "content/nanguan/decisions/2026-11-19-xin-jueyi.md"
    added.write_text("---\ntitle: 南关村关于修缮村级文化活动室的决议\ndate: 2026-11-19\n---\n\n"
                     "经村民代表会议讨论，同意修缮村级文化活动室，预算二万元。\n", encoding="utf-8")
    deleted = next((site / "content/town/plans").glob("*.md"))
    deleted_page = out / "town/plans" / deleted.stem / "index.html"
    assert deleted_page.exists()
    deleted.unlink()
    summary = build(site, out)
    assert 0 < written(summary) < total / 2, summary
    assert not deleted_page.exists()
    assert (out / "nanguan/decisions/2026-11-19-xin-jueyi/index.html").exists()
    assert_same_as_cold(site, out, tmp_path, "entries")

    # a link to another entry, whose target then becomes a draft: the link must go; and a
    # correction of a third (marked so in its lists and among search results)
    linker = site / "content/nanguan/decisions/2026-11-19-xin-jueyi.md"
    target = next((site / "content/dongzhuang/party-dues").glob("*.md"))
    corrected = (site / "content/nanguan/decisions/2026-05-13-jidongdi-fabao.md").relative_to(site / "content")
    linker.write_text(linker.read_text(encoding="utf-8").replace("---\n", f"---\ncorrects: {corrected.as_posix()}\n", 1)
                      + f"\n参见[党费公开](../../dongzhuang/party-dues/{target.name})。\n", encoding="utf-8")
    build(site, out)
    assert "party-dues" in (out / "nanguan/decisions/2026-11-19-xin-jueyi/index.html").read_text(encoding="utf-8")
    target.write_text(target.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    build(site, out)
    assert "party-dues" not in (out / "nanguan/decisions/2026-11-19-xin-jueyi/index.html").read_text(encoding="utf-8")
    assert_same_as_cold(site, out, tmp_path, "links")

    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    base = (ROOT / "themes/default/templates/base.html").read_text(encoding="utf-8")
    (theme / "base.html").write_text(base.replace("</footer>", "<p>本站由镇政府维护</p></footer>"),
                                     encoding="utf-8")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "address: 高平镇政府大院便民服务中心一楼", "address: 高平镇便民服务中心二楼"), encoding="utf-8")
    build(site, out)
    assert "本站由镇政府维护" in (out / "index.html").read_text(encoding="utf-8")
    assert_same_as_cold(site, out, tmp_path, "theme")


def test_the_manifest_is_written_only_when_the_files_it_lists_change(tmp_path):
    """The output's list of its files is a file a deploy uploads too: an edit that makes
    no file and removes none leaves it as it was (not even its mtime); a new entry's
    files change it."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    manifest = out / ".site-builder-manifest.json"
    before = manifest.stat()
    edit_entry(site)
    assert written(build(site, out)) > 0
    after = manifest.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    shutil.copy(site / "content" / EDITED, site / "content" / EDITED.replace(".md", "-fuben.md"))
    build(site, out)
    assert "dongzhuang/projects/2026-04-14-daolu-zhaobiao-jieguo-fuben/index.html" in json.loads(
        manifest.read_text(encoding="utf-8"))


def test_open_data_files_are_made_again_only_when_an_entry_s_face_changed(tmp_path, monkeypatch):
    """They show no body: a body edited leaves them as they were, neither made nor
    written; a title edited, or one of them lost, makes them again."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    made: list[int] = []
    making = build_module._data_files
    monkeypatch.setattr(build_module, "_data_files", lambda s: made.append(1) or making(s))
    today = dt.date.fromisoformat(TODAY)
    entries = out / "data/entries.json"
    stamp = entries.stat().st_mtime_ns
    edited = site / "content" / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充说明：经复核无误。\n", encoding="utf-8")
    build_here(site, out, today, parallel=False)
    assert not made and entries.stat().st_mtime_ns == stamp
    assert_same_as_cold(site, out, tmp_path, "body")

    edited.write_text(edited.read_text(encoding="utf-8").replace("招标结果公示\"", "招标结果公示（更正）\"", 1),
                      encoding="utf-8")
    build_here(site, out, today, parallel=False)
    assert made and "（更正）" in entries.read_text(encoding="utf-8")
    assert_same_as_cold(site, out, tmp_path, "title")

    made.clear()
    entries.unlink()
    build_here(site, out, today, parallel=False)
    assert made and entries.is_file()


def test_a_list_taken_down_after_its_notice_is_taken_down_where_another_entry_links_it(tmp_path):
    """A 低保 list's file, linked from the month's ledger too: when the list's notice ends
    (withdraw_after_notice), the file leaves the ledger's folder as well, and the ledger's
    link to it becomes words; a rebuild on that day equals a cold build."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    ledger = site / "content/dongzhuang/finance/2026-11-06-caiwu-2026-10.md"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "\n低保金按[低保名单](../relief/dibao-q4.csv)发放。\n",
                      encoding="utf-8")
    page = out / "dongzhuang/finance/2026-11-06-caiwu-2026-10"
    build(site, out, "2026-11-20")  # under notice until 11-24
    assert (page / "dibao-q4.csv").is_file() and 'href="dibao-q4.csv"' in (page / "index.html").read_text(encoding="utf-8")
    build(site, out, "2026-11-25")
    html = (page / "index.html").read_text(encoding="utf-8")
    assert not (page / "dibao-q4.csv").exists() and "dibao-q4.csv" not in html and "按低保名单发放" in html
    assert not (out / "dongzhuang/relief/2026-11-17-dibao-q4/dibao-q4.csv").exists()
    assert_same_as_cold(site, out, tmp_path, "taken-down", "2026-11-25")


def test_a_site_template_showing_bodies_elsewhere_is_rebuilt_after_a_body_edit(tmp_path):
    """The built-in templates show a body on its entry's page only; a site's own may
    show it anywhere (here: the latest entries' bodies on the home page), and a body
    edit then renders again every page that shows the entry."""
    site = demo_copy(tmp_path / "site")
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    home = (ROOT / "themes/default/templates/home.html").read_text(encoding="utf-8")
    (theme / "home.html").write_text(home.replace("{{ entry_list(latest) }}", (
        "{% for i in latest %}<div class=\"whole\">{{ i.entry.html | safe }}</div>{% endfor %}")), encoding="utf-8")
    out = tmp_path / "out"
    build(site, out)
    newest = max((p for p in (site / "content").glob("*/*/*.md") if p.name[:10] <= TODAY), key=lambda p: p.name)
    newest.write_text(newest.read_text(encoding="utf-8") + "\n补充：已复核。\n", encoding="utf-8")
    build(site, out)
    assert "补充：已复核。" in (out / "index.html").read_text(encoding="utf-8")
    assert_same_as_cold(site, out, tmp_path, "own-template")


def _front(path: Path, key: str, value: str) -> None:
    """Set a front-matter line of an entry (added when missing)."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    lines = [ln for ln in head.split("\n") if not ln.startswith(f"{key}:")] + [f"{key}: {value}"]
    path.write_text("---\n" + "\n".join(lines) + sep + body, encoding="utf-8")


def _items_and_rels_shown(value: object, rels: set[str]) -> Iterator[str]:
    """The entries (their paths under content/) that a page's data holds: items, and
    strings that are an entry's path (a supervision record names late entries so)."""
    if isinstance(value, Item):
        yield value.entry.rel  # (what an item shows of others is in its own fingerprint)
    elif isinstance(value, str):
        if value in rels:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _items_and_rels_shown(k, rels)
            yield from _items_and_rels_shown(v, rels)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _items_and_rels_shown(v, rels)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _items_and_rels_shown(getattr(value, f.name), rels)


@pytest.mark.parametrize("which", ["demo", "corpus"])
def test_every_page_declares_each_entry_it_shows_as_an_input(tmp_path, corpus_site, which):
    """What a rebuild trusts to skip hashing a page (cache.PageFingerprints): a page
    shows no entry it does not declare among its inputs, unless it declares them all."""
    root = demo_copy(tmp_path / "site") if which == "demo" else corpus_copy(corpus_site, tmp_path / "site")
    site, problems = load_site(root, dt.date.fromisoformat(TODAY), parallel=False)
    assert site is not None and not problems.errors
    rels = set(site.by_rel)
    undeclared = {page.path: sorted(set(_items_and_rels_shown(page.data, rels)) - page.inputs)
                  for page in site.pages if "*" not in page.inputs}
    assert not {path: shown for path, shown in undeclared.items() if shown}
    assert sum("*" not in page.inputs for page in site.pages) > len(site.pages) * 0.9


@pytest.mark.parametrize("which", ["demo", "corpus"])
def test_every_page_that_shows_a_body_declares_it(tmp_path, corpus_site, which):
    """What a rebuild trusts to leave every other page alone after a body is edited
    (cache.PageFingerprints): a page, in either script, shows the body of no entry it
    does not declare in `bodies`. Each entry's body is given a mark of its own, and
    every page is rendered."""
    root = demo_copy(tmp_path / "site") if which == "demo" else corpus_copy(corpus_site, tmp_path / "site")
    site, problems = load_site(root, dt.date.fromisoformat(TODAY), parallel=False)
    assert site is not None and not problems.errors
    marks = {}
    for k, item in enumerate(site.items):
        marks[f"bodymark{k}x"] = item.entry.rel
        item.entry = dataclasses.replace(item.entry, html=item.entry.html + f"<p>bodymark{k}x</p>")
    renderers = _Renderers(site)
    undeclared, seen = {}, set()
    for job in jobs_of(site):
        html = renderers.render(job).decode("utf-8")
        shown = {marks[m] for m in re.findall(r"bodymark\d+x", html)}
        seen |= shown
        if shown - job.page.bodies:
            undeclared[job.path] = sorted(shown - job.page.bodies)
    assert not undeclared
    assert seen == {i.entry.rel for i in site.items if not i.withdrawn and not i.body_withheld}  # (marks are shown)


def test_pages_kept_by_their_inputs_have_the_fingerprint_they_would_be_given(tmp_path):
    """Edits of every kind, one after another: after each, every page's fingerprint from
    the last build's record (kept when none of its inputs changed) is the one hashing
    the page anew gives, and a body edit hashes few pages."""
    root = demo_copy(tmp_path / "site")
    content = root / "content"
    finance = content / "dongzhuang/finance/2026-11-06-caiwu-2026-10.md"  # (the last of its series)
    plain = content / "xizhuang/decisions/2026-04-24-yishiyiyi-yinshui.md"
    others = sorted(p for p in content.glob("*/*/*.md") if p not in (finance, plain))
    edits = [
        ("body", lambda: plain.write_text(plain.read_text(encoding="utf-8") + "\n补充：已复核。\n", encoding="utf-8")),
        ("title", lambda: _front(plain, "title", "西庄村饮水工程一事一议（修订）")),
        ("date", lambda: _front(others[0], "date", "2026-03-16")),
        ("added", lambda: (content / "nanguan/decisions/2026-11-18-xin.md").write_text(
            "---\ntitle: 南关村新决议\ndate: 2026-11-18\n---\n\n同意修缮村部。\n", encoding="utf-8")),
        ("deleted", lambda: others[1].unlink()),
        ("withdrawn", lambda: _front(others[2], "withdrawn", "{date: 2026-11-10, reason: 信息有误}")),
        ("ledger", lambda: finance.write_text(finance.read_text(encoding="utf-8").replace(
            "```ledger", "```text", 1), encoding="utf-8")),
        ("corrects", lambda: _front(others[4], "corrects", others[3].relative_to(content).as_posix())),
        ("notice", lambda: _front(others[5], "notice_until", "2026-12-31")),
        ("draft", lambda: _front(others[6], "draft", "true")),
    ]
    last = None
    for name, edit in [("first", lambda: None), *edits]:
        edit()
        site, problems = load_site(root, dt.date.fromisoformat(TODAY), parallel=False)
        assert site is not None and not problems.errors, (name, problems.errors)
        anew = PageFingerprints(site)
        fingerprints = {job.path: anew.page(job.page, job.variant) for job in jobs_of(site)}
        if last is not None:
            kept = PageFingerprints(site, last)
            assert {job.path: kept.page(job.page, job.variant) for job in jobs_of(site)} == fingerprints, name
            assert kept.changed, name
            if name == "body":
                assert kept.changed == {plain.relative_to(content).as_posix()} and not kept.faces_changed
                hashed = {page.path for page in site.pages if id(page) in kept._pages}
                assert hashed == {site.by_rel[plain.relative_to(content).as_posix()].url}
        last = anew.record(site.pages, fingerprints)


def test_a_build_stopped_before_its_end_leaves_no_record_vouching_for_what_it_wrote(tmp_path, monkeypatch):
    """A build stopped after writing an edited ledger's page and CSV, the edit then
    undone: the next build writes both back as they were, though the entry is as the
    last finished build knew it."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    finance = site / "content/dongzhuang/finance/2026-06-05-caiwu-2026-05.md"
    original = finance.read_text(encoding="utf-8")
    finance.write_text(original.replace("收光伏电站4月发电收益", "收光伏电站发电收益STOPPEDMARK"), encoding="utf-8")

    def stop(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(OutputWriter, "finish", stop)
    with pytest.raises(KeyboardInterrupt):
        build_here(site, out, today=dt.date.fromisoformat(TODAY), parallel=False)
    monkeypatch.undo()
    page = out / "dongzhuang/finance/2026-06-05-caiwu-2026-05"
    assert all("STOPPEDMARK" in (page / name).read_text(encoding="utf-8-sig") for name in ("index.html", "ledger.csv"))
    finance.write_text(original, encoding="utf-8")
    build(site, out)
    assert_same_as_cold(site, out, tmp_path, "stopped")


def test_a_file_half_written_by_a_stopped_build_is_removed_by_the_next(tmp_path):
    """A build killed while writing a page leaves its temporary file (a worker stopped by
    SIGTERM, or kill -9): the next build removes it, whatever else it has to do."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    left = next(out.glob("*/decisions/*/index.html")).parent / ".tmp-999999999-1.html"
    left.write_bytes(b"<!doctype html><html><head>")
    (out / ".site-builder-unfinished").write_bytes(b"")  # as the stopped build left it
    build(site, out)
    assert not left.exists() and not (out / ".site-builder-unfinished").exists()
    assert_same_as_cold(site, out, tmp_path, "stopped")


def test_a_record_that_cannot_be_kept_apart_from_stops_vouching(tmp_path, monkeypatch):
    """A full disk: the note of what the fingerprint record no longer vouches for cannot
    be written, nor the new record; the record then goes, and the edit undone is
    written back."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    entry = site / "content/xizhuang/decisions/2026-04-24-yishiyiyi-yinshui.md"
    original = entry.read_text(encoding="utf-8")
    entry.write_text(original.replace("\n---\n", "\n---\nFULLDISKMARK\n", 1), encoding="utf-8")
    keep = Cache.write

    def full(self, file_name, data, must=False):
        if must:
            raise OSError(28, "No space left on device")
        keep(self, file_name, data, must)
    monkeypatch.setattr(Cache, "write", full)
    build_here(site, out, today=dt.date.fromisoformat(TODAY), parallel=False)
    monkeypatch.undo()
    assert "FULLDISKMARK" in (out / "xizhuang/decisions/2026-04-24-yishiyiyi-yinshui/index.html").read_text(encoding="utf-8")
    entry.write_text(original, encoding="utf-8")
    build(site, out)
    assert_same_as_cold(site, out, tmp_path, "full-disk")


def test_a_stop_while_the_search_process_writes_says_stopped(tmp_path, monkeypatch):
    """Ctrl-C while the search process still writes into its scratch folder: that
    process is stopped before its folder is removed, and the stop is what is told."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    entry = next((site / "content/town/plans").glob("*.md"))
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")

    def busy(source, root, output, parallel, scratch, writer=None):  # (in the forked process)
        for n in range(10**6):
            (Path(scratch) / f"busy-{n}").write_bytes(b"x")

    def stopped(self, site, writer, scratch, told):  # (waiting for its result, in this process)
        time.sleep(0.3)
        raise KeyboardInterrupt
    monkeypatch.setattr(build_module, "_search_changes", busy)
    monkeypatch.setattr(build_module._SearchIndex, "_write", stopped)
    with pytest.raises(KeyboardInterrupt):
        build_here(site, out, today=dt.date.fromisoformat(TODAY))
    cache = site / ".site-builder-cache"
    assert not [p for p in cache.rglob("scratch-*") if p.is_dir()]


def settle(out: Path) -> None:
    """Date every folder of the output an hour back, far past any clock tick."""
    an_hour_ago = time.time() - 3600
    for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
        os.utime(folder, (an_hour_ago, an_hour_ago))


def test_a_file_removed_from_settled_folders_is_written_again(tmp_path):
    """An up-to-date output is recognised by its folders' mtimes once they are older
    than the clock and disk can blur; a file removed from such a folder is still noticed."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    settle(out)
    assert written(build(site, out)) == 0  # folders changed: looked at file by file, all there
    quick = build_here(site, out, today=dt.date.fromisoformat(TODAY))
    assert quick.stages == {} and quick.unchanged > 0  # up to date, by the folders alone
    page = out / "dongzhuang/index.html"
    page.unlink()
    assert written(build(site, out)) == 1 and page.is_file()

    # An edit's build keeps the stamps of the folders it did not touch (the last build's):
    # a file removed from one of them before the edit, or after it, is still noticed.
    settle(out)
    build(site, out)  # stamps taken anew (the folders had changed)
    lost = out / "xizhuang/2026/index.html"
    lost.unlink()
    entry = next((site / "content/town/plans").glob("*.md"))
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    assert written(build(site, out)) > 1 and lost.is_file()
    assert build_here(site, out, today=dt.date.fromisoformat(TODAY)).stages == {}
    entry.write_text(entry.read_text(encoding="utf-8") + "\n再补充说明。\n", encoding="utf-8")
    build(site, out)
    lost.unlink()
    assert written(build(site, out)) == 1 and lost.is_file()


def test_the_output_is_looked_at_in_a_process_that_ends_with_the_look(tmp_path, monkeypatch):
    """A build first stats the inputs and, in a forked process meanwhile, the output's
    folders: that process's answer is taken when the inputs are as they were (a page
    removed is noticed), dropped when they are not, and it is waited for either way."""
    forked = []
    fork = os.fork

    def forking():
        pid = fork()
        if pid and sys._getframe(1).f_globals["__name__"] == uptodate.__name__:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", forking)
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    today = dt.date.fromisoformat(TODAY)
    build_here(site, out, today=today)
    assert build_here(site, out, today=today).stages == {}
    page = out / "dongzhuang/index.html"
    page.unlink()
    assert build_here(site, out, today=today).written == 1 and page.is_file()
    edit_entry(site)
    assert build_here(site, out, today=today).written > 0
    assert len(forked) == 3 or (os.cpu_count() or 1) < 2  # (one a build, but the first)
    for pid in forked:
        with pytest.raises(ChildProcessError):  # (waited for already)
            os.waitpid(pid, os.WNOHANG)


def test_a_build_started_with_sigchld_ignored_works(make_site, tmp_path):
    """Some daemons and CI agents start commands with SIGCHLD ignored: the system then
    reaps each process as it ends, and none can be waited for. The build must still
    work (a rebuild with nothing changed writes nothing)."""
    site = make_site()
    started = dict(preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN))
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "--today", TODAY],
                              capture_output=True, text=True, **started)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "写入 0 个文件" in done.stdout


def test_index_files_removed_from_settled_folders_are_written_again(tmp_path):
    """The search process trusts the last build's record of the index files by their
    folders' mtimes: files removed from folders stamped long ago are still noticed, the
    one an edit changes and those it does not."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    settle(out)
    build(site, out)  # stamps taken anew, of settled folders
    lost = [out / "search/d/0.js", out / "search/meta.js", next((out / "search/c").iterdir())]
    for path in lost:
        path.unlink()
    edit_entry(site)
    build(site, out)
    assert all(path.is_file() for path in lost)
    assert_same_as_cold(site, out, tmp_path, "index-files")


def test_an_index_file_removed_while_a_build_runs_is_written_again_by_the_next(tmp_path, monkeypatch):
    """A file removed from a folder the build wrote into, after its last write there
    and before its stamps are taken (another build into the folder, a sync), is in the
    folder's stamp: the next build still looks for it, though no index file changes."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    today = dt.date.fromisoformat(TODAY)
    build_here(site, out, today=today)
    lost = out / "search/d/0.js"
    taking = uptodate.Stamps.take

    def removing_first(*args, **kwargs):
        lost.unlink()
        time.sleep(0.3)  # (not in the last tick before the stamps, whose folders are looked into)
        return taking(*args, **kwargs)

    monkeypatch.setattr(uptodate.Stamps, "take", removing_first)
    edited = site / "content" / EDITED  # its title: its snippet file, in the folder of the lost one, is written
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: （已核实）", 1), encoding="utf-8")
    build_here(site, out, today=today)
    monkeypatch.setattr(uptodate.Stamps, "take", taking)
    assert not lost.exists()
    time.sleep(0.3)  # (past the tick in which the stamps were taken: see Stamps.recent)
    draft = site / "content/nanguan/decisions/2026-11-19-caogao.md"
    draft.write_text("---\ntitle: 草稿\ndate: 2026-11-19\ndraft: true\n---\n\n未定。\n", encoding="utf-8")
    build_here(site, out, today=today)  # (a draft: no index file changes)
    assert lost.is_file()


def test_a_fresh_copy_with_its_cache_reads_again_only_the_entries_that_changed(tmp_path, monkeypatch):
    """A fresh clone with a restored cache, a copy of the site, a branch switched back
    and forth: every file has a new mtime and inode. An entry whose bytes and whose
    attachments' bytes are as cached comes from the cache all the same; an edited
    entry, and one whose attachment changed, are read again."""
    today = dt.date.fromisoformat(TODAY)
    site = demo_copy(tmp_path / "site")
    build_here(site, site / "public", today=today, parallel=False)
    site.rename(tmp_path / "built")  # then back where it was (as CI restores a cache),
    shutil.copytree(tmp_path / "built", site, copy_function=shutil.copyfile)  # without mtimes
    edit_entry(site)
    attachment = site / "content/dongzhuang/relief/dibao-q4.csv"
    attachment.write_bytes(attachment.read_bytes() + "\n".encode())
    read = entries_read(monkeypatch, site)
    result = build_here(site, site / "public", today=today, parallel=False)
    assert sorted(read) == [EDITED, "dongzhuang/relief/2026-11-17-dibao-q4.md"]
    assert 0 < result.written < result.unchanged / 10
    assert_same_as_cold(site, site / "public", tmp_path, "copy")
    read.clear()
    build_here(site, site / "public", today=today, parallel=False)
    assert read == []  # the new mtimes are cached: nothing is hashed or read again


def test_a_site_named_another_way_is_the_same_site(tmp_path, monkeypatch):
    """`site-builder build` in the site's folder, then `site-builder build /path/to/site`
    (a script, a scheduled job) build the same site: the second finds it up to date,
    and after an edit reads again only the entry edited."""
    today = dt.date.fromisoformat(TODAY)
    site = demo_copy(tmp_path / "site")
    monkeypatch.chdir(site)
    build_here(Path("."), today=today, parallel=False)
    assert build_here(site, site / "public", today=today, parallel=False).site is None  # up to date
    edit_entry(site)
    read = entries_read(monkeypatch, site)
    result = build_here(Path("./"), today=today, parallel=False)
    assert read == [EDITED] and 0 < result.written < result.unchanged / 10


def test_index_files_of_other_code_are_compared_not_written_again(tmp_path, monkeypatch):
    """After an upgrade of this tool the record of the index is another code's: each file
    is compared with what the output holds, and only one that differs is written (a
    deploy would otherwise upload the whole index again)."""
    today = dt.date.fromisoformat(TODAY)
    site = demo_copy(tmp_path / "site")
    build_here(site, today=today, parallel=False)
    index = sorted((site / "public/search").rglob("*.js"))
    before = {p: p.stat().st_mtime_ns for p in index}
    for module in (build_module, uptodate):  # (stage 0's key, and the index's record)
        monkeypatch.setattr(module, "code_fingerprint", lambda: "an upgrade")
    result = build_here(site, today=today, parallel=False)
    assert result.site is not None and result.written == 0
    assert {p: p.stat().st_mtime_ns for p in index} == before


def test_a_copy_built_from_inside_it_publishes_its_own_attachments(tmp_path):
    """A site's cache is not tied to its folder, but its entries name their attachments
    by absolute path: in a copy made elsewhere, an entry whose bytes are unchanged must
    still be read again, or it would publish the original's attachments (and check
    them, not its own, for ID numbers)."""
    first = demo_copy(tmp_path / "first")

    def build_inside(site: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--today", TODAY],
                              cwd=site, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    build_inside(first)
    copy = tmp_path / "copy"
    shutil.copytree(first, copy, copy_function=shutil.copyfile)
    attachment = copy / "content/dongzhuang/relief/dibao-q4.csv"
    attachment.write_bytes(attachment.read_bytes() + "5,补录,1\n".encode())
    build_inside(copy)
    assert_same_as_cold(copy, copy / "public", tmp_path, "copy-elsewhere")


def test_a_withdrawn_entry_s_file_deleted_then_put_back_changes_nothing(tmp_path):
    """A withdrawn entry publishes none of its files, nor do they count for what is
    read of it: deleting one (names published by mistake) and putting it back leaves a
    rebuild as a cold build of the same input."""
    site = demo_copy(tmp_path / "site")
    out = tmp_path / "out"
    entry = site / "content/dongzhuang/relief/2026-11-17-dibao-q4.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace(
        "---\n", "---\n撤回: {日期: 2026-11-19, 原因: 名单未脱敏}\n", 1), encoding="utf-8")
    build(site, out)
    listed = site / "content/dongzhuang/relief/dibao-q4.csv"
    kept = listed.read_bytes()
    listed.unlink()
    build(site, out)
    listed.write_bytes(kept)
    build(site, out)
    assert_same_as_cold(site, out, tmp_path, "put-back")


def test_a_site_moved_to_another_folder_keeps_its_cache(tmp_path, monkeypatch):
    """A site folder renamed or moved with its cache and output (to another disk, a
    new PC): only the entries with attachments, which name them by absolute path, are
    read again; no page or index file is written again."""
    today = dt.date.fromisoformat(TODAY)
    site = demo_copy(tmp_path / "site")
    build_here(site, today=today, parallel=False)
    moved = site.rename(tmp_path / "moved")
    read = entries_read(monkeypatch, moved)
    result = build_here(moved, today=today, parallel=False)
    with_attachments = {i.entry.rel for i in result.site.items if i.entry.attachments}
    assert sorted(read) == sorted(with_attachments) and 0 < len(read) < len(result.site.items) / 5
    assert result.written == 0
    assert_same_as_cold(moved, moved / "public", tmp_path, "moved")


def test_bytes_moved_between_two_attachments_are_seen(tmp_path):
    """A row moved from one attachment to the next leaves their bytes, put end to end,
    as they were: the entry must be read again all the same."""
    site = demo_copy(tmp_path / "site")
    folder = site / "content/nanguan/decisions"
    (folder / "a.csv").write_text("序号,事项\n1,修路\n2,修桥\n", encoding="utf-8")
    (folder / "b.csv").write_text("序号,事项\n", encoding="utf-8")
    (folder / "2026-11-18-liang-biao.md").write_text(
        "---\ntitle: 南关村两张表\ndate: 2026-11-18\nattachments: [a.csv, b.csv]\n---\n\n见附件。\n", encoding="utf-8")
    today = dt.date.fromisoformat(TODAY)
    build_here(site, site / "public", today=today, parallel=False)
    (folder / "a.csv").write_text("序号,事项\n1,修路\n", encoding="utf-8")
    (folder / "b.csv").write_text("2,修桥\n序号,事项\n", encoding="utf-8")
    build_here(site, site / "public", today=today, parallel=False)
    assert_same_as_cold(site, site / "public", tmp_path, "moved-bytes")


def test_an_attachment_rewritten_with_its_size_and_mtime_kept_is_seen(tmp_path):
    """A file copied over an attachment keeping its time (`cp -p`), of the same size:
    its size, mtime and inode are as before, its bytes are not."""
    site = demo_copy(tmp_path / "site")
    attachment = site / "content/dongzhuang/relief/dibao-q4.csv"
    today = dt.date.fromisoformat(TODAY)
    build_here(site, site / "public", today=today, parallel=False)
    before = attachment.stat()
    data = attachment.read_bytes()
    with attachment.open("r+b") as f:  # in place: the inode stays
        f.write(data.replace("1".encode(), "2".encode(), 1))
    os.utime(attachment, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = attachment.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    build_here(site, site / "public", today=today, parallel=False)
    assert_same_as_cold(site, site / "public", tmp_path, "same-stat")


def test_an_edit_in_a_theme_folder_that_is_a_link_is_seen(make_site, tmp_path):
    """A theme whose folders are links to one that several sites share (a town's theme
    for its villages): an edit there is seen by the next build, as the theme is read
    through the links; a link back up the tree is followed once."""
    shared = tmp_path / "shared"
    (shared / "assets").mkdir(parents=True)
    (shared / "assets/extra.css").write_text("/* v1 */\n", encoding="utf-8")
    site = make_site()
    (site / "themes/local").mkdir(parents=True)
    (site / "themes/local/assets").symlink_to(shared / "assets", target_is_directory=True)
    (shared / "assets/again").symlink_to(shared, target_is_directory=True)
    with (site / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("theme: local\n")
    today = dt.date.fromisoformat(TODAY)
    build_here(site, today=today, parallel=False)
    assert (site / "public/assets/extra.css").read_text(encoding="utf-8") == "/* v1 */\n"
    (shared / "assets/extra.css").write_text("/* v2 */\n", encoding="utf-8")
    assert build_here(site, today=today, parallel=False).written > 0
    assert (site / "public/assets/extra.css").read_text(encoding="utf-8") == "/* v2 */\n"


def test_the_entries_found_from_the_up_to_date_checks_stats_are_those_a_walk_finds(tmp_path):
    """A build walks content/ once, for the up-to-date check, and finds the entries in
    what that walk saw: the same files, in the same order, as a walk of their own."""
    from site_builder.config import load_config
    from site_builder.reader import entry_files

    site = demo_copy(tmp_path / "site")
    content = site / "content"
    (content / "nanguan/decisions/2026-11-02-jueyi.md.txt").write_text("---\ntitle: 记事本存的\n---\n", encoding="utf-8")
    os.symlink(content / "dongzhuang", content / "linked")  # a linked folder is not followed
    os.symlink(content / EDITED, content / "nanguan/decisions/linked.md")  # a linked file is read
    if hasattr(os, "mkfifo"):
        os.mkfifo(content / "nanguan/decisions/pipe.md")  # never opened: reading it would hang
    config, _ = load_config(site)
    _, files = uptodate.input_stats(site)
    found = entry_files(config, files)
    assert found == entry_files(config)
    assert content / "nanguan/decisions/linked.md" in found[0]
    assert found[1] == [content / "nanguan/decisions/2026-11-02-jueyi.md.txt"]


def test_a_folder_that_cannot_be_looked_into_stops_the_build(tmp_path, monkeypatch):
    """A unit's folder the build may not list (permissions, a network share gone for a
    moment): the build stops with the error and leaves the output as it was, rather
    than publish the site without that unit's entries."""
    today = dt.date.fromisoformat(TODAY)
    site = demo_copy(tmp_path / "site")
    build_here(site, today=today, parallel=False)
    scandir = os.scandir

    def refuse(path=".", *args):
        if os.fspath(path).endswith(os.sep + "nanguan"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path, *args)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(PermissionError):
        build_here(site, today=today, parallel=False)
    assert (site / "public/nanguan/index.html").is_file()


def test_a_draft_saved_as_published_while_it_is_read_is_not_cached_as_a_draft(tmp_path, monkeypatch):
    """The clerk saves `draft: false` just after the build read the file as a draft: that
    build may leave it out, but must not cache the new bytes as a draft for good."""
    from site_builder import reader

    site = demo_copy(tmp_path / "site")
    draft = site / "content/nanguan/decisions/2026-11-18-caogao.md"
    draft.write_text("---\ntitle: 南关村草稿\ndate: 2026-11-18\ndraft: true\n---\n\n草稿。\n", encoding="utf-8")
    hashing = reader._digest_of

    def saved_meanwhile(path: Path, entry):  # the clerk's save, between the read and the hash
        if path == draft and "draft: true" in draft.read_text(encoding="utf-8"):
            time.sleep(0.01)
            draft.write_text(draft.read_text(encoding="utf-8").replace("draft: true", "draft: false"),
                             encoding="utf-8")
        return hashing(path, entry)

    monkeypatch.setattr(reader, "_digest_of", saved_meanwhile)
    today = dt.date.fromisoformat(TODAY)
    build_here(site, site / "public", today=today, parallel=False)
    monkeypatch.undo()
    build_here(site, site / "public", today=today, parallel=False)
    assert (site / "public/nanguan/decisions/2026-11-18-caogao/index.html").is_file()
    assert_same_as_cold(site, site / "public", tmp_path, "draft-saved")


def test_saving_the_entries_cache_leaves_their_text_as_it_was_in_memory(tmp_path):
    """CPython keeps the UTF-8 bytes of each non-ASCII str it pickles inside that str, for
    as long as the str lives: saved from the building process, the entries cache would
    double the text of the site model, there and in every worker forked after it (185 MB
    at 50,000 entries). A str's size counts those bytes."""
    from site_builder.cache import Cache
    from site_builder.config import load_config
    from site_builder.reader import read_entries

    site = demo_copy(tmp_path / "site")
    config, _ = load_config(site)
    entries, _ = read_entries(config, Cache(site), parallel=True)
    assert (site / ".site-builder-cache").is_dir()
    grown = [e.rel for e in entries if sys.getsizeof(e.html) != sys.getsizeof(e.html.encode().decode())]
    assert grown == []


def test_the_code_fingerprint_follows_the_bytes_of_the_code_not_its_mtimes(tmp_path):
    """`pip install .` on each CI run writes the same code anew: the cache must hold."""
    def copy(name: str) -> Path:
        shutil.copytree(ROOT / "site_builder", tmp_path / name / "site_builder", copy_function=shutil.copyfile,
                        ignore=shutil.ignore_patterns("__pycache__"))
        return tmp_path / name

    def fingerprint(folder: Path) -> str:
        done = subprocess.run([sys.executable, "-c", "import site_builder.changes as c; print(c.__file__, c.code_fingerprint())"],
                              cwd=folder, capture_output=True, text=True, check=True)
        where, value = done.stdout.split()
        assert Path(where).is_relative_to(folder)
        return value

    first, again = copy("a"), copy("b")
    assert fingerprint(first) == fingerprint(again)
    strings = again / "site_builder/strings/zh-Hans.yaml"
    strings.write_bytes(strings.read_bytes() + b"\n")
    assert fingerprint(first) != fingerprint(again)


def test_the_code_fingerprint_reads_the_version_of_each_library():
    """Cached pages are made again when a library that renders or checks them changes
    version; the versions are read off the metadata folders' names, as importlib.metadata
    would give them."""
    from importlib import metadata

    from site_builder.changes import _DEPENDENCIES, _installed_versions, _normal

    found = _installed_versions()
    assert {n: found.get(_normal(n)) for n in _DEPENDENCIES} == {n: metadata.version(n) for n in _DEPENDENCIES}


def test_serve_shows_an_edited_entry_at_once_then_builds_the_rest(tmp_path):
    """`serve` renders an edited entry's own page from the last build's model before
    the whole build runs, and serves it from memory: the output is written by builds
    alone (tester: a page shown, then the build failed on a ledger that no longer
    followed the month before, and the page stayed in the output beside the old lists
    and CSV). After that build the output is a cold build's."""
    site = demo_copy(tmp_path / "site")
    out = (tmp_path / "out").resolve()
    today = dt.date.fromisoformat(TODAY)
    edits = _Edits(site, today)
    edits.built(build_here(site, out, today=today).site)
    entry = site / "content/dongzhuang/projects/2026-04-14-daolu-zhaobiao-jieguo.md"
    text = entry.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))[len("title:"):].strip(' "')
    entry.write_text(text.replace(title, title + "（更正）", 1), encoding="utf-8")

    before = snapshot(out)
    shown = edits.show({entry.resolve()})
    page = "dongzhuang/projects/2026-04-14-daolu-zhaobiao-jieguo/index.html"
    assert list(shown)[0] == page and all(p.endswith(page) for p in shown), shown
    assert title + "（更正）" in shown[page].decode("utf-8")
    assert snapshot(out) == before  # (nothing written)
    build(site, out)
    assert_same_as_cold(site, out, tmp_path, "shown")

    # shown only by a whole build: a new entry, one with a mistake, one moved in time
    added = site / "content/dongzhuang/projects/2026-11-18-xin.md"
    added.write_text(text.replace(title, "新的公开信息", 1), encoding="utf-8")
    assert edits.show({added.resolve()}) == {}
    added.unlink()
    date = next(line for line in text.splitlines() if line.startswith("date:"))
    entry.write_text(text.replace(date, "date: 2026-02-30", 1), encoding="utf-8")
    assert edits.show({entry.resolve()}) == {}
    entry.write_text(text.replace(date, "date: 2026-04-15", 1), encoding="utf-8")
    assert edits.show({entry.resolve()}) == {}


def test_compiled_templates_kept_in_the_cache_follow_the_language(tmp_path):
    """A filter of a literal ("2026-03" | period) is not computed into the compiled
    template kept in the build cache: after a change of language, it is in the new one."""
    site = demo_copy(tmp_path / "site")
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "404.html").write_text('{% extends "base.html" %}{% block main %}<p id="p">{{ "2026-03" | period }}'
                                    "</p>{% endblock %}", encoding="utf-8")
    out = tmp_path / "out"
    build(site, out)
    assert '<p id="p">2026年3月</p>' in (out / "404.html").read_text(encoding="utf-8")
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: zh-Hans", "language: en", 1),
                      encoding="utf-8")
    build(site, out)
    assert '<p id="p">2026-03</p>' in (out / "404.html").read_text(encoding="utf-8")


def test_search_index_from_cached_spans_equals_cold(tmp_path, corpus_site):
    """The 200-entry corpus is indexed in two spans of documents; an edit in the first
    recomputes that span only (the second is taken from the cache) and the index is
    still byte-identical to a cold build's."""
    site = corpus_copy(corpus_site, tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    cached = site / ".site-builder-cache" / "search"
    second = (cached / "part-1.pickle").stat().st_mtime_ns
    oldest = min(site.glob("content/*/*/*.md"), key=lambda p: (p.name, p.as_posix()))
    text = oldest.read_text(encoding="utf-8")
    oldest.write_text(text.replace("\n---\n", "\n---\n补充说明：触摸屏查询机已安装。\n\n", 1), encoding="utf-8")
    build(site, out)
    assert (cached / "part-1.pickle").stat().st_mtime_ns == second
    # each part's groups in a file of its own, that of the part the edit replaced gone
    assert sorted(p.name.split("-")[1] for p in cached.glob("part-*.bin")) == ["0", "1"]
    assert "触摸屏查询机已安装" in (out / "search" / "d" / "0.js").read_text(encoding="utf-16")
    assert_same_as_cold(site, out, tmp_path, "search-edit")


def test_a_cached_part_that_no_longer_serves_is_made_again_under_its_key(tmp_path, corpus_site):
    """A three-character phrase made of two common bigrams, in a few entries of the
    first span only, written into many of the second becomes a candidate n-gram: the
    first span's cached part, its key unchanged, no longer holds all it needs and is
    made again, different (the phrase's longer extensions), while the part it replaces
    is compared with it. The index is still the cold build's."""
    site = corpus_copy(corpus_site, tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    raw = (out / "search" / "meta.js").read_text(encoding="utf-8")
    common = [t for t in json.JSONDecoder().raw_decode(raw[len("__sbMeta("):])[0]["common"] if len(t) == 2]
    entries = sorted(site.glob("content/*/*/*.md"), key=lambda p: p.name)  # by date
    bodies = [p.read_text(encoding="utf-8") for p in entries]

    def rare_and_old(phrase: str) -> bool:
        found = [k for k, body in enumerate(bodies) if phrase in body]
        return 1 <= len(found) <= 5 and max(found) < 100
    phrase = next(a + b[1] for a in common for b in common if a[1] == b[0] and rare_and_old(a + b[1]))
    cached = site / ".site-builder-cache" / "search"
    key, _ = pickle.loads((cached / "part-0.pickle").read_bytes())
    before = (cached / "part-0.pickle").stat().st_mtime_ns
    # the newest 30: in the second span (200 entries, spans of 128), often there (a
    # candidate) but not in a quarter of all entries (not common: the index keeps its
    # positions, and the chunks to join again are found by comparing the parts)
    for path in entries[-30:]:
        path.write_text(path.read_text(encoding="utf-8") + f"\n\n{phrase}。\n", encoding="utf-8")
    build(site, out)
    assert pickle.loads((cached / "part-0.pickle").read_bytes())[0] == key
    assert (cached / "part-0.pickle").stat().st_mtime_ns != before
    assert sorted(p.name.split("-")[1] for p in cached.glob("part-*.bin")) == ["0", "1"]
    assert_same_as_cold(site, out, tmp_path, "candidates")


@pytest.mark.parametrize("disk", ["same", "other"])
def test_index_files_changed_by_a_rebuild_are_written_into_the_output(tmp_path, corpus_site, disk):
    """A rebuild's search process leaves the bytes of the index files that changed in
    the scratch folder, in the site's cache, and the build writes them into the output,
    on the same disk or another (a USB stick; here /dev/shm): as a cold build would
    write them, and readable by all, like every other file."""
    site = corpus_copy(corpus_site, tmp_path / "site")
    with folder_on(disk, tmp_path) as folder:
        out = folder / "out"
        build(site, out)
        newest = max(site.glob("content/*/*/*.md"), key=lambda p: (p.name, p.as_posix()))
        text = newest.read_text(encoding="utf-8")
        newest.write_text(text.replace("\n---\n", "\n---\n补充说明：查询机放在村委会大厅。\n\n", 1), encoding="utf-8")
        old_umask = os.umask(0o077)
        try:
            summary = build(site, out)
        finally:
            os.umask(old_umask)
        assert 0 < written(summary) < 200
        docs = (out / "search" / "d").iterdir()
        assert any("查询机放在村委会大厅" in p.read_text(encoding="utf-16") for p in docs)
        assert {p.stat().st_mode & 0o777 for p in (out / "search").rglob("*.js")} == {0o644}
        assert not list((site / ".site-builder-cache").rglob("scratch-*"))
        assert_same_as_cold(site, out, tmp_path, "moved")


def test_a_changed_index_file_is_written_into_a_folder_not_made_yet(tmp_path):
    """An index folder removed by hand since the last build is made again."""
    writer = OutputWriter(tmp_path / "out")
    writer.put("search/c/7.js", b"__sbChunk(7)")
    assert (tmp_path / "out" / "search" / "c" / "7.js").read_bytes() == b"__sbChunk(7)"
    assert writer.written == 1 and "search/c" in writer.touched


def test_the_scratch_folders_of_killed_builds_are_removed(tmp_path):
    """A build killed outright cannot remove its scratch folder: the next one does, and
    leaves alone that of a build still running."""
    cache = Cache(tmp_path, "out-x")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = cache.dir / f"scratch-{int(ended.stdout)}-abc", cache.dir / f"scratch-{os.getpid()}-def"
    for folder in (dead, alive):
        (folder / "changed").mkdir(parents=True)
        (folder / "changed" / "0").write_bytes(b"x" * 1000)
    made = scratch_folder(cache)
    try:
        assert not dead.exists() and alive.exists()
        assert Path(made.name).name.startswith(f"scratch-{os.getpid()}-")
    finally:
        made.cleanup()


def test_a_failed_rebuild_stops_its_search_and_leaves_no_scratch_folder(tmp_path, corpus_site):
    """A rebuild makes the search index in a forked process while the pages render; when
    a template mistake stops the build, that process is stopped and the index build's
    scratch folder removed, as after a build that succeeds."""
    site = corpus_copy(corpus_site, tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    scratch = site / ".site-builder-cache"
    assert not list(scratch.glob("*/scratch-*"))
    entry = min(site.glob("content/*/*/*.md"), key=lambda p: p.as_posix())
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补充说明：触摸屏查询机已安装。\n", encoding="utf-8")
    theme = site / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "entry.html").write_text("{% extends 'base.html' %}{% block main %}{{ item.nope() }}{% endblock %}",
                                      encoding="utf-8")
    with pytest.raises(SiteError) as err:  # (here: at exit, a process removes its temporary folders anyway)
        build_here(site, out, today=dt.date.fromisoformat(TODAY))
    assert err.value.problems[0].path.endswith("entry.html")
    assert not list(scratch.glob("*/scratch-*"))


def test_an_edit_joins_again_only_the_chunks_of_the_terms_it_changed(tmp_path, corpus_site, monkeypatch):
    """After an edit, or an entry added last, a chunk file none of whose terms changed is
    not joined again (nor a snippet file of an unchanged span made again); the index
    still equals a cold build's. A chunk file lost from the output makes every file be
    made again."""
    import site_builder.search as search

    site = corpus_copy(corpus_site, tmp_path / "site")
    out = tmp_path / "out"
    today = dt.date.fromisoformat(TODAY)
    build_here(site, out, today=today, parallel=False)
    chunks = len(list((out / "search" / "c").iterdir()))
    joined: list[int] = []
    real_join = search._join
    monkeypatch.setattr(search, "_join", lambda parts, numbers: joined.append(1) or real_join(parts, numbers))

    # (one without a ledger: the text added would move its ledger's lines, and every
    # joint of their dates and amounts, into nearly every chunk of so small a site)
    newest = max((p for p in site.glob("content/*/*/*.md") if "```ledger" not in p.read_text(encoding="utf-8")),
                 key=lambda p: (p.name, p.as_posix()))
    text = newest.read_text(encoding="utf-8")
    newest.write_text(text + "\n补充说明：触摸屏查询机已安装。\n", encoding="utf-8")
    build_here(site, out, today=today, parallel=False)
    assert 0 < len(joined) < chunks  # two joins (postings, positions) a chunk joined again
    assert_same_as_cold(site, out, tmp_path, "joined-edit")

    joined.clear()  # an entry added last: only the last span changes, and the chunks of its terms
    added = newest.with_name(f"{TODAY}-added.md")
    added.write_text(f"---\ntitle: 关于触摸屏查询机安装的说明\ndate: {TODAY}\n---\n\n触摸屏查询机已安装。\n",
                     encoding="utf-8")
    build_here(site, out, today=today, parallel=False)
    assert 0 < len(joined) < chunks
    assert_same_as_cold(site, out, tmp_path, "joined-add")

    joined.clear()
    lost = out / "search" / "p" / "0.js"
    lost.unlink()
    build_here(site, out, today=today, parallel=False)
    assert len(joined) == 2 * chunks and lost.is_file()
