"""Run the lint rules over a whole KB, or keep results current one saved document at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from kbstudio.kb import KnowledgeBase
from kbstudio.lint.facts import KbFacts
from kbstudio.lint.page import Page, parse_page
from kbstudio.lint.registry import RULES
from kbstudio.lint.rule import LintContext, Rule
from kbstudio.model import Document, Problem


def sort_key(problem: Problem) -> tuple[str, int, str]:
    """Order findings by path, line and rule (a stable sort keeps a rule's own order within a line)."""
    return (problem.path, problem.line or 0, problem.rule)


def run_rules(page: Page, context: LintContext, rules: Sequence[Rule]) -> list[Problem]:
    """Return the findings of ``rules`` for one document."""
    problems = []
    for rule in rules:
        for line, message in rule.check(page, context):
            problems.append(Problem(rule.id, rule.severity, page.rel_path, line, message))
    return problems


def run_kb_rules(context: LintContext, rules: Sequence[Rule]) -> list[Problem]:
    """Return the findings of the rules in ``rules`` that check the KB as a whole (``kb_check``)."""
    return [Problem(rule.id, rule.severity, path, line, message)
            for rule in rules if rule.kb_check is not None
            for path, line, message in rule.kb_check(context)]


class Linter:
    """Lint results for a whole KB, kept current as documents are saved, added or removed."""

    def __init__(self, kb_root: Path, documents: Iterable[Document], today: date | None = None,
                 rules: Sequence[Rule] | None = None) -> None:
        self.rules: tuple[Rule, ...] = tuple(RULES if rules is None else rules)
        self._today = today
        pages = [parse_page(document) for document in documents]
        self.facts = KbFacts(Path(kb_root), pages, similarity=any(r.needs_similarity for r in self.rules))
        self._by_path: dict[str, list[Problem]] = {}
        context = self.context()
        for page in pages:
            self._by_path[page.rel_path] = run_rules(page, context, self.rules)
        self._kb_problems = run_kb_rules(context, self.rules)

    def context(self) -> LintContext:
        """Return the context the rules run in (today is read now unless it was fixed)."""
        return LintContext(self.facts, self._today or date.today())

    def problems(self) -> list[Problem]:
        """Return every finding, sorted by path and line."""
        return sorted([*(p for found in self._by_path.values() for p in found), *self._kb_problems],
                      key=sort_key)

    def problems_for(self, rel_path: str) -> list[Problem]:
        """Return the findings of one document (or of a KB file such as .kbstudio/synonyms.yaml), by line."""
        kb_files = [p for p in self._kb_problems if p.path == rel_path]
        return sorted([*self._by_path.get(rel_path, []), *kb_files], key=sort_key)

    def counts_by_rule(self) -> dict[str, int]:
        """Return how many findings each rule has (rules with none are left out)."""
        counts: dict[str, int] = {}
        for found in [*self._by_path.values(), self._kb_problems]:
            for problem in found:
                counts[problem.rule] = counts.get(problem.rule, 0) + 1
        return counts

    def update(self, document: Document) -> set[str]:
        """Take in a saved (or new) document; re-lint it and every document it affects.

        Returns the paths whose findings were recomputed.
        """
        rel = document.rel_path
        affected = self.facts.related(rel)
        page = parse_page(document)
        self.facts.add(page)
        affected |= self.facts.related(rel)
        affected.add(rel)
        self._relint(affected)
        return affected

    def remove(self, rel_path: str) -> set[str]:
        """Forget a deleted document; re-lint the documents it affected and return their paths."""
        affected = self.facts.related(rel_path)
        self.facts.remove(rel_path)
        self._by_path.pop(rel_path, None)
        self._relint(affected)
        return affected

    def refresh_kb(self) -> None:
        """Run the whole-KB rules again: after a KB file that is no document changed (synonyms.yaml)."""
        self._kb_problems = run_kb_rules(self.context(), self.rules)

    def _relint(self, paths: Iterable[str]) -> None:
        context = self.context()
        for path in paths:
            page = self.facts.pages.get(path)
            if page is not None:
                self._by_path[path] = run_rules(page, context, self.rules)
        self._kb_problems = run_kb_rules(context, self.rules)   # a document change can change them


def lint_documents(documents: Iterable[Document], kb_root: Path, today: date | None = None,
                   rules: Sequence[Rule] | None = None) -> list[Problem]:
    """Lint already-loaded documents of the KB at ``kb_root``; findings sorted by path and line."""
    return Linter(kb_root, documents, today, rules).problems()


def lint_kb(kb: KnowledgeBase, today: date | None = None, rules: Sequence[Rule] | None = None
            ) -> list[Problem]:
    """Load and lint every document of ``kb``."""
    return lint_documents(kb.load_all(), kb.root, today, rules)
