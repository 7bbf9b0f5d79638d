"""Extras: the search index, a pure function of the site model.

Residents search in Simplified or Traditional script, from any host or from file://.
Text is folded character by character (NFKC, lowercase, Traditional and variant forms
to Simplified with OpenCC's t2s table); the browser receives the same fold table for
every character the index holds, so both sides fold identically. Han text becomes
overlapping bigrams (single characters are indexed too, for one-character queries);
ASCII words and numbers are words, a number grouped by thousands also one word without
its commas (386,500 as 386, 500 and 386500). No stemmer, stop words or trimmer. A short
word and the token next to it are also a joint (政_2024 in 高政〔2024〕12号), with
positions, so that a query's word made of several tokens is found only where they stand
one after the other (`postings.Span.joints`).

The index is split by term into many small chunk files, loaded as <script> files
(works from file://) written in UTF-16: postings are delta-encoded doc ids with term
frequencies in the title and body fields, as Exp-Golomb codes packed 15 bits to a
character (`postings.segments`); positions are kept for phrase checks (a bigram's
positions only, in the order and number its postings give), except for common n-grams
(in more than COMMON_SHARE of the entries, 2 to LONGEST - 1 characters): a common
bigram has its postings, a longer common n-gram postings of its own, and the n-grams
one character longer that extend a common one, left or right, carry the positions
(with doc ids and counts). A query run is proven by its own postings when it is
common, else by the positions of the fewest such terms that cover it. Field lengths
sit in blocks of 1024 documents, the documents of each unit and of each category in a
file of their own for the filters (a year's are a range of ids); each document's text
for snippets is a file of its own (UTF-16 too: Han text in two bytes, not three),
loaded only when shown. The metadata (with the fold table) is loaded afresh for each
search page, and names the index's version, which the browser puts in the address of
every other file it loads, so that no file kept from an earlier build is read with it.
The browser scores with lunr's BM25 (k1 1.2, b 0.75, title
boosted). Doc ids follow (date, path), so adding a new entry changes only the chunks
of its terms, its block, its unit's and category's files and the metadata. The heavy
part, postings and positions, is `postings.py`.
`search_files` yields (output path, bytes); told what the files already in the output
were made from (`Joined`), it yields (output path, None) for those it would make the same.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import pickle
import re
import tempfile
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Generator, Generic, Iterable, Iterator, TypeVar

import numpy as np

from . import postings, traditional
from .cache import Cache, hexdigest, plain_digest
from .changes import code_fingerprint
from .config import SiteConfig
from .ledger import PLACEHOLDER_RE
from .markup import HAN, plain_text, shorten
from .model import Item, Site
from .parallel import Tally, fork_imap, fork_map
from .writer import left_half_written

TITLE_BOOST = 10
K1, B = 1.2, 0.75
COMMON_SHARE = 0.25          # an n-gram in more than this share of entries keeps no positions
LONGEST = 8                  # the longest n-gram indexed (common ones up to one shorter)
MOST_COMMON = 256            # common n-grams longer than 2 treated so (meta.js lists them all)
SMALLEST_SPAN = 4            # a last span shorter than 1/this of a span joins the one before
BLOCK = 1024                 # documents per block of field lengths
SNIPPET_CHARS = 1500         # text kept per document for snippets
UNIGRAM = "'"                # key prefix of single-character postings (never in a token)
_HAN = HAN + "\u3007"  # (and 〇, a Han zero)
_TOKEN_RE = re.compile(f"([{_HAN}]+)|([a-z0-9]+)")
T = TypeVar("T")
S = TypeVar("S")


@lru_cache(maxsize=1)
def fold_table() -> dict[str, str]:
    """Every CJK character that OpenCC t2s changes, mapped to its Simplified form."""
    import opencc

    chars = [chr(c) for r in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
             for c in range(r[0], r[1] + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return {a: b for a, b in zip(chars, converted) if a != b and len(b) == 1} | _IN_WORDS_ONLY


# Characters t2s changes only inside certain words (瞭解 → 了解, 藉口 → 借口, 甦醒 → 苏醒;
# 瞭望, 慰藉 are Simplified too): folded everywhere, as text and query are folded alike,
# a Traditional query finds the Simplified word (and 了望 finds 瞭望, which is harmless).
_IN_WORDS_ONLY = {"瞭": "了", "藉": "借", "甦": "苏"}


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return {ord(a): b for a, b in fold_table().items()}


def fold(text: str) -> str:
    """The searchable form of text: NFKC, lowercase, Simplified script, char by char."""
    return _prefold(text).translate(_translation())


def _prefold(text: str) -> str:
    """fold() but the script: the index applies the fold table to whole arrays."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=1)
def _fold_array() -> np.ndarray:
    """The fold table as an array indexed by code point (all of it lies in the BMP)."""
    table = np.arange(0x10000, dtype=np.uint32)
    for a, b in fold_table().items():
        table[ord(a)] = ord(b)
    return table


def tokens(folded: str) -> list[tuple[str, int]]:
    """lunr-compatible tokens of folded text with the position of their first char:
    Han runs as overlapping bigrams (a lone character as itself), ASCII words whole; a
    number grouped by thousands also joined (386,500: 386, 500 and 386500, so that
    386500 finds 386,500, and 500 or 102 still find 386,500 and 101,102,103)."""
    out: list[tuple[str, int]] = []
    for t in _tokens(folded):
        if not t.word and len(t.text) > 1:
            out.extend((t.text[i:i + 2], t.start + i) for i in range(len(t.text) - 1))
        else:
            out.append((t.text, t.start))
    out.extend((postings.joined(m), m.start()) for m in postings.grouped_numbers(folded))
    return out


