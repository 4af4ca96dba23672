"""Near-duplicate detection: token sets, an exact prefix-filter candidate index, then Jaccard.

Prefix filtering: order every token by one fixed global order (rarest first as counted when the index
was built; ties, and tokens first seen later, by hash). Two sets whose Jaccard similarity is at least
``t`` always share a token among the first ``|A| - ceil(t * |A|) + 1`` tokens of each, whatever the
order, so indexing only those prefixes finds every pair above the threshold without comparing all
pairs; the frequency order only keeps the candidate lists short."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

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


def numbers(tokens: frozenset[str]) -> frozenset[str]:
    """Return the tokens holding a digit: error codes and versions that tell near-twins apart."""
    return frozenset(token for token in tokens if any(char.isdigit() for char in token))


class SimilarityIndex:
    """Sets of tokens by key, answering 'which other keys have Jaccard >= threshold'."""

    def __init__(self, threshold: float, min_size: int = 1) -> None:
        self.threshold = threshold
        self.min_size = min_size
        self.sets: dict[str, frozenset[str]] = {}
        self._rank: dict[str, tuple[int, int]] = {}
        self._postings: dict[str, set[str]] = {}
        self._prefixes: dict[str, list[str]] = {}

    def build(self, items: Iterable[tuple[str, frozenset[str]]]) -> None:
        """Index many sets at once, fixing the token order from their frequencies."""
        items = [(key, tokens) for key, tokens in items if len(tokens) >= self.min_size]
        counts = Counter(token for _, tokens in items for token in tokens)
        self._rank = {token: (count, hash(token)) for token, count in counts.items()}
        for key, tokens in items:
            self.add(key, tokens)

    def _order(self, token: str) -> tuple[int, int]:
        rank = self._rank.get(token)
        return rank if rank is not None else (0, hash(token))

    def _prefix(self, tokens: frozenset[str]) -> list[str]:
        length = len(tokens) - math.ceil(self.threshold * len(tokens)) + 1
        try:
            return sorted(tokens, key=self._rank.__getitem__)[:length]
        except KeyError:  # a token first seen after the build
            return sorted(tokens, key=self._order)[:length]

    def add(self, key: str, tokens: frozenset[str]) -> None:
        """Index (or re-index) the set of ``key``."""
        self.remove(key)
        if len(tokens) < self.min_size:
            return
        prefix = self._prefix(tokens)
        self.sets[key] = tokens
        self._prefixes[key] = prefix
        for token in prefix:
            self._postings.setdefault(token, set()).add(key)

    def remove(self, key: str) -> None:
        """Forget ``key``."""
        self.sets.pop(key, None)
        for token in self._prefixes.pop(key, []):
            holders = self._postings.get(token)
            if holders is not None:
                holders.discard(key)
                if not holders:
                    del self._postings[token]

    def matches(self, key: str) -> list[tuple[str, float]]:
        """Return the other keys at or above the threshold, most similar first."""
        tokens = self.sets.get(key)
        if tokens is None:
            return []
        candidates: set[str] = set()
        for token in self._prefixes[key]:
            candidates.update(self._postings.get(token, ()))
        candidates.discard(key)
        size = len(tokens)
        found = []
        for other in candidates:
            other_tokens = self.sets[other]
            small, large = sorted((size, len(other_tokens)))
            if small < self.threshold * large:  # sizes alone rule the pair out
                continue
            score = jaccard(tokens, other_tokens)
            if score >= self.threshold:
                found.append((other, score))
        return sorted(found, key=lambda item: (-item[1], item[0]))
