"""A table of clerks' mistakes, each with the exact line `site-builder check` prints.

Every case is a real site folder (the small valid site of conftest plus the bad
files), checked with the real command. Messages come from strings/zh-Hans.yaml with
their parameters filled in; line numbers are computed from the text written.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Callable

import pytest
import yaml

from conftest import (DECISION, LEDGER_OCT, SITE_YAML, build_ok, describe, line, line_no, luhn_card,
                      mask_card, mask_id, msg, parse_html, resident_id, run_build, run_check)
from site_builder import periods
from site_builder.build import load_site
from site_builder.config import _cadence_meant, _language_meant, load_config
from site_builder.errors import Problems
from site_builder.i18n import load_strings
from site_builder.reader import _summary, copy_like
from site_builder.yamlread import LeadingZero, load_yaml, syntax_problem

UNITS = "town（测试镇人民政府）、dongcun（东村）、xicun（西村）"  # (by id or name: a clerk may write either)
CATEGORIES = "finance（财务收支）、decisions（重大事项）、relief（低保救助）、services（办事指南）"

ID_NUMBER = resident_id("41052619800101123")      # the check character is computed
ID_NUMBER_2 = resident_id("41052619751231002")
ID_NUMBER_3 = resident_id("41052619900615456")
CARD = luhn_card("622202123456789", 16)          # 16 digits passing Luhn
# IDs miscopied: a check character that does not fit (one of them passes Luhn, as a card)
MISCOPIED_CARD_LIKE = luhn_card("41052619900101123", 18)
MISCOPIED_IDS = [x for x in ("41052619900101123" + d for d in "0123456789X")
                 if x not in (resident_id(x[:17]), MISCOPIED_CARD_LIKE)][:2] + [MISCOPIED_CARD_LIKE]
ACCOUNT = next(x for x in ("41052601040001234" + d for d in "0123456789") if luhn_card(x[:17], 18) != x)
PRIVATE_MOBILE = "13812345678"


def entry(front: str, body: str = "正文。") -> str:
    return f"---\n{front.strip()}\n---\n\n{body}\n"


def xlsx_bytes(rows: list[list], comment: str = "", footer: str = "", **more_sheets: list[list]) -> bytes:
    """A workbook of `rows`, and of a sheet of each of `more_sheets` (by its name); with a
    `comment` on the first sheet's cell A1, and a `footer` on its printed pages."""
    import openpyxl
    from openpyxl.comments import Comment

    book = openpyxl.Workbook()
    for sheet, sheet_rows in [(book.active, rows), *((book.create_sheet(k), v) for k, v in more_sheets.items())]:
        for row in sheet_rows:
            sheet.append(row)
    if comment:
        book.active["A1"].comment = Comment(comment, "经办人")
    if footer:
        book.active.oddFooter.center.text = footer
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_bytes(lines: list[str], *more_pages: list[str]) -> bytes:
    """A PDF of a page of `lines`, and of a page each of `more_pages`."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1)
    for page in (lines, *more_pages):
        c.setFont("Helvetica", 12)
        y = 760
        for text in page:
            c.drawString(72, y, text)
            y -= 20
        c.showPage()
    c.save()
    return out.getvalue()


def docx_bytes(paragraphs: list[str], table: list[list[str]], header: str = "", comment: str = "") -> bytes:
    """A Word document of `paragraphs` and a table; with a `header`, and a `comment` on
    its first paragraph."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if comment:
        document.add_comment(document.paragraphs[0].runs, text=comment, author="经办人")
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for row, cells in zip(grid.rows, table):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class Case:
    id: str
    files: dict
    # expected(files, site_yaml_text) -> the exact lines `check` must print
    expected: Callable[[dict, str], list[str]]
    yaml_edit: Callable[[str], str] | None = None


def _at(path: str, message: str, needle: str | None = None, /, warning: bool = False, **params):
    """expected() for one problem in entry `path`, on the line holding `needle`."""
    def expected(files: dict, site_yaml: str) -> list[str]:
        n = None if needle is None else line_no(files[path], needle)
        return [line(path, n, message, warning=warning, **params)]
    return expected


# ----------------------------------------------------------------------------- the cases

P_YAML = "content/dongcun/decisions/bad-yaml.md"
P_YAML_AT = "content/dongcun/decisions/yaml-at.md"
P_YAML_NO_COLON = "content/dongcun/decisions/yaml-no-colon.md"
P_YAML_NO_COLON_2 = "content/dongcun/decisions/yaml-no-colon-2.md"
P_YAML_CONTROL = "content/dongcun/decisions/yaml-control.md"
P_YAML_GLUED = "content/dongcun/decisions/yaml-glued.md"
P_YAML_WIDE = "content/dongcun/decisions/yaml-wide.md"
P_QUOTE = "content/dongcun/decisions/open-quote.md"
P_BRACKET = "content/dongcun/decisions/open-bracket.md"
P_NO_TITLE = "content/dongcun/decisions/no-title.md"
P_TITLE_YES = "content/dongcun/decisions/title-yes.md"
P_TITLE_HASH = "content/dongcun/decisions/title-hash.md"
P_NO_DATE = "content/dongcun/decisions/no-date.md"
P_BAD_DATE = "content/dongcun/decisions/bad-date.md"
P_UNIT_FM = "content/dongcun/decisions/unit-fm.md"
P_UNIT_DIR = "content/nowhere/decisions/unit-dir.md"
P_CAT_FM = "content/dongcun/decisions/category-fm.md"
P_CAT_DIR = "content/dongcun/nosuch/category-dir.md"
P_ATT_MISSING = "content/dongcun/decisions/att-missing.md"
P_LINK_RENAMED = "content/dongcun/decisions/link-renamed.md"
P_LINK_GONE = "content/dongcun/decisions/link-gone.md"
P_CORRECTS = "content/dongcun/decisions/corrects-missing.md"
P_CORRECTS_TYPO = "content/dongcun/decisions/corrects-typo.md"
P_CORRECTS_SELF = "content/dongcun/decisions/corrects-self.md"
P_ATT_OUTSIDE = "content/dongcun/decisions/att-outside.md"
P_TOTALS = "content/xicun/finance/totals-mismatch.md"  # (of units whose October has no other ledger)
P_AMOUNT = "content/dongcun/finance/bad-amount.md"
P_AMOUNT_YUAN = "content/dongcun/finance/yuan-amount.md"
P_LEDGER_TABS = "content/dongcun/finance/tabs.md"
P_LEDGER_COMMAS = "content/dongcun/finance/commas.md"
P_ID_BODY = "content/dongcun/decisions/id-in-body.md"
P_CORRECTED_WRONG = "content/dongcun/finance/2026-09-caiwu.md"
P_CORRECTS_WRONG = "content/dongcun/finance/2026-09-caiwu-gengzheng.md"
P_CARD = "content/dongcun/decisions/card-in-csv.md"
P_CARD_CSV = "content/dongcun/decisions/kahao.csv"
P_IDS = "content/dongcun/relief/miscopied-ids.md"
P_IDS_CSV = "content/dongcun/relief/mingdan2.csv"
P_XLSX = "content/dongcun/decisions/id-in-xlsx.md"
P_XLSX_FILE = "content/dongcun/decisions/mingdan.xlsx"
P_PDF = "content/dongcun/decisions/id-in-pdf.md"
P_PDF_FILE = "content/dongcun/decisions/mingdan.pdf"
P_DOCX = "content/dongcun/decisions/id-in-docx.md"
P_DOCX_FILE = "content/dongcun/decisions/mingdan.docx"
P_MOBILE = "content/xicun/relief/dibao-mobile.md"
P_FULLWIDTH_COMMAS = "content/xicun/finance/fullwidth-commas.md"
P_DOCX_MORE = "content/xicun/decisions/id-in-docx-header.md"
P_DOCX_MORE_FILE = "content/xicun/decisions/mingdan-yemei.docx"
P_XLSX_MORE = "content/xicun/decisions/id-in-xlsx-comment.md"
P_XLSX_MORE_FILE = "content/xicun/decisions/mingdan-pizhu.xlsx"
P_UTF16 = "content/xicun/relief/id-in-utf16.md"
P_UTF16_CSV = "content/xicun/relief/mingdan-unicode.csv"
P_UTF16_BOM_CSV = "content/xicun/relief/mingdan-unicode-bom.txt"
P_EMPTY_DRAFT = "content/dongcun/decisions/empty-draft.md"
P_MISNAMED = "content/dongcun/decisions/2026-11-02-jueyi.md.txt"  # as Notepad saves it
P_MISNAMED_SPACES = "content/xicun/decisions/2026 11 通知.md.txt"
P_LEDGER_CAPS = "content/town/finance/ledger-caps.md"
P_SAME_PERIOD = "content/dongcun/finance/2026-10-caiwu-copy.md"
P_PERIOD_Q5 = "content/dongcun/decisions/period-q5.md"
P_DOC_NO_LIST = "content/dongcun/decisions/doc-no-list.md"
P_TITLE_BRACKET = "content/dongcun/decisions/title-bracket.md"
P_BAD_DATE_CN = "content/dongcun/decisions/bad-date-cn.md"
P_NO_YEAR = "content/dongcun/decisions/2026-11-01-no-year.md"
P_NO_YEAR_NEXT = "content/dongcun/decisions/2026-12-28-no-year.md"
P_NO_SUCH_DAY = "content/dongcun/decisions/2026-02-10-no-such-day.md"
P_DATE_LIST = "content/dongcun/decisions/date-list.md"
P_TWO_NAMES = "content/dongcun/decisions/two-names.md"
P_TOTAL_ITEMS = "content/xicun/decisions/total-items.md"

BAD_LEDGER_ROW = "2026-10-18,村部办公费,,32O.50,002"
HALF_A_YUAN_SHORT = {"key": "closing（期末余额）", "stated": "14,679.00", "computed": "14,679.50"}


def _half_a_yuan_short(title: str, fence: str = "ledger") -> str:
    """An October ledger whose stated closing balance is half a yuan short of its rows'."""
    return entry(f"title: {title}\ndate: 2026-11-06\nperiod: \"2026-10\"\n"
                 "totals: {opening: 10000.00, income: 5000.00, expense: 320.50, closing: 14679.00}",
                 f"```{fence}\nopening: 10000.00\n日期,摘要,收入,支出\n"
                 "2026-10-05,上级转移支付,5000.00,\n2026-10-18,村部办公费,,320.50\n```")