def joints(folded: str) -> list[tuple[str, int]]:
    """The joints of folded text and their values (postings.Span.joints finds the same
    in whole arrays, and says what they are for): a short word and the token next to
    it as a term, valued 4 x where its right side stands + the gap between them."""
    found = _tokens(folded)
    pairs = list(zip(found, found[1:]))
    wholes = []
    for m in postings.grouped_numbers(folded):  # the number joined, in place of its parts
        number = postings.joined(m)
        wholes.append(_Token(m.start(), m.end(), number, True, m.end() - len(number)))
        pairs += [(t, wholes[-1]) for t in found if t.end <= m.start()][-1:]
        pairs += [(wholes[-1], t) for t in found if t.start >= m.end()][:1]
    # and next to another (1,000-2,000: 1000_2000)
    pairs += [(a, b) for a, b in zip(wholes, wholes[1:]) if [t for t in found if t.start >= a.end][0].start == b.start]
    out = []
    for a, b in pairs:
        gap = folded[a.end:b.start]
        if ((a.word or b.word) and len(gap) <= postings.JOINT_GAP and "\n" not in gap
                and not (a.word and b.word and any(c in postings.SPACES for c in gap))
                and all(len(t.text) <= postings.JOINT_WORD for t in (a, b) if t.word)):
            out.append(((a.text if a.word else a.text[-1]) + postings.JOINT + (b.text if b.word else b.text[0]),
                        4 * b.at + (b.at - a.end)))
    return out


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    word: bool                # an ASCII word (else a Han run)
    stands: int | None = None  # where a joint takes it to start (a number joined: where
                               # it would, without its comma)

    @property
    def at(self) -> int:
        return self.start if self.stands is None else self.stands


def _tokens(folded: str) -> list[_Token]:
    return [_Token(m.start(), m.end(), m.group(0), not m.group(1)) for m in _TOKEN_RE.finditer(folded)]


def entry_text(item: Item) -> tuple[str, str]:
    """(title, body) as indexed: the body (its numbered items with their numbers, as the
    page shows them) includes ledger lines, 文号, keywords and attachment names; of a
    list whose names were taken down when its notice ended, what its page still shows:
    文号, keywords, 索引号; of an entry withdrawn, those and why (its body, ledgers and
    files are gone: `notices.withhold`)."""
    e = item.entry
    if e.withdrawn is not None:
        parts = [e.withdrawn.reason] if e.withdrawn.reason else []
    else:
        parts = [] if item.body_withheld else [plain_text(PLACEHOLDER_RE.sub(" ", e.html), numbered=True)]
    for lg in () if item.body_withheld else e.ledgers:
        # its four figures as the page shows them (the closing balance is written nowhere),
        # each line's date as its table shows it (2026-02-05 for 2月5日), the rest as written:
        # a query's 3,535.00 is joined, and finds 3535.00 (amounts as shown, and each line's
        # balance, made the index 6% larger, for numbers nobody types)
        parts.append(" ".join(f"{x:,.2f}" for x in (lg.opening, lg.income, lg.expense, lg.closing)))
        parts.extend(" ".join(str(row.day or row.cells[0]) if k == 0 else row.cells[k] for k in lg.columns)
                     for row in lg.rows)
    parts.extend(x for x in (e.doc_no, " ".join(e.tags), item.index_no,
                             "" if item.body_withheld else " ".join(a.title for a in e.attachments)) if x)
    return e.title, "\n".join(parts)


def _texts(items: list[Item], span: range) -> list[tuple[str, str]]:
    """entry_text of each document of the span."""
    return [entry_text(item) for item in items[span.start:span.stop]]


@dataclass(frozen=True)
class Documents:
    """What the index is made of: a site's config and its published items (a `Site`
    serves as well; a build's search process has these alone: see model.published_items)."""
    config: SiteConfig
    items: list[Item]


def searchable(site: Site | Documents) -> list[Item]:
    """Entries in the index, in doc-id order: published, by (date, path). A list whose
    notice ended and an entry withdrawn are found by what their pages still show (see
    entry_text), as the lists still show them: a resident who saw a notice on the board
    finds it was withdrawn, and why; and withdrawing an entry renumbers no document
    after it (at 10,000 entries, taking one out of the index rewrote 40% of the output's
    files, in 20 s)."""
    return sorted(site.items, key=lambda i: (i.entry.date, i.entry.rel))


def document_key(item: Item, fixed: frozenset[str]) -> tuple:
    """All a document's files and postings depend on but the code and the config (`fixed`:
    the entries corrected, see `corrected`): one key for the build's check and the spans."""
    return (item.entry.rel, item.entry.digest, item.url, item.index_no, item.unit.name, item.category.name,
            item.entry.date, item.entry.rel in fixed, item.body_withheld, item.notice and item.notice.until)


def corrected(site: Site | Documents) -> frozenset[str]:
    """The published entries another published one corrects (as the model links them:
    a search process has the items alone), marked so in the results as in the lists."""
    return frozenset(i.entry.corrects for i in site.items if i.entry.corrects)


def _vlq(numbers: list[int]) -> str:
    """Unsigned variable-length quantities, 5 bits per base64 character (postings.vlq)."""
    return postings.vlq(np.asarray(numbers, dtype=np.int64))


def _numbers(limit: int) -> list[bytes]:
    """The VLQ units of 0..limit - 1, for the join's one number per term and span."""
    digits, offsets = postings.units(np.arange(limit))
    text = postings.unit_bytes(digits)
    return [text[a:b] for a, b in zip((2 * offsets[:-1]).tolist(), (2 * offsets[1:]).tolist())]


