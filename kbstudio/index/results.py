"""What a search returns, and how an evaluated query becomes that answer.

``answer`` is the one search pipeline of KB Studio, used by the index's searcher
(``kbstudio.index.search``) and by the scan (``kbstudio.index.scan``): cut a long paste to its
most distinctive words (``kbstudio.index.long_query``), correct the unknown words of a typed
query and search the corrected query (saying so: ``SearchResponse.corrected``), evaluate it
(``kbstudio.index.evaluate``), put a document named by id or title first, apply the filters and
the tier view, count facets, rank (scores plus the proximity and title bonuses of the best
documents; archived documents after every current one unless the search asks for them),
highlight the rarest query words in snippets. What the search left out or could not find is
said in ``SearchResponse.notes``.
"""

from __future__ import annotations

import heapq
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from kbstudio.index.evaluate import OUTDATED_STATUSES, Evaluation, Evaluator, query_words
from kbstudio.index.long_query import shorten
from kbstudio.index.postings import Stored
from kbstudio.index.query import ParsedQuery
from kbstudio.index.snippets import IsHit, hit_test, make_snippet
from kbstudio.index.synonyms import SynonymTable
from kbstudio.index.title_words import title_bonus
from kbstudio.model import TIERS

FACET_FIELDS = ("tier", "kind", "status")
MAX_TAG_FACETS = 20
MAX_HIGHLIGHTS = 8
_BOLD = re.compile(r"<b>(.*?)</b>")


@dataclass
class Hit:
    """One search result."""

    id: str
    path: str
    title: str
    tier: str | None
    kind: str
    status: str
    score: float
    snippet: str
    mtime: float = 0.0

    @property
    def archived(self) -> bool:
        """Return True for an outdated document (status archived: kept for history, no longer applies)."""
        return self.status in OUTDATED_STATUSES

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        data = asdict(self)
        data.pop("mtime")
        data["score"] = round(self.score, 4)
        data["archived"] = self.archived
        return data


