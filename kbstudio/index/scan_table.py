"""The scan's in-memory table of a KB's documents: stems by field, lengths, values, reading text.

What the scan (``kbstudio.index.scan``) reads of each document is what the index stores: the
indexer's ``document_fields`` (``kbstudio.index.text.index_text``'s reading text, tier, kind,
status, tags, products, id and title keys), split into stems by the index's analyzer.

Per field, each stem's postings are packed integers (document number << ``TF_BITS`` | term
count) in one ``array`` per stem, or a plain int for a stem of one document (most stems). Each
document also keeps its field lengths (as the index counts them), its metadata, and zlib-compressed
copies of its body reading text and code (for snippets) and of its title, body and code as word
numbers (``Table.sequence``: for phrases and proximity). That is about 7 KB a document: 17 MB for
the 2,459-document support corpus, 87 MB for 25,000 documents (the process grows by about 1.3
times the estimate). ``Table.estimate`` is what the scan checks against its memory budget.

Documents are appended in order and published last, so a reader that takes ``len(docs)`` once
(a ``View``) sees only complete documents while another thread goes on loading.
"""

from __future__ import annotations

import math
import zlib
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.indexer import document_fields
from kbstudio.index.search import FACET_FIELDS
from kbstudio.names import fold_accents

TEXT_FIELDS = ("title", "issue", "body", "code")
VALUE_FIELDS = ("tier", "kind", "status", "tags", "products", "id_key", "title_key")
SEQUENCE_FIELDS = ("title", "body", "code")   # kept as word numbers, for phrases and proximity
TF_BITS = 8
TF_MAX = (1 << TF_BITS) - 1
# Estimated bytes, for the budget: one posting in an array, a stem's entry (dict slot, key,
# array header), one document's metadata (object, strings, lengths).
_POSTING_BYTES = 4
_STEM_BYTES = 150
_DOCUMENT_BYTES = 600
_COMPRESSION = 1
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

Postings = Sequence[int]   # packed: document number << TF_BITS | term count
SlotScores = tuple[dict[int, float], dict[int, float]]   # a word's scores, all fields and the title's


@dataclass(slots=True)
class Doc:
    """What the table keeps of one document besides its postings."""

    rel: str
    doc_id: str
    title: str
    tier: str          # "untiered" when unset, as the index stores it
    kind: str
    status: str
    mtime: float
    tags: tuple[str, ...]  # lower case, as the index's tag facets count them
    text: bytes | None     # the body's reading text, zlib-compressed; None when not kept
    code: bytes | None     # the code blocks' text, the same way
    words: tuple[bytes | None, ...]  # title, body, code as word numbers (``Table.sequence``), the same way


