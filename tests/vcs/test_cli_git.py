"""The git commands of the CLI: exit codes, listed conflicts, JSON, and the index kept in step."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from kbstudio.cli import main, subcommand_names
from kbstudio.index.service import SearchService

from .conftest import Side

DOC = "articles/doc-1.md"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_are_registered() -> None:
    assert {"sync", "resolve", "history", "commit", "clone"} <= subcommand_names()


def test_sync_ok_conflicts_resolve_and_json(alice: Side, bob: Side, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    alice.edit(DOC, "Try again.", "Try the cable.")
    assert run(capsys, "commit", str(alice.root), "-m", "Alice: cable")[0] == 0
    code, out, _ = run(capsys, "sync", str(alice.root), "--json")
    assert code == 0 and json.loads(out)["pushed"] is True

    bob.edit(DOC, "Try again.", "Try the power.")
    code, out, err = run(capsys, "sync", str(bob.root), "-m", "Bob: power")
    assert code == 3 and out.splitlines() == [DOC] and "kbstudio resolve" in err
    code, out, _ = run(capsys, "sync", str(bob.root), "--json")
    data = json.loads(out)
    assert code == 3 and data["status"] == "conflicts" and data["conflicts"] == [DOC]

    code, _, err = run(capsys, "resolve", str(bob.root), DOC, "--edited")
    assert code == 1 and "conflict markers remain" in err
    code, _, err = run(capsys, "resolve", str(bob.root), str(bob.root / DOC), "--theirs")
    assert code == 1 and "Try the power." in err and "--yes" in err      # asks before discarding
    code, _, err = run(capsys, "resolve", str(bob.root), str(bob.root / DOC), "--theirs", "--yes")
    assert code == 0 and "merge committed" in err
    assert run(capsys, "sync", str(bob.root))[0] == 0
    assert "Try the power." in bob.all_history_text()


def test_sync_updates_an_existing_index_from_changed_files(alice: Side, bob: Side, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = tmp_path / "idx"
    service = SearchService(bob.kb, index_dir)
    service.ensure()
    service.close()
    alice.edit("articles/doc-7.md", "Try again.", "Forward the mail to the zyxwvut team.")
    alice.commit()
    alice.sync()
    code, _, err = run(capsys, "sync", str(bob.root), "--index-dir", str(index_dir))
    assert code == 0 and "index updated: 0 added, 1 updated, 0 removed" in err
    service = SearchService(bob.kb, index_dir)
    assert service.open_existing()
    assert [hit.path for hit in service.search("zyxwvut").results] == ["articles/doc-7.md"]
    service.close()


@pytest.mark.timeout(30)
def test_sync_remote_failure_exits_4(bob: Side, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bob.git("remote", "set-url", "origin", f"http://user:hunter2@127.0.0.1:{port}/kb.git")
    code, out, err = run(capsys, "sync", str(bob.root), "--json", "--timeout", "5")
    data = json.loads(out)
    assert code == 4 and data["failure"] == "network" and "hunter2" not in out + err


def test_mass_deletion_exit_code_and_uncommitted(alice: Side, bob: Side,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for number in (1, 2, 3):
        alice.git("rm", "-q", f"articles/doc-{number}.md")
    alice.commit()
    alice.sync()
    code, _, err = run(capsys, "sync", str(bob.root))
    assert code == 5 and "--allow-deletions" in err and "would delete articles/doc-1.md" in err
    assert run(capsys, "sync", str(bob.root), "--allow-deletions")[0] == 0
    bob.edit("articles/doc-4.md", "Try again.", "Try later.")
    assert run(capsys, "sync", str(bob.root))[0] == 2


def test_history_and_clone(alice: Side, remote: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    alice.git("mv", DOC, "articles/vpn.md")
    alice.commit("Rename")
    code, out, _ = run(capsys, "history", str(alice.root), "articles/vpn.md", "--json")
    data = json.loads(out)
    assert code == 0 and [v["summary"] for v in data] == ["Rename", "Seed the KB"]
    assert data[1]["path"] == DOC
    code, out, _ = run(capsys, "history", str(alice.root), "articles/vpn.md")
    assert "Seed the KB  (articles/doc-1.md)" in out
    target = tmp_path / "cloned"
    code, out, _ = run(capsys, "clone", str(remote), str(target))
    assert code == 0 and (target / DOC).is_file()
    assert run(capsys, "clone", "ext::sh -c id", str(tmp_path / "x"))[0] == 2
    assert run(capsys, "sync", str(tmp_path))[0] == 2  # not a repository
