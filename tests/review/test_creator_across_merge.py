"""Real git, two clones: the person who created a draft is one of its authors even when their commit
reached the branch through a merge (which ``git log --follow`` takes for a copy of the template), so
the default policy (``approvers: others``) refuses their approval."""

from __future__ import annotations

import pytest

from kbstudio.cli import main
from kbstudio.review.queue import review_trail
from tests.vcs.conftest import Side, alice, bob, git_sandbox, remote  # noqa: F401 - fixtures

ANA = ("Ana López", "ana@example.com")
BOB = ("Bob Smith", "bob@example.com")
DRAFT = ("---\nid: {id}\ntitle: {title}\nkind: article\ntier: L1\nstatus: draft\nowner: Desk\n---\n\n"
         "# {title}\n\n## Issue\n\n{issue}\n\n## Cause\n\n## Resolution\n\n1. Step one.\n")


def _as(monkeypatch: pytest.MonkeyPatch, person: tuple[str, str]) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", person[0])
        monkeypatch.setenv(f"GIT_{role}_EMAIL", person[1])


def test_the_creator_of_a_draft_merged_in_may_not_approve_it(alice: Side, bob: Side,  # noqa: F811
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    kiosk = "articles/kiosk-error.md"
    _as(monkeypatch, ANA)
    alice.write(kiosk, DRAFT.format(id="KB-0101", title="Kiosk shows Xyzzy error", issue="- Xyzzy fehler"))
    alice.git("add", "-A")
    alice.git("commit", "-q", "-m", "Draft from search")
    created = alice.git("rev-parse", "HEAD").strip()
    assert alice.sync().ok
    _as(monkeypatch, BOB)            # Bob has a draft of his own, so his pull is a real merge
    bob.write("articles/badge-printer.md", DRAFT.format(id="KB-0102", title="Badge printer jams",
                                                        issue="- badge printer jam"))
    bob.git("add", "-A")
    bob.git("commit", "-q", "-m", "Bob's draft")
    assert bob.sync().ok
    assert len(bob.git("log", "-1", "--format=%P").split()) == 2      # the merge brought Ana's draft
    bob.edit(kiosk, "## Cause\n", "## Cause\n\nThe kiosk cache is corrupt.\n")
    assert main(["submit", str(bob.root), kiosk, "--reviewer", "Carl Check <carl@example.com>"]) == 0
    trail = review_trail(bob.vc(), kiosk)
    assert ("Ana López <ana@example.com>", created) in trail.changed_by       # the creator is an author
    assert bob.sync().ok
    _as(monkeypatch, ANA)
    assert alice.sync().ok
    assert main(["approve", str(alice.root), kiosk, "--reviewer", "Ana López <ana@example.com>"]) == 1
    assert "status: review" in alice.read(kiosk)
