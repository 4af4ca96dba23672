"""The KB's review policy (.kbstudio/review.yaml) against real git: self-approval, named reviewers,
minimum reviewers counted from Reviewed-by trailers, and edits to published documents."""

from __future__ import annotations

import pytest

from kbstudio.cli import main
from kbstudio.review import (
    POLICY_FILE,
    ApprovalRefusedError,
    PolicyError,
    ReviewPolicy,
    parse_policy,
    plan_approval,
    queue_item,
    review_log,
    review_queue,
    submit,
)
from kbstudio.review.policy import edits_content
from kbstudio.review.states import status_of_text
from kbstudio.review.trailers import same_person
from tests.review.conftest import AUTHOR, OMAR, RITA, ReviewKB

VPN = "articles/vpn.md"
PASSWORD = "articles/password.md"
ANN = "Ann Author <ann@example.com>"
CAROL = "Carol Checker <carol@example.com>"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _policy(review_kb: ReviewKB, text: str) -> None:
    review_kb.write(POLICY_FILE, text)
    review_kb.commit("Review policy")


def _ann_submits(review_kb: ReviewKB, rel: str = VPN, reviewers: tuple[str, ...] = (CAROL,)) -> str:
    review_kb.as_person(ANN)
    review_kb.edit(rel, "2. Try again.", "2. Reconnect.")
    submit(review_kb.vcs, review_kb.kb, rel, list(reviewers))
    return review_kb.git("rev-parse", "HEAD").strip()


# Self-approval ------------------------------------------------------------------------------------