ERROR_CASES = [
    # What the YAML parser found, in a clerk's words (libyaml and PyYAML word it differently).
    Case("broken-yaml", {P_YAML: "---\ntitle: 测试决议\ndate: 2026-11-01\n  unit: dongcun\n---\n\n正文。\n"},
         lambda f, y: [line(P_YAML, 4, "yaml_syntax_why", detail=msg("yaml_why_colon"))]),
    Case("yaml-at-sign", {P_YAML_AT: entry("title: @全体村民 关于村道硬化的通知\ndate: 2026-11-01")},
         _at(P_YAML_AT, "yaml_syntax_why", "title:", detail=msg("yaml_why_mark"))),
    # A line without its colon is told as such, not as a colon too many on the next one.
    Case("yaml-no-colon", {P_YAML_NO_COLON: entry("title 关于村道硬化的决议\ndate: 2026-11-01")},
         _at(P_YAML_NO_COLON, "yaml_syntax_why", "title", detail=msg("yaml_why_no_colon"))),
    Case("yaml-no-colon-after-a-key",  # YAML blames the next line; the one without its colon is named
         {P_YAML_NO_COLON_2: entry("title: 关于村道硬化的决议\n附件 名单.pdf\ndate: 2026-11-01")},
         _at(P_YAML_NO_COLON_2, "yaml_syntax_why", "附件", detail=msg("yaml_why_no_colon"))),
    Case("yaml-colon-without-a-space", {P_YAML_GLUED: entry("title: 关于村道硬化的决议\ndate:2026-11-01")},
         _at(P_YAML_GLUED, "yaml_colon_space", "date:", key="date", value="2026-11-01")),
    Case("yaml-full-width-indent", {P_YAML_WIDE: entry("title: 关于村道硬化的决议\ndate: 2026-11-01\ntags:\n\u3000- 修路")},
         _at(P_YAML_WIDE, "yaml_fullwidth_space", "- 修路")),
    Case("yaml-control-character",  # its line counted in characters (libyaml counts bytes)
         {P_YAML_CONTROL: entry("title: 关于村道硬化工程的决议关于村道硬化工程的决议\ndate: 2026-11-01\n"
                                "publisher: 村委\ufffe会")},  # (a control character, \x01 say, is left out)
         _at(P_YAML_CONTROL, "yaml_syntax_why", "publisher", detail=msg("yaml_why_control"))),
    # An unclosed quote or bracket is noticed lines later: the line it opens on is named.
    Case("unclosed-quote", {P_QUOTE: entry('title: "关于村道硬化的决议\ndate: 2026-11-01\ntags: ["道路"]')},
         lambda f, y: [line(P_QUOTE, 2, "yaml_unclosed_quote", mark='"', closing='"')]),
    Case("unclosed-bracket", {P_BRACKET: entry("title: 决议\ntags: [道路, 硬化\ndate: 2026-11-01")},
         lambda f, y: [line(P_BRACKET, 3, "yaml_unclosed_bracket", mark="[", closing="]")]),
    # items parted by full-width commas, as an input method types them: told so, not as a brace left open
    Case("fullwidth-commas-in-braces",
         {P_FULLWIDTH_COMMAS: entry("title: 东村2026年10月财务收支公开\ndate: 2026-11-05\nperiod: \"2026-10\"\n"
                                    "totals: {opening: 88000.00， income: 12019.50}")},
         lambda f, y: [line(P_FULLWIDTH_COMMAS, 5, "yaml_fullwidth_comma", mark="{", closing="}")]),
    Case("missing-title", {P_NO_TITLE: entry("date: 2026-11-01")},
         lambda f, y: [line(P_NO_TITLE, 2, "missing_title")]),
    Case("title-not-text", {P_TITLE_YES: entry("title: true\ndate: 2026-11-01")},  # YAML reads it as true
         lambda f, y: [line(P_TITLE_YES, 2, "title_not_text")]),
    Case("title-starting-with-a-hash", {P_TITLE_HASH: entry("title: #1号公告\ndate: 2026-11-01")},  # a comment to YAML
         lambda f, y: [line(P_TITLE_HASH, 2, "empty_title", key="title")]),
    Case("missing-date", {P_NO_DATE: entry("title: 没有日期的决议")},
         lambda f, y: [line(P_NO_DATE, 2, "missing_date")]),
    Case("impossible-date", {P_BAD_DATE: entry("title: 日期不存在\ndate: 2024-02-30")},
         _at(P_BAD_DATE, "date_past_month_end", "date:", key="date", value="2024-02-30", year=2024, month=2, days=29)),
    Case("unknown-unit-front-matter", {P_UNIT_FM: entry("title: 单位写错\ndate: 2026-11-01\nunit: nowhere")},
         _at(P_UNIT_FM, "unknown_unit", "unit: nowhere", unit="nowhere", known=UNITS)),
    # A folder has no line: the message names the file alone.
    Case("unknown-unit-folder", {P_UNIT_DIR: entry("title: 文件夹单位不存在\ndate: 2026-11-01")},
         lambda f, y: [line(P_UNIT_DIR, None, "unknown_unit", unit="nowhere", known=UNITS)]),
    Case("unknown-category-front-matter",
         {P_CAT_FM: entry("title: 栏目写错\ndate: 2026-11-01\ncategory: nosuch")},
         _at(P_CAT_FM, "unknown_category", "category: nosuch", category="nosuch", known=CATEGORIES)),
    Case("unknown-category-folder", {P_CAT_DIR: entry("title: 文件夹栏目不存在\ndate: 2026-11-01")},
         lambda f, y: [line(P_CAT_DIR, None, "unknown_category", category="nosuch", known=CATEGORIES)]),
    Case("reserved-unit-id", {},
         lambda f, y: [line("site.yaml", line_no(y, "- id: search"), "reserved_id", id="search",
                            reserved=_reserved_top())],
         yaml_edit=lambda y: y.replace("categories:\n",
                                       "  - id: search\n    name: 搜索村\n    kind: village\ncategories:\n")),
    Case("cadence-in-chinese", {},  # one mistake, one line: not one more for each finance entry
         lambda f, y: [line("site.yaml", line_no(y, "cadence: 每月"), "bad_cadence", key="cadence", value="每月",
                            choices="monthly, quarterly, yearly, as-needed, permanent", suggestion="monthly")],
         yaml_edit=lambda y: y.replace("财务公开, cadence: monthly", "财务公开, cadence: 每月")),
    Case("unknown-site-key-with-suggestion", {},
         lambda f, y: [line("site.yaml", line_no(y, "timezon:"), "unknown_key_hint", key="timezon",
                            suggestion="timezone")],
         yaml_edit=lambda y: y.replace("timezone: Asia/Shanghai", "timezon: Asia/Shanghai")),
    Case("language-tag-of-a-region", {},  # the tag most web pages carry, not one of ours
         lambda f, y: [line("site.yaml", line_no(y, "language: zh-CN"), "bad_language", key="language",
                            value="zh-CN", choices="zh-Hans, zh-Hant, en", suggestion="zh-Hans")],
         yaml_edit=lambda y: y.replace("language: zh-Hans", "language: zh-CN")),
    Case("number-in-quotes", {},  # "10" is a whole number to a clerk: the quotes are what is wrong
         lambda f, y: [line("site.yaml", line_no(y, 'due_days: "010"'), "quoted_number", key="due_days", value=10)],
         yaml_edit=lambda y: y.replace("cadence: permanent}", 'cadence: permanent, due_days: "010"}', 1)),
    Case("per-page-too-small", {},  # said, not quietly raised to the least that works
         lambda f, y: [line("site.yaml", line_no(y, "per_page: 3"), "bad_per_page", value=3, least=5)],
         yaml_edit=lambda y: y.replace("units:\n", "per_page: 3\nunits:\n", 1)),
    Case("corrects-unknown",  # on the line of corrects:, not of the header
         {P_CORRECTS: entry("title: 更正\ndate: 2026-11-01\ntags: [更正]\ncorrects: dongcun/decisions/nothere.md")},
         _at(P_CORRECTS, "corrects_unknown", "corrects:", target="dongcun/decisions/nothere.md",
             example="dongcun/decisions/2026-11-02-daolu.md")),  # (another entry of its folder)
    Case("corrects-an-entry-with-a-mistake",  # told so, not offered another entry's path instead
         {P_CORRECTED_WRONG: entry("title: 东村2026年9月财务收支公开"),
          P_CORRECTS_WRONG: entry("title: 更正\ndate: 2026-11-03\ncorrects: dongcun/finance/2026-09-caiwu.md")},
         lambda f, y: [line(P_CORRECTED_WRONG, 2, "missing_date"),
                       line(P_CORRECTS_WRONG, line_no(f[P_CORRECTS_WRONG], "corrects:"), "corrects_mistaken",
                            target="dongcun/finance/2026-09-caiwu.md")]),
    Case("corrects-itself",
         {P_CORRECTS_SELF: entry("title: 更正\ndate: 2026-11-03\ncorrects: dongcun/decisions/corrects-self.md")},
         _at(P_CORRECTS_SELF, "corrects_self", "corrects:", target="dongcun/decisions/corrects-self.md")),
    Case("corrects-misspelt",  # the entry whose path is nearest is offered
         {P_CORRECTS_TYPO: entry("title: 更正\ndate: 2026-11-03\ncorrects: dongcun/decisions/2026-11-02-dalu.md")},
         _at(P_CORRECTS_TYPO, "corrects_unknown_hint", "corrects:", target="dongcun/decisions/2026-11-02-dalu.md",
             suggestion="dongcun/decisions/2026-11-02-daolu.md")),
    Case("attachment-missing",
         {P_ATT_MISSING: entry("title: 附件不存在\ndate: 2026-11-01\nattachments: [nothere.pdf]")},
         _at(P_ATT_MISSING, "attachment_missing", "attachments:", file="nothere.pdf")),
    # a link to another entry that was renamed (the file nearest its name is offered) or is gone
    Case("entry-link-renamed",
         {P_LINK_RENAMED: entry("title: 关于十月账目的说明\ndate: 2026-11-08", "详见[十月账目](../finance/2026-10-caiwu-old.md)。")},
         _at(P_LINK_RENAMED, "entry_link_missing_hint", "](../finance", file="../finance/2026-10-caiwu-old.md",
             suggestion="2026-10-caiwu.md")),
    Case("entry-link-gone",
         {P_LINK_GONE: entry("title: 关于旧决议的说明\ndate: 2026-11-08", "详见[旧决议](../jueyi/2020-01-01.md)。")},
         _at(P_LINK_GONE, "entry_link_missing", "](../jueyi", file="../jueyi/2020-01-01.md", suggestion="")),
    Case("attachment-outside-content",
         {P_ATT_OUTSIDE: entry('title: 附件在外面\ndate: 2026-11-01\nattachments: ["../../../secret.csv"]'),
          "secret.csv": "姓名,号码\n张三,1\n"},
         _at(P_ATT_OUTSIDE, "attachment_outside", "attachments:", file="../../../secret.csv")),
    Case("ledger-totals-mismatch", {P_TOTALS: _half_a_yuan_short("合计对不上")},
         _at(P_TOTALS, "totals_mismatch", "totals:", **HALF_A_YUAN_SHORT)),
    Case("ledger-fence-capitalised",  # ```Ledger is a ledger too: checked to the fen
         {P_LEDGER_CAPS: _half_a_yuan_short("围栏大写", fence="Ledger")},
         _at(P_LEDGER_CAPS, "totals_mismatch", "totals:", **HALF_A_YUAN_SHORT)),
    Case("ledger-twice-for-one-period",  # a copy of October's ledger, published a day later
         {P_SAME_PERIOD: LEDGER_OCT.replace("date: 2026-11-06", "date: 2026-11-07")},
         _at(P_SAME_PERIOD, "ledger_same_period", "```ledger", previous="content/dongcun/finance/2026-10-caiwu.md",
             period="2026-10", corrects="dongcun/finance/2026-10-caiwu.md")),
    Case("since-no-such-month", {},
         lambda f, y: [line("site.yaml", line_no(y, "since: 2026年13月"), "bad_since", value="2026年13月")],
         yaml_edit=lambda y: y.replace("    supervisor: {name: 陈玉梅", "    since: 2026年13月\n    supervisor: {name: 陈玉梅", 1)),
    Case("period-no-such-quarter", {P_PERIOD_Q5: entry("title: 工作小结\ndate: 2026-11-01\nperiod: 2026年第五季度")},
         _at(P_PERIOD_Q5, "bad_period", "period:", value="2026年第五季度")),
    Case("doc-no-as-a-list",  # shown as written: joined, it would look like the text it should be
         {P_DOC_NO_LIST: entry("title: 文号写成了列表\ndate: 2026-11-01\ndoc_no: [东村〔2026〕7号, 附]")},
         _at(P_DOC_NO_LIST, "expect_text", "doc_no:", key="doc_no", value="[东村〔2026〕7号, 附]")),
    Case("date-in-brackets",  # as written, not as Python shows a list (['2026-11-01'])
         {P_DATE_LIST: entry("标题: 日期加了方括号\n日期: [2026-11-01]")},
         _at(P_DATE_LIST, "bad_date", "日期:", key="日期", value="[2026-11-01]")),
    Case("title-starting-with-a-bracket",  # [草案] makes a list to YAML, and the text after it a mistake
         {P_TITLE_BRACKET: entry("title: [草案]关于村规民约修订\ndate: 2026-11-01")},
         _at(P_TITLE_BRACKET, "yaml_bracket_start", "title:", mark="[", closing="]", quoted='"[草案]关于村规民约修订"')),
    Case("impossible-date-under-a-chinese-key",  # named as the clerk wrote it
         {P_BAD_DATE_CN: entry("标题: 日期不存在\n日期: 2026年2月30日")},
         _at(P_BAD_DATE_CN, "date_past_month_end", "日期:", key="日期", value="2026年2月30日", year=2026, month=2, days=28)),
    Case("notice-end-without-its-year",  # as a notice says it: told to add the year, not that it does not exist
         {P_NO_YEAR: entry("标题: 公示截止没写年份\n日期: 2026-11-01\n公示截止: 12月27日")},
         _at(P_NO_YEAR, "date_without_year", "公示截止:", key="公示截止", value="12月27日", example="2026-12-27")),
    Case("notice-end-without-its-year-in-the-next-year",  # after the entry's date: 2027's 5 January
         {P_NO_YEAR_NEXT: entry("标题: 跨年公示\n日期: 2026-12-28\n公示截止: 1月5日")},
         _at(P_NO_YEAR_NEXT, "date_without_year", "公示截止:", key="公示截止", value="1月5日", example="2027-01-05")),
    Case("notice-end-without-its-year-and-no-such-day",  # no year makes 30 February a day
         {P_NO_SUCH_DAY: entry("标题: 没有这一天\n日期: 2026-02-10\n公示截止: 2月30日")},
         _at(P_NO_SUCH_DAY, "bad_date", "公示截止:", key="公示截止", value="2月30日")),
    Case("empty-draft-flag", {P_EMPTY_DRAFT: entry("title: 草稿没写值\ndate: 2026-11-01\ndraft:")},
         _at(P_EMPTY_DRAFT, "empty_flag", "draft:", key="draft")),
    Case("misnamed-entry", {P_MISNAMED: entry("title: 文件名多了.txt\ndate: 2026-11-02")},
         _at(P_MISNAMED, "misnamed_entry", name="2026-11-02-jueyi.md.txt", fixed="2026-11-02-jueyi.md")),
    Case("misnamed-entry-with-spaces",  # told a name the next run takes, not one with its spaces
         {P_MISNAMED_SPACES: entry("title: 文件名多了.txt还有空格\ndate: 2026-11-02")},
         _at(P_MISNAMED_SPACES, "misnamed_entry", name="2026 11 通知.md.txt", fixed="2026-11-通知.md")),
    Case("ledger-bad-amount",
         {P_AMOUNT: entry("title: 金额写错\ndate: 2026-11-06\nperiod: \"2026-10\"",
                          "```ledger\nopening: 10000.00\n日期,摘要,收入,支出,凭证号\n"
                          f"2026-10-05,上级转移支付,5000.00,,001\n{BAD_LEDGER_ROW}\n```")},
         _at(P_AMOUNT, "ledger_bad_amount", BAD_LEDGER_ROW, value="32O.50", column="支出")),
    Case("ledger-line-pasted-under-a-typed-header",  # its tabs told, not "only 1 cell"
         {P_LEDGER_TABS: entry("title: 表格粘贴\ndate: 2026-11-06\nperiod: \"2026-10\"",
                               "```ledger\nopening: 100.00\n日期,摘要,收入,支出,凭证号\n"
                               "2026-10-05\t上级转移支付\t5000.00\t\t001\n```")},
         _at(P_LEDGER_TABS, "ledger_tab_cells", "上级转移支付")),
    Case("ledger-line-typed-under-a-pasted-header",  # its commas told, not "only 1 cell"
         {P_LEDGER_COMMAS: entry("title: 表格粘贴\ndate: 2026-11-06\nperiod: \"2026-10\"",
                                 "```ledger\nopening: 100.00\n日期\t摘要\t收入\t支出\t凭证号\n"
                                 "2026-10-05,上级转移支付,5000.00,,001\n```")},
         _at(P_LEDGER_COMMAS, "ledger_comma_cells", "上级转移支付")),
    Case("ledger-amounts-with-yuan",  # told the clerk's own figures as they should be written
         {P_AMOUNT_YUAN: entry("title: 金额带元\ndate: 2026-11-06\nperiod: \"2026-10\"",
                               "```ledger\n上月结余：52,300.00元\n日期,摘要,收入,支出,凭证号\n"
                               "2026-10-05,上级转移支付,20000元,,001\n```")},
         lambda f, y: [line(P_AMOUNT_YUAN, line_no(f[P_AMOUNT_YUAN], "上月结余"), "ledger_bad_opening",
                            value="52,300.00元", key="上月结余", example="52300.00"),
                       line(P_AMOUNT_YUAN, line_no(f[P_AMOUNT_YUAN], "20000元"), "ledger_bad_amount_mended",
                            value="20000元", column="收入", mended="20000")]),
    Case("id-number-in-body",
         {P_ID_BODY: entry("title: 土地承包合同公示\ndate: 2026-11-01",
                           f"承包人：张某某\n\n身份证号：{ID_NUMBER}\n\n承包面积：3.2亩。")},
         _at(P_ID_BODY, "privacy_id_number", ID_NUMBER, masked=mask_id(ID_NUMBER))),
    Case("bank-card-in-csv",
         {P_CARD: entry("title: 补贴发放名单\ndate: 2026-11-01\nattachments: [kahao.csv]"),
          P_CARD_CSV: f"序号,户主,银行卡号,金额\n1,张某某,{CARD},1200.00\n"},
         lambda f, y: [line(P_CARD_CSV, 2, "privacy_bank_card", masked=mask_card(CARD))]),
    Case("miscopied-id-numbers-in-csv",  # a miscopied ID in a list of IDs still names its holder;
         {P_IDS: entry("title: 低保名单\ndate: 2026-11-01\nattachments: [mingdan2.csv]"),  # one passing Luhn is no card
          P_IDS_CSV: "户主,身份证号,账号\n" + "".join(f"某{k},{x},{ACCOUNT}\n" for k, x in enumerate(MISCOPIED_IDS))},
         lambda f, y: [line(P_IDS_CSV, k + 2, "privacy_id_number", masked=mask_id(x))
                       for k, x in enumerate(MISCOPIED_IDS)]),  # (an account number's digits 7-14 are no date)
    Case("id-number-in-xlsx",
         {P_XLSX: entry("title: 危房改造名单\ndate: 2026-11-01\nattachments: [mingdan.xlsx]"),
          P_XLSX_FILE: xlsx_bytes([["说明"], ["见第二页"]], 第二页=[["姓名", "身份证号"], ["李某"], ["张某某", ID_NUMBER_2]])},
         # (told by sheet and row: the text's line 5 is nowhere in the workbook)
         lambda f, y: [line(P_XLSX_FILE + msg("place_sheet_row", sheet="第二页", row=3), None, "privacy_id_number",
                            masked=mask_id(ID_NUMBER_2))]),
    Case("id-number-in-pdf",
         {P_PDF: entry("title: 救助对象名单\ndate: 2026-11-01\nattachments: [mingdan.pdf]"),
          P_PDF_FILE: pdf_bytes(["Name list", "page one"], ["Zhang", f"ID {ID_NUMBER_3}"])},
         lambda f, y: [line(P_PDF_FILE + msg("place_pdf_page", page=2), None, "privacy_id_number",
                            masked=mask_id(ID_NUMBER_3))]),
    Case("id-number-in-docx",
         {P_DOCX: entry("title: 救助对象名单\ndate: 2026-11-01\nattachments: [mingdan.docx]"),
          P_DOCX_FILE: docx_bytes(["救助对象名单如下：", f"联系人身份证 {ID_NUMBER_3}"],
                                  [["姓名", "身份证号"], ["张某某", ID_NUMBER_2]])},
         lambda f, y: [line(P_DOCX_FILE + msg(place, **at), None, "privacy_id_number", masked=mask_id(number))
                       for place, at, number in [("place_word_table_row", {"table": 1, "row": 2}, ID_NUMBER_2),
                                                 ("place_word_text", {}, ID_NUMBER_3)]]),
    # where letterheads and notes sit: a header, a comment (and a footer on a sheet's printed pages)
    Case("id-number-in-docx-header-and-comment",
         {P_DOCX_MORE: entry("title: 救助对象名单\ndate: 2026-11-01\nattachments: [mingdan-yemei.docx]"),
          P_DOCX_MORE_FILE: docx_bytes(["救助对象名单如下："], [["姓名"], ["张某某"]],
                                       header=f"经办人身份证 {ID_NUMBER}", comment=f"户主身份证{ID_NUMBER_2}")},
         lambda f, y: [line(P_DOCX_MORE_FILE + msg(place), None, "privacy_id_number", masked=mask_id(number))
                       for place, number in [("place_comments", ID_NUMBER_2), ("place_headers", ID_NUMBER)]]),
    Case("id-number-in-xlsx-comment-and-footer",
         {P_XLSX_MORE: entry("title: 危房改造名单\ndate: 2026-11-01\nattachments: [mingdan-pizhu.xlsx]"),
          P_XLSX_MORE_FILE: xlsx_bytes([["姓名"], ["张某某"]], comment=f"户主身份证 {ID_NUMBER_3}",
                                       footer=f"联系人身份证 {ID_NUMBER}")},
         lambda f, y: [line(P_XLSX_MORE_FILE + msg(place), None, "privacy_id_number", masked=mask_id(number))
                       for place, number in [("place_comments", ID_NUMBER_3), ("place_headers", ID_NUMBER)]]),
    # saved as "Unicode" (UTF-16) by Excel or Notepad, with no byte-order mark or with one:
    # read as GBK, it was garbage in which no number was found
    Case("id-number-in-utf16-csv",
         {P_UTF16: entry("title: 低保对象名单\ndate: 2026-11-01\n"
                         "attachments: [mingdan-unicode.csv, mingdan-unicode-bom.txt]"),
          P_UTF16_CSV: f"序号,户主,身份证号\r\n1,张某某,{ID_NUMBER_2}\r\n".encode("utf-16-le"),
          P_UTF16_BOM_CSV: f"户主\t身份证号\r\n李某某\t{ID_NUMBER_3}\r\n".encode("utf-16")},
         lambda f, y: [line(P_UTF16_CSV, 2, "privacy_id_number", masked=mask_id(ID_NUMBER_2)),
                       line(P_UTF16_BOM_CSV, 2, "privacy_id_number", masked=mask_id(ID_NUMBER_3))]),
    Case("private-mobile-in-dibao-list",
         {P_MOBILE: entry("title: 西村2026年第四季度低保对象公示\ndate: 2026-11-15\nperiod: \"2026-Q4\"",
                          "| 序号 | 户主 | 联系电话 |\n| --- | --- | --- |\n"
                          f"| 1 | 赵某某 | {PRIVATE_MOBILE} |\n")},
         _at(P_MOBILE, "privacy_mobile", PRIVATE_MOBILE, masked="138****5678")),
    # 标题 and title in one file: which one is meant? (发布日期, the word every entry page
    # uses for date, is read as it)
    Case("key-under-two-names", {P_TWO_NAMES: entry("标题: 关于修路的决议\n发布日期: 2026-11-02\ntitle: 关于修桥的决议")},
         _at(P_TWO_NAMES, "key_twice", "title:", key="title", first="标题")),
    # a total whose amount is wrong, told apart from an item that is no total
    Case("total-no-amount-and-no-total",
         {P_TOTAL_ITEMS: entry("title: 北村2026年10月财务收支公开\ndate: 2026-11-06\n合计: {收入: 5O, 利息: 3.00}")},
         lambda f, y: [line(P_TOTAL_ITEMS, line_no(f[P_TOTAL_ITEMS], "合计:"), "bad_total_amount", key="收入", value="5O"),
                       line(P_TOTAL_ITEMS, line_no(f[P_TOTAL_ITEMS], "合计:"), "bad_total_item", key="利息", value="3.00")]),
]


