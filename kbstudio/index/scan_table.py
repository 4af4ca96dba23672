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
(a ``kbstudio.index.scan_view.View``, what a search reads) sees only complete documents while
another thread goes on loading.
"""

from __future__ import annotations

import zlib
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.results import FACET_FIELDS
from kbstudio.names import fold_accents

TEXT_FIELDS = ("title", "issue", "body", "code")
VALUE_FIELDS = ("tier", "kind", "status", "tags", "products", "id_key", "title_key")
SEQUENCE_FIELDS = ("title", "body", "code")   # kept as word numbers, for phrases and proximity
COLUMNS = (*FACET_FIELDS, "mtime")   # each document's value, by number
TF_BITS = 8
TF_MAX = (1 << TF_BITS) - 1
# Estimated bytes, for the budget: one posting in an array, a stem's entry (dict slot, key,
# array header), one document's metadata (object, strings, lengths).
_POSTING_BYTES = 4
_STEM_BYTES = 150
_DOCUMENT_BYTES = 600
_COMPRESSION = 1

Postings = Sequence[int]   # packed: document number << TF_BITS | term count
Tokens = dict[str, tuple[bytes, str]]   # a document's tokens by text field (``encode_tokens``)
_SEPARATOR = "\x1f"   # between packed stems: no token holds it (they are runs of word characters)


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
        self.columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        self.complete = False
        self.estimate = 0                # bytes, see _add
        self.spelling: set[str] = set()        # words of titles, headings and tags, for typos
        self.speller = SupportAnalyzer(stem=False, minsize=3)   # the index's "spell" field analyzer
        self.vocabulary: dict[str, int] = {}   # stem -> its number in word sequences
        self.within: dict[int, set[int]] = {}  # a stem's number -> numbers of dotted words with it as a part

    def add(self, rel: str, fields: dict[str, Any], tokens: Tokens | None = None) -> None:
        """Add one document's index fields (``document_fields``) as the next document.

        ``tokens`` are its text fields' tokens as ``encode_tokens`` gave them (a build's worker
        process made them), else the table's analyzer splits the fields here.
        """
        number = len(self.docs)
        keep = self.keep
        positioned = self.analyzer.positioned_tokens
        estimate = _DOCUMENT_BYTES
        words: list[bytes | None] = []
        for name in TEXT_FIELDS:
            placed = positioned(fields[name]) if tokens is None else decode_tokens(tokens[name])
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
        for name in COLUMNS:
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


def encode_tokens(analyzer: SupportAnalyzer, fields: dict[str, Any]) -> Tokens:
    """Return the positioned tokens of a document's text fields, packed to cross a process
    boundary: unpickling the plain (position, stem) pairs cost the table's process 0.6 ms a
    document, nearly half of splitting the text again (measured on the 25,000-document KB)."""
    packed: Tokens = {}
    for name in TEXT_FIELDS:
        placed = analyzer.positioned_tokens(fields[name])
        packed[name] = (array("I", (position for position, _ in placed)).tobytes(),
                        _SEPARATOR.join(stem for _, stem in placed))
    return packed


def decode_tokens(packed: tuple[bytes, str]) -> list[tuple[int, str]]:
    """Return the (position, stem) pairs ``encode_tokens`` packed."""
    positions, stems = packed
    if not positions:
        return []
    return list(zip(array("I", positions), stems.split(_SEPARATOR), strict=True))


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


