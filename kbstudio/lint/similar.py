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
holders, and each set is kept in that order, so its prefix is its first tokens. The matches found
are kept (a list per key that has any), so a whole-KB lint scores each pair once, not once per side."""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Collection, Hashable, Iterable
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
Group = Callable[[Iterable[Hashable]], Hashable]
Match = tuple[str, float]
Matches = tuple[tuple[str, ...], array]   # the other keys and their scores (doubles), best first
_OFFSET = 1 << 63   # a signed 64-bit token plus this is 0 .. 2**64 - 1: the low bits of a sort key
_LOW = (1 << 64) - 1


def _best_first(match: Match) -> tuple[float, str]:
    return (-match[1], match[0])


def _packed(found: list[Match]) -> Matches:
    """Return matches sorted best first, packed: 16 bytes a match instead of about 90 as tuples
    (25,000 near-duplicates have 176,000 of them)."""
    found.sort(key=_best_first)
    return tuple(other for other, _ in found), array("d", [score for _, score in found])


class SimilarityIndex:
    """Sets of tokens by key, answering 'which other keys have Jaccard >= threshold'.

    ``group`` (optional) maps a set to a value that must be equal for two sets to match at all
    (the likely-duplicate rule's title numbers, ``numbers``): sets of different groups are never
    candidates, so they cost nothing. Every pair over the threshold is found once, when the index
    is built or a set is added, and kept with its score: ``matches`` only looks it up.
    """

    def __init__(self, threshold: float, min_size: int = 1, group: Group | None = None) -> None:
        self.threshold = threshold
        self.min_size = min_size
        self.group = group
        self.sets: dict[str, Packed] = {}   # each set in the index's token order, its prefix first
        self._counts = array("I", [0])   # sets holding a token at the build, by hash bucket
        self._mask = 0
        self._postings: dict[Hashable, str | list[str]] = {}   # prefix token (of a group): its key(s)
        self._matched: dict[str, Matches] = {}   # every key's matches, most similar first

    def build(self, items: Iterable[tuple[str, Tokens]]) -> None:
        """Index many sets at once, fixing the token order from their frequencies.

        A self-join (Bayardo et al., "Scaling up all pairs similarity search", WWW 2007): each set
        is compared with the sets indexed before it, so every pair is scored once, not twice.
        """
        items = [(key, tokens) for key, tokens in items if len(tokens) >= self.min_size]
        self.sets.clear()
        self._postings.clear()
        total = sum(len(tokens) for _, tokens in items)
        buckets = 1 << max(10, min(21, total.bit_length()))   # one to two per token: 4-8 MB at most
        counts, mask = array("I", bytes(4 * buckets)), buckets - 1
        for _, tokens in items:
            for token in tokens:
                counts[hash(token) & mask] += 1
        self._counts, self._mask = counts, mask
        found: dict[str, list[Match]] = {}
        for key, tokens in items:
            for other, score in self._insert(key, self._ordered(tokens)):
                found.setdefault(key, []).append((other, score))
                found.setdefault(other, []).append((key, score))
        self._matched = {key: _packed(matches) for key, matches in found.items()}

    def tokens(self, key: str) -> frozenset[Hashable]:
        """Return the set of ``key`` (empty when it has none)."""
        return frozenset(self.sets.get(key, ()))

    def _ordered(self, tokens: Tokens) -> Packed:
        """Return ``tokens`` in the index's order: rarest first, then by value (integers) or hash.

        Integer tokens (hashed shingles) come back as an array, 8 bytes a token instead of about
        40; each is sorted as one integer, its count above its value, which is twice as fast as
        sorting pairs.
        """
        counts, mask = self._counts, self._mask
        if isinstance(tokens, array) or all(type(token) is int for token in tokens):
            ints = cast("Iterable[int]", tokens)
            keys = sorted([(counts[hash(token) & mask] << 64) | (token + _OFFSET) for token in ints])
            return array("q", [(key & _LOW) - _OFFSET for key in keys])
        ranked = sorted([(counts[hash(token) & mask], hash(token), token) for token in tokens],
                        key=lambda item: (item[0], item[1]))
        return tuple(token for _, _, token in ranked)

    def _prefix_length(self, size: int) -> int:
        return size - math.ceil(self.threshold * size) + 1

    def _posting_key(self, group: Hashable, token: Hashable) -> Hashable:
        # sets of no group (a title without numbers) share the plain token: no tuple kept for them
        return (group, token) if group else token

    def _insert(self, key: str, ordered: Packed) -> list[Match]:
        """Score ``key``'s set against the indexed sets, index its prefix; return its matches."""
        group = self.group(ordered) if self.group is not None else None
        found = self._score(key, ordered, group)
        self.sets[key] = ordered
        postings = self._postings
        for token in ordered[:self._prefix_length(len(ordered))]:
            posting = self._posting_key(group, token)
            holders = postings.get(posting)
            if holders is None:
                postings[posting] = key
            elif isinstance(holders, str):
                postings[posting] = [holders, key]
            else:
                holders.append(key)
        return found

    def _score(self, key: str, ordered: Packed, group: Hashable) -> list[Match]:
        """Return the indexed sets (other than ``key``'s) at or above the threshold, with their scores."""
        size = len(ordered)
        candidates: set[str] = set()
        for token in ordered[:self._prefix_length(size)]:
            holders = self._postings.get(self._posting_key(group, token))
            if isinstance(holders, str):
                candidates.add(holders)
            elif holders is not None:
                candidates.update(holders)
        candidates.discard(key)
        mine: set[Hashable] | None = None
        found = []
        sets, threshold = self.sets, self.threshold
        for other in candidates:
            theirs = sets[other]
            other_size = len(theirs)
            if min(size, other_size) < threshold * max(size, other_size):  # sizes alone rule it out
                continue
            if other_size == size and theirs == ordered:   # the same set (near-copies): no set needed
                score = 1.0
            else:
                if mine is None:
                    mine = set(ordered)
                common = len(mine.intersection(theirs))
                score = common / (size + other_size - common)
            if score >= threshold:
                found.append((other, score))
        return found

    def add(self, key: str, tokens: Tokens) -> None:
        """Index (or re-index) the set of ``key`` and score it against every other."""
        self.remove(key)
        if len(tokens) < self.min_size:
            return
        found = self._insert(key, self._ordered(tokens))
        if found:
            self._matched[key] = _packed(found)
        for other, score in found:
            self._matched[other] = _packed([*self.matches(other), (key, score)])

    def remove(self, key: str) -> None:
        """Forget ``key`` and its matches."""
        ordered = self.sets.pop(key, None)
        if ordered is None:
            return
        others, _ = self._matched.pop(key, ((), None))
        for other in others:
            kept = [match for match in self.matches(other) if match[0] != key]
            if kept:
                self._matched[other] = _packed(kept)
            else:
                del self._matched[other]
        group = self.group(ordered) if self.group is not None else None
        postings = self._postings
        for token in ordered[:self._prefix_length(len(ordered))]:
            posting = self._posting_key(group, token)
            holders = postings.get(posting)
            if holders == key:
                del postings[posting]
            elif isinstance(holders, list) and key in holders:
                holders.remove(key)
                if len(holders) == 1:
                    postings[posting] = holders[0]

    def matches(self, key: str) -> list[Match]:
        """Return the other keys at or above the threshold (of the same group), most similar first."""
        packed = self._matched.get(key)
        return list(zip(packed[0], packed[1], strict=True)) if packed else []
