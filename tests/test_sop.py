"""SOP parsing, matching SOPs to articles, and the escalation map, on real files."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.model import ERROR, INFO, Document, tier_rank
from kbstudio.sop import (
    escalation_map,
    escalation_map_svg,
    find_document,
    parse_minutes,
    parse_sop,
    plain_text,
    rank_sops_for_article,
    resolve_link,
    section_key,
    sop_for_article,
)
from tests.conftest import write

SOP_HEAD = """---
id: SOP-0100
title: Test SOP
kind: sop
tier: L1
escalates_to: L2
tags: [vpn]
---
"""


def load(root: Path, rel: str, text: str) -> Document:
    write(root, rel, text)
    return KnowledgeBase(root).load(Path(rel))


def rules(sop_problems: list) -> list[tuple[str, int | None]]:
    return [(problem.rule, problem.line) for problem in sop_problems]


def test_every_bundled_sop_parses_cleanly_and_escalates_upward(content_copy: Path) -> None:
    sops = [parse_sop(doc) for doc in KnowledgeBase(content_copy).load_all() if doc.kind == "sop"]
    assert len(sops) == 13
    for sop in sops:
        assert sop.problems == [], (sop.rel_path, [str(p) for p in sop.problems])
        assert sop.id and sop.scope and sop.criteria and sop.steps and sop.time_limits
        assert sop.checks and sop.collect and sop.required_fields, sop.rel_path
        assert sop.target.tier == sop.escalates_to and sop.target.team and sop.target.how
        assert tier_rank(sop.escalates_to) > tier_rank(sop.tier) >= 0, sop.rel_path
        lines = sop.document.text.splitlines()
        for check in sop.checks:
            assert lines[check.line - 1].startswith("- [ ] ") and check.text in lines[check.line - 1]
        for item in sop.collect:
            assert f"**{item.name}**" in lines[item.line - 1]


def test_the_parts_of_the_vpn_sop(content_copy: Path) -> None:
    document = KnowledgeBase(content_copy).load(Path("sops/escalate-vpn-and-remote-access-problems.md"))
    sop = parse_sop(document)
    assert (sop.id, sop.tier, sop.escalates_to) == ("SOP-0003", "L1", "L2")
    assert sop.scope.startswith("This SOP covers GlobalProtect VPN problems") and "\n" not in sop.scope
    assert len(sop.criteria) == 6 and sop.criteria[1].startswith("The VPN shows Connected")
    assert len(sop.checks) == 7 and sop.checks[0].line == 36
    assert sop.checks[0].links == [("Check for a known outage before you troubleshoot",
                                    "../articles/outages/check-for-a-known-outage.md")]
    assert sop.checks[3].plain.endswith("keep the output of nslookup files01 and ipconfig /all.")
    assert "`nslookup files01`" in sop.checks[3].text
    username = sop.collect[0]
    assert (username.name, username.required, username.hint, username.line) == (
        "Username", True, "the caller's sign-in name.", 46)
    assert [f.name for f in sop.collect if not f.required] == [
        "Times of failure", "GlobalProtect version", "GlobalProtect logs"]
    assert sop.target.team == "Network Team" and sop.target.how.startswith("Assign the ticket")
    assert len(sop.steps) == 6 and sop.steps[0].startswith("Set the category")
    assert [(t.label, t.minutes, t.business) for t in sop.time_limits] == [
        ("Before escalating", 20, False), ("Response from L2", 240, True),
        ("Caller unable to work at all", 60, True), ("Several callers with the same fault", 0, False)]
    assert sop.call_limit is sop.time_limits[0]
    data = sop.to_json()
    assert data["collect"][0] == {"name": "Username", "required": True, "long": False,
                                  "hint": "the caller's sign-in name."}
    assert data["time_limits"][0]["minutes"] == 20


@pytest.mark.parametrize(("text", "minutes", "business"), [
    ("10 minutes", 10, False), ("1 hour", 60, False), ("at once", 0, False), ("4 business hours", 240, True),
    ("2 business days", 960, True), ("an hour", 60, False), ("half an hour", 30, False),
    ("escalate at once by phone", 0, False), ("2 hours of L3 investigation, or at once for P1", 120, False),
    ("1 hour, with a call to the on-call after 30 minutes", 60, False), ("within 1 day", 1440, False),
    ("the same business day", None, False), ("after the second lockout", None, False), ("", None, False),
])
def test_parse_minutes(text: str, minutes: int | None, business: bool) -> None:
    assert parse_minutes(text) == (minutes, business)


def test_plain_text_and_links() -> None:
    markdown = "Use **bold**, *it*, `ipconfig /all` and [the article](../a.md \"t\") with file_name 2*3*4"
    assert plain_text(markdown) == "Use bold, it, ipconfig /all and the article with file_name 2*3*4"
    assert resolve_link("sops/x.md", "../articles/a%20b.md#fix") == "articles/a b.md"
    assert resolve_link("articles/net/a.md", "../../sops/s.md") == "sops/s.md"
    for outside in ("https://example.com/a.md", "mailto:x@y", "/abs.md", "../../up.md", "#anchor"):
        assert resolve_link("sops/x.md", outside) is None


@pytest.mark.parametrize(("heading", "key"), [
    ("Scope", "scope"), ("When to escalate", "criteria"), ("Escalation criteria", "criteria"),
    ("Before escalating", "checks"), ("Checks before escalating", "checks"), ("CHECKLIST", "checks"),
    ("Information to collect", "collect"), ("Information to gather:", "collect"),
    ("Escalate to", "target"), ("Escalation", "target"), ("Who to contact", "target"),
    ("Steps", "steps"), ("Escalation steps", "steps"), ("Procedure", "steps"),
    ("Time limits", "time_limits"), ("Timings", "time_limits"), ("SLAs", "time_limits"),
    ("Notes", None), ("Cause", None),
])
def test_section_headings_vary(heading: str, key: str | None) -> None:
    assert section_key(heading) == key


MALFORMED = """# Broken SOP

