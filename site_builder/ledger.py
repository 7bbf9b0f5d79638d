"""Ledgers (财务收支明细): parse ```ledger blocks and check them to the fen.

A block is an optional `opening: AMOUNT` line, then CSV with the header
`日期,摘要,收入,支出` and optional further columns. Amounts are yuan with at most two
decimals (an empty cell is zero). `extract_ledgers` takes the blocks out of an entry's
Markdown, leaving a placeholder paragraph the renderer replaces with the table, and
returns every problem with the line it is on. `check_totals` compares the stated
front-matter totals with the computed ones.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import Problems

REQUIRED_HEADER = ("日期", "摘要", "收入", "支出")
# (closed as Markdown closes it: by a fence of its mark, as long or longer, up to three spaces in)
OPEN_FENCE = r"(```|~~~)[ \t]*(?i:ledger)[ \t]*"  # a ledger's opening fence line, as the reader takes it
_BLOCK = re.compile(rf"^{OPEN_FENCE}\n(.*?)^ {{0,3}}\1[`~]*[ \t]*$", re.M | re.S)
# Any line that looks like a ledger's opening fence (```` ````ledger ````, ``` ```ledger csv ```,
# indented, in a quote, the marks an input method types for backticks): outside a parsed
# block, its lines would be published unchecked
_FENCE = re.compile(r"^[ \t\u3000>]*(`{3,}|~{3,}|·{3,}|｀{3,})[ \t]*(?i:ledger)\b.*$", re.M)
# A line inside a block that closes nothing: another block's opening fence (this one was
# never closed and ran on to that one's end), or a closing line written otherwise
_FENCE_IN = re.compile(r"^[ \t\u3000]*(?:(`{2,}|~{2,}|·{3,}|｀{3,})[ \t]*|(?:`{3,}|~{3,})[ \t]*\w.*)$", re.M)
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d{1,2})?$")
# One amount cut in two at an unquoted thousands comma (1,500.00 read as 1 and 500.00)
_HEAD, _TAIL = re.compile(r"^\d{1,3}$"), re.compile(r"^\d{3}(\.\d{1,2})?$")
_GROUP = re.compile(r"^\d{3}$")  # a group of three digits, whole (a voucher number, or 300 of 2,300)
# A transaction's date: 2024-07-01, 2024/7/1, 2024.7.1, 7-1, 7月1日, 7月1号 (a month and day
# must exist), as in the front matter
_LEDGER_DATE = re.compile(
    r"^((19|20|21)\d\d[-/.])?(0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])$"
    r"|^((19|20|21)\d\d\s*年\s*)?(0?[1-9]|1[0-2])\s*月\s*(0?[1-9]|[12]\d|3[01])\s*[日号號]$")
# Lines of the paper book that are no transaction: the balance brought forward, and sums
# and balances (the date cell or the summary, whole, spaces left out: a dated 10-31,本月合计
# line is as common as 合　计)
_CARRIED = re.compile(r"^((上月|上期|上年|上季|年初|期初)(结转|結轉|余额|餘額|结余|結餘|结存|結存)?(余额|餘額)?"
                      r"|(结转|結轉)(余额|餘額)?|承前页|承前頁|承上页|承上頁|承上月)$")
_SUMMED = re.compile(r"^((本月|本期|本年|本季|全年|上月|月|[一二三四五六七八九十]+月|\d+月)?(发生额|發生額)?"
                     r"(合计|合計|累计|累計|小计|小計|总计|總計|计|計)(发生额|發生額)?"
                     r"|(本月|本期|本年)?(发生额|發生額)|过次页|過次頁|转下页|轉下頁"
                     r"|(本月|本期|月末|期末)?(余额|餘額|结余|結餘|结存|結存))$")
_SPACES = re.compile(r"[\s\u3000]+")
_UNIT = re.compile(r"\s*[（(]\s*元\s*[)）]$")  # a column's unit after its name: 收入（元）
_BALANCE = re.compile(r"^(余额|餘額|结余|結餘|结存|結存)")  # a balance column: 余额, 余额（元）, 结余, 结存
_OPENING = re.compile(r"^\s*(opening|期初|(?:期初|上月|上期|上年|年初)(?:余额|餘額|结余|結餘|结存|結存|结转余额|結轉餘額|结转|結轉))"
                      r"\s*(?:[（(]\s*元\s*[)）])?\s*(?:[:：]|(?=\s+[-¥￥\d]))")
PLACEHOLDER = "SITEBUILDERLEDGER{}END"
PLACEHOLDER_RE = re.compile(r"<p>SITEBUILDERLEDGER(\d+)END</p>")  # as Markdown renders it
TOTAL_KEYS = ("opening", "income", "expense", "closing")
TOTAL_NAMES = {"opening": "期初余额", "income": "收入", "expense": "支出", "closing": "期末余额"}


@dataclass(frozen=True)
class LedgerRow:
    cells: tuple[str, ...]  # the CSV cells as written (date, summary, ..., extras)
    income: Decimal
    expense: Decimal
    balance: Decimal
    day: dt.date | None = None  # its date (see `_day`); None when it cannot be told


@dataclass(frozen=True)
class Ledger:
    header: tuple[str, ...]
    rows: tuple[LedgerRow, ...]
    opening: Decimal
    income: Decimal
    expense: Decimal
    line: int  # where the block starts in the entry file
    balance_column: int | None = None  # the clerk's own 余额 column, if any
    opening_written: bool = True  # False: none written, 0.00 taken (the first block of an entry)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.income - self.expense

    @property
    def columns(self) -> tuple[int, ...]:
        """The columns shown and exported: all but the clerk's own balance, which (once
        checked) says what the computed balance column beside them says."""
        return tuple(k for k in range(len(self.header)) if k != self.balance_column)


def _ledger_date(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a transaction's date; None when it is not a date."""
    text = unicodedata.normalize("NFKC", text)  # (１１月１４日 too)
    m = _LEDGER_DATE.match(text)
    if not m:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    year, month, day = numbers if len(numbers) == 3 else [None, *numbers]
    try:
        dt.date(year or 2000, month, day)  # 2000: a leap year
    except ValueError:
        return None
    return year, month, day


