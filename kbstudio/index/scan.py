"""A full-text scan of a KB's documents, for when the index cannot answer.

While the index is built for the first time, rebuilt after damage, after a cancelled build, or
when it cannot be written at all, searches are answered from the documents themselves. The scan
reads every document once into an in-memory table, with what the index reads of it: the same
fields (the indexer's ``document_fields``: ``kbstudio.index.text.index_text``'s reading text,
tier, kind, status, tags, products, ids and title keys) split into the same stems by the same
analyzer (``SupportAnalyzer``). Queries are parsed as the index parses them
(``kbstudio.index.query``: words, ``"phrases"``, ``AND``/``OR``/``NOT``, ``-word`` and the
``tier:``/``kind:``/``status:``/``tag:``/``product:``/``id:`` filters), scored with BM25 per field
with the index's field weights and coordination (``RankWeights``), the team's synonyms applied,
typos corrected from the KB's own words (*Did you mean*), ids and exact titles put first, the best
results re-ranked by how close the query's words stand, and snippets made by
``kbstudio.index.snippets`` from the reading text. The answer is a ``SearchResponse`` of the
index's shape, and nearly always the same answer.

The table (``kbstudio.index.scan_table``) takes about 7 KB a document: 87 MB for 25,000. A KB
whose table would pass the memory budget first loses the stored texts (snippets, phrases and
proximity then read their documents again), then the table itself: each search then streams
through the documents, keeping only the postings of its own words (and offers no typo fixes).
Queries are evaluated, ranked and answered by the index's own code (``kbstudio.index.evaluate``,
``kbstudio.index.ranker``, ``kbstudio.index.results``), reading the table through
``kbstudio.index.scan_view.View`` as the index's searcher reads Whoosh through its ``IndexView``.

Threads: ``load`` reads the documents into the table; a search made while another thread is
loading answers at once from the documents read so far (``loaded`` says how many), and a search
made when no one is loading loads first, unless the scan works in the ``background``: then a
search never waits, and answers from what was read so far. A build can hand over each document it
parses (``add_document``, the ``DocumentSink`` of ``kbstudio.index.full_build``) once a search has
been made; ``load`` reads the others, in the background from the last document backwards, so that
it meets a build going forwards half way and each document is parsed once (otherwise forwards: the
documents are numbered as the index numbers them, and equal scores come in the same order).
"""


from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.evaluate import Evaluator, query_words
from kbstudio.index.indexer import Cancelled, Progress, document_fields, never, skipped_name
from kbstudio.index.query import ParsedQuery, parse_query
from kbstudio.index.ranker import RankWeights
from kbstudio.index.results import SearchOptions, SearchResponse, answer, empty_response
from kbstudio.index.scan_table import Table, Tokens
from kbstudio.index.scan_view import View
from kbstudio.index.synonyms import SynonymFile, SynonymTable
from kbstudio.kb import KnowledgeBase
from kbstudio.names import fold_accents, nfc

log = logging.getLogger(__name__)

# Bytes the table may take, as Table.estimate counts them (the process grows about 1.3 times
# that); past it, see the module doc.
MEMORY_BUDGET = 120 * 2**20


