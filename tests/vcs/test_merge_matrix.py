"""The two-clone conflict matrix, in LF and in CRLF files with a BOM: every side's text ends where it belongs.

Bob edits and syncs first; Alice edits the same document and syncs second, so the conflict is
Alice's: "mine" is Alice's text, "theirs" Bob's.
"""

from __future__ import annotations

import pytest

from kbstudio.vcs.fmmerge import Own

from .conftest import Side

DOC = "articles/doc-1.md"
BOM = b"\xef\xbb\xbf"


BOB_ITEM_1 = [("1. Check the basics.", "1. Check the power."), ("tags: [demo]", "tags: [demo, network]")]


class Bytes:
    """Edits a clone's files as bytes, in the file's own line ends (Side.edit would turn CRLF into LF)."""

    def __init__(self, side: Side, crlf: bool) -> None:
        self.side, self.crlf = side, crlf

    def nl(self, text: str) -> bytes:
        return text.replace("\n", "\r\n" if self.crlf else "\n").encode("utf-8")

    def read(self, rel: str = DOC) -> bytes:
        return (self.side.root / rel).read_bytes()

    def text(self, rel: str = DOC) -> str:
        """Return the file with LF line ends and no BOM, for assertions on content."""
        return self.read(rel).removeprefix(BOM).decode("utf-8").replace("\r\n", "\n")

    def write(self, rel: str, text: str) -> None:
        path = self.side.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((BOM if self.crlf else b"") + self.nl(text))

    def edit(self, old: str, new: str, rel: str = DOC) -> None:
        data = self.read(rel)
        assert self.nl(old) in data, (old, rel)
        (self.side.root / rel).write_bytes(data.replace(self.nl(old), self.nl(new), 1))

    def format_kept(self, rel: str = DOC) -> None:
        data = self.read(rel)
        assert data.startswith(BOM) == self.crlf
        if self.crlf:
            assert data.count(b"\r\n") == data.count(b"\n")
        else:
            assert b"\r" not in data


@pytest.fixture(params=["lf", "crlf"])
def crlf(request: pytest.FixtureRequest, alice: Side, bob: Side) -> bool:
    """Run each scenario on an LF file and on a CRLF file with a BOM (converted and shared first)."""
    if request.param == "crlf":
        for number in range(1, 8):
            rel = f"articles/doc-{number}.md"
            text = alice.read(rel)
            (alice.root / rel).write_bytes(BOM + text.replace("\n", "\r\n").encode("utf-8"))
        alice.commit("CRLF and BOM")
        assert alice.sync().status == "ok"
        assert bob.sync().status == "ok"
    return request.param == "crlf"


def bob_first(bob: Side, edits: list[tuple[str, str]], crlf: bool, rel: str = DOC) -> None:
    files = Bytes(bob, crlf)
    for old, new in edits:
        files.edit(old, new, rel)
    bob.commit("Bob's edit")
    assert bob.sync().status == "ok"


def test_item_1_their_tag_and_my_product_survive_a_body_conflict(alice: Side, bob: Side, crlf: bool) -> None:
    bob_first(bob, BOB_ITEM_1, crlf)
    mine = Bytes(alice, crlf)
    mine.edit("1. Check the basics.", "1. Check the cable.")
    mine.edit("tags: [demo]\n", "tags: [demo]\nproducts: [Outlook]\n")
    alice.commit("Alice's edit")
    result = alice.sync()
    assert result.status == "conflicts" and result.conflicts == [DOC]

    [conflict] = alice.vc().conflicts.list()
    record = conflict.merge
    assert record is not None and record.fields_merged
    assert [(p.key, p.state) for p in record.conflicts] == [("hunk:1", "conflict")]
    merged = {p.key: p.state for p in record.merged}
    assert merged == {"field:tags": "theirs", "field:products": "mine"}
    hunk = record.conflicts[0]
    assert (hunk.base, hunk.mine, hunk.theirs) == ("1. Check the basics.\n", "1. Check the cable.\n",
                                                   "1. Check the power.\n")
    on_disk = mine.text()        # the field merge is on disk already; markers only around the body line
    assert "tags: [demo, network]" in on_disk and "products: [Outlook]" in on_disk
    assert on_disk.count("<<<<<<<") == 1 and "<<<<<<< yours\n1. Check the cable.\n=======\n" in on_disk
    mine.format_kept()

    discards = conflict.discards("mine")   # what "keep mine" drops: their body line, never their tag
    assert [(d.part.key, d.side, d.text) for d in discards] == [("hunk:1", "theirs", "1. Check the power.\n")]
    outcome = alice.vc().conflicts.resolve(DOC, "mine")
    assert outcome.finished
    text = mine.text()
    assert "tags: [demo, network]" in text and "products: [Outlook]" in text
    assert "1. Check the cable." in text and "Check the power." not in text and "<<<<<<<" not in text
    mine.format_kept()
    assert alice.sync().status == "ok"
    assert bob.sync().status == "ok"
    theirs = Bytes(bob, crlf)
    assert theirs.text() == text
    theirs.format_kept()
    assert "1. Check the power." in bob.all_history_text()