def month_of_lines(found: list[Ledger]) -> str | None:
    """The month ("2026-07") every line of the ledgers falls in; None when they fall in
    more than one month, or a line's date cannot be told."""
    months = {f"{row.day.year}-{row.day.month:02d}" if row.day else None for lg in found for row in lg.rows}
    return months.pop() if len(months) == 1 else None


def _day(date: tuple[int | None, int, int], span: tuple[dt.date, dt.date] | None,
         published: dt.date | None) -> dt.date | None:
    """A transaction's date, shown and exported in one form (2026-07-05, however it was
    typed). A line written without its year takes the year of the entry's period (the
    one that puts it inside the period), else the last year that puts it on or before
    the entry's date; None when that cannot be told."""
    year, month, day = date
    if year is None and span is not None:
        years = [y for y in range(span[0].year, span[1].year + 1) if _within((y, month, day), span)]
        year = years[0] if len(years) == 1 else span[0].year if span[0].year == span[1].year else None
    elif year is None and published is not None:
        year = published.year - ((month, day) > (published.month, published.day))
        while (month, day) == (2, 29) and not calendar.isleap(year):
            year -= 1
    try:
        return dt.date(year, month, day) if year else None
    except ValueError:  # (2月29日 of a period's year that has none)
        return None


def _within(date: tuple[int | None, int, int], span: tuple[dt.date, dt.date]) -> bool:
    year, month, day = date
    years = [year] if year else range(span[0].year, span[1].year + 1)
    return any(span[0] <= dt.date(y, month, day) <= span[1] for y in years
               if (month, day) != (2, 29) or calendar.isleap(y))


