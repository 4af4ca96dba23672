"""Whole-KB facts the cross-document rules need: ids, the link graph, files, similar documents."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from kbstudio.lint.page import Page
from kbstudio.lint.similar import SimilarityIndex, shingles, words

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
ISSUE_HEADINGS = frozenset({"issue", "symptoms", "symptom", "problem", "summary"})
TITLE_THRESHOLD = 0.8
ISSUE_THRESHOLD = 0.6
ISSUE_WORDS = 150


def split_target(source_rel: str, target: str) -> tuple[str, str] | None:
    """Resolve a link target against its source file: (KB-relative path, anchor).

    Returns None for what lint does not check: web and other scheme links, protocol-relative and
    site-absolute paths. The path is '' for an anchor in the same document.
    """
    target = target.strip()
    if not target:
        return ("\0", "")
    if _SCHEME.match(target) or target.startswith(("//", "/", "\\")):
        return None
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        return ("", unquote(anchor))
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source_rel), path))
    return (joined, unquote(anchor))


def issue_text(page: Page) -> str:
    """Return the first words of the Issue (or Symptoms, Problem, Summary) section."""
    headings = page.headings
    for position, heading in enumerate(headings):
        if heading.level >= 2 and heading.text.strip(" :").lower() in ISSUE_HEADINGS:
            start = heading.content_line - page.document.body_line
            end = (headings[position + 1].line - page.document.body_line
                   if position + 1 < len(headings) else len(page.prose))
            return " ".join(" ".join(page.prose[start:end]).split()[:ISSUE_WORDS])
    return ""


class KbFacts:
    """Facts about every document of a KB, updatable one document at a time."""

    def __init__(self, root: Path, pages: Iterable[Page] = (), similarity: bool = True) -> None:
        self.root = Path(root)
        self.pages: dict[str, Page] = {}
        self.by_id: dict[str, set[str]] = {}
        self.links_out: dict[str, set[str]] = {}
        self.links_in: dict[str, set[str]] = {}
        self._exists: dict[str, bool] = {}
        self.titles: SimilarityIndex | None = None
        self.issues: SimilarityIndex | None = None
        pages = list(pages)
        for page in pages:
            self._add_links_and_id(page)
        if similarity:
            self.titles = SimilarityIndex(TITLE_THRESHOLD, min_size=2)
            self.issues = SimilarityIndex(ISSUE_THRESHOLD, min_size=8)
            live = [page for page in pages if self._compared(page)]
            self.titles.build((p.rel_path, frozenset(words(p.document.title))) for p in live)
            self.issues.build((p.rel_path, shingles(words(issue_text(p)))) for p in live)

    @staticmethod
    def _compared(page: Page) -> bool:
        return page.document.readable and page.document.status != "archived"

    def _add_links_and_id(self, page: Page) -> None:
        rel = page.rel_path
        self.pages[rel] = page
        if page.document.id:
            self.by_id.setdefault(page.document.id.upper(), set()).add(rel)
        targets = set()
        for link in page.links:
            resolved = split_target(rel, link.target)
            if resolved and resolved[0] not in ("", rel, "\0"):
                targets.add(resolved[0])
        self.links_out[rel] = targets
        for target in targets:
            self.links_in.setdefault(target, set()).add(rel)

    def add(self, page: Page) -> None:
        """Add or replace one document's facts."""
        self.remove(page.rel_path)
        self._add_links_and_id(page)
        self._exists.clear()
        if self.titles is not None and self.issues is not None and self._compared(page):
            self.titles.add(page.rel_path, frozenset(words(page.document.title)))
            self.issues.add(page.rel_path, shingles(words(issue_text(page))))

    def remove(self, rel: str) -> None:
        """Forget one document."""
        page = self.pages.pop(rel, None)
        if page is None:
            return
        doc_id = page.document.id
        if doc_id and rel in self.by_id.get(doc_id.upper(), set()):
            self.by_id[doc_id.upper()].discard(rel)
            if not self.by_id[doc_id.upper()]:
                del self.by_id[doc_id.upper()]
        for target in self.links_out.pop(rel, set()):
            sources = self.links_in.get(target)
            if sources is not None:
                sources.discard(rel)
                if not sources:
                    del self.links_in[target]
        self._exists.clear()
        if self.titles is not None and self.issues is not None:
            self.titles.remove(rel)
            self.issues.remove(rel)

    def exists(self, rel: str) -> bool:
        """Return True when ``rel`` (KB-relative, may climb out with '..') is a file or folder."""
        if rel in self.pages:
            return True
        known = self._exists.get(rel)
        if known is None:
            known = self._exists[rel] = os.path.exists(self.root / rel)
        return known

    def related(self, rel: str) -> set[str]:
        """Return the documents whose findings may change when ``rel`` changes."""
        page = self.pages.get(rel)
        related = set(self.links_in.get(rel, ())) | set(self.links_out.get(rel, ()))
        if page is not None and page.document.id:
            related |= self.by_id.get(page.document.id.upper(), set())
        for index in (self.titles, self.issues):
            if index is not None:
                related.update(other for other, _ in index.matches(rel))
        related.discard(rel)
        return {path for path in related if path in self.pages}
