"""Front-matter rules: unreadable files, required fields, allowed values, unique ids.

Which fields exist, which a published document needs and what each allows come from the one
field table, ``kbstudio.fields``.
"""

from __future__ import annotations

from collections.abc import Iterator

from kbstudio.fields import FIELDS, REQUIRED_WHEN_PUBLISHED
from kbstudio.lint.page import Outline, Page
from kbstudio.lint.rule import Check, Finding, LintContext
from kbstudio.model import ERROR
from kbstudio.names import NAME_CHARACTERS, NAME_NOT_UTF8, id_key, shown_name

READER_FATAL_RULES = frozenset({
    "bad-front-matter", "unclosed-front-matter", "invalid-utf8", "binary-file", "file-too-large",
    "link-outside-kb", "unreadable",
})
NAME_RULES = frozenset({NAME_NOT_UTF8, NAME_CHARACTERS})   # reported by name_check, not as unreadable
__all__ = ["REQUIRED_WHEN_PUBLISHED", "READER_FATAL_RULES"]


def check_unreadable(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report files the reader could not read (bad YAML, invalid UTF-8, binary, too large...)."""
    for problem in page.document.problems:
        if problem.rule in READER_FATAL_RULES or (problem.severity == ERROR
                                                  and problem.rule not in NAME_RULES):
            yield problem.line or 1, problem.message


def name_check(rule_id: str) -> Check:
    """Return the check reporting the reader's ``rule_id`` problem of a document's name
    (``kbstudio.names.name_problems``), on line 1."""
    def check(page: Page, ctx: LintContext) -> Iterator[Finding]:
        for problem in page.document.problems:
            if problem.rule == rule_id:
                yield problem.line or 1, problem.message

    check.__doc__ = f"Report {rule_id}: what kbstudio.names.name_problems says of the file name."
    return check


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
        if not document.is_set(key):
            yield page.field_line("status"), f"published document has no '{key}'"


def field_value_check(rule_id: str) -> Check:
    """Return the check of every field whose table ``rule`` is ``rule_id``: values not allowed."""
    fields = tuple(field for field in FIELDS if field.rule == rule_id)

    def check(page: Page, ctx: LintContext) -> Iterator[Finding]:
        meta = page.document.meta
        for field in fields:
            if field.name in meta:
                message = field.problem(meta[field.name])
                if message is not None:
                    yield page.field_line(field.name), message

    check.__doc__ = f"Report fields checked by {rule_id}: " + ", ".join(f.name for f in fields)
    return check


# tier, kind, status or escalates_to not one of its values, review_by not a date, text given as a list,
# a list given as a mapping: one finding per field, at its line, naming the field.
check_invalid_value = field_value_check("invalid-value")


def check_duplicate_id(page: Outline, ctx: LintContext) -> Iterator[Finding]:
    """Report an id that another document also uses, naming the other files."""
    doc_id = page.document.id
    if not doc_id:
        return
    others = sorted(path for path in ctx.facts.by_id.get(id_key(doc_id), ()) if path != page.rel_path)
    if others:
        yield page.field_line("id"), f"id {doc_id} is also used by {', '.join(map(shown_name, others))}"