def parse_amount(text: str) -> Decimal | None:
    """Yuan with at most two decimals, full-width digits too, commas only between
    thousands (1,000.00; "320，14680.00" is no amount: two run together); '' is zero;
    None when not an amount."""
    text = unicodedata.normalize("NFKC", text).strip()
    sign, text = ("-", text[1:].strip()) if text.startswith("-") else ("", text)
    text = sign + text.lstrip("¥").strip()
    if not text:
        return Decimal("0")
    if "," in text:
        if not _GROUPED.match(text):
            return None
        text = text.replace(",", "")
    if not _AMOUNT.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


_WORDED = re.compile(r"(?:人民币)?¥?\s*(.+?)\s*(?:元整|元|圆)?")


def mended_amount(text: str) -> str | None:
    """An amount written with words around it (20000元, ￥1,200.00元整, 人民币500元), as
    it should be written (20000, 1200.00, 500), for the message that refuses it; None
    when the text is no amount but for such words."""
    text = unicodedata.normalize("NFKC", text).strip()
    core = _WORDED.fullmatch(text).group(1) if text else ""
    if "," in core and not _GROUPED.match(core):  # (320，14680.00: two amounts run together, not one)
        return None
    core = core.replace(",", "")
    return core if core != text and parse_amount(core) is not None and not core.startswith("-") else None


def _bad_amount(problems: Problems, path: str, line_no: int, value: str, column: str) -> None:
    mended = mended_amount(value)
    problems.add(path, line_no, "ledger_bad_amount_mended" if mended else "ledger_bad_amount", value=value,
                 column=column, **({"mended": mended} if mended else {}))


def extract_ledgers(body: str, body_line: int, path: str, problems: Problems,
                    span: tuple[dt.date, dt.date] | None = None, published: dt.date | None = None,
                    ) -> tuple[str, list[Ledger], list[Ledger] | None]:
    """Replace each ledger block with a placeholder; parse and check each block. With
    the `span` of the entry's period, a transaction dated outside it gets a note (a
    mistyped year or month); `published`, the entry's date, dates a line written
    without its year when the period does not (see `_day`), and a ledger with
    transactions dated after it gets a note (one, at the first). Returns the body, the
    ledgers without a mistake, and the ledgers to check the stated totals against:
    every block, a mistaken one too, as long as every amount of every block is known
    (None when one is not), so that a wrong date or balance and totals that do not
    add up are told at once, not one after the other. The blocks of one entry are one
    account: a block without an opening line goes on from the closing of the one
    before, and one with an opening must too. A ledger fence never closed is told (its
    lines would be published as they stand, unchecked)."""
    ledgers: list[Ledger] = []
    counted: list[Ledger] | None = []
    before: Ledger | None = None  # the block before, when its amounts are known
    blocks: list[tuple[int, int]] = []  # (where each block is in the body)

    def replace(m: re.Match) -> str:
        nonlocal counted, before
        line = body_line + body.count("\n", 0, m.start())
        blocks.append(m.span())
        inner = list(_FENCE_IN.finditer(m.group(2)))
        if inner:
            closes = [f for f in inner if f.group(1)]  # (a close alone on its line, not an opening)
            for f in closes:  # a close written otherwise
                problems.add(path, line + 1 + m.group(2).count("\n", 0, f.start()), "ledger_close_odd",
                             fence=m.group(1), line=f.group(0).rstrip())
            if not closes or inner[0] is not closes[0]:  # (it ran on to the next fenced block's end)
                problems.add(path, line, "ledger_unclosed", fence=m.group(1))
            counted = before = None
            return ""
        ledger, ok = _parse_block(m.group(2), line + 1, path, problems, span, published,
                                  before.closing if before is not None else None, follows=len(blocks) > 1)
        if ledger is not None and before is not None and ledger.opening != before.closing:
            # (at its opening line, the one to mend; an entry so made is no account: left
            # out of the chain of the months around it too)
            at = line + 1 + next(k for k, row in enumerate(m.group(2).split("\n")) if row.strip())
            problems.add(path, at, "ledger_blocks_apart", opening=_yuan(ledger.opening), closing=_yuan(before.closing))
            ok, counted = False, None
        before = ledger
        if ledger is None:
            counted = None
        elif counted is not None:
            counted.append(ledger)
        if not ok:
            return ""
        ledgers.append(ledger)
        return "\n" + PLACEHOLDER.format(len(ledgers) - 1) + "\n"

    out = _BLOCK.sub(replace, body)
    for m in _FENCE.finditer(body):
        if not any(a <= m.start() < b for a, b in blocks):
            proper = re.fullmatch(OPEN_FENCE, m.group(0))  # (opened, never closed)
            problems.add(path, body_line + body.count("\n", 0, m.start()),
                         "ledger_unclosed" if proper else "ledger_fence_odd",
                         fence="~~~" if m.group(1).startswith("~") else "```", line=m.group(0).rstrip())
            counted = None
    return out, ledgers, counted