def _reserved_top() -> str:
    # The list of reserved names is the product's own; the message shows it sorted.
    from site_builder.config import RESERVED_TOP

    return "、".join(sorted(RESERVED_TOP))


def _site_yaml(cases: list[Case]) -> str:
    text = SITE_YAML
    for case in cases:
        if case.yaml_edit:
            text = case.yaml_edit(text)
    return text


def _all_files(cases: list[Case]) -> dict:
    files: dict = {}
    for case in cases:
        files.update(case.files)
    files["site.yaml"] = _site_yaml(cases)
    return files


def _summary_count(stdout: str, message: str) -> int:
    pattern = re.escape(msg(message, count="@@", warnings="@@")).replace("@@", r"(\d+)")
    m = re.search(pattern, stdout)
    assert m, f"no summary line like {msg(message, count='N', warnings='N')!r} in:\n{stdout}"
    return int(m.group(1))


def _assert_lines(result, expected: list, stream: str = "stdout") -> None:
    printed = getattr(result, stream).splitlines()
    missing = [e for e in expected if e not in printed]
    assert not missing, "missing lines:\n" + "\n".join(missing) + "\n\n" + describe(result)


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c.id)
def test_check_reports_exact_line(case, make_site):
    files = _all_files([case])
    site = make_site(files)
    result = run_check(site)
    expected = case.expected(files, files["site.yaml"])
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    _assert_lines(result, expected)
    # Exactly these problems: no spurious errors for the rest of the site.
    assert _summary_count(result.stdout, "check_failed") == len(expected), describe(result)


BUILD_CASES = ("broken-yaml", "impossible-date", "unknown-site-key-with-suggestion",
               "ledger-totals-mismatch", "id-number-in-body")


@pytest.mark.parametrize("case", [c for c in ERROR_CASES if c.id in BUILD_CASES], ids=lambda c: c.id)
def test_build_stops_with_same_line(case, make_site, tmp_path):
    files = _all_files([case])
    site = make_site(files)
    out = tmp_path / "out"
    result = run_build(site, output=out)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    _assert_lines(result, case.expected(files, files["site.yaml"]), "stderr")
    assert msg("build_failed", count=1) in result.stderr.splitlines()
    assert not out.exists()


def test_every_problem_in_one_run(make_site, tmp_path):
    """All the mistakes above in one site: `check` lists every one; `build` writes nothing."""
    files = _all_files(ERROR_CASES)
    site = make_site(files)
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    expected = [e for case in ERROR_CASES for e in case.expected(files, files["site.yaml"])]
    _assert_lines(result, expected)
    assert _summary_count(result.stdout, "check_failed") == len(expected), describe(result)

    out = tmp_path / "out"
    result = run_build(site, output=out)
    assert result.returncode == 1, describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists(), "a failed build wrote output"
    assert not (site / "public").exists()


def test_every_entry_problem_in_one_run(make_site, tmp_path):
    """The same with site.yaml left valid: every entry mistake is listed in one run."""
    cases = [c for c in ERROR_CASES if c.yaml_edit is None]
    files = _all_files(cases)
    site = make_site(files)
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    expected = [e for case in cases for e in case.expected(files, files["site.yaml"])]
    _assert_lines(result, expected)
    assert _summary_count(result.stdout, "check_failed") == len(expected), describe(result)
    result = run_build(site, output=tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr, describe(result)
    assert msg("build_failed", count=len(expected)) in result.stderr.splitlines()
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- accepted with a warning

P_GBK = "content/dongcun/decisions/gbk.md"
GBK_TITLE = "关于东村村级活动场所维修的决议"
GBK_BODY = "经村民代表会议表决，同意维修村级活动场所，预算人民币叁万元。"


def test_a_number_in_a_word_text_box_is_found_once(make_site):
    """A text box is kept twice in a Word file (as a shape, and in its older form): its
    number is told once, at the text boxes (the document's text leaves them out)."""
    import zipfile

    document = io.BytesIO(docx_bytes(["通知如下："], [["联系人"], ["张某某"]]))
    with zipfile.ZipFile(document) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    box = (f'<w:txbxContent><w:p><w:r><w:t>经办人电话{PRIVATE_MOBILE}</w:t></w:r></w:p></w:txbxContent>')
    shape = ('<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
             '<mc:Choice Requires="wps"><w:drawing><wps:txbx xmlns:wps="http://schemas.microsoft.com/office/word/2010/'
             f'wordprocessingShape">{box}</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict>'
             f'<v:textbox xmlns:v="urn:schemas-microsoft-com:vml">{box}</v:textbox></w:pict></mc:Fallback>'
             '</mc:AlternateContent></w:r></w:p>')
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"</w:body>", shape.encode() + b"</w:body>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path, file = "content/dongcun/decisions/tongzhi.md", "content/dongcun/decisions/tongzhi.docx"
    site = make_site({path: entry("title: 通知\ndate: 2026-11-01\nattachments: [tongzhi.docx]"), file: out.getvalue()})
    assert run_check(site).stdout.splitlines()[:-1] == [
        line(file + msg("place_text_boxes"), None, "privacy_mobile", masked="138****5678")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_a_file_saved_as_unicode_is_read_with_a_warning(make_site, codec):
    """Notepad's "Unicode" is UTF-16 (with a byte-order mark; without, as other tools save
    it): read as what it is, not refused as no text at all."""
    text = entry(f"title: {GBK_TITLE}\ndate: 2026-11-03", GBK_BODY).replace("\n", "\r\n")
    site = make_site({P_GBK: text.encode(codec)})
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert line(P_GBK, None, "encoding_utf16", warning=True) in result.stdout.splitlines(), describe(result)
    assert _summary_count(result.stdout, "check_ok") == 1


def test_a_ledger_written_as_a_plain_table_gets_a_note(make_site):
    """Pasted from Excel as a Markdown table, a month's accounts look published, but not
    an amount nor a balance is checked (a wrong balance went unseen: tester)."""
    plain = entry("title: 东村2026年10月财务收支公开\ndate: 2026-11-05\nperiod: \"2026-10\"",
                  "## 收支明细\n\n| 日期 | 摘要 | 收入（元） | 支出（元） | 余额 |\n|---|---|---|---|---|\n"
                  "| 10月5日 | 上级转移支付 | 5000 | | 15000 |\n| 10月9日 | 办公费 | | 300 | 14800 |\n")
    table = "| 科目 | 收入 | 支出 |\n|---|---|---|\n| 租金 | 300 | |\n"
    others = {  # a budget's table in a category with no schedule; a table shown as code
        "content/dongcun/decisions/budget.md": entry("title: 东村2027年预算\ndate: 2026-11-05", table),
        "content/dongcun/finance/shown.md": entry("title: 东村2026年9月财务收支公开\ndate: 2026-10-05\nperiod: \"2026-09\"",
                                                  f"样式：\n\n```\n{table}```\n")}
    path = "content/dongcun/finance/plain.md"
    site = make_site({path: plain, **others})
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert line(path, line_no(plain, "| 日期 |"), "ledger_as_plain_table", warning=True) in result.stdout.splitlines()
    assert not [p for p in others if p in result.stdout], describe(result)


def test_gbk_file_is_read_with_a_warning(make_site, tmp_path):
    text = entry(f"title: {GBK_TITLE}\ndate: 2026-11-03", GBK_BODY)
    site = make_site({P_GBK: text.encode("gb18030")})
    assert (site / P_GBK).read_bytes() != text.encode("utf-8")
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert line(P_GBK, None, "encoding_gbk", warning=True) in result.stdout.splitlines(), describe(result)
    assert _summary_count(result.stdout, "check_ok") == 1

    out = tmp_path / "out"
    result = run_build(site, output=out)
    assert result.returncode == 0, describe(result)
    assert line(P_GBK, None, "encoding_gbk", warning=True) in (result.stdout + result.stderr).splitlines()
    page = (out / "dongcun/decisions/gbk/index.html").read_text(encoding="utf-8")
    assert f"<h1>{GBK_TITLE}</h1>" in page
    assert GBK_BODY in page


P_FULLWIDTH = "content/dongcun/decisions/fullwidth.md"


def test_fullwidth_colon_is_accepted_with_a_warning(make_site, tmp_path):
    text = "---\ntitle：全角冒号的决议\ndate: 2026-11-04\n---\n\n正文。\n"
    site = make_site({P_FULLWIDTH: text})
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    expected = line(P_FULLWIDTH, 2, "fullwidth_colon", warning=True, key="title")
    assert expected in result.stdout.splitlines(), describe(result)
    out = build_ok(site, tmp_path / "out")
    page = (out / "dongcun/decisions/fullwidth/index.html").read_text(encoding="utf-8")
    assert "<h1>全角冒号的决议</h1>" in page


def test_a_full_width_space_after_a_colon_is_read_as_a_space(make_site, tmp_path):
    """标题:　… as an input method types it (a colon, then its full-width space): YAML
    would read the line as text and fail on the next one, naming a mistake not made."""
    text = "---\n标题:　全角空格的决议\ndate:　2026-11-04\n---\n\n正文。\n"
    site = make_site({P_FULLWIDTH: text})
    assert _notes_of(site) == []
    out = build_ok(site, tmp_path / "out")
    page = (out / "dongcun/decisions/fullwidth/index.html").read_text(encoding="utf-8")
    assert "<h1>全角空格的决议</h1>" in page


def test_an_entry_dated_later_is_held_back_with_a_note(make_site, tmp_path):
    """Dated next year by a slip of the keyboard, or on purpose: the clerk is told when it
    will appear; until then it is nowhere in the output."""
    path = "content/dongcun/decisions/2027-11-04-later.md"
    site = make_site({path: entry("title: 年份打错的决议\ndate: 2027-11-04")})
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert line(path, 3, "dated_later", warning=True, date="2027-11-04") in result.stdout.splitlines(), describe(result)
    out = build_ok(site, tmp_path / "out")
    assert not (out / "dongcun/decisions/2027-11-04-later").exists()


def test_a_link_to_an_entry_not_yet_published_is_told(make_site, tmp_path):
    """A link to a draft or to an entry dated later shows its words alone until that one
    is published: the clerk is told, on the link's line, once (tester: nothing was said,
    and the clerk took it for a link residents could follow)."""
    linking = "content/dongcun/decisions/2026-11-05-linking.md"
    site = make_site({
        linking: entry("title: 链接测试的决议\ndate: 2026-11-05",
                       "见附表（2026-11-06-draft.md 待补）。\n\n参见[补充说明](2026-11-06-draft.md)和"
                       "[下月计划](2026-12-01-later.md)。\n\n再见[补充说明](2026-11-06-draft.md)。"),
        "content/dongcun/decisions/2026-11-06-draft.md": entry("title: 补充说明\ndate: 2026-11-06\ndraft: true"),
        "content/dongcun/decisions/2026-12-01-later.md": entry("title: 下月计划\ndate: 2026-12-01"),
    })
    notes = _notes_of(site)
    # on the line of the link (not of its words in the text before), once for two links
    at = 8  # (the front matter's 4 lines, a blank line, the first paragraph, a blank line)
    told = [n for n in notes if n.startswith(linking)]
    assert told == [
        line(linking, at, "entry_link_draft", warning=True, file="content/dongcun/decisions/2026-11-06-draft.md"),
        line(linking, at, "entry_link_later", warning=True, file="content/dongcun/decisions/2026-12-01-later.md",
             date="2026-12-01")], notes
    page = (build_ok(site, tmp_path / "out") / "dongcun/decisions/2026-11-05-linking/index.html").read_text("utf-8")
    assert "参见补充说明和下月计划。" in page


def _notes_of(site) -> list[str]:
    """What `check` prints of a site that passes, but its summary line."""
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    return result.stdout.splitlines()[:-1]


def test_a_long_page_of_entries_is_built_with_a_note(make_site):
    """per_page: 500 is the site's choice: built as asked, with a word on what it costs."""
    site = make_site({})
    config = site / "site.yaml"
    text = config.read_text(encoding="utf-8").replace("units:\n", "per_page: 500\nunits:\n", 1)
    config.write_text(text, encoding="utf-8")
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert line("site.yaml", line_no(text, "per_page: 500"), "large_per_page", warning=True, value=500,
                most=100) in result.stdout.splitlines(), describe(result)


def test_a_traditional_copy_asked_of_a_site_not_in_simplified_gets_a_note(make_site):
    """also_traditional makes a copy of a Simplified site only: asked elsewhere, the
    clerk is told that no copy is made, rather than left looking for it."""
    site = make_site()
    config = site / "site.yaml"
    text = config.read_text(encoding="utf-8") + "also_traditional: true\n"
    config.write_text(text.replace("language: zh-Hans", "language: zh-Hant"), encoding="utf-8")
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    told = load_strings("zh-Hant")  # (the site's language)
    assert (f"site.yaml:{line_no(text, 'also_traditional')}: " + told.message("warning_label")
            + told.message("traditional_copy_unused", language="zh-Hant")) in result.stdout.splitlines(), describe(result)


def test_a_title_naming_another_period_gets_a_note(make_site):
    """Last month's file copied for this month, its title kept: the site would list two
    Septembers and no October. A title naming no period, or one of another cadence (a
    year's summary in a monthly category), or the period itself, gets none."""
    path = "content/xicun/finance/2026-10-caiwu.md"

    def notes(title: str, name: str) -> list[str]:
        text = entry(f"title: {title}\ndate: 2026-11-10\nperiod: \"2026-10\"")
        return [n for n in _notes_of(make_site({path: text}, name=name)) if n.startswith(path)]

    text = entry("title: 西村2026年9月财务收支公开\ndate: 2026-11-10\nperiod: \"2026-10\"")
    assert notes("西村2026年9月财务收支公开", "copied") == [
        line(path, line_no(text, "period:"), "title_names_other_period", warning=True, named="2026-09",
             period="2026-10")]
    assert notes("西村二〇二六年九月财务收支公开", "copied-han") == [
        line(path, line_no(text, "period:"), "title_names_other_period", warning=True, named="2026-09",
             period="2026-10")]
    for n, title in enumerate(("西村2026年10月财务收支公开", "西村财务收支公开", "西村2026年度财务收支汇总",
                               "西村2026年11月补发2026年10月财务收支公开", "西村2026年9月至10月财务收支公开")):
        assert notes(title, f"fine-{n}") == [], title  # (the period among those named)


@pytest.mark.parametrize("title, cadence, named", [
    ("东村2026年11月财务收支公开", "monthly", ["2026-11"]),
    ("东村二〇二六年十一月财务收支公开", "monthly", ["2026-11"]),
    ("二〇二六年十月", "monthly", ["2026-10"]),
    ("东村2026.10财务公开", "monthly", ["2026-10"]),
    ("2026年10月至11月收支", "monthly", ["2026-10", "2026-11"]),
    ("2026年10－11月收支", "monthly", ["2026-10", "2026-11"]),
    ("2026年1-3月收支", "quarterly", ["2026-Q1"]),
    ("2026年十月至十二月", "quarterly", ["2026-Q4"]),
    ("2026年7月至8月收支", "quarterly", ["2026-Q3"]),  # (a month names its quarter)
    ("2026年10月收支", "quarterly", ["2026-Q4"]),
    ("2026年一至三月收支", "quarterly", ["2026-Q1"]),
    ("2026年7–9月收支", "quarterly", ["2026-Q3"]),
    ("2026.10-12月收支", "monthly", ["2026-10", "2026-11", "2026-12"]),
    ("西村2026年9月、10月财务收支公开", "monthly", ["2026-09", "2026-10"]),
    ("2026.9-10", "monthly", ["2026-09", "2026-10"]),
    ("2026年Q3", "quarterly", ["2026-Q3"]),
    ("2026第三季度", "quarterly", ["2026-Q3"]),
    ("2026年度第三季度", "quarterly", ["2026-Q3"]),
    ("示范镇2025年工作计划", "yearly", ["2025"]),
    ("东庄村2026年二季度党费收缴情况", "quarterly", ["2026-Q2"]),
    ("2026年3季度", "quarterly", ["2026-Q3"]),
    ("东庄村2026-09财务收支公开", "monthly", ["2026-09"]),
    ("2026/10财务收支", "monthly", ["2026-10"]),
    ("高平镇2026—2027年度工作计划", "yearly", ["2026", "2027"]),
    ("2026-10-05会议纪要", "monthly", []),
    # a date, an amount, a number: no period
    ("西村财务收支公开（2026年11月6日）", "monthly", []),
    ("西村财务收支公开 2026.11.06", "monthly", []),
    ("收入2026.1万元", "monthly", []),
    ("合计12019.5元", "monthly", []),
    ("项目编号2026.12号", "monthly", []),
    ("高政〔2026〕12号", "yearly", []),
    ("二〇二六年第三季度", "quarterly", ["2026-Q3"]),
    ("北村2025年度决算及二〇二六年度预算", "yearly", ["2025", "2026"]),
    ("2026年10", "monthly", []),
    ("2026年11月至次年1月", "monthly", ["2026-11"]),
    # quarters in a list or a range
    ("东庄村2026年第三、四季度党费收缴情况", "quarterly", ["2026-Q3", "2026-Q4"]),
    ("2026年第一季度至第三季度", "quarterly", ["2026-Q1", "2026-Q2", "2026-Q3"]),
    ("2026年三、四季度", "quarterly", ["2026-Q3", "2026-Q4"]),
    ("2026年第1-2季度", "quarterly", ["2026-Q1", "2026-Q2"]),
    ("2026年第一季度和2027年第一季度", "quarterly", ["2026-Q1", "2027-Q1"]),
    ("2026年第三，四季度", "quarterly", ["2026-Q3", "2026-Q4"]),
    ("西村2026年9月，10月财务收支公开", "monthly", ["2026-09", "2026-10"]),
    ("2026年9月，12户低保", "monthly", ["2026-09"]),  # (a number after a comma is no month but for 月)
])
def test_the_periods_a_title_names(title, cadence, named):
    """As clerks write them: digits or Han numbers, 2026.10, a range or a list of
    months (in a quarterly category, a month names its quarter)."""
    assert periods.stated_periods(title, cadence) == named


def test_new_proposes_a_period_a_title_names_alone():
    """1至10月 is no month to propose (the range's first, January, least of all)."""
    assert periods.stated_period("东庄村2026年1至10月财务收支公开", "monthly") is None
    assert periods.stated_period("2026年7至9月财务收支公开", "quarterly") == "2026-Q3"
    assert periods.stated_period("支付保洁费2026.10元", "monthly") is None
    assert periods.stated_period("东村二〇二六年十月财务收支公开", "monthly") == "2026-10"
    assert periods.stated_period("高平镇2026—2027年度工作计划", "yearly") is None
    assert periods.stated_period("2026年第三、四季度党费收缴情况", "quarterly") is None


def test_a_title_naming_a_period_with_none_written_gets_a_note(make_site):
    """Without 所属期 an entry counts for the period of its date: October's accounts put
    up on November 5th would count for November, and October be missing."""
    path = "content/xicun/finance/2026-11-05-caiwu.md"
    text = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-05")
    assert _notes_of(make_site({path: text})) == [
        line(path, 2, "title_period_not_written", warning=True, named="2026-10", counted="2026-11", first="2026-10")]
    fine = entry("title: 西村2026年11月财务收支公开\ndate: 2026-11-05")
    assert _notes_of(make_site({path: fine}, name="fine")) == []


def test_a_title_cut_at_a_hash_gets_a_note(make_site, tmp_path):
    """`title: 东村公示 #1`: YAML takes " #1" for a comment; the entry is published as
    东村公示, and the clerk is told why. Quoted, the whole title is kept, with no note."""
    path = "content/dongcun/decisions/2026-11-02-gongshi.md"
    text = entry("title: 东村公示 #1\ndate: 2026-11-02")
    site = make_site({path: text})
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert line(path, 2, "title_cut_at_hash", warning=True, title="东村公示", cut="#1") in result.stdout.splitlines()
    (site / path).write_text(text.replace("东村公示 #1", '"东村公示 #1" # 备注'), encoding="utf-8")
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert not [x for x in result.stdout.splitlines() if x.startswith(f"{path}:2:")], describe(result)


def test_a_transaction_dated_outside_its_period_gets_a_note(make_site):
    """October's ledger with a row typed 2025-10-18: the sums still add up, so only the
    date can tell, and a mistyped year would otherwise go unnoticed."""
    path = "content/xicun/finance/2026-10-caiwu.md"
    text = LEDGER_OCT.replace("东村", "西村").replace("2026-10-18,村部办公费", "2025-10-18,村部办公费")
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "2025-10-18"), "ledger_date_outside_period", warning=True, value="2025-10-18",
             first="2026-10-01", last="2026-10-31")]


