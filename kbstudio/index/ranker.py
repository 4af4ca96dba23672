"""Score documents straight from Whoosh postings: BM25 per field, coordination, proximity.

Whoosh's generic matcher tree costs microseconds per document per term in Python; reading
posting blocks directly and scoring in one loop is an order of magnitude faster, which is what
keeps pasted error messages (many words, many matches) under the latency budget.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from kbstudio.index.schema import LENGTH_FIELDS
from kbstudio.names import fold_accents


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


Block = tuple[Sequence[int], Sequence[float]]


@dataclass(frozen=True)
class SlotScores:
    """One query word's scores by document: ``all`` of its fields, and the ``title``'s share."""

    all: dict[int, float]
    title: dict[int, float]


def raw_postings(leaf: IndexReader, field: str, term: str) -> Any:
    """Return the segment's own matcher for ``term``, without the deleted-documents filter.

    IndexView removes deleted documents itself, once, instead of per posting.
    """
    matcher = leaf.postings(field, term)
    while hasattr(matcher, "child") and not hasattr(matcher, "_read_ids"):
        matcher = matcher.child
    return matcher


def leaf_postings(leaf: IndexReader, field: str, term: str) -> Iterator[Block]:
    """Yield (docnums, weights) a block at a time for ``term`` in one segment."""
    try:
        matcher = raw_postings(leaf, field, term)
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


COLUMN_NAMES = ("tier", "kind", "status", "mtime")
SegmentColumns = Any  # a segment's columns, or (segment id, 'folded') -> its accent table


class IndexView:
    """What one searcher needs in memory: columns, lengths, deleted documents.

    Segments never change once written, so their columns are loaded once and kept in
    ``segment_cache`` across refreshes; after a save only the new small segment is read.
    """

    def __init__(self, searcher: Searcher, segment_cache: dict[Any, SegmentColumns] | None = None
                 ) -> None:
        reader = searcher.reader()
        self.searcher = searcher
        self.reader = reader
        # An index of no documents has one leaf without a segment: nothing to read.
        self.leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.segment() is not None]
        self.doc_count = max(reader.doc_count(), 1)
        cache = segment_cache if segment_cache is not None else {}
        self.columns: dict[str, list[Any]] = {name: [] for name in COLUMN_NAMES}
        self.lengths: dict[str, list[int]] = {f: [] for f in LENGTH_FIELDS}
        self.deleted: set[int] = set()
        live_keys = set()
        for leaf, offset in self.leaves:
            segment = leaf.segment()
            key = segment.segment_id()
            live_keys.add(key)
            data = cache.get(key)
            if data is None:
                data = {name: list(leaf.column_reader(name)) for name in COLUMN_NAMES}
                data.update({f"len_{f}": list(leaf.column_reader(f"len_{f}")) for f in LENGTH_FIELDS})
                cache[key] = data
            for name in COLUMN_NAMES:
                self.columns[name].extend(data[name])
            for field in LENGTH_FIELDS:
                self.lengths[field].extend(data[f"len_{field}"])
            if segment.has_deletions():
                self.deleted.update(offset + d for d in segment.deleted_docs())
        for stale in {k for k in cache if (k[0] if isinstance(k, tuple) else k) not in live_keys}:
            del cache[stale]
        self.average = {f: (sum(v) / len(v) if v else 1.0) or 1.0 for f, v in self.lengths.items()}
        self._spelling: set[str] | None = None
        self._folded: dict[str, set[str]] | None = None
        self._segment_cache = cache

    def spelling_words(self) -> set[str]:
        """Return every word of the spelling list (loaded on first use)."""
        if self._spelling is None:
            self._spelling = {
                (word.decode("utf-8") if isinstance(word, bytes) else word)
                for leaf, _ in self.leaves for word in leaf.lexicon("spell")
            }
        return self._spelling

    def one_edit_words(self, word: str) -> set[str]:
        """Return the spelling-list words one edit (delete, swap, change, insert) from ``word``."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
        edits |= {a + c + b for a, b in splits for c in letters}
        return edits & self.spelling_words()

    def accent_variants(self, stem: str) -> set[str]:
        """Return the indexed stems that equal ``stem`` once accents are folded (``cafe`` -> ``café``).

        Only words with accents need a table: it is built from each segment's word list on first
        use and kept with the segment's columns (about 0.1 s per 25,000 documents).
        """
        if self._folded is None:
            self._folded = defaultdict(set)
            for leaf, _ in self.leaves:
                key = (leaf.segment().segment_id(), "folded")
                table = self._segment_cache.get(key)
                if table is None:
                    table = _accented_terms(leaf)
                    self._segment_cache[key] = table
                for folded, terms in table.items():
                    self._folded[folded].update(terms)
        folded = fold_accents(stem)
        found = set(self._folded.get(folded, ()))
        if folded != stem:
            found.add(folded)
        found.discard(stem)
        return found

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
                matcher = raw_postings(leaf, field, term)
            except TermNotFound:
                continue
            if hasattr(matcher, "_maxid") and hasattr(matcher, "_read_values"):
                _block_positions(matcher, local, offset, found)
                continue
            for docnum in local:
                if not matcher.is_active():
                    break
                matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[docnum + offset] = matcher.value_as("positions")
        return found


