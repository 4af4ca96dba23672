"""One object per versioned KB that bundles the git services the app and the CLI use."""

from __future__ import annotations

from pathlib import Path

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.gitsync import commit_before_sync, loop_folder_of
from kbstudio.vcs.commit import Committer
from kbstudio.vcs.conflicts import Conflicts
from kbstudio.vcs.history import History
from kbstudio.vcs.programs import Programs
from kbstudio.vcs.remote import Remote
from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import GitError, GitRunner
from kbstudio.vcs.sync import SyncService


class VersionControl:
    """Commit, history, sync and conflicts of one KB's repository; run its methods on one worker."""

    def __init__(self, repo: KBRepo, network_timeout: float = 60.0) -> None:
        self.repo = repo
        self.committer = Committer(repo)
        self.history = History(repo, self.committer)
        self.remote = Remote(repo, network_timeout)
        self.conflicts = Conflicts(repo, self.committer)
        # The knowledge loop's uses, flags and gaps are committed on their own before each sync.
        self.sync = SyncService(repo, self.remote, self.conflicts, self.committer,
                                prepare=lambda: commit_before_sync(repo),
                                leave_out=lambda path: loop_folder_of(path) is not None)

    @classmethod
    def open(cls, kb: KnowledgeBase, network_timeout: float = 60.0, runner: GitRunner | None = None
             ) -> VersionControl | None:
        """Return the services for ``kb``, or None when the KB is not inside a git work tree."""
        repo = KBRepo.find(kb, runner)
        return cls(repo, network_timeout) if repo is not None else None


def repository_programs(folder: Path, runner: GitRunner | None = None) -> Programs:
    """Return the programs the repository holding ``folder`` names and what KB Studio does with each.

    Also whether the user allowed them; works while the repository is refused, too.
    """
    return (runner or GitRunner(folder)).at(folder).programs()


def allow_repository_programs(folder: Path, allowed: bool = True, runner: GitRunner | None = None
                              ) -> Programs:
    """Allow (or stop allowing) the programs of the repository holding ``folder``, as they are now.

    The allowance goes to the user's own settings (kbstudio.vcs.trust), never into the KB.
    """
    git = (runner or GitRunner(folder)).at(folder)
    programs = git.programs()
    if programs.git_dir is None:
        raise GitError(f"{folder} is not inside a git repository")
    if allowed:
        git.trust.allow(programs.git_dir, programs.fingerprint)
    else:
        git.trust.revoke(programs.git_dir)
    git.forget_programs()
    return git.programs()
