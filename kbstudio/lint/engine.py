"""Run the lint rules over a whole KB, or keep results current one saved document at a time.

A whole-KB lint reads one document at a time (``kbstudio.lint.reading``): its own rules run on
its text, then only its ``Outline`` is kept. Once every document is known, the cross-document
rules run on the outlines, then the whole-KB rules. After a save, the saved document is checked
again in full and the documents it affects only by their cross-document rules: nothing else of
theirs can change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from kbstudio.kb import KnowledgeBase
from kbstudio.lint.facts import KbFacts
from kbstudio.lint.page import parse_page
from kbstudio.lint.reading import Examined, examine, examine_files, run_rules
from kbstudio.lint.registry import RULES
from kbstudio.lint.rule import LintContext, Rule
from kbstudio.model import DocumentFields, DocumentInfo, Problem
from kbstudio.reader import full_document
from kbstudio.workers import worker_count

NO_FINDINGS: tuple[Problem, ...] = ()   # shared by the many documents with none (an empty list each: 3 MB)
__all__ = ["Linter", "lint_documents", "lint_kb", "run_kb_rules", "run_rules", "sort_key"]


def sort_key(problem: Problem) -> tuple[str, int, str]:
    """Order findings by path, line and rule (a stable sort keeps a rule's own order within a line)."""
    return (problem.path, problem.line or 0, problem.rule)


def run_kb_rules(context: LintContext, rules: Sequence[Rule]) -> list[Problem]:
    """Return the findings of the rules in ``rules`` that check the KB as a whole (``kb_check``)."""
    return [Problem(rule.id, rule.severity, path, line, message)
            for rule in rules if rule.kb_check is not None
            for path, line, message in rule.kb_check(context)]


class Linter:
    """Lint results for a whole KB, kept current as documents are saved, added or removed.

    ``documents`` may be ``DocumentInfo`` (what the app keeps): each is read from disk in turn, by
    worker processes when there are many (``kbstudio.workers``: forked from a single-threaded
    process, else started afresh, as from the app). ``Linter.read(kb)`` reads the KB's files
    itself, with worker processes when asked.
    """

    def __init__(self, kb_root: Path, documents: Iterable[DocumentFields], today: date | None = None,
                 rules: Sequence[Rule] | None = None, workers: int | None = None) -> None:
        """Lint ``documents`` of the KB at ``kb_root``; a list of ``DocumentInfo`` is read by
        ``workers`` processes (default ``worker_count`` for their number), anything else here."""
        self._setup(kb_root, today, rules)
        context = self.context()
        root = self.facts.root
        if isinstance(documents, list) and all(type(document) is DocumentInfo and document.root == root
                                               for document in documents):
            workers = worker_count(items=len(documents)) if workers is None else workers
            paths = [document.path for document in documents]
            examined = examine_files(root, paths, context.today, self._own_rules, self.facts.similarity,
                                     workers, walked=False)
            self._build(_sharing_fields(examined, documents), context)
            return
        self._build((examine(full_document(document), context, self._own_rules, self.facts.similarity)
                     for document in documents), context)

    @classmethod
    def read(cls, kb: KnowledgeBase, today: date | None = None, rules: Sequence[Rule] | None = None,
             workers: int = 1) -> Linter:
        """Return the linter of every document of ``kb``, read from disk by ``workers`` processes."""
        linter = cls.__new__(cls)
        linter._setup(kb.root, today, rules)
        context = linter.context()
        paths = list(kb.iter_paths())
        linter._build(examine_files(kb.root, paths, context.today, linter._own_rules, linter.facts.similarity,
                                    workers), context)
        return linter

    def _setup(self, kb_root: Path, today: date | None, rules: Sequence[Rule] | None) -> None:
        self.rules: tuple[Rule, ...] = tuple(RULES if rules is None else rules)
        self._own_rules = tuple(rule for rule in self.rules if not rule.cross)
        self._cross_rules = tuple(rule for rule in self.rules if rule.cross)
        self._today = today
        self.facts = KbFacts(Path(kb_root), similarity=any(r.needs_similarity for r in self.rules))
        self._own: dict[str, Sequence[Problem]] = {}     # a document's own rules, from its text
        self._cross: dict[str, Sequence[Problem]] = {}   # the cross-document rules, from its outline
        self._kb_problems: list[Problem] = []

    def _build(self, examined: Iterable[Examined], context: LintContext) -> None:
        for item in examined:
            self.facts.add_outline(item.outline, item.tokens)
            self._own[item.outline.rel_path] = item.findings or NO_FINDINGS
        self.facts.index_similarity()
        for rel_path, outline in self.facts.pages.items():
            self._cross[rel_path] = run_rules(outline, context, self._cross_rules) or NO_FINDINGS
        self._kb_problems = run_kb_rules(context, self.rules)

    @property
    def document_count(self) -> int:
        """Return how many documents are linted."""
        return len(self.facts.pages)

    def context(self) -> LintContext:
        """Return the context the rules run in (today is read now unless it was fixed)."""
        return LintContext(self.facts, self._today or date.today())

    def _findings(self) -> Iterator[Problem]:
        for rel_path, own in self._own.items():
            yield from own
            yield from self._cross.get(rel_path, ())
        yield from self._kb_problems

    def problems(self) -> list[Problem]:
        """Return every finding, sorted by path and line."""
        return sorted(self._findings(), key=sort_key)

    def problems_for(self, rel_path: str) -> list[Problem]:
        """Return the findings of one document (or of a KB file such as .kbstudio/synonyms.yaml), by line."""
        kb_files = [p for p in self._kb_problems if p.path == rel_path]
        return sorted([*self._own.get(rel_path, []), *self._cross.get(rel_path, []), *kb_files], key=sort_key)

    def counts_by_rule(self) -> dict[str, int]:
        """Return how many findings each rule has (rules with none are left out)."""
        counts: dict[str, int] = {}
        for problem in self._findings():
            counts[problem.rule] = counts.get(problem.rule, 0) + 1
        return counts

    def update(self, document: DocumentFields) -> set[str]:
        """Take in a saved (or new) document; re-lint it and every document it affects.

        ``document`` may be a ``DocumentInfo``: it is read from disk. Returns the paths whose
        findings were recomputed.
        """
        rel = document.rel_path
        affected = self.facts.related(rel)
        page = parse_page(full_document(document))
        self.facts.add(page)
        affected |= self.facts.related(rel)
        affected.discard(rel)
        context = self.context()
        self._own[rel] = run_rules(page, context, self._own_rules)
        self._recheck({rel} | affected, context)
        return affected | {rel}

    def remove(self, rel_path: str) -> set[str]:
        """Forget a deleted document; re-lint the documents it affected and return their paths."""
        affected = self.facts.related(rel_path)
        self.facts.remove(rel_path)
        self._own.pop(rel_path, None)
        self._cross.pop(rel_path, None)
        self._recheck(affected, self.context())
        return affected

    def refresh_kb(self) -> None:
        """Run the whole-KB rules again: after a KB file that is no document changed (synonyms.yaml)."""
        self._kb_problems = run_kb_rules(self.context(), self.rules)

    def _recheck(self, paths: Iterable[str], context: LintContext) -> None:
        """Run the cross-document rules of ``paths`` again, then the whole-KB rules."""
        for path in paths:
            outline = self.facts.pages.get(path)
            if outline is not None:
                self._cross[path] = run_rules(outline, context, self._cross_rules)
        self._kb_problems = run_kb_rules(context, self.rules)   # a document change can change them


def _sharing_fields(examined: Iterable[Examined], documents: list[DocumentInfo]) -> Iterator[Examined]:
    """Yield ``examined`` (read from ``documents``' files, in their order), each outline holding the
    caller's DocumentInfo where the file still gives the same fields: the app keeps one of each
    document already, and a second copy was about 15 MB at 25,000 documents."""
    for item, document in zip(examined, documents, strict=True):
        read = item.outline.document
        if (read.rel_path, read.meta, read.key_lines, read.problems, read.readable, read.heading) == (
                document.rel_path, document.meta, document.key_lines, document.problems, document.readable,
                document.heading):
            item.outline.document = document
        yield item


def lint_documents(documents: Iterable[DocumentFields], kb_root: Path, today: date | None = None,
                   rules: Sequence[Rule] | None = None) -> list[Problem]:
    """Lint the documents of the KB at ``kb_root`` (a DocumentInfo is read from disk in turn);
    findings sorted by path and line."""
    return Linter(kb_root, documents, today, rules).problems()


def lint_kb(kb: KnowledgeBase, today: date | None = None, rules: Sequence[Rule] | None = None,
            workers: int = 1) -> list[Problem]:
    """Read and lint every document of ``kb``, one at a time (with ``workers`` processes)."""
    return Linter.read(kb, today, rules, workers).problems()
