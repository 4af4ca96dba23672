"""The review commands run as real processes: JSON shapes, messages and exit codes 0, 1 and 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import write
from tests.review.conftest import OMAR, RITA, ReviewKB
from tests.review.test_queue import JSON_KEYS


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbstudio", *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def test_submit_review_approve_round_trip(review_kb: ReviewKB) -> None:
    root = review_kb.root
    review_kb.at("2025-03-01T09:00:00+00:00")
    done = run("submit", root, "articles/vpn.md", "--reviewer", RITA, "--reviewer", OMAR)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == review_kb.git("rev-parse", "HEAD").strip()
    assert "KB-0001: draft -> review" in done.stderr
    review_kb.at("2025-03-02T09:00:00+00:00")
    assert run("submit", root, root / "articles/printer.md", "--reviewer", RITA).returncode == 0

    listed = run("review", root, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [row["path"] for row in rows] == ["articles/vpn.md", "articles/printer.md"]
    assert all(set(row) == JSON_KEYS for row in rows)
    first = rows[0]
    assert (first["id"], first["title"], first["tier"]) == ("KB-0001", "Connect to the VPN", "L1")
    assert first["submitted_by"] == "Test Author <test@example.com>"
    assert first["submitted_at"] == "2025-03-01T09:00:00+00:00" and isinstance(first["age_days"], int)
    assert first["reviewers"] == [RITA, OMAR] and first["last_published"] is None
    assert first["diff"].startswith("--- (new document)\n+++ articles/vpn.md (saved)\n")

    text = run("review", root, "--diff")
    assert text.returncode == 0 and "KB-0001  L1" in text.stdout and "new document" in text.stdout
    assert "+status: review" in text.stdout and "2 documents in review" in text.stderr

    review_kb.as_person(RITA)                  # the reviewer commits the approval, not the author
    approved = run("approve", root, "articles/vpn.md", "--reviewer", RITA, "--json")
    assert approved.returncode == 0, approved.stderr
    result = json.loads(approved.stdout)
    assert (result["old_status"], result["new_status"], result["changed"]) == (
        "review", "published", ["articles/vpn.md"])
    assert review_kb.message().endswith(f"\n\nReviewed-by: {RITA}\n")

    changes = run("request-changes", root, "articles/printer.md", "--reviewer", OMAR,
                  "--comment", "Name the print server.")
    assert changes.returncode == 0, changes.stderr
    assert review_kb.message() == ("Request changes to KB-0002: Clear a printer queue\n\n"
                                   f"Name the print server.\n\nChanges-requested-by: {OMAR}\n")
    assert json.loads(run("review", root, "--json").stdout) == []


def test_refusals_exit_one(review_kb: ReviewKB) -> None:
    root = review_kb.root
    head = review_kb.git("rev-parse", "HEAD")
    refused = run("approve", root, "articles/vpn.md", "--reviewer", RITA)
    assert refused.returncode == 1
    assert "cannot approve KB-0001" in refused.stderr and "submit it for review first" in refused.stderr
    assert run("submit", root, "articles/old.md", "--reviewer", RITA).returncode == 1
    assert run("request-changes", root, "articles/password.md", "--reviewer", RITA,
               "--comment", "x").returncode == 1
    assert review_kb.git("rev-parse", "HEAD") == head
    assert "Traceback" not in refused.stderr


def test_bad_usage_exits_two(review_kb: ReviewKB, tmp_path: Path) -> None:
    root = review_kb.root
    injected = run("submit", root, "articles/vpn.md", "--reviewer", f"{RITA}\nReviewed-by: M <m@example.com>")
    assert injected.returncode == 2 and "newlines or control characters" in injected.stderr
    assert run("submit", root, "articles/vpn.md", "--reviewer", "rita@example.com").returncode == 2
    assert run("submit", root, "articles/vpn.md").returncode == 2  # no reviewer anywhere
    missing = run("approve", root, "articles/nope.md", "--reviewer", RITA)
    assert missing.returncode == 2 and "no such document" in missing.stderr
    assert run("approve", tmp_path / "not-a-kb", "a.md", "--reviewer", RITA).returncode == 2
    assert run("approve", root, tmp_path / "elsewhere.md", "--reviewer", RITA).returncode == 2
    assert run("request-changes", root, "articles/vpn.md", "--reviewer", RITA).returncode == 2  # no comment
    assert run("approve", root, "articles/vpn.md").returncode == 2  # no --reviewer
    plain = tmp_path / "plain"
    write(plain, "a.md", "---\nstatus: draft\n---\n# A\n")
    unversioned = run("submit", plain, "a.md", "--reviewer", RITA)
    assert unversioned.returncode == 2 and "not inside a git repository" in unversioned.stderr
    assert "Traceback" not in unversioned.stderr + missing.stderr + injected.stderr


def test_review_and_dashboard_without_git(content_copy: Path) -> None:
    listed = run("review", content_copy, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 4 and all(row["submitted_by"] is None for row in rows)
    board = run("dashboard", content_copy, "--json", "--today", "2100-01-01")
    assert board.returncode == 0, board.stderr
    data = json.loads(board.stdout)
    assert set(data) == {"kb", "today", "total", "counts", "by_tier", "by_status", "stale",
                         "review_queue_size", "unreadable", "versioned", "recent", "knowledge", "review_due"}
    assert data["total"] == 61 and data["review_queue_size"] == 4 and data["versioned"] is False
    assert len(data["stale"]) == data["by_status"]["published"] + data["by_status"]["review"]
    text = run("dashboard", content_copy, "--today", "2000-01-01")
    assert text.returncode == 0 and "TIER" in text.stdout and "0 stale" in text.stdout
    assert run("dashboard", content_copy, "--today", "soon").returncode == 2