def _parse_block(text: str, first_line: int, path: str, problems: Problems, span: tuple[dt.date, dt.date] | None,
                 published: dt.date | None, carried: Decimal | None = None,
                 follows: bool = False) -> tuple[Ledger | None, bool]:
    """The block as a ledger (None: an amount in it is not known) and whether it is
    without a mistake. Every line is checked, whatever mistakes come before it.
    `follows`: a block comes before it in the entry; `carried`: that block's closing
    (None: not known), the opening when this block gives none."""
    lines = text.splitlines()
    opening, start, ok = carried or Decimal("0"), 0, True
    known = carried is not None or not follows
    while start < len(lines) and not lines[start].strip():
        start += 1
    written = _OPENING.match(lines[start]) if start < len(lines) else None  # (an opening line)
    given = written is not None
    if written:
        value = lines[start][written.end():]
        amount = parse_amount(value) if value.strip() else None  # (left empty: not a zero)
        if amount is None:
            problems.add(path, first_line + start, "ledger_bad_opening", value=value.strip(), key=written.group(1),
                         example=mended_amount(value) or "169535.27")
            ok = False
        known = amount is not None  # (its own: known, whatever the block before)
        opening, start = amount or Decimal("0"), start + 1
    rows_text = [(first_line + i, row) for i, row in enumerate(lines) if i >= start and row.strip()]
    if not rows_text:
        problems.add(path, first_line, "ledger_empty")
        return None, False
    header_line, header_text = rows_text[0]
    # lines pasted from a spreadsheet (Excel, WPS) have their cells apart by tabs: read so
    # when the header is (their amounts may keep the thousands commas the sheet showed)
    tabbed = "\t" in header_text and "," not in header_text
    header = _cells(header_text, tabbed)
    if tuple(_UNIT.sub("", h) for h in header[:4]) != REQUIRED_HEADER:  # (收入（元） is 收入)
        problems.add(path, header_line, "ledger_bad_header", header=",".join(header),
                     expected=",".join(REQUIRED_HEADER))
        return None, False
    rows, income, expense, balance = [], Decimal("0"), Decimal("0"), opening
    below_zero: int | None = None  # the line from which the balance stays below zero to the end
    split: list[tuple[int, tuple[str, ...]]] = []  # lines that may hold 2,300 read as 2 and 300
    vouchers: list[tuple[int, int]] = []  # (line, number) in the column after 支出
    after: list[tuple[int, str]] = []  # (line, date as written) of transactions dated after publication
    own_balance = next((k for k, h in enumerate(header) if _BALANCE.match(_SPACES.sub("", h)) and k >= 4), None)
    stated = _StatedBalances(path, problems, opening if known else None,
                             header[own_balance] if own_balance is not None else "", own=given or not follows,
                             written=given)
    for line_no, row_text in rows_text[1:]:
        cells = _cells(row_text, tabbed)
        if again := _OPENING.match(row_text):  # (the opening, written under the header; or again)
            problems.add(path, line_no, "ledger_opening_twice" if given else "ledger_opening_below_header",
                         key=again.group(1))
            ok = known = False
            stated.unknown()
            continue
        label = next((c for c in (_SPACES.sub("", c) for c in cells[:2]) if _CARRIED.match(c) or _SUMMED.match(c)),
                     None)
        if label is not None:
            # a line copied from the paper book that is no transaction: told, and left
            # out of the sums and balances (as it will be once removed); the balance
            # brought forward on the first line, where no opening is written, is the
            # opening, as the message says to write it
            # (the balance it brings: in the balance column, else the first amount)
            figures = [c for c in ([cells[own_balance]] if own_balance is not None and own_balance < len(cells)
                                   else []) + list(cells[2:4]) if c and parse_amount(c) is not None]
            first = bool(_CARRIED.match(label)) and not rows and not given and not follows
            key = ("ledger_carried_line" if figures else "ledger_carried_line_unread") if first else (
                "ledger_total_line" if _SUMMED.match(label) else "ledger_paper_line")
            problems.add(path, line_no, key, value=label, amount=f"{parse_amount(figures[0]):.2f}" if figures else "")
            if first and figures:
                opening = balance = parse_amount(figures[0])
                stated.begin_at(opening)
            ok = False
            continue
        mistake = _cells_mistake(row_text, cells, header, own_balance, tabbed)
        if mistake is not None and mistake[0] == "ledger_fullwidth_comma":
            # told, and read on as it will be once its commas are mended (when that reads):
            # the ledger's other mistakes and its totals are told in this run too
            mended = row_text.replace("，", ",")
            wide = _cells(mended)
            if _cells_mistake(mended, wide, header, own_balance) is None:
                problems.add(path, line_no, mistake[0], **mistake[1])
                ok, row_text, cells, mistake = False, mended, wide, None
        if mistake is not None:
            problems.add(path, line_no, mistake[0], **mistake[1])
            ok = known = False
            stated.unknown()
            continue
        date = _ledger_date(cells[0])
        day = date and _day(date, span, published)
        if date is None:
            problems.add(path, line_no, "ledger_bad_date" if cells[0] else "ledger_no_date", value=cells[0])
            ok = False
        elif span is not None and not _within(date, span):
            problems.add(path, line_no, "ledger_date_outside_period", warning=True, value=cells[0],
                         first=span[0].isoformat(), last=span[1].isoformat())
        elif published is not None and day and day > published and (span is None or span[0] <= published):
            after.append((line_no, cells[0]))  # (a period not begun is told as such: see reader)
        cells = cells + ("",) * (len(header) - len(cells))
        amounts = []
        for cell, column in ((cells[2], header[2]), (cells[3], header[3])):
            amount = parse_amount(cell)
            if amount is None:
                _bad_amount(problems, path, line_no, cell, column)
            elif amount < 0:
                problems.add(path, line_no, "ledger_negative_amount", value=cell, column=column)
            if amount is None or amount < 0:
                ok = known = False
                amount = None
            amounts.append(amount)
        if None in amounts:  # (the balance this line states, if any, is where checking goes on)
            stated.unknown()
            if own_balance is not None:
                stated.line(line_no, Decimal("0"), cells[own_balance])
            continue
        if len(cells) > 4 and cells[4].isdigit():
            vouchers.append((line_no, int(cells[4])))
        if not tabbed and _voucher_split(cells, header, own_balance):
            split.append((line_no, cells))
        balance += amounts[0] - amounts[1]
        below_zero = (below_zero or line_no) if balance < 0 else None
        income += amounts[0]
        expense += amounts[1]
        if own_balance is not None:
            stated.line(line_no, amounts[0] - amounts[1], cells[own_balance])
        rows.append(LedgerRow(cells, amounts[0], amounts[1], balance, day))
    if after:  # (told once: a mistyped publication date would put every line after it)
        problems.add(path, after[0][0], "ledger_date_after_publication", warning=True, value=after[0][1],
                     date=published.isoformat(), count=len(after))
    for line_no, cells in split:  # (a voucher number near the others is one)
        if all(abs(number - int(cells[4])) > _VOUCHERS_APART for at, number in vouchers if at != line_no):
            problems.add(path, line_no, "ledger_split_amount_maybe", warning=True, value=f"{cells[3]},{cells[4]}",
                         joined=cells[3] + cells[4], first=cells[3], second=cells[4], column=header[3],
                         next=header[4])
    ok = stated.check() and ok
    if not known:
        return None, False
    if below_zero is not None and ok and own_balance is None:
        # a closing below zero: an amount misread, or no opening written (a balance below
        # zero for a while, an expense booked before the income that paid it, is common;
        # one the ledger's own 余额 column states, checked above, is as the clerk meant)
        problems.add(path, below_zero, "ledger_below_zero" if given or follows else "ledger_below_zero_no_opening",
                     warning=True, balance=_yuan(balance), opening=_yuan(opening))
    return Ledger(header, tuple(rows), opening, income, expense, first_line - 1, own_balance, given or follows), ok


