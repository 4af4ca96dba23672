"""Whole-KB facts the cross-document rules need: ids, the link graph, files, similar documents.

Every document is kept as its ``Outline`` (fields, links, anchors, the lines of title and issue),
never its text: the facts of a 25,000-document KB take tens of megabytes, not a gigabyte.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Collection, Iterable
from pathlib import Path

from kbstudio.lint.page import ISSUE_HEADINGS, Outline, Page, split_target
from kbstudio.lint.similar import SimilarityIndex, hashed, numbers, shingles, words
from kbstudio.model import DocumentFields
from kbstudio.names import find_path, id_key, nfc

__all__ = ["ISSUE_HEADINGS", "KbFacts", "Tokens", "UnhashedTokens", "hashed_here", "issue_text",
           "split_target", "similarity_tokens"]
TITLE_THRESHOLD = 0.8
ISSUE_THRESHOLD = 0.6
ISSUE_WORDS = 150


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


Tokens = tuple[tuple[str, ...], array]
"""What the likely-duplicate rule compares of a document: its distinct title words and issue shingles
(hashed, see ``kbstudio.lint.similar.hashed``), packed small to be kept or sent between processes."""

UnhashedTokens = tuple[tuple[str, ...], tuple[str, ...]]
"""``Tokens`` with the issue shingles as text: what a worker started afresh sends, since its
``hash()`` of text is not this process's (``kbstudio.workers``); ``hashed_here`` packs them."""


def compared(document: DocumentFields) -> bool:
    """Return True when ``document`` takes part in the likely-duplicate comparison."""
    return document.readable and document.status != "archived"


def similarity_tokens(page: Page, hash_shingles: bool = True) -> Tokens | UnhashedTokens | None:
    """Return the title words and issue shingles of a page (hashed unless ``hash_shingles`` is
    False), or None when it is not compared."""
    if not compared(page.document):
        return None
    title = tuple(frozenset(words(page.document.title)))
    issue = shingles(words(issue_text(page)))
    if not hash_shingles:
        return title, tuple(issue)
    return title, array("q", hashed(issue))


def hashed_here(tokens: Tokens | UnhashedTokens | None) -> Tokens | None:
    """Return ``tokens`` with the issue shingles hashed by this process (as they are when they are)
    and the title words shared with every other title's (``sys.intern``: 25,000 titles of a few
    hundred different words held 8 MB of copies)."""
    if tokens is None:
        return None
    title = tuple(map(sys.intern, tokens[0]))
    return title, tokens[1] if isinstance(tokens[1], array) else array("q", hashed(tokens[1]))