def _js(call: str, *args: object, wide: bool = False) -> bytes:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                    for a in args)
    return _script(f"{call}({body});\n", wide)


def _script(text: str, wide: bool) -> bytes:
    """A script file's bytes: UTF-8, or `wide`, UTF-16 with its byte order mark (which
    browsers heed before any charset a server names): two bytes where UTF-8 takes three
    for Han text, and the 15-bit units of postings in two bytes each."""
    return b"\xff\xfe" + text.encode("utf-16-le") if wide else text.encode("utf-8")


def _js_terms(call: str, chunk: int, terms: dict[str, bytes]) -> bytes:
    """_js(call, chunk, terms, wide=True), written directly: terms are Han characters,
    a-z0-9 words, the unigram and joint marks, postings 15-bit units in UTF-16 (never a
    quote, backslash or line break), so nothing needs escaping (and json.dumps of
    thousands of chunks costs)."""
    body = _COMMA.join(b"".join((_QUOTE, term.encode("utf-16-le"), _BETWEEN, terms[term], _QUOTE))
                       for term in sorted(terms))
    return b"".join((_script(f"{call}({chunk},{{", True), body, "});\n".encode("utf-16-le")))


_QUOTE, _BETWEEN, _COMMA = ('"'.encode("utf-16-le"), '":"'.encode("utf-16-le"), ",".encode("utf-16-le"))


def chunk_count(n_docs: int) -> int:
    """Chunks grow with the site in powers of two, so they stay small and stable."""
    return 1 << max(5, min(12, math.ceil(math.log2(max(2, n_docs) / 2))))


def chunks_of(terms: Iterable[str], chunks: int) -> np.ndarray:
    """The chunk of each term: the CRC-32 of its UTF-8 (a character's, for its unigram
    postings) modulo the number of chunks, as assets/search.js finds it."""
    crc = zlib.crc32
    return np.array([crc(t.lstrip(UNIGRAM).encode("utf-8")) for t in terms], dtype=np.int64) % chunks


@dataclass(frozen=True)
class _Shared:
    items: list[Item]                   # the searchable entries, in doc-id order
    scratch: str                        # where the first pass left its folded texts
    folded: frozenset[int]              # the starts of the spans it left them for
    common: np.ndarray                  # sorted keys of the common bigrams
    candidates: dict[int, set[str]]     # per length n > 2, the n-grams that may be common
    chunks: int


@dataclass
class _Folded:
    """A span's first pass: the document frequency of its bigrams (keys ascending) and
    the n-grams that may be common; `made` when made now (not taken from the cache), and
    so its snippet files and folded text left in the scratch folder (see `_spill`)."""
    keys: np.ndarray
    counts: np.ndarray
    candidates: dict[int, list[str]]
    made: bool = False


def _doc_paths(doc_id: int, with_copy: bool) -> list[str]:
    """Where a document's snippet file is: the search folder, and, `with_copy` (the site
    has a Traditional copy), the copy's too (its search page shows results in its script)."""
    return [f"search/d/{doc_id}.js", *([f"{traditional.PREFIX}search/d/{doc_id}.js"] if with_copy else [])]


def _doc_files(items: list[Item], span: range, texts: list[tuple[str, str]],
               corrected: frozenset[str], with_copy: bool) -> dict[str, bytes]:
    """The snippet files of each document of the span (see `_doc_paths`), from its (title,
    body): title, address, unit, category, date, text, then its marks (1 when it was
    corrected, plus 2 when it was withdrawn), and the last day of its public notice, if
    it is one and not withdrawn (the browser tells an open notice by its own date: a
    resident must not miss the days left to object); trailing empty fields left out."""
    files = {}
    for doc_id, item, (title, body) in zip(span, items[span.start:span.stop], texts):
        marks = (item.entry.rel in corrected) + 2 * item.withdrawn
        extra = [marks, item.shown_notice.until.isoformat() if item.shown_notice else ""]
        while extra and not extra[-1]:
            extra.pop()
        fields = [title, item.url, item.unit.name, item.category.name, item.entry.date.isoformat(),
                  shorten(body, SNIPPET_CHARS), *extra]
        own, *copied = _doc_paths(doc_id, with_copy)
        files[own] = _js("__sbDoc", doc_id, fields, wide=True)  # (a list: no keys to repeat)
        for path in copied:  # (its words converted, not its address nor its date)
            files[path] = _js("__sbDoc", doc_id, [traditional.convert_text(x) if k in (0, 2, 3, 5) else x
                                                  for k, x in enumerate(fields)], wide=True)
    return files


def _fold_span(shared: tuple[list[Item], str, frozenset[str], bool], span: range) -> _Folded:
    items, scratch, corrected, with_copy = shared
    texts = _texts(items, span)
    _spill(scratch, "docs", span, _doc_files(items, span, texts, corrected, with_copy))
    prefolded = _prefolded(texts)
    _spill(scratch, "text", span, prefolded)
    return _Folded(*postings.first_pass(prefolded, _fold_array(), COMMON_SHARE, LONGEST), made=True)


def _spill(scratch: str, kind: str, span: range, value: object) -> None:
    """Leave what a span's first pass made for a later step in the scratch folder: the
    process that joins the passes holds the site model, and every worker it forks
    inherits its memory (at 50,000 entries, the texts and snippets of every span took
    a sixth of the largest process's)."""
    with open(os.path.join(scratch, f"{kind}-{span.start}.pickle"), "wb") as f:
        pickle.dump(value, f, protocol=5)