class Ranker:
    """Scores query words against an IndexView; remembers recent words (the view is immutable)."""

    CACHE_SIZE = 512

    def __init__(self, view: IndexView, weights: RankWeights) -> None:
        self.view = view
        self.weights = weights
        self._cache: OrderedDict[tuple[tuple[str, ...], str], SlotScores] = OrderedDict()

    def cached_slot_scores(self, stems: Sequence[str], word: str) -> SlotScores:
        """Return ``slot_scores`` through a small LRU cache (typing a query repeats words)."""
        key = (tuple(stems), word.lower())
        found = self._cache.get(key)
        if found is None:
            found = self.slot_scores(stems, word)
            self._cache[key] = found
            if len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found

    def idf(self, df: int) -> float:
        """Return BM25's inverse document frequency of a term found in ``df`` documents."""
        n = self.view.doc_count
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def slot_scores(self, stems: Sequence[str], word: str) -> SlotScores:
        """Return the BM25 scores of one query word (with its alternatives) in every document.

        Each text field is scored by BM25 with its own document frequencies and saturation, and
        the fields' scores are added with their weights: a word rare in titles but common in
        pages ("activation") says much when it is in a title. Alternatives of the word (a typo's
        correction, an accent-folded form) count as the same term within a field, as query-time
        synonyms do in BM25; the document frequency is the most frequent alternative's. Tags and
        products add a fixed bonus per matching document. The title's share is also returned
        apart, for the title coordination in ``search``.
        """
        w = self.weights
        k1, b = w.k1, w.b
        total: dict[int, float] = {}
        title: dict[int, float] = {}
        for field, weight in self.text_fields:
            pseudo: dict[int, float] = defaultdict(float)
            df_max = 0
            lengths = self.view.lengths[field]
            base = 1.0 - b
            slope = b / self.view.average[field]
            for stem in stems:
                df = self.view.doc_frequency(field, stem)
                if not df:
                    continue
                df_max = max(df_max, df)
                for leaf, offset in self.view.leaves:
                    for ids, tfs in leaf_postings(leaf, field, stem):
                        docs = [i + offset for i in ids] if offset else ids
                        values = [tf / (base + slope * lengths[d]) for d, tf in zip(docs, tfs, strict=False)]
                        if len(stems) == 1:   # the common case: nothing to add up
                            pseudo.update(zip(docs, values, strict=False))
                        else:
                            for doc, value in zip(docs, values, strict=False):
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
            df = self.view.doc_frequency(field, lowered)
            if df:
                bonus = weight * self.idf(df)
                for doc in self.view.docset(field, lowered):
                    total[doc] = total.get(doc, 0.0) + bonus
        for doc, value in title.items():
            total[doc] = total.get(doc, 0.0) + value
        return SlotScores(total, title)

    @property
    def text_fields(self) -> tuple[tuple[str, float], ...]:
        """Return (field, weight) of the free-text fields this index has."""
        w = self.weights
        wanted = (("title", w.title), ("issue", w.issue), ("body", w.body), ("code", w.code))
        return tuple((f, weight) for f, weight in wanted if f in self.view.lengths and weight > 0)

    def phrase_docs(self, stems: list[str], candidates: set[int]) -> set[int]:
        """Return the candidates whose title or body has ``stems`` as consecutive words."""
        found: set[int] = set()
        docs = sorted(candidates)
        for field in ("title", "body"):
            where = [self.view.positions(field, stem, docs) for stem in stems]
            for doc in set.intersection(*(set(w) for w in where)) - found:
                starts = set(where[0][doc])
                for offset, positions in enumerate(where[1:], 1):
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
        weight_of = {stem: self.idf(max(self.view.doc_frequency("body", stem),
                                        self.view.doc_frequency("title", stem), 1))
                     for stem in wanted}
        bonus: dict[int, float] = defaultdict(float)
        matched: dict[tuple[int, str], int] = defaultdict(int)  # pairs found, by field
        fields = (("body", w.pair_body, True), ("code", w.pair_code, True), ("title", w.pair_title, False))
        for field, weight, ordered in fields:
            if weight <= 0:
                continue
            where = {stem: self.view.positions(field, stem, sorted(docs))
                     for stem, docs in wanted.items() if docs and self.view.doc_frequency(field, stem)}
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


def _block_positions(matcher: Any, local: list[int], offset: int, found: dict[int, list[int]]) -> None:
    """Add the positions of ``local`` (sorted segment docnums) from a Whoosh 2.7 W3LeafMatcher.

    Whoosh's own skip_to() decodes every block it passes to compare ids; a block's header holds
    its largest id, so blocks without a wanted document are passed unread.
    """
    decode = matcher.format.decoder("positions")
    for docnum in local:
        while matcher._maxid < docnum:
            if matcher._lastblock:
                return
            matcher._next_block()
        if matcher._ids is None:
            matcher._read_ids()
        ids = matcher._ids
        at = bisect_left(ids, docnum)
        if at < len(ids) and ids[at] == docnum:
            if matcher._values is None:
                matcher._read_values()
            found[docnum + offset] = decode(matcher._values[at])


def _accented_terms(leaf: IndexReader) -> dict[str, set[str]]:
    """Return the segment's words with accents, by their folded form."""
    table: dict[str, set[str]] = defaultdict(set)
    for field in ("title", "issue", "body"):
        for term in leaf.lexicon(field):
            if not term.isascii():
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                table[fold_accents(word)].add(word)
    return dict(table)


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
