"""A unit's ledgers as a series: the chain check and the finance overview.

For each unit × category whose entries hold ledgers, the entries are ordered by period
(or date); a withdrawn entry, and one a later entry `corrects`, leave the series. Each
entry's opening balance must equal the closing balance of the entry before it: a break
is a build error naming both files, unless the later entry explains it with
`opening_note` (e.g. 年初调账), which the page shows. In a monthly, quarterly or yearly
category, two ledgers that name one `period` are an error however their balances run,
and after whole periods without a ledger (missing, or withdrawn: the cadence check
shows them) the opening cannot be checked, and a difference is a note naming those
periods, not a stop to the whole site. `bar_chart` draws income and expense by
period as a small inline SVG (no JavaScript) with a title and a text description; the
overview table beside it is the full text alternative.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from . import ledger as ledgers
from . import periods
from .config import Category
from .errors import Problems
from .i18n import Listed
from .markup import xml_text as escape
from .reader import Entry, copy_like

COLOURS = {"income": "#1f5fa8", "expense": "#c0600b"}  # blue and orange: distinct for most eyes

@dataclass(frozen=True)
class LedgerPeriod:
    rel: str
    period: str          # the entry's period, or the month of its date
    opening: Decimal
    income: Decimal
    expense: Decimal
    closing: Decimal
    note: str | None     # the clerk's opening_note


@dataclass(frozen=True)
class LedgerSeries:
    unit: str
    category: str
    rows: tuple[LedgerPeriod, ...]  # oldest first

    @property
    def income(self) -> Decimal:
        return sum((r.income for r in self.rows), Decimal("0"))

    @property
    def expense(self) -> Decimal:
        return sum((r.expense for r in self.rows), Decimal("0"))


def _period(e: Entry) -> str:
    return e.period or periods.containing(e.date, "monthly")


def ledger_series(entries: list[Entry], problems: Problems,
                  categories: dict[str, Category]) -> list[LedgerSeries]:
    """The series of every unit × category with ledgers; chain breaks become problems.
    `categories`: the site's, by id (`SiteConfig.categories_by_id`)."""
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    known = {e.rel for e in entries}
    for e in entries:
        if e.ledgers and e.withdrawn is None:
            groups[(e.unit, e.category)].append(e)
    out = []
    for (unit, category), group in sorted(groups.items()):
        superseded = {e.corrects for e in group if e.corrects}
        group = sorted((e for e in group if e.rel not in superseded),
                       key=lambda e: (periods.sort_key(_period(e)), e.date, copy_like(e.rel), e.rel))
        rows: list[LedgerPeriod] = []
        previous: Entry | None = None
        cadence = categories[category].cadence if category in categories else None
        scheduled = cadence in periods.GRANULARITY
        for e in group:
            totals = ledgers.combined(list(e.ledgers))
            same = previous is not None and rows[-1].period == _period(e)
            # One ledger a period where both name it (`period`), even one whose opening
            # follows on (a month's ledger filed under the month before, say); without a
            # `period` the month of the date stands in, and two months caught up in one
            # are one too many only when the chain breaks.
            named = same and scheduled and bool(e.period and previous.period)
            broken = previous is not None and totals["opening"] != rows[-1].closing and not e.opening_note
            gap = _gap(previous, e, cadence) if broken and scheduled and not named else []
            if gap:
                # periods without a ledger between (missing, or withdrawn): this one's
                # opening cannot be checked against the last ledger, and the cadence
                # check shows the gap; a note, not a stop to the whole site
                problems.add(e.source, e.ledgers[0].line, "ledger_chain_gap", warning=True,
                             opening=f"{totals['opening']:,.2f}", closing=f"{rows[-1].closing:,.2f}",
                             previous=previous.source, periods=Listed(gap))
            elif (named or broken) and not (same and e.corrects and e.corrects not in known):
                # a break in the chain, or a second ledger for one period (not one that
                # names, as corrected, a path that is no entry: told so, that is the mend)
                key = "ledger_same_period" if same else (
                    "ledger_chain_break" if e.ledgers[0].opening_written else "ledger_chain_no_opening")
                problems.add(e.source, e.ledgers[0].line, key,
                             opening=f"{totals['opening']:,.2f}", closing=f"{rows[-1].closing:,.2f}",
                             previous=previous.source, period=_period(e), corrects=previous.rel)
            rows.append(LedgerPeriod(e.rel, _period(e), totals["opening"], totals["income"],
                                     totals["expense"], totals["closing"], e.opening_note))
            previous = e
        out.append(LedgerSeries(unit, category, tuple(rows)))
    return out


