"""A plain full-text scan over a KB's documents, for when the index cannot answer.

While a damaged index is rebuilt (or when no index can be written at all) searches are answered
by reading the documents themselves: slower than the index and without its ranking, typo
correction or stemming, but correct, and in the same ``SearchResponse`` shape, so the app's
result list and the CLI's output keep working.

Query syntax kept: words (a word matches words starting with it, case and accents ignored),
``"exact phrases"``, ``-excluded`` words and ``tier:``, ``kind:``, ``status:`` and ``tag:``
filters. A document matches when it holds any query word (and every phrase); documents holding
more of the words, and holding them in the title, come first.
"""

from __future__ import annotations

import html
import math
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kbstudio.index.indexer import skipped_name
from kbstudio.index.search import FACET_FIELDS, Hit, SearchOptions, SearchResponse
from kbstudio.kb import KnowledgeBase
from kbstudio.model import TIERS
from kbstudio.reader import read_document

TITLE_WEIGHT = 5.0
BODY_WEIGHT = 1.0
PHRASE_BONUS = 3.0
SNIPPET_CHARS = 220
MAX_TAG_FACETS = 20
_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?("[^"]*"?|\S+)')
_WORD = re.compile(r"\w+")
_MARKUP = [(re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),       # links and images: their text
           (re.compile(r"^[ \t]*(?:#{1,6}|>|[-*+]|\d+[.)])[ \t]+", re.M), ""),  # heading, quote, list marks
           (re.compile(r"\*\*|__|`+|^[ \t]*(?:-{3,}|\|)[ \t|:-]*$", re.M), "")]  # emphasis, code, rules
FILTERS = {"tier": "tier", "kind": "kind", "status": "status", "tag": "tags", "tags": "tags"}


def fold(text: str) -> str:
    """Return ``text`` for matching: compatibility-decomposed, accents dropped, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class _Document:
    """What the scan keeps of one document."""

    rel: str
    doc_id: str
    title: str
    tier: str          # "untiered" when unset, as the index stores it
    kind: str
    status: str
    tags: list[str]
    mtime: float
    body: str
    folded_title: str
    folded_body: str


@dataclass
class _Query:
    """A query split into what the scan can do with it."""

    words: list[str]
    phrases: list[str]
    excluded: list[str]
    filters: dict[str, set[str]]
    negated_filters: dict[str, set[str]]


def parse(text: str) -> _Query:
    """Split query text into folded words, phrases, excluded words and field filters."""
    query = _Query([], [], [], {}, {})
    for negated, name, value in _TOKEN.findall(text):
        field = FILTERS.get(name.lower()) if name else None
        if name and field is None:
            value = f"{name} {value}"   # "error:" in a pasted message is no filter
        if field is not None:
            wanted = query.negated_filters if negated else query.filters
            values = {fold(v) for v in value.strip('"').split(",") if v}
            wanted.setdefault(field, set()).update(values)
        elif value.startswith('"'):
            phrase = " ".join(_WORD.findall(fold(value)))
            if phrase:
                (query.excluded if negated else query.phrases).append(phrase)
        else:
            words = _WORD.findall(fold(value))
            (query.excluded if negated else query.words).extend(words)
    return query


class ScanSearcher:
    """Answers searches by scanning every document of a KB (read once, on the first search).

    Thread-safe: the documents are read under a lock; searches only read what was loaded.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.skipped: list[str] = []
        self._documents: list[_Document] | None = None
        self._lock = threading.Lock()

    @property
    def doc_count(self) -> int:
        """Return the number of documents scanned (reading them first if needed)."""
        return len(self._loaded())

    def refresh(self) -> None:
        """Forget what was read: the next search reads the documents again."""
        with self._lock:
            self._documents = None

    def close(self) -> None:
        """Release what was read."""
        self.refresh()

    def _loaded(self) -> list[_Document]:
        with self._lock:
            if self._documents is None:
                self._documents = list(self._read_all())
            return self._documents

    def _read_all(self) -> Iterable[_Document]:
        self.skipped = []
        for path in self.kb.iter_paths():
            rel = path.relative_to(self.kb.root).as_posix()
            problem = skipped_name(rel)
            if problem is not None:
                self.skipped.append(problem)
                continue
            try:
                mtime = path.stat().st_mtime
            except OSError:
                continue
            doc = read_document(path, self.kb.root, walked=True)
            title = doc.title if doc.readable else path.stem
            body = _plain(doc.body) if doc.readable else ""
            yield _Document(rel, doc.id or "", title, doc.tier or "untiered", doc.kind or "article",
                            doc.status or "draft", list(doc.tags) if doc.readable else [], mtime,
                            body, fold(title), fold(body))

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResponse:
        """Scan every document for ``text`` with ``options``; never raises for any query text."""
        started = time.perf_counter()
        options = options or SearchOptions()
        query = parse(text or "")
        documents = self._loaded()
        if not (query.words or query.phrases or query.filters):
            return SearchResponse(text, 0, (time.perf_counter() - started) * 1000, None,
                                  {name: {} for name in FACET_FIELDS}, [])
        phrase_words = [w for phrase in query.phrases for w in phrase.split()]
        patterns = [_starting(word) for word in dict.fromkeys(query.words + phrase_words)]
        excluded = [_starting(word) for word in query.excluded]
        phrases = [re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)") for p in query.phrases]
        filters = dict(query.filters)
        if options.kinds:
            filters.setdefault("kind", set()).update(options.kinds)
        if options.statuses:
            filters.setdefault("status", set()).update(options.statuses)
        scores: dict[int, float] = {}
        for number, doc in enumerate(documents):
            if not _passes(doc, filters, query.negated_filters):
                continue
            whole = doc.folded_title + "\n" + doc.folded_body
            if any(p.search(whole) for p in excluded):
                continue
            if phrases:
                words_only = " ".join(_WORD.findall(whole))
                if not all(p.search(words_only) for p in phrases):
                    continue
            score = _score(doc, patterns) + PHRASE_BONUS * sum(
                1 for p in phrases if p.search(doc.folded_title))
            if score > 0 or not patterns:   # filters alone also select documents
                scores[number] = score
        matched = set(scores)
        hidden = set()
        if options.tiers:
            allowed = set(options.tiers)
            hidden = {n for n in matched if documents[n].tier not in allowed}
        visible = matched - hidden
        facets = {name: _count(getattr(documents[n], name) for n in matched) for name in FACET_FIELDS}
        limit = max(1, min(options.limit, 1000))
        if options.sort == "changed":
            order = sorted(visible, key=lambda n: (-documents[n].mtime, documents[n].rel))
        else:
            order = sorted(visible, key=lambda n: (-scores[n], documents[n].title.casefold(),
                                                   documents[n].rel))
        highlight = _highlighter(query.words + phrase_words)
        tags = Counter(tag for n in visible for tag in documents[n].tags)
        return SearchResponse(
            query=text,
            total=len(visible),
            took_ms=(time.perf_counter() - started) * 1000,
            suggestion=None,
            facets=facets,
            results=[_hit(documents[n], scores[n], highlight) for n in order[:limit]],
            hidden_by_tier=len(hidden),
            tag_facets=dict(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TAG_FACETS]),
        )


