"""What each review step changed, as one record (KBChange), on a real repository."""

from __future__ import annotations

from kbstudio.changes import KBChange
from kbstudio.review import approve, request_changes, submit
from tests.review.conftest import OMAR, RITA, ReviewKB

VPN = "articles/vpn.md"


def test_submit_approve_and_request_changes_name_the_document_head_and_review(review_kb: ReviewKB) -> None:
    step = KBChange(changed={VPN}, head=True, review=True)
    assert submit(review_kb.vcs, review_kb.kb, VPN, [RITA]).change == step
    review_kb.as_person(RITA)
    assert request_changes(review_kb.vcs, review_kb.kb, VPN, RITA, "Add the client version").change == step
    review_kb.as_author("Test Author", "test@example.com")
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA])
    review_kb.as_person(RITA)
    assert approve(review_kb.vcs, review_kb.kb, VPN, RITA).change == step


def test_an_approval_that_does_not_publish_yet_changes_no_document(review_kb: ReviewKB) -> None:
    review_kb.write(".kbstudio/review.yaml", "min_reviewers: 2\n")
    review_kb.commit("Two reviewers")
    submit(review_kb.vcs, review_kb.kb, VPN, [RITA, OMAR])
    review_kb.as_person(RITA)
    assert approve(review_kb.vcs, review_kb.kb, VPN, RITA).change == KBChange(head=True, review=True)
