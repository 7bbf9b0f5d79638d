"""`init` (a new site that builds at once) and `new` (a new entry with its front matter).

`new` fills in today's date in the site's timezone and the period the entry most
likely covers: for a monthly, quarterly or yearly category, the last period that has
ended (a clerk publishes October's ledger in early November). A period holds one
ledger (a second is an error the build reports): when the last ended period already
has an entry with a ledger, `new` proposes the newest earlier period without a ledger
(a gap being filled after an inspection) and says so, naming the file that holds the
last ended period and how to make the new entry its correction instead; with no gap,
the last ended period again, with a note on how to make it a correction (the period
under way is never proposed: its ledger is not whole until it ends). Other categories
may hold several entries a period (a budget and its final accounts): the last ended
period is proposed as ever. Where ledgers of earlier periods are out, the new entry
has a ledger to fill in, its opening the closing of the last one before its period
(the chain of openings the build checks); so has a unit's first, its opening left to
fill in, in a category whose entries have ledgers in other units.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import periods
from .periods import stated_period
from .accountability import coverage, first_owed
from .build import site_today
from .config import SiteConfig, load_config, named_id, site_around
from .errors import Problems, SiteError
from .i18n import load_strings
from .ledger import REQUIRED_HEADER, combined

SITE_YAML = """\
# 网站设置：每一项的含义见 README。
title: 示范镇党务政务村务公开
language: zh-Hans
base_url: ""            # 部署后填网址，例如 https://gongkai.example.gov.cn/
organization: 示范镇人民政府
timezone: Asia/Shanghai
contact:
  phone: 0000-0000000
  email: gongkai@example.org
  address: 示范镇便民服务中心
# since：从哪个月起按期公开（每月、每季度、每年的栏目从这个月以后的第一期算起），
# 监督页据此计算逾期和缺期；不写 since 的单位，要等它在某栏目第一次公开后才开始计算。
units:
  - id: town
    name: 示范镇人民政府
    kind: town
    since: "{since}"
  - id: dongcun
    name: 东村
    kind: village
    parent: town
    supervisor: {{name: 村务监督委员会主任, phone: "0000-0000001"}}
    since: "{example}"
  - id: xicun
    name: 西村
    kind: village
    parent: town
    supervisor: {{name: 村务监督委员会主任, phone: "0000-0000002"}}
    since: "{since}"
categories:
  - {{id: party, name: 党务公开, group: 党务公开, cadence: quarterly}}
  - {{id: affairs, name: 政务公开, group: 政务公开, cadence: quarterly}}
  - {{id: decisions, name: 重大事项, group: 村务公开, cadence: as-needed, notice_days: 5}}
  - {{id: projects, name: 工程项目, group: 村务公开, cadence: as-needed, notice_days: 7}}
# withdraw_after_notice：公示期满后，页面只留目录信息，撤下名单（保护低保对象的个人信息）。
  - {{id: relief, name: 低保救助, group: 政务公开, cadence: quarterly, notice_days: 7, publish_within_workdays: 10,
      withdraw_after_notice: true}}
  - {{id: finance, name: 财务收支, group: 财务公开, cadence: monthly}}
  - {{id: services, name: 办事指南, group: 政务公开, cadence: permanent}}
"""

EXAMPLE = """\
---
title: 东村{year}年{month}月财务收支公开
date: {date}
period: "{period}"
---

## 一、收支明细

```ledger
opening: 10000.00
日期,摘要,收入,支出,凭证号
{period}-05,上级转移支付,5000.00,,001
{period}-18,村部办公费,,320.50,002
```

## 二、监督方式

