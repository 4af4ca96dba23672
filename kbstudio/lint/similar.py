"""Near-duplicate detection: token sets, an exact prefix-filter candidate index, then Jaccard.

Prefix filtering: order every token by one fixed global order (rarest first as counted when the index
was built; ties, and tokens first seen later, by hash). Two sets whose Jaccard similarity is at least
``t`` always share a token among the first ``|A| - ceil(t * |A|) + 1`` tokens of each, whatever the
order, so indexing only those prefixes finds every pair above the threshold without comparing all
pairs; the frequency order only keeps the candidate lists short. Every pair found is scored exactly.

Memory is kept to what a 25,000-document KB can afford (it was most of a gigabyte): sets of integer
tokens (hashes of shingles, see ``hashed``) are kept as 8-byte arrays; the frequencies that order
tokens are counted in a fixed table of buckets by hash (a rare token may share a bucket: it only
orders a little later, and any fixed order is exact), a posting list is only as long as its
holders, and prefixes are worked out again when needed instead of kept."""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Collection, Hashable, Iterable
from typing import cast

from kbstudio.names import nfc

STOPWORDS = frozenset(
    "a an and are as at be but by can cannot can't do does don't for from has have how i if in into is "
    "isn't it its my not of on or so that the their them then there these this to was when where which "
    "while who why will with won't you your".split()
)
_WORD = re.compile(r"[^\W_]+(?:['.][^\W_]+)*", re.UNICODE)  # keeps 5.7.1 and can't whole


def _fold(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] == "s" and word[-2] != "s" else word


def words(text: str) -> list[str]:
    """Return the lowercased content words of ``text`` (in NFC), with a light plural fold."""
    return [_fold(word) for word in _WORD.findall(nfc(text).lower()) if word not in STOPWORDS]


def shingles(tokens: list[str], size: int = 3) -> frozenset[str]:
    """Return the set of ``size``-word shingles of ``tokens`` (the tokens themselves when fewer)."""
    if len(tokens) < size:
        return frozenset(tokens)
    return frozenset(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Return |a & b| / |a | b|."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def numbers(tokens: Iterable[Hashable]) -> frozenset[str]:
    """Return the tokens holding a digit: error codes and versions that tell near-twins apart."""
    return frozenset(token for token in tokens if isinstance(token, str) and any(map(str.isdigit, token)))


def hashed(tokens: Iterable[str]) -> frozenset[int]:
    """Return ``tokens`` as 64-bit hashes: the same Jaccard scores at a fraction of the memory (among
    a million different shingles, the chance that any two share a hash is about 1 in 30 million).

    Hashes are the interpreter's, which differ between processes started afresh: sets to compare
    must be hashed in one process or in processes forked from it.
    """
    return frozenset(hash(token) for token in tokens)


Packed = tuple[Hashable, ...] | array
Tokens = Collection[Hashable]   # distinct tokens: a frozenset, or a tuple or array made from one


def _pack(tokens: Tokens) -> Packed:
    if isinstance(tokens, array):
        return tokens
    if all(type(token) is int for token in tokens):
        return array("q", sorted(cast("Collection[int]", tokens)))   # every token an int, as just checked
    return tuple(tokens)


class SimilarityIndex:
    """Sets of tokens by key, answering 'which other keys have Jaccard >= threshold'."""

    def __init__(self, threshold: float, min_size: int = 1) -> None:
        self.threshold = threshold
        self.min_size = min_size
        self.sets: dict[str, Packed] = {}
        self._counts = array("I", [0])   # sets holding a token at the build, by hash bucket
        self._mask = 0
        self._postings: dict[Hashable, str | list[str]] = {}   # prefix token: its key, or keys

    def build(self, items: Iterable[tuple[str, Tokens]]) -> None:
        """Index many sets at once, fixing the token order from their frequencies."""
        items = [(key, tokens) for key, tokens in items if len(tokens) >= self.min_size]
        self.sets.clear()
        self._postings.clear()
        total = sum(len(tokens) for _, tokens in items)
        buckets = 1 << max(10, min(22, (2 * total).bit_length()))
        counts, mask = array("I", bytes(4 * buckets)), buckets - 1
        for _, tokens in items:
            for token in tokens:
                counts[hash(token) & mask] += 1
        self._counts, self._mask = counts, mask
        for key, tokens in items:
            self.add(key, tokens)

    def tokens(self, key: str) -> frozenset[Hashable]:
        """Return the set of ``key`` (empty when it has none)."""
        return frozenset(self.sets.get(key, ()))

    def _prefix(self, tokens: Iterable[Hashable], size: int) -> list[Hashable]:
        """Return the first tokens of ``tokens`` in the index's order: rarest first, then by value."""
        length = size - math.ceil(self.threshold * size) + 1
        counts, mask = self._counts, self._mask
        ranked = sorted([(counts[hash(token) & mask], token) for token in tokens])
        return [token for _, token in ranked[:length]]

    def add(self, key: str, tokens: Tokens) -> None:
        """Index (or re-index) the set of ``key``."""
        self.remove(key)
        if len(tokens) < self.min_size:
            return
        self.sets[key] = _pack(tokens)
        postings = self._postings
        for token in self._prefix(tokens, len(tokens)):
            holders = postings.get(token)
            if holders is None:
                postings[token] = key
            elif isinstance(holders, str):
                postings[token] = [holders, key]
            else:
                holders.append(key)

    def remove(self, key: str) -> None:
        """Forget ``key``."""
        tokens = self.sets.pop(key, None)
        if tokens is None:
            return
        postings = self._postings
        for token in self._prefix(tokens, len(tokens)):
            holders = postings.get(token)
            if holders == key:
                del postings[token]
            elif isinstance(holders, list) and key in holders:
                holders.remove(key)
                if len(holders) == 1:
                    postings[token] = holders[0]

    def matches(self, key: str) -> list[tuple[str, float]]:
        """Return the other keys at or above the threshold, most similar first."""
        tokens = self.sets.get(key)
        if tokens is None:
            return []
        size = len(tokens)
        candidates: set[str] = set()
        for token in self._prefix(tokens, size):
            holders = self._postings.get(token)
            if isinstance(holders, str):
                candidates.add(holders)
            elif holders is not None:
                candidates.update(holders)
        candidates.discard(key)
        mine = set(tokens)
        found = []
        sets, threshold = self.sets, self.threshold
        for other in candidates:
            other_tokens = sets[other]
            other_size = len(other_tokens)
            if min(size, other_size) < threshold * max(size, other_size):  # sizes alone rule it out
                continue
            common = len(mine.intersection(other_tokens))
            score = common / (size + other_size - common)
            if score >= self.threshold:
                found.append((other, score))
        return sorted(found, key=lambda item: (-item[1], item[0]))
