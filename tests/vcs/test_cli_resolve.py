"""``kbstudio resolve`` field by field and hunk by hunk: listing, choices, and asking before discarding."""

from __future__ import annotations

import json

import pytest

from .conftest import Side
from .test_cli_git import run

DOC = "articles/doc-1.md"


def item_1(alice: Side, bob: Side) -> None:
    """Bob adds a tag and edits a body line, and syncs; Alice adds a product and edits the same line."""
    bob.edit(DOC, "1. Check the basics.", "1. Check the power.")
    bob.edit(DOC, "tags: [demo]", "tags: [demo, network]")
    bob.commit("Bob")
    assert bob.sync().status == "ok"
    alice.edit(DOC, "1. Check the basics.", "1. Check the cable.")
    alice.edit(DOC, "tags: [demo]\n", "tags: [demo]\nproducts: [Outlook]\n")
    alice.commit("Alice")


def test_sync_lists_conflicts_per_field_and_hunk(alice: Side, bob: Side, capsys: pytest.CaptureFixture[str]
                                                 ) -> None:
    item_1(alice, bob)
    code, out, err = run(capsys, "sync", str(alice.root))
    assert code == 3 and out.splitlines() == [DOC]
    assert f"{DOC}: conflicts in hunk 1; merged by themselves: the field tags (theirs), " \
           "the field products (yours)" in err

    code, out, err = run(capsys, "resolve", str(alice.root), DOC)
    assert code == 3
    assert "merged by themselves:\n  the field tags: theirs\n  the field products: yours" in out
    assert "  hunk 1: the body at line 19\n    before both: 1. Check the basics.\n" \
           "    yours:       1. Check the cable.\n    theirs:      1. Check the power." in out
    assert "<<<<<<<" not in out and "--hunk N=mine|theirs|both" in err

    code, out, _ = run(capsys, "resolve", str(alice.root), DOC, "--json")
    data = json.loads(out)
    assert [p["key"] for p in data["conflicts"]] == ["hunk:1"]
    assert data["conflicts"][0]["theirs"] == "1. Check the power.\n"
    merged = {p["key"]: p["state"] for p in data["merged"]}
    assert merged == {"field:tags": "theirs", "field:products": "mine"}


def test_keep_mine_asks_and_never_drops_their_tag(alice: Side, bob: Side, capsys: pytest.CaptureFixture[str]
                                                  ) -> None:
    item_1(alice, bob)
    assert run(capsys, "sync", str(alice.root))[0] == 3
    code, _, err = run(capsys, "resolve", str(alice.root), DOC, "--mine")
    assert code == 1 and "nothing resolved" in err
    assert "This discards (it stays in the history):\n  the body at line 19: their text\n" \
           "      1. Check the power." in err
    assert "tags" not in err.split("This discards")[1]            # their tag is not discarded
    assert (alice.root / ".git" / "MERGE_HEAD").exists()           # nothing was resolved
    code, _, err = run(capsys, "resolve", str(alice.root), DOC, "--mine", "--yes")
    assert code == 0 and "merge committed" in err
    text = alice.read(DOC)
    assert "tags: [demo, network]" in text and "products: [Outlook]" in text and "Check the cable." in text
    assert run(capsys, "sync", str(alice.root))[0] == 0


def test_keep_mine_answered_on_a_terminal(alice: Side, bob: Side, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    item_1(alice, bob)
    assert run(capsys, "sync", str(alice.root))[0] == 3
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["n", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert run(capsys, "resolve", str(alice.root), DOC, "--theirs")[0] == 1
    assert run(capsys, "resolve", str(alice.root), DOC, "--theirs")[0] == 0
    text = alice.read(DOC)
    assert "Check the power." in text and "products: [Outlook]" in text and "tags: [demo, network]" in text


def test_per_field_and_per_hunk_choices(alice: Side, bob: Side, capsys: pytest.CaptureFixture[str]) -> None:
    bob.edit(DOC, "tier: L1", "tier: L3")
    bob.edit(DOC, "2. Try again.", "2. Bob's retry.")
    bob.commit()
    bob.sync()
    alice.edit(DOC, "tier: L1", "tier: L2")
    alice.edit(DOC, "2. Try again.", "2. Alice's retry.")
    alice.commit()
    assert run(capsys, "sync", str(alice.root))[0] == 3
    code, _, err = run(capsys, "resolve", str(alice.root), DOC, "--field", "tier=theirs")
    assert code == 2 and "no choice yet for hunk 1" in err
    code, _, err = run(capsys, "resolve", str(alice.root), DOC, "--field", "tier=both", "--hunk", "1=both")
    assert code == 2 and "the field tier takes one value" in err
    code, _, err = run(capsys, "resolve", str(alice.root), DOC, "--hunk", "7=mine", "--field", "tier=mine")
    assert code == 2 and "no conflict 'hunk:7'" in err
    with pytest.raises(SystemExit):                                                    # argparse refuses
        run(capsys, "resolve", str(alice.root), DOC, "--field", "tier=maybe")
    capsys.readouterr()
    code, _, err = run(capsys, "resolve", str(alice.root), DOC, "--field", "tier=theirs", "--hunk", "1=both")
    assert code == 0 and "the field tier: your text\n      tier: L2" in err      # said, not asked
    text = alice.read(DOC)
    assert "tier: L3" in text and "2. Alice's retry.\n2. Bob's retry.\n" in text


def test_delete_versus_edit_asks_before_deleting(alice: Side, bob: Side, capsys: pytest.CaptureFixture[str]
                                                 ) -> None:
    bob.git("rm", "-q", DOC)
    bob.commit()
    bob.sync()
    alice.edit(DOC, "2. Try again.", "2. Alice's fix.")
    alice.commit()
    assert run(capsys, "sync", str(alice.root))[0] == 3
    code, out, _ = run(capsys, "resolve", str(alice.root), DOC)
    assert code == 3 and "the whole document: choose --mine or --theirs" in out
    code, _, err = run(capsys, "resolve", str(alice.root), DOC, "--theirs")
    assert code == 1 and "the document is deleted, with your edits to it:\n" \
           "      - 2. Try again.\n      + 2. Alice's fix." in err
    assert run(capsys, "resolve", str(alice.root), DOC, "--theirs", "--yes")[0] == 0
    assert not (alice.root / DOC).exists()
