"""SOP rules: the sections an escalation SOP needs and the tier it escalates to.

A plain heading check, independent of the SOP parser, so the two can be reconciled later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kbstudio.lint.page import Page
from kbstudio.lint.rule import Finding, LintContext
from kbstudio.model import tier_rank

# Each required section: its name in messages and the heading variants accepted (normalised).
SOP_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("When to escalate", ("when to escalate", "when to escalate this", "escalation criteria",
                          "when should i escalate", "criteria for escalation")),
    ("Before escalating", ("before escalating", "before you escalate", "checks before escalating",
                           "before escalation", "checks before escalation", "before escalate")),
    ("Information to collect", ("information to collect", "info to collect", "information to gather",
                                "information to capture", "what to collect", "details to collect",
                                "data to collect", "information to include")),
    ("Escalate to", ("escalate to", "escalation target", "escalates to", "who to escalate to",
                     "where to escalate", "escalation path")),
)
_NON_WORD = re.compile(r"[^\w ]+", re.UNICODE)


def normalise_heading(text: str) -> str:
    """Return a heading lowercased, without punctuation, numbering or extra spaces."""
    text = _NON_WORD.sub(" ", text.lower())
    text = re.sub(r"^\s*(?:\d+|step \d+)\s+", "", text)
    return " ".join(text.split())


def _is_live_sop(page: Page) -> bool:
    document = page.document
    return document.readable and document.kind == "sop" and document.status != "archived"


def check_sop_missing_section(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report an SOP without its When to escalate, Before escalating, Information or Escalate to section."""
    if not _is_live_sop(page):
        return
    present = {normalise_heading(heading.text) for heading in page.headings}
    for name, variants in SOP_SECTIONS:
        if not present.intersection(variants):
            yield page.title_line(), f"SOP has no '{name}' section"


def check_sop_missing_escalates_to(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report an SOP without an escalates_to field."""
    if _is_live_sop(page) and not page.document.meta.get("escalates_to"):
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
