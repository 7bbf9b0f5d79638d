"""Accountability rules, each on a small real site built through the real CLI with --today.

Cadence and missing periods, the 20-working-day rule across the 2025 National Day
holiday (expected dates computed from chinese_calendar here, not by hand), the fallback
for a year the calendar does not know, public-notice status, the ledger chain, names
taken down after a notice, the annual CSV, git history, check --supervision, archive.
Nothing of site_builder is imported or mocked: the tests read what the build wrote.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import posixpath
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import chinese_calendar
import pytest
import yaml

STRINGS = yaml.safe_load((Path(__file__).resolve().parents[1] / "site_builder" / "strings"
                          / "zh-Hans.yaml").read_text(encoding="utf-8"))
UI, MESSAGES = STRINGS["ui"], STRINGS["messages"]

UNITS = [
    {"id": "town", "name": "测试镇人民政府", "kind": "town"},
    {"id": "beicun", "name": "北村", "kind": "village", "parent": "town", "since": "2026-01",
     "supervisor": {"name": "王监督", "phone": "0372-5551111"}},
    {"id": "nancun", "name": "南村", "kind": "village", "parent": "town", "since": "2026-01"},
]
CATEGORIES = [
    {"id": "finance", "name": "财务收支", "cadence": "monthly"},
    {"id": "decisions", "name": "重大事项", "cadence": "as-needed", "notice_days": 7},
    {"id": "relief", "name": "低保救助", "cadence": "as-needed", "notice_days": 7,
     "publish_within_workdays": 10},
]


# --------------------------------------------------------------------------- helpers

def write_site(root: Path, units=UNITS, categories=CATEGORIES, **extra) -> Path:
    config = {"title": "测试镇公开", "organization": "测试镇人民政府", "search": False,
              "contact": {"phone": "0372-5550000", "email": "gk@example.org"},
              "units": units, "categories": categories, **extra}
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    return root


def write_entry(root: Path, rel: str, body: str = "正文。", **front) -> Path:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in front.items()}
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"
                    + body + "\n", encoding="utf-8")
    return path


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=180, env={**os.environ, **(env or {})})


def build(site: Path, today: str, output: Path | None = None, env: dict | None = None) -> Path:
    output = output or site.parent / f"out-{site.name}-{today}"
    result = run("build", str(site), "--today", today, "--output", str(output), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def text_of(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def div_text(html: str, css_class: str) -> str:
    m = re.search(rf'(?s)<div class="{css_class}"[^>]*>(.*?)</div>', html)
    assert m, f"no <div class={css_class!r}>"
    return text_of(m.group(1))


class _Tables(HTMLParser):
    """Every table of a page: caption -> rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        elif tag in ("svg", "style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "table" and self._rows is not None:
            self.tables[self._caption.strip()] = self._rows
            self._rows = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag in ("svg", "style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def nth_workday_after(day: dt.date, n: int) -> dt.date:
    while n:
        day += dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def cn_date(day: dt.date) -> str:
    return UI["date_format"].format(y=day.year, m=day.month, d=day.day)


def finance_entries(root: Path, unit: str, months: range, year: int = 2026) -> None:
    """Monthly finance reports for `months`, each published on the 5th of the next month."""
    for m in months:
        published = dt.date(year + (m == 12), m % 12 + 1, 5)
        write_entry(root, f"{unit}/finance/{published.isoformat()}-caiwu-{year}-{m:02d}.md",
                    title=f"{year}年{m}月财务收支公开", date=published, period=f"{year}-{m:02d}")


# --------------------------------------------------------------------------- cadence

def test_finance_stopped_three_months_ago_shows_three_missing(tmp_path):
    site = write_site(tmp_path / "site")
    finance_entries(site, "beicun", range(1, 8))   # 2026-01 .. 2026-07, then nothing
    finance_entries(site, "nancun", range(1, 11))  # up to date
    out = build(site, "2026-11-20")

    page = read(out, "supervision/index.html")
    rows = {r[0]: r for r in tables(page)[UI["cadence_caption"]][1:]}
    beicun, nancun = rows["北村"][1], rows["南村"][1]
    assert beicun.startswith(UI["status_missing"].format(count=3))
    assert "2026年8月、2026年9月、2026年10月" in beicun
    assert nancun.startswith(UI["status_ok"])
    assert rows["测试镇人民政府"][1] == UI["never_published"] + " " + UI["no_since"]  # no since, no finance entries
    assert UI["cadence_unstarted"].format(count=1) in page
    assert UI["unit_unstarted"].format(categories="财务收支") in read(out, "town/index.html")
    assert json.loads(read(out, "data/supervision.json"))["never_published"] == [
        {"unit": "town", "unit_name": "测试镇人民政府", "category": "finance", "category_name": "财务收支"}]

    records = {(r["unit"], r["category"]): r for r in json.loads(read(out, "data/supervision.json"))["records"]}
    assert records[("beicun", "finance")]["missing_periods"] == ["2026-08", "2026-09", "2026-10"]
    assert records[("beicun", "finance")]["status"] == "missing"
    assert records[("beicun", "finance")]["last_period"] == "2026-07"
    assert records[("beicun", "finance")]["overdue_days"] == (dt.date(2026, 11, 20) - dt.date(2026, 9, 10)).days
    assert records[("nancun", "finance")]["missing_periods"] == []

    unit_rows = tables(read(out, "beicun/index.html"))[UI["unit_supervision_caption"].format(unit="北村")]
    assert unit_rows[1][:2] == ["财务收支", UI["status_missing"].format(count=3)]

    result = run("check", "--supervision", str(site), "--today", "2026-11-20")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    expected = MESSAGES["supervision_line"].format(
        unit="北村", category="财务收支", status=UI["status_missing"].format(count=3),
        detail=MESSAGES["supervision_detail"].format(periods="2026年8月、2026年9月、2026年10月"))
    assert expected in lines
    assert not any(line.startswith("南村") for line in lines)


def test_a_withdrawn_ledger_leaves_its_month_missing(tmp_path):
    """Its page keeps only why it was withdrawn: the month is not disclosed, as check
    and new count it too."""
    site = write_site(tmp_path / "site")
    finance_entries(site, "beicun", range(1, 11))
    june = site / "content/beicun/finance/2026-07-05-caiwu-2026-06.md"
    june.write_text(june.read_text(encoding="utf-8").replace(
        "---\n", "---\nwithdrawn: {date: 2026-07-20, reason: 数据录入错误，待核实后重新公开}\n", 1), encoding="utf-8")
    out = build(site, "2026-11-20")
    records = {(r["unit"], r["category"]): r for r in json.loads(read(out, "data/supervision.json"))["records"]}
    assert records[("beicun", "finance")]["missing_periods"] == ["2026-06"]


def test_supervision_on_a_day_gone_by_counts_the_later_entries_in_one_line(tmp_path):
    """Asked about 2026-06-20, the ledgers published after it are not yet out that day:
    one line says so, not a line each advising to mend a date that is right."""
    site = write_site(tmp_path / "site")
    finance_entries(site, "beicun", range(1, 11))  # June to October's published 07-05 .. 11-05
    result = run("check", "--supervision", str(site), "--today", "2026-06-20")
    lines = result.stdout.splitlines()
    assert MESSAGES["supervision_dated_later"].format(count=5, date=cn_date(dt.date(2026, 6, 20))) in lines, result.stdout
    assert not [ln for ln in lines if "2026-07-05" in ln], result.stdout
    # but one dated over a year later is named: a mistyped year (tester)
    typo = write_entry(site, "beicun/decisions/2026-05-10-x.md", title="五月的决定", date="2062-05-10")
    lines = run("check", "--supervision", str(site), "--today", "2026-06-20").stdout.splitlines()
    assert MESSAGES["supervision_dated_later"].format(count=6, date=cn_date(dt.date(2026, 6, 20))) in lines
    assert [ln for ln in lines if "2062-05-10" in ln] == [
        f"content/{typo.relative_to(site / 'content').as_posix()}:3: " + MESSAGES["warning_label"]
        + MESSAGES["dated_later"].format(date="2062-05-10")]


def test_a_period_published_late_is_named_with_how_late(tmp_path):
    """August's ledger, due 09-10, out on 09-25: the supervision page, the unit's and
    check --supervision say which period and by how many days, not a count alone."""
    site = write_site(tmp_path / "site")
    finance_entries(site, "beicun", range(1, 11))
    august = site / "content/beicun/finance/2026-09-05-caiwu-2026-08.md"
    august.write_text(august.read_text(encoding="utf-8").replace("date: '2026-09-05'", "date: '2026-09-25'"),
                      encoding="utf-8")
    out = build(site, "2026-11-20")
    said = UI["late_periods_note"].format(count=1, periods=UI["late_period"].format(period="2026年8月", days=15))
    assert said in text_of(read(out, "supervision/index.html")) and said in text_of(read(out, "beicun/index.html"))
    # and its status says so, marked, never 按时 in green (tester: a village late every
    # month was), nor does the page say every unit published on time
    page = read(out, "supervision/index.html")
    rows = {r[0]: r for r in tables(page)[UI["cadence_caption"]][1:]}
    assert rows["北村"][1].startswith(UI["status_late"].format(count=1)), rows["北村"]
    assert '<td class="cell-late">' in page and '<strong class="status status-late">' in page
    assert UI["cadence_late"].format(count=1) in text_of(page) and UI["cadence_all_ok"] not in text_of(page)
    result = run("check", "--supervision", str(site), "--today", "2026-11-20")
    assert MESSAGES["supervision_line"].format(unit="北村", category="财务收支", status=said, detail="") in \
        result.stdout.splitlines(), result.stdout


def test_a_unit_that_owes_nothing_yet_is_not_said_to_be_on_time(tmp_path):
    """南村 owes its finances from November: on 11-20 its first month is not due (12-10)."""
    units = [UNITS[0], UNITS[1], {**UNITS[2], "since": "2026-11"}]
    site = write_site(tmp_path / "site", units=units)
    finance_entries(site, "beicun", range(1, 11))
    out = build(site, "2026-11-20")
    rows = {r[0]: r for r in tables(read(out, "supervision/index.html"))[UI["cadence_caption"]][1:]}
    assert rows["南村"][1].startswith(UI["status_not_due"]) and rows["北村"][1].startswith(UI["status_ok"])


def test_one_late_period_is_overdue_and_all_on_time_exits_zero(tmp_path):
    site = write_site(tmp_path / "site")
    finance_entries(site, "beicun", range(1, 8))
    finance_entries(site, "nancun", range(1, 8))
    # 2026-08 is due on 2026-09-10: on 2026-09-15 it is five days overdue
    result = run("check", "--supervision", str(site), "--today", "2026-09-15")
    assert result.returncode == 1
    assert MESSAGES["supervision_line"].format(
        unit="北村", category="财务收支", status=UI["status_overdue"].format(days=5),
        detail=MESSAGES["supervision_detail"].format(periods="2026年8月")) in result.stdout.splitlines()
    # on the due day itself nothing is late yet; the town (no `since`) has never published
    # its finances, which is told, though how many periods it owes cannot be counted
    result = run("check", "--supervision", str(site), "--today", "2026-09-10")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines() == [
        MESSAGES["supervision_line"].format(unit="测试镇人民政府", category="财务收支", status=UI["never_published"],
                                            detail=MESSAGES["supervision_detail"].format(periods=UI["no_since"])),
        MESSAGES["supervision_none_counted"].format(date=cn_date(dt.date(2026, 9, 10))),
        MESSAGES["supervision_unstarted"].format(count=1)]
    finance_entries(site, "town", range(3, 8))
    result = run("check", "--supervision", str(site), "--today", "2026-09-10")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == MESSAGES["supervision_ok"].format(date=cn_date(dt.date(2026, 9, 10)))


def test_supervision_list_tells_the_notes_on_its_figures_and_counts_the_others(tmp_path):
    """A quarter's report in the monthly finance category explains why its months are
    missing: that note is printed; a copied entry is `check`'s to tell, only counted."""
    site = write_site(tmp_path / "site")
    finance_entries(site, "beicun", range(1, 8))
    finance_entries(site, "nancun", range(1, 7))
    write_entry(site, "nancun/finance/2026-08-10-q3.md", title="三季度财务汇总", date="2026-08-10", period="2026-Q3")
    for name in ("jueyi", "jueyi-copy"):
        write_entry(site, f"beicun/decisions/2026-08-01-{name}.md", title="修路决议", date="2026-08-01")
    # December typed for August: counted as December's, which had not begun
    write_entry(site, "nancun/finance/2026-09-05-aug.md", "```ledger\n日期,摘要,收入,支出\n2026-12-03,补录,1.00,\n```",
                title="南村8月账目", date="2026-09-05", period="2026-12")
    # August's, no period written: counted by its date as September's (tester: not told)
    write_entry(site, "beicun/finance/2026-09-07-aug.md", title="2026年8月财务收支公开", date="2026-09-07")
    result = run("check", "--supervision", str(site), "--today", "2026-09-15")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [x for x in lines if "2026-09-07-aug" in x] == [
        "content/beicun/finance/2026-09-07-aug.md:2: " + MESSAGES["warning_label"] + MESSAGES[
            "title_period_not_written"].format(named="2026-08", counted="2026-09", first="2026-08")], lines
    lines = [x for x in lines if "2026-09-07-aug" not in x]
    assert ("content/nancun/finance/2026-09-05-aug.md:4: " + MESSAGES["warning_label"] + MESSAGES[
        "ledger_period_not_begun"].format(period="2026-12", date="2026-09-05")) in lines, lines
    lines = [x for x in lines if "2026-09-05-aug" not in x]
    assert lines[0] == ("content/nancun/finance/2026-08-10-q3.md:4: " + MESSAGES["warning_label"]
                        + MESSAGES["period_longer_than_cadence"].format(period="2026-Q3", category="财务收支",
                                                                         example="2026-07"))
    assert not any("duplicate" in line or "修路决议" in line or "jueyi" in line for line in lines), lines
    assert lines[-1] == MESSAGES["supervision_other_notes"].format(count=1)


def test_supervision_list_is_given_when_an_entry_has_a_mistake(tmp_path):
    """One village's broken file does not hide every other unit's figures: its error is
    told after the notes, just above the line saying it is left out of them, and the
    command fails."""
    site = write_site(tmp_path / "site")
    finance_entries(site, "beicun", range(1, 8))
    finance_entries(site, "nancun", range(1, 8))
    write_entry(site, "nancun/finance/2026-07-05-caiwu-2026-06.md", title="2026年6月财务收支公开",
                date="2026-07-35", period="2026-06")
    # a ledger whose only mistake is a line's date: kept for the checks between entries,
    # but not online, so not counted either
    write_entry(site, "beicun/finance/2026-08-05-caiwu-2026-07.md", "```ledger\n日期,摘要,收入,支出\n7月35日,租金,100,\n```",
                title="2026年7月财务收支公开", date="2026-08-05", period="2026-07")
    # a note on the figures, in a file named after theirs
    write_entry(site, "nancun/finance/2026-08-10-q3.md", title="南村第三季度财务收支汇总", date="2026-08-10",
                period="2026-Q3")
    result = run("check", "--supervision", str(site), "--today", "2026-09-15")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("content/nancun/finance/2026-08-10-q3.md:"), lines
    assert lines[1].startswith("content/beicun/finance/2026-08-05-caiwu-2026-07.md:"), lines
    assert lines[2].startswith("content/nancun/finance/2026-07-05-caiwu-2026-06.md:"), lines
    assert lines[3] == MESSAGES["supervision_with_errors"].format(count=2)
    assert MESSAGES["supervision_line"].format(
        unit="北村", category="财务收支", status=UI["status_missing"].format(count=2),
        detail=MESSAGES["supervision_detail"].format(periods="2026年7月、2026年8月")) in lines, lines
    # the broken file's month is counted as missing, as it is left out
    assert MESSAGES["supervision_line"].format(
        unit="南村", category="财务收支", status=UI["status_missing"].format(count=2),
        detail=MESSAGES["supervision_detail"].format(periods="2026年6月、2026年8月")) in lines, lines
    # a mistake in site.yaml gives no figures: a category it leaves out would look on time
    write_site(site, categories=[dict(CATEGORIES[0], cadence="montly")])
    result = run("check", "--supervision", str(site), "--today", "2026-09-15")
    assert result.returncode == 1 and result.stdout == "" and "montly" in result.stderr, result.stdout


def test_category_due_days_moves_the_due_date(tmp_path):
    cats = [dict(CATEGORIES[0], due_days=20)]
    site = write_site(tmp_path / "site", categories=cats)
    finance_entries(site, "beicun", range(1, 8))
    finance_entries(site, "nancun", range(1, 8))
    assert run("check", "--supervision", str(site), "--today", "2026-09-15").returncode == 0
    result = run("check", "--supervision", str(site), "--today", "2026-09-21")  # due 2026-09-20
    assert result.returncode == 1
    assert MESSAGES["supervision_line"].format(
        unit="北村", category="财务收支", status=UI["status_overdue"].format(days=1),
        detail=MESSAGES["supervision_detail"].format(periods="2026年8月")) in result.stdout.splitlines()


# --------------------------------------------------------------------------- working days

def test_twentieth_working_day_after_national_day_is_on_time_the_next_is_late(tmp_path):
    formed = dt.date(2025, 9, 26)  # the Friday before the 2025 National Day holiday
    deadline = nth_workday_after(formed, 20)
    next_workday = nth_workday_after(deadline, 1)
    weekdays_only = formed
    for _ in range(20):
        weekdays_only += dt.timedelta(days=1)
        while weekdays_only.weekday() >= 5:
            weekdays_only += dt.timedelta(days=1)
    assert deadline != weekdays_only  # the holiday and make-up workdays matter here
    relief_deadline = nth_workday_after(formed, 10)

    site = write_site(tmp_path / "site")
    write_entry(site, "town/decisions/on-time.md", title="按时公开的决定", date=deadline, formed=formed)
    write_entry(site, "town/decisions/late.md", title="晚了一天的决定", date=next_workday, formed=formed)
    write_entry(site, "town/relief/relief-late.md", title="救助事项", formed=formed,
                date=nth_workday_after(relief_deadline, 1))
    write_entry(site, "town/relief/relief-on-time.md", title="按时的救助事项", formed=formed,
                date=relief_deadline)
    # published the Sunday after its last allowed day, a Friday: no working day has passed
    friday_formed = next(d for d in (dt.date(2025, 11, 1) + dt.timedelta(days=k) for k in range(14))
                         if nth_workday_after(d, 20).weekday() == 4)
    write_entry(site, "town/decisions/sunday.md", title="周日公开的决定", formed=friday_formed,
                date=nth_workday_after(friday_formed, 20) + dt.timedelta(days=2))
    out = build(site, "2025-12-31")

    late = {x["title"]: x for x in json.loads(read(out, "data/supervision.json"))["late_entries"]}
    assert set(late) == {"晚了一天的决定", "救助事项"}
    assert late["晚了一天的决定"]["deadline"] == deadline.isoformat()
    assert late["晚了一天的决定"]["workdays_late"] == 1
    assert late["晚了一天的决定"]["limit_workdays"] == 20
    assert late["救助事项"]["deadline"] == relief_deadline.isoformat()
    assert late["救助事项"]["limit_workdays"] == 10

    rows = tables(read(out, "supervision/index.html"))[UI["late_caption"]]
    assert [r[0] for r in rows[1:]] == ["晚了一天的决定", "救助事项"]  # newest first
    assert rows[1][4].startswith(cn_date(deadline)) and rows[1][6] == UI["workdays_count"].format(n=1)

    tag = UI["late_tag"].format(limit=20, n=1)
    assert tag in text_of(read(out, "town/decisions/late/index.html"))
    for on_time in ("on-time", "sunday"):
        assert UI["late_tag"].split("{")[0] not in text_of(read(out, f"town/decisions/{on_time}/index.html"))
    # the supervisors' list names them too (it named only periods published late)
    lines = run("check", "--supervision", str(site), "--today", "2025-12-31").stdout.splitlines()
    told = [line for line in lines if "content/town/" in line]
    assert told == [MESSAGES["supervision_late_entry"].format(
        unit="测试镇人民政府", category=category, title=title, formed=cn_date(formed), deadline=cn_date(due),
        limit=limit, published=cn_date(nth_workday_after(due, 1)), n=1, path=f"content/town/{rel}")
        for title, category, due, limit, rel in [("晚了一天的决定", "重大事项", deadline, 20, "decisions/late.md"),
                                                  ("救助事项", "低保救助", relief_deadline, 10, "relief/relief-late.md")]], lines


def test_unknown_year_counts_weekdays_with_a_warning_and_site_holidays_fix_it(tmp_path):
    formed = dt.date(2031, 3, 3)
    weekday_deadline = formed
    for _ in range(20):
        weekday_deadline += dt.timedelta(days=1)
        while weekday_deadline.weekday() >= 5:
            weekday_deadline += dt.timedelta(days=1)
    published = weekday_deadline + dt.timedelta(days=1)
    while published.weekday() >= 5:
        published += dt.timedelta(days=1)
    site = write_site(tmp_path / "site")
    write_entry(site, "town/decisions/d.md", title="2031年的决定", date=published, formed=formed)

    warning = "site.yaml: " + MESSAGES["warning_label"] + MESSAGES["workdays_unknown_year"].format(year=2031)
    result = run("check", str(site), "--today", "2031-06-01")
    assert result.returncode == 0 and warning in result.stdout.splitlines(), result.stdout
    result = run("check", "--supervision", str(site), "--today", "2031-06-01")
    assert warning in result.stdout.splitlines()
    out = build(site, "2031-06-01")
    assert UI["workdays_fallback"].format(years="2031") in text_of(read(out, "supervision/index.html"))
    data = json.loads(read(out, "data/supervision.json"))
    assert data["workdays_fallback_years"] == [2031]
    assert [(x["deadline"], x["workdays_late"]) for x in data["late_entries"]] == \
        [(weekday_deadline.isoformat(), 1)]

    # The State Council publishes 2031: two days off in the window make the entry on time.
    days_off = [formed + dt.timedelta(days=7), formed + dt.timedelta(days=8)]  # Mon and Tue
    write_site(site, holidays={2031: {"holidays": [d.isoformat() for d in days_off], "workdays": []}})
    result = run("check", str(site), "--today", "2031-06-01")
    assert result.returncode == 0 and warning not in result.stdout, result.stdout
    out = build(site, "2031-06-01", tmp_path / "out2")
    data = json.loads(read(out, "data/supervision.json"))
    assert data["workdays_fallback_years"] == [] and data["late_entries"] == []


def test_bad_holidays_config_is_refused_with_its_line(tmp_path):
    site = write_site(tmp_path / "site", holidays={2031: {"holidays": ["2031-02-30"], "weekends": []}})
    text = (site / "site.yaml").read_text(encoding="utf-8")
    result = run("check", str(site))
    assert result.returncode == 1
    lines = text.splitlines()
    bad_line = [n for n, ln in enumerate(lines, 1) if ln.strip().startswith("holidays:")][-1]  # 2031's
    weekends_line = next(n for n, ln in enumerate(lines, 1) if "weekends" in ln)
    assert f"site.yaml:{bad_line}: " + MESSAGES["error_label"] + MESSAGES["bad_date"].format(
        key="holidays.2031.holidays", value="2031-02-30") in result.stdout
    assert f"site.yaml:{weekends_line}: " + MESSAGES["error_label"] + MESSAGES["holidays_unknown_key"].format(
        key="weekends") \
        in result.stdout


# --------------------------------------------------------------------------- public notice

def test_a_notice_shorter_than_its_category_requires_is_shown_to_the_supervisors(tmp_path):
    """Names posted for two days leave no time to object: the clerk is told when checking
    (a note), and the supervisors see it listed on their page, in their data and by
    check --supervision. Seven days counted with the first and the last is not short."""
    site = write_site(tmp_path / "site")
    write_entry(site, "beicun/relief/2026-11-10-short.md", title="北村低保对象公示", date="2026-11-10",
                notice_until="2026-11-11")
    write_entry(site, "beicun/relief/2026-11-12-full.md", title="北村低保对象公示（二）", date="2026-11-12",
                notice_until="2026-11-18")
    write_entry(site, "beicun/relief/2026-11-02-gone.md", title="北村低保对象公示（误）", date="2026-11-02",
                notice_until="2026-11-03", withdrawn={"date": "2026-11-04", "reason": "名单有误"})
    out = build(site, "2026-11-20")
    rows = tables(read(out, "supervision/index.html"))[UI["short_notice_heading"]]
    # (one withdrawn since is marked so: tester)
    assert [r[0] for r in rows[1:]] == ["北村低保对象公示", "北村低保对象公示（误） " + UI["withdrawn"]], rows
    assert rows[1][3:] == [UI["date_span"].format(start=cn_date(dt.date(2026, 11, 10)), until=cn_date(dt.date(2026, 11, 11))),
                           UI["short_notice_days"].format(days=2, least=7)]
    short = json.loads(read(out, "data/supervision.json"))["short_notices"]
    assert [(x["title"], x["days"], x["least_days"]) for x in short] == [("北村低保对象公示", 2, 7),
                                                                        ("北村低保对象公示（误）", 2, 7)]
    lines = run("check", "--supervision", str(site), "--today", "2026-11-20").stdout.splitlines()
    assert MESSAGES["supervision_short_notice"].format(
        unit="北村", category="低保救助", title="北村低保对象公示", start=cn_date(dt.date(2026, 11, 10)),
        until=cn_date(dt.date(2026, 11, 11)), days=2, least=7, path="content/beicun/relief/2026-11-10-short.md") in lines


def test_notice_days_left_then_over(tmp_path):
    site = write_site(tmp_path / "site")
    write_entry(site, "beicun/decisions/2026-11-17-jueyi.md", title="修路决议公示", date="2026-11-17")
    write_entry(site, "beicun/decisions/2026-11-18-own-until.md", title="自定截止日期的公示",
                date="2026-11-18", notice_until="2026-12-01")
    page = "beicun/decisions/2026-11-17-jueyi/index.html"
    until = dt.date(2026, 11, 24)  # date + notice_days 7

    out = build(site, "2026-11-20")
    notice = div_text(read(out, page), "notice notice-open")
    assert notice.startswith(UI["notice_open"])
    # the page's banner gives the period, then the days left (its last day said once)
    assert UI["notice_period"].format(start=cn_date(dt.date(2026, 11, 17)), until=cn_date(until)) in notice
    assert UI["notice_days_left_short"].format(days=4) in notice and notice.count(cn_date(until)) == 1
    assert UI["notice_days_left_short"].format(days=11) in \
        div_text(read(out, "beicun/decisions/2026-11-18-own-until/index.html"), "notice notice-open")
    home = read(out, "index.html")
    section = re.search(r'(?s)<section aria-labelledby="notices-heading".*?</section>', home).group(0)
    assert home.index(section) < home.index('id="units-heading"')  # open notices come first
    assert re.findall(r'<a href="([^"]+)">', section) == [
        "beicun/decisions/2026-11-17-jueyi/index.html", "beicun/decisions/2026-11-18-own-until/index.html"]
    assert "修路决议公示" in text_of(re.search(r'(?s)id="notices-heading".*?</section>',
                                              read(out, "beicun/index.html")).group(0))

    out = build(site, "2026-11-24")
    assert UI["notice_last_day_short"] in div_text(read(out, page), "notice notice-open")

    out = build(site, "2026-11-25")
    ended = div_text(read(out, page), "notice notice-ended")
    assert ended.startswith(UI["notice_ended"])
    assert UI["notice_open"] not in ended
    home = read(out, "index.html")
    assert "2026-11-17-jueyi" not in re.search(r'(?s)id="notices-heading".*?</section>', home).group(0)


# --------------------------------------------------------------------------- ledgers

LEDGER = """```ledger
opening: {opening}
日期,摘要,收入,支出
{day},收入一笔,{income},
{day},支出一笔,,{expense}
```"""


def ledger_entry(root: Path, month: int, opening: str, income: str, expense: str, **front) -> str:
    rel = f"beicun/finance/2026-{month + 1:02d}-05-caiwu-{month:02d}.md"
    write_entry(root, rel, body=LEDGER.format(opening=opening, income=income, expense=expense,
                                              day=f"2026-{month:02d}-10"),
                title=f"2026年{month}月财务收支公开", date=f"2026-{month + 1:02d}-05",
                period=f"2026-{month:02d}", **front)
    return f"content/{rel}"


def test_broken_ledger_chain_is_refused_naming_both_files(tmp_path):
    site = write_site(tmp_path / "site")
    first = ledger_entry(site, 1, "1000.00", "500.00", "200.00")   # closes at 1300.00
    second = ledger_entry(site, 2, "1200.00", "100.00", "50.00")   # opens at 1200.00
    out = tmp_path / "out"
    result = run("build", str(site), "--today", "2026-11-20", "--output", str(out))
    assert result.returncode == 1
    text = (site / second).read_text(encoding="utf-8")
    fence = text.splitlines().index("```ledger") + 1
    expected = f"{second}:{fence}: " + MESSAGES["error_label"] + MESSAGES["ledger_chain_break"].format(
        opening="1,200.00", closing="1,300.00", previous=first)
    assert expected in result.stderr.splitlines(), result.stderr
    assert first in expected and second in expected
    assert not (out / "index.html").exists()

    # The clerk explains the difference: the build goes through and the page says why.
    ledger_entry(site, 2, "1200.00", "100.00", "50.00", opening_note="年初调账，冲回多记收入100元")
    out = build(site, "2026-11-20")
    assert "年初调账，冲回多记收入100元" in text_of(read(out, "beicun/finance/2026-03-05-caiwu-02/index.html"))
    overview = tables(read(out, "beicun/ledgers/index.html"))[UI["finance_caption"].format(category="财务收支")]
    assert overview[1][1:] == ["1,000.00", "500.00", "200.00", "1,300.00"]
    assert overview[2][1:] == ["1,200.00", "100.00", "50.00", "1,250.00"]
    assert '<svg class="chart" role="img"' in read(out, "beicun/ledgers/index.html")
    rows = list(csv.reader(io.StringIO(read(out, "beicun/finance/2026-03-05-caiwu-02/ledger.csv").lstrip("\ufeff"))))
    assert rows[0] == ["日期", "摘要", "收入", "支出", UI["balance"]]
    assert rows[-1][-1] == "1250.00"


# --------------------------------------------------------------------------- privacy after notice

NAMES = ("欧阳春花", "司马秋实", "诸葛冬青")


def test_a_ledger_after_months_without_one_is_built_with_a_note_naming_them(tmp_path):
    """February's ledger missing, then withdrawn: March's opening cannot be checked
    against January's closing. The site is built (the cadence check shows the gap), with
    a note on March's ledger naming the months; it was a stop to the whole site, naming
    January as 上一期. In a category with no schedule a break is still a stop."""
    site = write_site(tmp_path / "site")
    january = ledger_entry(site, 1, "1000.00", "500.00", "200.00")  # closes at 1300.00
    march = ledger_entry(site, 3, "1250.00", "100.00", "50.00")     # February spent 50.00
    text = (site / march).read_text(encoding="utf-8")
    fence = text.splitlines().index("```ledger") + 1
    note = f"{march}:{fence}: " + MESSAGES["warning_label"] + MESSAGES["ledger_chain_gap"].format(
        opening="1,250.00", closing="1,300.00", previous=january, periods="2026-02")  # (one period: not "02 to 02")
    for withdrawn in (False, True):
        if withdrawn:
            ledger_entry(site, 2, "1300.00", "0.00", "50.00",
                         withdrawn={"date": "2026-04-01", "reason": "金额有误"})
        result = run("build", str(site), "--today", "2026-11-20", "--output", str(tmp_path / f"out-{withdrawn}"))
        assert result.returncode == 0, result.stdout + result.stderr
        assert note in (result.stdout + result.stderr).splitlines(), result.stdout + result.stderr

    # Where no period is owed (a category published as needed), months apart are no gap:
    # the break stops the build, naming the ledger before.
    for month, opening in ((5, "1000.00"), (9, "1200.00")):
        write_entry(site, f"beicun/decisions/2026-{month:02d}-20-xiangmu.md", title=f"项目收支{month}",
                    date=f"2026-{month:02d}-20", body=LEDGER.format(opening=opening, income="100.00",
                                                                    expense="0.00", day=f"2026-{month:02d}-10"))
    result = run("check", str(site), "--today", "2026-11-20")
    assert result.returncode == 1, result.stdout
    assert "content/beicun/decisions/2026-05-20-xiangmu.md" in result.stdout, result.stdout


def test_withdrawn_list_keeps_no_names_after_the_notice(tmp_path):
    cats = [dict(CATEGORIES[2], withdraw_after_notice=True)]
    site = write_site(tmp_path / "site", categories=cats, search=True)
    table = "\n".join(f"| {n} | 一组 | 420.00 |" for n in NAMES)
    write_entry(site, "beicun/relief/2026-11-17-dibao.md", title="北村第四季度低保对象公示",
                date="2026-11-17", attachments=["dibao.csv"],
                body=f"| 户主 | 组别 | 金额 |\n| --- | --- | --- |\n{table}\n\n附件：[名单](dibao.csv)")
    (site / "content/beicun/relief/dibao.csv").write_text(
        "户主,组别\n" + "\n".join(f"{n},一组" for n in NAMES) + "\n", encoding="utf-8")
    page = "beicun/relief/2026-11-17-dibao/index.html"

    during = build(site, "2026-11-20")
    assert all(n in read(during, page) for n in NAMES)  # public while under notice
    assert (during / "beicun/relief/2026-11-17-dibao/dibao.csv").is_file()

    after = build(site, "2026-11-25")
    for path in after.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for name in NAMES:  # (the search index's snippets are UTF-16)
                assert name.encode("utf-8") not in data and name.encode("utf-16-le") not in data, \
                    f"{name} in {path.relative_to(after)}"
    assert not (after / "beicun/relief/2026-11-17-dibao/dibao.csv").exists()
    html = read(after, page)
    assert "北村第四季度低保对象公示" in html
    notice = div_text(html, "notice notice-ended")
    assert UI["notice_ended"] in notice and UI["withheld_notice"] in notice
    assert UI["notice_period"].format(start=cn_date(dt.date(2026, 11, 17)),
                                      until=cn_date(dt.date(2026, 11, 24))) in notice
    entry = next(e for e in json.loads(read(after, "data/entries.json")) if e["title"] == "北村第四季度低保对象公示")
    assert entry["body_withheld"] is True
    # still found by what its page shows, its title (it was gone from search: tester)
    snippets = [p.read_bytes().decode("utf-16") for p in (after / "search/d").rglob("*.js")]
    assert [d for d in snippets if "北村第四季度低保对象公示" in d]


# --------------------------------------------------------------------------- annual report

def test_annual_csv_counts_match_the_entries(tmp_path):
    """Late by either rule counts, once: past the working-day limit after `formed`, or
    covering a scheduled period after its due date. A year under way says to when."""
    site = write_site(tmp_path / "site")
    entries = [  # (rel, date, formed, corrects)
        ("beicun/decisions/a.md", "2025-03-02", None, None),
        ("beicun/decisions/b.md", "2025-05-06", "2025-01-02", None),  # far past 20 working days
        ("beicun/decisions/c.md", "2026-02-02", None, None),
        ("beicun/decisions/d.md", "2026-02-09", None, "beicun/decisions/c.md"),
        ("nancun/decisions/e.md", "2026-04-01", "2026-03-30", None),
        ("town/relief/f.md", "2026-06-01", "2026-05-05", None),  # past 10 working days
        ("town/relief/g.md", "2026-07-01", None, None),
    ]
    for rel, day, formed, corrects in entries:
        front = {"title": f"标题{rel[-4]}", "date": day}
        if formed:
            front["formed"] = formed
        if corrects:
            front["corrects"] = corrects
        write_entry(site, rel, **front)
    finance_entries(site, "nancun", range(1, 11))
    august = site / "content/nancun/finance/2026-09-05-caiwu-2026-08.md"  # due 09-10
    august.write_text(august.read_text(encoding="utf-8").replace("2026-09-05", "2026-09-25"), encoding="utf-8")
    september = site / "content/nancun/finance/2026-10-05-caiwu-2026-09.md"  # due 10-10, and 20 working days
    september.write_text(september.read_text(encoding="utf-8").replace(
        "date: '2026-10-05'", "date: '2026-11-12'\nformed: '2026-09-30'"), encoding="utf-8")
    out = build(site, "2026-11-20")

    def counts(year: str) -> list[list[str]]:
        rows = list(csv.reader(io.StringIO(read(out, f"data/annual-{year}.csv").lstrip("\ufeff"))))
        assert rows[0] == [UI["col_year"], UI["col_unit_id"], UI["col_unit"], UI["col_category_id"],
                           UI["category"], UI["col_count_published"], UI["col_count_late"],
                           UI["col_count_missing"], UI["col_count_corrections"], UI["col_as_of"]]
        return [[r[0], r[1], r[3], r[5], r[6], r[7], r[8], r[9]] for r in rows[1:]]

    # (北村 owes its finances from 2026-01 and published none: a row of its own, January
    # to October missing, tester: no row at all)
    assert counts("2025") == [["2025", "beicun", "decisions", "2", "1", "0", "0", "2025-12-31"]]
    assert counts("2026") == [["2026", "town", "relief", "2", "1", "0", "0", "2026-11-20"],
                              ["2026", "beicun", "finance", "0", "0", "10", "0", "2026-11-20"],
                              ["2026", "beicun", "decisions", "2", "0", "0", "1", "2026-11-20"],
                              ["2026", "nancun", "finance", "10", "2", "0", "0", "2026-11-20"],
                              ["2026", "nancun", "decisions", "1", "0", "0", "0", "2026-11-20"]]
    captions = {"2025": UI["annual_caption"].format(y=2025),
                "2026": UI["annual_caption_so_far"].format(y=2026, date="2026年11月20日")}
    for year, totals in {"2025": (2, 1, 0, 0), "2026": (15, 3, 10, 1)}.items():
        page = read(out, f"supervision/annual-{year}/index.html")
        assert tables(page)[captions[year]][-1] == [UI["total_row"], *map(str, totals)]
        so_far = UI["annual_so_far"].format(y=2026, date="2026年11月20日")
        assert (so_far in text_of(page)) == (year == "2026")
    assert not (out / "data/annual-2024.csv").exists()
    late = json.loads(read(out, "data/supervision.json"))["records"]
    late = next(r["late_periods"] for r in late if r["unit"] == "nancun" and r["category"] == "finance")
    assert [(p["period"], p["days_late"], p["entry"]["title"]) for p in late] == [
        ("2026-08", 15, "2026年8月财务收支公开"), ("2026-09", 33, "2026年9月财务收支公开")]


# --------------------------------------------------------------------------- git history

def _git(cwd: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "clerk", "GIT_AUTHOR_EMAIL": "clerk@example.org",
           "GIT_COMMITTER_NAME": "clerk", "GIT_COMMITTER_EMAIL": "clerk@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def history_of(html: str) -> tuple[list[str], list[str]]:
    """The history section's paragraphs and list items, tags removed."""
    section = re.search(r'(?s)<section class="history".*?</section>', html).group(0)
    strip = lambda part: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", part)).strip()  # noqa: E731
    return ([strip(p) for p in re.findall(r"(?s)<p>(.*?)</p>", section)],
            [strip(li) for li in re.findall(r"(?s)<li>(.*?)</li>", section)])


def test_git_history_on_entry_pages(tmp_path):
    no_parent_repo = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    site = write_site(tmp_path / "site")
    entry = write_entry(site, "beicun/decisions/2026-03-01-jueyi.md", title="修路决议", date="2026-03-01")
    page = "beicun/decisions/2026-03-01-jueyi/index.html"

    plain = build(site, "2026-05-01", env=no_parent_repo)  # not a git repository: nothing shown
    assert 'class="history"' not in read(plain, page)

    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "first", when="2026-03-01T10:00:00+08:00")
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    _git(site, "commit", "-q", "-am", "second", when="2026-04-15T23:30:00+08:00")

    out = build(site, "2026-05-01", tmp_path / "out-git", env=no_parent_repo)
    assert history_of(read(out, page)) == (
        [UI["modified_on"] + cn_date(dt.date(2026, 4, 15))],
        [UI["history_first"] + cn_date(dt.date(2026, 3, 1)),
         UI["history_changed"] + cn_date(dt.date(2026, 4, 15))])

    # --today before the second commit: only the first one counts
    out = build(site, "2026-03-20", tmp_path / "out-early", env=no_parent_repo)
    assert history_of(read(out, page)) == ([], [UI["history_first"] + cn_date(dt.date(2026, 3, 1))])

    # committed ahead of its date: online on its date, the edits before it not shown
    later = write_entry(site, "beicun/decisions/2026-04-20-gongshi.md", title="公示", date="2026-04-20")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "ahead", when="2026-04-10T10:00:00+08:00")
    for when in ("2026-04-12T10:00:00+08:00", "2026-04-25T10:00:00+08:00"):
        later.write_text(later.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
        _git(site, "commit", "-q", "-am", "edit", when=when)
    out = build(site, "2026-05-01", tmp_path / "out-ahead", env=no_parent_repo)
    assert history_of(read(out, "beicun/decisions/2026-04-20-gongshi/index.html")) == (
        [UI["modified_on"] + cn_date(dt.date(2026, 4, 25))],
        [UI["history_first"] + cn_date(dt.date(2026, 4, 20)),
         UI["history_changed"] + cn_date(dt.date(2026, 4, 25))])

    # a shallow clone shows nothing rather than a wrong first date
    shallow = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{site}", str(shallow))
    out = build(shallow, "2026-05-01", tmp_path / "out-shallow", env=no_parent_repo)
    assert 'class="history"' not in read(out, page)
    _git(shallow, "fetch", "-q", "--unshallow")  # the whole history fetched: shown by the next build
    out = build(shallow, "2026-05-01", tmp_path / "out-shallow", env=no_parent_repo)
    assert history_of(read(out, page))[1] == [UI["history_first"] + cn_date(dt.date(2026, 3, 1)),
                                              UI["history_changed"] + cn_date(dt.date(2026, 4, 15))]


def test_a_renamed_entry_keeps_its_history_and_its_old_address_sends_on(tmp_path):
    """A clerk renames a published file: its old address (in a bookmark, a link, the QR
    code of a sheet on the board) opens a page that sends on to the new one, in the
    Traditional copy too, and its history goes on from its first day. A file made later
    at the old name is another entry: its page takes the address, and the history of the
    file once there is not its (nor is that of a file deleted where one is renamed to).
    Moved to another village's folder, its old address is that folder's; a branch merged
    brings its renames and edits on the day of the merge, when they went online."""
    no_parent_repo = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    site = write_site(tmp_path / "site", also_traditional=True)
    d = "content/beicun/decisions"
    entry = write_entry(site, "beicun/decisions/2026-03-01-jueyi.md", title="修路决议", date="2026-03-01")
    write_entry(site, "beicun/decisions/2026-03-02-tongzhi.md", title="停水通知", date="2026-03-02")
    write_entry(site, "beicun/decisions/2026-03-03-修桥.md", title="修桥决议", date="2026-03-03")
    write_entry(site, "beicun/decisions/2026-03-04-gonggao.md", title="招标公告", date="2026-03-04")
    write_entry(site, "beicun/decisions/2026-03-05-gone.md", title="已删除的通知", date="2026-03-05")
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "first", when="2026-03-02T10:00:00+08:00")
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    _git(site, "rm", "-q", f"{d}/2026-03-05-gone.md")
    _git(site, "commit", "-q", "-am", "edit", when="2026-04-15T10:00:00+08:00")
    _git(site, "mv", f"{d}/2026-03-01-jueyi.md", f"{d}/2026-03-01-xiulu.md")
    _git(site, "mv", f"{d}/2026-03-02-tongzhi.md", f"{d}/2026-03-02-tingshui.md")
    _git(site, "mv", f"{d}/2026-03-03-修桥.md", f"{d}/2026-03-03-财务公开.md")
    (site / "content/nancun/decisions").mkdir(parents=True)
    _git(site, "mv", f"{d}/2026-03-04-gonggao.md", "content/nancun/decisions/2026-03-04-zhaobiao.md")
    _git(site, "commit", "-q", "-m", "renamed", when="2026-05-02T10:00:00+08:00")
    write_entry(site, "beicun/decisions/2026-03-02-tongzhi.md", title="停电通知", date="2026-05-05")
    later = write_entry(site, "beicun/decisions/2026-05-04-draft.md", title="新通知", date="2026-05-04")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "a new file at an old name", when="2026-05-05T10:00:00+08:00")
    _git(site, "checkout", "-q", "-b", "branch")
    _git(site, "mv", f"{d}/2026-05-04-draft.md", f"{d}/2026-03-05-gone.md")  # (where one was deleted)
    _git(site, "commit", "-q", "-m", "on a branch", when="2026-05-06T10:00:00+08:00")
    _git(site, "checkout", "-q", "-")
    (site / "content/nancun/decisions/2026-03-04-zhaobiao.md").write_text(
        (site / "content/nancun/decisions/2026-03-04-zhaobiao.md").read_text(encoding="utf-8") + "\n更正。\n",
        encoding="utf-8")
    _git(site, "commit", "-q", "-am", "edit on main", when="2026-05-07T10:00:00+08:00")
    _git(site, "merge", "-q", "--no-ff", "-m", "merged", "branch", when="2026-05-08T10:00:00+08:00")

    out = build(site, "2026-05-10", tmp_path / "out", env=no_parent_repo)

    def sends_to(old: str) -> str | None:
        found = re.search(r'http-equiv="refresh" content="0; url=([^"]*)"', read(out, old))
        return posixpath.normpath(posixpath.join(posixpath.dirname(old), found.group(1))) if found else None

    moved = read(out, "beicun/decisions/2026-03-01-jueyi/index.html")
    assert '<meta name="robots" content="noindex">' in moved and "修路决议" in moved
    assert sends_to("beicun/decisions/2026-03-01-jueyi/index.html") == "beicun/decisions/2026-03-01-xiulu/index.html"
    assert sends_to("zh-hant/beicun/decisions/2026-03-03-修桥/index.html") == \
        "zh-hant/beicun/decisions/2026-03-03-财务公开/index.html"
    assert (out / "zh-hant/beicun/decisions/2026-03-03-财务公开/index.html").is_file()
    assert sends_to("beicun/decisions/2026-03-04-gonggao/index.html") == "nancun/decisions/2026-03-04-zhaobiao/index.html"
    assert not (out / "nancun/decisions/2026-03-04-gonggao").exists()  # (an address it never had)
    assert "gonggao" not in read(out, "sitemap.xml") if (out / "sitemap.xml").exists() else True
    assert history_of(read(out, "beicun/decisions/2026-03-01-xiulu/index.html")) == (
        [UI["modified_on"] + cn_date(dt.date(2026, 4, 15))],
        [UI["history_first"] + cn_date(dt.date(2026, 3, 2)),
         UI["history_changed"] + cn_date(dt.date(2026, 4, 15))])
    # the old name taken by a new file: its own page, with its own history
    page = read(out, "beicun/decisions/2026-03-02-tongzhi/index.html")
    assert "停电通知" in page and 'http-equiv="refresh"' not in page
    assert history_of(page)[1] == [UI["history_first"] + cn_date(dt.date(2026, 5, 5))]
    assert history_of(read(out, "beicun/decisions/2026-03-02-tingshui/index.html"))[1] == [
        UI["history_first"] + cn_date(dt.date(2026, 3, 2))]
    # renamed (alone: no change), on a branch, to where a file was deleted: its own history
    assert later.name not in {p.name for p in (site / "content/beicun/decisions").iterdir()}
    assert history_of(read(out, "beicun/decisions/2026-03-05-gone/index.html"))[1] == [
        UI["history_first"] + cn_date(dt.date(2026, 5, 5))]
    assert sends_to("beicun/decisions/2026-05-04-draft/index.html") == "beicun/decisions/2026-03-05-gone/index.html"
    assert history_of(read(out, "nancun/decisions/2026-03-04-zhaobiao/index.html"))[1] == [
        UI["history_first"] + cn_date(dt.date(2026, 3, 4)), UI["history_changed"] + cn_date(dt.date(2026, 5, 7))]