def _cells(text: str, tabbed: bool = False) -> tuple[str, ...]:
    """A CSV line's cells, their spaces trimmed; `tabbed`, a spreadsheet's line pasted:
    apart by tabs, its quotes kept ("三资"清理 is what the cell says)."""
    if tabbed:
        return tuple(c.strip() for c in text.split("\t"))
    return tuple(c.strip() for c in next(csv.reader([text])))


def _cells_mistake(row_text: str, cells: tuple[str, ...], header: tuple[str, ...],
                   own_balance: int | None, tabbed: bool = False) -> tuple[str, dict] | None:
    """What makes a line's cells unreadable (the message's key and words), if anything:
    a full-width comma between cells, an amount cut in two at a thousands comma, an
    empty amount left out, too many or too few cells (or cells apart by tabs under a
    header apart by commas). A line shorter than the header is padded (the columns after
    支出 may be left off), so a full-width comma there is told when the line read with
    it as a comma would have amounts where it has other text. (Cells apart by tabs are
    never cut at a comma.)"""
    if len(cells) < 4 and ("," if tabbed else "\t") in row_text:  # (a line typed under a pasted header,
        return "ledger_comma_cells" if tabbed else "ledger_tab_cells", {}  # or pasted under a typed one)
    if not tabbed and any("，" in c and parse_amount(c) is None for c in cells) and len(cells) < len(header):
        wide = _cells(row_text.replace("，", ","))
        if len(cells) < 4 or (len(wide) >= 4 and wide[2:4] != cells[2:4]
                              and all(parse_amount(c) is not None for c in wide[2:4])):
            return "ledger_fullwidth_comma", {}
    # 1,500.00 unquoted, read as 1 and 500.00: told as a question where the line may be
    # right (an income of 1 and an expense of 500.00), and only where nothing else would
    # tell it (beside a column after 支出, a line too long is)
    for k in (2, 3) if not tabbed else ():
        if k + 1 < len(cells) and _HEAD.match(cells[k]) and _TAIL.match(cells[k + 1]) and (
                k == 2 or len(cells) > len(header) or ("." in cells[k + 1] and k + 1 != own_balance)):
            # (1,234,567.89: every group of three that follows; in a line with cells too
            # many, as many as it has too many, 2,300,005 beside 凭证号 being 2300 and 005,
            # but for a group with cents, which no voucher number has)
            end, extra = k + 1, len(cells) - len(header)
            while end + 1 < len(cells) and _GROUP.match(cells[end]) and _TAIL.match(cells[end + 1]) \
                    and (extra <= 0 or end - k < extra or "." in cells[end + 1]):
                end += 1
            parts = cells[k:end + 1]
            return "ledger_split_amount", {"value": ",".join(parts), "joined": "".join(parts),
                                           "first": cells[k], "second": ",".join(parts[1:])}
    # A line shorter than the header with an amount in both 收入 and 支出: the empty amount
    # of an income or expense was left out with its comma, and every cell after it moved
    # one column left (1200.00,002,张秀英 read as income 1200.00, expense 2.00, voucher
    # 张秀英). A line that has both, and leaves off the columns after 支出, writes their
    # commas to say so; one that reaches its own 余额 column is checked by that balance.
    if 4 <= len(cells) < len(header) and (own_balance is None or len(cells) <= own_balance) and all(
            (amount := parse_amount(c)) is not None and amount > 0 for c in cells[2:4]):
        return "ledger_short_line", {"count": len(cells), "expected": len(header)}
    if len(cells) > len(header):
        return "ledger_too_many_cells", {"count": len(cells), "expected": len(header)}
    if len(cells) < 4:
        return "ledger_too_few_cells", {"count": len(cells)}
    return None


