"""Attachments: what they are, and the text inside them for the privacy scan.

`kind_name` gives a file's kind for the download link. `extract_text` reads
the text of csv, txt, md, html, xlsx, docx and pdf files with maintained libraries
(openpyxl, python-docx, pypdf), so a resident's ID number in a spreadsheet stops the
build like one in the entry itself; each passage with where a clerk finds it in the
file (a text file's lines count; a PDF has pages, a workbook sheets and rows, a Word
file tables and rows; the headers, comments and text boxes of both are read too).
Images cannot be read: `is_image` lets `check` list them for a person to look at.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from .errors import Place

TEXT_TYPES = {".csv", ".txt", ".md", ".html", ".htm", ".tsv", ".json", ".xml"}
IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic"}
KIND_NAMES = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".xls": "Excel", ".xlsx": "Excel",
              ".csv": "CSV", ".txt": "TXT", ".jpg": "JPG", ".jpeg": "JPG", ".png": "PNG",
              ".zip": "ZIP", ".ofd": "OFD", ".wps": "WPS", ".et": "WPS"}


class UnreadableAttachment(Exception):
    """The file claims a readable type but could not be read (corrupt or encrypted)."""


def kind_name(path: Path) -> str:
    return KIND_NAMES.get(path.suffix.lower(), path.suffix.lstrip(".").upper() or "FILE")


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_TYPES



def decode(data: bytes) -> tuple[str, str]:
    """Text of a file a clerk saved: UTF-8 (BOM or not), UTF-16 (as Notepad and Excel
    save "Unicode" text, BOM or not: `utf16`), else GB18030. Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    order = utf16(data)
    if order is not None:
        return data.decode(order).removeprefix("\ufeff"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"  # may raise: not text at all


def utf16(data: bytes) -> str | None:
    """The codec of text saved as UTF-16, by its byte-order mark, or, without one (Excel's
    "Unicode text" may have none), by the zero bytes of its ASCII characters, which
    fall on one side of each pair (UTF-8 and GBK text has none): else None. Read as
    GBK, such a file is garbage in which no ID number is found."""
    if data.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be"
    head = data[:4096]
    if len(data) % 2 or head.count(0) < 2:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)  # (a Han character's pair may hold one: 一 is 00 4E)
    order = "utf-16-le" if odd >= 9 * even else "utf-16-be" if even >= 9 * odd else None
    try:  # (and text it is: no lone surrogate, no control character but line breaks and tabs)
        text = data.decode(order) if order else ""
    except UnicodeDecodeError:
        return None
    return order if order and not _CONTROL.search(text.removeprefix("\ufeff")) else None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


_TABLES = frozenset({".csv", ".tsv"})  # text tables a resident opens in Excel


def published_bytes(path: Path) -> bytes:
    """The bytes an attachment is published with: its own, but that a CSV in UTF-8
    with Chinese in it gets the byte-order mark Excel on Windows needs to read it as
    UTF-8 (without, a resident who opens the 低保 list sees mojibake). One in GBK, as
    Excel saves it there, is read as it is."""
    data = path.read_bytes()
    if path.suffix.lower() in _TABLES and not data.startswith(b"\xef\xbb\xbf") and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return data
        return b"\xef\xbb\xbf" + data
    return data


def published_size(path: Path) -> int:
    """The size of the file `published_bytes` makes (read only for a CSV)."""
    return len(published_bytes(path)) if path.suffix.lower() in _TABLES else path.stat().st_size


def extract_text(path: Path) -> list[tuple[str, Place | None]] | None:
    """All readable text of an attachment, as (text, place) passages: one, with no
    place, for a text file (a problem in it is told by its line); a page, a sheet's row
    or a table's row each for the others, whose lines mean nothing to a clerk. None
    for types that hold no text we read."""
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_TYPES:
            text, _ = decode(path.read_bytes())
            return [(html.unescape(re.sub(r"<[^>]+>", " ", text)) if suffix in {".html", ".htm"} else text, None)]
        if suffix in {".xlsx", ".xlsm"}:
            return _xlsx_text(path) + _other_parts(path, _XLSX_PARTS)
        if suffix == ".docx":
            return _docx_text(path) + _other_parts(path, _DOCX_PARTS)
        if suffix == ".pdf":
            return _pdf_text(path)
    except Exception as exc:  # noqa: BLE001 - any library failure means "cannot read"
        raise UnreadableAttachment(str(exc)) from exc
    return None


