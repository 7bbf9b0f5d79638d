"""Attachments: what they are, and the text inside them for the privacy scan.

`kind_name` gives a file's kind for the download link. `extract_text` reads
the text of csv, txt, md, html, xlsx, docx and pdf files with maintained libraries
(openpyxl, python-docx, pypdf), so a resident's ID number in a spreadsheet stops the
build like one in the entry itself. Images cannot be read: `is_image` lets `check`
list them for a person to look at.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

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


def extract_text(path: Path) -> str | None:
    """All readable text of an attachment, or None for types that hold no text we read."""
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_TYPES:
            text, _ = decode(path.read_bytes())
            return html.unescape(re.sub(r"<[^>]+>", " ", text)) if suffix in {".html", ".htm"} else text
        if suffix in {".xlsx", ".xlsm"}:
            return _xlsx_text(path)
        if suffix == ".docx":
            return _docx_text(path)
        if suffix == ".pdf":
            return _pdf_text(path)
    except Exception as exc:  # noqa: BLE001 - any library failure means "cannot read"
        raise UnreadableAttachment(str(exc)) from exc
    return None


def _xlsx_text(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                out.append("\t".join(_cell(v) for v in row if v is not None))
        return "\n".join(out)
    finally:
        book.close()


def _cell(value: object) -> str:
    # A long number typed into Excel comes back as an int or float: show its digits.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            out.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(out)


def _pdf_text(path: Path) -> str:
    import logging

    from pypdf import PdfReader

    # pypdf logs what it mends in a damaged file ("EOF marker not found") to stderr, in
    # English, among a clerk's messages: a file it cannot read is told as ours
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
