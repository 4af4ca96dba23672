"""Search one KB's index: ranked results, snippets, facets, typo suggestions.

The searcher reads the Whoosh index through ``kbstudio.index.whoosh_view.IndexView``; queries
are evaluated and ranked by ``kbstudio.index.evaluate`` and answered by
``kbstudio.index.results``, the same code that answers from the scan while the index is built.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from whoosh.searching import Searcher

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.evaluate import Evaluator, query_words
from kbstudio.index.query import parse_query
from kbstudio.index.ranker import RankWeights
from kbstudio.index.results import FACET_FIELDS, Hit, SearchOptions, SearchResponse, answer, empty_response
from kbstudio.index.store import LiveIndex
from kbstudio.index.synonyms import SynonymTable
from kbstudio.index.whoosh_view import IndexView
from kbstudio.names import nfc

# What callers import from here (the search's public face): kbstudio.index.results defines them.
__all__ = ["FACET_FIELDS", "Hit", "KBSearcher", "SearchOptions", "SearchResponse", "query_words"]


class KBSearcher:
    """A searcher over one live index; call ``refresh`` after the index changes."""

    def __init__(self, live: LiveIndex, weights: RankWeights | None = None,
                 synonyms: Callable[[], SynonymTable] | None = None) -> None:
        """``synonyms`` returns the KB's current synonym table (read when a query runs)."""
        self.live = live
        self.weights = weights or RankWeights()
        self.synonyms: Callable[[], SynonymTable] = synonyms or SynonymTable
        self.analyzer = SupportAnalyzer(stem=True)
        self._searcher: Searcher = live.index.searcher()
        self._segments: dict[Any, Any] = {}
        self._evaluator = self._evaluator_of(self._searcher)

    def _evaluator_of(self, searcher: Searcher) -> Evaluator:
        return Evaluator(IndexView(searcher, self._segments), self.weights, self.analyzer)

    def refresh(self) -> None:
        """Pick up changes committed since the searcher was opened."""
        fresh = self._searcher.refresh()
        if fresh is not self._searcher:
            self._searcher = fresh
            self._evaluator = self._evaluator_of(fresh)

    def close(self) -> None:
        """Release the searcher and its index."""
        self._searcher.close()
        self.live.close()

    @property
    def doc_count(self) -> int:
        """Return the number of indexed documents."""
        return self._searcher.doc_count()

    def stems(self, text: str) -> list[str]:
        """Return the index tokens of ``text``."""
        return self._evaluator.stems(text)

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResponse:
        """Run ``text`` with ``options``; never raises for any query text."""
        started = time.perf_counter()
        typed, text = text, nfc(text or "")   # words are indexed in NFC (see analysis.py)
        parsed = parse_query(text)
        if parsed.is_empty:
            return empty_response(typed, started, parsed.notes)
        return answer(self._evaluator, typed, text, parsed, options or SearchOptions(), self.synonyms(),
                      started)
