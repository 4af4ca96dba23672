"""One object per versioned KB that bundles the git services the app and the CLI use."""

from __future__ import annotations

from kbstudio.kb import KnowledgeBase
from kbstudio.vcs.commit import Committer
from kbstudio.vcs.conflicts import Conflicts
from kbstudio.vcs.history import History
from kbstudio.vcs.remote import Remote
from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import GitRunner
from kbstudio.vcs.sync import SyncService


class VersionControl:
    """Commit, history, sync and conflicts of one KB's repository; run its methods on one worker."""

    def __init__(self, repo: KBRepo, network_timeout: float = 60.0) -> None:
        self.repo = repo
        self.committer = Committer(repo)
        self.history = History(repo, self.committer)
        self.remote = Remote(repo, network_timeout)
        self.conflicts = Conflicts(repo, self.committer)
        self.sync = SyncService(repo, self.remote, self.conflicts, self.committer)

    @classmethod
    def open(cls, kb: KnowledgeBase, network_timeout: float = 60.0, runner: GitRunner | None = None
             ) -> VersionControl | None:
        """Return the services for ``kb``, or None when the KB is not inside a git work tree."""
        repo = KBRepo.find(kb, runner)
        return cls(repo, network_timeout) if repo is not None else None