def _unspill(scratch: str, kind: str, span: range) -> Any:
    """What `_spill` left, taken away."""
    path = os.path.join(scratch, f"{kind}-{span.start}.pickle")
    with open(path, "rb") as f:
        value = pickle.load(f)
    os.remove(path)
    return value


def _prefolded(texts: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_prefold(title), _prefold(body)) for title, body in texts]


@dataclass
class _Part:
    """The index of a span of documents: per term, its encoded postings (doc deltas
    counted from the span's start), the last doc id it is in and how many it is in.
    Every part is held until the last chunk is joined, so the bulk of it, the postings,
    positions and extensions of its terms, is pickled chunk by chunk (see `_pack`)
    into a file (`path`: in the scratch folder, or the cache's for a cached part), and
    read a group of chunks at a time (see `_Groups`): as dicts, the parts of 50,000
    entries took twice the memory, and even as bytes they were a fifth of the joining
    process's, which the join's workers inherit."""
    phrases: list[tuple[str, postings.Encoded]]  # postings of the candidates among the longer
                                                 # n-grams (the common ones ship), in chunk order
    lengths: list[tuple[int, int]]
    charset: set[str]
    candidates: dict[int, set[str]]            # those it was made with (more serve as well)
    starts: tuple[list[int], ...]              # where each chunk starts (and the last ends)
                                               # in the postings, positions, extensions and
                                               # phrases, counted over the whole part
    path: str                                  # the file of its chunks: per chunk, its
                                               # postings, positions (of bigrams: positions
                                               # only) and extensions (of longer n-grams and
                                               # of joints: doc deltas, counts, positions),
                                               # each a {term: encoded}, pickled
    ends: list[int]                            # where each chunk ends in that file (a part
                                               # laid out by other code, in groups, is never
                                               # read: its key holds the code's fingerprint)
    fd: int = -1                               # that file, opened when a cached part was
                                               # loaded (see `_PartMemo`)

    def packed(self, lo: int, hi: int) -> list[bytes]:
        """Chunks lo..hi - 1, each pickled (read at once)."""
        start = self.ends[lo - 1] if lo else 0
        if self.fd >= 0:
            data = os.pread(self.fd, self.ends[hi - 1] - start, start)
        else:
            with open(self.path, "rb") as f:
                f.seek(start)
                data = f.read(self.ends[hi - 1] - start)
        return [data[(self.ends[c - 1] if c else 0) - start:self.ends[c] - start] for c in range(lo, hi)]


