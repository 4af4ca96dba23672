"""Whole-KB facts the cross-document rules need: ids, the link graph, files, similar documents."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from kbstudio.lint.page import Page
from kbstudio.lint.similar import SimilarityIndex, shingles, words
from kbstudio.names import find_path, id_key, nfc

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
    """Facts about every document of a KB, updatable one document at a time.

    Paths are compared in Unicode NFC (``kbstudio.names``): ``by_name`` maps the NFC form of each
    document's path to the paths on disk with that form (two when their names differ only in
    normalisation), and the link graph is keyed by the NFC form of link targets; ``pages`` keeps
    the paths as the file system spells them. Ids are compared by ``id_key``.
    """

    def __init__(self, root: Path, pages: Iterable[Page] = (), similarity: bool = True) -> None:
        self.root = Path(root)
        self.pages: dict[str, Page] = {}
        self.by_name: dict[str, set[str]] = {}
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
        self.by_name.setdefault(nfc(rel), set()).add(rel)
        if page.document.id:
            self.by_id.setdefault(id_key(page.document.id), set()).add(rel)
        targets = set()
        for link in page.links:
            resolved = split_target(rel, link.target)
            if resolved and resolved[0] not in ("", rel, "\0"):
                targets.add(nfc(resolved[0]))
        targets.discard(nfc(rel))
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
        _discard(self.by_name, nfc(rel), rel)
        if page.document.id:
            _discard(self.by_id, id_key(page.document.id), rel)
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
        """Return True when ``rel`` (KB-relative, may climb out with '..') is a file or folder.

        ``rel`` may be in another normalisation form than the name on disk.
        """
        if rel in self.pages or nfc(rel) in self.by_name:
            return True
        known = self._exists.get(rel)
        if known is None:
            known = self._exists[rel] = find_path(self.root, rel) is not None
        return known

    def page(self, rel: str) -> Page | None:
        """Return the document at ``rel`` in any normalisation form, else None."""
        found = self.pages.get(rel)
        if found is None and (same := self.by_name.get(nfc(rel))):
            found = self.pages[min(same)]
        return found

    def same_name(self, rel: str) -> list[str]:
        """Return the other documents whose paths differ from ``rel`` only in normalisation, sorted."""
        return sorted(self.by_name.get(nfc(rel), set()) - {rel})

    def links_to(self, rel: str) -> set[str]:
        """Return the documents that link to ``rel`` (in whatever form they spell it)."""
        return self.links_in.get(nfc(rel), set())

    def related(self, rel: str) -> set[str]:
        """Return the documents whose findings may change when ``rel`` changes."""
        page = self.pages.get(rel)
        related = set(self.links_to(rel)) | self.by_name.get(nfc(rel), set())
        for target in self.links_out.get(rel, ()):
            related |= self.by_name.get(target, set())
        if page is not None and page.document.id:
            related |= self.by_id.get(id_key(page.document.id), set())
        for index in (self.titles, self.issues):
            if index is not None:
                related.update(other for other, _ in index.matches(rel))
        related.discard(rel)
        return {path for path in related if path in self.pages}


def _discard(groups: dict[str, set[str]], key: str, rel: str) -> None:
    """Take ``rel`` out of the group ``key``, dropping the group when it is left empty."""
    group = groups.get(key)
    if group is not None:
        group.discard(rel)
        if not group:
            del groups[key]