def test_periods_written_in_words_are_read_as_meant(make_site, tmp_path):
    """2026年第三季度 is the quarter 2026-Q3 to a clerk, and so to the site: the
    supervision page counts it, with no note."""
    relief = "content/xicun/relief/2026-q3-dibao.md"
    site = make_site({})
    text = (site / relief).read_text(encoding="utf-8")
    (site / relief).write_text(re.sub(r"(?m)^period: .*$", "period: 2026年第三季度", text), encoding="utf-8")
    yaml_text = (site / "site.yaml").read_text(encoding="utf-8")
    assert "since:" not in yaml_text
    (site / "site.yaml").write_text(yaml_text.replace("    supervisor: {name: 陈玉梅", "    since: 2026年7月\n"
                                                      "    supervisor: {name: 陈玉梅"), encoding="utf-8")
    result = run_check(site)
    assert result.returncode == 0 and msg("warning_label") not in result.stdout, describe(result)
    model, _ = load_site(site, dt.date(2026, 11, 20))
    assert model.config.units_by_id["xicun"].since == "2026-07"
    relief_record = next(r for r in model.supervision.records if (r.unit, r.category) == ("xicun", "relief"))
    assert relief_record.expected == 1 and relief_record.status == "ok", relief_record
    out = build_ok(site, tmp_path / "out")
    page = (out / "xicun/relief/2026-q3-dibao/index.html").read_text(encoding="utf-8")
    assert re.search(r"<th[^>]*>所属期</th>\s*<td>2026年第3季度</td>", page), page


def test_a_quarter_in_a_monthly_category_gets_a_note(make_site):
    """A quarter's finance report where finances are owed monthly counts for none of
    the months: the supervision page shows them missing, and the clerk is told why."""
    path = "content/xicun/finance/2026-q3-caiwu.md"
    text = entry("title: 三季度财务汇总\ndate: 2026-10-08\nperiod: 2026-Q3")
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "period:"), "period_longer_than_cadence", warning=True, period="2026-Q3",
             category="财务收支", example="2026-07")]


def test_a_ledger_filed_under_the_period_before_is_one_too_many(make_site):
    """November's ledger written under period 2026-10 (as `new` proposes when October's
    is out): its opening follows October's closing, so no break tells it; the period does."""
    path = "content/dongcun/finance/2026-11-caiwu.md"
    text = LEDGER_OCT.replace("date: 2026-11-06", "date: 2026-11-19").replace("opening: 10000.00", "opening: 14679.50")
    text = re.sub(r"(?m)^totals:.*\n", "", text)
    site = make_site({path: text})
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    assert result.stdout.splitlines()[:-1] == [
        line(path, line_no(text, "```ledger"), "ledger_same_period", previous="content/dongcun/finance/2026-10-caiwu.md",
             period="2026-10", corrects="dongcun/finance/2026-10-caiwu.md")], describe(result)


def test_two_months_caught_up_in_one_without_period_are_fine_while_they_chain(make_site):
    """Without `period` the month of the date stands in for it: September's and
    October's ledgers put up in November, in order, are no second ledger for November."""
    def ledger(title: str, day: str, opening: str, income: str) -> str:
        return entry(f"title: {title}\ndate: 2026-11-{day}",
                     f"```ledger\nopening: {opening}\n日期,摘要,收入,支出\n11-{day},补录,{income},\n```")
    site = make_site({"content/xicun/finance/2026-11-03-sep.md": ledger("西村9月账目", "03", "100.00", "10.00"),
                      "content/xicun/finance/2026-11-20-oct.md": ledger("西村10月账目", "20", "110.00", "5.00")})
    result = run_check(site)
    assert result.returncode == 0 and msg("warning_label") not in result.stdout, describe(result)


def test_a_ledger_dated_later_that_breaks_the_chain_is_told_now(make_site):
    """A ledger published on a later day is checked today: were its opening found wrong
    only on its day, that day's unattended build would stop."""
    path = "content/dongcun/finance/2026-11-caiwu.md"
    text = (LEDGER_OCT.replace("2026年10月", "2026年11月").replace("date: 2026-11-06", "date: 2026-12-03")
            .replace('period: "2026-10"', 'period: "2026-11"').replace("2026-10-", "2026-11-")
            .replace("opening: 10000.00", "opening: 9000.00"))
    text = re.sub(r"(?m)^totals:.*\n", "", text)
    site = make_site({path: text})
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    assert result.stdout.splitlines()[:-1] == [
        line(path, line_no(text, "date:"), "dated_later", warning=True, date="2026-12-03"),
        line(path, line_no(text, "```ledger"), "ledger_chain_break", opening="9,000.00", closing="14,679.50",
             previous="content/dongcun/finance/2026-10-caiwu.md", period="2026-11",
             corrects="dongcun/finance/2026-10-caiwu.md")], describe(result)


def test_a_ledger_without_an_opening_after_another_is_told_to_write_it(make_site):
    """Not that its opening of 0.00, which the clerk never wrote, does not match (tester):
    that none is written, and the line to write."""
    path = "content/dongcun/finance/2026-11-caiwu.md"
    text = (LEDGER_OCT.replace("2026年10月", "2026年11月").replace("date: 2026-11-06", "date: 2026-11-19")
            .replace('period: "2026-10"', 'period: "2026-11"').replace("2026-10-", "2026-11-")
            .replace("opening: 10000.00\n", ""))
    text = re.sub(r"(?m)^totals:.*\n", "", text)
    result = run_check(make_site({path: text}), "2026-11-20")
    assert result.stdout.splitlines()[:-1] == [
        line(path, line_no(text, "```ledger"), "ledger_chain_no_opening", opening="0.00", closing="14,679.50",
             previous="content/dongcun/finance/2026-10-caiwu.md", period="2026-11",
             corrects="dongcun/finance/2026-10-caiwu.md")], describe(result)


def test_a_ledger_with_a_wrong_line_is_checked_against_the_months_around_it_in_the_same_run(make_site):
    """A wrong date in one line and an opening that does not follow October's: both
    told at once (the chain was checked only once the line was mended)."""
    path = "content/dongcun/finance/2026-11-caiwu.md"
    text = (LEDGER_OCT.replace("2026年10月", "2026年11月").replace("date: 2026-11-06", "date: 2026-11-19")
            .replace('period: "2026-10"', 'period: "2026-11"').replace("2026-10-05", "2026-11-35")
            .replace("2026-10-", "2026-11-").replace("opening: 10000.00", "opening: 9000.00"))
    text = re.sub(r"(?m)^totals:.*\n", "", text)
    result = run_check(make_site({path: text}), "2026-11-20")
    assert result.stdout.splitlines()[:-1] == [
        line(path, line_no(text, "```ledger"), "ledger_chain_break", opening="9,000.00", closing="14,679.50",
             previous="content/dongcun/finance/2026-10-caiwu.md", period="2026-11",
             corrects="dongcun/finance/2026-10-caiwu.md"),
        line(path, line_no(text, "2026-11-35"), "ledger_bad_date", value="2026-11-35")], describe(result)


def test_a_draft_flag_neither_yes_nor_no_is_told_with_the_files_other_mistakes(make_site):
    """Never published on doubt, but checked all the same: one run tells every mistake."""
    path = "content/dongcun/decisions/maybe.md"
    text = entry("title: 也许是草稿\ndate: 2026-11-31\n草稿: 也许\nperiod: 2026年13月")
    site = make_site({path: text})
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    assert result.stdout.splitlines()[:-1] == [
        line(path, line_no(text, "date:"), "date_past_month_end", key="date", value="2026-11-31", year=2026, month=11, days=30),
        line(path, line_no(text, "草稿:"), "bad_flag", key="草稿", value="也许"),
        line(path, line_no(text, "period:"), "bad_period", value="2026年13月")], describe(result)


def test_a_period_that_cannot_be_read_is_told_as_such_not_as_none_written(make_site):
    """`period: 10月` (no year) is an error; no note then says that no period is written."""
    path = "content/dongcun/finance/2026-11-05-caiwu.md"
    text = entry("title: 东村2026年10月财务收支公开\ndate: 2026-11-05\nperiod: 10月",
                 "```ledger\nopening: 100.00\n日期,摘要,收入,支出\n2026-10-05,租金,50.00,\n```")
    site = make_site({path: text})
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    assert result.stdout.splitlines()[:-1] == [line(path, line_no(text, "period:"), "bad_period", value="10月")], \
        describe(result)


XICUN_OCT = "content/xicun/finance/2026-10-caiwu.md"


def _october(ledger: str) -> str:
    """西村's October finance entry, `ledger` its body."""
    return entry('title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: "2026-10"', ledger)


def test_one_mistyped_amount_and_the_totals_are_told_in_one_run(make_site):
    """A ledger copied from the paper book with its balance column: 1000.00 typed for
    100.00 shifts every balance after it, one message for them all (at its line, with
    the line the run ends on); a balance mistyped alone inside that run is told alone,
    with the balance the lines around it give; and in the same run the totals, named
    as written (支出, 期末), and a line's wrong date."""
    path = "content/xicun/finance/2026-10-caiwu.md"
    text = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"\n"
                 "合计: {期初: 1000.00, 收入: 120.00, 支出: 150.00, 期末: 970.00}",
                 "```ledger\n期初余额: 1000.00\n日期,摘要,收入,支出,余额\n"
                 "2026-10-01,租金,100.00,,1100.00\n"
                 "2026-10-02,办公费,,1000.00,1000.00\n"
                 "2026-10-03,电费,,50.00,950.00\n"
                 "2026-10-04,补助,20.00,,9970.00\n"
                 "2026-10-36,退款,,,970.00\n```")
    result = run_check(make_site({path: text}))
    assert result.returncode == 1, describe(result)
    assert result.stdout.splitlines()[:-1] == [
        line(path, line_no(text, "合计:"), "totals_mismatch", key="支出", stated="150.00", computed="1,050.00"),
        line(path, line_no(text, "期末:"), "totals_mismatch", key="期末", stated="970.00", computed="70.00"),
        line(path, line_no(text, "办公费"), "ledger_balance_shifted", stated="1,000.00", computed="100.00",
             off="900.00", last=line_no(text, "退款")),
        line(path, line_no(text, "补助"), "ledger_balance_alone", stated="9,970.00", computed="970.00"),
        line(path, line_no(text, "退款"), "ledger_bad_date", value="2026-10-36")], describe(result)


BALANCES = [  # (balances stated after an opening of 1000.00 and lines of +100, -100, -50, +20, +10;
              #  right: 1100, 1000, 950, 970, 980), [(line's balance, message, params)]
    # one balance mistyped and carried down by every line after it: one message
    (["1100", "1090", "1040", "1060", "1070"],
     [("1090", "ledger_balance_shifted", {"stated": "1,090.00", "computed": "1,000.00", "off": "90.00",
                                          "last": "1070"})]),
    # the same slip, the clerk back on the right figures from 970: the right lines are fine
    (["1100", "1090", "1040", "970", "980"],
     [("1090", "ledger_balance_shifted", {"stated": "1,090.00", "computed": "1,000.00", "off": "90.00",
                                          "last": "1040"})]),
    # two balances mistyped alone, one after the other: each with its right figure
    (["1100", "1090", "960", "970", ""],
     [("1090", "ledger_balance_mismatch", {"stated": "1,090.00", "computed": "1,000.00"}),
      ("960", "ledger_balance_mismatch", {"stated": "960.00", "computed": "950.00"})]),
    # the first line wrong, then the rest right
    (["1200", "1000", "950", "970", "980"],
     [("1200", "ledger_balance_mismatch", {"stated": "1,200.00", "computed": "1,100.00"})]),
    # a balance that is not an amount: told as such, and the lines after it still checked
    (["1100", "1OOO", "950", "971", "980"],
     [("1OOO", "ledger_bad_amount", {"value": "1OOO", "column": "余额"}),
      ("971", "ledger_balance_mismatch", {"stated": "971.00", "computed": "970.00"})]),
    # a slip carried down, and inside its run the next line mistyped alone: the run is one
    # message to its end, the lone line one, with the balance its neighbours give
    (["1100", "1090", "1041", "1060", "1070"],
     [("1090", "ledger_balance_shifted", {"stated": "1,090.00", "computed": "1,000.00", "off": "90.00",
                                          "last": "1070"}),
      ("1041", "ledger_balance_alone", {"stated": "1,041.00", "computed": "1,040.00"})]),
]


