"""Shared fixtures: real folders of real documents."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT = PROJECT_ROOT / "content"
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "officedocs-support"


@dataclass(frozen=True)
class UserFolders:
    """The private user folders every test runs with (``isolated_user``): all inside ``home``."""

    home: Path        # HOME; its .gitconfig is git's global config
    config: Path      # KBSTUDIO_CONFIG_DIR: settings.ini, allowed git programs, deletion-guard limits
    state: Path       # KBSTUDIO_STATE_DIR: the log, recovery copies, open tabs
    index: Path       # KBSTUDIO_INDEX_DIR: search indexes
    documents: Path   # KBSTUDIO_DOCUMENTS_DIR: where the demo is copied on first run


GIT_AUTHOR = ("Test Author", "test@example.com")   # who tests commit as


@pytest.fixture(autouse=True)
def isolated_user(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> UserFolders:
    """Give every test its own HOME, XDG folders, KB Studio folders and git config, never the user's.

    git reads only the private ``~/.gitconfig`` (no system config) and commits as ``GIT_AUTHOR``
    through the environment, so a test that removes those variables sees no identity at all.
    Qt's settings paths are moved too, by the autouse fixture of tests/ui/conftest.py.
    """
    # kbstudio reads the KBSTUDIO_* variables (recovery, logs, demo, index/store, vcs/trust,
    # ui/settings), platformdirs the XDG ones and HOME, git HOME and GIT_CONFIG_*, Path.home() HOME.
    home = tmp_path_factory.mktemp("home")
    folders = UserFolders(home, home / ".config" / "kbstudio", home / ".local" / "state" / "kbstudio",
                          home / ".cache" / "kbstudio" / "indexes", home / "Documents")
    for name, value in (("HOME", home), ("XDG_CONFIG_HOME", home / ".config"),
                        ("XDG_DATA_HOME", home / ".local" / "share"),
                        ("XDG_STATE_HOME", home / ".local" / "state"), ("XDG_CACHE_HOME", home / ".cache"),
                        ("KBSTUDIO_CONFIG_DIR", folders.config), ("KBSTUDIO_STATE_DIR", folders.state),
                        ("KBSTUDIO_INDEX_DIR", folders.index), ("KBSTUDIO_DOCUMENTS_DIR", folders.documents),
                        ("GIT_CONFIG_GLOBAL", home / ".gitconfig")):
        monkeypatch.setenv(name, str(value))
    folders.state.mkdir(parents=True)   # as a used home has it (tests write next to the log)
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
                                     "utf-8")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", GIT_AUTHOR[0])
        monkeypatch.setenv(f"GIT_{role}_EMAIL", GIT_AUTHOR[1])
    return folders


@pytest.fixture(autouse=True)
def isolated_log(isolated_user: UserFolders, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test's state folder (log file, recovery copies) is its own; a test that starts logging
    (``kbstudio.cli.main``) leaves no handler or exception hook behind."""
    from kbstudio.logs import stop_logging

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield isolated_user.state
    stop_logging()


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """Write a file below ``root``, creating folders; return its path."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


ARTICLE = """---
id: KB-0001
title: Reset a password
kind: article
tier: L1
status: published
tags: [accounts, password]
---

# Reset a password

## Issue

The caller forgot their password.
"""


@pytest.fixture()
def kb_root(tmp_path: Path) -> Path:
    """A small KB folder with one good article."""
    root = tmp_path / "kb"
    write(root, "articles/reset.md", ARTICLE)
    return root


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled demo KB."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture()
def corpus() -> Path:
    """The shared real-world corpus (read-only), or skip when it is not beside the project."""
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not available")
    return CORPUS
