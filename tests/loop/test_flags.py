"""Flags: opened and resolved as events in per-person files, folded into one state everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.anchors import anchor_line
from kbstudio.loop.flags import (
    NO_OWNER,
    REASONS,
    flags_of,
    fold_flags,
    may_fix,
    open_flags_by_document,
    open_flags_by_owner,
    read_flag_events,
)
from kbstudio.loop.records import RecordError
from kbstudio.loop.service import KnowledgeLoop
from tests.loop.conftest import BEN, NOW, OUTLOOK

PRINTER = "articles/printing/print-jobs-stuck-in-the-queue.md"   # owner: End User Computing


def test_open_then_resolve_by_someone_else(kb: KnowledgeBase, ana: KnowledgeLoop, ben: KnowledgeLoop) -> None:
    document = kb.load(OUTLOOK)
    opened = ana.flag(document, "missing-step", comment="Step for the new\nOutlook is missing",
                      anchor="#Resolution", tier="L1", now=NOW).record
    flag = ana.flags()[0]
    assert flag.is_open and flag.id == opened.flag
    assert (flag.document, flag.reason, flag.anchor, flag.tier) == (
        "KB-0019", "missing-step", "resolution", "L1")
    assert flag.comment == "Step for the new\nOutlook is missing"      # line breaks of a comment kept
    ben.resolve_flag(flag.id[:6], commit="0123abcd", note="added the step", tier="L2",
                     now=NOW + timedelta(hours=5))
    resolved = ana.flags()[0]
    assert not resolved.is_open
    assert (resolved.resolved_by, resolved.commit, resolved.note) == (str(BEN), "0123abcd", "added the step")
    assert resolved.resolved_at - resolved.opened_at == timedelta(hours=5)
    with pytest.raises(RecordError, match="already resolved"):
        ben.resolve_flag(flag.id)
    assert len({record.path for record in read_flag_events(kb.root).records}) == 2   # one file each


def test_fold_is_the_same_in_any_order(kb: KnowledgeBase, ana: KnowledgeLoop, ben: KnowledgeLoop) -> None:
    document = kb.load(OUTLOOK)
    for number, reason in enumerate(REASONS):
        ana.flag(document, reason, now=NOW + timedelta(minutes=number))
    first = ana.flags()
    ben.resolve_flag(first[1], commit="abc1", now=NOW + timedelta(days=1))
    events = read_flag_events(kb.root).items()
    assert fold_flags(events) == fold_flags(list(reversed(events)))
    folded = fold_flags(events)
    assert [flag.reason for flag in folded] == list(REASONS)
    assert [flag.is_open for flag in folded] == [True, False, True, True, True]


def test_a_resolve_before_its_open_still_counts_and_an_orphan_resolve_is_ignored(
        kb: KnowledgeBase, ana: KnowledgeLoop, ben: KnowledgeLoop) -> None:
    opened = ana.flag(kb.load(OUTLOOK), "wrong", now=NOW).record
    flag = ana.flags()[0]
    ben.resolve_flag(flag, commit="c0ffee", now=NOW + timedelta(hours=1))
    events = read_flag_events(kb.root).items()
    resolve = [event for event in events if event.event == "resolve"]
    orphan = type(resolve[0])("resolve", "f" * 32, NOW, "x")
    folded = fold_flags([*resolve, orphan, *[e for e in events if e.event == "open"]])
    assert [(flag.id, flag.is_open, flag.commit) for flag in folded] == [(opened.flag, False, "c0ffee")]


def test_open_flags_by_document_and_owner(kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    outlook, printer = kb.load(OUTLOOK), kb.load(PRINTER)
    ana.flag(outlook, "outdated", now=NOW)
    ana.flag(outlook, "unclear", now=NOW + timedelta(minutes=1))
    ana.flag(printer, "wrong", now=NOW + timedelta(minutes=2))
    ana.resolve_flag(ana.flags()[1], commit="abc")
    flags = ana.flags()
    by_doc = open_flags_by_document(flags)
    assert {key: [flag.reason for flag in items] for key, items in by_doc.items()} == {
        "KB-0019": ["outdated"], printer.id: ["wrong"]}
    by_owner = open_flags_by_owner(flags, kb.load_all())
    assert {owner: [flag.reason for flag in items] for owner, items in by_owner.items()} == {
        "End User Computing": ["wrong"], "Messaging Team": ["outdated"]}
    assert [flag.reason for flag in flags_of(flags, outlook)] == ["outdated"]
    assert [flag.reason for flag in flags_of(flags, outlook, open_only=False)] == ["outdated", "unclear"]
    assert open_flags_by_owner(flags, []) == {NO_OWNER: by_doc["KB-0019"] + by_doc[printer.id]}


@pytest.mark.parametrize(("role", "tier", "allowed"), [
    ("L1", "L1", True), ("L2", "L1", True), ("L1", "L2", False), ("L0", "L1", False), ("L4", "L4", True),
    ("L3", "L4", False), ("L1", None, True), (None, "L1", False), ("boss", "L0", False),
])
def test_may_fix_means_role_at_or_above_the_tier(role: str | None, tier: str | None, allowed: bool) -> None:
    assert may_fix(role, tier) is allowed


def test_anchor_line_finds_headings_and_lines(kb: KnowledgeBase) -> None:
    document = kb.load(OUTLOOK)
    lines = document.text.split("\n")
    line = anchor_line(document, "resolution")
    assert line is not None and lines[line - 1].strip().lower().lstrip("# ") == "resolution"
    assert anchor_line(document, "3") == 3
    assert anchor_line(document, "99999") is None
    assert anchor_line(document, "no-such-heading") is None


def test_bad_flags_are_refused(kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    with pytest.raises(RecordError, match="reason 'typo' is not one of"):
        ana.flag(kb.load(OUTLOOK), "typo")
    with pytest.raises(KeyError, match="no flag"):
        ana.resolve_flag("abcdef")
    with pytest.raises(KeyError, match="at least 4"):
        ana.resolve_flag("ab")
