"""The review queue: oldest submission first, submitter, age, and the diff since last published."""

from __future__ import annotations

from datetime import UTC, datetime

from kbstudio.kb import KnowledgeBase
from kbstudio.review import queue_item, review_queue, submit
from kbstudio.vcs.service import VersionControl
from tests.conftest import write
from tests.review.conftest import OMAR, RITA, SEED_DATE, ReviewKB
from tests.vcs.conftest import document

NOW = datetime(2025, 3, 11, 9, 0, tzinfo=UTC)
JSON_KEYS = {"path", "id", "title", "tier", "submitted_by", "submitted_at", "age_days", "reviewers",
             "last_published", "approvals", "approvals_needed", "diff"}


def test_oldest_submission_first_with_submitter_and_age(review_kb: ReviewKB) -> None:
    review_kb.at("2025-03-01T09:00:00+00:00")
    review_kb.as_author("Alice Author", "alice@example.com")
    submit(review_kb.vcs, review_kb.kb, "articles/vpn.md", [RITA])
    review_kb.at("2025-03-05T09:00:00+00:00")
    review_kb.as_author("Bob Writer", "bob@example.com")
    submit(review_kb.vcs, review_kb.kb, "articles/printer.md", [OMAR])
    review_kb.at("2025-03-09T09:00:00+00:00")
    review_kb.edit("articles/vpn.md", "2. Try again.", "2. Reconnect.")
    review_kb.commit("Tweak step 2 while in review")

    queue = review_queue(review_kb.vcs, review_kb.kb, now=NOW)
    assert [item.path for item in queue] == ["articles/vpn.md", "articles/printer.md"]
    vpn, printer = queue
    assert vpn.submitted_by == "Alice Author <alice@example.com>"
    assert vpn.submitted_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert vpn.age_days == 10 and printer.age_days == 6
    assert vpn.reviewers == [RITA] and printer.reviewers == [OMAR]
    assert printer.submitted_by == "Bob Writer <bob@example.com>"
    assert vpn.submitted_sha == review_kb.git("log", "--format=%H", "--grep=Submit KB-0001").strip()


def test_a_new_document_is_diffed_against_nothing(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, "articles/vpn.md", [RITA])
    [item] = review_queue(review_kb.vcs, review_kb.kb, now=NOW)
    assert item.is_new and item.last_published is None and item.last_published_at is None
    unified = item.diff.unified()
    assert unified.startswith("--- (new document)\n+++ articles/vpn.md (saved)\n@@ -0,0 +1,")
    assert all(line.kind == "added" for hunk in item.diff.hunks for line in hunk.lines)
    data = item.to_json()
    assert set(data) == JSON_KEYS and data["last_published"] is None and data["diff"] == unified


def test_an_edited_published_document_shows_only_its_changes(review_kb: ReviewKB) -> None:
    published_sha = review_kb.git("rev-parse", "HEAD").strip()
    review_kb.at("2025-02-01T09:00:00+00:00")
    review_kb.edit("articles/password.md", "1. Check the basics.", "1. Verify the caller's identity.")
    review_kb.commit("Draft a better first step")
    submit(review_kb.vcs, review_kb.kb, "articles/password.md", [RITA])
    [item] = review_queue(review_kb.vcs, review_kb.kb, now=NOW)
    assert item.last_published == published_sha and not item.is_new
    assert item.last_published_at == datetime.fromisoformat(SEED_DATE)
    changed = [(line.kind, line.text) for hunk in item.diff.hunks for line in hunk.lines
               if line.kind != "same"]
    assert changed == [("removed", "status: published"), ("added", "status: review"),
                       ("added", f"reviewers: [{RITA}]"),
                       ("removed", "1. Check the basics."), ("added", "1. Verify the caller's identity.")]
    assert item.diff.old_label == f"articles/password.md ({published_sha[:8]})"


def test_the_last_published_version_is_found_across_a_rename(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, "articles/vpn.md", [RITA])
    review_kb.approve("articles/vpn.md", RITA)
    published_sha = review_kb.git("rev-parse", "HEAD").strip()
    review_kb.git("mv", "articles/vpn.md", "articles/connect-to-the-vpn.md")
    review_kb.commit("Rename the VPN article")
    review_kb.edit("articles/connect-to-the-vpn.md", "3. Escalate", "3. Collect the log, then escalate")
    submit(review_kb.vcs, review_kb.kb, "articles/connect-to-the-vpn.md", [])
    [item] = review_queue(review_kb.vcs, review_kb.kb, now=NOW)
    assert item.path == "articles/connect-to-the-vpn.md" and item.last_published == published_sha
    assert item.diff.old_label == f"articles/vpn.md ({published_sha[:8]})"
    assert "+3. Collect the log, then escalate when it still fails." in item.diff.unified()


def test_approved_and_sent_back_documents_leave_the_queue(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, "articles/vpn.md", [RITA])
    submit(review_kb.vcs, review_kb.kb, "articles/printer.md", [RITA])
    review_kb.approve("articles/vpn.md", RITA)
    assert [item.path for item in review_queue(review_kb.vcs, review_kb.kb)] == ["articles/printer.md"]


def test_review_set_by_hand_without_a_commit_falls_back_to_the_file_time(review_kb: ReviewKB) -> None:
    review_kb.edit("articles/vpn.md", "status: draft", "status: review")
    document_ = review_kb.kb.load("articles/vpn.md")
    item = queue_item(review_kb.vcs, document_, now=NOW)
    mtime = datetime.fromtimestamp((review_kb.root / "articles/vpn.md").stat().st_mtime).astimezone()
    assert item.submitted_by is None and item.submitted_sha is None and item.submitted_at == mtime
    assert item.age_days == 0 and item.is_new


def test_a_kb_without_git_still_has_a_queue(tmp_path) -> None:
    root = tmp_path / "plain"
    write(root, "a.md", document("KB-0001", "First", status="review"))
    write(root, "b.md", document("KB-0002", "Second", status="draft"))
    kb = KnowledgeBase(root)
    assert VersionControl.open(kb) is None
    [item] = review_queue(None, kb)
    assert (item.path, item.submitted_by, item.last_published) == ("a.md", None, None)


def test_edits_committed_after_an_approval_are_part_of_the_diff(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, "articles/vpn.md", [RITA])
    review_kb.approve("articles/vpn.md", RITA)
    approved_sha = review_kb.git("rev-parse", "HEAD").strip()
    review_kb.edit("articles/vpn.md", "2. Try again.", "2. Restart the client.")
    review_kb.commit("Update articles/vpn.md")  # an automatic commit after saving, still published
    review_kb.edit("articles/vpn.md", "3. Escalate", "3. Send the log, then escalate")
    review_kb.commit("Update articles/vpn.md")
    submit(review_kb.vcs, review_kb.kb, "articles/vpn.md", [])
    [item] = review_queue(review_kb.vcs, review_kb.kb, now=NOW)
    assert item.last_published == approved_sha
    unified = item.diff.unified()
    assert "+2. Restart the client." in unified and "+3. Send the log, then escalate" in unified
