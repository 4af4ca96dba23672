"""Reading a KB for lint one document at a time: each text is parsed, checked and let go.

A document's own rules run while its ``Page`` is in hand; what the cross-document rules and the
similarity index need is kept as an ``Examined``: its ``Outline``, its own findings and its
similarity tokens. A whole-KB lint holds one text at a time (per worker), which took a
25,000-document KB from about 1 GB to a few hundred MB. With workers (``kbstudio.workers``),
worker processes read and examine chunks of files and send back only the ``Examined``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import cast

from kbstudio.lint.facts import KbFacts, Tokens, UnhashedTokens, similarity_tokens
from kbstudio.lint.page import Outline, Page, parse_page
from kbstudio.lint.registry import RULES, select_rules
from kbstudio.lint.rule import Finding, LintContext, Rule
from kbstudio.model import Document, Problem
from kbstudio.reader import read_document
from kbstudio.workers import map_chunks, start_method

CHUNK = 64
AnyTokens = Tokens | UnhashedTokens | None


@dataclass(slots=True)
class Examined:
    """One document as a whole-KB lint keeps it: its outline, its own findings, its similarity tokens
    (the issue shingles as text when a worker started afresh made them, see ``UnhashedTokens``)."""

    outline: Outline
    findings: list[Problem]
    tokens: Tokens | UnhashedTokens | None

    def __reduce__(self) -> tuple[type[Examined], tuple[Outline, list[Problem], AnyTokens]]:
        return (Examined, (self.outline, self.findings, self.tokens))


def run_rules(page: Page | Outline, context: LintContext, rules: Sequence[Rule]) -> list[Problem]:
    """Return the findings of ``rules`` for one document (a Page, or an Outline for cross rules)."""
    problems = []
    rel_path = page.rel_path
    for rule in rules:
        # a rule's check takes a Page, a cross rule's (rule.cross) an Outline: the caller passes
        # the one its rules take, which the type of Rule.check (a union) cannot say
        check = cast(Callable[[Page | Outline, LintContext], Iterable[Finding]], rule.check)
        for line, message in check(page, context):
            problems.append(Problem(rule.id, rule.severity, rel_path, line, message))
    return problems


def examine(document: Document, context: LintContext, rules: Sequence[Rule], similarity: bool,
            hash_shingles: bool = True) -> Examined:
    """Parse ``document``, run its own ``rules`` (none of them ``cross``) and keep what others need."""
    page = parse_page(document)
    findings = run_rules(page, context, rules)
    outline = page.outline(context.facts.root)
    return Examined(outline, findings, similarity_tokens(page, hash_shingles) if similarity else None)


def _examine_files(root: Path, today: date, rule_ids: tuple[str, ...], similarity: bool, hash_shingles: bool,
                   walked: bool, paths: Sequence[Path]) -> list[Examined]:
    """Read and examine the files at ``paths`` (in a worker process: its own rules and context)."""
    rules = [rule for rule in select_rules(rule_ids) if not rule.cross]
    context = LintContext(KbFacts(root, similarity=False), today)   # a document's own rules need no facts
    return [examine(read_document(path, root, walked=walked), context, rules, similarity, hash_shingles)
            for path in paths]


def examine_files(root: Path, paths: Sequence[Path], today: date, rules: Sequence[Rule], similarity: bool,
                  workers: int = 1, walked: bool = True) -> Iterator[Examined]:
    """Yield every file at ``paths`` read and examined, in order, with ``workers`` processes.

    ``rules`` are the document's own rules (not ``cross``); rules that are not the registry's run
    in this process only. ``walked``: the paths come from ``KnowledgeBase.iter_paths``, which
    follows no folder link (``kbstudio.reader.check_inside``). Workers started afresh
    (``kbstudio.workers.start_method``) send the issue shingles as text, hashed where they are
    compared (``KbFacts.add_outline``).
    """
    registered = all(rule in RULES for rule in rules)
    ids = tuple(rule.id for rule in rules)
    if workers > 1 and registered:
        method = start_method()
        work = partial(_examine_files, root, today, ids, similarity, method == "fork", walked)
        yield from map_chunks(work, paths, workers, CHUNK, method)
        return
    context = LintContext(KbFacts(root, similarity=False), today)
    for path in paths:
        yield examine(read_document(path, root, walked=walked), context, rules, similarity)
