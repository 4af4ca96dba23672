"""Escalation SOPs: parsing, matching SOPs to articles, and the escalation map (no Qt)."""

from kbstudio.sop.escalation_map import EscalationMap, MapEdge, TierColumn, counted, escalation_map
from kbstudio.sop.inline import (
    inline_html,
    markdown_links,
    parse_minutes,
    plain_text,
    replace_links,
    resolve_link,
)
from kbstudio.sop.match import SopMatch, linked_sops, rank_sops_for_article, sop_for_article
from kbstudio.sop.model import SECTION_TITLES, SECTIONS, Check, EscalationTarget, Field, Sop, TimeLimit
from kbstudio.sop.parser import find_document, parse_sop, section_key
from kbstudio.sop.svg import escalation_map_svg

__all__ = [
    "SECTIONS", "SECTION_TITLES", "Check", "EscalationMap", "EscalationTarget", "Field", "MapEdge", "Sop",
    "SopMatch", "TierColumn", "TimeLimit", "counted", "escalation_map", "escalation_map_svg", "find_document",
    "inline_html", "linked_sops", "markdown_links", "parse_minutes", "parse_sop", "plain_text",
    "rank_sops_for_article", "replace_links", "resolve_link", "section_key", "sop_for_article",
]