@dataclass(frozen=True)
class _Groups:
    """The chunks, in groups of consecutive ones (64 groups, or one chunk each when
    fewer chunks), each joined by one worker."""
    chunks: int

    @property
    def bounds(self) -> list[tuple[int, int]]:
        size = max(1, self.chunks // 64)
        return [(lo, min(lo + size, self.chunks)) for lo in range(0, self.chunks, size)]


def _pack(terms: list[list[tuple[str, postings.Encoded]]], starts: list[list[int]], chunks: int) -> list[bytes]:
    """Each chunk's share of `terms` (lists in chunk order, chunks beginning at
    `starts`), a dict each, pickled apart (here, in a worker: the process that joins
    them has only to unpickle them), so that a rebuild unpickles only the chunks it
    joins again, and tells the chunks a changed span changed by their bytes."""
    return [pickle.dumps(tuple(dict(t[at[c]:at[c + 1]]) for t, at in zip(terms, starts)), protocol=5)
            for c in range(chunks)]


def _grouped(terms: dict[str, postings.Encoded], chunks: int) -> tuple[list[tuple[str, postings.Encoded]], list[int]]:
    """`terms`' items in the order of their chunks, and where each chunk starts (and ends)."""
    chunk = chunks_of(terms, chunks)
    order = np.argsort(chunk.astype(np.uint16), kind="stable")  # (chunks <= 4,096: a radix sort)
    items = list(terms.items())
    return [items[k] for k in order.tolist()], np.searchsorted(chunk[order], np.arange(chunks + 1)).tolist()


def _index_part(shared: _Shared, span: range) -> _Part:
    """Postings of every token and of every Han character, positions of the bigrams
    but the common ones, and token counts per field. A common n-gram's positions give
    way to those of its one-longer extensions (n + 1 characters, left and right),
    up to LONGEST characters; the candidates' postings decide which are common."""
    if span.start in shared.folded:
        folded = _unspill(shared.scratch, "text", span)
    else:  # the first pass came from the cache
        folded = _prefolded(_texts(shared.items, span))
    s = postings.Span.of(folded, _fold_array())
    # sorted once, for the postings and the positions: lone characters' keys are below
    # bigrams', words' above
    at_lone, lone = postings.in_key_order(*s.lone())
    at_bigram, bigram = postings.in_key_order(*s.bigrams())
    at_word, word, words = s.words()
    at_word, word = postings.in_key_order(at_word, word)
    at = np.concatenate((at_lone, at_bigram, at_word))
    found = s.postings(at, np.concatenate((lone, bigram, word)), words, span.start, ordered=True)
    chars = s.postings(*s.chars(), [], span.start)
    found.update({UNIGRAM + term: value for term, value in chars.items()})
    common = postings.contains(shared.common, bigram)
    plain = ~common
    positions = s.positions(at_bigram[plain], bigram[plain], span.start, headers=False, ordered=True)
    extensions: dict[str, postings.Encoded] = {}
    phrases: dict[str, postings.Encoded] = {}
    for at_gram, gram, names, candidate in s.grams(at_bigram[common], shared.candidates, LONGEST):
        extensions.update(s.positions(at_gram, gram, span.start, words=names))
        phrases.update(s.postings(at_gram[candidate], gram[candidate], names, span.start))
    extensions.update(s.joints(span.start))
    counts = np.bincount(s.doc[at] * 2 + s.body[at], minlength=2 * len(folded)).reshape(-1, 2)
    charset = set(chars)  # every Han character of the span
    grouped = [_grouped(terms, shared.chunks) for terms in (found, positions, extensions, phrases)]
    starts = tuple(at for _, at in grouped)
    packed = _pack([terms for terms, _ in grouped[:3]], list(starts[:3]), shared.chunks)
    path = os.path.join(shared.scratch, f"part-{span.start}.bin")
    with open(path, "wb") as f:
        f.write(b"".join(packed))
    ends = np.cumsum([len(b) for b in packed]).tolist()
    return _Part(grouped[3][0], [(t, b) for t, b in counts.tolist()], charset, shared.candidates, starts,
                 path, ends)


class _Memo(Generic[T]):
    """Values of one kind kept in the cache, one per span under the span's number."""

    def __init__(self, cache: Cache, name: str):
        self.cache, self.name = cache, name

    def load(self, k: int, key: str) -> T | None:
        return self.cache.load(f"{self.name}-{k}", key)

    def save(self, k: int, key: str, value: T) -> None:
        self.cache.save(f"{self.name}-{k}", key, value)


class _FoldMemo(_Memo[_Folded]):
    def save(self, k: int, key: str, value: _Folded) -> None:
        super().save(k, key, dataclasses.replace(value, made=False))  # its files are not kept


class _PartMemo(_Memo[_Part]):
    """Parts, each with its chunks in a file of its own beside the part's pickle, named
    by their hash, read a group of chunks at a time as they are joined: a rebuild that
    loaded every cached part whole held a fifth of a GiB more at 50,000 entries, in the
    process that joins and in every worker it forks. A loaded part's file is opened
    at once and read through that descriptor (where the system can read at an offset
    from one shared by processes): another build of the site pruning it meanwhile
    cannot take it away. The file of a part replaced in a build is kept until that
    build has compared the two (`prune`); `close` when the parts are joined."""

    def __init__(self, cache: Cache, name: str):
        super().__init__(cache, name)
        self.files: dict[int, str] = {}  # k -> the file of the part last loaded or saved
        self.opened: list[int] = []

    def load(self, k: int, key: str) -> _Part | None:
        part = super().load(k, key)
        if part is None:
            return None
        path = os.path.join(self.cache.dir, part.path)
        try:
            fd = os.open(path, os.O_RDONLY) if hasattr(os, "pread") else -1
            size = os.fstat(fd).st_size if fd >= 0 else os.stat(path).st_size
        except OSError:  # removed: made again
            return None
        if size != (part.ends[-1] if part.ends else 0):  # altered: made again
            if fd >= 0:
                os.close(fd)
            return None
        if fd >= 0:
            self.opened.append(fd)
        self.files[k] = part.path
        return dataclasses.replace(part, path=path, fd=fd)

    def save(self, k: int, key: str, value: _Part) -> None:
        with open(value.path, "rb") as f:
            data = f.read()
        name = f"{self.name}-{k}-{hashlib.sha1(data).hexdigest()[:24]}.bin"
        self.cache.write(name, data)
        super().save(k, key, dataclasses.replace(value, path=name))  # (the cache may move)
        self.files[k] = name

    def prune(self) -> None:
        """Remove the files of parts no longer cached: once a build has made and
        compared its parts, every file but the one last loaded or saved for each; and
        what a build stopped while saving left half-written (`.tmp-PID-...`)."""
        keep = set(self.files.values())
        try:
            names = os.listdir(self.cache.dir)
        except OSError:
            return
        for name in names:
            stale = (name.startswith(f"{self.name}-") and name.endswith(".bin") and name not in keep
                     or left_half_written(name))
            if stale:
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(self.cache.dir, name))

    def close(self) -> None:
        for fd in self.opened:
            os.close(fd)
        self.opened.clear()


def _memoized(memo: _Memo[T] | None, keys: list[str], spans: list[range],
              func: Callable[[S, range], T], shared: S, parallel: bool,
              serves: Callable[[T], bool] = lambda value: True,
              earlier: list[str] | None = None, tally: Tally | None = None, first: int = 0,
              weight: int = 1) -> tuple[list[T], dict[int, T | None]]:
    """func(shared, span) for every span, from `memo` where its key is stored under the
    span's number and the value `serves`, the others computed in parallel and stored.
    With `earlier` keys (a key per span), also the value each computed one replaced,
    if `memo` had it under its earlier key. Span k, once done, adds its documents
    times `weight` to `tally`'s slot `first` + k."""
    results = [memo.load(k, key) if memo else None for k, key in enumerate(keys)]
    todo = [k for k, found in enumerate(results) if found is None or not serves(found)]
    replaced = {k: results[k] if earlier[k] == keys[k] else memo.load(k, earlier[k])
                for k in todo} if memo and earlier else {}

    def counted(shared: S, part: tuple[int, range]) -> T:
        value = func(shared, part[1])
        if tally is not None:
            tally.add(first + part[0], weight * len(part[1]))
        return value

    if tally is not None:
        for k in set(range(len(spans))) - set(todo):
            tally.add(first + k, weight * len(spans[k]))
    done = fork_map(counted, [(k, spans[k]) for k in todo], shared, parallel, keep_freed=True, tally=tally)
    for k, value in zip(todo, done):
        results[k] = value
        if memo:
            memo.save(k, keys[k], value)
    return results, replaced