@pytest.mark.parametrize("stated, expected", BALANCES,
                         ids=["carried", "back", "two-alone", "first", "not-amount", "alone-in-run"])
def test_a_balance_column_is_told_once_per_mistake(make_site, stated, expected):
    path = "content/xicun/finance/2026-10-caiwu.md"
    rows = zip(["租金,100.00,", "办公费,,100.00", "电费,,50.00", "补助,20.00,", "利息,10.00,"], stated)
    text = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"",
                 "```ledger\n期初余额: 1000.00\n日期,摘要,收入,支出,余额\n"
                 + "".join(f"2026-10-{k:02d},{row},{balance}\n" for k, (row, balance) in enumerate(rows, 1))
                 + "```")
    result = run_check(make_site({path: text}))
    at = {balance: text.index(f",{balance}\n") for balance in stated if balance}
    assert result.stdout.splitlines()[:-1] == [
        line(path, text.count("\n", 0, at[balance]) + 1, message,
             **{k: text.count("\n", 0, at[v]) + 1 if k == "last" else v for k, v in params.items()})
        for balance, message, params in expected], describe(result)


def test_balances_off_from_the_first_line_on_suggest_the_opening(make_site):
    """No opening written, the book's balances from 1,100.00 on: the opening it takes."""
    path = XICUN_OCT
    text = _october("```ledger\n日期,摘要,收入,支出,余额（元）\n2026-10-01,租金,100.00,,1100.00\n"
                    "2026-10-02,办公费,,100.00,1000.00\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "租金"), "ledger_opening_missing", off="1,000.00", last=line_no(text, "办公费"),
             opening="0.00", suggested="1000.00")]


def test_a_line_with_full_width_commas_is_told_with_the_totals_in_one_run(make_site):
    """The line is read on as it will be once its commas are mended: a wrong 合计 is told
    in the same run, not only after the mend (tester)."""
    path = XICUN_OCT
    text = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"\n"
                 "合计: {期初: 1000.00, 收入: 500.00, 支出: 300.00, 期末: 1200.00}",
                 "```ledger\n期初余额: 1000.00\n日期,摘要,收入,支出\n"
                 "2026-10-05，租金，500.00，\n2026-10-06,保洁费,,350.00\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "合计:"), "totals_mismatch", key="支出", stated="300.00", computed="350.00"),
        line(path, line_no(text, "合计:"), "totals_mismatch", key="期末", stated="1,200.00", computed="1,150.00"),
        line(path, line_no(text, "租金"), "ledger_fullwidth_comma")]
    # one that would not read mended either (a full-width comma in the summary too) is
    # told once, not also as a line with too many cells
    odd = text.replace("2026-10-05，租金，500.00，", "2026-10-05，买水泥，沙子，，500.00")
    assert run_check(make_site({path: odd}, name="odd")).stdout.splitlines()[:-1] == [
        line(path, line_no(odd, "买水泥"), "ledger_fullwidth_comma")]


def test_a_right_ledger_is_not_taken_for_a_comma_mistake(make_site):
    """An expense of 5 beside a balance (结余) of 995.00, a thousands comma in full width,
    a full-width comma in a summary, a balance below zero with its yuan sign."""
    path = XICUN_OCT
    text = _october("```ledger\n期初余额: 1000.00\n日期,摘要,收入,支出,结余\n2026-10-01,电费,,5,995.00\n"
                    "2026-10-02,收款，租金,\"1，500.00\",,2495.00\n2026-10-03,工程款,,2500.00,-¥5.00\n```")
    result = run_check(make_site({path: text}))
    assert result.returncode == 0 and msg("warning_label") not in result.stdout, describe(result)


def test_an_amount_that_cannot_be_read_leaves_the_balances_after_it_checked(make_site):
    """The next stated balance is taken as it stands, and the checking goes on."""
    path = XICUN_OCT
    text = _october("```ledger\n期初余额: 1000.00\n日期,摘要,收入,支出,余额\n2026-10-01,租金,1OO,,1100\n"
                    "2026-10-02,办公费,,100.00,1000\n2026-10-03,电费,,50.00,7777\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "租金"), "ledger_bad_amount", value="1OO", column="收入"),
        line(path, line_no(text, "电费"), "ledger_balance_mismatch", stated="7,777.00", computed="950.00")]


def test_the_paper_books_carried_and_total_lines_are_told_what_to_do(make_site):
    """上月结转 and 本月合计, copied from the paper book: each told once, with what to
    write instead; the lines between them are checked as the ledger will stand."""
    path = XICUN_OCT
    text = _october("```ledger\n日期,摘要,收入,支出,余额\n上月结转,,,,10000.00\n"
                    "2026-10-05,上级转移支付,5000.00,,15000.00\n2026-10-18,村部办公费,,320.50,14679.50\n"
                    "2026-10-20,承前页,5000.00,320.50,14679.50\n"
                    "2026-10-31,本月合计,5000.00,320.50,14679.50\n"
                    "2026-10-31,合　计,5000.00,320.50\n"
                    "2026-10-31,本年累计发生额,5000.00,320.50\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "上月结转"), "ledger_carried_line", value="上月结转", amount="10000.00"),
        line(path, line_no(text, "承前页"), "ledger_paper_line", value="承前页", amount="14679.50"),
        line(path, line_no(text, "本月合计"), "ledger_total_line", value="本月合计", amount="14679.50"),
        line(path, line_no(text, "合　计"), "ledger_total_line", value="合计", amount="5000.00"),
        line(path, line_no(text, "本年累计"), "ledger_total_line", value="本年累计发生额", amount="5000.00")]


def test_a_yaml_mistake_does_not_hide_the_ledgers_mistakes(make_site):
    path = "content/xicun/finance/2026-10-caiwu.md"
    text = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\ntags: [财务, 三资",
                 "```ledger\n日期,摘要,收入,支出\n2026-10-05,租金,1OO,\n```")
    printed = run_check(make_site({path: text})).stdout.splitlines()[:-1]
    assert len(printed) == 2 and line(path, line_no(text, "租金"), "ledger_bad_amount", value="1OO",
                                      column="收入") == printed[1], printed


def test_a_ledger_never_closed_and_two_that_do_not_follow_on_are_told(make_site):
    """A ledger fence closed with two backticks is never closed: its lines would be
    published as they stand, unchecked. The second ledger of an entry goes on from
    the first (without an opening line it does); one that opens elsewhere is refused,
    as the entry's totals would show money from nowhere."""
    path = XICUN_OCT
    text = _october("```ledger\nopening: 10000.00\n日期,摘要,收入（元）,支出（元）\n2026-10-05,租金,5000.00,\n```\n\n"
                    "```ledger\n日期,摘要,收入,支出\n2026-10-06,电费,,100.00\n```\n\n"
                    "```ledger\nopening: 15400.00\n日期,摘要,收入,支出\n2026-10-07,补助,200.00,\n```\n\n"
                    "```ledger\n日期,摘要,收入,支出\n2026-10-08,水费,,abc\n``\n")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "opening: 15400"), "ledger_blocks_apart", opening="15,400.00",
             closing="14,900.00"),
        line(path, text.count("\n", 0, text.rindex("```ledger")) + 1, "ledger_unclosed", fence="```")]


def test_a_ledger_fence_written_otherwise_or_running_into_another_block_is_told(make_site):
    """```` ````ledger ````, ```` ```ledger csv ```` and an indented fence are no ledger to the
    reader, and were published as code, unchecked; a fence never closed before another
    fenced block ran on into it, and its prose was read as ledger lines."""
    path = "content/xicun/finance/2026-10-caiwu.md"
    fenced = "\n日期,摘要,收入,支出\n2026-10-05,租金,abc,\n"
    text = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"",
                 f"````ledger{fenced}````\n\n```ledger csv{fenced}```\n\n ```ledger{fenced}```\n\n"
                 f"```ledger{fenced}\n说明文字。\n\n```text\n附注\n```")
    fences = [k + 1 for k, row in enumerate(text.split("\n")) if "ledger" in row]
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, fences[0], "ledger_fence_odd", fence="```", line="````ledger"),
        line(path, fences[1], "ledger_fence_odd", fence="```", line="```ledger csv"),
        line(path, fences[2], "ledger_fence_odd", fence="```", line=" ```ledger"),
        line(path, fences[3], "ledger_unclosed", fence="```")]
    # in a list item, a quote, after a paragraph's full-width spaces, typed by an input
    # method; closed with ~~~, or with two marks, and a fenced block after it
    text = _october(f"    ```ledger{fenced}    ```\n\n> ```ledger\n> 日期,摘要,收入,支出\n> ```\n\n"
                    f"　　```ledger{fenced}```\n\n···ledger{fenced}···\n\n"
                    f"```ledger{fenced}~~~\n\n```ledger{fenced}``\n\n说明。\n\n```\n附注\n```")
    rows = text.split("\n")
    at = [k + 1 for k, row in enumerate(rows) if "ledger" in row or row in ("~~~", "``")]
    assert run_check(make_site({path: text}, name="more")).stdout.splitlines()[:-1] == [
        line(path, at[0], "ledger_fence_odd", fence="```", line="    ```ledger"),
        line(path, at[1], "ledger_fence_odd", fence="```", line="> ```ledger"),
        line(path, at[2], "ledger_fence_odd", fence="```", line="\u3000\u3000```ledger"),
        line(path, at[3], "ledger_fence_odd", fence="```", line="···ledger"),  # (told the marks to type)
        line(path, at[5], "ledger_close_odd", fence="```", line="~~~"),
        line(path, at[7], "ledger_close_odd", fence="```", line="``")]


def test_the_second_ledger_of_an_entry_is_never_told_to_change_an_opening_it_does_not_write(make_site):
    """Its opening is the first one's closing: balances off from its first line are a
    run (the amount or the balances), not a wrong opening the clerk would then write,
    to be refused as not following on."""
    path = XICUN_OCT
    text = _october("```ledger\nopening: 1000.00\n日期,摘要,收入,支出\n2026-10-01,租金,100.00,\n```\n\n"
                    "```ledger\n日期,摘要,收入,支出,余额\n2026-10-02,电费,,10.00,1290.00\n2026-10-03,水费,,10.00,1280.00\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "电费"), "ledger_balance_shifted", stated="1,290.00", computed="1,090.00",
             off="200.00", last=line_no(text, "水费"))]


def test_totals_with_a_thousands_comma_or_a_full_width_colon_are_told_plainly(make_site):
    path = "content/xicun/finance/2026-10-caiwu.md"
    ledger = "```ledger\nopening: 10000.00\n日期,摘要,收入,支出\n2026-10-05,租金,5000.00,\n```"
    comma = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"\n合计: {期初: 10,000.00, 期末: 15000.00}", ledger)
    assert run_check(make_site({path: comma})).stdout.splitlines()[:-1] == [
        line(path, line_no(comma, "合计:"), "bad_total_comma")]
    colon = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"\n"
                  "合计: {期初：10000.00，期末：15000.00}", ledger)
    result = run_check(make_site({path: colon}, name="colon"))
    assert result.returncode == 0 and result.stdout.splitlines()[:-1] == [
        line(path, line_no(colon, "合计:"), "fullwidth_colon", warning=True, key=key) for key in ("期初", "期末")
    ], describe(result)
    zeros = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"\n"
                  "合计: {期初: 010000, 收入: 05000, 期末: 015000}", ledger)  # (not YAML 1.1's octal)
    result = run_check(make_site({path: zeros}, name="zeros"))
    assert result.returncode == 0 and result.stdout.splitlines()[:-1] == [], describe(result)
    empty = entry("title: 西村2026年10月财务收支公开\ndate: 2026-11-06\nperiod: \"2026-10\"\n"
                  "合计: {期初：, 期末: 15000.00}", ledger)  # (an amount left out: not a zero)
    assert run_check(make_site({path: empty}, name="empty")).stdout.splitlines()[:-1] == [
        line(path, line_no(empty, "合计:"), "bad_total_amount", key="期初", value=""),
        line(path, line_no(empty, "合计:"), "fullwidth_colon", warning=True, key="期初")]


def test_a_line_without_a_date_and_an_opening_under_the_header_are_told_what_to_do(make_site):
    path = XICUN_OCT
    text = _october("```ledger\n日期,摘要,收入,支出\n期初余额: 100.00\n10月5号,租金,50.00,\n,电费,,3.00\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "期初余额"), "ledger_opening_below_header", key="期初余额"),
        line(path, line_no(text, "电费"), "ledger_no_date", value="")]


def test_a_comma_that_moves_an_amount_into_another_column_is_told(make_site):
    """A full-width comma in a line shorter than the header (5000.00 would be read as
    no income, and the voucher number 001 as an expense), two amounts run together by
    one, and 1,500.00 unquoted (1 and 500.00): each refused, never published as read.
    A full-width comma inside a summary, with no amount behind it, is fine, and so are
    full-width digits and a Traditional 期初餘額."""
    path = XICUN_OCT
    text = _october("```ledger\n期初餘額: 10000.00\n日期,摘要,收入,支出,凭证号,余额\n"
                    "2026-10-05,上级转移支付，5000.00,,001\n"
                    "2026-10-06,支付张三，李四工资,,５００.00\n"
                    "2026-10-18,村部办公费,,320，14680.00\n"
                    "2026-10-20,租金,1,500.00,,\n"
                    "2026-10-21,修路材料费,,1,320.50\n"  # (支出 1 and 凭证号 320.50: no voucher has cents)
                    "2026-10-22,土地补偿款,1,234,567.89,\n"
                    "2026-10-23,退款,,-50.00\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "上级转移支付"), "ledger_fullwidth_comma"),
        line(path, line_no(text, "村部办公费"), "ledger_fullwidth_comma"),
        line(path, line_no(text, "租金"), "ledger_split_amount", value="1,500.00", joined="1500.00", first="1",
             second="500.00"),
        line(path, line_no(text, "修路材料费"), "ledger_split_amount", value="1,320.50", joined="1320.50",
             first="1", second="320.50"),
        line(path, line_no(text, "土地补偿款"), "ledger_split_amount", value="1,234,567.89",
             joined="1234567.89", first="1", second="234,567.89"),
        line(path, line_no(text, "退款"), "ledger_negative_amount", value="-50.00", column="支出")]


def test_a_notice_end_date_shorter_than_the_category_or_a_year_off_gets_a_note(make_site):
    """低保 lists are under notice seven days (the category's notice_days): an end date
    typed a day after the date would take the names down the next day, one typed with
    next year's year would leave them up a year longer. Days are counted as a notice
    says them, the first and the last included: 20 to 26 November is seven."""
    def relief(until: str) -> str:
        return entry(f"title: 西村2026年第四季度低保对象公示\ndate: 2026-11-20\nnotice_until: {until}",
                     "拟纳入低保对象：户主张某，家庭人口3人。")
    path = "content/xicun/relief/2026-11-20-dibao.md"
    assert _notes_of(make_site({path: relief("2026-11-21")})) == [
        line(path, 4, "notice_shorter", warning=True, days=2, least=7, category="低保救助", date="2026-11-20",
             until="2026-11-21")]
    assert _notes_of(make_site({path: relief("2027-11-30")}, name="year")) == [
        line(path, 4, "notice_over_a_year", warning=True, days=376, date="2026-11-20", until="2027-11-30")]
    assert _notes_of(make_site({path: relief("2026-11-26")}, name="seven")) == []


def test_a_line_that_left_out_an_empty_amount_is_refused(make_site):
    """An expense line written without the empty 收入 cell (or an income line without
    the empty 支出): every cell after it moves one column left, and the line would be
    published as an income of the expense and an expense of its voucher number. A line
    shorter than the header with amounts in both is refused; one with both and every
    column, or shorter with one amount (the columns after 支出 left off), is read."""
    path = XICUN_OCT
    text = _october("```ledger\nopening: 10000.00\n日期,摘要,收入,支出,凭证号,经手人\n"
                    "2026-10-05,上级转移支付,5000.00,,001,张秀英\n"
                    "2026-10-12,村部办公费,1200.00,002,张秀英\n"
                    "2026-10-13,电费,,80.00,003\n"
                    "2026-10-14,代收代付,100.00,100.00,004,张秀英\n"
                    "2026-10-15,水费,36.00,005\n"
                    "2026-10-16,退款,-5.00,30.00\n```")
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "村部办公费"), "ledger_short_line", count=5, expected=6),
        line(path, line_no(text, "水费"), "ledger_short_line", count=4, expected=6),
        line(path, line_no(text, "退款"), "ledger_negative_amount", value="-5.00", column="收入")]
    fixed = (text.replace("村部办公费,1200.00", "村部办公费,,1200.00").replace("水费,36.00", "水费,,36.00")
             .replace("退款,-5.00,30.00", "退款,,30.00"))
    result = run_check(make_site({path: fixed}, name="fixed"))
    assert result.returncode == 0 and msg("warning_label") not in result.stdout, describe(result)
    # with its own 余额 column, a line that reaches it is checked by its balance instead
    balance = _october("```ledger\nopening: 10000.00\n日期,摘要,收入,支出,余额,凭证号,经手人\n"
                       "2026-10-14,代收代付,100.00,100.00,10000.00\n```")
    result = run_check(make_site({path: balance}, name="balance"))
    assert result.returncode == 0 and msg("warning_label") not in result.stdout, describe(result)


