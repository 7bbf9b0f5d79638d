"""Page weight of the demo site, per page type, against the budget (entry ≤ 30 KB,
unit ≤ 60 KB, gzip, everything a first visit loads before anyone types a search).

Builds the site (default: the demo at the repository root, --today 2026-11-20) into a
fresh folder, classifies every page by its template (home, unit, unit-category,
category, entry with a ledger, entry, search, supervision, and the rest), and adds up
for each page the gzip size (level 6, each file on its own) of the HTML, the
stylesheets of its <link rel="stylesheet">, the scripts of its <script src> and its
eagerly loaded images (<img> without loading="lazy"). Files that scripts fetch later on
demand (the search index chunks) are not in the HTML and so not counted. Reports the
median and the heaviest page of each type. Not run in CI.

    /work/venv/bin/python bench/pages.py [--site .]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import html.parser
import posixpath
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from benchlib import REPO, TODAY, build_cmd, fmt_bytes, fresh_dir, md_table, measure

BUDGET = {"entry": 30_000, "entry with ledger": 30_000, "unit": 60_000}
TYPES = {  # template -> page type
    "home.html": "home", "unit.html": "unit", "unit_category.html": "unit-category",
    "category.html": "category", "search.html": "search", "supervision.html": "supervision",
}
ORDER = ["home", "unit", "unit-category", "category", "entry with ledger", "entry", "search", "supervision"]


class _Refs(html.parser.HTMLParser):
    """Stylesheets, scripts and eager images a page references."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []    # (kind, url)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").lower().split() and a.get("href"):
            self.refs.append(("css", a["href"]))
        elif tag == "script" and a.get("src"):
            self.refs.append(("js", a["src"]))
        elif tag == "img" and a.get("src") and (a.get("loading") or "").lower() != "lazy":
            self.refs.append(("img", a["src"]))


@dataclass
class Weight:
    path: str
    kind: str
    parts: dict[str, int] = field(default_factory=dict)   # html/css/js/img -> gzip bytes
    missing: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.parts.values())


_gz_cache: dict[Path, int] = {}


def gz_size(path: Path, level: int) -> int:
    if path not in _gz_cache:
        _gz_cache[path] = len(gzip.compress(path.read_bytes(), compresslevel=level, mtime=0))
    return _gz_cache[path]


def page_weight(out: Path, rel: str, kind: str, level: int) -> Weight:
    w = Weight(rel, kind, {"html": gz_size(out / rel, level), "css": 0, "js": 0, "img": 0})
    parser = _Refs()
    parser.feed((out / rel).read_text(encoding="utf-8"))
    seen = set()
    for ref_kind, url in parser.refs:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            w.external.append(url)
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
        if target in seen:
            continue
        seen.add(target)
        path = out / target
        if path.is_file():
            w.parts[ref_kind] += gz_size(path, level)
        else:
            w.missing.append(url)
    return w


def classify(site_root: Path, today: str) -> dict[str, str]:
    """Output path -> page type, from the site model (the templates the pages use)."""
    from site_builder.build import load_site

    site, problems = load_site(site_root, dt.date.fromisoformat(today))
    if site is None:
        raise SystemExit("the site could not be loaded: " + "; ".join(str(p) for p in problems.errors[:5]))
    ledger_pages = {i.url for i in site.items if i.entry.ledgers}
    kinds = {}
    for page in site.pages:
        if page.template == "entry.html":
            kinds[page.path] = "entry with ledger" if page.path in ledger_pages else "entry"
        else:
            kinds[page.path] = TYPES.get(page.template, page.template.removesuffix(".html"))
    return kinds


def report(weights: list[Weight], level: int) -> str:
    by_kind: dict[str, list[Weight]] = {}
    for w in weights:
        by_kind.setdefault(w.kind, []).append(w)
    kinds = [k for k in ORDER if k in by_kind] + sorted(k for k in by_kind if k not in ORDER)
    rows = []
    for kind in kinds:
        ws = sorted(by_kind[kind], key=lambda w: w.total)
        worst = ws[-1]
        budget = BUDGET.get(kind)
        verdict = "—" if budget is None else ("met" if worst.total <= budget else "**not met**")
        rows.append([kind, str(len(ws)), fmt_bytes(int(statistics.median(w.total for w in ws))),
                     f"{fmt_bytes(worst.total)} `{worst.path}`",
                     " + ".join(f"{k} {fmt_bytes(v)}" for k, v in worst.parts.items() if v),
                     fmt_bytes(budget) if budget else "—", verdict])
    return md_table(["page type", "pages", "median (gzip, in all)", "heaviest page",
                     "heaviest: html + css + js + img", "budget", "heaviest within budget"], rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=REPO, help="site folder (default: the repository's demo)")
    ap.add_argument("--today", default=TODAY)
    ap.add_argument("--level", type=int, default=6, help="gzip level (default 6)")
    args = ap.parse_args(argv)

    out = fresh_dir("pages") / "out"
    m = measure(build_cmd(args.site.resolve(), out, args.today), timeout=900, sample=False)
    if not m.ok:
        print(m.stdout, m.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"build {m.time_text()}")
    kinds = classify(args.site.resolve(), args.today)
    weights = []
    for rel, kind in sorted(kinds.items()):
        if rel.endswith(".html") and (out / rel).is_file():
            weights.append(page_weight(out, rel, kind, args.level))
    print(f"\n## bench/pages.py ({dt.datetime.now():%Y-%m-%d %H:%M}): {args.site.resolve()}\n")
    print(f"Gzip level {args.level}, each file compressed on its own; 1 KB = 1,000 bytes. "
          f"Output: {out}\n")
    print(report(weights, args.level))
    problems = [(w.path, u) for w in weights for u in w.missing]
    if problems:
        print(f"\nmissing files referenced by pages ({len(problems)}):")
        for path, url in problems[:20]:
            print(f"- {path}: {url}")
    external = sorted({u for w in weights for u in w.external})
    if external:
        print("\nexternal references (not counted): " + ", ".join(external[:10]))
    print(f"\nsite_builder: {m.last_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
