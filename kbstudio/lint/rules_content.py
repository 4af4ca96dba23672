"""Content rules: stale reviews, empty sections, TODO notes and likely duplicates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kbstudio.lint.page import Outline, Page, has_content
from kbstudio.lint.rule import Finding, LintContext
from kbstudio.names import shown_name

LIVE_STATUSES = ("review", "published")
_TODO = re.compile(r"\b(TODO|FIXME)\b")


def _is_live(page: Page) -> bool:
    return page.document.readable and page.document.status in LIVE_STATUSES


def check_stale(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report a review or published document whose review_by date has passed."""
    review_by = page.document.review_by
    if _is_live(page) and review_by is not None and review_by < ctx.today:
        days = (ctx.today - review_by).days
        yield (page.field_line("review_by"),
               f"stale: review_by {review_by.isoformat()} passed {days} day{'s' * (days != 1)} ago")


def check_empty_section(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report a heading followed by a heading of the same or a higher level, or by the end."""
    if not _is_live(page):
        return
    headings = page.headings
    first_line = page.document.body_line
    for position, heading in enumerate(headings):
        following = headings[position + 1] if position + 1 < len(headings) else None
        if following is not None and following.level > heading.level:
            continue
        end = following.line - first_line if following else len(page.lines)
        if not has_content(page.lines[heading.content_line - first_line : end]):
            yield heading.line, f"section '{heading.text or '#' * heading.level}' is empty"


def check_todo(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report TODO and FIXME notes left in a review or published document."""
    if not _is_live(page) or ("TODO" not in page.prose_text and "FIXME" not in page.prose_text):
        return
    for index, line in enumerate(page.prose):
        match = _TODO.search(line)
        if match:
            yield page.file_line(index), f"{match.group(1)} left in a {page.document.status} document"


def check_likely_duplicate(page: Outline, ctx: LintContext) -> Iterator[Finding]:
    """Report documents with a very similar title or issue statement to another one."""
    facts = ctx.facts
    if facts.titles is None or facts.issues is None:
        return
    # Titles are compared only with titles holding the same numbers (kbstudio.lint.facts).
    for other, score in facts.titles.matches(page.rel_path):
        title = facts.pages[other].document.title
        yield (page.title_line(),
               f"likely duplicate: title is {score:.0%} like '{title}' in {shown_name(other)}")
    for other, score in facts.issues.matches(page.rel_path):
        yield (page.issue_line(),
               f"likely duplicate: issue statement is {score:.0%} like the one in {shown_name(other)}")