def _xlsx_text(path: Path) -> list[tuple[str, Place | None]]:
    import warnings

    import openpyxl

    with warnings.catch_warnings():  # (its English about the file's styles means nothing to a clerk)
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [("\t".join(_cell(v) for v in row if v is not None),
                     Place("place_sheet_row", sheet=sheet.title, row=number))
                    for sheet in book.worksheets
                    for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)]
        finally:
            book.close()


def _cell(value: object) -> str:
    # A long number typed into Excel comes back as an int or float: show its digits.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _docx_text(path: Path) -> list[tuple[str, Place | None]]:
    import docx

    document = docx.Document(str(path))
    # (Word numbers neither paragraphs nor lines: the text is told as the document's)
    out: list[tuple[str, Place | None]] = [("\n".join(p.text for p in document.paragraphs), Place("place_word_text"))]
    for k, table in enumerate(document.tables, start=1):
        out += [("\t".join(cell.text for cell in row.cells), Place("place_word_table_row", table=k, row=r))
                for r, row in enumerate(table.rows, start=1)]
    return out


# The parts of a workbook or a document its cells, text and tables leave out, where a
# phone number or an ID number sits as often: the letterhead in a header, a comment on
# a name, a text box (parts named by pattern, with the place a clerk looks for them).
_DOCX_PARTS = ((re.compile(r"word/(header|footer)\d*\.xml"), "place_headers"),
               (re.compile(r"word/(footnotes|endnotes)\.xml"), "place_notes"),
               (re.compile(r"word/comments\.xml"), "place_comments"),
               (re.compile(r"word/document\.xml"), "place_text_boxes"))
_XLSX_PARTS = ((re.compile(r"xl/worksheets/sheet\d+\.xml"), "place_headers"),
               (re.compile(r"xl/(comments\d*|comments/\w+|threadedComments/\w+)\.xml"), "place_comments"),
               (re.compile(r"xl/drawings/drawing\d+\.xml"), "place_text_boxes"))


def _other_parts(path: Path, kinds: tuple[tuple[re.Pattern, str], ...]) -> list[tuple[str, Place | None]]:
    """The text of those parts, a passage for each kind found (the text boxes of a Word
    document only, not its text; the headers and footers of a sheet only, not its cells)."""
    import zipfile

    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            kind = next((k for pattern, k in kinds if pattern.fullmatch(name)), None)
            if kind is None:
                continue
            data = book.read(name)
            if name.startswith("xl/worksheets/"):  # (its cells are read already, row by row: its
                # printed headers and footers alone, their text between tags: &C, &P codes and all)
                for part in re.findall(rb"<headerFooter\b.*?</headerFooter>", data, re.S):
                    found.setdefault(kind, []).append(html.unescape(re.sub(r"<[^>]+>", "\n", part.decode("utf-8"))))
            elif name == "word/document.xml":
                found.setdefault(kind, []).extend(_texts_within(data, "txbxContent"))
            else:
                found.setdefault(kind, []).append(_part_text(data))
    # (a text box is kept twice, as a shape and as its older form: told once)
    return [("\n".join(dict.fromkeys(t for t in texts if t.strip())), Place(kind)) for kind, texts in found.items()
            if any(t.strip() for t in texts)]


def _part_text(data: bytes) -> str:
    """The text of an Office XML part (see `_text_of`)."""
    import xml.etree.ElementTree as ET

    return _text_of(ET.fromstring(data))


def _texts_within(data: bytes, name: str) -> list[str]:
    """The text of each element named `name` in an Office XML part (see `_text_of`)."""
    import xml.etree.ElementTree as ET

    return [_text_of(el) for el in ET.fromstring(data).iter() if el.tag.rpartition("}")[2] == name]


def _text_of(element: Any) -> str:
    """An XML element's text, a line for each paragraph or comment: its text runs (<w:t>,
    <a:t>, <t>; a threaded comment's <text>)."""
    out = []
    for el in element.iter():
        name = el.tag.rpartition("}")[2]
        if el.text and name in ("t", "text"):
            out.append(el.text)
        if name in ("p", "comment", "br"):  # (met before what it holds: a line begins)
            out.append("\n")
        elif name == "tab":
            out.append("\t")
    return "".join(out).lstrip("\n")


def _pdf_text(path: Path) -> list[tuple[str, Place | None]]:
    import logging

    from pypdf import PdfReader

    # pypdf logs what it mends in a damaged file ("EOF marker not found") to stderr, in
    # English, among a clerk's messages: a file it cannot read is told as ours
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(str(path))
    return [(page.extract_text() or "", Place("place_pdf_page", page=k)) for k, page in enumerate(reader.pages, start=1)]
