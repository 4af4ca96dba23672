"""Versioning one KB: init, ignore files, identity, commits, history across renames, diff, restore."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.vcs.commit import ConflictMarkersError, has_conflict_markers, marker_lines, suggest_message
from kbstudio.vcs.diff import diff_texts
from kbstudio.vcs.repo import IdentityMissingError, KBRepo
from kbstudio.vcs.safety import UnsafeInputError, check_ref, check_url, git_environment, redact
from kbstudio.vcs.service import VersionControl

from .conftest import Side, document, git


def test_init_a_folder_outside_a_work_tree(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "a.md").write_text(document("KB-0001", "First"), encoding="utf-8")
    kb = KnowledgeBase(root)
    assert VersionControl.open(kb) is None
    repo = KBRepo.init(kb)
    assert repo.worktree == root.resolve() and repo.prefix == ""
    assert "*.kbtmp" in (root / ".gitignore").read_text() and "merge=union" in (
        root / ".gitattributes").read_text()
    (root / "articles" / ".a.md.123.kbtmp").write_text("half a save")
    vc = VersionControl(repo)
    result = vc.committer.commit("First version")
    assert result.committed
    assert set(result.changed) == {".gitattributes", ".gitignore", "articles/a.md"}
    assert vc.committer.status() == []
    assert KBRepo.init(kb).write_ignore_files() == []  # idempotent


def test_a_kb_in_a_subfolder_commits_only_its_own_files(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(top))
    (top / "kb" / "articles").mkdir(parents=True)
    (top / "kb" / "articles" / "a.md").write_text(document("KB-0001", "A"), encoding="utf-8")
    (top / "other.txt").write_text("not ours")
    vc = VersionControl.open(KnowledgeBase(top / "kb"))
    assert vc is not None and vc.repo.prefix == "kb/"
    assert [s.path for s in vc.committer.status()] == ["articles/a.md"]
    result = vc.committer.commit("Add A")
    assert result.changed == ["articles/a.md"]
    assert "?? other.txt" in git(top, "status", "--porcelain")
    assert [v.path for v in vc.history.versions("articles/a.md")] == ["articles/a.md"]


def test_commit_refuses_conflict_markers(alice: Side) -> None:
    alice.write("articles/doc-1.md", "# Title\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> branch\n")
    alice.edit("articles/doc-2.md", "Try again.", "Try later.")
    with pytest.raises(ConflictMarkersError) as caught:
        alice.commit("oops")
    assert caught.value.paths == ["articles/doc-1.md"]
    assert alice.git("diff", "--cached", "--name-only") == "articles/doc-2.md\n"
    assert alice.git("log", "--format=%s", "-1").strip() == "Seed the KB"


def test_conflict_marker_detection() -> None:
    assert has_conflict_markers("a\n<<<<<<< HEAD\nb\n")
    assert not has_conflict_markers("Title\n=======\n\ntext with <<<<<<< inside\n")  # a setext heading
    assert marker_lines("x\n<<<<<<< a\ny\n=======\nz\n>>>>>>> b\n") == [2, 4, 6]


def test_identity_missing_then_set_through_the_config_writer(alice: Side, monkeypatch: pytest.MonkeyPatch,
                                                              git_sandbox: Path) -> None:
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name)
    vc = alice.vc()
    assert vc.repo.identity() is None
    alice.edit("articles/doc-1.md", "Try again.", "Try later.")
    with pytest.raises(IdentityMissingError):
        vc.committer.commit("edit")
    for name, email in (("Eve\nEvil", "e@x"), ("Eve", "e@x\n[core]"), ("Eve", "not-an-email")):
        with pytest.raises(UnsafeInputError):
            vc.repo.set_identity(name, email)
    vc.repo.set_identity("Ada Lovelace", "ada@example.com")
    assert "ada@example.com" in (git_sandbox / ".gitconfig").read_text()
    assert vc.committer.commit("edit").committed
    assert alice.git("log", "-1", "--format=%an <%ae>").strip() == "Ada Lovelace <ada@example.com>"


def test_history_follows_a_rename_and_restores_as_a_new_commit(alice: Side) -> None:
    alice.edit("articles/doc-1.md", "Try again.", "Try again after a reboot.")
    alice.commit("Reboot first")
    alice.git("mv", "articles/doc-1.md", "articles/vpn.md")
    alice.edit("articles/vpn.md", "title: Connect to the VPN", "title: Connect to the company VPN")
    alice.commit("Rename and retitle")
    vc = alice.vc()
    versions = vc.history.versions("articles/vpn.md")
    assert [v.summary for v in versions] == ["Rename and retitle", "Reboot first", "Seed the KB"]
    assert [v.path for v in versions] == ["articles/vpn.md", "articles/doc-1.md", "articles/doc-1.md"]
    assert versions[0].author == "Test Author" and versions[0].change == "R"
    assert "Try again.\n" in vc.history.version_text(versions[2])

    diff = vc.history.diff("articles/vpn.md", versions[2], versions[0])
    removed = [line.text for hunk in diff.hunks for line in hunk.lines if line.kind == "removed"]
    assert "title: Connect to the VPN" in removed
    assert "+title: Connect to the company VPN" in diff.unified()

    head_before = alice.git("rev-parse", "HEAD").strip()
    result = vc.history.restore("articles/vpn.md", versions[2].sha)
    assert result.committed and result.changed == ["articles/vpn.md"]
    assert alice.read("articles/vpn.md") == vc.history.version_text(versions[2])
    assert alice.git("rev-parse", "HEAD~1").strip() == head_before  # history is never rewritten
    assert len(vc.history.versions("articles/vpn.md")) == 4
    with pytest.raises(UnsafeInputError):
        vc.history.restore("articles/vpn.md", "--all")


def test_side_by_side_pairs_changed_lines() -> None:
    diff = diff_texts("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n")
    rows = diff.side_by_side()[0]
    pairs = [(left.text if left else None, right.text if right else None) for left, right in rows]
    assert pairs == [("a", "a"), ("b", "B"), ("c", "c"), ("d", "d"), (None, "e")]
    assert diff.hunks[0].header == "@@ -1,4 +1,5 @@"
    assert diff_texts("same\n", "same\n").identical


def test_safety_checks() -> None:
    for bad in ("ext::sh -c id", "EXT::x", "-oProxyCommand=x", "fd::3", "", "https://h/\x07r"):
        with pytest.raises(UnsafeInputError):
            check_url(bad)
    for good in ("https://git.example.com/team/kb.git", "git@host:team/kb.git", "/srv/kb.git", "ssh://h/kb"):
        assert check_url(good) == good
    for bad_ref in ("-b", "--upload-pack=x", "a..b", "a b", "x\n", "HEAD@{1}"):
        with pytest.raises(UnsafeInputError):
            check_ref(bad_ref)
    assert redact("fatal: https://bob:tok3n@host/kb.git failed") == "fatal: https://***@host/kb.git failed"
    env = git_environment({"GIT_ASKPASS": "/bin/askpass", "SSH_ASKPASS": "x", "PATH": os.environ["PATH"]})
    assert env["GIT_TERMINAL_PROMPT"] == "0" and "GIT_ASKPASS" not in env and "SSH_ASKPASS" not in env
    assert "BatchMode=yes" in env["GIT_SSH_COMMAND"]


def test_fsmonitor_from_repo_config_never_runs(alice: Side, tmp_path: Path) -> None:
    marker = tmp_path / "fsmonitor-ran"
    script = tmp_path / "monitor.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    alice.git("config", "core.fsmonitor", str(script))
    alice.edit("articles/doc-1.md", "Try again.", "Try later.")
    assert [s.path for s in alice.vc().committer.status()] == ["articles/doc-1.md"]
    assert not marker.exists()
    subprocess.run(["git", "status"], cwd=alice.root, capture_output=True, check=False)
    assert marker.exists()  # plain git would have run it


def test_first_sync_to_an_empty_remote_then_auto_message(tmp_path: Path) -> None:
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    root = tmp_path / "kb"
    root.mkdir()
    (root / "a.md").write_text(document("KB-0001", "A"), encoding="utf-8")
    repo = KBRepo.init(KnowledgeBase(root))
    git(root, "remote", "add", "origin", str(bare))
    vc = VersionControl(repo)
    assert suggest_message(vc.committer.status()).startswith("Update 3 documents")
    vc.committer.commit("Start")
    result = vc.sync.sync()
    assert result.status == "ok" and result.pushed
    assert git(bare, "log", "--format=%s", "main").strip() == "Start"
    state = vc.sync.state()
    assert (state.branch, state.ahead, state.behind, state.merging) == ("main", 0, 0, False)
    (root / "a.md").write_text(document("KB-0001", "A", status="review"), encoding="utf-8")
    assert suggest_message(vc.committer.status()) == "Update a.md"
