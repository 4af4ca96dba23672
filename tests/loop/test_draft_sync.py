"""Real git: a draft started from a search reaches the team with the next Sync, in its own commit;
other people's drafts and other untracked documents stay where they are."""

from __future__ import annotations

from kbstudio.loop.drafts import create_from_search
from kbstudio.loop.gap_groups import FROM_SEARCH
from tests.loop.conftest import ANA
from tests.vcs.conftest import Side


def test_sync_commits_the_creators_draft_from_a_search_alone_and_the_other_clone_gets_it(
        alice: Side, bob: Side) -> None:
    mine = create_from_search(alice.kb, ["Kiosk tablet shows Xyzzy fehler"], "L1", title="Kiosk Xyzzy error")
    others = create_from_search(alice.kb, ["printer says PC LOAD LETTER"], "L1", owner=str(ANA))
    alice.write("articles/notes-in-progress.md",
                "---\nid: KB-0777\ntitle: Notes\nstatus: draft\n---\n\n# Notes\n")
    draft = alice.kb.load(mine.rel_path)
    assert draft.owner == "Test Author <test@example.com>"        # the creator owns it (git's identity)
    assert draft.value(FROM_SEARCH)

    result = alice.sync()
    assert result.ok, result.message
    said = f"shared the draft {mine.doc_id} started from a search, so the team can complete it"
    assert any(said in note for note in result.notes)             # said in the status line
    message = alice.git("log", "-1", "--format=%s", "--", mine.rel_path).strip()
    assert message == f"Draft {mine.doc_id} from a search"
    shown = alice.git(                                             # the draft's commit holds the draft only
        "log", "--format=%s", "--name-only", "-1", "--grep", f"Draft {mine.doc_id}").split("\n")
    assert [line for line in shown if line.endswith(".md")] == [mine.rel_path]
    untracked = alice.git("status", "--porcelain", "--untracked-files=all").split("\n")
    assert f"?? {others.rel_path}" in untracked                    # Ana's draft: not the syncing person's
    assert "?? articles/notes-in-progress.md" in untracked         # not from a search

    assert bob.sync().ok
    assert bob.kb.load(mine.rel_path).status == "draft"
    assert not (bob.root / others.rel_path).exists()
    again = alice.sync()
    assert not any("shared the draft" in note for note in again.notes)   # shared once