class KbFacts:
    """Facts about every document of a KB, updatable one document at a time.

    Paths are compared in Unicode NFC (``kbstudio.names``): ``by_name`` maps the NFC form of each
    document's path to the paths on disk with that form (two when their names differ only in
    normalisation), and the link graph is keyed by the NFC form of link targets; ``pages`` keeps
    each document's ``Outline`` by its path as the file system spells it. Ids are compared by
    ``id_key``.

    ``KbFacts(root, pages)`` takes whole pages; a whole-KB lint that reads one document at a time
    gives ``add_outline`` each one's outline and similarity tokens, then calls ``index_similarity``.
    """

    def __init__(self, root: Path, pages: Iterable[Page] = (), similarity: bool = True) -> None:
        self.root = Path(root)
        self.pages: dict[str, Outline] = {}
        # Groups are tuples and link sources lists: at 25,000 documents a set per document and per
        # link target (216 bytes even for one path) was about 16 MB of the Health check's memory.
        self.by_name: dict[str, tuple[str, ...]] = {}
        self.by_id: dict[str, tuple[str, ...]] = {}
        self.links_out: dict[str, tuple[str, ...]] = {}
        self.links_in: dict[str, list[str]] = {}
        self._exists: dict[str, bool] = {}
        self.similarity = similarity
        self.titles: SimilarityIndex | None = None
        self.issues: SimilarityIndex | None = None
        self._pending: list[tuple[str, Tokens]] = []
        for page in pages:
            self.add_outline(page.outline(), similarity_tokens(page) if similarity else None)
        self.index_similarity()

    def add_outline(self, outline: Outline, tokens: Tokens | UnhashedTokens | None) -> None:
        """Take in one document of a whole-KB read (its similarity is indexed by ``index_similarity``)."""
        self._add_links_and_id(outline)
        packed = hashed_here(tokens) if self.similarity else None
        if packed is not None:
            self._pending.append((outline.rel_path, packed))

    def index_similarity(self) -> None:
        """Index the titles and issues of the documents added since the facts were made."""
        if not self.similarity:
            return
        # titles match only with the same numbers: 'error 550 5.1.0' is not 'error 550 5.7.1'
        self.titles = SimilarityIndex(TITLE_THRESHOLD, min_size=2, group=numbers)
        self.issues = SimilarityIndex(ISSUE_THRESHOLD, min_size=8)
        pending, self._pending = self._pending, []
        self.titles.build((rel, title) for rel, (title, _) in pending)
        self.issues.build((rel, issue) for rel, (_, issue) in pending)

    def _add_links_and_id(self, outline: Outline) -> None:
        rel = outline.rel_path
        self.pages[rel] = outline
        _join(self.by_name, nfc(rel), rel)
        if outline.document.id:
            _join(self.by_id, id_key(outline.document.id), rel)
        targets = set()
        for link in outline.links:
            resolved = split_target(rel, link.target)
            if resolved and resolved[0] not in ("", rel, "\0"):
                targets.add(nfc(resolved[0]))
        targets.discard(nfc(rel))
        self.links_out[rel] = tuple(targets)
        for target in targets:
            self.links_in.setdefault(target, []).append(rel)

    def add(self, page: Page) -> None:
        """Add or replace one document's facts."""
        self.remove(page.rel_path)
        self._add_links_and_id(page.outline())
        self._exists.clear()
        tokens = hashed_here(similarity_tokens(page))
        if self.titles is not None and self.issues is not None and tokens is not None:
            self.titles.add(page.rel_path, tokens[0])
            self.issues.add(page.rel_path, tokens[1])

    def remove(self, rel: str) -> None:
        """Forget one document."""
        outline = self.pages.pop(rel, None)
        if outline is None:
            return
        _discard(self.by_name, nfc(rel), rel)
        if outline.document.id:
            _discard(self.by_id, id_key(outline.document.id), rel)
        for target in self.links_out.pop(rel, ()):
            sources = self.links_in.get(target)
            if sources is not None and rel in sources:
                sources.remove(rel)
                if not sources:
                    del self.links_in[target]
        self._exists.clear()
        if self.titles is not None and self.issues is not None:
            self.titles.remove(rel)
            self.issues.remove(rel)

    def exists(self, rel: str) -> bool:
        """Return True when ``rel`` (KB-relative, may climb out with '..') is a file or folder.

        ``rel`` may be in another normalisation form than the name on disk.
        """
        if rel in self.pages or nfc(rel) in self.by_name:
            return True
        known = self._exists.get(rel)
        if known is None:
            known = self._exists[rel] = find_path(self.root, rel) is not None
        return known

    def page(self, rel: str) -> Outline | None:
        """Return the document at ``rel`` in any normalisation form, else None."""
        found = self.pages.get(rel)
        if found is None and (same := self.by_name.get(nfc(rel))):
            found = self.pages[min(same)]
        return found

    def same_name(self, rel: str) -> list[str]:
        """Return the other documents whose paths differ from ``rel`` only in normalisation, sorted."""
        return sorted(path for path in self.by_name.get(nfc(rel), ()) if path != rel)

    def links_to(self, rel: str) -> Collection[str]:
        """Return the documents that link to ``rel`` (in whatever form they spell it)."""
        return self.links_in.get(nfc(rel), ())

    def related(self, rel: str) -> set[str]:
        """Return the documents whose findings may change when ``rel`` changes."""
        outline = self.pages.get(rel)
        related = set(self.links_to(rel))
        related.update(self.by_name.get(nfc(rel), ()))
        for target in self.links_out.get(rel, ()):
            related.update(self.by_name.get(target, ()))
        if outline is not None and outline.document.id:
            related.update(self.by_id.get(id_key(outline.document.id), ()))
        for index in (self.titles, self.issues):
            if index is not None:
                related.update(other for other, _ in index.matches(rel))
        related.discard(rel)
        return {path for path in related if path in self.pages}


def _join(groups: dict[str, tuple[str, ...]], key: str, rel: str) -> None:
    """Put ``rel`` in the group ``key`` (once)."""
    group = groups.get(key, ())
    if rel not in group:
        groups[key] = (*group, rel)


def _discard(groups: dict[str, tuple[str, ...]], key: str, rel: str) -> None:
    """Take ``rel`` out of the group ``key``, dropping the group when it is left empty."""
    group = tuple(path for path in groups.get(key, ()) if path != rel)
    if group:
        groups[key] = group
    else:
        groups.pop(key, None)