@pytest.mark.parametrize("where", ["subfolder", "worktree"])
def test_a_commit_reaches_the_history_of_a_site_in_a_subfolder_or_a_worktree(tmp_path, where):
    """The site may be a folder of a larger repository, or a worktree (whose .git is a
    file): a commit there is seen by a rebuild into the same output, which would else
    take the site for unchanged and show the history as it was."""
    no_parent_repo = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    repo = tmp_path / "repo"
    site = write_site(repo / "gongkai")
    entry = write_entry(site, "beicun/decisions/2026-03-01-jueyi.md", title="修路决议", date="2026-03-01")
    page = "beicun/decisions/2026-03-01-jueyi/index.html"
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first", when="2026-03-01T10:00:00+08:00")
    if where == "worktree":
        _git(repo, "worktree", "add", "-q", "-b", "clerk", str(tmp_path / "tree"))
        repo, site = tmp_path / "tree", tmp_path / "tree/gongkai"
        entry = site / entry.relative_to(repo.parent / "repo" / "gongkai")
    out = tmp_path / "out"
    build(site, "2026-05-01", out, env=no_parent_repo)
    assert history_of(read(out, page))[1] == [UI["history_first"] + cn_date(dt.date(2026, 3, 1))]
    entry.write_text(entry.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    build(site, "2026-05-01", out, env=no_parent_repo)  # (built before the commit: not yet a change)
    _git(repo, "commit", "-q", "-am", "second", when="2026-04-15T10:00:00+08:00")
    build(site, "2026-05-01", out, env=no_parent_repo)
    assert history_of(read(out, page))[1] == [UI["history_first"] + cn_date(dt.date(2026, 3, 1)),
                                              UI["history_changed"] + cn_date(dt.date(2026, 4, 15))]


# --------------------------------------------------------------------------- archive, board, determinism

def test_archive_zip_opens_offline_and_lists_the_year(tmp_path):
    site = write_site(tmp_path / "site", search=True)
    ledger_entry(site, 1, "1000.00", "500.00", "200.00")
    write_entry(site, "beicun/decisions/2026-02-01-a.md", title="决定甲", date="2026-02-01",
                doc_no="北村〔2026〕1号", attachments=["fujian.txt"])
    (site / "content/beicun/decisions/fujian.txt").write_text("附件内容\n", encoding="utf-8")
    write_entry(site, "beicun/decisions/2025-12-01-old.md", title="去年的决定", date="2025-12-01")
    write_entry(site, "nancun/decisions/2026-03-01-n.md", title="南村的决定", date="2026-03-01")
    write_entry(site, "beicun/decisions/2026-03-02-w.md", title="撤回的决定", date="2026-03-02",
                withdrawn={"date": "2026-03-10", "reason": "内容有误"})
    write_entry(site, "beicun/decisions/2026-04-01-fix.md", title="更正决定甲", date="2026-04-01",
                corrects="beicun/decisions/2026-02-01-a.md")
    target = tmp_path / "beicun-2026.zip"
    result = run("archive", str(site), "--year", "2026", "--unit", "beicun", "--output", str(target),
                 "--today", "2026-11-20")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert {"index.html", UI["archive_catalogue_file"],
                "beicun/decisions/2026-02-01-a/index.html", "beicun/decisions/2026-02-01-a/fujian.txt",
                "beicun/finance/2026-02-05-caiwu-01/index.html",
                "beicun/finance/2026-02-05-caiwu-01/ledger.csv"} <= names
        assert not any("old" in n or "nancun" in n for n in names)
        page = zf.read("beicun/decisions/2026-02-01-a/index.html").decode("utf-8")
        assert "<style>" in page and 'rel="stylesheet"' not in page
        assert 'role="search"' not in page  # the zip holds no index to search
        assert 'href="fujian.txt"' in page
        catalogue = list(csv.reader(io.StringIO(zf.read(UI["archive_catalogue_file"]).decode("utf-8-sig"))))
    assert [r[2] for r in catalogue[1:]] == ["决定甲", "2026年1月财务收支公开", "撤回的决定", "更正决定甲"]  # by date
    assert catalogue[1][3] == "北村〔2026〕1号" and catalogue[1][6] == "2026-02-01"
    # what a filing clerk must know besides: withdrawn (when, why), corrected, correcting
    first, fix = catalogue[1][1], catalogue[4][1]
    assert [r[-1] for r in catalogue[1:]] == [UI["remark_corrected"].format(index_no=fix), "",
                                              UI["remark_withdrawn"].format(date="2026-03-10", reason="内容有误"),
                                              UI["remark_corrects"].format(index_no=first)]
    again = tmp_path / "again.zip"
    run("archive", str(site), "--year", "2026", "--unit", "beicun", "--output", str(again), "--today", "2026-11-20")
    assert again.read_bytes() == target.read_bytes()


def test_board_sheet_without_an_address_says_how_to_find_the_full_text(tmp_path):
    """Without base_url a sheet can print no address: it points to the site's search and
    each line's 索引号 (tester: it said 全文可到网站查看 and gave no way to find it)."""
    for search in (True, False):
        site = write_site(tmp_path / f"site-{search}", search=search)
        write_entry(site, "beicun/decisions/2026-02-20-x.md", title="二月的决定", date="2026-02-20")
        sheet = read(build(site, "2026-11-20", tmp_path / f"out-{search}"), "beicun/board/2026-02/index.html")
        lead = re.search(r'<p class="board-lead">(.*?)</p>', sheet).group(1)
        assert lead == (UI["board_lead_search"] if search else UI["board_lead"]), lead
        assert UI["index_no"] in sheet


def test_board_sheet_gives_a_ledgers_figures_and_a_notices_dates(tmp_path):
    """Paper stays up for days: a notice on it gives its dates, never 还有 3 天 (true on
    the day it was printed only); a ledger, its four figures (its summary alone, headings
    run together, said nothing of the money), as its page does above the table (tester)."""
    site = write_site(tmp_path / "site")
    write_entry(site, "beicun/decisions/2026-02-20-x.md", title="二月的决定", date="2026-02-20")
    write_entry(site, "beicun/finance/2026-02-05-caiwu.md", title="2026年1月财务收支公开", date="2026-02-05",
                period="2026-01", body="一、收支明细\n\n```ledger\nopening: 1000.00\n日期,摘要,收入,支出\n"
                                       "2026-01-05,保洁费,,300.00\n2026-01-20,租金,1200.50,\n```\n\n二、监督方式")
    out = build(site, "2026-02-23")
    sheet = read(out, "beicun/board/2026-02/index.html")
    assert UI["notice_period"].format(start="2026年2月20日", until="2026年2月27日") in sheet
    assert UI["notice_days_left_short"].format(days=4) not in sheet
    figures = UI["ledger_figures"].format(opening="1,000.00", income="1,200.50", expense="300.00", closing="1,900.50")
    assert figures in sheet
    # and above the ledger on its page: on a phone the balance column is off to the right
    page = read(out, "beicun/finance/2026-02-05-caiwu/index.html")
    assert page.index(figures) < page.index('<table class="ledger">')


def test_board_sheet_has_qr_codes_with_base_url_and_builds_are_identical(tmp_path):
    site = write_site(tmp_path / "site", base_url="https://gongkai.example.org/")
    finance_entries(site, "beicun", range(1, 3))
    write_entry(site, "beicun/decisions/2026-02-20-x.md", title="二月的决定", date="2026-02-20")
    write_entry(site, "beicun/decisions/2025-06-02-old.md", title="去年的决定", date="2025-06-02")
    out = build(site, "2026-11-20")
    sheet = read(out, "beicun/board/2026-02/index.html")
    assert re.findall(r"<h2><a [^>]*>([^<]+)</a></h2>", sheet) == ["2026年1月财务收支公开", "二月的决定"]
    assert len(re.findall(r"<svg[^>]*class=\"segno\"", sheet)) == 2
    assert "https://gongkai.example.org/beicun/decisions/2026-02-20-x/" in sheet
    old_sheet = read(out, "beicun/board/2025-06/index.html")  # older than 12 months: address only
    assert "<svg" not in old_sheet
    assert '<p class="board-url">https://gongkai.example.org/beicun/decisions/2025-06-02-old/</p>' in old_sheet
    again = build(site, "2026-11-20", tmp_path / "again")
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((out / f).read_bytes() == (again / f).read_bytes() for f in files)
