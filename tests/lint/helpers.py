"""Building documents with planted defects, and linting a real folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kbstudio.kb import KnowledgeBase
from kbstudio.lint import lint_kb, select_rules
from kbstudio.model import Problem
from tests.conftest import write

TODAY = date(2026, 6, 1)


def article(doc_id: str = "KB-0100", title: str = "Printer shows offline", *, status: str = "published",
            tier: str = "L1", extra: str = "", body: str | None = None, tags: str = "[printing]") -> str:
    """Return a complete, clean article; ``extra`` adds front-matter lines, ``body`` replaces the body."""
    front = (f"---\nid: {doc_id}\ntitle: {title}\nkind: article\ntier: {tier}\nstatus: {status}\n"
             f"tags: {tags}\nowner: Service Desk\nreview_by: 2027-01-01\n{extra}---\n")
    if body is None:
        body = (f"# {title}\n\n## Issue\n\nThe caller says the printer shows offline.\n\n"
                "## Resolution\n\n1. Turn the printer off and on.\n")
    return front + body


SOP_BODY = """# Escalate printer problems

## Scope

Printers on the office network.

## When to escalate

- The printer stays offline after a restart.

## Before escalating

- [ ] Restart the printer.

## Information to collect

- **Printer name** (required): the label on the printer.

## Escalate to

- **Tier:** L2
- **Team:** Workplace Team
- **How:** Assign the ticket to the Workplace Team queue.
"""


def sop(doc_id: str = "SOP-0100", *, tier: str = "L1", escalates_to: str | None = "L2",
        body: str = SOP_BODY, status: str = "published") -> str:
    """Return a complete, clean SOP."""
    escalation = f"escalates_to: {escalates_to}\n" if escalates_to is not None else ""
    return (f"---\nid: {doc_id}\ntitle: Escalate printer problems\nkind: sop\ntier: {tier}\n{escalation}"
            f"status: {status}\ntags: [printing]\nowner: Service Desk\nreview_by: 2027-01-01\n---\n" + body)


def lint(root: Path, *rules: str, today: date = TODAY) -> list[Problem]:
    """Lint the KB at ``root`` (all rules, or only those named)."""
    return lint_kb(KnowledgeBase(root), today=today, rules=select_rules(rules or None))


def where(problems: list[Problem], rule: str) -> list[tuple[str, int | None]]:
    """Return (path, line) of every finding of ``rule``."""
    return [(p.path, p.line) for p in problems if p.rule == rule]


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` below ``root`` and return it."""
    for rel, text in files.items():
        write(root, rel, text)
    return root
