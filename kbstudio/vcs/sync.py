"""Pull (fetch, then merge) and push, stopping safely at conflicts, mass deletions and failures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from kbstudio.changes import KBChange
from kbstudio.vcs.commit import Committer
from kbstudio.vcs.conflicts import Conflicts, rename_notes
from kbstudio.vcs.guard import DeletionGuard, GuardCheck
from kbstudio.vcs.ids import Renumbered, renumber_after_merge
from kbstudio.vcs.remote import FailureKind, PushResult, Remote, RemoteError
from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import Cancelled, Progress, last_message, never

SyncStatus = Literal["ok", "conflicts", "needs_confirmation", "uncommitted", "remote_error",
                     "push_rejected", "error"]


@dataclass
class SyncResult:
    """What a pull, push or sync did; ``changed`` lists KB paths to re-index."""

    status: SyncStatus
    message: str = ""
    pulled: bool = False
    pushed: bool = False
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    auto_merged: list[str] = field(default_factory=list)
    renumbered: list[Renumbered] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)      # every document that would leave the KB
    guard: GuardCheck | None = None                         # ... how each leaves, and the limit
    uncommitted: list[str] = field(default_factory=list)
    ahead: int = 0
    behind: int = 0
    failure: FailureKind | None = None
    change: KBChange = KBChange()   # what the pull changed on disk (or the stopped merge wrote) and HEAD

    @property
    def ok(self) -> bool:
        """Return True when everything asked for was done."""
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        data = {key: value for key, value in self.__dict__.items()
                if key not in ("renumbered", "guard", "change")}
        data["change"] = self.change.to_json()
        data["renumbered"] = [change.to_json() for change in self.renumbered]
        data["deletion_guard"] = self.guard.to_json() if self.guard else None
        return data


@dataclass(frozen=True)
class RepoState:
    """What the status bar shows, without touching the network."""

    branch: str | None
    has_remote: bool
    ahead: int
    behind: int
    merging: bool
    uncommitted: int


class SyncService:
    """Pulls and pushes a KB repository.

    ``prepare`` runs before every pull and push (unless a merge waits for its conflicts): it
    commits what must travel with the sync, such as the knowledge loop's record files
    (``kbstudio.loop.gitsync.commit_before_sync``), and returns a note for the result, or None.
    """

    def __init__(self, repo: KBRepo, remote: Remote | None = None, conflicts: Conflicts | None = None,
                 committer: Committer | None = None,
                 prepare: Callable[[], str | None] | None = None,
                 leave_out: Callable[[str], bool] | None = None) -> None:
        self.repo = repo
        self.leave_out = leave_out   # KB path -> True: not counted as uncommitted (``prepare`` commits it)
        self.remote = remote or Remote(repo)
        self.committer = committer or Committer(repo)
        self.conflicts = conflicts or Conflicts(repo, self.committer)
        self.guard = DeletionGuard(repo)
        self.prepare = prepare

    def state(self) -> RepoState:
        """Return branch, ahead/behind (as of the last fetch), merge state and uncommitted count
        (files ``leave_out`` names, such as the knowledge loop's records, not counted)."""
        ahead, behind = self.remote.ahead_behind() if self.repo.head() else (0, 0)
        changed = [entry for entry in self.committer.status()
                   if self.leave_out is None or not self.leave_out(entry.path)]
        return RepoState(self.repo.branch(), self.remote.name() is not None, ahead, behind,
                         self.repo.merging(), len(changed))

    def sync(self, progress: Progress | None = None, cancelled: Cancelled = never,
             allow_mass_delete: bool = False) -> SyncResult:
        """Pull, then push when the pull finished cleanly."""
        result = self.pull(progress, cancelled, allow_mass_delete)
        if result.status != "ok":
            return result
        pushed = self.push(progress, cancelled)
        pushed.changed, pushed.pulled, pushed.change = result.changed, result.pulled, result.change
        pushed.auto_merged, pushed.renumbered, pushed.notes = (
            result.auto_merged, result.renumbered, [*result.notes, *pushed.notes])
        return pushed

    def _prepared(self) -> list[str]:
        """Run ``prepare`` (not while a merge waits); return its note as a list."""
        if self.prepare is None or self.repo.merging():
            return []
        note = self.prepare()
        return [note] if note else []

    def pull(self, progress: Progress | None = None, cancelled: Cancelled = never,
             allow_mass_delete: bool = False) -> SyncResult:
        """Fetch, then merge the upstream branch (never rebase); stop at conflicts or mass deletions."""
        prepared = self._prepared()
        result = self._pull(progress, cancelled, allow_mass_delete)
        result.notes[:0] = prepared
        if prepared:   # prepare committed: HEAD moved even when nothing was pulled
            result.change = result.change | KBChange(head=True)
        return result

    def _pull(self, progress: Progress | None, cancelled: Cancelled, allow_mass_delete: bool) -> SyncResult:
        blocked = self._blocked()
        if blocked is not None:
            return blocked
        try:
            self.remote.fetch(progress, cancelled)
        except RemoteError as error:
            return SyncResult("remote_error", str(error), failure=error.kind)
        upstream = self.remote.upstream()
        if upstream is None:
            return SyncResult("ok", "the remote has no copy of this branch yet")
        ahead, behind = self.remote.ahead_behind()
        if behind == 0:
            return SyncResult("ok", "already up to date", ahead=ahead)
        before = self.repo.head()
        if before is not None and not allow_mass_delete:
            check = self.guard.check(before, upstream)    # deletions, renames out, moves to hidden folders
            if check.stops:
                return SyncResult("needs_confirmation", check.message(), deletions=check.paths,
                                  guard=check, ahead=ahead, behind=behind)
        return self._merge(before, upstream, ahead, behind)

    def push(self, progress: Progress | None = None, cancelled: Cancelled = never) -> SyncResult:
        """Push the current branch; a rejection comes back with git's reason."""
        prepared = self._prepared()
        result = self._push(progress, cancelled)
        result.notes[:0] = prepared
        return result

    def _push(self, progress: Progress | None, cancelled: Cancelled) -> SyncResult:
        blocked = self._blocked(uncommitted_ok=True)
        if blocked is not None:
            return blocked
        if self.repo.head() is None:
            return SyncResult("ok", "nothing to push yet")
        try:
            result: PushResult = self.remote.push(progress, cancelled)
        except RemoteError as error:
            return SyncResult("remote_error", str(error), failure=error.kind)
        if not result.ok:
            return SyncResult("push_rejected", f"the remote refused the push: {result.reason}. "
                              "Pull first, then push again.", failure="rejected")
        ahead, behind = self.remote.ahead_behind()
        return SyncResult("ok", "pulled and pushed", pushed=True, ahead=ahead, behind=behind)

    def _blocked(self, uncommitted_ok: bool = False) -> SyncResult | None:
        if self.repo.merging():
            paths = self.conflicts.paths()
            return SyncResult("conflicts", "a merge waits for its conflicts to be resolved", conflicts=paths)
        if uncommitted_ok:
            return None
        out = self.repo.git("status", "--porcelain=v1", "-z", "--untracked-files=no").stdout
        dirty = [entry[3:] for entry in out.split("\0") if len(entry) > 3]
        if dirty:
            return SyncResult("uncommitted", "commit your changes before pulling: "
                              + ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else ""),
                              uncommitted=self.repo.kb_paths(dirty))
        return None

    def _merge(self, before: str | None, upstream: str, ahead: int, behind: int) -> SyncResult:
        name = upstream.removeprefix("refs/remotes/")
        # --no-commit: documents git merged cleanly line by line are merged again field by field first
        out = self.repo.git("merge", "--no-edit", "--no-commit", "--ff", "-m", f"Merge changes from {name}",
                            upstream, check=False)
        notes = []
        if before is not None:
            base = self.repo.git("merge-base", before, upstream, check=False).stdout.strip()
            notes = rename_notes(self.repo, base, before, upstream) if base else []
        if out.returncode != 0 and not self.repo.merging():
            return SyncResult("error", f"the merge did not start: {last_message(out.stderr)}")
        auto = [*self.conflicts.auto_merge(), *self.conflicts.recheck_clean()] if self.repo.merging() else []
        remaining = self.conflicts.paths()
        if remaining:
            return SyncResult("conflicts", f"{len(remaining)} documents have conflicts to resolve",
                              pulled=True, conflicts=remaining, auto_merged=auto, notes=notes,
                              ahead=ahead, behind=behind,
                              change=self.repo.worktree_change() | KBChange(head=True, review=True))
        renumbered: list[Renumbered] = []
        if self.repo.merging():
            outcome = self.conflicts.finish()
            renumbered = outcome.renumbered
        else:
            renumbered = renumber_after_merge(self.repo, "HEAD", self.committer)
        ahead, behind = self.remote.ahead_behind()
        change = self.repo.change_between(before) | KBChange(review=True)   # trailers may have come in
        return SyncResult("ok", "pulled", pulled=True, changed=self.repo.changed_between(before),
                          auto_merged=auto, renumbered=renumbered, notes=notes, ahead=ahead, behind=behind,
                          change=change)
