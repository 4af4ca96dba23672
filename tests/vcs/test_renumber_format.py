"""Renumbering a document after a merge changes its id line only: a BOM and CRLF line endings stay."""

from __future__ import annotations

from tests.vcs.conftest import Side


def test_renumbering_keeps_bom_and_crlf(alice: Side, bob: Side) -> None:
    alice.kb.create("article", "Alice's new doc", "L1")
    alice.commit("Alice: new")
    alice.sync()
    created = bob.kb.create("article", "Bob's new doc", "L2")
    path = bob.root / created.rel_path
    original = b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(original)
    bob.commit("Bob: new, with a BOM and CRLF")
    result = bob.sync()
    [change] = result.renumbered
    assert (change.old_id, change.new_id) == ("KB-0008", "KB-0009")
    assert path.read_bytes() == original.replace(b"id: KB-0008\r\n", b"id: KB-0009\r\n")
