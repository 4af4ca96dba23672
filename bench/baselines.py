"""Baselines measured in the same run as KB Studio's search: SQLite FTS5 and tutorial Whoosh."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

from kbstudio.model import Document

_WORD = re.compile(r"\w+", re.UNICODE)


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


class TutorialWhoosh:
    """Whoosh set up as its quick-start tutorial does: title, path, content; default parser."""

    def __init__(self, documents: Iterable[Document], folder: Path | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="tutorial-whoosh-"))
        schema = Schema(title=TEXT(stored=True), path=ID(stored=True), content=TEXT)
        self.index = whoosh_index.create_in(str(self.folder), schema)
        writer = self.index.writer()
        for doc in documents:
            writer.add_document(title=doc.title, path=doc.rel_path, content=doc.body)
        writer.commit()
        self.parser = QueryParser("content", self.index.schema)
        self.searcher = self.index.searcher()

    def search(self, query: str, limit: int = 10) -> list[str]:
        """Return the paths of the best matches (an unparsable query finds nothing)."""
        try:
            parsed = self.parser.parse(query)
            return [hit["path"] for hit in self.searcher.search(parsed, limit=limit)]
        except Exception:  # the tutorial parser raises on some pasted text
            return []
