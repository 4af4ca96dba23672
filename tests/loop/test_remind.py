"""Review reminders per tier: review_by, the tier's interval since the last review, reuse as review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.history_facts import read_history
from kbstudio.loop.ledger import UseRequest
from kbstudio.loop.remind import by_owner, reminders
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.review.policy import DEFAULT_INTERVALS, PolicyError, ReviewPolicy, parse_policy
from kbstudio.vcs.repo import KBRepo
from tests.loop.conftest import HISTORY_NOW, L1

TODAY = HISTORY_NOW.date()     # 2025-08-01


def _due(kb: KnowledgeBase, policy: ReviewPolicy, days: int = 0) -> list[tuple[str, str, int, str]]:
    repo = KBRepo.find(kb)
    assert repo is not None
    uses = KnowledgeLoop(kb, repo, agent=L1, device="d1").uses().items()
    return [(item.path, item.due.isoformat(), item.days_left, item.reason)
            for item in reminders(kb.load_all(), policy, read_history(repo), uses, TODAY, days)]


def test_due_by_interval_since_last_review_or_change(history_kb: KnowledgeBase) -> None:
    # a.md approved 2025-01-11; p.md and the SOP last changed 2025-01-01; all L1: 180 days
    assert _due(history_kb, ReviewPolicy()) == [
        ("articles/p.md", "2025-06-30", -32, "interval"), ("sops/s.md", "2025-06-30", -32, "interval"),
        ("articles/a.md", "2025-07-10", -22, "interval")]
    # looking 165 days ahead adds b.md (L2, changed 2025-07-01) and d.md (L0, approved 2025-07-15)
    ahead = _due(history_kb, ReviewPolicy(), days=165)
    assert [row[:2] for row in ahead[3:]] == [("articles/b.md", "2025-12-28"),
                                              ("articles/d.md", "2026-01-11")]


def test_tier_interval_from_the_policy_and_review_by_first(history_kb: KnowledgeBase) -> None:
    policy = parse_policy("review_interval_days:\n  L0: 10\n")
    assert ("articles/d.md", "2025-07-25", -7, "interval") in _due(history_kb, policy)
    path = history_kb.root / "articles/b.md"
    path.write_text(path.read_text("utf-8").replace("owner: Desk\n", "owner: Desk\nreview_by: 2025-07-20\n"),
                    "utf-8")
    assert ("articles/b.md", "2025-07-20", -12, "review_by") in _due(history_kb, ReviewPolicy())


def test_a_solved_use_is_a_light_review_only_when_the_policy_says_so(history_kb: KnowledgeBase) -> None:
    loop = KnowledgeLoop(history_kb, KBRepo.find(history_kb), agent=L1, device="d1")
    before = HISTORY_NOW - timedelta(days=5)
    loop.record_use(history_kb.load("articles/a.md"), UseRequest("solved"), now=before)
    loop.record_use(history_kb.load("articles/p.md"), UseRequest("partly"), now=before)
    assert "articles/a.md" in [row[0] for row in _due(history_kb, ReviewPolicy())]
    reuse = ReviewPolicy(reuse_counts_as_review=True)
    due = _due(history_kb, reuse)
    assert [row[0] for row in due] == ["articles/p.md", "sops/s.md"]    # "partly" is no review
    later = _due(history_kb, reuse, days=200)
    assert ("articles/a.md", "2026-01-23", 175, "reuse") in later         # 2025-07-27 + 180 days


def test_by_owner_groups_and_drafts_are_never_listed(history_kb: KnowledgeBase) -> None:
    path = history_kb.root / "articles/p.md"
    path.write_text(path.read_text("utf-8").replace("owner: Desk", "owner: Print Team"), "utf-8")
    repo = KBRepo.find(history_kb)
    assert repo is not None
    items = reminders(history_kb.load_all(), ReviewPolicy(), read_history(repo), [], TODAY, 400)
    grouped = by_owner(items)
    assert list(grouped) == ["Desk", "Print Team"]
    assert [item.path for item in grouped["Print Team"]] == ["articles/p.md"]
    assert "articles/c.md" not in [item.path for item in items]      # a draft
    assert items[0].to_json()["overdue"] is True


def test_no_history_and_no_review_by_means_no_reminder(content_copy) -> None:  # noqa: ANN001
    kb = KnowledgeBase(content_copy)
    items = reminders(kb.load_all(), ReviewPolicy(), None, [], date(2030, 1, 1))
    with_date = [doc for doc in kb.load_all() if doc.review_by and doc.status in ("review", "published")]
    assert len(items) == len(with_date) and all(item.reason == "review_by" for item in items)


def test_policy_keys_are_strict() -> None:
    policy = parse_policy("review_interval_days:\n  l4: 60\nreuse_counts_as_review: yes\n")
    assert policy.review_interval_days == {**DEFAULT_INTERVALS, "L4": 60} and policy.reuse_counts_as_review
    assert ReviewPolicy().review_interval_days == {"L0": 180, "L1": 180, "L2": 180, "L3": 180, "L4": 90}
    assert ReviewPolicy().interval(None) is None
    for text, message in (("review_interval_days: 5", "must be a mapping"),
                          ("review_interval_days:\n  L9: 5", "'L9' is not a tier"),
                          ("review_interval_days:\n  L1: 0", "from 1 to 3650"),
                          ("review_interval_days:\n  L1: [1]", "from 1 to 3650"),
                          ("reuse_counts_as_review: maybe", "reuse_counts_as_review must be")):
        with pytest.raises(PolicyError, match=message):
            parse_policy(text)