@dataclass(frozen=True)
class Joined:
    """What an index's files were made from, kept with the output for the next build
    into it: where each span starts, the documents of each span (their key), each
    span's part (its key and the candidates it was made with: a part that serves may
    hold more), the common n-grams and the number of chunks. A chunk file none of
    whose inputs changed is the same file, and is not joined again."""
    starts: tuple[int, ...]
    documents: tuple[str, ...]
    parts: tuple[str, ...]
    made: tuple[str, ...]
    common_grams: frozenset[str]
    chunks: int


def _chunks_to_join(last: Joined | None, now: Joined, parts: list[_Part],
                    replaced: dict[int, _Part | None]) -> set[int] | None:
    """The chunks whose files may differ from those `last` describes (None: all of them):
    those of every term whose postings or positions differ in a span's part from the
    part the last build used."""
    if last is None or (last.starts, last.common_grams, last.chunks) != (now.starts, now.common_grams, now.chunks):
        return None
    out: set[int] = set()
    for k, (before, made) in enumerate(zip(last.made, now.made)):
        if before == made:
            continue
        old = replaced.get(k)
        if old is None or hexdigest(last.parts[k], old.candidates) != before:
            return None  # what the last build used is gone
        new = parts[k]
        out.update(_differing(dict(old.phrases), dict(new.phrases), now.chunks))
        # A group at a time, by their bytes: the same terms pickled otherwise (rarely)
        # only cost a chunk joined again into the same file.
        for lo, hi in _Groups(now.chunks).bounds:
            out.update(c for c, a, b in zip(range(lo, hi), old.packed(lo, hi), new.packed(lo, hi)) if a != b)
    return out


def _differing(a: dict[str, postings.Encoded], b: dict[str, postings.Encoded], chunks: int) -> list[int]:
    """The chunks of the terms whose encodings differ between `a` and `b`."""
    return chunks_of([t for t in a.keys() | b.keys() if a.get(t) != b.get(t)], chunks).tolist()


def _join(parts: list[tuple[range, dict[str, postings.Encoded]]], numbers: list[bytes]) -> dict[str, bytes]:
    """Per term, its units of all spans in order; a span's first doc delta (counted
    from the span's start) is recounted from the term's last document in the spans
    before it (from -1, the start of the index, for a term's first span). `numbers`
    holds the VLQ of every doc id."""
    out: dict[str, bytes] = {}
    last: dict[str, int] = {}
    for span, part in parts:
        before = span.start - 1
        for term, (head, rest, last_doc, _) in part.items():
            if head is not None:
                rest = numbers[head + before - last.get(term, -1)] + rest
                last[term] = last_doc
            out[term] = out[term] + rest if term in out else rest
    return out


def _candidates(common: set[str], found: list[dict[int, list[str]]]) -> dict[int, set[str]]:
    """Per length n > 2, the n-grams some span found often whose two (n-1)-character
    parts may be common too (a common n-gram's parts are common)."""
    out: dict[int, set[str]] = {}
    shorter = common
    for n in range(3, LONGEST):
        out[n] = {g for f in found for g in f.get(n, ()) if g[1:] in shorter and g[:-1] in shorter}
        shorter = out[n]
    return {k: v for k, v in out.items() if v}


def _most_common(docs: dict[str, int], often: float) -> set[str]:
    """The common n-grams longer than 2 (in more than `often` entries) that keep no
    positions: the MOST_COMMON most frequent, shorter first among equals, so that every
    part of one is one too (it is in as many entries or more, and shorter)."""
    common = [(-count, len(t), t) for t, count in docs.items() if count > often]
    return {t for _, _, t in sorted(common)[:MOST_COMMON]}


def _chunk_terms(parts: list[_Part], common_grams: set[str], lo: int, hi: int,
                 only: set[int] | None) -> dict[int, list[tuple[dict, dict]]]:
    """The terms that ship of the chunks lo..hi - 1 (those in `only`, if given; the
    others neither read nor unpickled): per chunk, each span's postings and positions,
    read from its part's file."""
    out: dict[int, list[tuple[dict, dict]]] = {c: [] for c in range(lo, hi) if only is None or c in only}
    first, last = min(out, default=lo), max(out, default=lo) + 1
    for part in parts if out else ():
        packed = part.packed(first, last)
        phr, h_at = part.phrases, part.starts[3]
        for c, terms in out.items():
            shipped, placed, ext = pickle.loads(packed[c - first])
            # the common n-grams' own postings ship; an extension keeps its positions
            # unless common itself (the trigrams were made only around common bigrams,
            # the longer ones around candidates, which may not be); a joint keeps its own
            shipped.update((t, e) for t, e in phr[h_at[c]:h_at[c + 1]] if t in common_grams)
            placed.update((t, e) for t, e in ext.items() if postings.JOINT in t or (t not in common_grams and (
                len(t) == 3 or t[1:] in common_grams or t[:-1] in common_grams)))
            terms.append((shipped, placed))
    return out


@dataclass(frozen=True)
class _Joining:
    """What the chunk files are joined from (see `_join_group`)."""
    parts: list[_Part]
    common_grams: set[str]
    spans: list[range]
    numbers: list[bytes]        # the VLQ of every doc id (`_numbers`)
    only: set[int] | None       # the chunks to join (None: all)


