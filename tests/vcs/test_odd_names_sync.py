"""The git commands with odd file names pulled in, and an index that cannot be written after a pull.

The pull has succeeded by the time the index is updated: a folder that cannot be written or a lock
held by another process is a warning and exit 0, never exit 2 for a sync that worked.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbstudio import cli_git
from kbstudio.cli import main
from kbstudio.index.service import SearchService
from kbstudio.index.store import LOCK_FILE, IndexStore

from .conftest import Side, document

BAD = "articles/bad-\udcff.md"       # the byte 0xff of a name that is not UTF-8
NEWLINE = "articles/a\nb.md"
SKIPPED = ("kbstudio: articles/bad-\\xff.md: file name is not valid UTF-8; rename the file to make it "
           "searchable")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    out.encode("utf-8"), err.encode("utf-8")     # nothing that is not UTF-8 reached the output
    return code, out, err


def indexed(side: Side, index_dir: Path) -> SearchService:
    service = SearchService(side.kb, index_dir)
    service.ensure()
    return service


def test_sync_pulls_odd_names_says_which_is_not_indexed_and_lists_them_escaped(
        alice: Side, bob: Side, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = tmp_path / "idx"
    indexed(bob, index_dir).close()
    alice.write(BAD, document("KB-0100", "Bad name", body="# Bad name\n\nGit and Python hold it as bytes.\n"))
    alice.write(NEWLINE, document("KB-0101", "Newline name", body="# Newline\n\nzyxwvut\n"))
    assert alice.commit("odd names").committed
    assert alice.sync().status == "ok"

    code, out, err = run(capsys, "sync", str(bob.root), "--index-dir", str(index_dir))
    assert code == 0 and out == ""
    assert err.splitlines()[:2] == [SKIPPED, "index updated: 1 added, 0 updated, 0 removed"]
    service = SearchService(bob.kb, index_dir)
    assert service.open_existing()
    assert [hit.path for hit in service.search("zyxwvut").results] == [NEWLINE]
    service.close()

    code, out, _ = run(capsys, "history", str(bob.root), str(bob.root / BAD), "--json")
    assert code == 0 and [v["path"] for v in json.loads(out)] == ["articles/bad-\\xff.md"]
    code, out, _ = run(capsys, "list", str(bob.root), "--json")
    rows = {row["path"]: row for row in json.loads(out)}
    assert rows["articles/bad-\\xff.md"]["problems"][0]["message"] == \
        "file name is not valid UTF-8; rename it"
    assert len(rows) == 10 and NEWLINE in rows and "articles/doc-1.md" in rows


@contextlib.contextmanager
def _unwritable(self: IndexStore, timeout: float = 10.0) -> Iterator[None]:
    raise self._unwritable(OSError(errno.EACCES, "Permission denied", str(self.home / LOCK_FILE)))
    yield   # pragma: no cover


def test_sync_warns_and_exits_0_when_the_index_folder_cannot_be_written(
        alice: Side, bob: Side, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "idx"
    indexed(bob, index_dir).close()
    alice.edit("articles/doc-2.md", "Try again.", "Try the other tray.")
    alice.commit()
    alice.sync()
    # as a read-only folder does (the tests may run as root, who writes anywhere)
    monkeypatch.setattr(IndexStore, "write_lock", _unwritable)

    code, out, err = run(capsys, "sync", str(bob.root), "--index-dir", str(index_dir))
    assert code == 0 and out == ""
    home = IndexStore(bob.kb.root, index_dir).home
    assert (f"kbstudio: warning: the search index was not updated: cannot write the search index in {home}: "
            f"Permission denied ({home / LOCK_FILE}); choose another folder with --index-dir or "
            f"KBSTUDIO_INDEX_DIR; 'kbstudio index {bob.kb.root}' updates it later") in err.splitlines()
    assert "Try the other tray." in bob.read("articles/doc-2.md")          # the pull itself happened
    code, out, _ = run(capsys, "sync", str(bob.root), "--index-dir", str(index_dir), "--json")
    assert code == 0 and json.loads(out)["status"] == "ok"


def test_sync_warns_and_exits_0_when_another_process_holds_the_index_lock(
        alice: Side, bob: Side, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "idx"
    indexed(bob, index_dir).close()
    alice.edit("articles/doc-3.md", "Try again.", "Try the other port.")
    alice.commit()
    alice.sync()
    monkeypatch.setattr(cli_git, "SearchService", functools.partial(SearchService, lock_timeout=0.2))
    home = IndexStore(bob.kb.root, index_dir).home
    with open(home / LOCK_FILE, "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        code, out, err = run(capsys, "sync", str(bob.root), "--index-dir", str(index_dir))
    assert code == 0 and out == ""
    assert (f"kbstudio: warning: the search index was not updated: the search index of {bob.kb.root} is "
            f"being written by another process; gave up after 0 s; 'kbstudio index {bob.kb.root}' updates "
            "it later") in err.splitlines()
    assert "Try the other port." in bob.read("articles/doc-3.md")