@pytest.mark.parametrize("hunk, line", [("theirs", "1. Check the power."), ("both", None)])
def test_item_1_chosen_per_hunk(alice: Side, bob: Side, crlf: bool, hunk: str, line: str | None) -> None:
    bob_first(bob, BOB_ITEM_1, crlf)
    mine = Bytes(alice, crlf)
    mine.edit("1. Check the basics.", "1. Check the cable.")
    mine.edit("tags: [demo]\n", "tags: [demo]\nproducts: [Outlook]\n")
    alice.commit()
    assert alice.sync().status == "conflicts"
    assert alice.vc().conflicts.resolve(DOC, "merged", parts={"hunk:1": hunk}).finished
    text = mine.text()
    assert "tags: [demo, network]" in text and "products: [Outlook]" in text
    if line:
        assert line in text and "Check the cable." not in text
    else:
        assert "1. Check the cable.\n1. Check the power.\n" in text
    mine.format_kept()


def test_same_field_changed_differently(alice: Side, bob: Side, crlf: bool) -> None:
    bob_first(bob, [("tier: L1", "tier: L3"), ("2. Try again.", "2. Try again later.")], crlf)
    mine = Bytes(alice, crlf)
    mine.edit("tier: L1", "tier: L2")
    mine.edit("status: draft", "status: review")
    alice.commit()
    result = alice.sync()
    assert result.status == "conflicts"
    [conflict] = alice.vc().conflicts.list()
    record = conflict.merge
    assert [(p.key, p.base, p.mine, p.theirs) for p in record.conflicts] == [
        ("field:tier", "tier: L1\n", "tier: L2\n", "tier: L3\n")]
    assert "<<<<<<< yours\ntier: L2\n=======\ntier: L3\n>>>>>>> theirs\n" in mine.text()
    assert "2. Try again later." in mine.text() and "status: review" in mine.text()
    assert alice.vc().conflicts.resolve(DOC, "merged", parts={"field:tier": "theirs"}).finished
    text = mine.text()
    assert "tier: L3" in text and "status: review" in text and "2. Try again later." in text
    mine.format_kept()


def test_same_list_field_keeps_both_additions_when_asked(alice: Side, bob: Side, crlf: bool) -> None:
    bob_first(bob, [("tags: [demo]", "tags: [demo, printer]")], crlf)
    mine = Bytes(alice, crlf)
    mine.edit("tags: [demo]", "tags: [demo, spooler]")
    alice.commit()
    assert alice.sync().status == "conflicts"
    [conflict] = alice.vc().conflicts.list()
    [tags] = conflict.merge.conflicts
    assert tags.key == "field:tags" and tags.can_both
    assert alice.vc().conflicts.resolve(DOC, "merged", parts={"field:tags": "both"}).finished
    assert "tags: [demo, spooler, printer]" in mine.text()
    mine.format_kept()


def test_different_fields_far_apart_merge_by_themselves(alice: Side, bob: Side, crlf: bool) -> None:
    bob_first(bob, [("id: KB-0001", "id: KB-0001\nowner: Network Team")], crlf)
    mine = Bytes(alice, crlf)
    mine.edit("tags: [demo]", "tags: [demo, vpn]")
    alice.commit()
    result = alice.sync()
    assert result.status == "ok" and result.pushed
    text = mine.text()
    assert "owner: Network Team" in text and "tags: [demo, vpn]" in text
    mine.format_kept()


def test_adjacent_fields_merge_field_by_field(alice: Side, bob: Side, crlf: bool) -> None:
    bob_first(bob, [("tier: L1", "tier: L2")], crlf)       # the line right before status
    mine = Bytes(alice, crlf)
    mine.edit("status: draft", "status: published")
    mine.edit("tags: [demo]\n", "tags: [demo]\nproducts: [VPN client]\n")
    alice.commit()
    result = alice.sync()
    assert result.status == "ok" and result.auto_merged == [DOC] and result.pushed
    text = mine.text()
    assert "tier: L2" in text and "status: published" in text and "products: [VPN client]" in text
    mine.format_kept()