def _join_group(joining: _Joining, group: tuple[int, int]) -> list[tuple[str, bytes | None]]:
    """The postings and positions files of the group of chunks lo..hi - 1 (`group`),
    as (path, bytes); (path, None) for the chunks not in `only`. Groups are joined in
    parallel, each by a worker that reads its chunks of every part."""
    lo, hi = group
    terms = _chunk_terms(joining.parts, joining.common_grams, lo, hi, joining.only)
    out: list[tuple[str, bytes | None]] = []
    for c in range(lo, hi):
        by_span = terms.pop(c, None)
        if by_span is None:
            out += [(f"search/c/{c}.js", None), (f"search/p/{c}.js", None)]
            continue
        post, pos = (_join([(s, split[kind]) for s, split in zip(joining.spans, by_span)], joining.numbers)
                     for kind in (0, 1))
        out += [(f"search/c/{c}.js", _js_terms("__sbChunk", c, post)),
                (f"search/p/{c}.js", _js_terms("__sbPos", c, pos))]
    return out


def _filter_files(items: list[Item], cfg: SiteConfig) -> Iterator[tuple[str, bytes]]:
    """For the filters, the documents of each unit and of each category (gaps between
    their ids), one file for each, empty or not: a filter loads its file."""
    for kind, things, of in (("u", cfg.units, lambda i: i.unit.id), ("c", cfg.categories, lambda i: i.category.id)):
        ids: dict[str, list[int]] = defaultdict(list)
        for doc, item in enumerate(items):
            ids[of(item)].append(doc)
        for k, thing in enumerate(things):
            members = ids.get(thing.id, [])
            yield f"search/f/{kind}{k}.js", _js("__sbFacet", f"{kind}{k}", _vlq(
                [b - a for a, b in zip([0] + members, members)]))


def span_size(n_docs: int) -> int:
    """Documents per span: a power of two, so spans stay put as a site grows (a cached
    span is reused while its documents are unchanged); two spans or more, for two cores,
    but as large as that allows up to 1,024: a span holds most of the site's terms
    however few its documents, and every term of every span costs its share of the join
    (128-document spans made 1,000 entries index 1.5 times slower). Not larger: a
    worker's arrays grow with its span (2,048 documents took 350 MB at their peak, and
    indexed 50,000 entries no faster)."""
    return 1 << max(7, min(10, math.ceil(math.log2(max(2, n_docs) / 2))))


@dataclass(frozen=True)
class Indexed:
    """What the index is made of, in doc-id order: the searchable entries, those another
    corrects (`corrected`), whether the site has a Traditional copy, the spans of
    documents indexed apart, and the key of each span's documents (`document_key`), by
    which a cached span is known to serve (and a build, that nothing changed)."""
    items: list[Item]
    fixed: frozenset[str]
    with_copy: bool
    spans: list[range]
    keys: list[str]

    @classmethod
    def of(cls, site: Site | Documents, span: int | None = None) -> Indexed:
        items = searchable(site)
        n = len(items)
        size = span or span_size(n)
        spans = [range(a, min(a + size, n)) for a in range(0, n, size)]
        if len(spans) > 1 and len(spans[-1]) * SMALLEST_SPAN < size:
            # a few documents alone would find "often" in nearly all they hold, new candidates
            # with every entry added, and no cached span would serve
            spans[-2:] = [range(spans[-2].start, n)]
        fixed, with_copy = corrected(site), traditional.enabled(site)
        return cls(items, fixed, with_copy, spans, [
            plain_digest(code_fingerprint(), s.start, with_copy, [document_key(i, fixed) for i in items[s.start:s.stop]])
            for s in spans])


def search_files(site: Site | Documents, parallel: bool = True, span: int | None = None,
                 memo: Cache | None = None, last: Joined | None = None,
                 scratch: str | None = None, indexed: Indexed | None = None,
                 told: Callable[[int, int], None] | None = None,
                 ) -> Generator[tuple[str, bytes | None], None, Joined]:
    """Every file of the index, as (output path, bytes), made one after another so that
    they need not all be held at once; returns what they were made from. Documents
    are indexed in spans of `span` documents, in parallel, and joined: a term's
    postings are a segment per span, so what the files hold does not depend on the
    spans, though their bytes do. With `memo`, a span whose documents did not change
    since the last build is taken from it. With `last` (what the files in the output
    were made from, all of them there), a file none of whose inputs changed is given
    as (path, None) instead of being made again. Files for later steps are left in
    `scratch`, a folder the caller removes (a process that may be stopped by a signal
    cannot), or in a temporary folder of its own. `indexed`: `Indexed.of(site, span)`,
    when the caller has it already. `told(done, total)` is told from time to time how
    far the index is: each document counts once in its span's first pass, twice when
    its span is indexed (it takes twice as long) and once in the joining of the chunks."""
    indexed = indexed or Indexed.of(site, span)
    if scratch is not None:
        return (yield from _search_files(site, parallel, indexed, memo, last, scratch, told))
    with tempfile.TemporaryDirectory(prefix="site-builder-search-") as own:
        return (yield from _search_files(site, parallel, indexed, memo, last, own, told))


