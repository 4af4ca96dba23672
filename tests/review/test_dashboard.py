"""Dashboard data: the tier x status matrix, stale documents, queue size and recent changes."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path

from kbstudio.kb import KnowledgeBase
from kbstudio.model import STATUSES, TIERS
from kbstudio.review import dashboard, recent_changes, submit
from kbstudio.review.dashboard import UNTIERED
from kbstudio.vcs.service import VersionControl
from tests.conftest import write
from tests.review.conftest import RITA, ReviewKB
from tests.vcs.conftest import git


def test_counts_on_the_demo_kb(content_copy: Path) -> None:
    kb = KnowledgeBase(content_copy)
    documents = kb.load_all()
    board = dashboard(kb, documents, today=date(2000, 1, 1))
    expected = Counter((doc.tier or UNTIERED, doc.status) for doc in documents)
    assert set(board.counts) == {*TIERS, UNTIERED}
    assert all(set(row) == set(STATUSES) for row in board.counts.values())
    assert {(t, s): n for t, row in board.counts.items() for s, n in row.items() if n} == dict(expected)
    assert board.total == len(documents) == 61
    assert board.by_status()["published"] == sum(1 for d in documents if d.status == "published")
    assert board.review_queue_size == sum(1 for d in documents if d.status == "review") == 4
    assert board.by_tier()["L1"] == sum(1 for d in documents if d.tier == "L1")
    assert board.stale == [] and board.recent == [] and not board.versioned and board.unreadable == []
    assert board.to_json()["counts"]["L1"]["published"] == board.counts["L1"]["published"]


def test_stale_documents_with_an_injected_today(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    base = "---\nid: {id}\ntitle: {id}\ntier: L1\nstatus: {status}\nreview_by: {by}\n---\n# {id}\n"
    for doc_id, status, by in (("KB-0001", "published", "2025-01-10"), ("KB-0002", "review", "2025-01-01"),
                               ("KB-0003", "published", "2025-02-01"), ("KB-0004", "draft", "2024-01-01"),
                               ("KB-0005", "archived", "2024-01-01"), ("KB-0006", "published", "2025-01-15")):
        write(root, f"{doc_id}.md", base.format(id=doc_id, status=status, by=by))
    write(root, "broken.md", "---\ntitle: [\n---\n")
    write(root, "binary.md", b"\x00\x01")
    kb = KnowledgeBase(root)
    board = dashboard(kb, kb.load_all(), today=date(2025, 1, 15))
    assert [(s.id, s.days_overdue, s.status) for s in board.stale] == [
        ("KB-0002", 14, "review"), ("KB-0001", 5, "published")]
    assert board.stale[0].to_json() == {"path": "KB-0002.md", "id": "KB-0002", "title": "KB-0002",
                                        "tier": "L1", "status": "review", "review_by": "2025-01-01",
                                        "days_overdue": 14}
    assert board.unreadable == ["binary.md"]
    assert board.counts[UNTIERED]["draft"] == 1  # broken front matter is still a document
    assert board.review_queue_size == 1


def test_recent_changes_of_a_versioned_kb(review_kb: ReviewKB) -> None:
    review_kb.at("2025-02-01T10:00:00+00:00")
    submit(review_kb.vcs, review_kb.kb, "articles/vpn.md", [RITA])
    review_kb.at("2025-02-02T10:00:00+00:00")
    review_kb.approve("articles/vpn.md", RITA)
    board = dashboard(review_kb.kb, review_kb.kb.load_all(), review_kb.vcs, today=date(2025, 2, 3),
                      recent_limit=2)
    assert board.versioned
    assert [(c.summary, c.paths, c.date.day) for c in board.recent] == [
        ("Approve KB-0001: Connect to the VPN", ("articles/vpn.md",), 2),
        ("Submit KB-0001 for review: Connect to the VPN", ("articles/vpn.md",), 1)]
    assert board.recent[0].author == "Rita Reviewer" and board.recent[0].email == "rita@example.com"
    seed = recent_changes(review_kb.vcs, 10)[-1]
    assert seed.summary == "Seed the KB" and len(seed.paths) == 4
    assert board.to_json()["recent"][0]["paths"] == ["articles/vpn.md"]


def test_recent_changes_of_a_kb_folder_inside_a_repository(review_kb: ReviewKB) -> None:
    review_kb.write("docs/kb/a.md", "---\nid: KB-0100\nstatus: draft\n---\n# A\n")
    review_kb.write("other/readme.md", "outside the KB\n")
    review_kb.commit("Add a nested KB")
    review_kb.write("other/readme.md", "changed\n")
    review_kb.commit("Change a file outside the KB")
    nested = KnowledgeBase(review_kb.root / "docs" / "kb")
    vcs = VersionControl.open(nested)
    assert vcs is not None
    assert [(c.summary, c.paths) for c in recent_changes(vcs)] == [("Add a nested KB", ("a.md",))]


def test_an_empty_repository_has_no_recent_changes(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    git(tmp_path / "kb", "init", "-q")
    kb = KnowledgeBase(tmp_path / "kb")
    vcs = VersionControl.open(kb)
    assert vcs is not None and dashboard(kb, [], vcs).recent == []


def test_dashboard_is_fast_on_the_corpus(corpus: Path) -> None:
    kb = KnowledgeBase(corpus)
    documents = kb.load_all()
    assert len(documents) > 2000
    started = time.perf_counter()
    board = dashboard(kb, documents, today=date(2025, 1, 1))
    elapsed = time.perf_counter() - started
    assert board.total + len(board.unreadable) == len(documents)
    assert elapsed < 0.5, elapsed