如有异议，请在公示期内向村务监督委员会反映。
"""


def last_period(cadence: str, today: dt.date) -> str | None:
    """The most recent period of this cadence that has ended before today."""
    if cadence == "monthly":
        first = today.replace(day=1) - dt.timedelta(days=1)
        return f"{first.year}-{first.month:02d}"
    if cadence == "quarterly":
        q = (today.month - 1) // 3  # quarters ended this year
        return f"{today.year}-Q{q}" if q else f"{today.year - 1}-Q4"
    if cadence == "yearly":
        return str(today.year - 1)
    return None


@dataclass(frozen=True)
class NewEntry:
    path: Path             # as the clerk named the site
    notes: Problems        # warnings for the clerk (the last ended period's ledger is out)


@dataclass(frozen=True)
class _Proposal:
    period: str | None     # for the new entry's front matter
    ended: str | None      # the last period that has ended
    taken: str | None      # the entry with a ledger that holds `ended`, if any
    opening: str | None = None  # the opening of a ledger to fill in (see `_closing_before`)
    stated: bool = False   # `period` is the one the title names


def _proposed_period(config: SiteConfig, unit: str, category: str, today: dt.date, title: str) -> _Proposal:
    cadence = config.categories_by_id[category].cadence
    ended = last_period(cadence, today)
    if ended is None:
        return _Proposal(None, None, None)
    from .reader import Entry, EntryReader

    # The entries in the folder `new` writes into (not the whole site: seconds at 10,000
    # entries without the build's cache); one filed elsewhere by its front matter is missed.
    reader = EntryReader(config, attachments_scanned=False)
    entries: list[Entry] = []
    for path in sorted((config.content_dir / unit / category).rglob("*.md")):
        try:
            entry = reader.read(path)[0] if path.is_file() else None
        except OSError:  # (unreadable: the build will say so)
            entry = None
        if entry is not None and entry.unit == unit and entry.category == category:
            entries.append(entry)
    # the periods whose ledger is out, each by the ledger that stands (as for the build,
    # a withdrawn one is not out, nor one a later entry corrects)
    corrected = {e.corrects for e in entries if e.corrects and e.withdrawn is None}  # (as the build counts)
    covered = coverage([e for e in entries if e.ledgers and e.withdrawn is None and e.rel not in corrected],
                       cadence)
    stated = stated_period(title, cadence)
    if stated is not None:  # the clerk's own word (a ledger made before its month ends, say)
        return _Proposal(stated, ended, covered[stated].rel if stated in covered else None,
                         _closing_before(covered, stated), stated=True)
    if ended not in covered:
        return _Proposal(ended, ended, None, _closing_before(covered, ended))
    since = config.units_by_id[unit].since
    period = first_owed(since, cadence) if since else min(covered, key=periods.sort_key)
    gaps = [p for p in periods.up_to(period, ended) if p not in covered]
    if gaps:
        return _Proposal(gaps[-1], ended, covered[ended].rel, _closing_before(covered, gaps[-1]))
    # Every ended period has its ledger: the period under way is never proposed (its
    # ledger is not whole until it ends); most likely this corrects the last one.
    return _Proposal(ended, ended, covered[ended].rel, _closing_before(covered, ended))


def _ledgers_in(config: SiteConfig, category: str) -> bool:
    """Whether an entry of the category, in any unit's folder, has a ledger (read until
    one is found: its accounts are published as ledgers)."""
    for path in sorted(config.content_dir.glob(f"*/{category}/**/*.md")):
        try:
            if b"```ledger" in path.read_bytes():
                return True
        except OSError:
            continue
    return False


def _closing_before(covered: dict, period: str) -> str | None:
    """The opening of a ledger for `period`, as written: the closing of the one for the
    period just before it, so that the chain of openings holds; "" (to be filled in)
    when ledgers are out but not that one (a gap: the closing before it is no opening);
    None when no ledger is out before it."""
    before = [p for p in covered if periods.sort_key(p) < periods.sort_key(period)]
    if not before:
        return None
    last = max(before, key=periods.sort_key)
    if periods.following(last) != period:
        return ""
    return f"{combined(list(covered[last].ledgers))['closing']:.2f}"


def new_entry(root: Path, unit: str, category: str, title: str, today: dt.date | None = None) -> NewEntry:
    config, problems = load_config(root)
    if config is None or problems.errors:
        raise SiteError(problems)
    problems = Problems()  # (the mistake is in the command, not in site.yaml: it is named)
    unit = named_id(config, "unit", unit, problems, "site-builder new", None)
    category = named_id(config, "category", category, problems, "site-builder new", None)
    problems.raise_if_errors()
    ui = load_strings(config.language).ui
    today = today or site_today(config)
    folder = root / "content" / unit / category  # (as the clerk named the site: the path is shown)
    folder.mkdir(parents=True, exist_ok=True)
    path, n = folder / f"{today.isoformat()}-{category}.md", 2
    while path.exists():
        path, n = folder / f"{today.isoformat()}-{category}-{n}.md", n + 1
    proposal = _proposed_period(config, unit, category, today, title)
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    lines = ["---", f'title: "{quoted}"', f"date: {today.isoformat()}"]
    period_line = len(lines) + 1
    if proposal.period:
        lines.append(f'period: "{proposal.period}"')
    # (left for the clerk: today would meet the working-day rule by itself, whenever
    # the matter was decided)
    days = config.categories_by_id[category].publish_within_workdays
    lines += [f"formed:  # {ui['new_formed_hint'].format(days=days)}", "---", "", ui["new_entry_body"], ""]
    opening = proposal.opening
    if opening is None and proposal.period and _ledgers_in(config, category):  # (the unit's first: shown how,
        opening = ""                                                         # its opening left to fill in)
    if opening is not None:  # a ledger to fill in, opening where the last one closed
        lines += ["```ledger", f"opening: {opening}".rstrip(), ",".join(REQUIRED_HEADER),
                  ui["new_ledger_line"], "```", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    notes = Problems()
    if proposal.stated and periods.span(proposal.period)[0] > today:  # (a month mistyped in the title)
        notes.add(path.relative_to(root).as_posix(), period_line, "ledger_period_not_begun", warning=True,
                  period=proposal.period, date=today.isoformat())
    elif proposal.stated and opening is not None and periods.span(proposal.period)[1] >= today:
        # a ledger of the period under way: not whole until it ends (a plan may be of its own quarter)
        notes.add(path.relative_to(root).as_posix(), period_line, "new_period_under_way", warning=True,
                  period=proposal.period, ended=proposal.ended)
    if proposal.taken:
        notes.add(path.relative_to(root).as_posix(), period_line, "new_period_stated_taken" if proposal.stated else
                  "new_period_taken" if proposal.period != proposal.ended else "new_period_all_taken", warning=True,
                  period=proposal.period, ended=proposal.ended, rel=proposal.taken)
    return NewEntry(path, notes)


def init_site(root: Path) -> None:
    if (root / "site.yaml").exists():
        problems = Problems()
        problems.add(str(root / "site.yaml"), None, "init_exists")
        raise SiteError(problems)
    around = site_around(root.resolve().parent)
    if around is not None and (around / "content") in (root.resolve(), *root.resolve().parents):
        # (as a clerk who ran `check` in content/dongcun/ was told to: its files would be
        # read as entries of the site around it)
        problems = Problems()
        problems.add(str(root), None, "init_inside_site", site=str(around))
        raise SiteError(problems)
    root.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    period = last_period("monthly", today)
    # Units owe their periods from this month on; 东村 from its example ledger's month,
    # which its supervision row then counts (from this month, it would not show).
    (root / "site.yaml").write_text(SITE_YAML.format(since=periods.containing(today, "monthly"), example=period),
                                    encoding="utf-8")
    folder = root / "content" / "dongcun" / "finance"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{period}-ledger.md").write_text(
        EXAMPLE.format(year=first.year, month=first.month, date=today.replace(day=1).isoformat(),
                       period=period), encoding="utf-8")
    (root / ".gitignore").write_text("/public/\n.site-builder-cache/\n", encoding="utf-8")
