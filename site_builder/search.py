"""Extras: the search index, a pure function of the site model.

Residents search in Simplified or Traditional script, from any host or from file://.
Text is folded character by character (NFKC, lowercase, Traditional and variant forms
to Simplified with OpenCC's t2s table); the browser receives the same fold table for
every character the index holds, so both sides fold identically. Han text becomes
overlapping bigrams (single characters are indexed too, for one-character queries);
ASCII words and numbers are words. No stemmer, stop words or trimmer.

The index is split by term into many small chunk files, loaded as <script> files
(works from file://): postings are delta-encoded doc ids with term frequencies in the
title and body fields; positions are kept for phrase checks, except for very common
bigrams, whose three-character extensions carry the positions instead. Field lengths,
unit, category and year of each document sit in blocks of 512 documents; each
document's text for snippets is a file of its own, loaded only when shown. The browser
scores with lunr's BM25 (k1 1.2, b 0.75, title boosted). Doc ids follow (date, path),
so adding a new entry changes only the chunks of its terms, its block and the
metadata. `search_files` returns {output path: bytes}.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

from .ledger import PLACEHOLDER_RE
from .markup import plain_text
from .model import Item, Site
from .parallel import fork_map, workers

TITLE_BOOST = 10
K1, B = 1.2, 0.75
COMMON_SHARE = 0.25          # a bigram in more than this share of entries keeps no positions
BLOCK = 1024                 # documents per block of field lengths (and of facets)
SNIPPET_CHARS = 1500         # text kept per document for snippets
UNIGRAM = "'"                # key prefix of single-character postings (never in a token)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
_TOKEN_RE = re.compile(f"([{_HAN}]+)|([a-z0-9]+)")
_HAN_RE = re.compile(f"[{_HAN}]")
_HAN3_RE = re.compile(f"[{_HAN}]{{3}}")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@lru_cache(maxsize=1)
def fold_table() -> dict[str, str]:
    """Every CJK character that OpenCC t2s changes, mapped to its Simplified form."""
    import opencc

    chars = [chr(c) for r in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
             for c in range(r[0], r[1] + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return {a: b for a, b in zip(chars, converted) if a != b and len(b) == 1}


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return {ord(a): b for a, b in fold_table().items()}


def fold(text: str) -> str:
    """The searchable form of text: NFKC, lowercase, Simplified script, char by char."""
    return unicodedata.normalize("NFKC", text).lower().translate(_translation())


def tokens(folded: str) -> list[tuple[str, int]]:
    """lunr-compatible tokens of folded text with the position of their first char:
    Han runs as overlapping bigrams (a lone character as itself), ASCII words whole."""
    out: list[tuple[str, int]] = []
    for m in _TOKEN_RE.finditer(folded):
        run, start = m.group(0), m.start()
        if m.group(1) and len(run) > 1:
            out.extend((run[i:i + 2], start + i) for i in range(len(run) - 1))
        else:
            out.append((run, start))
    return out


def entry_text(item: Item) -> tuple[str, str]:
    """(title, body) as indexed: the body includes ledger lines, 文号, keywords and attachment names."""
    e = item.entry
    parts = [plain_text(PLACEHOLDER_RE.sub(" ", e.html))]
    for lg in e.ledgers:
        parts.extend(" ".join(row.cells) for row in lg.rows)
    parts.extend(x for x in (e.doc_no, " ".join(e.tags), item.index_no,
                             " ".join(a.title for a in e.attachments)) if x)
    return e.title, "\n".join(parts)


def searchable(site: Site) -> list[Item]:
    """Entries in the index, in doc-id order: published, not withdrawn, by (date, path)."""
    items = [i for i in site.items if not i.withdrawn and not i.body_withheld]
    return sorted(items, key=lambda i: (i.entry.date, i.entry.rel))


@dataclass
class _Doc:
    title_len: int                          # lunr tokens in the title
    body_len: int                           # ... and in the body
    tf_title: Counter                       # term -> count in the title
    tf_body: Counter                        # term -> count in the body
    positions: dict[str, list[int]]         # Han bigram -> positions (title, then body)
    chars: Counter                          # Han character -> count in the body
    title_chars: Counter                    # ... and in the title
    folded: str                             # folded title, newline, folded body


def _analyse(title: str, body: str) -> tuple[_Doc, set[str]]:
    ft, fb = fold(title), fold(body)
    offset = len(ft) + 1  # body positions follow the title's, never adjacent
    tt, bt = tokens(ft), tokens(fb)
    bigrams = sorted([(t, p) for t, p in tt if len(t) == 2 and t[0] > "\u3000"]
                     + [(t, p + offset) for t, p in bt if len(t) == 2 and t[0] > "\u3000"])
    positions = {term: [p for _, p in group] for term, group in groupby(bigrams, key=itemgetter(0))}
    chars_t = Counter(_HAN_RE.findall(ft))
    chars_b = Counter(_HAN_RE.findall(fb))
    doc = _Doc(len(tt), len(bt), Counter(t for t, _ in tt), Counter(t for t, _ in bt), positions,
               chars_b, chars_t, ft + "\n" + fb)
    return doc, set(chars_t) | set(chars_b)


def _vlq(numbers: list[int]) -> str:
    """Unsigned variable-length quantities, 5 bits per base64 character."""
    out = []
    small = _B64
    for n in numbers:
        if n < 32:
            out.append(small[n])
            continue
        while n >= 32:
            out.append(small[(n & 31) | 32])
            n >>= 5
        out.append(small[n])
    return "".join(out)


_SMALL = [_vlq([n]) for n in range(4096)]


def _v(n: int) -> str:
    """One number as VLQ, from a table for the usual small ones."""
    return _SMALL[n] if n < 4096 else _vlq([n])


def _js(call: str, *args: object) -> bytes:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                    for a in args)
    return f"{call}({body});\n".encode("utf-8")


def chunk_count(n_docs: int) -> int:
    """Chunks grow with the site in powers of two, so they stay small and stable."""
    return 1 << max(5, min(12, math.ceil(math.log2(max(2, n_docs) / 2))))


def chunk_of(term: str, chunks: int) -> int:
    return zlib.crc32(term.encode("utf-8")) % chunks


@dataclass(frozen=True)
class _Shared:
    texts: list[tuple[str, str]]
    common: frozenset[str]


def _bigrams_of(shared: _Shared, span: range) -> Counter:
    """Document frequency of each Han bigram in a span of documents."""
    df: Counter = Counter()
    for title, body in shared.texts[span.start:span.stop]:
        df.update({t for t, _ in tokens(fold(title)) + tokens(fold(body)) if len(t) == 2 and t[0] > "\u3000"})
    return df


@dataclass
class _Part:
    """The index of a span of documents: per term, its encoded postings (doc deltas
    counted from the span's start) and the last doc id it is in."""
    postings: dict[str, tuple[str, int]]
    positions: dict[str, tuple[str, int]]
    lengths: list[tuple[int, int]]
    charset: set[str]


def _index_part(shared: _Shared, span: range) -> _Part:
    """Encode the postings and positions of a span of documents (the hot loop of the
    index: written out inline, with small numbers encoded from a table)."""
    common = shared.common
    postings: dict[str, list[str]] = defaultdict(list)    # term -> encoded pieces
    pos_lists: dict[str, list[str]] = defaultdict(list)
    last: dict[str, int] = {}
    pos_last: dict[str, int] = {}
    lengths, charset = [], set()
    before = span.start - 1
    small, big = _SMALL, _v

    def positions_piece(doc_delta: int, plist: list[int]) -> str:
        deltas = [plist[0]] + [b - a for a, b in zip(plist, plist[1:])]
        return "".join([small[n] if n < 4096 else big(n) for n in (doc_delta, len(plist), *deltas)])

    for doc_id in span:
        doc, chars = _analyse(*shared.texts[doc_id])
        lengths.append((doc.title_len, doc.body_len))
        charset |= chars
        for counts_t, counts_b, prefix in ((doc.tf_title, doc.tf_body, ""),
                                           (doc.title_chars, doc.chars, UNIGRAM)):
            for key in counts_t.keys() | counts_b.keys():
                term = prefix + key
                t, b = counts_t.get(key, 0), counts_b.get(key, 0)
                delta = doc_id - last.get(term, before) - 1
                last[term] = doc_id
                numbers = (delta, b * 2) if t == 0 else (delta, b * 2 + 1, t)
                postings[term].append("".join([small[n] if n < 4096 else big(n) for n in numbers]))
        trigrams: dict[str, set[int]] = defaultdict(set)
        ft = doc.folded
        for term, plist in doc.positions.items():
            if term not in common:
                pos_lists[term].append(positions_piece(doc_id - pos_last.get(term, before) - 1, plist))
                pos_last[term] = doc_id
                continue
            for p in plist:  # the common bigram's extensions to the left and right
                for start in (p - 1, p):
                    if start >= 0 and _HAN3_RE.match(ft, start):
                        trigrams[ft[start:start + 3]].add(start)
        for tri, starts in trigrams.items():
            pos_lists[tri].append(positions_piece(doc_id - pos_last.get(tri, before) - 1, sorted(starts)))
            pos_last[tri] = doc_id
    return _Part({t: ("".join(pieces), last[t]) for t, pieces in postings.items()},
                 {t: ("".join(pieces), pos_last[t]) for t, pieces in pos_lists.items()}, lengths, charset)


def _first_number(s: str) -> tuple[int, int]:
    """The first VLQ number of `s` and how many characters it takes."""
    n = shift = i = 0
    while True:
        digit = _B64.index(s[i])
        n += (digit & 31) << shift
        i += 1
        if not digit & 32:
            return n, i
        shift += 5


def _join(parts: list[tuple[range, dict[str, tuple[str, int]]]]) -> dict[str, str]:
    """Per term, the postings of all spans in order, the first delta of each span
    re-counted from the term's last document in the spans before it."""
    out: dict[str, str] = {}
    last: dict[str, int] = {}
    for span, part in parts:
        for term, (encoded, last_doc) in part.items():
            if term in out:
                first, width = _first_number(encoded)
                encoded = _vlq([first + (span.start - 1) - last[term]]) + encoded[width:]
                out[term] += encoded
            else:
                out[term] = encoded
            last[term] = last_doc
    return out


def search_files(site: Site, parallel: bool = True) -> dict[str, bytes]:
    items = searchable(site)
    cfg = site.config
    texts = [entry_text(item) for item in items]
    n = len(texts)
    # Spans of documents, a few per core, indexed in parallel and joined in order.
    size = max(200, -(-n // (workers() * 2)))
    spans = [range(a, min(a + size, n)) for a in range(0, n, size)]
    df: Counter = Counter()
    for found in fork_map(_bigrams_of, spans, _Shared(texts, frozenset()), parallel):
        df.update(found)
    common = frozenset(t for t, c in df.items() if n >= 20 and c > COMMON_SHARE * n)
    parts = fork_map(_index_part, spans, _Shared(texts, common), parallel)
    postings = _join([(s, p.postings) for s, p in zip(spans, parts)])
    pos_lists = _join([(s, p.positions) for s, p in zip(spans, parts)])
    lengths = [x for p in parts for x in p.lengths]
    charset = set().union(*(p.charset for p in parts))

    chunks = chunk_count(n)
    by_chunk: dict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    for term, encoded in postings.items():
        by_chunk[chunk_of(term.lstrip(UNIGRAM), chunks)][0][term] = encoded
    for term, encoded in pos_lists.items():
        by_chunk[chunk_of(term, chunks)][1][term] = encoded

    files: dict[str, bytes] = {}
    for c in range(chunks):
        post, pos = by_chunk.get(c, ({}, {}))
        files[f"search/c/{c}.js"] = _js("__sbChunk", c, post)
        files[f"search/p/{c}.js"] = _js("__sbPos", c, pos)
    unit_index = {u.id: k for k, u in enumerate(cfg.units)}
    cat_index = {c.id: k for k, c in enumerate(cfg.categories)}
    for start in range(0, max(n, 1), BLOCK):
        files[f"search/b/{start // BLOCK}.js"] = _js(
            "__sbBlock", start // BLOCK, _vlq([x for pair in lengths[start:start + BLOCK] for x in pair]))
        files[f"search/f/{start // BLOCK}.js"] = _js("__sbFacet", start // BLOCK, _vlq(
            [x for i in items[start:start + BLOCK] for x in (unit_index[i.unit.id], cat_index[i.category.id],
                                                             i.entry.date.year - 1900)]))
    for doc_id, (item, (title, body)) in enumerate(zip(items, texts)):
        files[f"search/d/{doc_id}.js"] = _js("__sbDoc", doc_id, {
            "t": title, "u": item.url, "n": item.unit.name, "c": item.category.name,
            "d": item.entry.date.isoformat(), "x": body[:SNIPPET_CHARS]})
    table = fold_table()
    folding = {k: v for k, v in sorted(table.items()) if v in charset}
    meta = {
        "n": n, "chunks": chunks, "block": BLOCK, "k1": K1, "b": B, "boost": TITLE_BOOST,
        "avg": [sum(t for t, _ in lengths) / n if n else 0, sum(b for _, b in lengths) / n if n else 0],
        "common": sorted(common),
        "units": [[u.id, u.name] for u in cfg.units],
        "categories": [[c.id, c.name] for c in cfg.categories],
        "years": sorted({i.entry.date.year for i in items}, reverse=True),
    }
    files["search/meta.js"] = _js("__sbMeta", meta)
    files["search/fold.js"] = _js("__sbFold", "".join(folding), "".join(folding.values()))
    return files
