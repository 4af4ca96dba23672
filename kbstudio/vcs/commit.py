"""Committing saved documents: what changed, refusing conflict markers, and the commit itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kbstudio.changes import KBChange
from kbstudio.disk_state import stamp
from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import GitError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_OPEN = re.compile(r"^(<{7}|>{7}|\|{7})(?: |$)", re.MULTILINE)
_MIDDLE = re.compile(r"^={7}$", re.MULTILINE)


class ConflictMarkersError(GitError):
    """Files still hold conflict markers, so they are not committed."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__("conflict markers remain in " + ", ".join(paths)
                         + ": resolve them (keep mine, keep theirs or edit) before committing")
        self.paths = paths


@dataclass(frozen=True)
class FileStatus:
    """One changed file of the KB: its path and a one-letter state (M, A, D, R, ?, U)."""

    path: str
    state: str
    old_path: str | None = None


@dataclass
class CommitResult:
    """What a commit changed; ``sha`` is None when there was nothing to commit."""

    sha: str | None
    message: str
    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # documents the KB's review policy sent back to review
    change: KBChange = KBChange()                     # HEAD moved; documents the policy rewrote on disk

    @property
    def committed(self) -> bool:
        """Return True when a commit was made."""
        return self.sha is not None


def has_conflict_markers(text: str) -> bool:
    """Return True when ``text`` holds git conflict markers at the start of a line.

    A lone ``=======`` line is a Markdown heading underline, so it only counts beside another marker.
    """
    return bool(_OPEN.search(text))


def marker_lines(text: str) -> list[int]:
    """Return the 1-based line numbers of conflict markers in ``text``."""
    if not has_conflict_markers(text):
        return []
    lines = text.splitlines()
    return [n for n, line in enumerate(lines, 1) if _OPEN.match(line) or _MIDDLE.match(line)]


def files_with_markers(root: Path, rel_paths: list[str]) -> list[str]:
    """Return those of ``rel_paths`` (below ``root``) whose text holds conflict markers."""
    found = []
    for rel in rel_paths:
        try:
            text = (root / rel).read_text("utf-8", errors="replace")
        except (FileNotFoundError, IsADirectoryError):
            continue
        if has_conflict_markers(text):
            found.append(rel)
    return found


def suggest_message(changes: list[FileStatus]) -> str:
    """Return a commit message describing ``changes``, for commits made automatically after saving."""
    verbs = {"A": "Add", "?": "Add", "D": "Delete", "R": "Rename"}
    if len(changes) == 1:
        change = changes[0]
        return f"{verbs.get(change.state, 'Update')} {change.path}"
    return f"Update {len(changes)} documents: " + ", ".join(change.path for change in changes[:3]) + (
        ", ..." if len(changes) > 3 else "")


class Committer:
    """Stages and commits the KB's saved files."""

    def __init__(self, repo: KBRepo) -> None:
        self.repo = repo

    def status(self) -> list[FileStatus]:
        """Return the KB's files that differ from the last commit, untracked ones included."""
        out = self.repo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
                            self.repo.kb_pathspec).stdout
        entries = out.split("\0")
        result: list[FileStatus] = []
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if len(entry) < 4:
                continue
            xy, repo_path = entry[:2], entry[3:]
            old = None
            if "R" in xy or "C" in xy:
                old = self.repo.to_kb(entries[index])
                index += 1
            state = "U" if "U" in xy or xy in ("AA", "DD") else next(
                (c for c in (xy[0], xy[1]) if c not in " "), "?")
            path = self.repo.to_kb(repo_path)
            if path is not None:
                result.append(FileStatus(path, state, old))
        return result

    def commit(self, message: str, paths: list[str] | None = None, review_policy: bool = True,
               leave_out: Callable[[str], bool] | None = None) -> CommitResult:
        """Commit ``paths`` (KB-relative; default every change in the KB) with ``message``.

        ``leave_out`` (KB path -> True to skip) narrows the default "every change": the caller's
        layer says which files are not documents (the knowledge loop's records, which Sync commits
        on their own, ``kbstudio.loop.gitsync.loop_folder_of``); files named in ``paths`` are
        always committed.

        With ``review_policy`` (the default), the KB's review policy may first send edited published
        documents back to review (``published_edits: review`` in ``.kbstudio/review.yaml``); the
        result's ``notes`` say which.
        """
        message = message.strip()
        if not message:
            raise GitError("a commit message is required")
        self.repo.require_identity()
        if self.repo.merging():
            raise GitError("a merge is in progress: resolve its conflicts to finish it")
        if not paths and leave_out is not None:
            wanted = [path for entry in self.status() for path in (entry.path, entry.old_path)
                      if path is not None and not leave_out(path)]
            if not wanted:
                return CommitResult(None, message)
            paths = sorted(set(wanted))
        specs = [self.repo.literal(p) for p in paths] if paths else [self.repo.kb_pathspec]
        self.repo.git("add", "-A", "--", *specs)
        staged = self.staged()
        marked = files_with_markers(self.repo.kb.root, staged)
        if marked:
            self.repo.git("reset", "-q", "--", *[self.repo.literal(p) for p in marked], check=False)
            raise ConflictMarkersError(marked)
        if not staged:
            return CommitResult(None, message)
        notes: list[str] = []
        rewritten: list[str] = []
        if review_policy:
            from kbstudio.review.policy import back_to_review  # the review layer builds on this one

            before = {rel: stamp(self.repo.kb.root / rel) for rel in staged}
            notes = back_to_review(self.repo, staged)
            rewritten = [rel for rel, found in before.items() if stamp(self.repo.kb.root / rel) != found]
        self.repo.git("commit", "-q", "-F", "-", "--", *specs, input=message + "\n")
        change = KBChange.of(changed=rewritten, head=True, review=bool(notes))
        return CommitResult(self.repo.head(), message, staged, notes, change)

    def staged(self) -> list[str]:
        """Return KB paths staged for the next commit."""
        cached = ["--cached"] if self.repo.head() else ["--cached", EMPTY_TREE]
        out = self.repo.git("diff", *cached, "--name-only", "--no-renames", "-z", "--",
                            self.repo.kb_pathspec).stdout
        return self.repo.kb_paths(out.split("\0"))
