"""`site-builder check --supervision`: the overdue and missing list, for a scheduled CI job.

Prints one line per unit × category that is overdue or missing periods on `today` (unit
name, category name, status and the missing periods), one per unit × category whose
periods were published after their due date and one per entry published after its
working-day limit (the two ways of being late the page and the annual counts show),
one per notice shorter than its category's, then one per unit × scheduled category
never published by a unit without `since` (how many periods are missing is unknown),
then a summary, in the site's language; the notes that bear on these figures
(e.g. a year the working-day calendar does not know) come first, and the others are
counted in a last line. An entry with a mistake does not hide the list (one village's
broken file must not blind the town's supervisors to every other): the errors come
after the notes, each file's together, just above a line saying that the figures
leave out the files with them (none of which is online until they are mended); a
mistake in site.yaml gives no figures.
Returns the exit code: 1 when anything is overdue or missing, or the site has errors;
0 otherwise.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TextIO

from .accountability import supervise
from .build import load_site
from .config import CONFIG_FILE
from .errors import Problem, SiteError
from .i18n import Listed, Strings
from .render import format_date, format_late_periods, format_period, format_status
from .workdays import WorkCalendar


# The notes on what the figures listed stand on (a year the working-day calendar does
# not know; an entry that covers no period, or one it should not, or another than its
# title names, or that counts only from its later date): printed before them, those
# dated after `today` as one line. The others, on the content, are `check`'s: only
# counted here. (Tester: a quarter's report counted as the next quarter's was told
# missing, and the note that said why was not printed.)
BEARING = frozenset({"workdays_unknown_year", "period_longer_than_cadence", "ledger_period_not_begun",
                     "ledger_period_from_lines", "title_period_not_written", "title_names_other_period"})


def check_supervision(root: Path, today: dt.date | None, strings: Strings, out: TextIO) -> int:
    site, problems = load_site(root, today)
    if site is None or any(p.path == CONFIG_FILE for p in problems.errors):
        raise SiteError(problems)  # (a mistake in site.yaml: figures made of it would mislead)
    errors = sorted(problems.errors, key=Problem.sort_key)
    notes = [p for p in problems.warnings if p.key in BEARING]
    # the files with errors last (their notes with them), just above the line saying the
    # figures leave them out (see errors.files_in_error_apart)
    wrong = {p.path for p in errors}
    told = sorted(errors + notes, key=Problem.sort_key)
    for p in told:
        if p.path not in wrong:
            print(p.format(strings), file=out)
    # entries dated after `today` count from their day: on a day gone by (a supervisor's
    # --today), many, each told as a mistyped date would be; one line says what they are
    later = [p for p in problems.warnings if p.key == "dated_later"]
    if later:
        print(strings.message("supervision_dated_later", count=len(later), date=format_date(site.today, strings)),
              file=out)
        # but one dated over a year later is told with its file: a mistyped year (2062 for
        # 2026) would keep it offline for decades, and no count says which it is
        for p in sorted(later, key=Problem.sort_key):
            if dt.date.fromisoformat(p.params["date"]) > site.today + dt.timedelta(days=366):
                print(p.format(strings), file=out)
    cfg, supervision = site.config, site.supervision
    if errors:
        for p in told:
            if p.path in wrong:
                print(p.format(strings), file=out)
        print(strings.message("supervision_with_errors", count=len(errors)), file=out)
        # the figures without every file that has a mistake: one kept in the model (only
        # its ledger lines are wrong, say) is not online either
        wrong = {p.path for p in errors}
        supervision = supervise(cfg, [i.entry for i in site.items if i.entry.source not in wrong], site.today,
                                WorkCalendar(cfg.holidays))
    failing = supervision.failing
    for r in failing:
        periods = Listed(format_period(p, strings) for p in r.missing_periods)
        print(strings.message("supervision_line", unit=cfg.units_by_id[r.unit].name,
                              category=cfg.categories_by_id[r.category].name,
                              status=format_status(r, strings),
                              detail=strings.message("supervision_detail", periods=periods)), file=out)
    for r in supervision.records:  # published, but after the due date: told, though not failing
        if r.late_periods:
            late = format_late_periods(r.late_periods, strings)
            print(strings.message("supervision_line", unit=cfg.units_by_id[r.unit].name,
                                  category=cfg.categories_by_id[r.category].name, detail="",
                                  status=strings.ui["late_periods_note"].format(count=len(r.late_periods), periods=late)),
                  file=out)
    def entry(rel: str) -> dict[str, str]:  # (the words that name an entry in the lines below)
        item = site.by_rel[rel]
        return {"unit": item.unit.name, "category": item.category.name, "title": item.entry.title,
                "path": item.entry.source}

    for x in supervision.late_entries:  # past the working-day limit after `formed`: told too
        print(strings.message("supervision_late_entry", **entry(x.rel), formed=format_date(x.formed, strings),
                              deadline=format_date(x.deadline, strings), limit=x.limit,
                              published=format_date(x.published, strings), n=x.workdays_late), file=out)
    for x in supervision.short_notices:  # names posted too briefly to object: told too
        print(strings.message("supervision_short_notice", **entry(x.rel), start=format_date(x.start, strings),
                              until=format_date(x.until, strings), days=x.days, least=x.least), file=out)
    never = strings.ui["never_published"]
    for unit, category in supervision.unstarted:
        print(strings.message("supervision_line", unit=cfg.units_by_id[unit].name,
                              category=cfg.categories_by_id[category].name, status=never,
                              detail=strings.message("supervision_detail", periods=strings.ui["no_since"])), file=out)
    day = format_date(site.today, strings)
    late = len(supervision.late_rels)
    summary = ("supervision_failed" if failing else "supervision_none_counted" if supervision.unstarted
               else "supervision_ok_but_late" if late else "supervision_ok")
    print(strings.message(summary, count=late if summary == "supervision_ok_but_late" else len(failing), date=day),
          file=out)
    if supervision.unstarted:
        print(strings.message("supervision_unstarted", count=len(supervision.unstarted)), file=out)
    if len(problems.warnings) > len(notes) + len(later):
        print(strings.message("supervision_other_notes", count=len(problems.warnings) - len(notes) - len(later)),
              file=out)
    return 1 if failing or errors else 0