def test_both_add_a_field_at_the_end_of_the_front_matter(alice: Side, bob: Side, crlf: bool) -> None:
    bob_first(bob, [("tags: [demo]\n", "tags: [demo]\nowner: Service Desk\n")], crlf)
    mine = Bytes(alice, crlf)
    mine.edit("tags: [demo]\n", "tags: [demo]\nproducts: [Teams]\n")
    alice.commit()
    result = alice.sync()
    assert result.status == "ok" and result.auto_merged == [DOC]
    text = mine.text()
    assert "owner: Service Desk" in text and "products: [Teams]" in text
    mine.format_kept()


def test_body_and_fields_each_conflicting(alice: Side, bob: Side, crlf: bool) -> None:
    bob_first(bob, [("status: draft", "status: review"), ("2. Try again.", "2. Bob's retry."),
                    ("3. Escalate when it still fails.", "3. Escalate to L2.")], crlf)
    mine = Bytes(alice, crlf)
    mine.edit("status: draft", "status: published")
    mine.edit("2. Try again.", "2. Alice's retry.")
    mine.edit("# Connect to the VPN", "# Connect to the VPN from home")
    alice.commit()
    assert alice.sync().status == "conflicts"
    [conflict] = alice.vc().conflicts.list()
    record = conflict.merge
    assert [p.key for p in record.conflicts] == ["field:status", "hunk:1"]
    hunk = record.find("1")
    assert hunk.mine == "2. Alice's retry.\n3. Escalate when it still fails.\n"
    assert hunk.theirs == "2. Bob's retry.\n3. Escalate to L2.\n"
    choices = {"field:status": "mine", "hunk:1": Own("2. Alice's and Bob's retry.\n3. Escalate to L2.\n")}
    assert alice.vc().conflicts.resolve(DOC, "merged", parts=choices).finished
    text = mine.text()
    assert "status: published" in text and "# Connect to the VPN from home" in text
    assert "2. Alice's and Bob's retry.\n3. Escalate to L2.\n" in text
    mine.format_kept()


def test_delete_versus_edit_says_what_deleting_drops(alice: Side, bob: Side, crlf: bool) -> None:
    bob.git("rm", "-q", DOC)
    bob.commit("Bob: delete")
    assert bob.sync().status == "ok"
    mine = Bytes(alice, crlf)
    mine.edit("2. Try again.", "2. Alice's careful fix.")
    alice.commit()
    assert alice.sync().status == "conflicts"
    [conflict] = alice.vc().conflicts.list()
    assert conflict.kind == "delete_vs_edit" and conflict.merge is None
    [dropped] = conflict.discards("theirs")
    assert dropped.deleted and dropped.side == "mine" and "Alice's careful fix." in dropped.text
    assert conflict.discards("mine") == []
    assert alice.vc().conflicts.resolve(DOC, "mine").finished
    assert "2. Alice's careful fix." in mine.text()
    mine.format_kept()


def test_rename_versus_edit_merges_fields_and_asks_for_the_lines(alice: Side, bob: Side, crlf: bool) -> None:
    bob.git("mv", DOC, "articles/vpn.md")
    bob_first(bob, [("2. Try again.", "2. Bob's step."), ("tags: [demo]", "tags: [demo, vpn]")], crlf,
              rel="articles/vpn.md")
    mine = Bytes(alice, crlf)
    mine.edit("2. Try again.", "2. Alice's step.")
    mine.edit("tier: L1", "tier: L2")
    alice.commit()
    result = alice.sync()
    assert result.conflicts == ["articles/vpn.md"]
    [conflict] = alice.vc().conflicts.list()
    assert conflict.kind == "rename_vs_edit" and [p.key for p in conflict.merge.conflicts] == ["hunk:1"]
    assert "tags: [demo, vpn]" in mine.text("articles/vpn.md") and "tier: L2" in mine.text("articles/vpn.md")
    assert alice.vc().conflicts.resolve("articles/vpn.md", "theirs").finished
    text = mine.text("articles/vpn.md")
    assert "2. Bob's step." in text and "tags: [demo, vpn]" in text and "tier: L2" in text
    assert not (alice.root / DOC).exists()
    mine.format_kept("articles/vpn.md")


def test_same_new_id_on_both_sides(alice: Side, bob: Side, crlf: bool) -> None:
    new = "---\nid: KB-0008\ntitle: {title}\nkind: article\ntier: L1\nstatus: draft\ntags: []\n---\n\nBody.\n"
    theirs = Bytes(bob, crlf)
    theirs.write("articles/bob-new.md", new.format(title="Bob's new doc"))
    bob.commit("Bob: new")
    assert bob.sync().status == "ok"
    mine = Bytes(alice, crlf)
    mine.write("articles/alice-new.md", new.format(title="Alice's new doc"))
    alice.commit("Alice: new")
    result = alice.sync()
    assert result.status == "ok" and result.pushed
    [change] = result.renumbered
    assert (change.path, change.old_id, change.new_id) == ("articles/alice-new.md", "KB-0008", "KB-0009")
    assert "id: KB-0009" in mine.text("articles/alice-new.md")
    assert "id: KB-0008" in mine.text("articles/bob-new.md")
    mine.format_kept("articles/alice-new.md")


