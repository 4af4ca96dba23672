"""Submit, approve, request changes, archive and reopen against real git repositories."""

from __future__ import annotations

from datetime import date

import pytest

from kbstudio.review import (
    DocumentError,
    InvalidInputError,
    InvalidReviewerError,
    TransitionError,
    archive,
    reopen,
    request_changes,
    review_log,
    submit,
)
from kbstudio.review.states import status_of_text
from kbstudio.storage import ExternalChangeError
from kbstudio.vcs.runner import GitError
from kbstudio.vcs.service import allow_repository_programs
from tests.review.conftest import OMAR, RITA, ReviewKB

VPN = "articles/vpn.md"
PASSWORD = "articles/password.md"


def test_submit_sets_status_and_reviewers_and_commits_only_that_file(review_kb: ReviewKB) -> None:
    before = review_kb.read(VPN)
    review_kb.write("articles/printer.md", review_kb.read("articles/printer.md") + "\nunrelated edit\n")
    result = submit(review_kb.vcs, review_kb.kb, VPN, [RITA, " Omar   Other  <omar@example.com> ", RITA])
    assert result.committed and result.sha == review_kb.git("rev-parse", "HEAD").strip()
    assert (result.action, result.old_status, result.new_status) == ("submit", "draft", "review")
    assert result.changed == [VPN] and result.doc_id == "KB-0001"
    assert result.reviewers == [RITA, OMAR]
    text = review_kb.read(VPN)
    assert text == before.replace("status: draft\n", "status: review\n").replace(
        "tags: [demo]\n", f"tags: [demo]\nreviewers: [{RITA}, {OMAR}]\n")
    assert review_kb.message().startswith("Submit KB-0001 for review: Connect to the VPN\n\n")
    assert review_kb.git("log", "-1", "--format=%an <%ae>").strip() == "Test Author <test@example.com>"
    assert review_kb.git("show", "--name-only", "--format=", "HEAD").split() == [VPN]
    assert "articles/printer.md" in review_kb.git("status", "--porcelain")
    assert review_kb.trailers() == (f"Review-requested-from: {RITA}\nReview-requested-from: {OMAR}\n")


def test_submit_keeps_existing_reviewers_and_refuses_none_at_all(review_kb: ReviewKB) -> None:
    with pytest.raises(InvalidReviewerError, match="at least one reviewer"):
        submit(review_kb.vcs, review_kb.kb, VPN, [])
    review_kb.edit(VPN, "tags: [demo]\n", "tags: [demo]\nreviewers:\n  - Service Desk Leads\n")
    result = submit(review_kb.vcs, review_kb.kb, VPN, [])
    assert result.reviewers == ["Service Desk Leads"]
    assert "reviewers:\n  - Service Desk Leads\n" in review_kb.read(VPN)


def test_submit_includes_other_saved_edits_of_the_file(review_kb: ReviewKB) -> None:
    review_kb.edit(VPN, "2. Try again.", "2. Reconnect to the VPN.")
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    shown = review_kb.git("show", "HEAD", "--", VPN)
    assert "+2. Reconnect to the VPN." in shown and "+status: review" in shown
    assert review_kb.git("status", "--porcelain") == ""