### Checks before escalating
- restart the thing
- [ ] look at [the article](../articles/a.md)
- [ ]

## Information to gather
- **User** (required): name
- **Device** - the asset tag
- Phone (optional): number
- **Device (required)**: again

## Escalation
- Tier: L2
- **Team:** Net
- something odd

## Procedure
Call them.

Then write it up.

## Timings
- **Wait:** half an hour
- two hours

## Notes
- not part of the SOP
"""


def test_a_malformed_sop_parses_as_far_as_it_can(kb_root: Path) -> None:
    sop = parse_sop(load(kb_root, "sops/broken.md", MALFORMED))
    assert (sop.id, sop.title, sop.tier, sop.escalates_to) == (None, "Broken SOP", None, "L2")
    assert [c.text for c in sop.checks] == ["restart the thing", "look at [the article](../articles/a.md)"]
    assert [(f.name, f.required, f.hint, f.line) for f in sop.collect] == [
        ("User", True, "name", 9), ("Device", False, "the asset tag", 10), ("Phone", False, "number", 11)]
    assert (sop.target.tier, sop.target.team, sop.target.how) == ("L2", "Net", None)
    assert sop.steps == ["Call them.", "Then write it up."]
    assert [(t.label, t.text, t.minutes) for t in sop.time_limits] == [
        ("Wait", "half an hour", 30), ("", "two hours", 120)]
    assert sop.criteria == [] and sop.scope == ""
    found = rules(sop.problems)
    for expected in [("sop-not-sop", None), ("sop-no-id", None), ("sop-missing-section", None),
                     ("sop-bad-check", 4), ("sop-empty-item", 6), ("sop-field-requirement", 10),
                     ("sop-bad-field", 11), ("sop-duplicate-field", 12), ("sop-incomplete-target", 14),
                     ("sop-bad-target", 17), ("sop-not-a-list", 19), ("sop-bad-time-limit", 26)]:
        assert expected in found, (expected, found)
    missing = [p.message for p in sop.problems if p.rule == "sop-missing-section"]
    assert missing == ["no '## Scope' section", "no '## When to escalate' section"]
    assert all(p.path == "sops/broken.md" for p in sop.problems)


@pytest.mark.parametrize("text", ["", "\n\n", "---\nid: SOP-1\n", "just a line of text\n", "---\n---\n"])
def test_empty_and_front_matter_less_files_still_parse(kb_root: Path, text: str) -> None:
    sop = parse_sop(load(kb_root, "sops/odd.md", text))
    assert sop.checks == [] and sop.collect == [] and sop.escalates_to is None
    found = {problem.rule for problem in sop.problems}
    assert {"sop-missing-section", "sop-no-escalation-tier", "sop-no-id"} <= found


def test_a_new_sop_from_the_template_reports_its_empty_placeholders(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    created = kb.create("sop", "Escalate widgets", "L1")
    sop = parse_sop(kb.load(created.path))
    assert [f.name for f in sop.required_fields] == ["Caller name and contact", "Device name or asset tag"]
    lines = created.path.read_text("utf-8").splitlines()
    empty = [p.line for p in sop.problems if p.rule == "sop-empty-item"]
    assert [lines[line - 1].strip() for line in empty] == [
        "-", "- [ ]", "1.", "- **Response from next tier:**"]
    assert sop.checks == [] and sop.escalates_to == "L2"


def test_tier_problems(kb_root: Path) -> None:
    downward = SOP_HEAD.replace("escalates_to: L2", "escalates_to: L1")
    downward += "\n## Escalate to\n\n- **Tier:** L3\n"
    sop = parse_sop(load(kb_root, "sops/down.md", downward))
    by_rule = {p.rule: p for p in sop.problems}
    assert by_rule["sop-escalates-downward"].severity == ERROR and by_rule["sop-escalates-downward"].line == 6
    assert by_rule["sop-tier-mismatch"].line == 10
    no_front = "## Escalate to\n\n- **Tier:** L3\n- **Team:** Ops\n- **How:** phone\n"
    assert parse_sop(load(kb_root, "sops/target-only.md", no_front)).escalates_to == "L3"


def test_fences_comments_continuations_and_duplicate_sections(kb_root: Path) -> None:
    body = SOP_HEAD + """
