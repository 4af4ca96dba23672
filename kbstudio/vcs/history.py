"""A document's history: its versions (following renames), its text at a version, restoring one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kbstudio.changes import KBChange
from kbstudio.storage import atomic_write
from kbstudio.vcs.commit import CommitResult, Committer
from kbstudio.vcs.diff import FileDiff, diff_texts
from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import GitError
from kbstudio.vcs.safety import check_sha

_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%B"


@dataclass(frozen=True)
class Version:
    """One commit that changed a document, with the document's path in that commit."""

    sha: str
    author: str
    email: str
    date: datetime
    summary: str
    message: str
    path: str
    change: str
    parents: tuple[str, ...] = ()

    @property
    def merge(self) -> bool:
        """Return True for a merge commit: its text is the merge as resolved."""
        return len(self.parents) > 1

    @property
    def short(self) -> str:
        """Return the abbreviated commit id."""
        return self.sha[:8]

    def to_json(self) -> dict[str, Any]:
        """Return the version as a JSON-ready dict."""
        return {"sha": self.sha, "author": self.author, "email": self.email,
                "date": self.date.isoformat(), "summary": self.summary, "message": self.message,
                "path": self.path, "change": self.change, "merge": self.merge,
                "parents": list(self.parents)}


class History:
    """Reads and restores versions of the KB's documents."""

    def __init__(self, repo: KBRepo, committer: Committer | None = None) -> None:
        self.repo = repo
        self.committer = committer or Committer(repo)

    def versions(self, kb_rel: str, limit: int | None = None) -> list[Version]:
        """Return every commit that changed ``kb_rel``, newest first, following renames.

        Merge commits count when their text differs from their first parent's (the branch you were
        on): a merge that brought their changes in, or a conflict resolved by hand, is a version you
        can see and restore. (``git log --follow`` alone hides every merge.)

        ``kb_rel`` may be in another Unicode normalisation form than git stores it
        (``KBRepo.git_spelling``); each version's ``path`` is git's own spelling.
        """
        if self.repo.head() is None:
            return []
        kb_rel = self.repo.git_spelling(kb_rel)
        args = ["log", "--follow", "-z", "--name-status", "--diff-merges=first-parent", f"--format={_FORMAT}"]
        if limit:
            args.append(f"--max-count={int(limit)}")
        out = self.repo.git(*args, "--", self.repo.literal(kb_rel)).stdout
        return self._versions(out, kb_rel)

    def creation(self, kb_rel: str) -> Version | None:
        """Return the commit that first added ``kb_rel`` (git's spelling) on any branch, merges left out.

        Where ``versions`` walks the branch you were on, a document a teammate created reaches it
        through a merge, which ``--follow`` then takes for a copy of a similar file (the template):
        the merge would pass for the creation and its author for the creator. Renames are not
        followed here: the path is the one the document was created under.
        """
        if self.repo.head() is None:
            return None
        out = self.repo.git("log", "--no-merges", "--diff-filter=A", "-z", "--name-status",
                            f"--format={_FORMAT}", "--", self.repo.literal(kb_rel)).stdout
        found = self._versions(out, kb_rel)
        return found[-1] if found else None

    def _versions(self, out: str, kb_rel: str) -> list[Version]:
        """Return the versions of ``git log --name-status -z --format=_FORMAT`` output."""
        versions = []
        for record in out.split("\x1e"):
            if not record.strip("\0\n"):
                continue
            header, _, files = record.partition("\0")
            sha, parents, author, email, when, summary, message = header.split("\x1f", 6)
            tokens = [t for t in files.lstrip("\n").split("\0") if t]
            change = tokens[0][:1] if tokens else "M"
            path = tokens[-1] if tokens else self.repo.to_repo(kb_rel)
            versions.append(Version(sha, author, email, datetime.fromisoformat(when), summary,
                                    message.strip(), self.repo.to_kb(path) or path, change,
                                    tuple(parents.split())))
        return versions

    def text_at(self, sha: str, kb_rel: str) -> str:
        """Return the text of ``kb_rel`` (its path in that commit) at commit ``sha``."""
        text = self.repo.show(check_sha(sha), kb_rel)
        if text is None:
            raise GitError(f"{kb_rel} does not exist in commit {sha[:8]}")
        return text

    def version_text(self, version: Version) -> str:
        """Return a document's text at one of its versions (empty when that commit deleted it)."""
        if version.change == "D":
            return ""
        return self.text_at(version.sha, version.path)

    def diff(self, kb_rel: str, old: Version, new: Version | None = None) -> FileDiff:
        """Return the diff between two versions; ``new`` None means the document as saved now."""
        if new is None:
            path = self.repo.kb.locate(kb_rel) or self.repo.kb.root / kb_rel
            new_text = path.read_text("utf-8", errors="replace") if path.is_file() else ""
            new_label = f"{kb_rel} (saved)"
        else:
            new_text, new_label = self.version_text(new), f"{new.path} ({new.short})"
        return diff_texts(self.version_text(old), new_text, f"{old.path} ({old.short})", new_label)

    def restore(self, kb_rel: str, sha: str, message: str | None = None) -> CommitResult:
        """Put the text ``kb_rel`` had at ``sha`` back as a new commit; history is never rewritten.

        The result's ``change`` names the document (added when it had been deleted) and HEAD.
        """
        kb_rel = self.repo.git_spelling(kb_rel)   # the file git knows, not a second one spelled anew
        versions = {v.sha: v for v in self.versions(kb_rel)}
        full = next((s for s in versions if s.startswith(check_sha(sha))), None)
        if full is None:
            raise GitError(f"commit {sha[:8]} is not in the history of {kb_rel}")
        if versions[full].change == "D":
            raise GitError(f"commit {full[:8]} deleted {kb_rel}: restore an earlier version")
        text = self.version_text(versions[full])
        found = self.repo.kb.locate(kb_rel)
        target = found or self.repo.kb.root / kb_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, text.encode("utf-8", "surrogateescape"))
        summary = message or f"Restore {kb_rel} to the version of {full[:8]}"
        result = self.committer.commit(summary, [kb_rel])
        written = KBChange.of(changed=[kb_rel]) if found is not None else KBChange.of(added=[kb_rel])
        result.change = written | result.change
        return result
