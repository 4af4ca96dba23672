"""Score documents of a postings source: BM25 per field, phrases, and proximity of query words.

The scores are read from a ``PostingsSource`` (``kbstudio.index.postings``): the Whoosh index's
blocks or the scan's table, so the index and the scan score alike. Coordination and the order
of results are in ``kbstudio.index.evaluate`` and ``kbstudio.index.results``.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kbstudio.index.postings import PostingsSource


@dataclass(frozen=True)
class RankWeights:
    """The knobs of the ranking, chosen on the two query sets of bench/search_quality.py.

    Field weights multiply each field's BM25 score (k1, b: Robertson's usual 1.2 and 0.75);
    ``coord_power`` scales a document's total by (query words found / query words) ** power,
    and ``title_coord_power`` the title's part once more by the share the title holds. Pairs
    of neighbouring query words within ``pair_window`` positions earn ``pair_*`` times the
    rarer word's idf over the gap, for the ``proximity_pool`` best documents (and as many
    holding every word), counting the first ``proximity_terms`` words; the sum is scaled by
    (pairs found / pairs) ** ``pair_coverage_power``.
    """

    title: float = 3.0
    issue: float = 1.5
    body: float = 1.0
    code: float = 0.5
    tags: float = 2.0
    products: float = 1.0
    k1: float = 1.2
    b: float = 0.75
    coord_power: float = 1.0
    title_coord_power: float = 1.0
    pair_body: float = 8.0
    pair_code: float = 3.0
    pair_title: float = 2.0
    pair_window: int = 3
    pair_coverage_power: float = 2.0
    proximity_pool: int = 50
    proximity_terms: int = 24


@dataclass(frozen=True)
class SlotScores:
    """One query word's scores by document: ``all`` of its fields, and the ``title``'s share."""

    all: dict[int, float]
    title: dict[int, float]


class Ranker:
    """Scores query words against one postings source; remembers recent words (sources never change).

    Searches on several threads may share a ranker (the scan's searches do).
    """

    CACHE_SIZE = 512

    def __init__(self, source: PostingsSource, weights: RankWeights) -> None:
        self.source = source
        self.weights = weights
        self._cache: OrderedDict[tuple[tuple[str, ...], str], SlotScores] = OrderedDict()
        self._cache_lock = threading.Lock()
        wanted = (("title", weights.title), ("issue", weights.issue), ("body", weights.body),
                  ("code", weights.code))
        # (field, weight) of the free-text fields the source has
        self.text_fields = tuple((f, w) for f, w in wanted if f in source.text_fields and w > 0)

    def cached_slot_scores(self, stems: Sequence[str], word: str) -> SlotScores:
        """Return ``slot_scores`` through a small LRU cache (typing a query repeats words)."""
        key = (tuple(stems), word.lower())
        found = self._cache.get(key)
        if found is None:
            found = self.slot_scores(stems, word)
            with self._cache_lock:
                self._cache[key] = found
                if len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
        else:
            with self._cache_lock:
                if key in self._cache:   # another thread may have just let it go
                    self._cache.move_to_end(key)
        return found

    def idf(self, df: int) -> float:
        """Return BM25's inverse document frequency of a term found in ``df`` documents."""
        n = self.source.doc_count
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def slot_scores(self, stems: Sequence[str], word: str) -> SlotScores:
        """Return the BM25 scores of one query word (with its alternatives) in every document.

        Each text field is scored by BM25 with its own document frequencies and saturation, and
        the fields' scores are added with their weights: a word rare in titles but common in
        pages ("activation") says much when it is in a title. Alternatives of the word (a typo's
        correction, an accent-folded form) count as the same term within a field, as query-time
        synonyms do in BM25; the document frequency is the most frequent alternative's. Tags and
        products add a fixed bonus per matching document. The title's share is also returned
        apart, for the title coordination in ``kbstudio.index.evaluate``.
        """
        w = self.weights
        k1 = w.k1
        source = self.source
        total: dict[int, float] = {}
        title: dict[int, float] = {}
        for field, weight in self.text_fields:
            pseudo: dict[int, float] = defaultdict(float)
            df_max = 0
            for stem in stems:
                df = source.df(field, stem)
                if not df:
                    continue
                df_max = max(df_max, df)
                for block in source.weighted_postings(field, stem, w.b):
                    if len(stems) == 1:   # the common case: nothing to add up
                        pseudo.update(block)
                    else:
                        for doc, value in block:
                            pseudo[doc] += value
            if not pseudo:
                continue
            factor = weight * self.idf(df_max) * (k1 + 1.0)
            target = title if field == "title" else total
            if not target:
                target.update((doc, factor * tf / (tf + k1)) for doc, tf in pseudo.items())
                continue
            for doc, tf in pseudo.items():
                target[doc] = target.get(doc, 0.0) + factor * tf / (tf + k1)
        lowered = word.lower()
        for field, weight in (("tags", w.tags), ("products", w.products)):
            docs = source.docset(field, lowered)
            if docs:
                bonus = weight * self.idf(len(docs))
                for doc in docs:
                    total[doc] = total.get(doc, 0.0) + bonus
        for doc, value in title.items():
            total[doc] = total.get(doc, 0.0) + value
        return SlotScores(total, title)

    def phrase_docs(self, stems: list[str], candidates: set[int]) -> set[int]:
        """Return the candidates whose title or body has ``stems`` as consecutive words."""
        found: set[int] = set()
        for field in ("title", "body"):
            docs = candidates - found
            if not docs:
                break
            where = self.source.positions(field, dict.fromkeys(stems, docs))
            at = [where.get(stem, {}) for stem in stems]
            for doc in set.intersection(*(set(w) for w in at)):
                starts = set(at[0][doc])
                for offset, positions in enumerate(at[1:], 1):
                    starts &= {p - offset for p in positions[doc]}
                    if not starts:
                        break
                if starts:
                    found.add(doc)
        return found

    def proximity(self, stems: list[str], docnums: list[int], present: dict[str, Any]) -> dict[int, float]:
        """Return a bonus for documents where neighbouring query words stand close together.

        Each pair of words next to each other in the query earns, where the document has them
        within ``pair_window`` positions in that order, the rarer word's idf divided by the gap
        (after Rasolofo and Savoy, "Term proximity scoring for keyword-based retrieval
        systems", ECIR 2003). A copied sentence thus ranks the page that has it word for word
        above pages that merely share its words. In titles the order is free: keywords are
        typed in any order. ``present`` maps each stem to the documents known to contain it,
        so positions are only read where a pair can match.
        """
        w = self.weights
        unique = [s for i, s in enumerate(stems) if i == 0 or s != stems[i - 1]][: w.proximity_terms]
        pairs = [(a, c) for a, c in zip(unique, unique[1:], strict=False) if a != c]
        if not pairs or not docnums:
            return {}
        candidates = set(docnums)
        wanted: dict[str, set[int]] = defaultdict(set)
        for first, second in pairs:
            both = candidates & present.get(first, set()) & present.get(second, set())
            wanted[first] |= both
            wanted[second] |= both
        source = self.source
        weight_of = {stem: self.idf(max(source.df("body", stem), source.df("title", stem), 1))
                     for stem in wanted}
        bonus: dict[int, float] = defaultdict(float)
        matched: dict[tuple[int, str], int] = defaultdict(int)  # pairs found, by field
        fields = (("body", w.pair_body, True), ("code", w.pair_code, True), ("title", w.pair_title, False))
        for field, weight, ordered in fields:
            if weight <= 0:
                continue
            where = source.positions(field, wanted)
            for first, second in pairs:
                left, right = where.get(first, {}), where.get(second, {})
                pair_weight = weight * min(weight_of[first], weight_of[second])
                for doc in left.keys() & right.keys():
                    gap = _closest_gap(left[doc], right[doc], w.pair_window)
                    if not ordered and not gap:
                        gap = _closest_gap(right[doc], left[doc], w.pair_window)
                    if gap:
                        bonus[doc] += pair_weight / gap
                        matched[doc, field] += 1
        power = w.pair_coverage_power
        if power:
            share: dict[int, int] = defaultdict(int)
            for (doc, _), count in matched.items():
                share[doc] = max(share[doc], count)
            for doc in bonus:
                bonus[doc] *= (share[doc] / len(pairs)) ** power
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