def test_a_ledger_without_period_whose_lines_are_of_another_month_gets_a_note(make_site):
    """Without period it counts for the month of its date: caught up in November, July's
    ledger would count for November. The note says which month its lines are in; its
    totals are checked all the same."""
    path = "content/xicun/finance/2026-07-caiwu.md"
    text = entry("title: 西村2026年7月财务收支公开\ndate: 2026-11-11\ntotals: {opening: 100.00, closing: 115.00}",
                 "```ledger\nopening: 100.00\n日期,摘要,收入,支出\n2026-07-05,补录,10.00,\n7月20日,补录,5.00,\n```")
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "```ledger"), "ledger_period_from_lines", warning=True, month="2026-07",
             counted="2026-11")]


def test_ledger_dates_written_in_words_are_read(make_site):
    """2026年10月18日 in a ledger's line, as in the front matter: read, and inside its period."""
    path = "content/xicun/finance/2026-10-caiwu.md"
    text = LEDGER_OCT.replace("东村", "西村").replace("2026-10-18,", "2026年10月18日,").replace("2026-10-05,", "１０月５日,")
    site = make_site({path: text})
    result = run_check(site)
    assert result.returncode == 0 and msg("warning_label") not in result.stdout, describe(result)


def test_a_ledger_with_transactions_after_its_publication_gets_one_note(make_site):
    """November's ledger put up on the 20th cannot hold the 25th's expense: a mistyped
    day, or the entry's date. Told once, at the first such line, with how many there are."""
    path = "content/xicun/finance/2026-11-caiwu.md"
    text = (LEDGER_OCT.replace("东村", "西村").replace("10月", "11月").replace('period: "2026-10"', 'period: "2026-11"')
            .replace("date: 2026-11-06", "date: 2026-11-20").replace("2026-10-05", "2026-11-05")
            .replace("2026-10-18", "2026-11-25").replace("002\n", "002\n2026-11-28,保洁费,,0.00,003\n"))
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "2026-11-25"), "ledger_date_after_publication", warning=True, value="2026-11-25",
             date="2026-11-20", count=2)]
    unscheduled = "content/xicun/decisions/2026-11-02-yusuan.md"  # (a period not begun: told as such)
    plan = entry("标题: 关于12月开支的决定\n日期: 2026-11-02\n所属期: 2026-12",
                 "```ledger\n日期,摘要,收入,支出\n2026-12-05,补录,1.00,\n```")
    assert _notes_of(make_site({unscheduled: plan}, name="unscheduled")) == [
        line(unscheduled, 4, "ledger_period_not_begun", warning=True, period="2026-12", date="2026-11-02")]
    one = text.replace("2026-11-28,", "2026-11-19,")
    assert _notes_of(make_site({path: one}, name="one")) == [
        line(path, line_no(one, "2026-11-25"), "ledger_date_after_publication", warning=True, value="2026-11-25",
             date="2026-11-20", count=1)]


def test_a_ledger_of_a_period_not_begun_gets_a_note(make_site):
    """December typed for October: counted as December's, which had not begun (and the
    title, which names October, says so too)."""
    path = "content/xicun/finance/2026-10-caiwu.md"
    text = LEDGER_OCT.replace("东村", "西村").replace('period: "2026-10"', 'period: "2026-12"').replace("2026-10-", "2026-12-")
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "period:"), "ledger_period_not_begun", warning=True, period="2026-12",
             date="2026-11-06"),
        line(path, line_no(text, "period:"), "title_names_other_period", warning=True, named="2026-10",
             period="2026-12")]


def test_a_number_shaped_as_an_id_where_no_id_is_spoken_of_gets_a_question(make_site):
    """A project number made of a region, a date and a serial (110105 20241015 0001) has
    an ID's shape: where the text does not speak of IDs, it is asked about, not refused
    (a notice of a purchase must be published); one passing the Luhn check is refused,
    as it was as a card."""
    path = "content/dongcun/decisions/2026-11-05-caigou.md"
    text = entry("title: 采购结果公告\ndate: 2026-11-05", "采购项目编号 110105202410150001。")
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "采购项目编号"), "privacy_id_number_maybe", warning=True, masked="110105********0001")]
    text = entry("title: 采购结果公告\ndate: 2026-11-05", f"卡号 {MISCOPIED_CARD_LIKE}")
    result = run_check(make_site({path: text}))
    assert line(path, line_no(text, "卡号"), "privacy_id_number", masked=mask_id(MISCOPIED_CARD_LIKE)) in \
        result.stdout.splitlines(), describe(result)


def test_a_correction_formed_before_the_entry_it_corrects_gets_a_note(make_site):
    """Its 生成日期 copied with the text of the entry it corrects: it would count as
    published months late."""
    path = "content/dongcun/decisions/2026-11-10-gengzheng.md"
    text = entry("title: 更正\ndate: 2026-11-10\nformed: 2026-10-30\ncorrects: dongcun/decisions/2026-11-02-daolu.md")
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "corrects:"), "correction_formed_before", warning=True, formed="2026-10-30",
             date="2026-11-02")]


def test_an_entry_copied_and_forgotten_gets_a_note(make_site):
    site = make_site({"content/dongcun/decisions/2026-11-02-daolu-copy.md": DECISION})
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    assert line("content/dongcun/decisions/2026-11-02-daolu-copy.md", 1, "duplicate_entry", warning=True,
                other="content/dongcun/decisions/2026-11-02-daolu.md") in result.stdout.splitlines(), describe(result)
    # a correction repeats the title and date of what it corrects, and is no copy
    correction = DECISION.replace("---\n\n", "corrects: dongcun/decisions/2026-11-02-daolu.md\n---\n\n", 1)
    site = make_site({"content/dongcun/decisions/2026-11-02-daolu-copy.md": correction}, name="corrected")
    result = run_check(site)
    assert result.returncode == 0 and msg("warning_label") not in result.stdout, describe(result)


def test_the_errors_are_told_after_the_notes_just_above_the_summary(make_site, tmp_path):
    """A large site may have many notes: an error printed in file order among them
    scrolls off a small screen. The files with errors come last, each whole (a note
    there may tell why the error), just above the line saying the build (or check)
    failed; each group in file order."""
    bad = "content/dongcun/decisions/2026-11-01-bad.md"  # (before the notes' files, by name)
    site = make_site({bad: entry("title：日期不存在\ndate: 2024-02-30"),
                      "content/dongcun/decisions/2026-11-02-daolu-copy1.md": DECISION,
                      "content/dongcun/decisions/2026-11-02-daolu-copy2.md": DECISION})
    first = "content/dongcun/decisions/2026-11-02-daolu.md"  # (the copies are told)
    told = [line("content/dongcun/decisions/2026-11-02-daolu-copy1.md", 1, "duplicate_entry", warning=True,
                 other=first),
            line("content/dongcun/decisions/2026-11-02-daolu-copy2.md", 1, "duplicate_entry", warning=True,
                 other=first),
            line(bad, 2, "fullwidth_colon", warning=True, key="title"),
            line(bad, 3, "date_past_month_end", key="date", value="2024-02-30", year=2024, month=2, days=29)]
    result = run_check(site)
    assert result.returncode == 1 and result.stdout.splitlines() == [*told, msg("check_failed", count=1)], \
        describe(result)
    result = run_build(site, output=tmp_path / "out")
    assert result.returncode == 1 and result.stderr.splitlines() == [*told, msg("build_failed", count=1)], \
        describe(result)


def test_a_copy_windows_made_is_told_as_the_one_to_go(make_site):
    """Copy and Paste in Windows makes `2026-10-caiwu - 副本.md`: told it looks like a
    copy, to be deleted if made by mistake; and of two entries alike, two ledgers of a
    period, the copy is told (not the original, to be made a correction of its copy),
    though its name sorts first."""
    copy = "content/dongcun/decisions/2026-11-02-daolu - 副本.md"
    ledger = "content/dongcun/finance/2026-10-caiwu-副本.md"
    site = make_site({copy: DECISION, ledger: LEDGER_OCT})
    result = run_check(site)
    original = "content/dongcun/finance/2026-10-caiwu.md"
    assert result.stdout.splitlines() == [
        line(copy, None, "copy_file_name", name="2026-11-02-daolu - 副本.md", fixed="2026-11-02-daolu-2.md"),
        line(ledger, 1, "duplicate_entry", warning=True, other=original),
        line(ledger, line_no(LEDGER_OCT, "```ledger"), "ledger_same_period", previous=original,
             period="2026-10", corrects="dongcun/finance/2026-10-caiwu.md"),
        msg("check_failed", count=2)], describe(result)
    # a copy made into the next month's entry: named by its own date (not 2026-10-caiwu-2.md: tester)
    later = "content/dongcun/finance/2026-10-caiwu - 副本.md"
    site = make_site({later: entry("title: 东村2026年11月财务收支公开\ndate: 2026-12-05")}, name="later")
    assert line(later, None, "copy_file_name", name="2026-10-caiwu - 副本.md", fixed="2026-12-05-caiwu.md") in \
        run_check(site).stdout.splitlines()
    # as WeChat and browsers name a second download; a word that names a copy only in a name
    assert copy_like("dongcun/finance/2026-10-caiwu(1).md") and copy_like("dongcun/finance/2026-10 - Copy.md")
    assert not copy_like("dongcun/decisions/营业执照副本.md") and not copy_like("town/services/hardcopy.md")


def test_a_colon_in_a_value_after_a_block_with_a_tab_is_told_as_a_colon(make_site):
    path = "content/dongcun/decisions/colon.md"
    text = "---\nsummary: |\n  第一行\n  \t缩进的第二行\ntitle: 关于: 第一次\ndate: 2026-11-01\n---\n\n正文。\n"
    site = make_site({path: text})
    result = run_check(site)
    assert result.returncode == 1, describe(result)
    assert any(ln.startswith(f"{path}:{line_no(text, 'title:')}: ") and "引号" in ln
               for ln in result.stdout.splitlines()), describe(result)


# ----------------------------------------------------------------------------- accepted silently

def _no_problem_lines(result, path: str) -> None:
    assert result.returncode == 0, describe(result)
    assert not [ln for ln in result.stdout.splitlines() if ln.startswith(path)], describe(result)
    assert _summary_count(result.stdout, "check_ok") == 0, describe(result)


def test_published_phones_in_an_entry_are_fine(make_site):
    path = "content/xicun/decisions/phones.md"
    site = make_site({path: entry(
        "title: 公开电话\ndate: 2026-11-01",
        "咨询电话：0372-5550000。\n\n东村监督电话：0372-5551201。\n\n"
        "西村村务监督委员会主任手机：13907071234，也可写作 139-0707-1234。")})
    _no_problem_lines(run_check(site), path)


def test_mobile_listed_in_public_phones_is_fine(make_site):
    path = "content/xicun/services/hotline.md"
    site_yaml = SITE_YAML.replace('base_url: ""', 'base_url: ""\npublic_phones: ["13700001111"]')
    site = make_site({"site.yaml": site_yaml, path: entry(
        "title: 便民服务热线\ndate: 2026-11-01",
        "便民服务热线（手机）：13700001111，或 137 0000 1111。")})
    _no_problem_lines(run_check(site), path)
    # ...and without public_phones the same entry is refused.
    text = entry("title: 便民服务热线\ndate: 2026-11-01", "便民服务热线（手机）：13700001111。")
    site2 = make_site({path: text}, name="site2")
    result = run_check(site2)
    assert result.returncode == 1
    expected = line(path, line_no(text, "13700001111"), "privacy_mobile", masked="137****1111")
    assert expected in result.stdout.splitlines(), describe(result)


def test_draft_with_bad_body_is_not_checked(make_site, tmp_path):
    path = "content/dongcun/finance/draft.md"
    site = make_site({path: entry(
        "title: 草稿\ndate: 2026-11-01\ndraft: true\n"
        "totals: {opening: 1.00, income: 0, expense: 0, closing: 999.00}",
        f"身份证号 {ID_NUMBER}，手机 {PRIVATE_MOBILE}，卡号 {CARD}。\n\n"
        "```ledger\n日期,摘要,收入,支出\n2026-10-01,错,abc,\n```\n\n[附件](nothere.pdf)")})
    _no_problem_lines(run_check(site), path)
    out = build_ok(site, tmp_path / "out")
    assert not (out / "dongcun/finance/draft").exists()


def test_a_damaged_pdf_is_told_with_its_entry_and_nothing_else(make_site):
    """The PDF library's own English about the damage (on stderr) is not shown to a clerk."""
    path, pdf = "content/dongcun/decisions/broken-pdf.md", "content/dongcun/decisions/huaile.pdf"
    result = run_check(make_site({path: entry("title: 名单\ndate: 2026-11-01\nattachments: [huaile.pdf]"),
                                  pdf: b"%PDF-1.4\n1 0 obj damaged"}))
    assert result.returncode == 1, describe(result)
    assert result.stdout.splitlines()[:-1] == [line(pdf, None, "attachment_unreadable", entry=path)], describe(result)
    assert result.stderr == "", describe(result)


def test_a_spreadsheet_without_a_default_style_is_read_without_the_library_s_english(make_site):
    """A workbook written by another program than Excel may name no cell style: it is
    read and checked like any other, and openpyxl's own English about it (a Python
    warning, on stderr) is not shown to a clerk."""
    import zipfile

    made = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["姓名", "身份证号"], ["张某某", ID_NUMBER_2]])))
    styleless = io.BytesIO()
    with zipfile.ZipFile(styleless, "w") as book:
        for name in made.namelist():
            data = made.read(name)
            if name == "xl/styles.xml":
                data = re.sub(rb"<cellStyles\b.*?</cellStyles>", b"", data, flags=re.S)
            book.writestr(name, data)
    path, xlsx = "content/dongcun/decisions/no-styles.md", "content/dongcun/decisions/mingdan2.xlsx"
    result = run_check(make_site({path: entry("title: 名单\ndate: 2026-11-01\nattachments: [mingdan2.xlsx]"),
                                  xlsx: styleless.getvalue()}))
    assert result.returncode == 1, describe(result)
    assert any(text.startswith(xlsx) for text in result.stdout.splitlines()[:-1]), describe(result)  # (its ID number)
    assert result.stderr == "", describe(result)


def test_a_unit_or_category_may_be_named_as_a_clerk_knows_it(make_site, tmp_path):
    """单位: 東村 (its name, in either script) is dongcun, as for `new`."""
    path = "content/dongcun/decisions/2026-11-03-named.md"
    site = make_site({path: entry("title: 按名称写的单位\ndate: 2026-11-03\n单位: 東村\n栏目: 重大事项")})
    _no_problem_lines(run_check(site), path)
    out = build_ok(site, tmp_path / "out")
    html = (out / "dongcun/decisions/2026-11-03-named/index.html").read_text(encoding="utf-8")
    assert "重大事项" in html and "东村" in html
    # in another unit's folder: published as the header says, with a note (misfiled?)
    elsewhere = "content/xicun/decisions/2026-11-04-named.md"
    text = entry("title: 放错文件夹的决议\ndate: 2026-11-04\n单位: 東村")
    result = run_check(make_site({elsewhere: text}, name="elsewhere"))
    assert result.returncode == 0 and line(elsewhere, line_no(text, "单位"), "filed_elsewhere", warning=True,
                                           folder="xicun/decisions", meant="dongcun/decisions") \
        in result.stdout.splitlines(), describe(result)


def test_a_chinese_key_with_a_wrong_character_is_told_with_the_key_meant(make_site):
    """标提 for 标题 (the input method's wrong word) is asked about, when there is no title;
    the title is told as missing all the same (标注 may be a note, not a title)."""
    path = "content/dongcun/decisions/2026-11-03-typo.md"
    text = entry("标提: 关于村道硬化的决议\n日其: 2026-11-03")
    result = run_check(make_site({path: text}))
    assert result.returncode == 1, describe(result)
    assert result.stdout.splitlines()[:-1] == [
        line(path, 2, "missing_date"), line(path, 2, "missing_title"),
        line(path, line_no(text, "标提"), "unknown_key_hint", key="标提", suggestion="标题"),
        line(path, line_no(text, "日其"), "unknown_key_hint", key="日其", suggestion="日期")], describe(result)
    noted = entry("标题: 关于村道硬化的决议\n日期: 2026-11-03\n标注: 重要")  # a title there: no guess
    result = run_check(make_site({path: noted}, name="noted"))
    assert line(path, line_no(noted, "标注"), "unknown_key", key="标注") in result.stdout.splitlines(), describe(result)


