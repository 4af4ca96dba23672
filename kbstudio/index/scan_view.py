"""The scan's table as a postings source (``kbstudio.index.postings``): what one search reads.

A ``View`` is the table (``kbstudio.index.scan_table``) as of a number of documents, with the
statistics the index keeps: document frequencies, BM25 length norms, positions (from the stored
word sequences, else from the text), accent variants, spelling words, stored fields.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kbstudio.index.indexer import document_fields
from kbstudio.index.postings import Stored, WeightedBlock
from kbstudio.index.scan_table import SEQUENCE_FIELDS, TEXT_FIELDS, TF_BITS, TF_MAX, Postings
from kbstudio.index.title_words import title_counts
from kbstudio.names import fold_accents

if TYPE_CHECKING:
    from kbstudio.index.scan_table import Table


class Finder:
    """Finds where some stems stand in documents, by index position (as the index's postings
    record them: stop words do not count, a dotted word's parts share its position)."""

    def __init__(self, table: Table, stems: Iterable[str]) -> None:
        self.stems = frozenset(stems)
        # word number -> the stems it stands for: its own, and the parts of a dotted word
        self.numbers: dict[int, tuple[str, ...]] = {}
        for stem in self.stems:
            number = table.vocabulary.get(stem)
            if number is None:
                continue
            for holder in (number, *table.within.get(number, ())):
                self.numbers[holder] = (*self.numbers.get(holder, ()), stem)
        self.cache: dict[tuple[int, str], dict[str, list[int]]] = {}

    def in_sequence(self, numbers: array[int]) -> dict[str, list[int]]:
        """Return the positions of the stems in a word sequence (``Table.sequence``)."""
        found: dict[str, list[int]] = {}
        wanted = self.numbers
        for position, number in [(i, n) for i, n in enumerate(numbers) if n in wanted]:
            for stem in wanted[number]:
                found.setdefault(stem, []).append(position)
        return found

    def in_tokens(self, placed: list[tuple[int, str]]) -> dict[str, list[int]]:
        """Return the positions of the stems in ``positioned_tokens`` of a text."""
        found: dict[str, list[int]] = {}
        stems = self.stems
        for position, stem in placed:
            if stem in stems:
                at = found.setdefault(stem, [])
                if not at or at[-1] != position:
                    at.append(position)
        return found


class View:
    """The table as of ``count`` documents (a PostingsSource), with its statistics cached.

    Documents are never deleted from a table: ``deleted`` is empty.
    """

    text_fields = TEXT_FIELDS

    def __init__(self, table: Table, count: int, complete: bool) -> None:
        self.table = table
        self.count = count
        self.complete = complete
        self.doc_count = max(count, 1)
        self.doc_slots = count
        self.deleted: set[int] = set()
        # a streamed table holds only the query's own words: no typo fixes to offer
        self.offers_corrections = table.keep is None
        self._cut = count << TF_BITS
        self._norms: dict[tuple[str, float], array[float]] = {}
        self._folded: dict[str, set[str]] | None = None
        self._by_prefix: dict[str, list[str]] | None = None
        self._title_words: Counter[str] | None = None

    def postings(self, name: str, stem: str) -> Postings:
        """Return the packed postings of ``stem`` in field ``name`` among the view's documents."""
        found = self.table.postings[name].get(stem)
        if found is None:
            return ()
        if type(found) is int:
            return (found,) if found < self._cut else ()
        if self.complete:
            return found
        return found[:bisect_left(found, self._cut)]   # a copy: the loader appends to ``found``

    def docset(self, name: str, value: str) -> set[int]:
        """Return the documents whose field ``name`` has ``value`` (tier, tags, id_key, ...)."""
        found = self.table.values[name].get(value)
        if not found:
            return set()
        return {d for d in found if d < self.count}

    def has_value_prefix(self, name: str, prefix: str) -> bool:
        """Return True when a value of field ``name`` of the view's documents starts with ``prefix``."""
        # each value's documents are in the order they were added: the first tells
        return any(value.startswith(prefix) and docs[0] < self.count
                   for value, docs in list(self.table.values[name].items()) if docs)

    def title_word_counts(self) -> Counter[str]:
        """Return in how many of the view's documents' titles each word stands (built on first use)."""
        if self._title_words is None:
            self._title_words = title_counts(doc.title for doc in self.table.docs[:self.count])
        return self._title_words

    def df(self, name: str, stem: str) -> int:
        """Return how many of the view's documents have ``stem`` in field ``name``."""
        return len(self.postings(name, stem))

    def norms(self, name: str, b: float) -> array[float]:
        """Return 1 / (1 - b + b * length / average length) of every document for field ``name``."""
        key = (name, b)
        found = self._norms.get(key)
        if found is None:
            lengths = self.table.lengths[name][:self.count]
            average = (sum(lengths) / len(lengths) if lengths else 1.0) or 1.0
            base, slope = 1.0 - b, b / average
            found = array("d", (1.0 / (base + slope * length) for length in lengths))
            self._norms[key] = found
        return found

    def accented_stems(self) -> dict[str, set[str]]:
        """Return the table's stems with accents by their folded form (built on first use)."""
        if self._folded is None:
            folded: dict[str, set[str]] = {}
            for name in ("title", "issue", "body"):
                for term in list(self.table.postings[name]):
                    if not term.isascii():
                        folded.setdefault(fold_accents(term), set()).add(term)
            self._folded = folded
        return self._folded

    def weighted_postings(self, name: str, stem: str, b: float) -> list[WeightedBlock]:
        """Return one block of (document, tf / (1 - b + b * length / average length)) for ``stem``."""
        postings = self.postings(name, stem)
        if not postings:
            return []
        norms = self.norms(name, b)
        return [[(p >> TF_BITS, (p & TF_MAX) * norms[p >> TF_BITS]) for p in postings]]

    def spelling_words(self) -> set[str]:
        """Return the words of titles, headings and tags (typos are corrected to them)."""
        return self.table.spelling

    def two_edit_words(self, word: str) -> list[str]:
        """Return the spelling words within two edits of ``word`` that share its first two letters."""
        if self._by_prefix is None:
            by_prefix: dict[str, list[str]] = {}
            for known in list(self.table.spelling):
                by_prefix.setdefault(known[:2], []).append(known)
            self._by_prefix = by_prefix
        return [known for known in self._by_prefix.get(word[:2], ())
                if abs(len(known) - len(word)) <= 2 and distance(word, known, 2) <= 2]

    def text(self, number: int, name: str) -> str:
        """Return a document's title, body reading text or code: stored, else read from its file."""
        doc = self.table.docs[number]
        if name == "title":
            return doc.title
        stored = doc.text if name == "body" else doc.code
        if stored is not None:
            return zlib.decompress(stored).decode("utf-8")
        if not self.table.keep_texts:
            found = document_fields(self.table.root, self.table.root / doc.rel)
            return found[0][name] if found is not None else ""
        return ""

    def positions(self, name: str, wanted: Mapping[str, Collection[int]]) -> dict[str, dict[int, list[int]]]:
        """Return the positions of each stem of ``wanted`` in field ``name``, for its documents
        that have it."""
        finder = Finder(self.table, wanted)
        out: dict[str, dict[int, list[int]]] = {}
        for stem, docs in wanted.items():
            found = {}
            for number in docs:
                where = self.positions_in(number, name, finder).get(stem)
                if where:
                    found[number] = where
            if found:
                out[stem] = found
        return out

    def column(self, name: str) -> list[Any]:
        """Return ``tier``, ``kind``, ``status`` or ``mtime`` of every document, by number."""
        return self.table.columns[name]

    def stored(self, number: int) -> Stored:
        """Return what a result shows of document ``number``: the table's fields, its texts
        stored, else read from its file once."""
        doc = self.table.docs[number]
        if self.table.keep_texts:
            body, code = self.text(number, "body"), self.text(number, "code")
        else:
            found = document_fields(self.table.root, self.table.root / doc.rel)
            body, code = (found[0]["body"], found[0]["code"]) if found is not None else ("", "")
        return Stored(doc.doc_id, doc.rel, doc.title, doc.tier, doc.kind, doc.status, doc.mtime, body, code)

    def tag_counts(self, docs: set[int]) -> dict[str, int]:
        """Return how many of ``docs`` have each tag."""
        table = self.table.docs
        return dict(Counter(tag for d in docs for tag in table[d].tags))

    def positions_in(self, number: int, name: str, finder: Finder) -> dict[str, list[int]]:
        """Return where ``finder``'s stems stand in a document's field (title, body or code).

        From the stored word sequence; without one (texts dropped, streaming), from the text.
        """
        key = (number, name)
        found = finder.cache.get(key)
        if found is None:
            words = self.table.docs[number].words
            stored = words[SEQUENCE_FIELDS.index(name)] if words else None
            if stored is not None:
                numbers = array("I")
                numbers.frombytes(zlib.decompress(stored))
                found = finder.in_sequence(numbers)
            elif words:   # an empty field
                found = {}
            else:
                found = finder.in_tokens(self.table.analyzer.positioned_tokens(self.text(number, name)))
            finder.cache[key] = found
        return found


def distance(first: str, second: str, limit: int) -> int:
    """Return the edit distance of two words (a swap of neighbours is one edit), or ``limit + 1``
    once it is sure to pass ``limit``."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            cost = current[j - 1] + 1
            cost = min(cost, previous[j] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
