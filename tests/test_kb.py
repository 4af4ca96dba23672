"""Ids, templates and creating documents in a knowledge base."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase, slugify
from kbstudio.templates import builtin_template, fill_template
from tests.conftest import write


def test_next_id_is_one_above_the_highest_ever_used(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    write(kb_root, "articles/b.md", "---\nid: KB-0041\n---\n")
    write(kb_root, "sops/s.md", "---\nid: SOP-0007\nkind: sop\n---\n")
    assert kb.next_id("article") == "KB-0042"
    assert kb.next_id("sop") == "SOP-0008"
    kb.retire_id("KB-0100")
    assert kb.next_id("article") == "KB-0101"


def test_create_article_fills_the_template(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    created = kb.create("article", "Printer: paper jam on floor 3", "L1", owner="Service Desk")
    assert created.rel_path == "articles/printer-paper-jam-on-floor-3.md"
    assert created.doc_id == "KB-0002"
    doc = kb.load(created.path)
    assert (doc.id, doc.title, doc.kind, doc.tier, doc.status) == (
        "KB-0002", "Printer: paper jam on floor 3", "article", "L1", "draft")
    assert doc.owner == "Service Desk"
    assert doc.review_by is not None and doc.review_by > date.today()
    for section in ("## Issue", "## Environment", "## Resolution", "## Cause"):
        assert section in doc.body
    assert doc.problems == []


def test_create_sop_escalates_one_tier_up_by_default(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    doc = kb.load(kb.create("sop", "Escalate VPN problems", "L1").path)
    assert doc.kind == "sop" and doc.escalates_to == "L2" and doc.id == "SOP-0001"
    for section in ("## Scope", "## When to escalate", "## Before escalating", "- [ ]",
                    "## Information to collect", "## Escalate to", "## Steps", "## Time limits"):
        assert section in doc.body


def test_kb_templates_override_the_builtin_ones(kb_root: Path) -> None:
    write(kb_root, "_templates/article.md",
          "---\nid: {{id}}\ntitle: {{title}}\ntier: {{tier}}\nteam: ours\n---\n# {{title}}\n\n## Symptoms\n")
    kb = KnowledgeBase(kb_root)
    doc = kb.load(kb.create("article", "Custom one", "L2").path)
    assert doc.meta["team"] == "ours"
    assert "## Symptoms" in doc.body


def test_same_title_twice_never_overwrites(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    first = kb.create("article", "Same", "L1")
    second = kb.create("article", "Same", "L1")
    assert first.path != second.path and second.path.name == "same-2.md"
    assert first.doc_id != second.doc_id


def test_create_refuses_bad_input(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    with pytest.raises(ValueError, match="tier"):
        kb.create("article", "x", "L7")
    with pytest.raises(ValueError, match="kind"):
        kb.create("note", "x", "L1")
    with pytest.raises(ValueError, match="outside"):
        kb.create("article", "x", "L1", folder="../escape")
    with pytest.raises(ValueError, match="title"):
        kb.create("article", "   ", "L1")


def test_slugify_keeps_non_latin_letters() -> None:
    assert slugify("Сброс пароля: VPN") == "сброс-пароля-vpn"
    assert slugify("Outlook \u201cerror\u201d 0x8004010F!") == "outlook-error-0x8004010f"


def test_fill_template_quotes_yaml_values_only_in_front_matter() -> None:
    text = fill_template(builtin_template("article"), {"id": "KB-0009", "title": "Error: #5 'x'",
                                                       "tier": "L1", "owner": ""},
                         today=date(2026, 1, 1))
    assert 'title: "Error: #5 \'x\'"' in text
    assert "# Error: #5 'x'" in text
    assert "review_by: 2026-06-30" in text