def _plain(markdown: str) -> str:
    """Return Markdown with its commonest markup removed (for matching and snippets)."""
    for pattern, replacement in _MARKUP:
        markdown = pattern.sub(replacement, markdown)
    return markdown


def _starting(word: str) -> re.Pattern[str]:
    """Return a pattern for words starting with (folded) ``word``."""
    return re.compile(r"(?<!\w)" + re.escape(word))


def _passes(doc: _Document, filters: dict[str, set[str]], negated: dict[str, set[str]]) -> bool:
    """Return True when ``doc`` has one of the wanted values of every filter and none excluded."""
    for field, values in filters.items():
        have = {fold(t) for t in doc.tags} if field == "tags" else {fold(getattr(doc, field))}
        if not have & {fold(v) for v in values}:
            return False
    for field, values in negated.items():
        have = {fold(t) for t in doc.tags} if field == "tags" else {fold(getattr(doc, field))}
        if have & values:
            return False
    return True


def _score(doc: _Document, patterns: list[re.Pattern[str]]) -> float:
    """Return how well ``doc`` matches the query words: more words, title words, then counts."""
    if not patterns:
        return 0.0
    score = 0.0
    found = 0
    for pattern in patterns:
        in_title = pattern.search(doc.folded_title) is not None
        in_body = len(pattern.findall(doc.folded_body))
        if in_title or in_body:
            found += 1
            score += TITLE_WEIGHT * in_title + BODY_WEIGHT * (in_body > 0) + math.log1p(min(in_body, 20)) / 2
    return score * (found / len(patterns)) ** 2


def _count(values: Iterable[str]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(Counter(values).items()) if k}


def _highlighter(words: list[str]) -> Callable[[str], str]:
    """Return a function that HTML-escapes text and puts the query words in ``<b>`` tags."""
    unique = sorted({w for w in words if w}, key=len, reverse=True)
    if not unique:
        return html.escape
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in unique) + r")\w*", re.IGNORECASE)

    def mark(text: str) -> str:
        out = []
        last = 0
        for match in pattern.finditer(text):
            out.append(html.escape(text[last:match.start()]))
            out.append(f"<b>{html.escape(match.group(0))}</b>")
            last = match.end()
        out.append(html.escape(text[last:]))
        return "".join(out)

    mark.pattern = pattern  # type: ignore[attr-defined]
    return mark


def _hit(doc: _Document, score: float, highlight: Callable[[str], str]) -> Hit:
    return Hit(id=doc.doc_id, path=doc.rel, title=doc.title,
               tier=doc.tier if doc.tier in TIERS else None, kind=doc.kind, status=doc.status,
               score=score, snippet=_snippet(doc.body, highlight), mtime=doc.mtime)


def _snippet(body: str, highlight: Callable[[str], str]) -> str:
    """Return about SNIPPET_CHARS of ``body`` around its first query word, highlighted."""
    text = " ".join(body.split())
    pattern = getattr(highlight, "pattern", None)
    match = pattern.search(text) if pattern is not None else None
    start = 0
    if match is not None and match.start() > SNIPPET_CHARS // 3:
        start = match.start() - SNIPPET_CHARS // 3
        space = text.find(" ", start, match.start())
        start = space + 1 if space >= 0 else start   # begin at a word
    piece = text[start:start + SNIPPET_CHARS]
    prefix = "... " if start else ""
    suffix = " ..." if start + SNIPPET_CHARS < len(text) else ""
    return prefix + highlight(piece) + suffix
