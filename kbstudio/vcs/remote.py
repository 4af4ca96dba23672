"""Talking to the remote: fetch, push (with git's reason for a rejection), ahead/behind, clone."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import (
    Cancelled,
    GitCancelled,
    GitError,
    GitRunner,
    GitTimeout,
    Progress,
    last_message,
    never,
)
from kbstudio.vcs.safety import UnsafeInputError, check_ref, check_url, redact


class PushInfo:
    """The flag values of GitPython's ``git.remote.PushInfo``, without importing GitPython.

    Importing GitPython runs ``git version``; every git call goes through GitRunner instead.
    """

    NEW_TAG, NEW_HEAD, NO_MATCH, REJECTED, REMOTE_REJECTED, REMOTE_FAILURE = 1, 2, 4, 8, 16, 32
    DELETED, FORCED_UPDATE, FAST_FORWARD, UP_TO_DATE, ERROR = 64, 128, 256, 512, 1024


FailureKind = Literal["auth", "network", "timeout", "cancelled", "rejected", "unsafe", "other"]
FAILED = PushInfo.REJECTED | PushInfo.REMOTE_REJECTED | PushInfo.REMOTE_FAILURE | PushInfo.ERROR
_PUSH_FLAGS = {" ": PushInfo.FAST_FORWARD, "+": PushInfo.FORCED_UPDATE, "-": PushInfo.DELETED,
               "*": 0, "=": PushInfo.UP_TO_DATE, "!": PushInfo.ERROR}
_AUTH = re.compile(r"Authentication failed|could not read (Username|Password)|terminal prompts disabled|"
                   r"Permission denied \(|HTTP Basic: Access denied|returned error: 40[13]|"
                   r"Invalid username or password|publickey", re.IGNORECASE)
_NETWORK = re.compile(r"Could not resolve host|Connection refused|Connection timed out|unable to access|"
                      r"Network is unreachable|Could not read from remote repository|"
                      r"does not appear to be a git repository|unable to connect|Connection reset|"
                      r"repository .* (not found|does not exist)", re.IGNORECASE)
AUTH_HELP = ("KB Studio never asks for or stores passwords. For an HTTPS remote, set up a git "
             "credential helper (for example 'git config --global credential.helper store', or your "
             "system's keychain or Git Credential Manager) and run 'git fetch' once in a terminal to save "
             "your token; for an SSH remote, add your key to ssh-agent ('ssh-add') and check that "
             "'ssh -T' works without a prompt.")


class RemoteError(GitError):
    """A remote, network or authentication failure, with a kind and a hint for the user."""

    def __init__(self, message: str, kind: FailureKind, stderr: str = "") -> None:
        super().__init__(message, None, stderr)
        self.kind = kind


@dataclass(frozen=True)
class PushRef:
    """One ref of a push: the PushInfo flags and git's summary (the reason when rejected)."""

    flags: int
    local_ref: str
    remote_ref: str
    summary: str

    @property
    def failed(self) -> bool:
        """Return True when git refused this ref (rejected, remote rejected, remote failure, error)."""
        return bool(self.flags & FAILED)


@dataclass
class PushResult:
    """The outcome of a push, ref by ref."""

    refs: list[PushRef] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when no ref was refused."""
        return not any(ref.failed for ref in self.refs)

    @property
    def reason(self) -> str:
        """Return git's reasons for the refused refs."""
        return "; ".join(f"{ref.remote_ref}: {ref.summary}" for ref in self.refs if ref.failed)


def classify(error: GitError, url: str = "") -> RemoteError:
    """Turn a failed network command into a RemoteError with a message a user can act on."""
    where = f" ({redact(url)})" if url else ""
    if isinstance(error, RemoteError):
        return error
    if isinstance(error, GitTimeout):
        return RemoteError(f"the remote{where} did not answer in time: {error}", "timeout", error.stderr)
    if isinstance(error, GitCancelled):
        return RemoteError("cancelled", "cancelled", error.stderr)
    text = error.stderr or str(error)
    if _AUTH.search(text):
        return RemoteError(f"authentication failed for the remote{where}. {AUTH_HELP}", "auth", text)
    if _NETWORK.search(text):
        return RemoteError(f"cannot reach the remote{where}: {last_message(text) or error}", "network", text)
    return RemoteError(f"the remote{where} failed: {error}", "other", text)


def parse_push(stdout: str) -> PushResult:
    """Parse ``git push --porcelain`` output into PushRefs with PushInfo flags."""
    result = PushResult()
    for line in stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or len(parts[0]) != 1 or parts[0] not in _PUSH_FLAGS:
            continue
        flag, refs, summary = parts
        local, _, remote = refs.partition(":")
        flags = _PUSH_FLAGS[flag]
        if "[rejected]" in summary:
            flags |= PushInfo.REJECTED
        elif "[remote rejected]" in summary:
            flags |= PushInfo.REMOTE_REJECTED
        elif "[remote failure]" in summary:
            flags |= PushInfo.REMOTE_FAILURE
        elif "[new branch]" in summary:
            flags |= PushInfo.NEW_HEAD
        result.refs.append(PushRef(flags, local, remote, summary.strip()))
    return result


