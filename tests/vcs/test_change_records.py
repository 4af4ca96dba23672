"""What each git operation changed, as one record (KBChange), on real repositories and a bare remote."""

from __future__ import annotations

from kbstudio.changes import KBChange

from .conftest import Side, document

DOC = "articles/doc-1.md"


def test_a_pull_that_adds_one_and_changes_one_gives_exactly_that(alice: Side, bob: Side) -> None:
    bob.write("articles/new.md", document("KB-0100", "Unlock an account"))
    bob.edit(DOC, "1. Check the basics.", "1. Check the cable.")
    bob.commit("Bob adds one and changes one")
    assert bob.sync().pushed
    result = alice.vc().sync.pull()
    assert result.status == "ok"
    assert result.change == KBChange(added={"articles/new.md"}, changed={DOC}, head=True, review=True)
    assert result.to_json()["change"] == {"added": ["articles/new.md"], "changed": [DOC], "removed": [],
                                          "renamed": [], "files": [], "review": True, "head": True}


def test_a_pulled_rename_and_deletion_are_named_as_such(alice: Side, bob: Side) -> None:
    (bob.root / "articles/vpn").mkdir()
    bob.git("mv", DOC, "articles/vpn/connect.md")
    bob.git("rm", "-q", "articles/doc-2.md")
    bob.commit("Bob moves one and deletes one")
    assert bob.sync().pushed
    change = alice.vc().sync.sync(allow_mass_delete=True).change
    assert change == KBChange(removed={"articles/doc-2.md"}, renamed={(DOC, "articles/vpn/connect.md")},
                              head=True, review=True)


def test_a_commit_moves_head_only(alice: Side) -> None:
    alice.edit(DOC, "2. Try again.", "2. Try later.")
    assert alice.vc().committer.commit("Edit").change == KBChange(head=True)


def test_restore_names_the_document_and_head(alice: Side) -> None:
    vc = alice.vc()
    alice.edit(DOC, "2. Try again.", "2. Try later.")
    vc.committer.commit("Edit")
    [_, seed] = vc.history.versions(DOC)
    result = vc.history.restore(DOC, seed.sha)
    assert result.change == KBChange(changed={DOC}, head=True)
    alice.git("rm", "-q", DOC)
    vc.committer.commit("Delete it")
    assert vc.history.restore(DOC, seed.sha).change == KBChange(added={DOC}, head=True)


def test_a_stopped_merge_its_resolution_and_its_abort(alice: Side, bob: Side) -> None:
    alice.edit(DOC, "1. Check the basics.", "1. Check the cable.")
    alice.write("articles/alice.md", document("KB-0200", "Alice's new article"))
    alice.commit("Alice")
    assert alice.sync().pushed
    bob.edit(DOC, "1. Check the basics.", "1. Check the power.")
    bob.commit("Bob")
    stopped = bob.vc().sync.pull()
    assert stopped.status == "conflicts"
    assert stopped.change == KBChange(added={"articles/alice.md"}, changed={DOC}, head=True, review=True)
    aborted = bob.vc().conflicts.abort()
    assert aborted == KBChange(removed={"articles/alice.md"}, changed={DOC}, head=True)
    assert not (bob.root / "articles/alice.md").exists()
    assert bob.vc().sync.pull().status == "conflicts"
    outcome = bob.vc().conflicts.resolve(DOC, "mine")
    assert outcome.finished
    # ours was the base of the merge commit: Alice's article came in, the conflict was written
    assert outcome.change == KBChange(added={"articles/alice.md"}, changed={DOC}, head=True)


def test_resolving_one_of_two_names_only_that_one(alice: Side, bob: Side) -> None:
    for side, word in ((alice, "later"), (bob, "once more")):
        side.edit(DOC, "2. Try again.", f"2. Try {word}.")
        side.edit("articles/doc-2.md", "2. Try again.", f"2. Try {word}.")
        side.commit()
    assert alice.sync().pushed
    assert bob.sync().status == "conflicts"
    outcome = bob.vc().conflicts.resolve(DOC, "theirs")
    assert outcome.remaining == ["articles/doc-2.md"] and outcome.change == KBChange(changed={DOC})