def _search_files(site: Site | Documents, parallel: bool, indexed: Indexed, memo: Cache | None, last: Joined | None,
                  scratch: str, told: Callable[[int, int], None] | None,
                  ) -> Generator[tuple[str, bytes | None], None, Joined]:
    items, fixed, with_copy, spans, keys = (indexed.items, indexed.fixed, indexed.with_copy, indexed.spans,
                                            indexed.keys)
    cfg = site.config
    n = len(items)
    chunks = chunk_count(n)
    groups = _Groups(chunks).bounds
    # (slots: span k's first pass, k; its part, len(spans) + k; the groups joined, the last)
    tally = Tally(2 * len(spans) + 1, lambda done: told(done, 4 * n)) if told is not None else None
    _fold_array()  # made here, before workers fork, rather than in each of them
    first = _memoized(_FoldMemo(memo, "fold") if memo else None, keys, spans, _fold_span,
                      (items, scratch, fixed, with_copy), parallel, tally=tally)[0]
    starts = tuple(s.start for s in spans)
    last = last if last is not None and last.starts == starts else None  # (an entry added last
                                                                         # changes a stop)
    keys_df, counts = postings.merge_df([(f.keys, f.counts) for f in first])
    often = COMMON_SHARE * n if n >= 20 else math.inf  # in more entries than this: common
    common = keys_df[counts > often]
    common_bigrams = postings.key_strings(common, [])
    candidates = _candidates(set(common_bigrams), [f.candidates for f in first])
    common_key = hexdigest(common.tobytes())
    for k, f in enumerate(first):
        docs = _unspill(scratch, "docs", spans[k]) if f.made else None
        if memo and docs is not None:  # cached apart, and loaded only when to be written
            memo.save(f"docs-{k}", keys[k], docs)
        if last is not None and last.documents[k] == keys[k]:
            yield from ((path, None) for doc_id in spans[k] for path in _doc_paths(doc_id, with_copy))
            continue
        if docs is None and memo:
            docs = memo.load(f"docs-{k}", keys[k])
        if docs is None:
            docs = _doc_files(items, spans[k], _texts(items, spans[k]), fixed, with_copy)
        yield from docs.items()
    folded = frozenset(s.start for s, f in zip(spans, first) if f.made)
    del first
    # a part made with more candidates serves too: it holds what these need and more
    part_keys = [hexdigest(k, common_key, chunks) for k in keys]
    part_memo = _PartMemo(memo, "part") if memo else None
    try:
        parts, replaced = _memoized(part_memo, part_keys, spans, _index_part,
                                    _Shared(items, scratch, folded, common, candidates, chunks), parallel,
                                    serves=lambda part: all(v <= part.candidates.get(k, set())
                                                            for k, v in candidates.items()),
                                    earlier=list(last.parts) if last else None, tally=tally, first=len(spans),
                                    weight=2)
        docs: dict[str, int] = defaultdict(int)
        for p in parts:
            for term, encoded in p.phrases:
                if term in candidates.get(len(term), ()):
                    docs[term] += encoded[3]
        common_grams = _most_common(docs, often)  # longer than 2
        lengths = [x for p in parts for x in p.lengths]
        charset = set().union(*(p.charset for p in parts))
        joined = Joined(starts, tuple(keys), tuple(part_keys),
                        tuple(hexdigest(key, part.candidates) for key, part in zip(part_keys, parts)),
                        frozenset(common_grams), chunks)
        only = _chunks_to_join(last, joined, parts, replaced)
        del replaced
        if part_memo:
            part_memo.prune()
        joining = _Joining(parts, common_grams, spans, _numbers(n + 1), only)
        # (a few chunks, as after an edit, are joined here: forking workers that inherit
        # the parts would cost more, on cores the build's other processes are using)
        many = only is None or len(only) * 8 > chunks
        for g, files in enumerate(fork_imap(_join_group, groups, joining, parallel and many, keep_freed=True)):
            yield from files
            if tally is not None:  # (the documents shared out among the groups)
                tally.add(2 * len(spans), n * (g + 1) // len(groups) - n * g // len(groups))
        del parts, joining
    finally:
        if part_memo:
            part_memo.close()
    for start in range(0, max(n, 1), BLOCK):
        yield f"search/b/{start // BLOCK}.js", _js(
            "__sbBlock", start // BLOCK, _vlq([x for pair in lengths[start:start + BLOCK] for x in pair]))
    yield from _filter_files(items, cfg)
    years: dict[int, list[int]] = {}
    for doc, item in enumerate(items):  # doc ids follow the date: each year is a range
        years.setdefault(item.entry.date.year, [doc, doc])[1] = doc + 1
    table = fold_table()
    folding = {k: v for k, v in sorted(table.items()) if v in charset}
    meta = {
        "n": n, "chunks": chunks, "block": BLOCK, "k1": K1, "b": B, "boost": TITLE_BOOST,
        # how text was cut into terms, so that the browser cuts a query the same way
        "terms": {"han": _HAN, "unigram": UNIGRAM, "joint": postings.JOINT, "gap": postings.JOINT_GAP,
                  "word": postings.JOINT_WORD},
        "avg": [sum(t for t, _ in lengths) / n if n else 0, sum(b for _, b in lengths) / n if n else 0],
        "common": sorted(common_bigrams + list(common_grams)),
        "units": [[u.id, u.name] for u in cfg.units],
        "categories": [[c.id, c.name] for c in cfg.categories],
        "years": [[y, *years[y]] for y in sorted(years, reverse=True)],
        # the Traditional characters of the text and their Simplified forms, to fold a query
        "fold": ["".join(folding), "".join(folding.values())],
    }
    # The version of every other file of this index (what their bytes depend on, not
    # which cached parts served): the browser, which loads this file afresh, asks for
    # the others with it in their address, so that a file it kept from an earlier build
    # (a host may let it keep one for days) is never read with these (a cached chunk
    # read with a new meta finds the wrong entries).
    meta["v"] = hexdigest(joined.documents, meta)[:12]
    yield "search/meta.js", _js("__sbMeta", meta)
    return joined