def test_a_photo_shown_in_a_page_too_heavy_for_a_phone_is_told(make_site):
    """A photo as the camera took it, shown in the page: told at its line, with what to do;
    a small image, or a big one offered for download, is not."""
    path = "content/dongcun/decisions/2026-11-03-photo.md"
    text = entry("title: 村部修缮完工\ndate: 2026-11-03\nattachments: [scan.jpg]",
                 "修缮前后对比：\n\n![修缮后的村部](after.jpg)\n\n![村部门牌](sign.png)\n")
    folder = "content/dongcun/decisions/"
    result = run_check(make_site({path: text, folder + "after.jpg": b"\xff" * 2_400_000,
                                  folder + "sign.png": b"\x89PNG\r\n\x1a\n" * 100, folder + "scan.jpg": b"\xff" * 900_000}))
    assert result.returncode == 0, describe(result)
    heavy = [ln for ln in result.stdout.splitlines() if "很费流量" in ln]  # (of image_heavy's words)
    assert heavy == [line(path, line_no(text, "after.jpg"), "image_heavy", warning=True, name="after.jpg",
                          size="2.4 MB", most="500 KB")], describe(result)


def test_yes_and_no_words_are_kept_as_written_where_text_is_wanted(make_site, tmp_path):
    """YAML 1.1 reads yes, no, on, off as true and false: a summary no, keywords on and off
    are those words on the page (not False, True); draft: on, search: no still mean yes and no."""
    site = make_site({"content/dongcun/decisions/2026-11-03-words.md":
                      entry("title: 投票结果\ndate: 2026-11-03\nsummary: no\n关键词: [on, off, 是]"),
                      "content/dongcun/decisions/2026-11-03-draft.md": entry("title: 草稿\ndate: 2026-11-03\n草稿: on"),
                      "site.yaml": SITE_YAML.replace("\nunits:", "\nsearch: no\nunits:", 1)})
    out = build_ok(site, tmp_path / "out")
    html = (out / "dongcun/decisions/2026-11-03-words/index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="no">' in html and "on、off、是" in html, html
    assert "True" not in html and "False" not in html
    assert not (out / "dongcun/decisions/2026-11-03-draft").exists() and not (out / "search").exists()


def test_an_invisible_character_copied_into_front_matter_is_left_out(make_site, tmp_path):
    """A date copied from a chat with a zero-width space after it is the date; a control
    character from a spreadsheet is left out of the header and of the text."""
    path = "content/dongcun/decisions/2026-11-03-copied.md"
    site = make_site({path: entry("title: 关于修路的决议\u200b\ndate: 2026-11-03\u200b\npublisher: 村委\x01会",
                                  "经村民代表会议\x07讨论通过。")})
    _no_problem_lines(run_check(site), path)
    html = (build_ok(site, tmp_path / "out") / "dongcun/decisions/2026-11-03-copied/index.html").read_text(encoding="utf-8")
    assert "<h1>关于修路的决议</h1>" in html and "村委会" in html and "经村民代表会议讨论通过" in html


def test_a_draft_flag_written_with_a_leading_zero_is_a_number(make_site, tmp_path):
    """草稿: 01 is 1 (yes), as 草稿: 1 is; draft: 00 is 0 (no)."""
    site = make_site({"content/dongcun/decisions/zero-one.md": entry("title: 零一\ndate: 2026-11-01\n草稿: 01"),
                      "content/dongcun/decisions/zero-zero.md": entry("title: 零零\ndate: 2026-11-01\ndraft: 00")})
    _no_problem_lines(run_check(site), "content/dongcun/decisions/zero-")
    out = build_ok(site, tmp_path / "out")
    assert not (out / "dongcun/decisions/zero-one").exists()
    assert (out / "dongcun/decisions/zero-zero/index.html").is_file()


def test_an_entry_withdrawn_without_a_reason_gets_a_note(make_site):
    """撤回: 是 takes the entry down, as asked, with nothing to tell residents why: the
    clerk is asked for the reason. A reason alone, or with its date, is enough."""
    path = "content/dongcun/decisions/2026-11-02-chehui.md"
    def withdrawn(value: str) -> str:
        return entry(f"标题: 撤回的决议\n日期: 2026-11-02\n撤回: {value}")
    assert _notes_of(make_site({path: withdrawn("是")})) == [
        line(path, 4, "withdrawn_no_reason", warning=True, key="撤回")]
    for n, dated in enumerate(("{日期: 2026-11-10}", "2026年11月10日", "2026-11-10")):  # (a date is no reason)
        assert _notes_of(make_site({path: withdrawn(dated)}, name=f"date-only-{n}")) == [
            line(path, 4, "withdrawn_no_reason", warning=True, key="撤回")]
    assert _notes_of(make_site({path: withdrawn("金额有误")}, name="reason")) == [  # (and its day is asked)
        line(path, 4, "withdrawn_no_date", warning=True, key="撤回", reason="金额有误")]
    assert _notes_of(make_site({path: withdrawn("{日期: 2026-11-10, 原因: 金额有误}")}, name="both")) == []


@pytest.mark.parametrize("written, notes", [
    # as meant, however typed: full-width colons, a reason cut at its comma, 理由, keys of their own
    ("撤回: {日期：2026-11-10, 原因：金额有误}", []),
    ("撤回: {日期: 2026-11-10, 原因: 金额有误, 已另行公开}", []),
    ("撤回: {日期: 2026-11-10, 理由: 金额有误, 已另行公开}", []),
    ("撤回日期: 2026-11-10\n撤回原因: 金额有误, 已另行公开", []),
    ("撤回: 2026-11-10\n撤回原因: 金额有误, 已另行公开", []),
    ("撤回时间: 2026-11-10\n撤回说明: 金额有误, 已另行公开", []),
    ("撤回: {时间: 2026-11-10, 原因: 金额有误, 已另行公开}", []),
    ("撤回: {日期: 2026-11-10, 原因: 金额有误, 已另行公开}\n撤回人: 张三",
     [("withdrawn_unknown_key", dict(key="撤回", name="撤回人"))]),
    ("撤回: 2026-11-31", [("date_past_month_end", dict(key="撤回", value="2026-11-31", year=2026, month=11, days=30)),
                         ("withdrawn_no_reason", dict(key="撤回"))]),
    # told, and withdrawn all the same (an error would keep the page up)
    ("撤回: {日期: 2026-11-31, 原因: 金额有误, 已另行公开}",  # (named as written: 撤回.日期)
     [("date_past_month_end", dict(key="撤回.日期", value="2026-11-31", year=2026, month=11, days=30))]),
    ("撤回: {日期: 2026-11-10, 原因: 金额有误, 已另行公开, 撤回人: 张三}",
     [("withdrawn_unknown_key", dict(key="撤回", name="撤回人"))]),
    ("撤回: [2026-11-10, 金额有误]", [("bad_withdrawn", {}), ("withdrawn_no_reason", dict(key="撤回"))]),
])
def test_a_withdrawal_is_read_as_meant_and_never_held_up(make_site, tmp_path, written, notes):
    """Whatever is amiss in how a withdrawal is written is a note: the entry is taken
    down, its reason shown whole."""
    path = "content/dongcun/decisions/2026-11-02-chehui.md"
    site = make_site({path: entry(f"标题: 撤回的决议\n日期: 2026-11-02\n{written}", "正文CHEHUIBODY。")})
    assert _notes_of(site) == [line(path, 4, key, warning=True, **params) for key, params in notes]
    page = (build_ok(site, tmp_path / "out") / "dongcun/decisions/2026-11-02-chehui/index.html").read_text(encoding="utf-8")
    assert "CHEHUIBODY" not in page
    if not any(key in ("bad_withdrawn", "withdrawn_no_reason") for key, _ in notes):
        assert "金额有误, 已另行公开" in page or "金额有误</" in page
    assert "2026-11-10</" not in page and "2026-11-31</" not in page  # (a date is no reason)


def test_a_withdrawal_taken_back_with_no_stands(make_site, tmp_path):
    """撤回: 否 with the withdrawal's date and reason left below it: published."""
    path = "content/dongcun/decisions/2026-11-02-chehui.md"
    site = make_site({path: entry("标题: 撤回的决议\n日期: 2026-11-02\n撤回: 否\n撤回日期: 2026-11-10\n撤回原因: 有误",
                                  "正文CHEHUIBODY。")})
    assert _notes_of(site) == []
    page = (build_ok(site, tmp_path / "out") / "dongcun/decisions/2026-11-02-chehui/index.html").read_text(encoding="utf-8")
    assert "CHEHUIBODY" in page


def test_a_withdrawal_written_in_the_body_is_told(make_site):
    """Under the front matter, 撤回: is text the page shows: the clerk is told to move it up."""
    path = "content/dongcun/decisions/2026-11-02-chehui.md"
    text = entry("标题: 撤回的决议\n日期: 2026-11-02", "正文。\n\n撤回: {日期: 2026-11-10, 原因: 决议内容有误}")
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "撤回:"), "withdrawn_in_body", warning=True, text="撤回: {日期: 2026-11-10, 原因: 决议内容有误}")]
    text = entry("标题: 撤回的决议\n日期: 2026-11-02", "正文。\n\n撤回原因：数据有误")
    assert _notes_of(make_site({path: text}, name="reason")) == [
        line(path, line_no(text, "撤回原因"), "withdrawn_in_body", warning=True, text="撤回原因：数据有误")]


def test_a_withdrawal_left_empty_is_told(make_site, tmp_path):
    """`撤回:` with nothing after it is neither yes nor no: the entry stays up, and the
    clerk is told how to withdraw it, or to delete the line."""
    path = "content/dongcun/decisions/2026-11-02-chehui.md"
    site = make_site({path: entry("标题: 撤回的决议\n日期: 2026-11-02\n撤回:", "正文CHEHUIBODY。")})
    assert _notes_of(site) == [line(path, 4, "withdrawn_empty", warning=True, key="撤回")]


def test_a_withdrawal_dated_before_publication_or_after_today_gets_a_note(make_site, tmp_path):
    """A mistyped withdrawal date is told, but the entry is withdrawn all the same: a
    withdrawal may be urgent (names published by mistake), and stopping the build for
    its date would leave the page up."""
    path = "content/dongcun/decisions/2026-11-02-chehui.md"
    def withdrawn(day: str) -> str:
        return entry(f"标题: 撤回的决议\n日期: 2026-11-02\n撤回: {{日期: {day}, 原因: 金额有误}}", "正文CHEHUIBODY。")
    assert _notes_of(make_site({path: withdrawn("2026-10-02")})) == [
        line(path, 4, "withdrawn_before_date", warning=True, withdrawn="2026-10-02", date="2026-11-02")]
    later = make_site({path: withdrawn("2026-12-02")}, name="later")
    assert _notes_of(later) == [line(path, 4, "withdrawn_dated_later", warning=True, date="2026-12-02")]
    page = (build_ok(later, tmp_path / "out") / "dongcun/decisions/2026-11-02-chehui/index.html").read_text(encoding="utf-8")
    assert "CHEHUIBODY" not in page
    assert _notes_of(make_site({path: withdrawn("2026-11-02")}, name="same-day")) == []


def test_a_withdrawn_entry_is_not_held_up_by_its_body_or_files(make_site, tmp_path):
    """Names published by mistake: the clerk withdraws the entry and deletes the list's
    file. What the body and files held is published no more, so it is not checked: a
    missing file or a broken ledger line must not stop the build and keep the page up."""
    path = "content/dongcun/decisions/2026-11-02-mingdan.md"
    front = "标题: 补贴名单\n日期: 2026-11-02\n附件: [名单.xlsx]\n撤回: {日期: 2026-11-10, 原因: 名单未脱敏}"
    body = "见[附件](名单.xlsx)和[说明](说明.pdf)。\n\n```ledger\n日期,摘要,收入,支出\n2026-11-01,补贴,,一百\n```\n"
    summary = f"摘要: 误传了{resident_id('11010519491231002')}"  # (a summary its page no longer shows)
    site = make_site({path: entry(front + "\n" + summary, body)})
    assert _notes_of(site) == []
    page = (build_ok(site, tmp_path / "out") / "dongcun/decisions/2026-11-02-mingdan/index.html").read_text(encoding="utf-8")
    assert "名单未脱敏" in page and "名单.xlsx" not in page and "1949" not in page


def test_a_publication_time_is_the_date(make_site, tmp_path):
    """发布时间, the words of many portals' disclosure forms, is the date (not a hint to
    发布机构, the key its spelling is nearest)."""
    path = "content/town/services/shijian.md"
    for n, written in enumerate(("2026-11-05 09:30", "2026年11月5日 9:30", "2026/11/5 09:30")):
        site = make_site({path: f"---\n标题: 发布时间写法的办事指南\n发布时间: {written}\n---\n\n正文。\n"},
                         name=f"time-{n}")
        assert _notes_of(site) == []
        page = parse_html(build_ok(site, tmp_path / f"out-{n}") / "town/services/shijian/index.html")
        assert "2026-11-05" in [a.get("datetime") for tag, a in page.tags if tag == "time"]


def test_a_summary_never_ends_in_the_first_digits_of_an_amount(make_site, tmp_path):
    """The summary (an entry page's description, a 公开栏 sheet's line) is cut at 120
    characters: 已累计支付4674… of 467450.14 would be read as an amount; it is cut before it."""
    path = "content/dongcun/decisions/2026-11-02-jiesuan.md"
    lead = "道路硬化工程审计结算价481907.36元，" + "按合同约定分期支付工程款项，" * 7
    body = lead[:114] + "已累计支付467450.14元，剩余质量保证金待一年缺陷责任期满后支付。"
    site = make_site({path: entry("title: 关于道路硬化工程结算的公告\ndate: 2026-11-02", body)})
    page = (build_ok(site, tmp_path / "out") / "dongcun/decisions/2026-11-02-jiesuan/index.html").read_text(encoding="utf-8")
    described = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
    assert described == lead[:114] + "已累计支付…", described
    assert _summary(lead[:114] + "已付４６７４５０.１４元，余款年底付清") == lead[:114] + "已付…"  # (full-width)
    assert _summary(lead[:115] + "共计300,每户一份") == lead[:115] + "共计300…"  # (a whole number, then a comma)


def test_a_summary_is_the_paragraphs_words_to_the_end_of_a_sentence():
    """A 公开栏 sheet's line: not a table's headings run into the text (二、收入预算 项目
    预算金额（元） 测算依据…), and ending with a sentence where one ends far enough in."""
    sentence = "本年度村级预算收入共计一百二十万元，主要来自上级转移支付和集体经营收入。"
    html = (f"<h2>一、收入预算</h2>\n<table><thead><tr><th>项目</th><th>预算金额（元）</th></tr></thead></table>\n"
            f"<p>{sentence * 4}</p>")
    assert _summary(html) == sentence * 3  # (120 characters hold three sentences and a half)
    assert _summary("<table><tr><td>项目</td><td>金额</td></tr></table>") == "项目 金额"  # (tables alone: theirs)


def test_a_summary_keeps_the_numbers_of_a_numbered_list(make_site, tmp_path):
    """Items a clerk numbered are read and spoken by their numbers: the summary (the
    lists' line, a 公开栏 sheet's) keeps them, as the page shows them."""
    path = "content/dongcun/decisions/2026-11-02-shixiang.md"
    body = "村民代表会议决定以下事项：\n\n1. 硬化村东主干道；\n2. 安装路灯二十盏；\n3. 修缮村西石桥。\n"
    site = make_site({path: entry("title: 关于三件实事的决议\ndate: 2026-11-02", body)})
    page = (build_ok(site, tmp_path / "out") / "dongcun/decisions/2026-11-02-shixiang/index.html").read_text(encoding="utf-8")
    described = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
    assert described == "村民代表会议决定以下事项： 1. 硬化村东主干道； 2. 安装路灯二十盏； 3. 修缮村西石桥。", described
    # from its start, as a browser reads it; a list inside an item, not numbered, numbers
    # nothing, a numbered one in its own way; the next item goes on
    assert _summary('<ol start=" +4">\n<li>\n<p>修桥</p>\n<ul><li>东桥</li></ul>\n</li>\n<li>修路<ol><li>东段</li>'
                    '<li>西段</li></ol></li>\n</ol><ol title="start=7"><li>验收</li></ol>') == \
        "4. 修桥 东桥 5. 修路 (1) 东段 (2) 西段 1. 验收"
    # an item left with no text (a heading or a table, not summed) keeps no number
    assert _summary("<ol><li><h3>道路</h3></li><li><table><tr><td>甲</td></tr></table></li><li>修桥</li></ol>") == \
        "3. 修桥"
    # cut, a list says more follows, even at a ；, and leaves no number without its words
    items = [f"符合条件的第{n}类家庭可以申请" for n in range(1, 9)]
    listed = "<p>下列家庭可以申请：</p><ol>" + "".join(f"<li>{x}{'；' if n < 8 else '。'}</li>"
                                                       for n, x in enumerate(items, 1)) + "</ol>"
    assert _summary(listed) == "下列家庭可以申请： " + " ".join(f"{n}. {x}；" for n, x in enumerate(items[:5], 1))[:-1] + "…"
    # cut at the end of an item's sentence, with items after it: not whole either
    sentences = "".join(f"<li>第{n}项工作要求各村民小组组长逐户走访排查。</li>" for n in range(1, 5))
    assert _summary(f"<p>村委会研究决定开展以下四项工作，请各组认真落实：</p><ol>{sentences}</ol>") == \
        "村委会研究决定开展以下四项工作，请各组认真落实： " + " ".join(
            f"{n}. 第{n}项工作要求各村民小组组长逐户走访排查。" for n in (1, 2, 3)) + "…"
    # a number at the cut that is no item's stays (an amount: 每人每月 300…)
    assert _summary("<p>" + "说" * 112 + "每人每月 300 元</p>") == "说" * 112 + "每人每月 300…"
    for pad in range(8):  # (a cut falls after 9, after "9." and after "9. ")
        cut = _summary("<p>" + "说" * pad + "：</p><ol>" + "".join("<li>修缮村道路面工程项目</li>" for _ in range(29)) + "</ol>")
        assert re.search(r"[修缮村道路面工程项目]…$", cut), cut