@dataclass
class SearchResponse:
    """Everything one search returns.

    ``query`` is the query as typed. ``corrected`` is the query that was searched when words of it
    were unknown to the KB and corrected (``wify`` -> ``wifi``), else None: the results are those
    of ``corrected``, and searching ``query`` again with ``SearchOptions(correct=False)`` gives the
    words as typed. ``notes`` say what the search left out or could not find, one sentence each.
    """

    query: str
    total: int
    took_ms: float
    corrected: str | None
    facets: dict[str, dict[str, int]]
    results: list[Hit]
    hidden_by_tier: int = 0
    tag_facets: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the response in the documented JSON shape."""
        return {
            "query": self.query,
            "corrected": self.corrected,
            "notes": list(self.notes),
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "facets": self.facets,
            "results": [hit.to_json() for hit in self.results],
        }


@dataclass(frozen=True)
class SearchOptions:
    """Filters and sorting chosen outside the query text (UI controls, CLI flags)."""

    tiers: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    limit: int = 10
    sort: str = "relevance"  # or "changed"
    correct: bool = True   # False: search the words as typed, unknown ones too


def empty_response(typed: str, started: float, notes: Sequence[str] = ()) -> SearchResponse:
    """Return the answer to a query with nothing to search for; ``started`` is perf_counter()."""
    return SearchResponse(typed, 0, (time.perf_counter() - started) * 1000, None,
                          {name: {} for name in FACET_FIELDS}, [], notes=list(notes))


def answer(evaluator: Evaluator, typed: str, text: str, parsed: ParsedQuery, options: SearchOptions,
           synonyms: SynonymTable, started: float) -> SearchResponse:
    """Return the answer to ``parsed`` (the query ``text``, NFC of what was ``typed``), not empty.

    ``started`` is the ``time.perf_counter()`` the search began at, for ``took_ms``.
    """
    source = evaluator.source
    notes = list(parsed.notes)
    parsed, cut = shorten(parsed, query_words, evaluator.word_df)
    replaced = evaluator.corrections(parsed, synonyms) if options.correct else {}
    if replaced:   # unknown words: the corrected query is searched, and the answer says so
        parsed = parsed.corrected(replaced)
    found = evaluator.evaluate(parsed, synonyms)
    if not found.matched and any(item.phrase for item in parsed.items):
        # Pasted messages are full of quotes that are not meant as phrases: rather than
        # show nothing, search the quoted words as ordinary words.
        found = evaluator.evaluate(parsed.softened(), synonyms)
    evaluator.pin(text, found)
    notes += [f"No document {written}" for written in found.missing_ids] + ([cut] if cut else [])
    matched = found.matched
    fields = {name: list(values) for name, values in parsed.filters.items()}
    if options.kinds:
        fields.setdefault("kind", []).extend(options.kinds)
    if options.statuses:
        fields.setdefault("status", []).extend(options.statuses)
    for name, values in fields.items():
        matched &= set().union(*(source.docset(name, value) for value in values))
    for name, values in parsed.excluded.items():
        for value in values:
            matched -= source.docset(name, value)
    hidden: set[int] = set()
    if options.tiers:
        allowed = set(options.tiers)
        tiers = source.column("tier")
        # a document asked for by id or title is shown whatever the tier view
        hidden = {d for d in matched if tiers[d] not in allowed} - set(found.pinned)
    facets = {name: _count(source.column(name), matched) for name in FACET_FIELDS}
    visible = matched - hidden
    limit = max(1, min(options.limit, 1000))
    # archived documents go last, unless the search asks for them (status:archived)
    asked = {*fields.get("status", ())}
    ranked = rank(evaluator, found, visible, limit, options.sort, demote=not asked & OUTDATED_STATUSES)
    words = [w for item in parsed.items if not item.negated for w in query_words(item.text)]
    words += [w for w in found.synonyms if " " not in w]
    # a synonym of several words is highlighted where it stands whole, not word by word
    is_hit = highlight(evaluator, words, {w for w in found.synonyms if " " in w})
    tags = source.tag_counts(visible)
    return SearchResponse(
        query=typed,
        total=len(visible),
        took_ms=(time.perf_counter() - started) * 1000,
        corrected=corrected_text(text, replaced),
        facets=facets,
        results=[make_hit(source.stored(doc), score, is_hit) for doc, score in ranked],
        hidden_by_tier=len(hidden),
        tag_facets=dict(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TAG_FACETS]),
        notes=notes,
    )


def rank(evaluator: Evaluator, found: Evaluation, visible: set[int], limit: int,
         sort: str, demote: bool = True) -> list[tuple[int, float]]:
    """Return the first ``limit`` (document, score) of ``visible``.

    By ``sort`` "changed", the latest changed first; else pinned documents first, then by score
    plus the proximity bonus and the title bonus (``kbstudio.index.title_words``), which the best
    ``proximity_pool`` documents and as many holding every word are looked at for. Documents
    nothing scored (a query of filters or exclusions only) follow, latest changed first. With
    ``demote``, outdated documents (archived) come after every current one, pinned ones too
    unless pinned by id.
    """
    source = evaluator.source
    scores = found.scores
    statuses, mtimes = source.column("status"), source.column("mtime")

    def outdated(doc: int) -> bool:
        return demote and statuses[doc] in OUTDATED_STATUSES

    def latest(doc: int) -> tuple[bool, float, int]:
        return outdated(doc), -mtimes[doc], doc

    if sort == "changed":
        return [(d, scores.get(d, 0.0)) for d in heapq.nsmallest(limit, visible, key=latest)]
    candidates = [(d, s) for d, s in scores.items() if d in visible]
    if len(candidates) < limit:  # filters left fewer scored documents than asked for
        seen = {d for d, _ in candidates}
        candidates += [(d, 0.0) for d in heapq.nsmallest(limit - len(candidates), visible - seen, key=latest)]
    size = max(limit, evaluator.weights.proximity_pool)
    first = {d: rank for rank, d in enumerate(found.pinned)}
    # the pool: pinned documents, the best current ones, then outdated ones if room is left
    pool = [(d, s) for d, s in candidates if d in first]
    pool += heapq.nlargest(size, ((d, s) for d, s in candidates if d not in first and not outdated(d)),
                           key=lambda kv: kv[1])
    if len(pool) < size:
        pool += heapq.nlargest(size - len(pool), ((d, s) for d, s in candidates
                                                  if d not in first and outdated(d)), key=lambda kv: kv[1])
    # Documents with every query word are where a copied sentence can stand whole, however
    # long they are and however common its words: the best of them are looked at too.
    seen = {d for d, _ in pool}
    complete = [(d, s) for d, s in candidates if d in found.complete and d not in seen]
    pool += heapq.nlargest(size, complete, key=lambda kv: kv[1])
    docs = [d for d, _ in pool]
    bonus = evaluator.ranker.proximity(found.order, docs, found.present)
    titles = title_bonus(source, evaluator.weights.title, found.typed, found.title_sets, docs)
    reranked = sorted(((d, s + bonus.get(d, 0.0) + titles.get(d, 0.0)) for d, s in pool),
                      key=lambda kv: (first.get(kv[0], len(first)), outdated(kv[0]), -kv[1]))
    return reranked[:limit]


def highlight(evaluator: Evaluator, words: list[str], phrases: set[str]) -> IsHit | None:
    """Return the pattern of the words to highlight: the rarest few, which say the most, and
    whole synonym ``phrases``. Words as rare as each other are taken in alphabetical order."""
    pairs = {(stem, word.lower()) for word in words for stem in evaluator.stems(word)}
    df = evaluator.source.df
    rarest = sorted(pairs, key=lambda p: (df("body", p[0]), p))[:MAX_HIGHLIGHTS]
    return hit_test({stem for stem, _ in rarest}, {word for _, word in rarest} | phrases)


def make_hit(stored: Stored, score: float, is_hit: IsHit | None) -> Hit:
    """Return a document's stored fields as a search result, its snippet highlighted by ``is_hit``."""
    return Hit(
        id=stored.doc_id,
        path=stored.path,
        title=stored.title,
        tier=stored.tier if stored.tier in TIERS else None,
        kind=stored.kind or "article",
        status=stored.status or "draft",
        score=score,
        snippet=best_snippet(stored.body, stored.code, is_hit),
        mtime=stored.mtime,
    )


def best_snippet(body: str, code: str, is_hit: IsHit | None) -> str:
    """Return the snippet of the body, or of the code blocks when they hold more query words.

    A pasted command or log line is often only in a code block: the snippet then shows it.
    """
    snippet = make_snippet(body, is_hit)
    if not code or is_hit is None:
        return snippet
    from_code = make_snippet(code, is_hit)
    if len(_bold_words(from_code)) > len(_bold_words(snippet)):
        return from_code
    return snippet


def corrected_text(text: str, replaced: dict[str, str]) -> str | None:
    """Return the query with its corrected words replaced (*Showing results for*), or None."""
    if not replaced:
        return None
    return re.sub(r"\w+", lambda m: replaced.get(m.group(0), m.group(0)), text)


def _bold_words(snippet: str) -> set[str]:
    return {word.lower() for word in _BOLD.findall(snippet)}


def _count(column: Sequence[Any], docs: set[int]) -> dict[str, int]:
    """Return how often each non-empty value of ``column`` occurs among ``docs`` (a facet)."""
    counts = Counter(map(column.__getitem__, docs))
    return {str(k): v for k, v in sorted(counts.items()) if k}