class Table:
    """Every document's stems by field, lengths, values and (compressed) reading text.

    Documents are appended in order and published last (``docs``), so a reader that takes
    ``len(docs)`` first sees only complete documents: postings of later ones are cut off.
    """

    def __init__(self, root: Path, analyzer: SupportAnalyzer, keep: set[str] | None = None,
                 keep_texts: bool = True) -> None:
        self.root = root
        self.analyzer = analyzer
        self.keep = keep                 # only these stems (and their accent folds): streaming
        self.keep_texts = keep_texts
        self.docs: list[Doc] = []
        self.postings: dict[str, dict[str, Any]] = {name: {} for name in TEXT_FIELDS}
        self.lengths: dict[str, array[int]] = {name: array("I") for name in TEXT_FIELDS}
        self.values: dict[str, dict[str, array[int]]] = {name: {} for name in VALUE_FIELDS}
        self.columns: dict[str, list[str]] = {name: [] for name in FACET_FIELDS}
        self.complete = False
        self.estimate = 0                # bytes, see _add
        self.spelling: set[str] = set()        # words of titles, headings and tags, for typos
        self.speller = SupportAnalyzer(stem=False, minsize=3)   # the index's "spell" field analyzer
        self.vocabulary: dict[str, int] = {}   # stem -> its number in word sequences
        self.within: dict[int, set[int]] = {}  # a stem's number -> numbers of dotted words with it as a part
        self._view: View | None = None

    def add(self, rel: str, fields: dict[str, Any]) -> None:
        """Add one document's index fields (``document_fields``) as the next document."""
        number = len(self.docs)
        keep = self.keep
        positioned = self.analyzer.positioned_tokens
        estimate = _DOCUMENT_BYTES
        words: list[bytes | None] = []
        for name in TEXT_FIELDS:
            placed = positioned(fields[name])
            if self.keep_texts and name in SEQUENCE_FIELDS:
                words.append(_compress_array(self.sequence(placed)) if placed else None)
                estimate += len(words[-1] or b"")
            # A part repeated inside one dotted token (0.0.0.1) counts once, as in the index.
            counts = Counter(stem for _, stem in set(placed))
            table = self.postings[name]
            for stem, count in counts.items():
                if keep is not None and stem not in keep and (
                        stem.isascii() or fold_accents(stem) not in keep):
                    continue
                packed = number << TF_BITS | min(count, TF_MAX)
                found = table.get(stem)
                if found is None:
                    table[stem] = packed
                    estimate += _STEM_BYTES
                elif type(found) is int:
                    table[stem] = array("I", (found, packed))
                else:
                    found.append(packed)
                estimate += _POSTING_BYTES
            self.lengths[name].append(int(fields[f"len_{name}"]))
        spelling = self.spelling
        for word in self.speller.index_tokens(fields["spell"]):
            if word not in spelling:
                spelling.add(word)
                estimate += _STEM_BYTES
        for name in VALUE_FIELDS:
            for value in values_of(name, fields):
                self.values[name].setdefault(value, array("I")).append(number)
        text = code = None
        if self.keep_texts:
            text = _compress(fields["body"])
            code = _compress(fields["code"])
            estimate += len(text or b"") + len(code or b"")
        self.estimate += estimate
        doc = Doc(rel, fields["doc_id"], fields["title"], fields["tier"] or "untiered",
                   fields["kind"] or "article", fields["status"] or "draft",
                   float(fields["mtime"] or 0), tuple(values_of("tags", fields)), text, code,
                   tuple(words))
        for name in FACET_FIELDS:
            self.columns[name].append(getattr(doc, name))
        self.docs.append(doc)

    def sequence(self, placed: list[tuple[int, str]]) -> array[int]:
        """Return the numbers of a text's words by position (``positioned_tokens`` of the text).

        A dotted word's parts share its position: the word's number stands there, and ``within``
        notes the parts. Numbers are given on first sight, by the loading thread only.
        """
        vocabulary = self.vocabulary
        out = array("I")
        last = -1
        for position, stem in placed:
            number = vocabulary.get(stem)
            if number is None:
                number = vocabulary[stem] = len(vocabulary)
                self.estimate += _STEM_BYTES
            if position != last:
                out.append(number)
                last = position
            elif number != out[-1]:
                self.within.setdefault(number, set()).add(out[-1])
        return out

    def drop_texts(self) -> None:
        """Forget the stored reading texts (snippets read their document again)."""
        self.keep_texts = False
        for doc in self.docs:
            self.estimate -= sum(len(blob or b"") for blob in (doc.text, doc.code, *doc.words))
            doc.text = doc.code = None
            doc.words = ()

    def view(self) -> View:
        """Return a view of the documents published so far (the same one while nothing changes)."""
        count = len(self.docs)
        view = self._view
        if view is None or view.count != count or view.complete != self.complete:
            view = View(self, count, self.complete)
            self._view = view
        return view


def _compress(text: str) -> bytes | None:
    return zlib.compress(text.encode("utf-8"), _COMPRESSION) if text else None


def _compress_array(numbers: array[int]) -> bytes:
    return zlib.compress(numbers.tobytes(), _COMPRESSION)


def values_of(name: str, fields: dict[str, Any]) -> list[str]:
    """Return the filter values of field ``name`` of a document, as the index stores them."""
    value = fields[name]
    if name in ("tags", "products"):   # a KEYWORD field: comma-separated, lower case
        return [v.strip().lower() for v in value.split(",") if v.strip()]
    if name == "tier":
        return [value or "untiered"]
    return [value] if value else []


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
    """The table as of ``count`` documents: what one search reads, with its statistics cached."""

    def __init__(self, table: Table, count: int, complete: bool) -> None:
        self.table = table
        self.count = count
        self.complete = complete
        self.doc_count = max(count, 1)
        self._cut = count << TF_BITS
        self._norms: dict[tuple[str, float], array[float]] = {}
        self._folded: dict[str, set[str]] | None = None
        self._by_prefix: dict[str, list[str]] | None = None
        self.corrected: dict[str, str | None] = {}
        self.slot_cache: OrderedDict[tuple[tuple[str, ...], str], SlotScores] = OrderedDict()

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

    def df(self, name: str, stem: str) -> int:
        """Return how many of the view's documents have ``stem`` in field ``name``."""
        return len(self.postings(name, stem))

    def idf(self, df: int) -> float:
        """Return BM25's inverse document frequency, as the index computes it."""
        n = self.doc_count
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

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

    def accent_variants(self, stem: str) -> set[str]:
        """Return the table's stems equal to ``stem`` once accents are folded (``cafe`` -> ``café``)."""
        if self._folded is None:
            folded: dict[str, set[str]] = {}
            for name in ("title", "issue", "body"):
                for term in list(self.table.postings[name]):
                    if not term.isascii():
                        folded.setdefault(fold_accents(term), set()).add(term)
            self._folded = folded
        key = fold_accents(stem)
        found = set(self._folded.get(key, ()))
        if key != stem:
            found.add(key)
        found.discard(stem)
        return found

    def one_edit_words(self, word: str) -> set[str]:
        """Return the spelling words one edit (delete, swap, change, insert) from ``word``."""
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        return edits & self.table.spelling

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

    def positions(self, number: int, name: str, finder: Finder) -> dict[str, list[int]]:
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
