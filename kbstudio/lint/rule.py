"""What a lint rule is: an id, a severity, a one-line description and one check function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from kbstudio.lint.facts import KbFacts
from kbstudio.lint.page import Page

Finding = tuple[int, str]
"""A finding of one rule in one document: the file line and the message."""


@dataclass(frozen=True)
class LintContext:
    """What every check may look at besides the document: whole-KB facts and today's date."""

    facts: KbFacts
    today: date


Check = Callable[[Page, LintContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One lint rule."""

    id: str
    severity: str
    description: str
    check: Check
    needs_similarity: bool = False