def test_the_author_cannot_approve_their_own_document(review_kb: ReviewKB,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    head = _ann_submits(review_kb)
    before = review_kb.read(VPN)
    code, out, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", ANN)
    assert code == 1 and out == ""
    assert "Ann Author <ann@example.com> cannot approve KB-0001 (articles/vpn.md): they submitted it " \
           "for review" in err
    assert "does not let anyone approve their own document; ask one of its reviewers: " \
           "Carol Checker <carol@example.com>" in err
    assert review_kb.git("rev-parse", "HEAD").strip() == head and review_kb.read(VPN) == before
    assert "Reviewed-by" not in review_kb.git("log", "--format=%B")


def test_an_author_cannot_approve_under_another_name(review_kb: ReviewKB,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    head = _ann_submits(review_kb)
    code, _, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", CAROL)   # git identity: Ann
    assert code == 1
    assert f"{ANN} (your git identity, who would commit it) cannot approve KB-0001" in err
    code, _, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", "ann <ANN@Example.com>")
    assert code == 1 and "cannot approve KB-0001" in err
    assert review_kb.git("rev-parse", "HEAD").strip() == head


def test_who_wrote_it_cannot_approve_but_who_only_reviewed_it_can(review_kb: ReviewKB) -> None:
    _ann_submits(review_kb, reviewers=(CAROL, RITA))
    review_kb.as_person(RITA)                            # Rita fixes a step while it is in review
    review_kb.edit(VPN, "3. Escalate", "3. Collect the log, then escalate")
    review_kb.commit("Fix step 3")
    with pytest.raises(ApprovalRefusedError, match="they changed its text .*never published"):
        plan_approval(review_kb.vcs, review_kb.kb, VPN, RITA)
    review_kb.as_person(CAROL)                           # Carol only asked for changes before: a reviewer
    from kbstudio.review import request_changes
    request_changes(review_kb.vcs, review_kb.kb, VPN, CAROL, "Name the client.")
    review_kb.as_person(ANN)
    submit(review_kb.vcs, review_kb.kb, VPN, [])
    review_kb.as_person(CAROL)
    plan = plan_approval(review_kb.vcs, review_kb.kb, VPN, CAROL)
    assert [person for person, _ in plan.authors] == [ANN, RITA, AUTHOR]
    assert plan.authors[0][1].startswith("submitted it for review (commit ")
    result = review_kb.approve(VPN, CAROL)
    assert result.new_status == "published" and review_kb.trailers() == f"Reviewed-by: {CAROL}\n"


def test_a_new_document_like_another_is_not_the_other_ones_history(review_kb: ReviewKB) -> None:
    review_kb.as_person(ANN)             # a near copy of vpn.md (the same template): git log --follow
    review_kb.write("articles/vpn-2.md", review_kb.read(VPN).replace("KB-0001", "KB-0009"))  # sees a copy
    review_kb.commit("Ann: a second VPN article")
    submit(review_kb.vcs, review_kb.kb, "articles/vpn-2.md", [CAROL])
    review_kb.as_person(CAROL)
    plan = plan_approval(review_kb.vcs, review_kb.kb, "articles/vpn-2.md", CAROL)
    assert [person for person, _ in plan.authors] == [ANN]     # not the author of vpn.md's seed commit
    review_kb.as_person(AUTHOR)
    assert plan_approval(review_kb.vcs, review_kb.kb, "articles/vpn-2.md", AUTHOR).publishes


def test_uncommitted_saved_changes_make_you_an_author(review_kb: ReviewKB) -> None:
    _ann_submits(review_kb)
    review_kb.edit(VPN, "1. Check the basics.", "1. Check the cable.")   # Carol's own, not committed
    review_kb.as_person(CAROL)
    with pytest.raises(ApprovalRefusedError, match="has saved changes to it that are not committed"):
        plan_approval(review_kb.vcs, review_kb.kb, VPN, CAROL)


def test_self_approval_allowed_by_the_policy_is_written_in_the_commit(review_kb: ReviewKB,
                                                                      capsys: pytest.CaptureFixture[str]
                                                                      ) -> None:
    _policy(review_kb, "self_approval: true\n")
    _ann_submits(review_kb)
    code, out, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", ANN, "--dry-run")
    assert code == 0 and f"    Reviewed-by: {ANN}\nCommitted by your git identity:\n    {ANN}" in out
    assert "the review policy (.kbstudio/review.yaml) allows that" in out
    assert "authors may approve their own documents" in err
    code, _, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", ANN)
    assert code == 0, err
    assert status_of_text(review_kb.read(VPN)) == "published"
    assert "Approved by one of its authors, as .kbstudio/review.yaml allows (self_approval: true)." \
        in review_kb.message()
    assert review_kb.trailers() == f"Reviewed-by: {ANN}\n"


def test_an_uncommitted_policy_change_has_no_effect(review_kb: ReviewKB) -> None:
    _ann_submits(review_kb)
    review_kb.write(POLICY_FILE, "self_approval: true\n")
    with pytest.raises(ApprovalRefusedError, match="default review policy"):
        plan_approval(review_kb.vcs, review_kb.kb, VPN, ANN)


# Who may approve ----------------------------------------------------------------------------------

def test_only_named_reviewers_when_the_policy_says_so(review_kb: ReviewKB,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _policy(review_kb, "approvers: named\n")
    _ann_submits(review_kb, reviewers=(CAROL,))
    review_kb.as_person(OMAR)
    code, _, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", OMAR)
    assert code == 1 and "lets only the reviewers named on the document approve it (Carol Checker" in err
    assert review_kb.approve(VPN, CAROL).new_status == "published"


# Minimum reviewers --------------------------------------------------------------------------------

def test_two_reviewers_needed_counted_from_reviewed_by_trailers(review_kb: ReviewKB,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    _policy(review_kb, "min_reviewers: 2\n")
    _ann_submits(review_kb, reviewers=(CAROL, RITA))
    first = review_kb.approve(VPN, CAROL)
    assert (first.new_status, first.approvals, first.approvals_needed) == ("review", [CAROL], 2)
    assert first.changed == [] and status_of_text(review_kb.read(VPN)) == "review"
    assert review_kb.git("show", "--name-only", "--format=", "HEAD").strip() == ""   # changes no file
    assert review_kb.message() == ("Approve KB-0001 (1 of 2): Connect to the VPN\n\nApproval 1 of 2.\n\n"
                                   f"Reviewed-by: {CAROL}\nReview-of: {VPN}\n")
    [item] = review_queue(review_kb.vcs, review_kb.kb)
    assert (item.approvals, item.approvals_needed) == ([CAROL], 2)

    review_kb.as_person(CAROL)
    code, _, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", CAROL)
    assert code == 1 and "already approved this version of KB-0001 (articles/vpn.md); it needs 1 more " \
        "approval(s) from other reviewers: the review policy (.kbstudio/review.yaml) wants 2" in err

    second = review_kb.approve(VPN, RITA)
    assert (second.new_status, second.approvals) == ("published", [CAROL, RITA])
    assert review_kb.message().startswith("Approve KB-0001: Connect to the VPN\n\nApproval 2 of 2.")
    events = [(e.kind, e.reviewer) for e in review_log(review_kb.vcs, VPN)]
    assert events[:3] == [("approved", RITA), ("approved", CAROL), ("requested", CAROL)]


def test_a_reviewed_by_trailer_written_by_hand_counts(review_kb: ReviewKB) -> None:
    _policy(review_kb, "min_reviewers: 2\n")
    _ann_submits(review_kb, reviewers=(CAROL, RITA))
    review_kb.as_person(OMAR)                     # another tool: a front-matter-only commit with a trailer
    review_kb.edit(VPN, "tags: [demo]\n", "tags: [demo]\nreview_by: 2030-01-01\n")
    review_kb.git("commit", "-q", "-am", f"Checked the VPN article\n\nReviewed-by: {OMAR}")
    plan = plan_approval(review_kb.vcs, review_kb.kb, VPN, RITA)
    assert plan.approvals == (OMAR,) and plan.publishes
    assert review_kb.approve(VPN, RITA).new_status == "published"


def test_an_edit_after_an_approval_needs_the_approvals_again(review_kb: ReviewKB) -> None:
    _policy(review_kb, "min_reviewers: 2\n")
    _ann_submits(review_kb, reviewers=(CAROL, RITA))
    review_kb.approve(VPN, CAROL)
    review_kb.as_person(ANN)
    review_kb.edit(VPN, "3. Escalate", "3. Collect the log, then escalate")
    review_kb.commit("Ann: one more step")
    [item] = review_queue(review_kb.vcs, review_kb.kb)
    assert item.approvals == []
    assert review_kb.approve(VPN, RITA).new_status == "review"        # 1 of 2 again


# Edits to published documents ---------------------------------------------------------------------

def test_an_edit_to_a_published_document_goes_back_to_review(review_kb: ReviewKB,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    _policy(review_kb, "published_edits: review\n")
    review_kb.edit(PASSWORD, "2. Try again.", "2. Unlock the account first.")
    code, _, err = cli(capsys, "commit", review_kb.root, "-m", "Better step 2")
    assert code == 0
    assert "articles/password.md was published: the edit sends it back to review" in err
    text = review_kb.read(PASSWORD)
    assert "status: review\n" in text and "2. Unlock the account first." in text
    assert review_kb.git("status", "--porcelain") == ""
    shown = review_kb.git("show", "HEAD", "--", PASSWORD)
    assert "+status: review" in shown and "-status: published" in shown
    item = queue_item(review_kb.vcs, review_kb.kb.load(PASSWORD))
    assert item.submitted_by == AUTHOR and "+2. Unlock the account first." in item.diff.unified()
    review_kb.as_person(ANN)
    assert review_kb.approve(PASSWORD, RITA).new_status == "published"


def test_review_fields_alone_and_the_default_policy_keep_it_published(review_kb: ReviewKB) -> None:
    _policy(review_kb, "published_edits: review\n")
    review_kb.edit(PASSWORD, "review_by: 2025-06-30", "review_by: 2026-06-30")
    review_kb.commit("Push the review date")
    assert status_of_text(review_kb.read(PASSWORD)) == "published"
    _policy(review_kb, "published_edits: direct\n")
    review_kb.edit(PASSWORD, "2. Try again.", "2. Unlock the account first.")
    result = review_kb.vcs.committer.commit("Direct edit")
    assert result.notes == [] and status_of_text(review_kb.read(PASSWORD)) == "published"


# Reading the policy -------------------------------------------------------------------------------

def test_a_broken_policy_refuses_approvals_with_its_reason(review_kb: ReviewKB,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    _policy(review_kb, "self_aproval: true\n")
    _ann_submits(review_kb)
    review_kb.as_person(CAROL)
    code, _, err = cli(capsys, "approve", review_kb.root, VPN, "--reviewer", CAROL)
    assert code == 2 and ".kbstudio/review.yaml: unknown setting self_aproval" in err
    assert status_of_text(review_kb.read(VPN)) == "review"
    code, out, err = cli(capsys, "review", review_kb.root)
    assert code == 0 and "unknown setting self_aproval" in err and "KB-0001" in out


@pytest.mark.parametrize(("text", "expected"), [
    (None, ReviewPolicy()),
    ("", ReviewPolicy(source=POLICY_FILE)),
    ("# nothing set\n", ReviewPolicy(source=POLICY_FILE)),
    ("approvers: named\nself_approval: yes\nmin_reviewers: 3\npublished_edits: review\n",
     ReviewPolicy("named", True, 3, "review", POLICY_FILE)),
    ("---\nself_approval: False\n---\n", ReviewPolicy(source=POLICY_FILE)),
    ("\ufeffmin_reviewers: '2'\n", ReviewPolicy(min_reviewers=2, source=POLICY_FILE)),
])
def test_parse_policy(text: str | None, expected: ReviewPolicy) -> None:
    assert parse_policy(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("approvers: anyone\n", "approvers must be others or named"),
    ("self_approval: maybe\n", "self_approval must be"),
    ("min_reviewers: 0\n", "min_reviewers must be a whole number from 1 to 10"),
    ("min_reviewers: 11\n", "from 1 to 10"),
    ("min_reviewers: [2]\n", "min_reviewers must be"),
    ("published_edits: never\n", "published_edits must be direct or review"),
    ("self_approval: !!python/object/apply:os.system [id]\n", "not allowed"),
    ("[a, b]\n", "mapping"),
    ("colour: blue\n", "unknown setting colour"),
])
def test_bad_policies(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(text)


def test_content_and_people() -> None:
    base = "---\nid: KB-1\nstatus: review\nreviewers: [A <a@x>]\n---\nBody\n"
    assert not edits_content(base, base.replace("status: review", "status: published")
                             .replace("reviewers: [A <a@x>]", "review_by: 2030-01-01"))
    assert not edits_content(base, "\ufeff" + base.replace("\n", "\r\n"))
    assert edits_content(base, base.replace("Body", "Body!"))
    assert edits_content(base, base.replace("id: KB-1", "id: KB-2"))
    assert same_person("Ann <ANN@x.org>", "Someone <ann@x.org>")
    assert same_person("Ann  Author <a@x>", "ann author <b@y>")
    assert not same_person("Ann <a@x>", "Bob <b@x>")
