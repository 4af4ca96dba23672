"""Real git: the dashboard's "Recent changes" leaves out commits that touch only the knowledge loop's
records, and "Writing" counts neither approvals nor the automatic renumbering."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.gitsync import commit_loop_files
from kbstudio.loop.history_facts import read_history
from kbstudio.loop.ledger import UseRequest
from kbstudio.loop.logfiles import record_folders
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.review.dashboard import recent_changes
from kbstudio.vcs.ids import RENUMBER_SUBJECT
from kbstudio.vcs.service import VersionControl
from tests.loop.conftest import ANA, _commit

DOC = "---\nid: KB-0001\ntitle: Alpha\nkind: article\ntier: L1\nstatus: draft\nowner: Desk\n---\n\n# Alpha\n"


def test_recent_changes_and_writing_leave_out_loop_approval_and_renumber_commits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.vcs.conftest import git

    root = tmp_path / "kb"
    (root / "articles").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "articles/a.md").write_text(DOC, "utf-8")
    _commit(root, monkeypatch, "2025-01-01T09:00:00+00:00", "Wendy Writer <wendy@example.com>", "Write A")
    kb = KnowledgeBase(root)
    vcs = VersionControl.open(kb)
    assert vcs is not None
    KnowledgeLoop(kb, vcs.repo, agent=ANA, device="d1").record_use(kb.load("articles/a.md"),
                                                                   UseRequest("solved", tier="L1"))
    assert commit_loop_files(vcs.repo) is not None                 # "Knowledge loop: 1 use"
    (root / "articles/a.md").write_text(DOC.replace("draft", "published"), "utf-8")
    _commit(root, monkeypatch, "2025-01-02T09:00:00+00:00", "Rita Reviewer <rita@example.com>",
            "Approve KB-0001\n\nReviewed-by: Rita Reviewer <rita@example.com>")
    (root / "articles/a.md").write_text(DOC.replace("KB-0001", "KB-0002"), "utf-8")
    _commit(root, monkeypatch, "2025-01-03T09:00:00+00:00", "Sam Syncer <sam@example.com>",
            RENUMBER_SUBJECT + "\n\narticles/a.md: KB-0001 -> KB-0002")

    everything = [change.summary for change in recent_changes(vcs)]
    assert everything[-2:] == ["Knowledge loop: 1 use", "Write A"]
    shown = [change.summary for change in recent_changes(vcs, exclude=record_folders())]
    assert shown == [RENUMBER_SUBJECT, "Approve KB-0001", "Write A"]
    assert [item.person for item in read_history(vcs.repo).authors] == ["Wendy Writer <wendy@example.com>"]
