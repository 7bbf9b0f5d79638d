"""Printable bulletin-board sheets (村务公开栏张贴页), one per unit and month.

A sheet lists the month's entries of one unit, oldest first, in large type for an A4
page, then the unit's earlier entries withdrawn in the month, with why (a resident who
read one on the board learns it is taken down). A month with withdrawals alone has a
sheet of them, though no archive page to link it from: each withdrawn entry's page
links the sheet that tells it (`withdrawal_sheets`), or, withdrawn in its own month or
on no day told, its own month's, where it is marked withdrawn.
When the site has a `base_url`, each entry on the sheets of the last `QR_MONTHS`
months (the ones still posted) gets a QR code linking to its page online,
made at build time with `segno` as inline SVG (no image files, no JavaScript); older
sheets print the address instead, since a code costs several milliseconds and a large
site has tens of thousands of entries. `qr_svg` is memoised for rebuilds in one process.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

QR_MONTHS = 12


@dataclass(frozen=True)
class BoardSheet:
    unit: str
    year: int
    month: int
    rels: tuple[str, ...]  # entries dated in the month, oldest first
    with_qr: bool          # one of the last QR_MONTHS months up to today
    withdrawals: tuple[str, ...] = ()  # entries of earlier months withdrawn in this one, in order

    @property
    def path(self) -> str:
        return sheet_path(self.unit, self.year, self.month)


def sheet_path(unit: str, year: int, month: int) -> str:
    return f"{unit}/board/{year}-{month:02d}/index.html"


def board_sheets(dated: list[tuple[str, str, dt.date, dt.date | None, bool]], today: dt.date) -> list[BoardSheet]:
    """(unit, rel, date, the day of its withdrawal or None: model.Item.withdrawn_on,
    whether that day is the one written) of published entries -> a sheet per unit and
    month with entries, or with withdrawals on the days written. (One dated later is
    in force now, told on the sheet of this month when it has one; a sheet of it alone
    would move month by month until that day, and name a day months away.)"""
    months: dict[tuple[str, int, int], list[tuple[dt.date, str]]] = defaultdict(list)
    gone: dict[tuple[str, int, int], list[tuple[dt.date, str]]] = defaultdict(list)
    alone = set()
    for unit, rel, day, withdrawn, as_written in dated:
        months[(unit, day.year, day.month)].append((day, rel))
        if withdrawn and (withdrawn.year, withdrawn.month) != (day.year, day.month):
            gone[(unit, withdrawn.year, withdrawn.month)].append((withdrawn, rel))
            if as_written:
                alone.add((unit, withdrawn.year, withdrawn.month))
    for key in alone - months.keys():
        months[key] = []  # (a month of withdrawals alone)
    now = today.year * 12 + today.month - 1
    return [BoardSheet(unit, year, month, tuple(rel for _, rel in sorted(found)),
                       now - (year * 12 + month - 1) < QR_MONTHS,
                       tuple(rel for _, rel in sorted(gone.get((unit, year, month), ()))))
            for (unit, year, month), found in sorted(months.items())]


def withdrawal_sheets(sheets: list[BoardSheet]) -> dict[str, str]:
    """The path of the sheet that tells each withdrawal of an earlier month, by entry."""
    return {rel: sheet.path for sheet in sheets for rel in sheet.withdrawals}


@lru_cache(maxsize=65536)
def qr_svg(url: str) -> str:
    """A QR code for `url` as an inline <svg> element (error correction M)."""
    import segno  # (here: a site without base_url makes no QR code, nor imports segno's writers)

    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=3, border=2, title=url)
