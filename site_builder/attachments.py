"""Attachments: what they are, and the text inside them for the privacy scan.

`kind_name` gives a file's kind for the download link. `extract_text` reads
the text of csv, txt, md, html, xlsx, docx and pdf files with maintained libraries
(openpyxl, python-docx, pypdf), so a resident's ID number in a spreadsheet stops the
build like one in the entry itself; each passage with where a clerk finds it in the
file (a text file's lines count; a PDF has pages, a workbook sheets and rows, a Word
file tables and rows). Images cannot be read: `is_image` lets `check` list them for a
person to look at.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

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
    """Text of a file a clerk saved: UTF-8 (BOM or not), else GB18030. Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"  # may raise: not text at all


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
            return _xlsx_text(path)
        if suffix == ".docx":
            return _docx_text(path)
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


def _pdf_text(path: Path) -> list[tuple[str, Place | None]]:
    import logging

    from pypdf import PdfReader

    # pypdf logs what it mends in a damaged file ("EOF marker not found") to stderr, in
    # English, among a clerk's messages: a file it cannot read is told as ours
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(str(path))
    return [(page.extract_text() or "", Place("place_pdf_page", page=k)) for k, page in enumerate(reader.pages, start=1)]
