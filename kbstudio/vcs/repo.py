"""A KB's git repository: finding or creating it, paths between KB and repository, the author."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kbstudio.changes import KBChange
from kbstudio.kb import RETIRED_IDS_FILE, STATE_FOLDER, KnowledgeBase
from kbstudio.names import nfc, spellings
from kbstudio.templates import TEMPLATE_FOLDER
from kbstudio.vcs.runner import GitError, GitRunner
from kbstudio.vcs.safety import check_identity_value

# Local files that must never be committed: temporary files of atomic saves and app-local state.
IGNORED = ("*.kbtmp", f"/{STATE_FOLDER}/local/")
# retired-ids is shared so no teammate reuses a deleted id; both sides only append, so merge as a union.
ATTRIBUTES = (f"/{STATE_FOLDER}/{RETIRED_IDS_FILE} merge=union",)
ConfigLevel = Literal["global", "repository"]


class NotARepositoryError(GitError):
    """The KB is not inside a git work tree."""


class IdentityMissingError(GitError):
    """git has no user.name or user.email to commit with."""


@dataclass(frozen=True)
class Identity:
    """The author commits are made with."""

    name: str
    email: str


def is_document(kb_rel: str) -> bool:
    """Return True when a KB-relative path is a document (same rules as KnowledgeBase.iter_paths)."""
    parts = kb_rel.split("/")
    if not kb_rel.endswith(".md") or any(part.startswith(".") for part in parts):
        return False
    return not (len(parts) > 1 and parts[0] == TEMPLATE_FOLDER)


class KBRepo:
    """The git work tree that holds a KB, which may be a folder inside it."""

    def __init__(self, kb: KnowledgeBase, runner: GitRunner | None = None) -> None:
        self.kb = kb
        runner = runner or GitRunner(kb.root)   # one runner family: one policy cache (programs.py)
        top = _toplevel(kb.root, runner)
        if top is None:
            raise NotARepositoryError(f"{kb.root} is not inside a git work tree")
        self.worktree = top
        self.git = runner.at(top)
        prefix = kb.root.relative_to(top).as_posix()
        self.prefix = "" if prefix == "." else prefix + "/"

    @classmethod
    def find(cls, kb: KnowledgeBase, runner: GitRunner | None = None) -> KBRepo | None:
        """Return the KB's repository, or None when the KB is not versioned."""
        try:
            return cls(kb, runner)
        except NotARepositoryError:
            return None

    @classmethod
    def init(cls, kb: KnowledgeBase, runner: GitRunner | None = None) -> KBRepo:
        """Run ``git init`` in the KB folder (when it is not versioned yet) and write its ignore files."""
        existing = cls.find(kb, runner)
        if existing is not None:
            existing.write_ignore_files()
            return existing
        (runner or GitRunner(kb.root)).at(kb.root)("init", "-q")
        repo = cls(kb, runner)
        repo.write_ignore_files()
        return repo

    @property
    def kb_pathspec(self) -> str:
        """Return a pathspec for the whole KB, relative to the work tree."""
        return f":(top,literal){self.prefix.rstrip('/')}" if self.prefix else ":/"

    def to_repo(self, kb_rel: str) -> str:
        """Return a KB-relative path relative to the work tree."""
        return self.prefix + kb_rel

    def to_kb(self, repo_rel: str) -> str | None:
        """Return a work-tree path relative to the KB, or None when it lies outside the KB."""
        if self.prefix and not repo_rel.startswith(self.prefix):
            return None
        return repo_rel[len(self.prefix):]

    def literal(self, kb_rel: str) -> str:
        """Return a pathspec naming exactly one KB file (no globbing of odd file names)."""
        return f":(top,literal){self.to_repo(kb_rel)}"

    def git_spelling(self, kb_rel: str) -> str:
        """Return ``kb_rel`` spelled as git stores it, whichever Unicode normalisation form it came in.

        git keeps a path's bytes as committed (on macOS, with ``core.precomposeUnicode`` true, it
        turns decomposed names into NFC first; on Linux it never does), so a path typed NFC names
        nothing in a history committed NFD. Tried in turn: the spelling on disk, as given, NFC and
        NFD, first in the index, then in history; then every tracked path compared in NFC (a folder
        in one form and the file in another). An ASCII path has one spelling and costs nothing.
        """
        if kb_rel.isascii():
            return kb_rel
        disk = self.kb.disk_rel(kb_rel)
        forms = [disk, *(form for form in spellings(kb_rel) if form != disk)]
        for form in forms:
            if self.git("ls-files", "-z", "--", self.literal(form)).stdout.strip("\0"):
                return form
        if self.head() is not None:
            for form in forms:
                if self.git("log", "-1", "--format=%H", "--", self.literal(form)).stdout.strip():
                    return form
        wanted = nfc(kb_rel)
        tracked = self.git("ls-files", "-z", "--", self.kb_pathspec).stdout.split("\0")
        return next((path for path in self.kb_paths(tracked) if nfc(path) == wanted), kb_rel)

    @property
    def git_dir(self) -> Path:
        """Return the .git folder."""
        out = self.git("rev-parse", "--absolute-git-dir").stdout.strip()
        return Path(out)

    def write_ignore_files(self) -> list[str]:
        """Add the KB's .gitignore and .gitattributes lines that are missing; return changed KB paths."""
        changed = []
        for name, lines in ((".gitignore", IGNORED), (".gitattributes", ATTRIBUTES)):
            path = self.kb.root / name
            text = path.read_text("utf-8") if path.is_file() else ""
            missing = [line for line in lines if line not in text.splitlines()]
            if missing:
                if text and not text.endswith("\n"):
                    text += "\n"
                path.write_text(text + "\n".join(missing) + "\n", encoding="utf-8")
                changed.append(name)
        return changed

    def identity(self) -> Identity | None:
        """Return the author git would commit as (environment, then config), or None when unset."""
        name = os.environ.get("GIT_AUTHOR_NAME") or self._config("user.name")
        email = os.environ.get("GIT_AUTHOR_EMAIL") or self._config("user.email")
        return Identity(name, email) if name and email else None

    def set_identity(self, name: str, email: str, level: ConfigLevel = "global") -> Identity:
        """Store user.name and user.email (``git config``, through the runner) after checking them."""
        identity = Identity(check_identity_value(name, "name"), check_identity_value(email, "email"))
        scope = "--global" if level == "global" else "--local"
        self.git("config", scope, "--", "user.name", identity.name)
        self.git("config", scope, "--", "user.email", identity.email)
        return identity

    def require_identity(self) -> Identity:
        """Return the author, or raise IdentityMissingError saying how to set it."""
        identity = self.identity()
        if identity is None:
            raise IdentityMissingError(
                "git does not know who you are: set your name and email first (git config --global "
                "user.name \"Your Name\"; git config --global user.email you@example.com)")
        return identity

    def _config(self, key: str) -> str | None:
        out = self.git("config", "--get", key, check=False)
        return out.stdout.strip() or None if out.returncode == 0 else None

    def head(self) -> str | None:
        """Return the current commit, or None in a repository with no commits yet."""
        out = self.git("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
        return out.stdout.strip() or None

    def branch(self) -> str | None:
        """Return the current branch name, or None on a detached HEAD."""
        out = self.git("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return out.stdout.strip() or None

    def merging(self) -> bool:
        """Return True while a merge waits for its conflicts to be resolved."""
        return (self.git_dir / "MERGE_HEAD").is_file()

    def changed_between(self, old: str | None, new: str = "HEAD") -> list[str]:
        """Return KB-relative paths that differ between two commits (both sides of a rename)."""
        if old is None:
            out = self.git("ls-tree", "-r", "--name-only", "-z", new, "--", self.kb_pathspec)
        else:
            out = self.git("diff", "--name-only", "--no-renames", "-z", old, new, "--", self.kb_pathspec)
        return self.kb_paths(out.stdout.split("\0"))

    def change_between(self, old: str | None, new: str = "HEAD") -> KBChange:
        """Return what differs between two commits as a record (renames paired, ``head`` set).

        ``old`` None (no commit before) lists every KB file of ``new`` as added.
        """
        if old is None:
            return KBChange.of(added=self.changed_between(None, new), head=True)
        out = self.git("diff", "--name-status", "-z", "-M", old, new, "--", self.kb_pathspec).stdout
        return self._status_change(out, head=True)

    def worktree_change(self) -> KBChange:
        """Return how the KB's files on disk differ from HEAD (what a stopped merge wrote) as a record."""
        if self.head() is None:
            return KBChange()
        out = self.git("diff", "--name-status", "-z", "-M", "HEAD", "--", self.kb_pathspec).stdout
        return self._status_change(out)

    def _status_change(self, out: str, **flags: bool) -> KBChange:
        """Return the record of ``git diff --name-status -z`` output (A, M, T, D, R and C entries)."""
        entries = out.split("\0")
        added, changed, removed, renamed = [], [], [], []
        index = 0
        while index < len(entries) - 1:
            code, first = entries[index], entries[index + 1]
            state, index = code[:1], index + 2
            second = None
            if state in ("R", "C"):
                second, index = entries[index], index + 1
            old, new = self.to_kb(first), self.to_kb(second) if second is not None else None
            if state == "R" and old is not None and new is not None:
                renamed.append((old, new))
                if code != "R100":   # R085: moved and edited (85 % alike)
                    changed.append(new)
            elif state in ("R", "C"):
                if state == "R" and old is not None:
                    removed.append(old)
                if new is not None:
                    added.append(new)
            elif old is not None:
                {"A": added, "D": removed}.get(state, changed).append(old)
        return KBChange.of(added, changed, removed, renamed, **flags)

    def kb_paths(self, repo_paths: list[str]) -> list[str]:
        """Map work-tree paths to KB paths, dropping empty ones and those outside the KB."""
        mapped = (self.to_kb(path) for path in repo_paths if path)
        return sorted({path for path in mapped if path})

    def show(self, rev: str, kb_rel: str) -> str | None:
        """Return a file's text at a commit or index stage (``:2``), or None when it is not there."""
        out = self.git("cat-file", "blob", f"{rev}:{self.to_repo(kb_rel)}", check=False)
        return out.stdout if out.returncode == 0 else None


def _toplevel(folder: Path, runner: GitRunner | None) -> Path | None:
    out = (runner or GitRunner(folder)).at(folder)("rev-parse", "--show-toplevel", check=False)
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip()).resolve()
