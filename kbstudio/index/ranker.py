"""Score documents straight from Whoosh postings: BM25 per field, coordination, proximity.

Whoosh's generic matcher tree costs microseconds per document per term in Python; reading
posting blocks directly and scoring in one loop is an order of magnitude faster, which is what
keeps pasted error messages (many words, many matches) under the latency budget.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from kbstudio.index.schema import LENGTH_FIELDS


@dataclass(frozen=True)
class RankWeights:
    """The knobs of the ranking, tuned on support queries (see bench/search_quality.py)."""

    title: float = 3.0
    issue: float = 1.5
    body: float = 1.0
    tags: float = 2.0
    products: float = 1.0
    k1: float = 1.2
    b: float = 0.75
    coord_power: float = 1.0
    pair_body: float = 1.0
    pair_title: float = 2.0
    pair_window: int = 3
    pool: int = 40


Block = tuple[Sequence[int], Sequence[float]]


def leaf_postings(leaf: IndexReader, field: str, term: str) -> Iterator[Block]:
    """Yield (docnums, weights) a block at a time for ``term`` in one segment."""
    try:
        matcher = leaf.postings(field, term)
    except TermNotFound:
        return
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        # Whoosh 2.7's W3LeafMatcher: decode whole blocks instead of one posting at a time.
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


class IndexView:
    """What one searcher needs in memory: columns, lengths, deleted documents."""

    def __init__(self, searcher: Searcher) -> None:
        reader = searcher.reader()
        self.searcher = searcher
        self.reader = reader
        self.leaves = list(reader.leaf_readers())
        self.doc_count = max(reader.doc_count(), 1)
        names = ("tier", "kind", "status", "mtime")
        self.columns = {name: list(reader.column_reader(name)) for name in names}
        self.lengths = {f: list(reader.column_reader(f"len_{f}")) for f in LENGTH_FIELDS}
        self.average = {f: (sum(v) / len(v) if v else 1.0) or 1.0
                        for f, v in self.lengths.items()}
        self.deleted: set[int] = set()
        if reader.has_deletions():
            self.deleted = set(range(reader.doc_count_all())) - set(reader.all_doc_ids())

    def doc_frequency(self, field: str, term: str) -> int:
        """Return how many documents have ``term`` in ``field``."""
        return self.reader.doc_frequency(field, term)

    def docset(self, field: str, term: str) -> set[int]:
        """Return the documents having ``term`` in ``field`` (deleted ones included)."""
        found: set[int] = set()
        for leaf, offset in self.leaves:
            for ids, _ in leaf_postings(leaf, field, term):
                found.update(d + offset for d in ids) if offset else found.update(ids)
        return found

    def positions(self, field: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
        """Return the positions of ``term`` in ``field`` for each of ``docnums`` that has it."""
        found: dict[int, list[int]] = {}
        wanted = sorted(docnums)
        for leaf, offset in self.leaves:
            local = [d - offset for d in wanted if offset <= d < offset + leaf.doc_count_all()]
            if not local:
                continue
            try:
                matcher = leaf.postings(field, term)
            except TermNotFound:
                continue
            for docnum in local:
                if not matcher.is_active():
                    break
                matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[docnum + offset] = matcher.value_as("positions")
        return found


class Ranker:
    """Scores query words against an IndexView."""

    def __init__(self, view: IndexView, weights: RankWeights) -> None:
        self.view = view
        self.weights = weights

    def _idf(self, df: int) -> float:
        n = self.view.doc_count
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def slot_scores(self, stems: Sequence[str], word: str) -> dict[int, float]:
        """Return BM25 scores of one query word (with its typo alternatives) over every field."""
        w = self.weights
        scores: dict[int, float] = defaultdict(float)
        k1, b = w.k1, w.b
        for stem in stems:
            for field, weight in (("title", w.title), ("issue", w.issue), ("body", w.body)):
                df = self.view.doc_frequency(field, stem)
                if not df:
                    continue
                factor = weight * self._idf(df) * (k1 + 1.0)
                lengths = self.view.lengths[field]
                base = k1 * (1.0 - b)
                slope = k1 * b / self.view.average[field]
                for leaf, offset in self.view.leaves:
                    for ids, tfs in leaf_postings(leaf, field, stem):
                        for local, tf in zip(ids, tfs, strict=False):
                            doc = local + offset
                            scores[doc] += factor * tf / (tf + base + slope * lengths[doc])
        lowered = word.lower()
        for field, weight in (("tags", w.tags), ("products", w.products)):
            df = self.view.doc_frequency(field, lowered)
            if df:
                bonus = weight * self._idf(df)
                for doc in self.view.docset(field, lowered):
                    scores[doc] += bonus
        return scores

    def proximity(self, stems: list[str], docnums: list[int]) -> dict[int, float]:
        """Return a bonus for documents where adjacent query words stand close together."""
        w = self.weights
        unique = list(dict.fromkeys(stems))[:12]
        if len(unique) < 2 or not docnums:
            return {}
        bonus: dict[int, float] = defaultdict(float)
        for field, weight in (("body", w.pair_body), ("title", w.pair_title)):
            where = {stem: self.view.positions(field, stem, docnums) for stem in unique}
            for first, second in zip(stems, stems[1:], strict=False):
                if first == second:
                    continue
                left, right = where.get(first, {}), where.get(second, {})
                for doc in left.keys() & right.keys():
                    gap = _closest_gap(left[doc], right[doc], w.pair_window)
                    if gap:
                        bonus[doc] += weight / gap
        return bonus


def _closest_gap(first: list[int], second: list[int], window: int) -> int:
    """Return the smallest forward distance (1..window) from a ``first`` to a ``second``, or 0."""
    best = 0
    following = set(second)
    for position in first:
        for gap in range(1, window + 1):
            if position + gap in following:
                if not best or gap < best:
                    best = gap
                break
        if best == 1:
            break
    return best
