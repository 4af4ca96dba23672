"""The use ledger: what one use records, the document's git version, and refused requests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.ledger import UseRequest, blob_id, document_version, read_uses
from kbstudio.loop.records import RecordError
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.vcs.repo import KBRepo
from tests.loop.conftest import ANA, NOW, OUTLOOK
from tests.vcs.conftest import git


def test_a_use_records_every_field(kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    document = kb.load(OUTLOOK)
    recorded = ana.record_use(document, UseRequest("escalated", ticket="INC-0042  ", sop="SOP-0003",
                                                   searches=["outlook  password", "  "], tier="l1"), now=NOW)
    entry = read_uses(kb.root).items()[0]
    assert entry == recorded.record
    assert entry.to_json() == {
        "v": 1, "type": "use", "id": entry.id, "time": "2026-03-10T12:00:00Z",
        "agent": "Ana López <ana@example.com>", "tier": "L1", "document": "KB-0019", "path": OUTLOOK,
        "version": f"blob:{blob_id((kb.root / OUTLOOK).read_bytes())}", "outcome": "escalated",
        "sop": "SOP-0003", "ticket": "INC-0042", "searches": ["outlook password"], "via": "read"}
    assert len(entry.id) == 32


@pytest.mark.parametrize(("request_", "message"), [
    (UseRequest("fixed"), "outcome 'fixed' is not one of"),
    (UseRequest("escalated"), "needs the SOP"),
    (UseRequest("solved", tier="L9"), "tier 'L9'"),
    (UseRequest("solved", ticket="a\x1bb"), "control characters"),
    (UseRequest("solved", via="email"), "via 'email'"),
])
def test_bad_requests_are_refused_and_nothing_is_written(kb: KnowledgeBase, ana: KnowledgeLoop,
                                                         request_: UseRequest, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        ana.record_use(kb.load(OUTLOOK), request_)
    assert not (kb.root / ".kbstudio/usage").exists()


def test_an_sop_run_without_document_names_the_sop(kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    entry = ana.record_use(None, UseRequest("escalated", sop="SOP-0001", via="sop-run")).record
    assert entry.document is None and entry.key is None and not entry.names_document
    with pytest.raises(RecordError, match="names a document, an SOP"):
        ana.record_use(None, UseRequest("solved"))


def test_version_is_the_last_commit_or_the_blob_of_local_changes(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "articles").mkdir(parents=True)
    (root / "articles/a.md").write_text("---\nid: KB-0001\n---\n# A\n", "utf-8")
    (root / "articles/b.md").write_text("---\nid: KB-0002\n---\n# B\n", "utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "seed")
    first = git(root, "rev-parse", "HEAD").strip()
    (root / "articles/b.md").write_text("---\nid: KB-0002\n---\n# B2\n", "utf-8")
    git(root, "commit", "-q", "-am", "b changes")
    repo = KBRepo.find(KnowledgeBase(root))
    assert document_version(root, "articles/a.md", repo) == first     # the commit that last changed it
    (root / "articles/a.md").write_text("---\nid: KB-0001\n---\n# A edited\n", "utf-8")
    expected = subprocess.run(["git", "hash-object", "articles/a.md"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
    assert document_version(root, "articles/a.md", repo) == f"blob:{expected}"
    assert document_version(root, "articles/a.md", None) == f"blob:{expected}"
    assert document_version(root, "articles/missing.md", repo) is None
    loop = KnowledgeLoop(KnowledgeBase(root), repo, agent=ANA, device="d1")
    document = KnowledgeBase(root).load("articles/b.md")
    assert loop.record_use(document, UseRequest("solved")).record.version == git(
        root, "rev-parse", "HEAD").strip()


def test_agent_comes_from_git(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    git(root, "init", "-q")
    loop = KnowledgeLoop.open(KnowledgeBase(root), device="d1")
    assert str(loop.agent) == "Test Author <test@example.com>"    # git_sandbox's identity
