"""Knowledge health figures from real git history and real ledgers, every value worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.board import compute_figures
from kbstudio.loop.figures import week_start
from kbstudio.loop.gaps import NO_RESULTS
from kbstudio.loop.ledger import UseRequest
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.vcs.repo import KBRepo
from tests.loop.conftest import HISTORY_NOW as NOW
from tests.loop.conftest import L1, L2


def _record(kb: KnowledgeBase) -> None:
    lia = KnowledgeLoop(kb, KBRepo.find(kb), agent=L1, device="d1")
    leo = KnowledgeLoop(kb, KBRepo.find(kb), agent=L2, device="d2")
    a, b, d = kb.load("articles/a.md"), kb.load("articles/b.md"), kb.load("articles/d.md")
    ago = lambda days: NOW - timedelta(days=days)    # noqa: E731 - reads well here
    lia.record_use(a, UseRequest("solved", tier="L1"), now=ago(5))
    lia.record_use(a, UseRequest("partly", tier="L1"), now=ago(40))
    leo.record_use(a, UseRequest("did-not-help", tier="L2"), now=ago(100))
    lia.record_use(b, UseRequest("escalated", sop="SOP-0001", tier="L1"), now=ago(10))
    leo.record_use(None, UseRequest("escalated", sop="SOP-0001", tier="L2", via="sop-run"), now=ago(20))
    lia.record_use(a, UseRequest("solved", tier="L1"), now=NOW + timedelta(days=3))   # after now: left out
    fixed = lia.flag(a, "unclear", now=ago(30)).record
    leo.resolve_flag(fixed.flag, commit="abc", now=ago(30) + timedelta(hours=6))      # type: ignore[union-attr]
    lia.flag(b, "outdated", now=ago(2))
    lia.flag(d, "wrong", now=ago(200))
    for query in ("vpn drops", "VPN drops", "printer jam"):
        lia.record_gap(query, NO_RESULTS, tier="L1", now=ago(3))


def test_figures(history_kb: KnowledgeBase) -> None:
    _record(history_kb)
    result = compute_figures(history_kb, history_kb.load_all(), KBRepo.find(history_kb), NOW).to_json()
    assert result["uses_total"] == 5
    assert result["reuse"] == [
        {"id": "KB-0001", "path": "articles/a.md", "title": "Alpha", "tier": "L1",
         "uses_30": 1, "uses_90": 2, "reuse_30": 1, "reuse_90": 2},
        {"id": "KB-0002", "path": "articles/b.md", "title": "Bravo", "tier": "L2",
         "uses_30": 1, "uses_90": 1, "reuse_30": 0, "reuse_90": 0}]
    assert (result["link_rate"], result["linked"], result["runs_and_uses"]) == (0.75, 3, 4)
    assert (result["flags_opened"], result["flags_open"], result["flag_rate"]) == (2, 2, 0.5)
    assert result["median_hours_to_resolve"] == 6.0
    assert result["resolved_at_tier"]["L1"] == {"uses": 3, "solved": 1, "rate": 0.3333}
    assert result["resolved_at_tier"]["L2"] == {"uses": 1, "solved": 0, "rate": 0.0}
    assert result["resolved_at_tier"]["L0"] == {"uses": 0, "solved": 0, "rate": None}
    assert (result["median_days_draft_to_published"], result["published_from_draft"]) == (10.0, 1)
    assert result["participation"] == {
        "authors": [{"name": "Omar Other <omar@example.com>", "commits": 1}],   # approvals are no writing
        "reviewers": [{"name": "Rita Reviewer <rita@example.com>", "approvals": 1}]}
    assert [row["id"] for row in result["never_used"]] == ["KB-0004", "KB-0005"]
    assert (result["open_gaps"], result["gap_groups"]) == (1, 2)
    weeks = {row["week"]: (row["uses"], row["solved"]) for row in result["series"]["uses_per_week"]}
    assert len(weeks) == 12 and list(weeks)[-1] == "2025-07-28"
    assert {week: count for week, count in weeks.items() if count != (0, 0)} == {
        "2025-07-21": (2, 1), "2025-07-07": (1, 0), "2025-06-16": (1, 0)}
    by_tier = result["series"]["flags_by_tier"]
    assert (by_tier["L1"], by_tier["L2"], by_tier["L0"]) == (
        {"opened": 1, "open": 0}, {"opened": 1, "open": 1}, {"opened": 0, "open": 1})
    assert result["problems"] == []


def test_figures_of_an_unversioned_kb_and_bad_lines(content_copy: Path) -> None:
    kb = KnowledgeBase(content_copy)
    loop = KnowledgeLoop(kb, agent=L1, device="d1")
    loop.record_use(kb.load("articles/email/outlook-keeps-asking-for-password.md"),
                    UseRequest("solved", tier="L1"), now=NOW)
    usage = next((kb.root / ".kbstudio/usage").glob("*.jsonl"))
    usage.write_bytes(usage.read_bytes() + b"{broken\n")
    result = compute_figures(kb, kb.load_all(), None, NOW)
    assert not result.versioned and result.authors == [] and result.median_days_draft_to_published is None
    assert result.uses_total == 1 and result.reuse[0].id == "KB-0019"
    assert [(problem.line, problem.path == f".kbstudio/usage/{usage.name}") for problem in result.problems] \
        == [(2, True)]
    published = sum(1 for doc in kb.load_all() if doc.status == "published")
    assert len(result.never_used) == published - 1      # no history: every unused published one


def test_week_start() -> None:
    assert week_start(datetime(2025, 8, 3, 23, 59, tzinfo=UTC)) == datetime(2025, 7, 28, tzinfo=UTC)
    assert week_start(datetime(2025, 7, 28, 0, 0, tzinfo=UTC)) == datetime(2025, 7, 28, tzinfo=UTC)