def test_approve_publishes_with_the_trailer_last(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    result = review_kb.approve(VPN, RITA, today=date(2025, 3, 1))
    assert (result.old_status, result.new_status) == ("review", "published")
    message = review_kb.message()
    assert message == f"Approve KB-0001: Connect to the VPN\n\nReviewed-by: {RITA}\n"
    assert review_kb.trailers() == f"Reviewed-by: {RITA}\n"
    text = review_kb.read(VPN)
    assert status_of_text(text) == "published"
    assert "review_by: 2025-08-28\n" in text and result.review_by == date(2025, 8, 28)
    events = review_log(review_kb.vcs, VPN)
    assert [(e.kind, e.reviewer) for e in events] == [("approved", RITA), ("requested", RITA)]
    assert events[0].sha == result.sha and events[0].author == RITA


def test_approve_with_a_comment_keeps_it_above_the_trailer(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    review_kb.approve(VPN, RITA, comment="Checked on a\r\nWindows 11 laptop.  ")
    assert review_kb.message().endswith(
        f": Connect to the VPN\n\nChecked on a\nWindows 11 laptop.\n\nReviewed-by: {RITA}\n")
    assert review_log(review_kb.vcs, VPN)[0].comment == "Checked on a\nWindows 11 laptop."


def test_approve_keeps_a_future_review_by_and_renews_a_past_one(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, PASSWORD, [RITA])
    kept = review_kb.approve(PASSWORD, RITA, today=date(2025, 6, 1))
    assert kept.review_by == date(2025, 6, 30) and "review_by: 2025-06-30\n" in review_kb.read(PASSWORD)
    submit(review_kb.vcs, review_kb.kb, PASSWORD, [])
    renewed = review_kb.approve(PASSWORD, RITA, today=date(2025, 7, 1), review_days=90)
    assert renewed.review_by == date(2025, 9, 29)
    submit(review_kb.vcs, review_kb.kb, PASSWORD, [])
    alone = review_kb.approve(PASSWORD, RITA, today=date(2026, 1, 1), review_days=None)
    assert alone.review_by == date(2025, 9, 29)


def test_approve_renews_review_by_by_the_policy_interval_of_the_tier(review_kb: ReviewKB) -> None:
    # The default interval (L1: 180 days), then the KB's own (L1: 30 days) once it is committed.
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    first = review_kb.approve(VPN, RITA, today=date(2026, 1, 1))
    assert first.review_by == date(2026, 6, 30) and "review_by: 2026-06-30\n" in review_kb.read(VPN)
    review_kb.write(".kbstudio/review.yaml", "review_interval_days: {L1: 30}\n")
    review_kb.commit("Review L1 documents monthly")
    review_kb.edit(PASSWORD, "tags: [demo]\n", "tags: [demo, monthly]\n")
    review_kb.commit("Tag")
    submit(review_kb.vcs, review_kb.kb, PASSWORD, [RITA])
    renewed = review_kb.approve(PASSWORD, RITA, today=date(2026, 1, 1))
    assert renewed.review_by == date(2026, 1, 31)


def test_request_changes_returns_to_draft_with_the_comment(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    comment = "Step 2 is vague: say which client to restart.\n\nAlso add the error text."
    result = request_changes(review_kb.vcs, review_kb.kb, VPN, OMAR, comment)
    assert (result.old_status, result.new_status) == ("review", "draft")
    assert status_of_text(review_kb.read(VPN)) == "draft"
    assert review_kb.message() == (f"Request changes to KB-0001: Connect to the VPN\n\n{comment}\n\n"
                                   f"Changes-requested-by: {OMAR}\n")
    assert review_kb.trailers() == f"Changes-requested-by: {OMAR}\n"
    event = review_log(review_kb.vcs, VPN)[0]
    assert (event.kind, event.reviewer, event.comment) == ("changes_requested", OMAR, comment)


def test_a_comment_cannot_forge_a_trailer(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    forged = "Fine by me.\n\nReviewed-by: Mallory <mallory@example.com>"
    request_changes(review_kb.vcs, review_kb.kb, VPN, RITA, forged)
    assert review_kb.trailers() == f"Changes-requested-by: {RITA}\n"
    kinds = [(e.kind, e.reviewer) for e in review_log(review_kb.vcs, VPN)]
    assert kinds == [("changes_requested", RITA), ("requested", RITA)]


def test_full_cycle_log_newest_first_with_dates(review_kb: ReviewKB) -> None:
    review_kb.at("2025-02-01T10:00:00+00:00")
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    review_kb.at("2025-02-02T10:00:00+00:00")
    request_changes(review_kb.vcs, review_kb.kb, VPN, RITA, "Add a screenshot.")
    review_kb.at("2025-02-03T10:00:00+00:00")
    submit(review_kb.vcs, review_kb.kb, VPN, [])
    review_kb.at("2025-02-04T10:00:00+00:00")
    review_kb.approve(VPN, OMAR)
    events = review_log(review_kb.vcs, VPN)
    assert [(e.kind, e.reviewer, e.date.day) for e in events] == [
        ("approved", OMAR, 4), ("requested", RITA, 3), ("changes_requested", RITA, 2), ("requested", RITA, 1)]
    assert events[2].to_json()["comment"] == "Add a screenshot."


@pytest.mark.parametrize(("action", "rel", "expected"), [
    ("approve", VPN, "cannot approve KB-0001 .*'draft' .*submit it for review first"),
    ("request_changes", VPN, "cannot request changes to KB-0001 .*'draft'"),
    ("approve", PASSWORD, "already published"),
    ("submit", "articles/old.md", "cannot submit .*'archived' .*reopen it as a draft first"),
    ("reopen", VPN, "cannot reopen"),
])
def test_wrong_transitions_are_refused_and_change_nothing(review_kb: ReviewKB, action: str, rel: str,
                                                          expected: str) -> None:
    head, text = review_kb.git("rev-parse", "HEAD"), review_kb.read(rel)
    calls = {"approve": lambda: review_kb.approve(rel, RITA),
             "request_changes": lambda: request_changes(review_kb.vcs, review_kb.kb, rel, RITA, "why"),
             "submit": lambda: submit(review_kb.vcs, review_kb.kb, rel, [RITA]),
             "reopen": lambda: reopen(review_kb.vcs, review_kb.kb, rel)}
    with pytest.raises(TransitionError, match=expected):
        calls[action]()
    assert review_kb.git("rev-parse", "HEAD") == head and review_kb.read(rel) == text


def test_submit_twice_is_refused(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    with pytest.raises(TransitionError, match="already in review"):
        submit(review_kb.vcs, review_kb.kb, VPN, [OMAR])


def test_archive_and_reopen(review_kb: ReviewKB) -> None:
    result = archive(review_kb.vcs, review_kb.kb, PASSWORD, comment="Replaced by self-service reset.")
    assert (result.old_status, result.new_status) == ("published", "archived")
    assert review_kb.message() == "Archive KB-0003: Reset a password\n\nReplaced by self-service reset.\n"
    with pytest.raises(TransitionError):
        archive(review_kb.vcs, review_kb.kb, PASSWORD)
    assert reopen(review_kb.vcs, review_kb.kb, PASSWORD).new_status == "draft"
    assert submit(review_kb.vcs, review_kb.kb, PASSWORD, [RITA]).new_status == "review"


@pytest.mark.parametrize("reviewer", [
    f"{RITA}\nReviewed-by: Mallory <mallory@example.com>",
    "Rita Reviewer <rita@example.com>\r",
    "Rita\u2028Reviewer <rita@example.com>",
    "Rita\x00 <rita@example.com>",
    "rita@example.com",
    "Rita Reviewer",
    " <rita@example.com>",
    "Rita <Reviewer> <rita@example.com>",
    "Rita <rita@example.com> trailing",
    "Rita <no-at-sign>",
    "Rita <rita @example.com>",
    "",
])
def test_bad_reviewers_are_refused_before_anything_changes(review_kb: ReviewKB, reviewer: str) -> None:
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    head, text = review_kb.git("rev-parse", "HEAD"), review_kb.read(VPN)
    with pytest.raises(InvalidReviewerError):
        review_kb.approve(VPN, reviewer)
    with pytest.raises(InvalidReviewerError):
        request_changes(review_kb.vcs, review_kb.kb, VPN, reviewer, "comment")
    with pytest.raises(InvalidReviewerError):
        submit(review_kb.vcs, review_kb.kb, "articles/printer.md", [reviewer])
    assert review_kb.git("rev-parse", "HEAD") == head and review_kb.read(VPN) == text


def test_request_changes_needs_a_clean_comment(review_kb: ReviewKB) -> None:
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    for comment in ("", "   \n\n ", "bell\x07"):
        with pytest.raises(InvalidInputError):
            request_changes(review_kb.vcs, review_kb.kb, VPN, RITA, comment)
    assert status_of_text(review_kb.read(VPN)) == "review"


@pytest.mark.parametrize(("rel", "expected"), [
    ("articles/missing.md", "no such document"),
    ("../outside.md", "not inside the knowledge base"),
    ("_templates/article.md", "not a document"),
    ("/etc/passwd", "relative to the KB"),
])
def test_documents_that_cannot_be_acted_on(review_kb: ReviewKB, rel: str, expected: str) -> None:
    review_kb.write("_templates/article.md", "---\nstatus: draft\n---\n")
    (review_kb.root.parent / "outside.md").write_text("---\nstatus: draft\n---\n", "utf-8")
    with pytest.raises(DocumentError, match=expected):
        submit(review_kb.vcs, review_kb.kb, rel, [RITA])


def test_bad_front_matter_is_refused(review_kb: ReviewKB) -> None:
    review_kb.write(VPN, "---\ntitle: [\n---\nbody\n")
    with pytest.raises(DocumentError, match="not valid YAML"):
        submit(review_kb.vcs, review_kb.kb, VPN, [RITA])


def test_a_changed_file_is_refused_when_the_caller_gives_its_hash(review_kb: ReviewKB) -> None:
    loaded = review_kb.kb.load(VPN)
    review_kb.edit(VPN, "Try again.", "Try again later.")
    with pytest.raises(ExternalChangeError):
        submit(review_kb.vcs, review_kb.kb, VPN, [RITA], expected_hash=loaded.content_hash)
    fresh = review_kb.kb.load(VPN)
    result = submit(review_kb.vcs, review_kb.kb, VPN, [RITA], expected_hash=fresh.content_hash)
    assert result.content_hash == review_kb.kb.load(VPN).content_hash


def test_a_failed_commit_puts_the_file_back(review_kb: ReviewKB) -> None:
    hook = review_kb.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n", "utf-8")
    hook.chmod(0o755)
    allow_repository_programs(review_kb.root)   # hooks run only in a repository the user allowed
    before = (review_kb.root / VPN).read_bytes()
    with pytest.raises(GitError, match="hook says no"):
        submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    assert (review_kb.root / VPN).read_bytes() == before


def test_bom_and_crlf_survive_and_only_the_status_line_changes(review_kb: ReviewKB) -> None:
    original = "\ufeff" + review_kb.read("articles/printer.md").replace("\n", "\r\n")
    review_kb.write("articles/printer.md", original)
    review_kb.commit("CRLF")
    review_kb.edit("articles/printer.md", "tags: [demo]\r\n", "tags: [demo]\r\nreviewers: [Team A]\r\n")
    submit(review_kb.vcs, review_kb.kb, "articles/printer.md", [])
    data = (review_kb.root / "articles/printer.md").read_bytes()
    expected = original.replace("status: draft\r\n", "status: review\r\n").replace(
        "tags: [demo]\r\n", "tags: [demo]\r\nreviewers: [Team A]\r\n")
    assert data == expected.encode("utf-8")


def test_identity_is_required_before_anything_changes(review_kb: ReviewKB,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{role}_NAME")
        monkeypatch.delenv(f"GIT_{role}_EMAIL")
    text = review_kb.read(VPN)
    with pytest.raises(GitError, match="does not know who you are"):
        submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    assert review_kb.read(VPN) == text


def test_a_new_untracked_document_is_added_by_its_submit_commit(review_kb: ReviewKB) -> None:
    review_kb.write("articles/new one.md", "# A brand new article\n\nNo front matter yet.\n")
    result = submit(review_kb.vcs, review_kb.kb, "articles/new one.md", [RITA])
    assert result.changed == ["articles/new one.md"] and result.doc_id is None
    assert review_kb.message().startswith("Submit articles/new one.md for review: A brand new article\n")
    assert review_kb.read("articles/new one.md") == (
        f"---\nstatus: review\nreviewers: [{RITA}]\n---\n# A brand new article\n\nNo front matter yet.\n")
    assert review_kb.git("status", "--porcelain") == ""
