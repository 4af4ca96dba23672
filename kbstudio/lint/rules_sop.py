"""SOP rules: the sections an escalation SOP needs, its structure and the tier it escalates to.

Sections are recognised by the SOP parser's own heading rules, so lint and run mode agree on
what an SOP contains.
"""

from __future__ import annotations

from collections.abc import Iterator

from kbstudio.lint.page import Page
from kbstudio.lint.rule import Finding, LintContext
from kbstudio.model import tier_rank
from kbstudio.sop import SECTION_TITLES, parse_sop, section_key

REQUIRED_SECTIONS = ("criteria", "checks", "collect", "target")
# Parser findings that other rules report already (sections, escalates_to, the tier direction).
_REPORTED_ELSEWHERE = {"sop-missing-section", "sop-no-escalation-tier", "sop-escalates-downward",
                       "sop-bad-escalates-to", "sop-not-sop"}


def _is_live_sop(page: Page) -> bool:
    document = page.document
    return document.readable and document.kind == "sop" and document.status != "archived"


def check_sop_missing_section(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report an SOP without its When to escalate, Before escalating, Information or Escalate to section."""
    if not _is_live_sop(page):
        return
    present = {section_key(heading.text) for heading in page.headings if heading.level > 1}
    for key in REQUIRED_SECTIONS:
        if key not in present:
            yield page.title_line(), f"SOP has no '{SECTION_TITLES[key]}' section"


def check_sop_structure(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report what run mode cannot use: checks not written as tasks, fields without a name, and so on."""
    if not _is_live_sop(page):
        return
    for problem in parse_sop(page.document).problems:
        if problem.rule not in _REPORTED_ELSEWHERE:
            yield problem.line or page.title_line(), f"{problem.message} [{problem.rule}]"


def check_sop_missing_escalates_to(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report an SOP without an escalates_to field."""
    if _is_live_sop(page) and not page.document.is_set("escalates_to"):
        line = page.field_line("tier") if "tier" in page.document.key_lines else 1
        yield line, "SOP has no 'escalates_to' field (the tier it hands the work to)"


def check_sop_escalation_tier(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report an SOP escalating to its own tier or a lower one."""
    document = page.document
    if not _is_live_sop(page) or document.tier is None or document.escalates_to is None:
        return
    if tier_rank(document.escalates_to) <= tier_rank(document.tier):
        direction = "its own tier" if document.escalates_to == document.tier else "a lower tier"
        yield (page.field_line("escalates_to"),
               f"SOP at {document.tier} escalates to {document.escalates_to}, {direction}; "
               "escalates_to must be above tier")