_VOUCHERS_APART = 20  # a voucher number further than this from every other line's is odd


def _voucher_split(cells: tuple[str, ...], header: tuple[str, ...], own_balance: int | None) -> bool:
    """Whether an expense of 2,300 unquoted may have been read as 2 and a voucher
    number 300: a whole number of up to three digits in 支出, three digits in the column
    after it, and no balance of its own on the line to check it by. Most such lines are
    right (an expense of 500 yuan, voucher 006): a note only where the number is far
    from every other line's voucher number, which 500.00 silences too."""
    return (len(header) > 4 and own_balance != 4 and bool(_HEAD.match(cells[3]))
            and _GROUP.match(cells[4]) is not None
            and (own_balance is None or not cells[own_balance]))


class _StatedBalances:
    """A 余额 column copied from the paper book, checked against the balance the amounts
    give, once every line is read. A mistyped amount shifts every stated balance after
    it from the computed one by the same sum, and so does a mistyped balance carried
    down by the lines after it: either way it is one run of lines, told once, at its
    first line (which of the two it is, only the clerk can tell), with the line it
    ends on; a run from the first line on may be a wrong or missing opening, and is
    told so. A balance mistyped alone (one of the next two lines goes on from the lines
    before it) is told alone, with the balance those lines give. A stated balance
    equal to the computed one is right. After a line whose amounts are not known, the
    next stated balance is taken as it stands, and the checking goes on from it."""

    def __init__(self, path: str, problems: Problems, opening: Decimal | None, column: str, own: bool = True,
                 written: bool = False):
        self.path, self.problems, self.column = path, problems, column
        self.balance = self.opening = opening  # None: not known
        self.own = own  # the block's own opening (not the closing of the block before: not to be told to change)
        self.written = written  # on its line above the header (to be changed, not written)
        self.stretches: list[list[tuple[int, Decimal, Decimal]]] = [[]]  # (line, stated, computed)
        self.right = True

    def line(self, line_no: int, change: Decimal, cell: str) -> None:
        """A line's change of balance and its stated balance (`cell`, '' for none)."""
        if self.balance is not None:
            self.balance += change
        if not cell:
            return
        stated = parse_amount(cell)
        if stated is None:  # (a balance may be below zero)
            self.right = False
            _bad_amount(self.problems, self.path, line_no, cell, self.column)
        elif self.balance is None:
            self.balance = stated
        else:
            self.stretches[-1].append((line_no, stated, self.balance))

    def begin_at(self, opening: Decimal) -> None:
        """The opening, found in the first line rather than above the header."""
        self.balance = self.opening = opening

    def unknown(self) -> None:
        """A line whose amounts are not known."""
        self.balance = None
        if self.stretches[-1]:
            self.stretches.append([])

    def check(self) -> bool:
        """Tell what is wrong; whether all is right."""
        for k, lines in enumerate(self.stretches):
            self._check(lines, from_opening=k == 0 and self.opening is not None and self.own)
        return self.right

    def _check(self, lines: list[tuple[int, Decimal, Decimal]], from_opening: bool) -> None:
        level: Decimal = Decimal("0")  # how far the lines before are off the computed balance
        run: tuple[int, Decimal] | None = None  # the run of lines at `level`: its first, the level before
        last = 0
        for k, (line_no, stated, computed) in enumerate(lines):
            off = stated - computed
            if off == level or not off:
                if off != level:  # back on the computed balance: the run has ended
                    self._tell(lines, run, last, from_opening)
                    run, level = None, off
                last = k
                continue
            self.right = False
            if off not in [s - c for _, s, c in lines[k + 1:k + 3]]:  # mistyped alone
                self._tell(lines, (k, level), k, from_opening)
                continue
            self._tell(lines, run, last, from_opening)
            run, level, last = (k, level), off, k
        self._tell(lines, run, last, from_opening)

    def _tell(self, lines: list[tuple[int, Decimal, Decimal]], run: tuple[int, Decimal] | None,
              last: int, from_opening: bool) -> None:
        """Tell the run of lines from `run` (its first line, the level before it) to `last`."""
        if run is None:
            return
        first, before = run
        line_no, stated, computed = lines[first]
        expected, off = computed + before, stated - computed - before
        if last == first:  # (inside a run, the balance the lines around it give: not the computed one)
            self.problems.add(self.path, line_no, "ledger_balance_alone" if before else "ledger_balance_mismatch",
                              stated=_yuan(stated), computed=_yuan(expected))
        elif first == 0 and from_opening and last == len(lines) - 1:  # (to the end: else the opening is right)
            self.problems.add(self.path, line_no, "ledger_opening_off" if self.written else "ledger_opening_missing",
                              off=_yuan(abs(off)), last=lines[last][0], opening=_yuan(self.opening),
                              suggested=f"{self.opening + off:.2f}")
        else:
            self.problems.add(self.path, line_no, "ledger_balance_shifted", stated=_yuan(stated),
                              computed=_yuan(expected), off=_yuan(abs(off)), last=lines[last][0])


