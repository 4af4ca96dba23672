"""History of a file committed under a decomposed (NFD) name, asked for by its composed (NFC) name.

git keeps a path's bytes as committed (on Linux ``core.precomposeUnicode`` does nothing), so these
use a real repository in a temporary folder with the NFD name created by ``os``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kbstudio.cli import main
from kbstudio.kb import KnowledgeBase
from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.service import VersionControl

from .conftest import document, git

NFC = "articles/caf\u00e9-wifi.md"
NFD = "articles/cafe\u0301-wifi.md"


@pytest.fixture()
def versioned(tmp_path: Path) -> Path:
    """A KB whose café article was committed twice under its NFD name."""
    root = tmp_path / "kb"
    os.makedirs(root / "articles")
    path = os.path.join(root, "articles", "cafe\u0301-wifi.md")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(document("KB-0001", "Caf\u00e9 Wi-Fi"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add the caf\u00e9 article")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\nAsk for the guest password at the counter.\n")
    git(root, "commit", "-q", "-am", "Guest password")
    assert git(root, "ls-files", "-z").split("\0")[0].encode() == NFD.encode()   # stored decomposed
    return root


def _vc(root: Path) -> VersionControl:
    vc = VersionControl.open(KnowledgeBase(root))
    assert vc is not None
    return vc


def test_history_typed_composed_finds_the_decomposed_commits(versioned: Path) -> None:
    vc = _vc(versioned)
    assert vc.repo.git_spelling(NFC) == NFD
    for asked in (NFC, NFD):
        versions = vc.history.versions(asked)
        assert [(v.summary, v.path) for v in versions] == [
            ("Guest password", NFD), ("Add the caf\u00e9 article", NFD)]
    versions = vc.history.versions(NFC)
    assert "guest password" not in vc.history.version_text(versions[1])
    assert "guest password" in vc.history.version_text(versions[0])
    diff = vc.history.diff(NFC, versions[1])   # against the file as saved now
    assert "+Ask for the guest password at the counter." in diff.unified()


def test_restore_typed_composed_writes_the_decomposed_file(versioned: Path) -> None:
    vc = _vc(versioned)
    first = vc.history.versions(NFC)[-1]
    result = vc.history.restore(NFC, first.sha)
    assert result.committed and result.changed == [NFD]
    assert sorted(os.listdir(versioned / "articles")) == ["cafe\u0301-wifi.md"]   # no second file
    assert "guest password" not in (versioned / NFD).read_text("utf-8")
    assert [v.path for v in vc.history.versions(NFC)] == [NFD, NFD, NFD]


def test_a_deleted_file_and_a_mixed_form_path_still_have_their_history(versioned: Path) -> None:
    os.makedirs(versioned / "Mu\u0308nchen")
    munich = document("KB-0002", "Munich", body="# Munich\n\nThe office by the Isar has its own router.\n")
    (versioned / "Mu\u0308nchen" / "caf\u00e9.md").write_text(munich, "utf-8")
    git(versioned, "add", "-A")
    git(versioned, "commit", "-q", "-m", "Munich")
    git(versioned, "rm", "-q", NFD)
    git(versioned, "commit", "-q", "-m", "Remove the caf\u00e9 article")
    vc = _vc(versioned)
    assert [v.change for v in vc.history.versions(NFC)] == ["D", "M", "A"]   # found in history
    os.remove(versioned / "Mu\u0308nchen" / "caf\u00e9.md")   # deleted, not committed: only the index
    mixed = vc.history.versions("M\u00fcnchen/cafe\u0301.md")  # neither its NFC nor its NFD spelling
    assert [(v.summary, v.path) for v in mixed] == [("Munich", "Mu\u0308nchen/caf\u00e9.md")]


def test_ascii_paths_are_taken_as_given(versioned: Path) -> None:
    assert KBRepo(KnowledgeBase(versioned)).git_spelling("articles/none.md") == "articles/none.md"


def test_cli_history_and_commit_take_a_composed_path(versioned: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", str(versioned), NFC, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(v["summary"], v["path"]) for v in data] == [("Guest password", NFD),
                                                         ("Add the caf\u00e9 article", NFD)]
    assert main(["history", str(versioned), NFC]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and not any(NFD in line for line in lines)   # no "(moved)" path shown
    with open(versioned / NFD, "a", encoding="utf-8") as handle:
        handle.write("Open from 8 to 18.\n")
    assert main(["commit", str(versioned), NFC, "-m", "Opening hours"]) == 0
    assert git(versioned, "status", "--porcelain") == ""
    assert git(versioned, "-c", "core.quotepath=false", "log", "-1", "--format=%s", "--name-only"
               ).split() == ["Opening", "hours", NFD]
