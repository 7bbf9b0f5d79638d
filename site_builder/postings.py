"""The heavy part of the search index: postings and positions of many documents at once.

At 10,000 entries the index holds about eleven million postings; handled one by one in
Python they took most of a build. Here a span of documents becomes one array of code
points: Han bigrams, lone Han characters, single characters and ASCII words become
integer keys, and so do the longer n-grams around common ones (named by the id of their
first n-1 characters and their last character); a stable sort by term (numpy's radix
sort, 16 bits at a time) orders them by (term, document, position), and the
variable-length encoding runs on whole arrays (numpy), a piece of the terms at a time.
The encoding is the one `assets/search.js` reads: per term and span a segment of 15-bit
units (characters U+3000 to U+AFFF, two bytes each in UTF-16): a few header numbers,
then the term's numbers column by column (doc deltas, counts, first positions, gaps) as
Exp-Golomb codes of an order chosen per column, bit by bit. At 10,000 entries that is
37% of the bytes of the base64 VLQ it replaced (postings 24.6 -> 11.1 MB, positions
32.7 -> 21.1 MB).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Sequence

import numpy as np

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_DIGITS = np.frombuffer(B64.encode("ascii"), dtype=np.uint8)
HAN_BASE = 0x3000                # Han code points minus this fit in 16 bits (0x3007-0xFAFF)
_WORDS = 0xF000_0000             # keys of ASCII words: this plus the word's rank (all < 2**32)
JOINT = "_"                      # between a joint's two sides (never in a token)
JOINT_GAP = 2                    # a joint's sides stand at most this many characters apart
JOINT_WORD = 4                   # a word longer than this makes none (alone it is rare enough)
# JavaScript's \s, on which search.js splits a query: two ASCII words with one of these
# between them are two words of a query, not one, and make no joint
SPACES = "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
_SPACE_CODES = np.array(sorted(map(ord, SPACES)), dtype=np.uint32)
# A number grouped by thousands (386,500 or 1,234,567.00), not a decimal's tail
# (2400.00,031) nor part of a list (1,234,567,8) nor of a word: search.js finds the same
_GROUPED = re.compile(r"(?<![a-z0-9.])[0-9]{1,3}(?:,[0-9]{3})+(?![a-z0-9]|,[0-9])")
_GROUP_HINT = re.compile(r"[0-9],[0-9]{3}")  # cheap test first: most texts have none


def grouped_numbers(text: str) -> list[re.Match]:
    """Every number grouped by thousands in folded text."""
    return list(_GROUPED.finditer(text)) if _GROUP_HINT.search(text) else []


def joined(grouped: re.Match) -> str:
    """A number grouped by thousands without its commas."""
    return grouped.group(0).replace(",", "")


@dataclass(frozen=True)
class _Runs:
    """A span's ASCII words: where each starts and ends, the word; its grouped numbers."""
    starts: np.ndarray
    ends: np.ndarray
    found: list[str]
    grouped: list[re.Match]


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
        """(where, key, words): every ASCII word or number, and every number grouped by
        thousands joined (386,500: 386, 500 and 386500), keyed by its rank among the
        span's distinct words, in text order."""
        runs = self._runs
        at = np.concatenate((runs.starts, np.array([m.start() for m in runs.grouped], dtype=np.int64)))
        found = runs.found + [joined(m) for m in runs.grouped]
        order = np.argsort(at, kind="stable")  # (each word's places in text order)
        return (at[order], *ranked([found[k] for k in order.tolist()]))

    def joints(self, base: int) -> dict[str, Encoded]:
        """encode_positions of every joint (`search.joints` finds the same plainly): a
        short ASCII word and the token next to it, with at most JOINT_GAP characters
        between them (no line break, nor, between two words, a space), as one term,
        a Han run's side by its nearest character (高政〔2022〕12号: 政_2022, 2022_12 and
        12_号); its position is the right side's, times 4, plus the gap, so that the
        browser finds where both sides stand and proves a query's word made of
        several tokens (2022年12月) by a chain of joints, not by parts found anywhere.
        A number joined (1234 of 1,234) is taken to start where it would end with the
        written number (at its comma), so the gap before it counts the comma too (at
        most JOINT_GAP + 1: two bits); it has the joints its first and last parts have
        outside it, and one with a number joined next to it (1,000-2,000)."""
        runs, text, n = self._runs, self.text, len(self.han)
        starts, ends, found = runs.starts, runs.ends, runs.found
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        free = ~(self.han | self.alnum) & (cp != 10)  # may stand between a joint's sides

        def flag(flags: np.ndarray, p: np.ndarray) -> np.ndarray:  # flags[p], False outside
            inside = (p >= 0) & (p < n)
            out = np.zeros(len(p), dtype=bool)
            out[inside] = flags[p[inside]]
            return out

        # the token after each word (its first character, and whether a space is between)
        # and the Han character before it, past at most JOINT_GAP free characters
        right = np.full(len(ends), -1, dtype=np.int64)
        spaced = np.zeros(len(ends), dtype=bool)
        left = np.full(len(starts), -1, dtype=np.int64)
        open_right, open_left = np.ones(len(ends), dtype=bool), np.ones(len(starts), dtype=bool)
        crossed = np.zeros(len(ends), dtype=bool)
        for g in range(JOINT_GAP + 1):
            p = ends + g
            hit = open_right & flag(self.han | self.alnum, p)
            right[hit], spaced[hit] = p[hit], crossed[hit]
            open_right &= flag(free, p)
            crossed[p < n] |= np.isin(cp[p[p < n]], _SPACE_CODES)
            p = starts - 1 - g
            hit = open_left & flag(self.han, p)
            left[hit] = p[hit]
            open_left &= flag(free, p)
        word_after = np.where(flag(self.alnum, right) & ~spaced, np.searchsorted(starts, right), -1)
        han_after = flag(self.han, right)

        # each word's joint with a Han character before it or with the word before it (a
        # word after a word: the joint is the later one's), and with a Han character after
        short = (ends - starts) <= JOINT_WORD
        k = np.arange(len(starts))
        after_word = (k > 0) & (np.roll(word_after, 1) == k)
        han_left = np.flatnonzero((left >= 0) & short)
        word_left = np.flatnonzero(after_word & short & np.roll(short, 1))
        han_right = np.flatnonzero(han_after & short)
        terms = ([text[a] + JOINT + found[b] for a, b in zip(left[han_left].tolist(), han_left.tolist())]
                 + [found[b - 1] + JOINT + found[b] for b in word_left.tolist()]
                 + [found[a] + JOINT + text[b] for a, b in zip(han_right.tolist(), right[han_right].tolist())])
        places = np.concatenate((starts[han_left], starts[word_left], right[han_right])).tolist()
        gaps = np.concatenate((starts[han_left] - left[han_left] - 1, starts[word_left] - ends[word_left - 1],
                               right[han_right] - ends[han_right])).tolist()
        numbers = {m.start(): m for m in runs.grouped if len(joined(m)) <= JOINT_WORD}
        for m in numbers.values():  # (few)
            number = joined(m)
            at = m.end() - len(number)  # (JOINT_WORD digits hold one comma: a gap up to 3)
            first, last = int(np.searchsorted(starts, m.start())), int(np.searchsorted(ends, m.end()))
            side = (text[left[first]], int(left[first]) + 1) if left[first] >= 0 else (
                (found[first - 1], int(ends[first - 1])) if after_word[first] else None)
            if side is not None and len(side[0]) <= JOINT_WORD:
                terms.append(side[0] + JOINT + number)
                places.append(at)
                gaps.append(at - side[1])
            side = (text[right[last]], int(right[last])) if han_after[last] else (
                (found[word_after[last]], int(right[last])) if word_after[last] >= 0 else None)
            if side is not None and len(side[0]) <= JOINT_WORD:
                terms.append(number + JOINT + side[0])
                places.append(side[1])
                gaps.append(side[1] - m.end())
            other = numbers.get(int(right[last])) if word_after[last] >= 0 else None
            if other is not None:  # two numbers grouped: 1,000-2,000 as 1000_2000 too
                place = other.end() - len(joined(other))
                terms.append(number + JOINT + joined(other))
                places.append(place)
                gaps.append(place - m.end())
        at = np.asarray(places, dtype=np.int64)
        value = self.pos[at] * 4 + np.asarray(gaps, dtype=np.int64)
        key, names = ranked(terms)
        order = np.lexsort((at, key))  # by key, then in text order
        return self._by_piece(order, key[order], True, lambda o, k: encode_positions(
            k, self.doc[at[o]], value[o], base, True, names))

    @cached_property
    def _runs(self) -> _Runs:
        a = self.alnum
        before = np.concatenate(([False], a[:-1]))
        after = np.concatenate((a[1:], [False]))
        starts = np.flatnonzero(a & ~before)
        ends = np.flatnonzero(a & ~after) + 1
        text = self.text
        return _Runs(starts, ends, [text[x:y] for x, y in zip(starts.tolist(), ends.tolist())],
                     grouped_numbers(text))

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

    def postings(self, at: np.ndarray, key: np.ndarray, words: Sequence[str], base: int,
                 ordered: bool = False) -> dict[str, Encoded]:
        """encode_postings of the occurrences `at` of `key` (`ordered`: sorted by key
        already, each key's in text order), a piece at a time (`pieces`)."""
        return self._by_piece(at, key, ordered, lambda a, k: encode_postings(
            k, self.doc[a], self.body[a], words, base))

    def positions(self, at: np.ndarray, key: np.ndarray, base: int, headers: bool = True,
                  words: Sequence[str] = (), ordered: bool = False) -> dict[str, Encoded]:
        """encode_positions of the occurrences `at` of `key`, as `postings`."""
        return self._by_piece(at, key, ordered, lambda a, k: encode_positions(
            k, self.doc[a], self.pos[a], base, headers, words))

    @staticmethod
    def _by_piece(at: np.ndarray, key: np.ndarray, ordered: bool,
                  encode: Callable[[np.ndarray, np.ndarray], dict[str, Encoded]]) -> dict[str, Encoded]:
        if not ordered:
            at, key = in_key_order(at, key)
        out: dict[str, Encoded] = {}
        for piece in pieces(key):
            out.update(encode(at[piece], key[piece]))
        return out

    def _named(self, key: np.ndarray, at: np.ndarray, n: int) -> tuple[np.ndarray, list[str]]:
        """Ids of the n-grams at `at` (one per distinct key, in key order) and their names."""
        order, starts, ids = _unique(key)
        first = order[starts]
        text = self.text
        return ids.astype(np.uint64), [text[p:p + n] for p in at[first].tolist()]


