"""Two teammates edit the same KB: every scenario ends with each side's text merged or in history."""

from __future__ import annotations

import pytest

from kbstudio.vcs.commit import ConflictMarkersError

from .conftest import Side

DOC = "articles/doc-1.md"


def test_same_line_edited_on_both_sides(alice: Side, bob: Side) -> None:
    alice.edit(DOC, "1. Check the basics.", "1. Check the cable.")
    alice.commit("Alice: cable")
    assert alice.sync().status == "ok"
    bob.edit(DOC, "1. Check the basics.", "1. Check the power.")
    bob.commit("Bob: power")

    result = bob.sync()
    assert result.status == "conflicts" and result.conflicts == [DOC]
    [conflict] = bob.vc().conflicts.list()
    assert conflict.kind == "both_edited"
    assert "Check the basics." in conflict.base
    assert "Check the power." in conflict.mine and "Check the cable." in conflict.theirs
    assert "<<<<<<<" in bob.read(DOC)

    with pytest.raises(ConflictMarkersError):
        bob.vc().conflicts.resolve(DOC, "edited")
    bob.write(DOC, conflict.mine.replace("Check the power.", "Check the power and the cable."))
    outcome = bob.vc().conflicts.resolve(DOC, "edited")
    assert outcome.finished and outcome.remaining == []
    assert DOC in outcome.changed
    assert bob.sync().status == "ok"
    assert alice.sync().status == "ok"
    assert "Check the power and the cable." in alice.read(DOC)
    history = alice.all_history_text()
    assert "Check the cable." in history and "Check the power." in history


def test_resolve_with_mine_or_theirs(alice: Side, bob: Side) -> None:
    alice.edit(DOC, "2. Try again.", "2. Try again later.")
    alice.edit("articles/doc-2.md", "2. Try again.", "2. Restart the spooler.")
    alice.commit()
    alice.sync()
    bob.edit(DOC, "2. Try again.", "2. Try once more.")
    bob.edit("articles/doc-2.md", "2. Try again.", "2. Power cycle the printer.")
    bob.commit()
    result = bob.sync()
    assert sorted(result.conflicts) == [DOC, "articles/doc-2.md"]
    vc = bob.vc()
    assert vc.conflicts.resolve(DOC, "mine").remaining == ["articles/doc-2.md"]
    assert vc.sync.sync().status == "conflicts"  # still waiting: nothing is pushed half-merged
    assert vc.conflicts.resolve("articles/doc-2.md", "theirs").finished
    assert "Try once more." in bob.read(DOC)
    assert "Restart the spooler." in bob.read("articles/doc-2.md")
    assert bob.sync().status == "ok"
    history = bob.all_history_text()
    for text in ("Try again later.", "Try once more.", "Restart the spooler.", "Power cycle the printer."):
        assert text in history


def test_front_matter_on_one_side_body_on_the_other(alice: Side, bob: Side) -> None:
    alice.edit(DOC, "status: draft", "status: review")
    alice.commit()
    alice.sync()
    bob.edit(DOC, "3. Escalate when it still fails.", "3. Escalate to L2 when it still fails.")
    bob.commit()
    result = bob.sync()
    assert result.status == "ok" and result.pushed and DOC in result.changed
    text = bob.read(DOC)
    assert "status: review" in text and "Escalate to L2" in text


def test_different_front_matter_fields_merge_field_by_field(alice: Side, bob: Side) -> None:
    alice.edit(DOC, "tier: L1", "tier: L2")
    alice.commit("Alice: tier")
    alice.sync()
    bob.edit(DOC, "status: draft", "status: published")
    bob.edit(DOC, "1. Check the basics.", "1. Check the basics first.")
    bob.commit("Bob: status")
    result = bob.sync()
    assert result.status == "ok", result.message
    assert result.auto_merged == [DOC] and result.pushed
    text = bob.read(DOC)
    assert "tier: L2" in text and "status: published" in text and "Check the basics first." in text
    assert "<<<<<<<" not in text
    assert bob.git("rev-list", "--parents", "-n", "1", "HEAD").count(" ") == 2  # a real merge commit


def test_same_field_changed_differently_is_a_conflict(alice: Side, bob: Side) -> None:
    alice.edit(DOC, "tier: L1", "tier: L2")
    alice.commit()
    alice.sync()
    bob.edit(DOC, "tier: L1", "tier: L3")
    bob.commit()
    result = bob.sync()
    assert result.status == "conflicts" and result.auto_merged == []


def test_delete_versus_edit(alice: Side, bob: Side) -> None:
    alice.git("rm", "-q", "articles/doc-2.md")
    alice.commit("Alice: delete")
    alice.sync()
    bob.edit("articles/doc-2.md", "2. Try again.", "2. Bob's careful fix.")
    bob.commit("Bob: edit")
    result = bob.sync()
    assert result.conflicts == ["articles/doc-2.md"]
    [conflict] = bob.vc().conflicts.list()
    assert conflict.kind == "delete_vs_edit" and conflict.deleted_by == "theirs"
    assert conflict.theirs is None and "Bob's careful fix." in conflict.mine
    outcome = bob.vc().conflicts.resolve("articles/doc-2.md", "theirs")
    assert outcome.finished and not (bob.root / "articles/doc-2.md").exists()
    assert bob.sync().status == "ok"
    assert "Bob's careful fix." in bob.all_history_text()