class ScanSearcher:
    """Answers searches from a table of every document of a KB, read once (see the module doc).

    Thread-safe: one thread loads at a time; searches on other threads meanwhile answer from the
    documents read so far.
    """

    def __init__(self, kb: KnowledgeBase, weights: RankWeights | None = None,
                 synonyms: Callable[[], SynonymTable] | None = None,
                 memory_budget: int = MEMORY_BUDGET, background: bool = False) -> None:
        """``synonyms`` returns the KB's current synonym table; by default its file is followed.

        ``background``: searches answer from the documents read so far, never reading them first
        (see the module doc).
        """
        self.kb = kb
        self.weights = weights or RankWeights()
        self.synonyms: Callable[[], SynonymTable] = synonyms or SynonymFile(kb.root).table
        self.memory_budget = memory_budget
        self.skipped: list[str] = []
        self.analyzer = SupportAnalyzer(stem=True)
        self._lock = threading.Lock()
        self._table: Table | None = None
        self._loader: int | None = None      # the thread loading the table
        self._generation = 0                 # bumped by refresh(): a running load stops
        self._total = 0                      # documents to read (known once listing is done)
        self._streaming = False              # the table did not fit the budget
        self._closed = False
        self._last: tuple[View, Evaluator] | None = None   # the latest view searched and its evaluator
        self.background = background
        self._adding = threading.Lock()     # one document added at a time (the build's, the reader's)
        self._present: set[str] = set()     # KB-relative paths of the documents in the table
        self._wanted = False                # a search was made: documents a build parses are wanted
        self._listed = False                # the documents to read were listed (``_total``)
        self._stopped = False               # stop_adding(): no document is added until load()

    # State ----------------------------------------------------------------------------------

    @property
    def doc_count(self) -> int:
        """Return the number of documents (reading them first if needed)."""
        self.load()
        table = self._table
        return len(table.docs) if table is not None else self._total

    @property
    def loaded(self) -> tuple[int, int]:
        """Return (documents read, documents to read); equal once the table is complete."""
        table = self._table
        read = len(table.docs) if table is not None else 0
        return (self._total, self._total) if self._streaming else (read, max(read, self._total))

    @property
    def streaming(self) -> bool:
        """Return True when the table passed the memory budget: each search reads the documents."""
        return self._streaming

    @property
    def memory_estimate(self) -> int:
        """Return the table's estimated size in bytes (0 before loading or when streaming)."""
        table = self._table
        return table.estimate if table is not None else 0

    def refresh(self) -> None:
        """Forget what was read (a running load stops): the next search reads the documents again."""
        with self._lock:
            self._table = None
            self._loader = None
            self._generation += 1
            self._streaming = False
            self._last = None
            self._present = set()

    def close(self) -> None:
        """Release what was read (a running load stops); searches still running find nothing."""
        self.refresh()
        self._closed = True

    # Loading --------------------------------------------------------------------------------

    def wants_documents(self) -> bool:
        """Return True once a search was made (and while the table is kept): a build's documents
        are then handed over (``add_document``)."""
        return self._wanted and not self._closed and not self._streaming

    def stop_adding(self) -> None:
        """Add no more documents (Cancel): when this returns, the documents read so far are all
        there will be until ``load`` or ``allow_adding``."""
        with self._adding:
            self._stopped = True

    def allow_adding(self) -> None:
        """Take documents again after ``stop_adding`` (a build starts again)."""
        self._stopped = False

    def add_document(self, rel: str, fields: dict[str, Any], tokens: Tokens | None = None) -> None:
        """Take the index fields of the document at ``rel`` (``document_fields``) from a build,
        with their tokens when a worker process made them; one the table has is skipped."""
        with self._lock:
            if self._closed or self._streaming:
                return
            if self._table is None:
                self._table = Table(self.kb.root, self.analyzer)
            table, generation = self._table, self._generation
        self._add(table, generation, rel, fields, tokens)

    def load(self, progress: Progress | None = None, cancelled: Cancelled = never) -> None:
        """Read every document into the table, unless it is complete or another thread is reading.

        ``progress(done, total)`` is called now and then. Cancelling keeps what was read: a later
        load goes on from there.
        """
        self._wanted = True
        self._stopped = False
        with self._lock:
            if self._closed or self._streaming or self._loader is not None \
                    or (self._table is not None and self._table.complete):
                return
            if self._table is None:
                self._table = Table(self.kb.root, self.analyzer)
            table, generation = self._table, self._generation
            self._loader = threading.get_ident()
        try:
            self._fill(table, generation, progress, cancelled)
        finally:
            with self._lock:
                if self._generation == generation:
                    self._loader = None

    def _paths(self) -> list[tuple[str, Path]]:
        """Return (KB-relative path, path) of every document that can be searched; note the others."""
        found: list[tuple[str, Path]] = []
        skipped: list[str] = []
        for path in self.kb.iter_paths():
            rel = path.relative_to(self.kb.root).as_posix()
            problem = skipped_name(rel)
            if problem is None:
                found.append((rel, path))
            else:
                skipped.append(problem)
        self.skipped = skipped
        self._total = len(found)
        self._listed = True
        return found

    def _fill(self, table: Table, generation: int, progress: Progress | None, cancelled: Cancelled) -> None:
        """Read the documents the table lacks (in the background from the last one backwards: see
        the module doc)."""
        started = time.perf_counter()
        paths = self._paths()
        total = len(paths)
        step = max(1, total // 100)
        for number, (rel, path) in enumerate(reversed(paths) if self.background else paths):
            if self._generation != generation or cancelled():
                return
            if number % step == 0 and progress is not None:
                progress(len(table.docs), total)
            if rel in self._present:   # handed over by a build
                continue
            found = document_fields(self.kb.root, path)
            if found is None:   # gone since it was listed
                continue
            if cancelled() or not self._add(table, generation, rel, found[0]):
                return   # cancelled while it read this one: what was read before stays as it is
        table.complete = True
        if progress is not None:
            progress(total, total)
        log.info("scan of %s: %d documents read in %.1f s (about %.0f MB)", self.kb.root,
                 len(table.docs), time.perf_counter() - started, table.estimate / 2**20)

    def _add(self, table: Table, generation: int, rel: str, fields: dict[str, Any],
             tokens: Tokens | None = None) -> bool:
        """Add a document to ``table`` unless it has it; return False once the table passed the
        memory budget (searches then stream, see the module doc) or adding was stopped."""
        with self._adding:
            if self._stopped:
                return False
            if rel in self._present or self._generation != generation:
                return True
            table.add(rel, fields, tokens)
            self._present.add(rel)
            if table.estimate <= self.memory_budget:
                return True
            if table.keep_texts:
                table.drop_texts()
                log.info("scan of %s: reading texts dropped to stay within %d MB",
                         self.kb.root, self.memory_budget >> 20)
            if table.estimate <= self.memory_budget:
                return True
            with self._lock:
                if self._generation == generation:
                    self._table = None
                    self._streaming = True
                    self._present = set()
            log.info("scan of %s: over %d MB; searches read the documents each time",
                     self.kb.root, self.memory_budget >> 20)
            return False

    def _evaluator(self) -> Evaluator | None:
        """Return the evaluator of what to search: the complete table, or what another thread has
        read so far.

        Loads on this thread when nobody else is loading; None when searches must stream, or
        when the scan was closed meanwhile.
        """
        self._wanted = True
        if self.background:   # never read here: answer from what was read (or handed over) so far
            if not self._listed:
                self._paths()
            with self._lock:
                if self._table is None and not self._streaming and not self._closed:
                    self._table = Table(self.kb.root, self.analyzer)
                table = self._table
            return self._evaluator_of(table) if table is not None else None
        with self._lock:
            table, loader = self._table, self._loader
        if table is not None and (table.complete or (loader is not None and loader != threading.get_ident())):
            return self._evaluator_of(table)
        self.load()
        with self._lock:
            table = self._table
        return self._evaluator_of(table) if table is not None else None

    def _evaluator_of(self, table: Table) -> Evaluator:
        """Return the evaluator of a view of the documents of ``table`` published so far: the same
        one while nothing changes, so that searches share its statistics and caches."""
        last = self._last
        count = len(table.docs)
        if last is not None and last[0].table is table and last[0].count == count \
                and last[0].complete == table.complete:
            return last[1]
        view = View(table, count, table.complete)
        evaluator = Evaluator(view, self.weights, self.analyzer)
        self._last = (view, evaluator)
        return evaluator

    # Searching ------------------------------------------------------------------------------

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResponse:
        """Search for ``text`` with ``options``; never raises for any query text.

        Every search needs the table: the first reads the documents (see the module doc for a
        search made while another thread reads them).
        """
        started = time.perf_counter()
        typed, text = text, nfc(text or "")   # words are indexed in NFC (see analysis.py)
        parsed = parse_query(text)
        evaluator = self._evaluator()
        if parsed.is_empty or (evaluator is None and not self._streaming):
            return empty_response(typed, started)
        synonyms = self.synonyms()
        if evaluator is None:
            evaluator = Evaluator(self._streamed(parsed, synonyms), self.weights, self.analyzer)
        return answer(evaluator, typed, text, parsed, options or SearchOptions(), synonyms, started)

    def _streamed(self, parsed: ParsedQuery, synonyms: SynonymTable) -> View:
        """Return a view of every document holding only the postings this query can use."""
        words = {w for item in parsed.items for w in query_words(item.text)}
        for group in parsed.groups:
            plain = [w for item in group if not item.phrase and not item.negated
                     for w in query_words(item.text)]
            for match in synonyms.find(plain):
                words.update(w for alternative in match.alternatives for w in alternative)
        words |= {fold_accents(word) for word in words}
        keep = {stem for word in words for stem in self.analyzer.index_tokens(word)}
        keep |= {fold_accents(stem) for stem in keep}
        table = Table(self.kb.root, self.analyzer, keep=keep, keep_texts=False)
        for rel, path in self._paths():
            found = document_fields(self.kb.root, path)
            if found is not None:
                table.add(rel, found[0])
        table.complete = True
        return View(table, len(table.docs), True)
