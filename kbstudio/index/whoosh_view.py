"""The Whoosh index as a postings source (``kbstudio.index.postings``), read from its blocks.

Whoosh's generic matcher tree costs microseconds per document per term in Python; reading
posting blocks directly and scoring in one loop is an order of magnitude faster, which is what
keeps pasted error messages (many words, many matches) under the latency budget. Every use of
Whoosh's private members (``_read_ids``, ``_next_block``, ``_maxid``...) is in this module.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from kbstudio.index.postings import Stored, WeightedBlock
from kbstudio.index.schema import LENGTH_FIELDS
from kbstudio.names import fold_accents

Block = tuple[Sequence[int], Sequence[float]]
COLUMN_NAMES = ("tier", "kind", "status", "mtime")
MAX_TAG_FACETS = 500   # tags counted for the facets, the first in the index's (sorted) order
SegmentColumns = Any  # a segment's columns, or (segment id, 'folded') -> its accent table


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


class IndexView:
    """What one searcher needs in memory: columns, lengths, deleted documents (a PostingsSource).

    Segments never change once written, so their columns are loaded once and kept in
    ``segment_cache`` across refreshes; after a save only the new small segment is read.
    """

    offers_corrections = True
    text_fields = LENGTH_FIELDS

    def __init__(self, searcher: Searcher, segment_cache: dict[Any, SegmentColumns] | None = None
                 ) -> None:
        reader = searcher.reader()
        self.searcher = searcher
        self.reader = reader
        # An index of no documents has one leaf without a segment: nothing to read.
        self.leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.segment() is not None]
        self.doc_count = max(reader.doc_count(), 1)
        self.doc_slots = reader.doc_count_all()
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
        self._title_words: Counter[str] | None = None
        self._segment_cache = cache

    def spelling_words(self) -> set[str]:
        """Return every word of the spelling list (loaded on first use)."""
        if self._spelling is None:
            self._spelling = {
                (word.decode("utf-8") if isinstance(word, bytes) else word)
                for leaf, _ in self.leaves for word in leaf.lexicon("spell")
            }
        return self._spelling

    def two_edit_words(self, word: str) -> Iterator[str]:
        """Return the spelling words within two edits of ``word`` sharing its first two letters
        (Whoosh's Levenshtein automaton, segment by segment)."""
        for leaf, _ in self.leaves:
            yield from leaf.terms_within("spell", word, 2, prefix=2)

    def accented_stems(self) -> dict[str, set[str]]:
        """Return the indexed stems with accents by their folded form (``cafe`` -> ``{café}``).

        Built from each segment's word list on first use and kept with the segment's columns
        (about 0.1 s per 25,000 documents).
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
        return self._folded

    def has_value_prefix(self, field: str, prefix: str) -> bool:
        """Return True when a term of ``field`` starts with ``prefix`` (a lookup in each segment's
        sorted term list, not a scan)."""
        return any(next(iter(leaf.expand_prefix(field, prefix)), None) is not None for leaf, _ in self.leaves)

    def title_word_counts(self) -> Counter[str]:
        """Return in how many documents' titles each word stands, from the titles' keys
        (``title_key``, one term per distinct title: documents with the same title count each).

        Built on first use and kept with each segment's columns (about 50 ms per 25,000 documents).
        """
        if self._title_words is None:
            counts: Counter[str] = Counter()
            for leaf, _ in self.leaves:
                key = (leaf.segment().segment_id(), "title_words")
                table = self._segment_cache.get(key)
                if table is None:
                    table = Counter()
                    for term in leaf.lexicon("title_key"):
                        title = term.decode("utf-8") if isinstance(term, bytes) else term
                        table.update(dict.fromkeys(title.split(), leaf.doc_frequency("title_key", term)))
                    self._segment_cache[key] = table
                counts.update(table)
            self._title_words = counts
        return self._title_words

    def df(self, field: str, stem: str) -> int:
        """Return how many documents have ``stem`` in ``field``."""
        return self.reader.doc_frequency(field, stem)

    def weighted_postings(self, field: str, stem: str, b: float) -> Iterator[WeightedBlock]:
        """Yield a block at a time (document, tf / (1 - b + b * length / average length))."""
        lengths = self.lengths[field]
        base = 1.0 - b
        slope = b / self.average[field]
        for leaf, offset in self.leaves:
            for ids, tfs in leaf_postings(leaf, field, stem):
                docs = [i + offset for i in ids] if offset else ids
                yield zip(docs, [tf / (base + slope * lengths[d]) for d, tf in zip(docs, tfs, strict=False)],
                          strict=False)

    def docset(self, field: str, value: str) -> set[int]:
        """Return the documents having ``value`` in ``field`` (deleted ones included)."""
        found: set[int] = set()
        for leaf, offset in self.leaves:
            for ids, _ in leaf_postings(leaf, field, value):
                found.update(d + offset for d in ids) if offset else found.update(ids)
        return found

    def positions(self, field: str, wanted: Mapping[str, Collection[int]]
                  ) -> dict[str, dict[int, list[int]]]:
        """Return the positions of each stem of ``wanted`` in ``field``, for its documents that have it."""
        return {stem: self._positions(field, stem, sorted(docs))
                for stem, docs in wanted.items() if docs and self.df(field, stem)}

    def _positions(self, field: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
        """Return the positions of ``term`` in ``field`` for each of (sorted) ``docnums`` that has it."""
        found: dict[int, list[int]] = {}
        for leaf, offset in self.leaves:
            local = [d - offset for d in docnums if offset <= d < offset + leaf.doc_count_all()]
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

    def column(self, name: str) -> list[Any]:
        """Return ``tier``, ``kind``, ``status`` or ``mtime`` of every document, by number."""
        return self.columns[name]

    def stored(self, doc: int) -> Stored:
        """Return the stored fields of ``doc`` that a result shows."""
        fields = self.searcher.stored_fields(doc)
        return Stored(fields.get("doc_id") or "", fields["path"], fields.get("title") or "",
                      fields.get("tier"), fields.get("kind"), fields.get("status"),
                      float(self.columns["mtime"][doc] or 0), fields.get("body") or "",
                      fields.get("code") or "")

    def tag_counts(self, docs: set[int]) -> dict[str, int]:
        """Return how many of ``docs`` have each of the first ``MAX_TAG_FACETS`` tags."""
        counts: dict[str, int] = {}
        for tag in list(self.reader.field_terms("tags"))[:MAX_TAG_FACETS]:
            count = sum(1 for d in self.docset("tags", tag) if d in docs)
            if count:
                counts[tag] = count
        return counts


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