def test_delete_versus_edit_keeping_the_edit(alice: Side, bob: Side) -> None:
    bob.git("rm", "-q", "articles/doc-2.md")
    bob.commit()
    alice.edit("articles/doc-2.md", "2. Try again.", "2. Alice's fix.")
    alice.commit()
    alice.sync()
    assert bob.sync().status == "conflicts"
    [conflict] = bob.vc().conflicts.list()
    assert conflict.deleted_by == "mine"
    assert bob.vc().conflicts.resolve("articles/doc-2.md", "theirs").finished
    assert "Alice's fix." in bob.read("articles/doc-2.md")


def test_rename_versus_edit_merges_and_says_so(alice: Side, bob: Side) -> None:
    alice.git("mv", "articles/doc-3.md", "articles/reset-password.md")
    alice.commit("Alice: rename")
    alice.sync()
    bob.edit("articles/doc-3.md", "2. Try again.", "2. Bob's unlock step.")
    bob.commit("Bob: edit")
    result = bob.sync()
    assert result.status == "ok"
    assert any("renamed to articles/reset-password.md" in note for note in result.notes)
    assert "Bob's unlock step." in bob.read("articles/reset-password.md")
    assert not (bob.root / "articles/doc-3.md").exists()


def test_rename_versus_conflicting_edit(alice: Side, bob: Side) -> None:
    alice.git("mv", "articles/doc-3.md", "articles/reset-password.md")
    alice.edit("articles/reset-password.md", "2. Try again.", "2. Alice's step.")
    alice.commit()
    alice.sync()
    bob.edit("articles/doc-3.md", "2. Try again.", "2. Bob's step.")
    bob.commit()
    result = bob.sync()
    assert result.conflicts == ["articles/reset-password.md"]
    [conflict] = bob.vc().conflicts.list()
    assert conflict.kind == "rename_vs_edit" and conflict.renamed_from == "articles/doc-3.md"
    assert "Bob's step." in conflict.mine and "Alice's step." in conflict.theirs
    assert bob.vc().conflicts.resolve(conflict.path, "mine").finished
    assert bob.sync().status == "ok"
    history = bob.all_history_text()
    assert "Alice's step." in history and "Bob's step." in bob.read("articles/reset-password.md")


def test_both_create_a_document_with_the_same_new_id(alice: Side, bob: Side) -> None:
    created_a = alice.kb.create("article", "Alice's new doc", "L1")
    alice.commit("Alice: new")
    alice.sync()
    created_b = bob.kb.create("article", "Bob's new doc", "L2")
    assert created_a.doc_id == created_b.doc_id == "KB-0008"
    bob.commit("Bob: new")
    result = bob.sync()
    assert result.status == "ok" and result.pushed
    [change] = result.renumbered
    assert (change.path, change.old_id, change.new_id) == (created_b.rel_path, "KB-0008", "KB-0009")
    assert "renumbered from KB-0008 to KB-0009" in str(change)
    ids = [doc.id for doc in bob.kb.load_all()]
    assert len(ids) == len(set(ids))
    assert "id: KB-0009" in bob.read(created_b.rel_path) and "id: KB-0008" in bob.read(created_a.rel_path)
    assert alice.sync().status == "ok"
    assert "id: KB-0009" in alice.read(created_b.rel_path)
    assert "Bob's new doc" in alice.all_history_text()


def test_a_pull_deleting_over_a_quarter_of_the_documents_asks_first(alice: Side, bob: Side) -> None:
    for number in (1, 2, 3):
        alice.git("rm", "-q", f"articles/doc-{number}.md")
    alice.commit("Alice: prune")
    alice.sync()
    result = bob.sync()
    assert result.status == "needs_confirmation"
    assert result.deletions == ["articles/doc-1.md", "articles/doc-2.md", "articles/doc-3.md"]
    assert (bob.root / "articles/doc-1.md").exists()
    confirmed = bob.sync(allow_mass_delete=True)
    assert confirmed.status == "ok" and "articles/doc-1.md" in confirmed.changed
    assert not (bob.root / "articles/doc-1.md").exists()
    assert "The caller cannot connect to the vpn." in bob.all_history_text()


def test_a_quarter_or_less_goes_ahead(alice: Side, bob: Side) -> None:
    alice.git("rm", "-q", "articles/doc-1.md", "articles/doc-2.md")
    alice.commit()
    alice.sync()
    assert bob.sync().status == "ok"


def test_sync_refuses_uncommitted_changes(bob: Side) -> None:
    bob.edit(DOC, "Try again.", "Try harder.")
    result = bob.sync()
    assert result.status == "uncommitted" and result.uncommitted == [DOC]