def _gap(before: Entry, after: Entry, cadence: str) -> list[str]:
    """The whole periods of `cadence` (monthly, quarterly or yearly: a category without
    a schedule owes no period) between two ledgers."""
    return periods.up_to(periods.following(periods.containing(periods.span(_period(before))[1], cadence)),
                         periods.containing(periods.span(_period(after))[0], cadence))


def ledger_names(attachment_names: tuple[str, ...], count: int) -> tuple[str, ...]:
    """File names for an entry's ledger CSVs that clash with none of its attachments."""
    taken, names, n = set(attachment_names), [], 1
    while len(names) < count:
        name = "ledger.csv" if n == 1 else f"ledger-{n}.csv"
        if name not in taken:
            names.append(name)
        n += 1
    return tuple(names)


def bar_chart(series: LedgerSeries, title: str, description: str, labels: list[tuple[str, str]],
              income_label: str, expense_label: str, ident: str) -> str:
    """Income and expense per period as grouped bars; deterministic SVG markup.

    `labels` holds, per row, the text under its bars and a second line (the year) or "".
    """
    # Labels as large as the page's text (16 of the chart's units: 16 px, 24 px in 大字版)
    # with room for 4季度 under each pair of bars; sized in rem so that 大字版 scales it.
    bar, gap, height, top, bottom, left, font = 18, 24, 160, 32, 48, 8, 16
    rows = series.rows
    width = max(240, left * 2 + len(rows) * (2 * bar + gap))
    tall = top + height + bottom
    peak = max([r.income for r in rows] + [r.expense for r in rows] + [Decimal("1")])
    out = [f'<svg class="chart" role="img" aria-labelledby="{ident}-t {ident}-d" '
           f'viewBox="0 0 {width} {tall}" width="{width}" height="{tall}" '
           f'style="width:{width / 16:g}rem;height:{tall / 16:g}rem" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{ident}-t">{escape(title)}</title>',
           f'<desc id="{ident}-d">{escape(description)}</desc>',
           f'<line x1="{left}" y1="{top + height}" x2="{width - left}" y2="{top + height}" '
           'stroke="#555" stroke-width="1"/>']
    for n, (row, (label, sub)) in enumerate(zip(rows, labels)):
        x = left + n * (2 * bar + gap) + gap // 2
        for k, (amount, cls) in enumerate(((row.income, "income"), (row.expense, "expense"))):
            h = int((amount * height / peak).to_integral_value())
            out.append(f'<rect class="bar-{cls}" fill="{COLOURS[cls]}" x="{x + k * bar}" '
                       f'y="{top + height - h}" width="{bar - 1}" height="{h}"/>')
        out.append(f'<text x="{x + bar}" y="{top + height + 20}" text-anchor="middle" '
                   f'font-size="{font}">{escape(label)}</text>')
        if sub:
            out.append(f'<text x="{x + bar}" y="{top + height + 40}" text-anchor="middle" '
                       f'font-size="{font}">{escape(sub)}</text>')
    legend_y = top - 10
    out.append(f'<rect fill="{COLOURS["income"]}" x="{left}" y="{legend_y - 12}" width="12" height="12"/>'
               f'<text x="{left + 16}" y="{legend_y}" font-size="{font}">{escape(income_label)}</text>'
               f'<rect fill="{COLOURS["expense"]}" x="{left + 100}" y="{legend_y - 12}" width="12" height="12"/>'
               f'<text x="{left + 116}" y="{legend_y}" font-size="{font}">{escape(expense_label)}</text>')
    out.append("</svg>")
    return "\n".join(out)
