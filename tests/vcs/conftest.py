"""Real git for the sync tests: a bare remote, two clones of a small KB, and a private git config."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.vcs.commit import CommitResult
from kbstudio.vcs.service import VersionControl
from kbstudio.vcs.sync import SyncResult
from tests.conftest import UserFolders

TITLES = ["Connect to the VPN", "Clear a printer queue", "Reset a password", "Fix Outlook prompts",
          "Join the Wi-Fi", "Map a shared drive", "Report phishing"]


def document(doc_id: str, title: str, tier: str = "L1", status: str = "draft", body: str = "") -> str:
    """Return a small KB document."""
    body = body or f"# {title}\n\n## Issue\n\nThe caller cannot {title.lower()}.\n\n## Resolution\n\n" \
        "1. Check the basics.\n2. Try again.\n3. Escalate when it still fails.\n"
    return (f"---\nid: {doc_id}\ntitle: {title}\nkind: article\ntier: {tier}\nstatus: {status}\n"
            f"tags: [demo]\n---\n\n{body}")


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` (test set-up only) and return its output."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@dataclass
class Side:
    """One teammate's clone of the KB."""

    root: Path

    @property
    def kb(self) -> KnowledgeBase:
        """Return the KB."""
        return KnowledgeBase(self.root)

    def vc(self, timeout: float = 20.0) -> VersionControl:
        """Return fresh git services for this clone."""
        vc = VersionControl.open(self.kb, network_timeout=timeout)
        assert vc is not None
        return vc

    def write(self, rel: str, text: str) -> None:
        """Save a file."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def read(self, rel: str) -> str:
        """Read a file."""
        return (self.root / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace ``old`` by ``new`` in a file."""
        text = self.read(rel)
        assert old in text, (old, rel)
        self.write(rel, text.replace(old, new, 1))

    def commit(self, message: str = "edit") -> CommitResult:
        """Commit every change."""
        return self.vc().committer.commit(message)

    def sync(self, **options: bool) -> SyncResult:
        """Pull and push."""
        return self.vc().sync.sync(**options)

    def git(self, *args: str) -> str:
        """Run git here."""
        return git(self.root, *args)

    def all_history_text(self) -> str:
        """Return every version of every file ever committed, reachable from any ref."""
        return self.git("log", "--all", "-p", "--full-history", "--no-color", "--format=%H %s")


@pytest.fixture()
def git_sandbox(isolated_user: UserFolders) -> Path:
    """The test's private home, whose ``.gitconfig`` is git's global config.

    The autouse ``isolated_user`` (tests/conftest.py) keeps git away from the user's own config
    and gives every test an author through the environment.
    """
    return isolated_user.home


@pytest.fixture()
def remote(tmp_path: Path) -> Path:
    """A bare remote holding a KB of eight documents."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(bare), str(seed))
    for number, title in enumerate(TITLES, 1):
        path = seed / "articles" / f"doc-{number}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(document(f"KB-{number:04d}", title), encoding="utf-8")
    (seed / "sops").mkdir()
    (seed / "sops" / "escalate.md").write_text(
        document("SOP-0001", "Escalate an outage").replace("kind: article", "kind: sop"), encoding="utf-8")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "Seed the KB")
    git(seed, "push", "-q", "origin", "HEAD:main")
    return bare


@pytest.fixture()
def alice(tmp_path: Path, remote: Path) -> Side:
    """The first teammate's clone."""
    git(tmp_path, "clone", "-q", str(remote), str(tmp_path / "alice"))
    return Side(tmp_path / "alice")


@pytest.fixture()
def bob(tmp_path: Path, remote: Path) -> Side:
    """The second teammate's clone."""
    git(tmp_path, "clone", "-q", str(remote), str(tmp_path / "bob"))
    return Side(tmp_path / "bob")
