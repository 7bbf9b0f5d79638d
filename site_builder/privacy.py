"""Finding personal numbers that must never be published.

A resident ID (18 digits, the last a valid ISO 7064 MOD 11-2 check character), a bank
card (16-19 digits passing the Luhn check) or a mainland mobile number (11 digits from
13x-19x) that is not one of the site's own published numbers. An ID miscopied (its
check character does not fit) still names its holder: 18 digits with a province's code
first and a real birth date in digits 7-14 are one in a text that speaks of IDs (身份证,
证件号: a list's column, say), or that pass the Luhn check too (they were refused as a
card before); elsewhere they may be a project or account number made the same way
(region, date, serial), and are a question (`id_number_maybe`), not a refusal. Each
finding carries the masked form the clerk should write instead.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])(\d{11,19}[Xx]?)(?![0-9A-Za-z])")
# Cards and IDs are also written in groups: 6222 0212 3456 7890, 410526 19800101 1234.
_GROUPED = re.compile(r"(?<![0-9A-Za-z])(\d{4,8}(?:[ -]\d{2,8}){2,5}[Xx]?)(?![0-9A-Za-z])")
# Mobiles are also written 138-1234-5678, 138 1234 5678 or +86 138...
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9])")
# Cheap tests that rule a whole text out before the patterns above scan it position by
# position (most texts hold no full-width digits and no mobile number).
_WIDE = re.compile(r"[０-９Ｘｘ－　]")
_MAYBE_MOBILE = re.compile(r"1[3-9]\d[- ]?\d{4}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_WORDS = re.compile("身份证|身份證|身份号码|身份號碼|证件号|證件號")
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82})


@dataclass(frozen=True)
class Finding:
    kind: str  # "id_number" | "id_number_maybe" (a question: see above) | "bank_card" | "mobile"
    offset: int
    masked: str


def is_resident_id(s: str) -> bool:
    if len(s) != 18 or not s[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(s[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == s[17].upper()


def looks_like_resident_id(s: str) -> bool:
    """18 characters shaped as an ID whatever its check character: a province's code,
    then a birth date (1900-2099) in digits 7-14."""
    if len(s) != 18 or not s[:17].isdigit() or s[17] not in "0123456789Xx" or int(s[:2]) not in _PROVINCES:
        return False
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def is_bank_card(s: str) -> bool:
    if not (16 <= len(s) <= 19 and s.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_mobile(s: str) -> bool:
    return len(s) == 11 and s[0] == "1" and s[1] in "3456789" and s.isdigit()


def mask(kind: str, s: str) -> str:
    if kind in ("id_number", "id_number_maybe"):
        return s[:6] + "*" * 8 + s[-4:]
    if kind == "mobile":
        return s[:3] + "****" + s[-4:]
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


_HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ－　", "0123456789Xx- ")


def scan(text: str, allowed_phones: set[str] | frozenset[str] = frozenset()) -> list[Finding]:
    """Every personal number in `text`, in order of appearance (full-width digits too)."""
    if _WIDE.search(text):
        text = text.translate(_HALF_WIDTH)  # one character for one: offsets stay right
    found = []
    ids_named = None  # (whether the text speaks of IDs: asked once, when an ID-shaped number needs it)

    def id_kind(s: str) -> str | None:
        nonlocal ids_named
        if is_resident_id(s):
            return "id_number"
        if not looks_like_resident_id(s):
            return None
        if ids_named is None:
            ids_named = bool(_ID_WORDS.search(text))
        return "id_number" if ids_named or is_bank_card(s) else "id_number_maybe"

    for m in _DIGIT_RUN.finditer(text):
        s = m.group(1)
        kind = id_kind(s) or ("bank_card" if is_bank_card(s) else
                              "mobile" if is_mobile(s) and s not in allowed_phones else None)
        if kind:
            found.append(Finding(kind, m.start(1), mask(kind, s)))
    for m in _GROUPED.finditer(text):
        s = re.sub(r"[ -]", "", m.group(1))
        kind = id_kind(s) or ("bank_card" if is_bank_card(s) else None)
        if kind and not _inside(found, m.start(1)):
            found.append(Finding(kind, m.start(1), mask(kind, s)))
    taken = {f.offset for f in found}
    for m in _MOBILE.finditer(text) if _MAYBE_MOBILE.search(text) else ():
        s = "".join(m.groups())
        if m.start(1) not in taken and s not in allowed_phones and not _inside(found, m.start(1)):
            found.append(Finding("mobile", m.start(1), mask("mobile", s)))
    return sorted(found, key=lambda f: f.offset)


def _inside(found: list[Finding], offset: int) -> bool:
    return any(f.offset <= offset < f.offset + len(f.masked) for f in found)
