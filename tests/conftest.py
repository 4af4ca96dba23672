"""Shared fixtures: real folders of real documents."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT = PROJECT_ROOT / "content"
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "officedocs-support"


@pytest.fixture(autouse=True)
def isolated_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own state folder (log file, recovery copies), never the user's; a test
    that starts logging (``kbstudio.cli.main``) leaves no handler or exception hook behind."""
    from kbstudio.logs import stop_logging

    state = tmp_path_factory.mktemp("user-state")
    monkeypatch.setenv("KBSTUDIO_STATE_DIR", str(state))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield state
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