def test_both_added_the_same_path_merges_what_agrees(alice: Side, bob: Side, crlf: bool) -> None:
    new = "---\nid: KB-0020\ntitle: Printer jams\nkind: article\ntier: {tier}\n---\n\n{body}\n"
    theirs = Bytes(bob, crlf)
    theirs.write("articles/jam.md", new.format(tier="L1", body="Open tray 2."))
    bob.commit()
    assert bob.sync().status == "ok"
    mine = Bytes(alice, crlf)
    mine.write("articles/jam.md", new.format(tier="L2", body="Open tray 2."))
    alice.commit()
    assert alice.sync().status == "conflicts"
    [conflict] = alice.vc().conflicts.list()
    assert conflict.kind == "both_added"
    assert [p.key for p in conflict.merge.conflicts] == ["field:tier"]
    assert alice.vc().conflicts.resolve("articles/jam.md", "theirs").finished
    assert "tier: L1" in mine.text("articles/jam.md") and "Open tray 2." in mine.text("articles/jam.md")
    mine.format_kept("articles/jam.md")


def test_both_add_the_same_field_on_different_lines_alike(alice: Side, bob: Side, crlf: bool) -> None:
    """git merges this cleanly line by line and leaves the field twice; the field merge keeps it once."""
    bob_first(bob, [("id: KB-0001", "id: KB-0001\nowner: Service Desk")], crlf)
    mine = Bytes(alice, crlf)
    mine.edit("tags: [demo]\n", "tags: [demo]\nowner: Service Desk\n")
    alice.commit()
    result = alice.sync()
    assert result.status == "ok" and result.pushed and DOC in result.auto_merged
    text = mine.text()
    assert text.count("owner: Service Desk") == 1
    assert alice.kb.load(alice.root / DOC).meta["owner"] == "Service Desk"
    mine.format_kept()
    assert alice.git("rev-list", "--parents", "-n", "1", "HEAD").count(" ") == 2


def test_both_add_the_same_field_on_different_lines_differently(alice: Side, bob: Side, crlf: bool) -> None:
    """... and set differently it is a conflict on that field, not a document that cannot be read."""
    bob_first(bob, [("id: KB-0001", "id: KB-0001\nowner: Network Team")], crlf)
    mine = Bytes(alice, crlf)
    mine.edit("tags: [demo]\n", "tags: [demo]\nowner: Service Desk\n")
    mine.edit("2. Try again.", "2. Try again later.")
    alice.commit()
    result = alice.sync()
    assert result.status == "conflicts" and result.conflicts == [DOC]
    [conflict] = alice.vc().conflicts.list()
    assert [(p.key, p.mine, p.theirs) for p in conflict.merge.conflicts] == [
        ("field:owner", "owner: Service Desk\n", "owner: Network Team\n")]
    assert "<<<<<<< yours\nowner: Service Desk\n=======\nowner: Network Team\n>>>>>>> theirs\n" in mine.text()
    assert alice.vc().conflicts.resolve(DOC, "merged", parts={"field:owner": "theirs"}).finished
    text = mine.text()
    assert text.count("owner:") == 1 and "owner: Network Team" in text and "2. Try again later." in text
    mine.format_kept()


def test_a_document_about_git_markers_still_merges(alice: Side, bob: Side, crlf: bool) -> None:
    """Marker-like lines a side committed (a KB documenting git) are text, not a merge left unfinished."""
    sample = "```text\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> main\n```\n"
    mine = Bytes(alice, crlf)
    mine.edit("## Resolution\n", "## Resolution\n\n" + sample)
    alice.git("commit", "-qam", "How a conflict looks")   # plain git: KB Studio's own commit refuses it
    assert alice.sync().status == "ok" and bob.sync().status == "ok"
    theirs = Bytes(bob, crlf)
    theirs.edit("tier: L1", "tier: L2")
    theirs.edit("2. Try again.", "2. Bob's retry.")
    bob.git("commit", "-qam", "Bob")
    assert bob.sync().status == "ok"
    mine.edit("status: draft", "status: review")
    mine.edit("2. Try again.", "2. Alice's retry.")
    alice.git("commit", "-qam", "Alice")
    assert alice.sync().status == "conflicts"
    assert alice.vc().conflicts.resolve(DOC, "mine", parts={"hunk:1": "both"}).finished
    text = mine.text()
    assert sample in text and "tier: L2" in text and "status: review" in text
    assert "2. Alice's retry.\n2. Bob's retry.\n" in text
    assert alice.sync().status == "ok"
