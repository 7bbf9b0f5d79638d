"""Public notice (公示): whether an entry is under notice on `today`, and privacy after it.

An entry is under notice from its publication date to its last day of notice: its own
`notice_until`, or else its date plus the category's `notice_days`. On `today` the
notice is open (with the days left: 0 on the last day) or ended. A category with
`withdraw_after_notice: true` (e.g. 低保 lists with names) keeps only the entry's
title and metadata once its notice has ended: `withhold` returns the entry without
body, summary, ledgers, attachments or links, so no later stage (pages, search index,
feeds, exports, archive) can publish them by mistake.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from .config import Category
from .cache import plain_digest
from .markup import drop_refs
from .reader import Entry, with_face


@dataclass(frozen=True)
class NoticeStatus:
    start: dt.date      # the entry's publication date
    until: dt.date      # last day of the notice period
    open: bool          # still under notice on `today`
    days_left: int      # days from today to the last day (0 on the last day and after)


def notice_status(entry: Entry, category: Category, today: dt.date) -> NoticeStatus | None:
    """The entry's notice on `today`, or None when it is not a notice."""
    until = entry.notice_until
    if until is None and category.notice_days is not None:
        until = entry.date + dt.timedelta(days=category.notice_days)
    if until is None:
        return None
    is_open = today <= until
    return NoticeStatus(entry.date, until, is_open, (until - today).days if is_open else 0)


def withholds_body(category: Category, notice: NoticeStatus | None) -> bool:
    """True when the entry's names must come down: its notice ended in such a category."""
    return category.withdraw_after_notice and notice is not None and not notice.open


def withhold(entry: Entry) -> Entry:
    """The entry as published after its notice: title and metadata only."""
    return dataclasses.replace(entry, html="", summary="", attachments=(), ledgers=(),
                               entry_links=(), totals=None)


def without_files(entry: Entry, sources: set) -> Entry:
    """The entry without those of its files that another entry published and then took
    down (`sources`: a 低保 list linked from a payment's ledger, say), its links to them
    left as words. Its face and digest say so: the pages that show it change with it."""
    gone = {a.href for a in entry.attachments if a.source in sources}
    return with_face(dataclasses.replace(
        entry, attachments=tuple(a for a in entry.attachments if a.source not in sources),
        html=drop_refs(entry.html, gone), digest=plain_digest(entry.digest, sorted(gone))))


def open_notices(items: list) -> list:
    """Entries under notice on the site's `today`, the soonest to end first (as shown:
    not one withdrawn, see model.Item.shown_notice)."""
    return sorted((i for i in items if i.shown_notice and i.shown_notice.open),
                  key=lambda i: (i.notice.until, i.entry.date, i.entry.rel))
