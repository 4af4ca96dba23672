"""The demo KB is copied to the user's documents (a git repository of its own), never written in place."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

import pytest

from kbstudio.demo import (
    DEMO_FOLDER,
    ENV_DOCUMENTS_DIR,
    FIRST_COMMIT,
    bundled_demo,
    copy_demo,
    documents_dir,
    free_folder,
    is_bundled_demo,
)
from tests.conftest import CONTENT, write


def tree_digest(root: Path) -> dict[str, str]:
    """Return every file below ``root`` with the SHA-1 of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def test_the_demo_is_the_checkouts_content_folder() -> None:
    assert bundled_demo() == CONTENT.resolve()
    assert is_bundled_demo(CONTENT) and is_bundled_demo(CONTENT / "articles" / "..")
    assert not is_bundled_demo(CONTENT / "articles") and not is_bundled_demo(Path("/nonexistent"))


def test_documents_dir_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_DOCUMENTS_DIR, str(tmp_path / "docs"))
    assert documents_dir() == tmp_path / "docs"
    monkeypatch.delenv(ENV_DOCUMENTS_DIR)
    assert documents_dir() != tmp_path / "docs"


def test_a_copy_is_the_demo_as_shipped_with_one_commit(tmp_path: Path) -> None:
    before = tree_digest(CONTENT)
    copy = copy_demo(tmp_path / "Documents")
    assert copy.path == tmp_path / "Documents" / DEMO_FOLDER
    assert copy.versioned and copy.note == ""
    copied = tree_digest(copy.path)
    assert {k: v for k, v in copied.items() if not k.startswith(".git")} == before
    assert {".gitignore", ".gitattributes"} <= set(copied)   # the KB's ignore files, as Git > init writes
    assert git(copy.path, "log", "--format=%an|%s").splitlines() == [f"KB Studio|{FIRST_COMMIT}"]
    assert git(copy.path, "status", "--porcelain") == ""                # everything committed
    assert Path(git(copy.path, "rev-parse", "--show-toplevel").strip()) == copy.path.resolve()
    assert tree_digest(CONTENT) == before


def test_an_existing_folder_is_never_written_into(tmp_path: Path) -> None:
    documents = tmp_path / "Documents"
    mine = write(documents / DEMO_FOLDER, "notes.md", "my own notes\n")
    (documents / f"{DEMO_FOLDER} 2").write_text("a file, not a folder", "utf-8")
    copy = copy_demo(documents)
    assert copy.path == documents / f"{DEMO_FOLDER} 3"
    assert sorted(p.name for p in (documents / DEMO_FOLDER).iterdir()) == ["notes.md"]
    assert mine.read_text("utf-8") == "my own notes\n"
    assert (documents / f"{DEMO_FOLDER} 2").read_text("utf-8") == "a file, not a folder"
    assert free_folder(documents) == documents / f"{DEMO_FOLDER} 4"


def test_a_read_only_installed_demo_gives_a_writable_copy(tmp_path: Path) -> None:
    shipped = tmp_path / "site-packages" / "content"
    write(shipped, "articles/a.md", "---\nid: KB-0001\ntitle: A\n---\n# A\n")
    for path in [*shipped.rglob("*"), shipped]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        copy = copy_demo(tmp_path / "docs", source=shipped)
        for path in [copy.path, *copy.path.rglob("*")]:
            if ".git" not in path.relative_to(copy.path).parts:
                assert path.stat().st_mode & stat.S_IWUSR, path
    finally:
        for path in [shipped, *shipped.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_copy_inside_another_repository_gets_its_own(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    git(home, "init", "-q")
    copy = copy_demo(home / "Documents")
    assert copy.versioned
    assert Path(git(copy.path, "rev-parse", "--show-toplevel").strip()) == copy.path.resolve()
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=home, capture_output=True).returncode != 0


def test_without_git_the_copy_is_made_and_says_why_it_has_no_history(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    copy = copy_demo(tmp_path / "docs")
    assert not copy.versioned and "git is not installed" in copy.note
    assert (copy.path / "sops").is_dir() and not (copy.path / ".git").exists()


def test_no_demo_to_copy_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        copy_demo(tmp_path / "docs", source=tmp_path / "missing")
    assert not os.path.exists(tmp_path / "docs" / DEMO_FOLDER)
