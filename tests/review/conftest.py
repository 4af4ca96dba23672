"""Real git for the review tests: a versioned KB of a few documents, dated commits, a private git config."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.review import ReviewResult, approve
from kbstudio.review.trailers import check_person
from kbstudio.vcs.service import VersionControl
from tests.vcs.conftest import document, git

RITA = "Rita Reviewer <rita@example.com>"
OMAR = "Omar Other <omar@example.com>"
SEED_DATE = "2025-01-01T09:00:00+00:00"
AUTHOR = "Test Author <test@example.com>"     # who makes the commits unless a test says otherwise


@dataclass
class ReviewKB:
    """A versioned KB with helpers to edit, date and inspect commits."""

    root: Path
    monkeypatch: pytest.MonkeyPatch

    @property
    def kb(self) -> KnowledgeBase:
        """Return the KB."""
        return KnowledgeBase(self.root)

    @property
    def vcs(self) -> VersionControl:
        """Return fresh git services."""
        vcs = VersionControl.open(self.kb)
        assert vcs is not None
        return vcs

    def at(self, when: str) -> None:
        """Date the next commits (author and committer) at ``when`` (ISO 8601)."""
        for role in ("AUTHOR", "COMMITTER"):
            self.monkeypatch.setenv(f"GIT_{role}_DATE", when)

    def as_author(self, name: str, email: str) -> None:
        """Make the next commits as another person."""
        for role in ("AUTHOR", "COMMITTER"):
            self.monkeypatch.setenv(f"GIT_{role}_NAME", name)
            self.monkeypatch.setenv(f"GIT_{role}_EMAIL", email)

    def as_person(self, person: str) -> None:
        """Make the next commits as ``Name <email>``."""
        name, email = check_person(person)[:-1].split(" <")
        self.as_author(name, email)

    def approve(self, rel: str, reviewer: str, **options: Any) -> ReviewResult:
        """Approve as ``reviewer``, who also commits it (as in the app), then go back to the author."""
        self.as_person(reviewer)
        try:
            return approve(self.vcs, self.kb, rel, reviewer, **options)
        finally:
            self.as_person(AUTHOR)

    def read(self, rel: str) -> str:
        """Read a file as it is (no newline translation)."""
        return (self.root / rel).read_bytes().decode("utf-8")

    def write(self, rel: str, text: str) -> None:
        """Save a file."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace ``old`` by ``new`` in a file."""
        text = self.read(rel)
        assert old in text, (old, rel)
        self.write(rel, text.replace(old, new, 1))

    def commit(self, message: str) -> str:
        """Commit every change through the app's committer; return the sha."""
        result = self.vcs.committer.commit(message)
        assert result.sha
        return result.sha

    def git(self, *args: str) -> str:
        """Run git here."""
        return git(self.root, *args)

    def message(self, rev: str = "HEAD") -> str:
        """Return a commit's message exactly as stored."""
        return self.git("cat-file", "commit", rev).split("\n\n", 1)[1]

    def trailers(self, rev: str = "HEAD") -> str:
        """Return the trailers git itself finds in a commit's message (``git interpret-trailers --parse``)."""
        return subprocess.run(["git", "interpret-trailers", "--parse"], cwd=self.root, check=True,
                              capture_output=True, text=True, input=self.message(rev)).stdout


@pytest.fixture()
def review_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReviewKB:
    """Two drafts, one published article (review_by 2025-06-30) and one archived, committed on 2025-01-01."""
    root = tmp_path / "kb"
    root.mkdir()
    git(root, "init", "-q")
    side = ReviewKB(root, monkeypatch)
    side.write("articles/vpn.md", document("KB-0001", "Connect to the VPN"))
    side.write("articles/printer.md", document("KB-0002", "Clear a printer queue"))
    side.write("articles/password.md", document("KB-0003", "Reset a password", status="published")
               .replace("tags: [demo]\n", "tags: [demo]\nreview_by: 2025-06-30\n"))
    side.write("articles/old.md", document("KB-0004", "Use the old fax", status="archived"))
    side.at(SEED_DATE)
    side.commit("Seed the KB")
    return side
