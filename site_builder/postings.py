"""The heavy part of the search index: postings and positions of many documents at once.

At 10,000 entries the index holds about eleven million postings; handled one by one in
Python they took most of a build. Here a span of documents becomes one array of code
points: Han bigrams, lone Han characters, single characters and ASCII words become
integer keys, and so do the longer n-grams around common ones (named by the id of their
first n-1 characters and their last character); one sort orders them by (term,
document, position), and the variable-length encoding runs on whole arrays (numpy).
The encoding is the one `search.py` describes and `assets/search.js` reads: per term a
string of base64 VLQ numbers, document ids counted from the span's first document.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_DIGITS = np.frombuffer(B64.encode("ascii"), dtype=np.uint8)
HAN_BASE = 0x3000                # Han code points minus this fit in 16 bits (0x3007-0xFAFF)
_WORDS = 0xF000_0000             # keys of ASCII words: this plus the word's rank (all < 2**32)


@dataclass
class Span:
    """A span of folded documents as arrays, one element per code point. Document k is
    its title, a newline, its body and a newline; positions count from its title."""
    text: str             # the documents folded
    ch: np.ndarray        # Han characters as code point - HAN_BASE, others as 0
    doc: np.ndarray       # document (counted from the span's first) of each code point
    pos: np.ndarray       # position inside its document
    body: np.ndarray      # True in the body, False in the title
    han: np.ndarray       # True for a Han character
    alnum: np.ndarray     # True for a-z and 0-9

    @classmethod
    def of(cls, folded: list[tuple[str, str]], table: np.ndarray) -> "Span":
        """`table` maps each code point of the BMP to its folded form (the script)."""
        docs = [f"{title}\n{body}\n" for title, body in folded]
        text = "".join(docs)
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        cp = np.where(cp < 0x10000, table[cp & 0xFFFF], cp)
        text = cp.tobytes().decode("utf-32-le", "surrogatepass")  # folded, for n-grams by name
        lens = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        starts = np.cumsum(lens) - lens
        doc = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
        pos = np.arange(len(cp), dtype=np.int64) - np.repeat(starts, lens)
        title_len = np.fromiter((len(t) for t, _ in folded), dtype=np.int64, count=len(folded))
        han = (((cp >= 0x3400) & (cp <= 0x4DBF)) | ((cp >= 0x4E00) & (cp <= 0x9FFF))
               | ((cp >= 0xF900) & (cp <= 0xFAFF)) | (cp == 0x3007))
        alnum = ((cp >= 0x61) & (cp <= 0x7A)) | ((cp >= 0x30) & (cp <= 0x39))
        ch = np.where(han, cp - HAN_BASE, 0).astype(np.uint64)
        return cls(text, ch, doc, pos, pos > np.repeat(title_len, lens), han, alnum)

    def bigrams(self) -> tuple[np.ndarray, np.ndarray]:
        """(where, key) of every Han bigram: first character << 16 | second."""
        at = np.flatnonzero(self.han[:-1] & self.han[1:])
        return at, (self.ch[at] << 16) | self.ch[at + 1]

    def trigrams(self, around: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(where, key) of the Han trigrams that start at or one before a bigram in `around`."""
        if len(self.ch) < 3:
            return np.zeros(0, np.int64), np.zeros(0, np.uint64)
        marked = np.zeros(len(self.ch), dtype=bool)
        marked[around] = True
        near = marked[:-2] | marked[1:-1]
        at = np.flatnonzero(near & self.han[:-2] & self.han[1:-1] & self.han[2:])
        return at, (self.ch[at] << 32) | (self.ch[at + 1] << 16) | self.ch[at + 2]

    def lone(self) -> tuple[np.ndarray, np.ndarray]:
        """(where, key) of every Han character that stands alone (a one-character token)."""
        h = self.han
        before = np.concatenate(([False], h[:-1]))
        after = np.concatenate((h[1:], [False]))
        at = np.flatnonzero(h & ~before & ~after)
        return at, self.ch[at]

    def chars(self) -> tuple[np.ndarray, np.ndarray]:
        """(where, key) of every Han character."""
        at = np.flatnonzero(self.han)
        return at, self.ch[at]

    def words(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(where, key, words): every ASCII word or number, keyed by its rank among the
        span's distinct words."""
        a = self.alnum
        before = np.concatenate(([False], a[:-1]))
        after = np.concatenate((a[1:], [False]))
        starts = np.flatnonzero(a & ~before)
        ends = np.flatnonzero(a & ~after) + 1
        text = self.text
        return (starts, *ranked([text[x:y] for x, y in zip(starts.tolist(), ends.tolist())]))

    def grams(self, around: np.ndarray, candidates: dict[int, set[str]],
              longest: int) -> list[tuple[np.ndarray, np.ndarray, list[str], np.ndarray]]:
        """Per length n from 3 up: (where, key, names, candidate) of the Han n-grams that
        extend a shorter one: for n = 3 the trigrams next to a bigram in `around`, then
        the n-grams that start or end with an (n-1)-gram of `candidates`. `candidate`
        marks those in candidates[n] themselves; keys are word keys (names[key - _WORDS])."""
        size = len(self.ch)
        at, key = self.trigrams(around)
        out = []
        for n in range(3, min(longest, size) + 1):
            ids, names = self._named(key, at, n)
            wanted = candidates.get(n, ())
            candidate = np.fromiter((w in wanted for w in names), dtype=bool, count=len(names))[ids]
            out.append((at, ids + _WORDS, names, candidate))
            if not candidate.any() or n == min(longest, size):
                break
            # the n+1-grams around the candidates, named by their first n characters and
            # their last when those are a candidate, else by their last n and their
            # first: one key per string
            marked = np.zeros(size + 1, dtype=bool)
            marked[at[candidate]] = True
            id_at = np.zeros(size + 1, dtype=np.uint64)
            id_at[at] = ids
            right = marked[:size - n] & self.han[n:]
            at = np.flatnonzero(right | (marked[1:size - n + 1] & self.han[:size - n]))
            key = np.where(right[at], (1 << 47) | (id_at[at] << 16) | self.ch[at + n],
                           (id_at[at + 1] << 16) | self.ch[at])
        return out

    def _named(self, key: np.ndarray, at: np.ndarray, n: int) -> tuple[np.ndarray, list[str]]:
        """Ids of the n-grams at `at` (one per distinct key, in key order) and their names."""
        _, first, ids = np.unique(key, return_index=True, return_inverse=True)
        text = self.text
        return ids.ravel().astype(np.uint64), [text[p:p + n] for p in at[first].tolist()]


def ranked(found: list[str]) -> tuple[np.ndarray, list[str]]:
    """Strings as word keys: _WORDS plus the rank of each among the distinct ones."""
    distinct = sorted(set(found))
    rank = {w: k for k, w in enumerate(distinct)}
    return np.fromiter((rank[w] for w in found), dtype=np.uint64, count=len(found)) + _WORDS, distinct


def _distinct(sorted_values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted array."""
    new = np.ones(len(sorted_values), dtype=bool)
    new[1:] = sorted_values[1:] != sorted_values[:-1]
    return np.flatnonzero(new)


def first_pass(folded: list[tuple[str, str]], table: np.ndarray, share: float,
               longest: int) -> tuple[np.ndarray, np.ndarray, dict[int, list[str]]]:
    """(keys, documents, candidates): each Han bigram of the span, ascending, and how
    many documents hold it; and per length n from 3 to longest - 1, the n-grams in more
    than `share` of the span's documents. An n-gram in more than that share of a whole
    site is so in at least one span, and so are its shorter parts: the candidates of
    all spans hold every common n-gram of the site."""
    span = Span.of(folded, table)
    at, key = span.bigrams()
    keys, counts = _documents(key, span.doc[at])
    candidates: dict[int, list[str]] = {}
    size, limit = len(span.ch), share * len(folded)
    marked = np.zeros(size + 1, dtype=bool)
    marked[at[contains(keys[counts > limit], key)]] = True
    at = np.flatnonzero(marked[:-2] & marked[1:-1])
    gram = (span.ch[at] << 32) | (span.ch[at + 1] << 16) | span.ch[at + 2]
    for n in range(3, longest):
        _, first, ids = np.unique(gram, return_index=True, return_inverse=True)
        ids = ids.ravel()
        often = _documents(ids, span.doc[at])[1] > limit  # every id occurs: one count each
        if not often.any():
            break
        candidates[n] = [span.text[p:p + n] for p in at[first[often]].tolist()]
        # the n+1-grams both of whose n-grams are candidates here, named by the id of
        # their first n characters and their last character
        id_at = np.zeros(size + 1, dtype=np.uint64)
        id_at[at] = ids
        marked = np.zeros(size + 1, dtype=bool)
        marked[at[often[ids]]] = True
        at = np.flatnonzero(marked[:size - n] & marked[1:size - n + 1])
        gram = (id_at[at] << 16) | span.ch[at + n]
    return keys, counts, candidates


def _documents(keys: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (below 2**32), ascending, and how many documents each is in."""
    pairs = np.sort((keys.astype(np.uint64) << 32) | doc.astype(np.uint64))  # np.unique hashes: far slower
    pairs = pairs[_distinct(pairs)] >> 32
    starts = _distinct(pairs)
    return pairs[starts], np.diff(np.append(starts, len(pairs)))


def merge_df(found: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The (keys, documents) of several spans as one."""
    keys = np.concatenate([k for k, _ in found] + [np.zeros(0, np.uint64)])
    counts = np.concatenate([c for _, c in found] + [np.zeros(0, np.int64)])
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = _distinct(keys)
    return keys[starts], np.add.reduceat(counts, starts) if len(starts) else counts


def contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which of `keys` are in `sorted_keys`."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def vlq(values: np.ndarray) -> tuple[str, np.ndarray]:
    """Unsigned VLQ of every value, 5 bits per base64 character, low bits first; and the
    offset in the string where each value starts (one more: the string's length).
    Widths and digits are bytes: a quarter less time and half the memory of int64s."""
    values = values.astype(np.int64, copy=False)
    width = np.ones(len(values), dtype=np.uint8)
    for bits in range(5, 60, 5):
        big = values >= (1 << bits)
        if not big.any():
            break
        width += big
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(width, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    at, rest, more = offsets[:-1], values, width
    while len(rest):  # the k-th digit of every value that has one
        go_on = more > 1
        digit = np.bitwise_and(rest, 31, out=np.empty(len(rest), np.uint8), casting="unsafe")
        digit |= go_on.view(np.uint8) << 5
        out[at] = _DIGITS[digit]
        at, rest, more = at[go_on] + 1, rest[go_on] >> 5, more[go_on] - 1
    return out.tobytes().decode("ascii"), offsets


def key_strings(keys: np.ndarray, words: Sequence[str]) -> list[str]:
    """The term each key stands for."""
    out: list[str] = [""] * len(keys)
    word = (keys >= _WORDS) & (keys < (1 << 32))
    for k in np.flatnonzero(word).tolist():
        out[k] = words[int(keys[k]) - _WORDS]
    for width in (1, 2, 3):
        low, high = (0, 1 << 16) if width == 1 else (1 << (16 * (width - 1)), 1 << (16 * width))
        sel = np.flatnonzero(~word & (keys >= low) & (keys < high))
        if not len(sel):
            continue
        cps = np.empty((len(sel), width), dtype=np.uint32)
        for w in range(width):
            cps[:, w] = ((keys[sel] >> (16 * (width - 1 - w))) & 0xFFFF) + HAN_BASE
        for k, s in zip(sel.tolist(), cps.view(f"<U{width}").ravel().tolist()):
            out[k] = s
    return out


def key_order(key: np.ndarray) -> np.ndarray:
    """The order that sorts `key`, equal keys kept in the order given."""
    if not len(key) or int(key.max()) >= (1 << 32):
        return np.argsort(key, kind="stable")
    # key and index as one number: a plain sort, much faster than a stable argsort
    shift = (len(key) - 1).bit_length()
    if int(key.max()).bit_length() + shift <= 32:  # 32-bit numbers sort faster still
        packed = np.sort((key.astype(np.uint32) << shift) | np.arange(len(key), dtype=np.uint32))
    else:
        packed = np.sort((key.astype(np.uint64) << shift) | np.arange(len(key), dtype=np.uint64))
    return (packed & ((1 << shift) - 1)).astype(np.int64)


def in_key_order(at: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(at, key) sorted by key, each key's places (`at`, ascending) in order."""
    order = key_order(key)
    return at[order], key[order]


def _groups(key: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """Where each run of equal (key, document) starts."""
    new = np.ones(len(key), dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (doc[1:] != doc[:-1])
    return np.flatnonzero(new)


def _sorted_groups(key: np.ndarray, doc: np.ndarray,
                   ordered: bool) -> tuple[np.ndarray | slice, np.ndarray, np.ndarray]:
    """Order by (key, document), keeping the given (position) order inside (none to
    make if `ordered`); the start of each (key, document) group in that order; the
    start of each key among the groups."""
    order = slice(None) if ordered else key_order(key)
    k = key[order]
    groups = _groups(k, doc[order])
    return order, groups, _distinct(k[groups])


def _doc_deltas(gdoc: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """Per group, its document minus the previous group's of the same term, minus one;
    the first group of a term counts from the span's start."""
    delta = np.empty(len(gdoc), dtype=np.int64)
    delta[0:1] = gdoc[0:1]
    delta[1:] = gdoc[1:] - gdoc[:-1] - 1
    delta[terms] = gdoc[terms]
    return delta


Encoded = tuple  # per term: (first doc delta or None, the rest of its string, last doc id, documents)


def _per_term(encoded: str, offsets: np.ndarray, value_start: np.ndarray, terms: np.ndarray,
              names: list[str], gdoc: np.ndarray, base: int,
              values: np.ndarray | None) -> dict[str, Encoded]:
    """Each term's share of one encoded string, from the documents of its (term,
    document) groups. With `values` (encoded numbers whose first per term is a doc
    delta, recounted when spans are joined), that number is kept apart as a value;
    without, the term's whole string."""
    ends = np.append(terms[1:], len(gdoc))
    last, docs = (gdoc[ends - 1] + base).tolist(), (ends - terms).tolist()
    first = offsets[value_start[terms]]
    if values is None:
        bounds = first.tolist()
        return {name: (None, encoded[a:b], doc, n)
                for name, a, b, doc, n in zip(names, bounds, bounds[1:] + [len(encoded)], last, docs)}
    heads = values[value_start[terms]].tolist()
    after = offsets[value_start[terms] + 1].tolist()
    ends = first.tolist()[1:] + [len(encoded)]
    return {name: (head, encoded[a:b], doc, n)
            for name, head, a, b, doc, n in zip(names, heads, after, ends, last, docs)}


def encode_postings(key: np.ndarray, doc: np.ndarray, body: np.ndarray, words: list[str],
                    base: int, ordered: bool = False) -> dict[str, Encoded]:
    """Per term: per document holding it, (doc delta, 2 x body count + [in title], title
    count if any), as VLQ; `base` is the id of the span's first document. `ordered`:
    the occurrences come sorted by key, then in text order."""
    if not len(key):
        return {}
    if ordered:
        groups = _groups(key, doc)
        n_body = np.add.reduceat(body.astype(np.int64), groups)
        gkey, gdoc = key[groups], doc[groups].astype(np.int64)
    else:
        # (key, document, in body) packed in one number: sorting it groups all at once
        shift = int(doc.max()).bit_length() + 1
        packed = (key.astype(np.uint64) << shift) | (doc.astype(np.uint64) << 1) | body
        if int(key.max()).bit_length() + shift <= 32:  # 32-bit numbers sort faster
            packed = packed.astype(np.uint32)
        packed = np.sort(packed)
        groups = _distinct(packed >> 1)
        n_body = np.add.reduceat((packed & 1).astype(np.int64), groups)
        gkey = (packed[groups] >> shift).astype(np.uint64)
        gdoc = ((packed[groups] >> 1) & ((1 << (shift - 1)) - 1)).astype(np.int64)
    n_title = np.diff(np.append(groups, len(key))) - n_body
    terms = _distinct(gkey)
    titled = n_title > 0
    count = 2 + titled
    start = np.cumsum(count) - count
    values = np.empty(int(count.sum()), dtype=np.int64)
    values[start] = _doc_deltas(gdoc, terms)
    values[start + 1] = n_body * 2 + titled
    values[start[titled] + 2] = n_title[titled]
    encoded, offsets = vlq(values)
    return _per_term(encoded, offsets, start, terms, key_strings(gkey[terms], words), gdoc, base, values)


def encode_positions(key: np.ndarray, doc: np.ndarray, pos: np.ndarray, base: int,
                     headers: bool = True, words: Sequence[str] = (),
                     ordered: bool = False) -> dict[str, Encoded]:
    """Per term: per document holding it, (doc delta, count, first position, then the
    gaps between positions), as VLQ. Without `headers` only the positions: a bigram's
    documents and counts are those of its postings, which the reader has already.
    `ordered`: the occurrences come sorted by key, then in text order."""
    if not len(key):
        return {}
    order, groups, terms = _sorted_groups(key, doc, ordered)
    p = pos[order]
    gap = np.empty(len(p), dtype=np.int64)
    gap[0:1] = p[0:1]
    gap[1:] = p[1:] - p[:-1]
    gap[groups] = p[groups]
    gdoc = doc[order][groups]
    names = key_strings(key[order][groups][terms], words)
    if not headers:
        encoded, offsets = vlq(gap)
        return _per_term(encoded, offsets, groups, terms, names, gdoc, base, None)
    size = np.diff(np.append(groups, len(order)))
    group_of = np.repeat(np.arange(len(groups)), size)
    values = np.empty(len(p) + 2 * len(groups), dtype=np.int64)
    values[np.arange(len(p)) + 2 * (group_of + 1)] = gap
    start = groups + 2 * np.arange(len(groups))
    values[start] = _doc_deltas(gdoc, terms)
    values[start + 1] = size
    encoded, offsets = vlq(values)
    return _per_term(encoded, offsets, start, terms, names, gdoc, base, values)
