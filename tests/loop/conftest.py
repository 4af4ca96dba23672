"""Knowledge-loop fixtures: a KB copy of the demo and loops of two agents on their own devices."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.identity import Agent
from kbstudio.loop.service import KnowledgeLoop

# Real git for every loop test: the user's config kept away (autouse), a bare remote and two clones.
from tests.vcs.conftest import alice, bob, git, git_sandbox, remote  # noqa: F401 - fixtures

ANA = Agent("Ana López", "ana@example.com")
BEN = Agent("Ben Okafor", "ben@example.com")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
OUTLOOK = "articles/email/outlook-keeps-asking-for-password.md"   # KB-0019, L1, published


@pytest.fixture()
def kb(content_copy: Path) -> KnowledgeBase:
    """A writable copy of the demo KB (not versioned)."""
    return KnowledgeBase(content_copy)


@pytest.fixture()
def ana(kb: KnowledgeBase) -> KnowledgeLoop:
    """Ana's loop on her laptop."""
    return KnowledgeLoop(kb, agent=ANA, device="aaaa0001")


@pytest.fixture()
def ben(kb: KnowledgeBase) -> KnowledgeLoop:
    """Ben's loop on his desktop."""
    return KnowledgeLoop(kb, agent=BEN, device="bbbb0002")


# A versioned KB with a dated history, for the figures and the reminders ---------------------------

L1, L2 = Agent("Lia One", "lia@example.com"), Agent("Leo Two", "leo@example.com")
HISTORY_NOW = datetime(2025, 8, 1, 12, 0, tzinfo=UTC)           # a Friday


def _doc(doc_id: str, title: str, tier: str, status: str, kind: str = "article", extra: str = "") -> str:
    return (f"---\nid: {doc_id}\ntitle: {title}\nkind: {kind}\ntier: {tier}\nstatus: {status}\n"
            f"owner: Desk\n{extra}---\n\n# {title}\n\n## Issue\n\nIt fails.\n")


def _commit(root: Path, monkeypatch: pytest.MonkeyPatch, when: str, who: str, message: str) -> None:
    name, email = who.split(" <")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_DATE", when)
        monkeypatch.setenv(f"GIT_{role}_NAME", name)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", email.rstrip(">"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture()
def history_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    """A: draft 2025-01-01, published 2025-01-11; B published from the start; C draft; D published;
    an SOP; later edits by Omar and an approval by Rita inside the 90 days before NOW."""
    root = tmp_path / "kb"
    (root / "articles").mkdir(parents=True)
    (root / "sops").mkdir()
    git(root, "init", "-q")
    files = {"articles/a.md": _doc("KB-0001", "Alpha", "L1", "draft"),
             "articles/b.md": _doc("KB-0002", "Bravo", "L2", "published"),
             "articles/c.md": _doc("KB-0003", "Charlie", "L1", "draft"),
             "articles/d.md": _doc("KB-0004", "Delta", "L0", "published"),
             "articles/p.md": _doc("KB-0005", "Printer jam", "L1", "published",
                                   extra="from_search: jam printer\n"),
             "sops/s.md": _doc("SOP-0001", "Escalate", "L1", "published", kind="sop")}
    for rel, text in files.items():
        (root / rel).write_text(text, "utf-8")
    _commit(root, monkeypatch, "2025-01-01T09:00:00+00:00", "Test Author <test@example.com>", "Seed")
    (root / "articles/a.md").write_text(files["articles/a.md"].replace("draft", "published"), "utf-8")
    _commit(root, monkeypatch, "2025-01-11T09:00:00+00:00", "Test Author <test@example.com>",
            "Approve KB-0001\n\nReviewed-by: Rita Reviewer <rita@example.com>")
    (root / "articles/b.md").write_text(files["articles/b.md"] + "\nMore.\n", "utf-8")
    _commit(root, monkeypatch, "2025-07-01T09:00:00+00:00", "Omar Other <omar@example.com>", "Edit B")
    (root / "articles/d.md").write_text(files["articles/d.md"] + "\nChecked.\n", "utf-8")
    _commit(root, monkeypatch, "2025-07-15T09:00:00+00:00", "Test Author <test@example.com>",
            "Approve KB-0004\n\nReviewed-by: Rita Reviewer <rita@example.com>")
    return KnowledgeBase(root)
