"""Front-matter rules: unreadable files, required fields, allowed values, unique ids."""

from __future__ import annotations

from collections.abc import Iterator

from kbstudio.lint.page import Page
from kbstudio.lint.rule import Finding, LintContext
from kbstudio.model import ERROR, KINDS, STATUSES, TIERS, as_date, as_text

REQUIRED_WHEN_PUBLISHED: tuple[str, ...] = ("id", "title", "kind", "tier", "owner", "review_by")
READER_FATAL_RULES = frozenset({
    "bad-front-matter", "unclosed-front-matter", "invalid-utf8", "binary-file", "file-too-large",
    "link-outside-kb", "unreadable",
})
_ALLOWED: dict[str, tuple[str, ...]] = {
    "tier": TIERS, "kind": KINDS, "status": STATUSES, "escalates_to": TIERS[1:],
}


def check_unreadable(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report files the reader could not read (bad YAML, invalid UTF-8, binary, too large...)."""
    for problem in page.document.problems:
        if problem.rule in READER_FATAL_RULES or problem.severity == ERROR:
            yield problem.line or 1, problem.message


def check_duplicate_key(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report front-matter keys given twice (the last one wins, silently)."""
    for problem in page.document.problems:
        if problem.rule == "duplicate-key":
            yield problem.line or 1, problem.message + " (the last one wins)"


def check_missing_field(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report fields a published document must have."""
    document = page.document
    if not document.readable or document.status != "published":
        return
    for key in REQUIRED_WHEN_PUBLISHED:
        if as_text(document.meta.get(key)) is None:
            yield page.field_line("status"), f"published document has no '{key}'"


def check_invalid_value(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report tier, kind, status, escalates_to and review_by values outside what is allowed."""
    meta = page.document.meta
    for key, allowed in _ALLOWED.items():
        value = as_text(meta.get(key))
        if value is None:
            continue
        normal = value.upper() if key in ("tier", "escalates_to") else value
        if normal not in allowed:
            yield page.field_line(key), f"{key} '{value}' is not one of {', '.join(allowed)}"
    review_by = meta.get("review_by")
    if as_text(review_by) is not None and as_date(review_by) is None:
        yield page.field_line("review_by"), f"review_by '{review_by}' is not a date (YYYY-MM-DD)"


def check_duplicate_id(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report an id that another document also uses, naming the other files."""
    doc_id = page.document.id
    if not doc_id:
        return
    others = sorted(ctx.facts.by_id.get(doc_id.upper(), set()) - {page.rel_path})
    if others:
        yield page.field_line("id"), f"id {doc_id} is also used by {', '.join(others)}"