## Scope

<!-- a comment
that spans lines -->
Covers widgets.

## Steps

1. Run this:

   ```
   ## not a heading
   ```
2. Then a wrapped
   second line.
   - a nested bullet

A paragraph after the list.

## Steps

3. Merged step.
"""
    sop = parse_sop(load(kb_root, "sops/fence.md", body))
    assert sop.scope == "Covers widgets."
    assert len(sop.steps) == 3 and "## not a heading" in sop.steps[0]
    assert sop.steps[1] == "Then a wrapped second line. - a nested bullet" and sop.steps[2] == "Merged step."
    found = rules(sop.problems)
    assert ("sop-stray-text", 27) in found and ("sop-duplicate-section", 29) in found
    assert next(p for p in sop.problems if p.rule == "sop-stray-text").severity == INFO


def _escalation_section_sop(article: Document) -> str:
    section = re.split(r"^## If this doesn't solve it", article.body, flags=re.MULTILINE)[1]
    target = re.search(r"\]\(([^)]*sops/[^)]*)\)", section).group(1)
    return resolve_link(article.rel_path, target)


def test_every_demo_article_finds_the_sop_it_names(content_copy: Path) -> None:
    documents = KnowledgeBase(content_copy).load_all()
    articles = [doc for doc in documents if doc.kind == "article"]
    assert len(articles) >= 40
    for article in articles:
        sop = sop_for_article(article, documents)
        assert sop is not None and sop.kind == "sop", article.rel_path
        assert sop.rel_path == _escalation_section_sop(article), article.rel_path
    unlock = find_document(documents, "KB-0002")
    ranked = rank_sops_for_article(unlock, documents)
    assert [m.document.id for m in ranked[:2]] == ["SOP-0001", "SOP-0007"] and ranked[0].linked


def test_without_links_sops_match_by_tags_products_and_tier(content_copy: Path) -> None:
    documents = KnowledgeBase(content_copy).load_all()
    article = load(content_copy, "articles/network/new.md", """---
id: KB-0900
kind: article
tier: L1
tags: [vpn, globalprotect]
products: [GlobalProtect]
---
# GlobalProtect shows an odd error
""")
    ranked = rank_sops_for_article(article, [*documents, article])
    assert ranked[0].document.id == "SOP-0003" and not ranked[0].linked
    assert "tags: globalprotect, vpn" in ranked[0].reasons
    self_service = article.meta | {"tier": "L0"}
    at_l0 = Document(article.path, article.rel_path, self_service, article.body, article.text, "")
    assert all(tier_rank(m.document.tier) <= 0 for m in rank_sops_for_article(at_l0, documents))
    unrelated = Document(article.path, article.rel_path, {"tier": "L1", "tags": ["llamas"]}, "", "", "")
    assert sop_for_article(unrelated, documents) is None


def test_the_escalation_map_of_the_demo(content_copy: Path) -> None:
    documents = KnowledgeBase(content_copy).load_all()
    emap = escalation_map(documents)
    expected = {tier: sum(1 for d in documents if d.kind == "article" and d.tier == tier)
                for tier in ("L0", "L1", "L2", "L3", "L4")}
    assert {c.tier: c.articles for c in emap.tiers} == expected == {"L0": 10, "L1": 19, "L2": 13, "L3": 3,
                                                                    "L4": 3}
    assert {c.tier: c.sops for c in emap.tiers} == {"L0": 1, "L1": 10, "L2": 1, "L3": 1, "L4": 0}
    assert len(emap.edges) == 13 and all(edge.upward for edge in emap.edges)
    assert emap.column("L1").article_paths[0].startswith("articles/")
    assert ("L1", "L3") in {(e.from_tier, e.to_tier) for e in emap.edges} and emap.unmapped == ()
    svg = escalation_map_svg(emap)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    for edge in emap.edges:
        assert edge.sop_id in svg and f'href="{edge.rel_path}"' in svg
    assert "19 articles, 10 SOPs" in svg


def test_the_map_lists_sops_it_cannot_draw(kb_root: Path) -> None:
    load(kb_root, "sops/untiered.md", "---\nid: SOP-0001\nkind: sop\n---\n# No tier & <odd>\n")
    load(kb_root, "sops/down.md", SOP_HEAD.replace("escalates_to: L2", "escalates_to: L0"))
    emap = escalation_map(KnowledgeBase(kb_root).load_all())
    assert emap.unmapped == (("sops/untiered.md", "no tier"),)
    assert [e.upward for e in emap.edges] == [False]
    ElementTree.fromstring(escalation_map_svg(emap, title="A & B"))
    assert escalation_map([]).to_json()["edges"] == []