def ranked(found: list[str]) -> tuple[np.ndarray, list[str]]:
    """Strings as word keys: _WORDS plus the rank of each among the distinct ones."""
    distinct = sorted(set(found))
    rank = {w: k for k, w in enumerate(distinct)}
    return np.fromiter((rank[w] for w in found), dtype=np.uint64, count=len(found)) + _WORDS, distinct


def _unique(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique by `key_order` (np.unique hashes: far slower): the order that sorts
    `key`, where each distinct key starts in that order (order[starts]: where it first
    occurs), and the number of each key among the distinct ones."""
    order = key_order(key)
    starts = _distinct(key[order])
    ids = np.empty(len(key), dtype=np.int64)
    ids[order] = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(key))))
    return order, starts, ids


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
    keys, counts, _, ids = _documents(key, span.doc[at])
    candidates: dict[int, list[str]] = {}
    size, limit = len(span.ch), share * len(folded)
    marked = np.zeros(size + 1, dtype=bool)
    marked[at[(counts > limit)[ids]]] = True
    at = np.flatnonzero(marked[:-2] & marked[1:-1])
    gram = (span.ch[at] << 32) | (span.ch[at + 1] << 16) | span.ch[at + 2]
    for n in range(3, longest):
        _, documents, first, ids = _documents(gram, span.doc[at])
        often = documents > limit
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


def _documents(keys: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys, ascending; how many documents each is in (`doc` ascending, as
    in text order); where each first occurs; and the number of each of `keys` among
    them."""
    order, starts, ids = _unique(keys)
    k = keys[order]
    in_document = np.zeros(len(k), dtype=np.int64)
    in_document[_groups(k, doc[order])] = 1  # a key's first place in each document
    return k[starts], np.add.reduceat(in_document, starts) if len(k) else in_document, order[starts], ids


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
    """The order that sorts `key` (non-negative), equal keys kept in the order given."""
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    bits = int(key.max()).bit_length()
    shift = (len(key) - 1).bit_length()
    if bits + shift <= 32:  # key and index as one 32-bit number: one plain sort
        packed = np.sort((key.astype(np.uint32) << shift) | np.arange(len(key), dtype=np.uint32))
        return (packed & ((1 << shift) - 1)).astype(np.int64)
    # else 16 bits at a time, lowest first: numpy sorts 16-bit numbers stably by radix,
    # in linear time (a bigram's 32-bit keys: 2.7 times faster than one sort of 64 bits)
    order = None
    for low in range(0, bits, 16):
        digit = (key >> low).astype(np.uint16)  # (keeps the low 16 bits)
        step = np.argsort(digit if order is None else digit[order], kind="stable")
        order = step if order is None else order[step]
    return order


def in_key_order(at: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(at, key) sorted by key, each key's places (`at`, ascending) in order."""
    order = key_order(key)
    return at[order], key[order]


PIECE = 1 << 18  # occurrences encoded at a time


def pieces(key: np.ndarray, size: int | None = None) -> list[slice]:
    """Slices of sorted `key`, about `size` long, that never split a key's run. Each
    term's segment is its own (padded to whole units), so encoding a span's terms a
    piece at a time gives the same bytes, and the temporaries of a piece instead of the
    whole span's (those were twice the span's own arrays, and a span's worker held
    them at its peak)."""
    size = size or PIECE
    # (ascending already: only repeats to drop; np.unique would import numpy.ma, a tenth
    # of a second in every process that calls it first)
    cuts = sorted(set(np.searchsorted(key, key[size::size], side="left").tolist()))
    bounds = [0, *cuts, len(key)]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _groups(key: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """Where each run of equal (key, document) starts."""
    new = np.ones(len(key), dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (doc[1:] != doc[:-1])
    return np.flatnonzero(new)


def _doc_deltas(gdoc: np.ndarray, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per (term, document) group, its document minus the previous group's of the same
    term, minus one; the first group of a term counts from the span's start (the
    segment's header holds it). And which groups are not a term's first, how many
    documents each term is in, and the term (its number) of each group."""
    delta = np.empty(len(gdoc), dtype=np.int64)
    delta[0:1] = gdoc[0:1]
    delta[1:] = gdoc[1:] - gdoc[:-1] - 1
    delta[terms] = gdoc[terms]
    later = np.ones(len(gdoc), dtype=bool)
    later[terms] = False
    docs = np.diff(np.append(terms, len(gdoc)))
    return delta, later, docs, np.repeat(np.arange(len(terms)), docs)


Encoded = tuple  # per term: (first doc delta or None, the rest of its segment, last doc id, documents)

UNIT = 0x3000                    # a 15-bit unit u is the character UNIT + u (never a surrogate,
                                 # quote, backslash or line break)
_MAX_K = 15                      # Exp-Golomb orders fit in 4 bits of a segment's header


def units(values: np.ndarray, bits: int = 14) -> tuple[np.ndarray, np.ndarray]:
    """Unsigned VLQ of every value: `bits` bits a digit, low bits first, the next bit
    set where more follow (14 for 15-bit units); and where each value starts (one more:
    the total)."""
    values = values.astype(np.int64, copy=False)
    width = np.ones(len(values), dtype=np.int64)
    for high in range(bits, 60, bits):
        big = values >= (1 << high)
        if not big.any():
            break
        width += big
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(width, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint16)
    at, rest, more = offsets[:-1], values, width
    while len(rest):  # the k-th digit of every value that has one
        go_on = more > 1
        out[at] = (rest & ((1 << bits) - 1)) | (go_on.astype(np.int64) << bits)
        at, rest, more = at[go_on] + 1, rest[go_on] >> bits, more[go_on] - 1
    return out, offsets


def vlq(values: np.ndarray) -> str:
    """Unsigned VLQ of every value, 5 bits per base64 character, low bits first."""
    digits, _ = units(values, 5)
    return _DIGITS[digits].tobytes().decode("ascii")


def unit_bytes(unit_array: np.ndarray) -> bytes:
    """15-bit units as their characters in UTF-16 (little-endian): kept as bytes, they
    pickle, slice and join as they are written."""
    return (unit_array.astype(np.uint16) + UNIT).astype("<u2").tobytes()


def _orders(values: np.ndarray, segment: np.ndarray, n_seg: int) -> tuple[np.ndarray, np.ndarray]:
    """Per segment, an Exp-Golomb order for a column's values in it: log2 of their mean
    (within 0.4% of the best order at 10,000 entries); and each value's width in bits
    in that order (v + 2**k, after as many zeros as it has bits beyond k + 1)."""
    as_float = values.astype(np.float64)
    mean = np.bincount(segment, weights=as_float, minlength=n_seg) / np.maximum(
        np.bincount(segment, minlength=n_seg), 1)
    k = np.clip(np.floor(np.log2(mean + 1)), 0, _MAX_K).astype(np.int64)
    ks = k[segment]
    bits = np.frexp(as_float + (np.int64(1) << ks))[1]  # exact: the values are below 2**40
    return k, 2 * bits - 1 - ks


def segments(columns: list[tuple[np.ndarray, np.ndarray]],
             headers: list[np.ndarray]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Each segment (a term's share of a span) as 15-bit units: its header numbers
    (`headers`, one array each with a number per segment, then the Exp-Golomb order of
    each column, 4 bits each) as VLQ units; then each column's values in it
    (`columns`: non-negative values and their segments, ascending), column after
    column, as Exp-Golomb codes of the column's order in the segment, bit by bit,
    padded to a whole unit. Returns the units (`unit_bytes`), where each segment starts
    in them (one more: the end) and where its first header number ends."""
    n_seg = len(headers[0])
    orders, widths, cell_bits = [], [], []
    for values, segment in columns:
        if len(values) and int(values.max()) >= 1 << 40:
            raise ValueError("a number too large for the search index")
        k, width = _orders(values, segment, n_seg)
        orders.append(k)
        widths.append(width)
        cell_bits.append(np.bincount(segment, weights=width, minlength=n_seg).astype(np.int64))
    params = sum(k << (4 * c) for c, k in enumerate(orders))
    head_units, head_at = units(np.stack([*headers, params], axis=1).ravel())
    per = len(headers) + 1
    head_len = head_at[per::per] - head_at[:-1:per]
    size = head_len + (sum(cell_bits) + 14) // 15
    start = np.zeros(n_seg + 1, dtype=np.int64)
    np.cumsum(size, out=start[1:])
    out = np.zeros(int(start[-1]) + 2, dtype=np.int64)
    # the header units, in place
    owner = np.repeat(np.arange(n_seg), head_len)
    out[start[:-1][owner] + np.arange(len(head_units)) - head_at[:-1:per][owner]] = head_units
    cell_start = (start[:-1] + head_len) * 15  # where each segment's column starts, in bits
    for (values, segment), k, width, bits in zip(columns, orders, widths, cell_bits):
        # each code's first bit in the whole text: ascending within the column
        at_bit = np.cumsum(width) - width + (cell_start - (np.cumsum(bits) - bits))[segment]
        _place(out, values + (np.int64(1) << k[segment]), width, at_bit)
        cell_start = cell_start + bits
    first_len = head_at[1::per][:n_seg] - head_at[:-1:per]
    return unit_bytes(out[:-2]), 2 * start, 2 * (start[:-1] + first_len)


def _place(out: np.ndarray, code: np.ndarray, width: np.ndarray, at_bit: np.ndarray) -> None:
    """Each code, `width` bits long, into the 15-bit units `out` from bit `at_bit`
    (ascending): 30 bits of every code at a time, from its top, into at most 3 units."""
    while len(code):
        if width.max() <= 30:
            piece, piece_w = code, width
        else:
            piece_w = np.minimum(width, 30)
            piece = code >> (width - piece_w)
            code, width = code & ((np.int64(1) << (width - piece_w)) - 1), width - piece_w
        unit = at_bit // 15
        # units ascend: the pieces that start in one are a run, their bits apart, so
        # their sum (in a window of 3 units from that one) is their union
        new = np.ones(len(unit), dtype=bool)
        np.not_equal(unit[1:], unit[:-1], out=new[1:])
        runs = np.flatnonzero(new)
        window = np.add.reduceat(piece << (45 - (at_bit - unit * 15) - piece_w), runs)
        first = unit[runs]
        for j, shift in enumerate((30, 15, 0)):
            out[first + j] += (window >> shift) & 0x7FFF
        if piece is code:
            return
        more = width > 0
        code, width, at_bit = code[more], width[more], at_bit[more] + 30


def _per_term(text: bytes, start: np.ndarray, head_end: np.ndarray, heads: np.ndarray | None,
              names: list[str], gdoc: np.ndarray, terms: np.ndarray, n_docs: np.ndarray,
              base: int) -> dict[str, Encoded]:
    """Each term's segment of the text, its last document and how many it is in
    (`n_docs`); with `heads`, its first number (the doc delta that the join counts
    again) kept apart."""
    last, docs = (gdoc[terms + n_docs - 1] + base).tolist(), n_docs.tolist()
    bounds = start.tolist()
    if heads is None:
        return {name: (None, text[a:b], doc, n)
                for name, a, b, doc, n in zip(names, bounds, bounds[1:], last, docs)}
    return {name: (head, text[a:b], doc, n)
            for name, head, a, b, doc, n in zip(names, heads.tolist(), head_end.tolist(), bounds[1:], last, docs)}


def encode_postings(key: np.ndarray, doc: np.ndarray, body: np.ndarray, words: Sequence[str],
                    base: int) -> dict[str, Encoded]:
    """Per term, a segment (see `segments`): headers (first doc delta, documents);
    columns: per document holding it but the first, 2 x doc delta + [coded]; for the
    first and the coded ones (all but those holding it once, in the body), 2 x body
    count + [in title] - 1; for those in the title, the title count - 1. `base` is the
    id of the span's first document. The occurrences come sorted by key, then in
    text order (see `Span.postings`)."""
    if not len(key):
        return {}
    groups = _groups(key, doc)
    n_body = np.add.reduceat(body.astype(np.int64), groups)
    gkey, gdoc = key[groups], doc[groups].astype(np.int64)
    n_title = np.diff(np.append(groups, len(key))) - n_body
    terms = _distinct(gkey)
    titled = n_title > 0
    delta, later, docs, term = _doc_deltas(gdoc, terms)
    # most documents hold a term once, in the body: a bit of the delta says so
    coded = ~later | titled | (n_body != 1)
    heads = delta[terms]
    text, start, head_end = segments([((delta * 2 + coded)[later], term[later]),
                                      ((n_body * 2 + titled - 1)[coded], term[coded]),
                                      ((n_title - 1)[titled], term[titled])], [heads, docs])
    return _per_term(text, start, head_end, heads, key_strings(gkey[terms], words), gdoc, terms, docs, base)


def encode_positions(key: np.ndarray, doc: np.ndarray, pos: np.ndarray, base: int,
                     headers: bool = True, words: Sequence[str] = ()) -> dict[str, Encoded]:
    """Per term, a segment (see `segments`): headers (first doc delta, documents);
    columns: the doc deltas (but the first), the counts - 1, the first positions, the
    gaps - 1 between each document's other positions. Without `headers` the headers
    hold the documents only, and the columns the positions only: a bigram's documents
    and counts are those of its postings, which the reader has already. The
    occurrences come sorted by key, then in text order (see `Span.positions`)."""
    if not len(key):
        return {}
    groups = _groups(key, doc)
    terms = _distinct(key[groups])
    p = pos.astype(np.int64)
    later_places = np.ones(len(p), dtype=bool)
    later_places[groups] = False
    gdoc = doc[groups].astype(np.int64)
    names = key_strings(key[groups][terms], words)
    size = np.diff(np.append(groups, len(p)))
    delta, later, docs, term = _doc_deltas(gdoc, terms)
    places = [(p[groups], term), ((p[1:] - p[:-1] - 1)[later_places[1:]], np.repeat(term, size - 1))]
    heads = delta[terms] if headers else None
    if headers:
        text, start, head_end = segments([(delta[later], term[later]), (size - 1, term), *places], [heads, docs])
    else:
        text, start, head_end = segments(places, [docs])
    return _per_term(text, start, head_end, heads, names, gdoc, terms, docs, base)
