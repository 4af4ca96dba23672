"""Search gaps: classified, logged as typed, grouped across people, closed by a published article."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kbstudio.fields import BY_NAME
from kbstudio.kb import KnowledgeBase
from kbstudio.loop.drafts import INTRO, create_from_group, create_from_search, put_in_issue
from kbstudio.loop.gap_groups import close_groups, drafts_for, group_gaps, jaccard, signature
from kbstudio.loop.gaps import NO_RESULTS, NOT_OPENED, OTHER_TIERS, classify_search, read_gaps
from kbstudio.loop.records import RecordError
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.reader import read_document
from tests.loop.conftest import NOW


@pytest.mark.parametrize(("results", "other", "opened", "kind"), [
    (0, 0, False, NO_RESULTS), (0, 4, False, OTHER_TIERS), (3, 0, False, NOT_OPENED),
    (3, 2, False, NOT_OPENED), (3, 0, True, None), (0, 0, True, None),
])
def test_classify_search(results: int, other: int, opened: bool, kind: str | None) -> None:
    assert classify_search(results, other, opened) == kind


def test_gap_is_logged_as_typed_and_opt_out_logs_nothing(kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    assert ana.record_gap("VPN drops  every 5 min", NO_RESULTS, enabled=False) is None
    assert not (kb.root / ".kbstudio/gaps").exists()
    ana.record_gap("  VPN drops  every 5 min ", OTHER_TIERS, tier="L1", results=0, other_tiers=2,
                   tiers=["L0", "l1"], now=NOW)
    entry = read_gaps(kb.root).items()[0]
    assert (entry.query, entry.kind, entry.tier, entry.other_tiers, entry.tiers) == (
        "VPN drops  every 5 min", OTHER_TIERS, "L1", 2, ("L0", "L1"))
    with pytest.raises(RecordError, match="query is empty"):
        ana.record_gap("   ", NO_RESULTS)
    with pytest.raises(RecordError, match="kind 'lost'"):
        ana.record_gap("x", "lost")


def test_signature_normalises_case_accents_stems_and_order() -> None:
    assert signature("Résumé PRINTERS won't print") == signature("print resume printer wont")
    assert signature("Outlook keeps asking for my password") == signature("password asking outlook keeps")
    assert signature("the and of") == ""
    assert signature("Café Wi\u0301fi") == signature("cafe wifi")    # NFD accent folded too
    assert jaccard(frozenset("ab"), frozenset("bc")) == pytest.approx(1 / 3)


def test_similar_searches_of_two_people_form_one_group(kb: KnowledgeBase, ana: KnowledgeLoop,
                                                       ben: KnowledgeLoop) -> None:
    typed = [(ana, "Outlook keeps asking for my password"), (ben, "outlook asks password again"),
             (ana, "outlook asks password again"), (ben, "Outlook password prompt keeps asking"),
             (ana, "teams camera black"), (ben, "Teams camera is black"), (ana, "badge printer jam")]
    for number, (loop, query) in enumerate(typed):
        loop.record_gap(query, NO_RESULTS if number % 2 else NOT_OPENED, tier="L1",
                        now=NOW + timedelta(minutes=number))
    groups = group_gaps(read_gaps(kb.root).items())
    assert [(group.count, group.people) for group in groups] == [(4, 2), (2, 2), (1, 1)]
    outlook = groups[0]
    assert outlook.examples[0] == ("outlook asks password again", 2)
    assert {text for text, _ in outlook.examples} == {
        "Outlook keeps asking for my password", "outlook asks password again",
        "Outlook password prompt keeps asking"}
    assert outlook.key == signature("outlook asks password again")
    assert outlook.first == NOW and outlook.last == NOW + timedelta(minutes=3)
    assert groups[1].examples == [("Teams camera is black", 1), ("teams camera black", 1)]
    assert group_gaps(list(reversed(read_gaps(kb.root).items())))[0].to_json() == outlook.to_json()


def test_draft_from_a_group_keeps_the_words_and_closes_the_gap_when_published(
        kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    for query in ("Teams camera is black", "teams camera black *screen*"):
        ana.record_gap(query, NO_RESULTS, now=NOW)
    group = group_gaps(read_gaps(kb.root).items())[0]
    created = create_from_group(kb, group, "L1", owner="Collaboration Team")
    document = read_document(created.path, kb.root)
    assert document.status == "draft" and document.tier == "L1" and document.owner == "Collaboration Team"
    assert document.id == created.doc_id and created.rel_path.startswith("articles/")
    assert document.value("from_search") == group.key
    issue = document.body.split("## Issue", 1)[1].split("## Environment", 1)[0]
    assert f"{INTRO}\n\n- Teams camera is black\n- teams camera black *screen*\n" in issue
    assert document.title == "Teams camera is black"
    documents = kb.load_all()
    assert close_groups([group], documents)[0].is_open
    assert drafts_for([group], documents) == {group.key: [created.doc_id]}
    text = created.path.read_text("utf-8").replace("status: draft", "status: published")
    created.path.write_text(text, "utf-8")
    closed = close_groups(group_gaps(read_gaps(kb.root).items()), kb.load_all())[0]
    assert closed.closed_by == created.doc_id and not closed.is_open


def test_a_search_that_now_finds_a_published_document_closes_its_group(
        kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    ana.record_gap("forgotten password", NO_RESULTS, tiers=["L0", "L1"], now=NOW)
    ana.record_gap("printer on fire", NO_RESULTS, now=NOW)
    ana.record_gap("wifi slow", NOT_OPENED, now=NOW)       # had results already: never closed by search
    asked = []

    def finds(query: str, tiers: tuple[str, ...]) -> str | None:
        asked.append((query, tiers))
        return {"forgotten password": "KB-0001", "wifi slow": "KB-0009"}.get(query)

    groups = close_groups(group_gaps(read_gaps(kb.root).items()), [], finds=finds)
    assert {group.query: group.closed_by for group in groups} == {
        "forgotten password": "KB-0001", "printer on fire": None, "wifi slow": None}
    assert sorted(asked) == [("forgotten password", ("L0", "L1")), ("printer on fire", ())]


def test_issue_section_insertion_keeps_crlf_and_adds_a_section_when_missing() -> None:
    crlf = "---\r\nid: KB-1\r\n---\r\n# T\r\n\r\n## Issue\r\n\r\n<!-- say -->\r\n\r\n## Cause\r\n"
    out = put_in_issue(crlf, ["a  b"])
    assert out == ("---\r\nid: KB-1\r\n---\r\n# T\r\n\r\n## Issue\r\n\r\n<!-- say -->\r\n\r\n"
                   f"{INTRO}\r\n\r\n- a  b\r\n\r\n## Cause\r\n")
    assert put_in_issue("# T\n", ["x"]) == f"# T\n\n## Issue\n\n{INTRO}\n\n- x\n"


def test_create_from_search_refuses_nothing_and_bad_tier(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="a search"):
        create_from_search(kb, ["  "], "L1")
    with pytest.raises(ValueError, match="tier must be"):
        create_from_search(kb, ["x"], "L7")
    assert BY_NAME["from_search"].type == "text"