@pytest.mark.parametrize("written", ["2024年7月1日", "2024年7月1号", "2024年7月1號", "２０２４－０７－０１", "2024／7／1"])
def test_chinese_date_is_accepted(make_site, tmp_path, written):
    path = "content/town/services/cn-date.md"
    site = make_site({path: entry(f"title: 中文日期的办事指南\ndate: {written}")})
    result = run_check(site)
    assert result.returncode == 0, describe(result)
    out = build_ok(site, tmp_path / "out")
    page = parse_html(out / "town/services/cn-date/index.html")
    times = [a.get("datetime") for tag, a in page.tags if tag == "time"]
    assert "2024-07-01" in times
    assert "2024年7月1日" in "".join(page.text)  # (as the site writes every date)


@pytest.mark.parametrize("written, meant", [
    ("zh-CN", "zh-Hans"), ("zh_cn", "zh-Hans"), ("zh-Hans-HK", "zh-Hans"), ("中文", "zh-Hans"), ("简体中文", "zh-Hans"),
    ("zh-TW", "zh-Hant"), ("zh_HK", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"), ("中文（繁體）", "zh-Hant"), ("繁体", "zh-Hant"),
    ("en-US", "en"), ("English", "en"), ("英文", "en"), ("fr", None), ("", None)])
def test_a_language_written_another_way_is_told_which_one_it_means(written, meant):
    assert _language_meant(written) == meant


@pytest.mark.parametrize("written, meant", [
    ("2026", "2026"), ("2026年", "2026"), ("2026年度", "2026"), ("2026-11", "2026-11"), ("2026年11月", "2026-11"),
    ("2026年11月份", "2026-11"), ("２０２６年１１月", "2026-11"), ("2026.11", "2026-11"), ("2026/1", "2026-01"),
    ("2026-Q3", "2026-Q3"), ("2026q3", "2026-Q3"), ("2026年第三季度", "2026-Q3"), ("2026年3季度", "2026-Q3"),
    ("2026年第四季", "2026-Q4"), ("2026年13月", None), ("2026-Q5", None), ("0226", None), ("2026-11-01", None),
    ("2026年上半年", None)])
def test_a_period_written_in_words_is_read_as_meant(written, meant):
    assert periods.parse(written) == meant


@pytest.mark.parametrize("written, meant", [
    ("每月", "monthly"), ("按月", "monthly"), ("每季度", "quarterly"), ("年度", "yearly"), ("不定期", "as-needed"),
    ("随时", "as-needed"), ("长期", "permanent"), ("常年", "permanent"), ("每季度首月10日前", "quarterly"),
    ("每年12月", "yearly"), ("Monthly", "monthly"), ("quarter", "quarterly"), ("weekly", None)])
def test_a_cadence_written_in_words_is_told_which_one_it_means(written, meant):
    assert _cadence_meant(written) == meant


@pytest.mark.parametrize("text, at, quoted", [
    ("title: [草案] 关于修路\n", 2, '"[草案] 关于修路"'), ("title: [2026]3号文 # 备注\n", 2, '"[2026]3号文"'),
    ('title: [草案]关于"道路"硬化\n', 2, "'[草案]关于\"道路\"硬化'"), ("tags:\n  - [重要]道路\n", 3, '"[重要]道路"'),
    ("units:\n  - id: a\n    name: {试点}东村\n", 4, '"{试点}东村"')])
def test_a_value_starting_with_a_closed_bracket_is_told_to_be_quoted(text, at, quoted):
    """However the clerk goes on after the bracket, wherever the value is (a key, an
    item of a list, indented): quoted as it can be (single quotes around double)."""
    problems = Problems()
    with pytest.raises(yaml.YAMLError) as exc:
        load_yaml(text)
    syntax_problem(exc.value, text, "x.md", 1, problems)
    assert [(p.line, p.key, p.params["quoted"]) for p in problems] == [(at, "yaml_bracket_start", quoted)]
    assert load_yaml(f"title: {quoted}\n")["title"] == quoted[1:-1].replace("''", "'")


@pytest.mark.parametrize("text", ["keywords: [村规, [草案]修订]\n",
                                  "categories:\n  - {id: party, name: [试点]党务公开, cadence: monthly}\n"])
def test_a_bracket_inside_a_list_written_on_the_line_is_not_told_to_quote_the_whole_line(text):
    """Quoting the whole [..] or {..} would make the list or map one text (a category gone)."""
    problems = Problems()
    with pytest.raises(yaml.YAMLError) as exc:
        load_yaml(text)
    syntax_problem(exc.value, text, "site.yaml", 0, problems)
    assert [p.key for p in problems] == ["yaml_unclosed_bracket"]


@pytest.mark.parametrize("text, quoted", [('title: "三资"管理办法\n', "'\"三资\"管理办法'"),
                                          ("title: '三资' 管理办法 # 备注\n", "\"'三资' 管理办法\"")])
def test_a_value_starting_with_a_quote_closed_too_soon_is_told_to_be_quoted_whole(text, quoted):
    problems = Problems()
    with pytest.raises(yaml.YAMLError) as exc:
        load_yaml(text)
    syntax_problem(exc.value, text, "x.md", 1, problems)
    assert [(p.key, p.params["quoted"]) for p in problems] == [("yaml_quote_start", quoted)]
    assert load_yaml(f"title: {quoted}\n")["title"] == text.split(": ", 1)[1].split(" #")[0].strip()


def test_numbers_are_read_as_a_clerk_means_them(make_site):
    """YAML 1.1 reads 05000 as the octal 2,560 (and 08000 as text) and 9:30 as 570 (base
    60): here a whole number with a leading zero is kept as written, 9:30 stays text,
    other numbers are read as YAML reads them. In site.yaml such a number is that number
    where one is wanted (per_page: 030) and keeps its zero where text is (code: 0101)."""
    read = load_yaml("a: 05000\nb: 9:30\nc: 1:30.5\nd: 0\ne: 5000\nf: 0.50\ng: 1_000\nh: -012\ni: 0x10\nj: 08000\n"
                     "k: 2024.10\n")
    assert dict(read) == {"a": "05000", "b": "9:30", "c": "1:30.5", "d": 0, "e": 5000, "f": "0.50", "g": 1000,
                          "h": "-012", "i": 16, "j": "08000", "k": "2024.10"}
    assert [type(read[k]) for k in "aj"] == [LeadingZero] * 2
    site = make_site({"site.yaml": SITE_YAML.replace("    name: 东村\n", "    name: 东村\n    code: 0101\n    since: 2026.10\n", 1)
                      .replace("units:\n", "per_page: 030\nunits:\n", 1),
                      "content/dongcun/decisions/2026-11-01-xiaojie.md":
                      "---\ntitle: 十月工作小结\ndate: 2026-11-01\nperiod: 2026.10\n文号: 2024.10\n---\n\n正文。\n"})
    config, problems = load_config(site)
    assert not problems.errors, problems.errors
    assert (config.per_page, config.units_by_id["dongcun"].code, config.units_by_id["dongcun"].since) == (
        30, "0101", "2026-10")
    loaded, problems = load_site(site, dt.date(2026, 11, 20), parallel=False)
    assert not problems.errors, problems.errors
    entry = loaded.by_rel["dongcun/decisions/2026-11-01-xiaojie.md"].entry
    assert (entry.period, entry.doc_no) == ("2026-10", "2024.10")  # (not YAML's 2026.1 and 2024.1)


def test_an_expense_of_a_few_yuan_beside_a_voucher_of_three_digits_gets_a_note(make_site):
    """2,300 unquoted in 支出, before the 凭证号 column: read as an expense of 2 and voucher
    300, which may be what the clerk meant (postage of 2 yuan, voucher 300) or 2,300 cut
    at its comma. Published as read, with a note saying how to write either; 2.00, or a
    line that states its own balance, has none."""
    path = XICUN_OCT
    text = _october("```ledger\nopening: 10000.00\n日期,摘要,收入,支出,凭证号\n"
                    "2026-10-05,修路材料费,,2,300\n"
                    "2026-10-06,邮票,,8.00,012\n"
                    "2026-10-07,保洁费,,500,013\n```")  # (500 beside voucher 013, after 012: as read)
    assert _notes_of(make_site({path: text})) == [
        line(path, line_no(text, "修路材料费"), "ledger_split_amount_maybe", warning=True, value="2,300",
             joined="2300", first="2", second="300", column="支出", next="凭证号")]
    fixed = text.replace(",,2,300", ",,\"2,300\"")
    assert _notes_of(make_site({path: fixed}, name="fixed")) == []
    balance = _october("```ledger\nopening: 10000.00\n日期,摘要,收入,支出,凭证号,余额\n"
                       "2026-10-05,邮票,,2,300,9998.00\n```")
    assert _notes_of(make_site({path: balance}, name="balance")) == []


def test_an_amount_cut_at_its_comma_beside_a_voucher_is_joined_as_far_as_the_line_is_too_long(make_site):
    """2,300,005 beside 凭证号, one cell too many: the amount is 2300 and 005 the voucher
    (not 2300005, which the clerk would copy)."""
    path = XICUN_OCT
    text = _october("```ledger\nopening: 10000.00\n日期,摘要,收入,支出,凭证号,经手人\n"
                    "2026-10-20,道路维修,,2,300,005,李四\n"
                    "2026-10-21,土地补偿,,1,234,567.89,006\n```")  # (cents: no voucher number has them)
    assert run_check(make_site({path: text})).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "道路维修"), "ledger_split_amount", value="2,300", joined="2300", first="2",
             second="300"),
        line(path, line_no(text, "土地补偿"), "ledger_split_amount", value="1,234,567.89", joined="1234567.89",
             first="1", second="234,567.89")]


def test_a_ledger_that_closes_below_zero_gets_a_note(make_site):
    """A closing balance below zero is an amount misread (2300005 for 2300) or an opening
    not written (read as 0.00): a note at the line from which it stays below zero. A
    balance below zero for a while, an expense booked before the income that paid it,
    is not told."""
    path = XICUN_OCT
    dips = _october("```ledger\nopening: 100.00\n日期,摘要,收入,支出\n"
                    "2026-10-05,保洁费,,600.00\n2026-10-20,上级转移支付,1000.00,\n```")
    assert _notes_of(make_site({path: dips})) == []
    written = dips.replace("1000.00,", "100.00,")
    assert _notes_of(make_site({path: written}, name="written")) == [
        line(path, line_no(written, "保洁费"), "ledger_below_zero", warning=True, balance="-400.00",
             opening="100.00")]
    none = _october("```ledger\n日期,摘要,收入,支出\n2026-10-05,保洁费,,600.00\n```")
    assert _notes_of(make_site({path: none}, name="none")) == [
        line(path, line_no(none, "保洁费"), "ledger_below_zero_no_opening", warning=True, balance="-600.00",
             opening="0.00")]


def test_a_second_ledger_whose_corrects_names_no_entry_is_told_only_that(make_site):
    """更正 written with a wrong path: told that the path names no entry (with the one it
    may mean), not also that a period has one ledger only and to write 更正 (tester)."""
    path = "content/dongcun/finance/2026-10-caiwu-fix.md"
    text = LEDGER_OCT.replace("date: 2026-11-06", "date: 2026-11-07\n更正: 2026-10-caiwu.md")
    lines = run_check(make_site({path: text})).stdout.splitlines()[:-1]
    assert len(lines) == 1 and lines[0].startswith(f"{path}:{line_no(text, '更正:')}: "), lines
    # dated later, its ledger is checked now: so is its 更正 (it was told on its day only)
    later = text.replace("date: 2026-11-07", "date: 2026-12-07")
    lines = run_check(make_site({path: later}, name="later")).stdout.splitlines()[:-1]
    assert [x.split(": ")[0] for x in lines] == [f"{path}:{line_no(later, 'date:')}", f"{path}:{line_no(later, '更正:')}"]


def test_a_missing_attachment_and_a_wrong_total_written_one_to_a_line_are_told_at_their_lines(make_site):
    """Under 附件: and 合计: written as lists, the line of the item, not of the key (tester)."""
    path = "content/dongcun/finance/2026-10-caiwu.md"
    text = LEDGER_OCT.replace(
        "totals: {opening: 10000.00, income: 5000.00, expense: 320.50, closing: 14679.50}",
        "合计:\n  期初: 10000.00\n  收入: 5000.00\n  支出: 320.00\n  期末: 14679.50\n"
        "附件:\n  - fapiao.txt\n  - qingdan.txt\n  - file: mingxi.txt\n    title: 明细")
    site = make_site({path: text, "content/dongcun/finance/fapiao.txt": "发票"})
    assert run_check(site).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "  支出:"), "totals_mismatch", key="支出", stated="320.00", computed="320.50"),
        line(path, line_no(text, "qingdan.txt"), "attachment_missing", file="qingdan.txt"),
        line(path, line_no(text, "file: mingxi.txt"), "attachment_missing", file="mingxi.txt")]


def test_a_missing_attachment_is_told_at_its_own_item_not_one_whose_name_holds_it(make_site):
    path = "content/dongcun/decisions/2026-11-02-x.md"
    text = entry("title: 附件\ndate: 2026-11-02\n附件:\n  - 2026-mingxi.txt\n  - mingxi.txt")
    site = make_site({path: text, "content/dongcun/decisions/2026-mingxi.txt": "明细"})
    assert run_check(site).stdout.splitlines()[:-1] == [  # (nor is the other item offered for it)
        line(path, line_no(text, "  - mingxi.txt"), "attachment_missing", file="mingxi.txt")]


def test_a_correction_naming_its_entry_by_title_is_told_its_path(make_site):
    """更正: written as the title of the entry corrected (the one entry so titled): told to
    write its path, which is given (tester)."""
    path, target = "content/dongcun/decisions/gengzheng.md", "content/dongcun/decisions/2026-11-02-zhaobiao.md"
    text = entry("title: 更正\ndate: 2026-11-05\n更正: 东村道路硬化工程招标结果公示")
    site = make_site({path: text, target: entry("title: 东村道路硬化工程招标结果公示\ndate: 2026-11-02")})
    assert run_check(site).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "更正:"), "corrects_by_title", target="东村道路硬化工程招标结果公示",
             path="dongcun/decisions/2026-11-02-zhaobiao.md")]


def test_a_missing_attachment_names_the_file_most_likely_meant(make_site):
    """名单.CSV for 名单.csv, and 名单.csv saved as 名单.csv.csv (Windows hides extensions),
    are named; a file item with no file name is told so, not as a file named "" (tester)."""
    path = "content/dongcun/relief/2026-11-02-dibao.md"
    text = entry("title: 低保名单\ndate: 2026-11-02\n附件:\n  - 名单.CSV\n  - 花名册.xlsx\n  - {名称: 花名册}\n  -")
    commas = "content/dongcun/relief/2026-11-03-dibao.md"  # (YAML reads one name, parted by full-width commas)
    site = make_site({path: text, "content/dongcun/relief/名单.csv": "户主\n张*三\n",
                      "content/dongcun/relief/花名册.xlsx.xlsx": "x", "content/dongcun/relief/~$花名册.xlsx": "x",
                      commas: entry("title: 低保名单\ndate: 2026-11-03\n附件: [名单.csv，花名册.xlsx]")})
    lines = text.split("\n")
    assert run_check(site).stdout.splitlines()[:-1] == [
        line(path, line_no(text, "名单.CSV"), "attachment_missing_hint", file="名单.CSV", suggestion="名单.csv"),
        line(path, line_no(text, "花名册.xlsx"), "attachment_missing_hint", file="花名册.xlsx",
             suggestion="花名册.xlsx.xlsx"),  # (not the lock file Excel leaves beside it)
        line(path, line_no(text, "{名称"), "attachment_no_file"),
        line(path, lines.index("  -") + 1, "attachment_no_file"),
        line(commas, 4, "yaml_fullwidth_comma", mark="[", closing="]")]
