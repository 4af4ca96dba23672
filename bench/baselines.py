"""Baselines measured in the same run as KB Studio's search (bench/search_quality.py, issue #14).

Each is set up as a developer would from the library's own documentation, without tuning for this
corpus, and each takes any pasted text: special query syntax is escaped or never built.

- ``Fts5Index``: SQLite FTS5 with bm25, every word quoted and ORed; 'plain' (defaults) or 'tuned'
  (porter stemming; title x10, description x5, body x1 column weights).
- ``TutorialWhoosh``: Whoosh as its quick-start tutorial sets it up (title, path, content; the
  default analyzer and BM25F), parsed over title and content with ``group=OrGroup`` as the
  parser's documentation suggests for natural-language queries (the default ANDs every word).
- ``TantivyIndex``: tantivy's default tokenizer and BM25 over title and body; the query is an OR of
  the words, each in the title boosted x10 like the tuned FTS5 index (or by ``title_boost``:
  tantivy's idf never drops to zero, so x10 lets common title words outweigh rare body words).
  Needs the ``tantivy`` package (``pip install '.[bench]'``); ``tantivy_available()`` says
  whether it is installed.
- ``GrepCount``: what ``grep -icw`` per word gives: the score is the number of distinct query
  words (case-insensitive, whole words) found in title and body, ties broken by total occurrences.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from kbstudio.model import Document

_WORD = re.compile(r"\w+", re.UNICODE)
# Whoosh's default tokenizer (RegexTokenizer in StandardAnalyzer): keeps "5.7.60" as one word.
_WHOOSH_WORD = re.compile(r"\w+(\.?\w+)*", re.UNICODE)
# tantivy's default tokenizer (SimpleTokenizer): runs of letters and digits; '_' separates.
_TANTIVY_WORD = re.compile(r"[^\W_]+", re.UNICODE)
TITLE_BOOST = 10.0   # as the tuned FTS5 index weighs its title column against the body


def fts_match_expression(query: str) -> str:
    """Return an FTS5 MATCH expression: every word quoted, joined by OR."""
    words = _WORD.findall(query)
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


class Fts5Index:
    """SQLite FTS5 with bm25: 'plain' (defaults) or 'tuned' (porter stemming, column weights)."""

    def __init__(self, documents: Iterable[Document], tuned: bool) -> None:
        self.tuned = tuned
        self.db = sqlite3.connect(":memory:")
        tokenize = "porter unicode61" if tuned else "unicode61"
        self.db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, title, description, "
                        f"body, tokenize='{tokenize}')")
        rows = ((d.rel_path, d.title, str(d.meta.get("description") or ""), d.body) for d in documents)
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", rows)
        self.db.commit()
        self.rank = "bm25(docs, 0.0, 10.0, 5.0, 1.0)" if tuned else "bm25(docs)"

    def search(self, query: str, limit: int = 10) -> list[tuple[str, str]]:
        """Return (path, snippet) of the best matches."""
        expression = fts_match_expression(query)
        if not expression:
            return []
        rows = self.db.execute(
            f"SELECT path, snippet(docs, 3, '<b>', '</b>', '…', 24) FROM docs WHERE docs MATCH ? "
            f"ORDER BY {self.rank} LIMIT ?", (expression, limit)).fetchall()
        return [(path, snippet) for path, snippet in rows]

    def paths(self, query: str, limit: int = 10) -> list[str]:
        """Return the paths of the best matches."""
        return [path for path, _ in self.search(query, limit)]


def whoosh_query_text(query: str) -> str:
    """Return ``query`` as plain Whoosh query text: its words, lower-cased.

    What the parser would treat as syntax (quotes, ``field:``, ``*``, ``?``, brackets, ``^``,
    upper-case AND/OR/NOT) is dropped or lower-cased; the analyzer lower-cases words anyway.
    """
    return " ".join(m.group(0).lower() for m in _WHOOSH_WORD.finditer(query))


class TutorialWhoosh:
    """Whoosh set up as its quick-start tutorial does (title, path, content), queried with OR."""

    def __init__(self, documents: Iterable[Document], folder: Path | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="tutorial-whoosh-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        schema = Schema(title=TEXT(stored=True), path=ID(stored=True), content=TEXT)
        self.index = whoosh_index.create_in(str(self.folder), schema)
        writer = self.index.writer()
        for doc in documents:
            writer.add_document(title=doc.title, path=doc.rel_path, content=doc.body)
        writer.commit()
        self.parser = MultifieldParser(["title", "content"], self.index.schema, group=OrGroup)
        self.searcher = self.index.searcher()

    def search(self, query: str, limit: int = 10) -> list[str]:
        """Return the paths of the best matches."""
        text = whoosh_query_text(query)
        if not text:
            return []
        parsed = self.parser.parse(text)
        return [hit["path"] for hit in self.searcher.search(parsed, limit=limit)]


def tantivy_available() -> bool:
    """Return True when the optional ``tantivy`` package is installed."""
    return importlib.util.find_spec("tantivy") is not None


class TantivyIndex:
    """tantivy in memory: default tokenizer and BM25 over title and body, title words x10."""

    def __init__(self, documents: Iterable[Document]) -> None:
        import tantivy  # optional: only this baseline needs it

        self.tantivy: Any = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("path", stored=True, tokenizer_name="raw")
        builder.add_text_field("title")
        builder.add_text_field("body")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer()
        for doc in documents:
            writer.add_document(tantivy.Document(path=doc.rel_path, title=doc.title, body=doc.body))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def query(self, text: str, title_boost: float = TITLE_BOOST) -> Any:
        """Return the OR of every distinct word of ``text`` in body, and in title boosted."""
        Query, Occur = self.tantivy.Query, self.tantivy.Occur
        clauses = []
        for word in dict.fromkeys(w.lower() for w in _TANTIVY_WORD.findall(text) if len(w) <= 40):
            title = Query.term_query(self.schema, "title", word)
            clauses.append((Occur.Should, Query.boost_query(title, title_boost)))
            clauses.append((Occur.Should, Query.term_query(self.schema, "body", word)))
        return Query.boolean_query(clauses) if clauses else None

    def search(self, query: str, limit: int = 10, title_boost: float = TITLE_BOOST) -> list[str]:
        """Return the paths of the best matches."""
        parsed = self.query(query, title_boost)
        if parsed is None:
            return []
        hits = self.searcher.search(parsed, limit).hits
        return [self.searcher.doc(address)["path"][0] for _, address in hits]


class GrepCount:
    """A grep-style ranking: distinct query words present in title and body, then occurrences."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.paths: list[str] = []
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        for number, doc in enumerate(documents):
            self.paths.append(doc.rel_path)
            counts = Counter(w.casefold() for w in _WORD.findall(doc.title + "\n" + doc.body))
            for word, count in counts.items():
                self.postings[word][number] = count

    def search(self, query: str, limit: int = 10) -> list[str]:
        """Return the paths of the best matches (path order breaks the remaining ties)."""
        distinct: Counter[int] = Counter()
        total: Counter[int] = Counter()
        for word in {w.casefold() for w in _WORD.findall(query)}:
            for number, count in self.postings.get(word, {}).items():
                distinct[number] += 1
                total[number] += count
        best = sorted(distinct, key=lambda n: (-distinct[n], -total[n], self.paths[n]))
        return [self.paths[n] for n in best[:limit]]
