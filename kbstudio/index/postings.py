"""What evaluating and ranking a query reads of a set of documents: the postings source.

One query evaluator (``kbstudio.index.evaluate``) and one ranker (``kbstudio.index.ranker``)
answer every search. They read documents only through ``PostingsSource``, which two classes
implement:

- ``kbstudio.index.whoosh_view.IndexView``: the Whoosh index, read straight from its posting
  blocks (the searcher's usual source);
- ``kbstudio.index.scan_view.View``: the scan's in-memory table of the same fields and stems,
  while the index is being built or rebuilt (``kbstudio.index.scan``).

Documents are numbered ``0 .. doc_slots - 1``; numbers in ``deleted`` are never answered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# (document number, field weight) pairs of one block of a term's postings
WeightedBlock = Iterable[tuple[int, float]]


@dataclass(frozen=True)
class Stored:
    """What a search result shows of one document, as the index stores it.

    ``tier``, ``kind`` and ``status`` are the stored values (``"untiered"`` or empty when unset);
    ``mtime`` is seconds since the epoch; ``body`` and ``code`` are reading text
    (``kbstudio.index.text``), for snippets.
    """

    doc_id: str
    path: str
    title: str
    tier: str | None
    kind: str | None
    status: str | None
    mtime: float
    body: str
    code: str


class PostingsSource(Protocol):
    """The statistics, postings and stored fields of one fixed set of documents.

    A source never changes once made: evaluators keep caches against it.
    """

    @property
    def doc_count(self) -> int:
        """Return the number of live documents, at least 1 (BM25's N)."""

    @property
    def doc_slots(self) -> int:
        """Return how many document numbers are in use, deleted documents included."""

    @property
    def deleted(self) -> set[int]:
        """Return the numbers of deleted documents (never answered)."""

    @property
    def text_fields(self) -> tuple[str, ...]:
        """Return the free-text fields with lengths, of ``title``, ``issue``, ``body``, ``code``."""

    @property
    def offers_corrections(self) -> bool:
        """Return True when the source knows the KB's words well enough to correct typos."""

    def df(self, field: str, stem: str) -> int:
        """Return in how many documents ``stem`` stands in text field ``field``."""

    def weighted_postings(self, field: str, stem: str, b: float) -> Iterable[WeightedBlock]:
        """Return blocks of (document, tf / (1 - b + b * length / average length)) for ``stem``.

        ``tf`` is the stem's count in the document's ``field``; length and average length are
        the field's, counted as the indexer counts them (BM25's length normalisation).
        """

    def docset(self, field: str, value: str) -> set[int]:
        """Return the documents having ``value`` in a field (a stem, a tag, a tier, an id key...),
        deleted ones included."""

    def has_value_prefix(self, field: str, prefix: str) -> bool:
        """Return True when a value of a value field (``id_key``, ``tags``...) starts with ``prefix``
        (deleted documents' values included)."""

    def title_word_counts(self) -> Mapping[str, int]:
        """Return in how many documents' titles each word stands, words as ``title_key`` splits
        them (NFC, case-folded, stop words kept)."""

    def positions(self, field: str, wanted: Mapping[str, Collection[int]]
                  ) -> dict[str, dict[int, list[int]]]:
        """Return, for each stem of ``wanted``, its positions in ``field`` of those of its
        documents that have it (positions as the index records them: stop words do not count,
        a dotted word's parts share its position)."""

    def accented_stems(self) -> Mapping[str, set[str]]:
        """Return the indexed stems with accents, by their accent-folded form."""

    def spelling_words(self) -> set[str]:
        """Return the words typos may be corrected to (titles, headings, tags)."""

    def two_edit_words(self, word: str) -> Iterable[str]:
        """Return the spelling words within two edits of ``word`` that share its first two letters."""

    def column(self, name: str) -> Sequence[Any]:
        """Return ``tier``, ``kind``, ``status`` or ``mtime`` of every document, by number."""

    def stored(self, doc: int) -> Stored:
        """Return what a result shows of document ``doc``."""

    def tag_counts(self, docs: set[int]) -> dict[str, int]:
        """Return how many of ``docs`` have each tag (tags of none left out)."""
