"""Escalation SOPs: parsing, matching SOPs to articles, and the escalation map (no Qt)."""

from kbstudio.sop.inline import markdown_links, parse_minutes, plain_text, resolve_link
from kbstudio.sop.model import SECTION_TITLES, SECTIONS, Check, EscalationTarget, Field, Sop, TimeLimit
from kbstudio.sop.parser import find_sop, parse_sop, section_key

__all__ = [
    "SECTIONS", "SECTION_TITLES", "Check", "EscalationTarget", "Field", "Sop", "TimeLimit",
    "find_sop", "markdown_links", "parse_minutes", "parse_sop", "plain_text", "resolve_link", "section_key",
]