class Remote:
    """The KB repository's remote for its current branch."""

    def __init__(self, repo: KBRepo, timeout: float = 60.0) -> None:
        self.repo = repo
        self.timeout = timeout

    def name(self) -> str | None:
        """Return the remote the branch tracks, else ``origin`` when it exists, else None."""
        branch = self.repo.branch()
        if branch:
            tracked = self.repo.git("config", "--get", f"branch.{branch}.remote", check=False).stdout.strip()
            if tracked and tracked != ".":
                return check_ref(tracked)
        names = self.repo.git("remote").stdout.split()
        return "origin" if "origin" in names else (names[0] if len(names) == 1 else None)

    def url(self) -> str:
        """Return the remote's URL after the safety checks; raise RemoteError for an unsafe one.

        Every fetch and push URL is checked as git will use it, after ``url.*.insteadOf`` and
        ``pushInsteadOf`` rewrote it (a repository's config could rewrite a URL to ``ext::``).
        """
        name = self._require_name()
        urls = [self.repo.git("remote", "get-url", *extra, "--", name).stdout.split("\n")
                for extra in (["--all"], ["--push", "--all"])]
        try:
            checked = [check_url(url) for url in (*urls[0], *urls[1]) if url.strip()]
        except UnsafeInputError as error:
            raise RemoteError(str(error), "unsafe") from None
        if not checked:
            raise RemoteError(f"the remote {name!r} has no URL", "other")
        return checked[0]

    def upstream(self) -> str | None:
        """Return the remote-tracking ref to merge (``refs/remotes/origin/main``), when it exists."""
        name, branch = self.name(), self.repo.branch()
        if not name or not branch:
            return None
        merge = self.repo.git("config", "--get", f"branch.{branch}.merge", check=False).stdout.strip()
        remote_branch = merge.removeprefix("refs/heads/") if merge else branch
        ref = f"refs/remotes/{name}/{check_ref(remote_branch)}"
        out = self.repo.git("rev-parse", "--verify", "-q", ref, check=False)
        return ref if out.returncode == 0 else None

    def fetch(self, progress: Progress | None = None, cancelled: Cancelled = never) -> None:
        """Fetch the remote's branches; raise RemoteError on failure."""
        name, url = self._require_name(), self.url()
        try:
            self.repo.git("fetch", "--progress", "--prune", "--no-recurse-submodules", "--", name,
                          timeout=self.timeout, progress=progress, cancelled=cancelled)
        except GitError as error:
            raise classify(error, url) from None

    def ahead_behind(self) -> tuple[int, int]:
        """Return how many commits the branch is ahead of and behind its upstream (as last fetched)."""
        upstream = self.upstream()
        if upstream is None:
            head = self.repo.head()
            return (int(self.repo.git("rev-list", "--count", "HEAD").stdout) if head else 0), 0
        out = self.repo.git("rev-list", "--left-right", "--count", f"HEAD...{upstream}").stdout.split()
        return int(out[0]), int(out[1])

    def push(self, progress: Progress | None = None, cancelled: Cancelled = never) -> PushResult:
        """Push the current branch; a refused ref comes back in the result, not as an exception."""
        name, url, branch = self._require_name(), self.url(), self.repo.branch()
        if not branch:
            raise GitError("not on a branch: nothing to push")
        args = ["push", "--porcelain", "--progress"]
        if self.upstream() is None:
            args.append("--set-upstream")
        try:
            out = self.repo.git(*args, "--", name, f"HEAD:refs/heads/{check_ref(branch)}", check=False,
                                timeout=self.timeout, progress=progress, cancelled=cancelled)
        except GitError as error:
            raise classify(error, url) from None
        result = parse_push(out.stdout)
        if not result.refs and out.returncode != 0:
            raise classify(GitError(last_message(out.stderr), out.returncode, out.stderr), url)
        return result

    def _require_name(self) -> str:
        name = self.name()
        if name is None:
            raise RemoteError("this repository has no remote to sync with (add one with 'git remote add "
                              "origin URL')", "other")
        return name


def clone(url: str, target: Path, runner: GitRunner | None = None, timeout: float = 600.0,
          progress: Progress | None = None, cancelled: Cancelled = never) -> Path:
    """Clone ``url`` into the new or empty folder ``target``; on failure nothing is left behind."""
    check_url(url)
    target = Path(target).resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GitError(f"{target} exists and is not an empty folder")
    created = not target.exists()
    git = (runner or GitRunner(target.parent)).at(target.parent if created else target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        git("clone", "--progress", "--no-recurse-submodules", "--", url, str(target),
            timeout=timeout, progress=progress, cancelled=cancelled)
    except GitError as error:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        raise classify(error, url) from None
    return target