def combined(ledgers: list[Ledger]) -> dict[str, Decimal]:
    """Totals over an entry's ledgers: first opening, sums, last closing."""
    income = sum((lg.income for lg in ledgers), Decimal("0"))
    expense = sum((lg.expense for lg in ledgers), Decimal("0"))
    return {"opening": ledgers[0].opening, "income": income, "expense": expense,
            "closing": ledgers[-1].closing}


def check_totals(stated: dict[str, Decimal], ledgers: list[Ledger], path: str, lines: dict[str, int],
                 problems: Problems, written: dict[str, str]) -> None:
    """The front matter's `totals` must equal the computed ones to the fen. `lines` and
    `written`: each key's line, and the key as the clerk wrote it (收入 for income), to
    name it so."""
    if not ledgers:
        if "opening" in stated and "closing" in stated:
            computed = stated["opening"] + stated.get("income", 0) - stated.get("expense", 0)
            if computed != stated["closing"]:
                problems.add(path, lines["closing"], "totals_do_not_add_up", closing=_yuan(stated["closing"]),
                             computed=_yuan(computed))
        return
    computed = combined(ledgers)
    for key in TOTAL_KEYS:
        if key in stated and stated[key] != computed[key]:
            name = written[key] if written[key] != key else f"{key}（{TOTAL_NAMES[key]}）"
            problems.add(path, lines[key], "totals_mismatch", key=name, stated=_yuan(stated[key]),
                         computed=_yuan(computed[key]))


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"
