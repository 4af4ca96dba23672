"""What a lint rule is: an id, a severity, a one-line description and one check function.

Most rules check one document at a time (``check``), from its ``Page``: its fields and whole text.
A ``cross`` rule compares a document with others (ids, links, anchors, likely duplicates): it
runs once every document is known, on the document's ``Outline`` (fields, links, anchors, title
and issue lines; no text), and runs again for a document when another one it depends on changes.
A rule about the KB as a whole, such as its ``.kbstudio/synonyms.yaml``, has a ``kb_check``
instead, run once per lint and after each update, whose findings name their own KB-relative file
(not necessarily a document).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from kbstudio.lint.facts import KbFacts
from kbstudio.lint.page import Outline, Page

Finding = tuple[int, str]
"""A finding of one rule in one document: the file line and the message."""


@dataclass(frozen=True)
class LintContext:
    """What every check may look at besides the document: whole-KB facts and today's date."""

    facts: KbFacts
    today: date


Check = Callable[[Page, LintContext], Iterable[Finding]]
CrossCheck = Callable[[Outline, LintContext], Iterable[Finding]]

KbFinding = tuple[str, int | None, str]
"""A finding of a whole-KB rule: the KB-relative file, the line (None: the whole file), the message."""

KbCheck = Callable[[LintContext], Iterable[KbFinding]]


def no_page_check(page: Page, context: LintContext) -> Iterable[Finding]:
    """The ``check`` of a rule that only has a ``kb_check``: nothing to say about one document."""
    return ()


@dataclass(frozen=True)
class Rule:
    """One lint rule."""

    id: str
    severity: str
    description: str
    check: Check | CrossCheck
    needs_similarity: bool = False
    kb_check: KbCheck | None = None
    cross: bool = False   # check takes the Outline and reads other documents' facts (never the text)
