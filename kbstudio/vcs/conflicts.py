"""Conflicts of an unfinished merge: listing them with base, mine and theirs, resolving, finishing."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from kbstudio.changes import KBChange
from kbstudio.names import same_name
from kbstudio.storage import atomic_write
from kbstudio.vcs.commit import Committer, ConflictMarkersError, files_with_markers, marker_lines
from kbstudio.vcs.fmmerge import (
    Discard,
    MergeChoiceError,
    MergeRecord,
    Part,
    Resolution,
    front_matter_fields,
    merge_record,
    with_merged_fields,
)
from kbstudio.vcs.ids import Renumbered, renumber_after_merge
from kbstudio.vcs.repo import KBRepo, is_document
from kbstudio.vcs.runner import GitError

ConflictKind = Literal["both_edited", "delete_vs_edit", "rename_vs_edit", "both_added", "both_renamed"]
Choice = Literal["mine", "theirs", "edited", "merged"]
KIND_TEXT = {
    "both_edited": "edited on both sides",
    "delete_vs_edit": "deleted on one side, edited on the other",
    "rename_vs_edit": "renamed on one side, edited on the other",
    "both_added": "added on both sides",
    "both_renamed": "renamed differently on both sides",
}


@dataclass(frozen=True)
class Conflict:
    """One conflicted document with the three texts (None where a side has no such file)."""

    path: str
    kind: ConflictKind
    base: str | None
    mine: str | None
    theirs: str | None
    renamed_from: str | None = None

    @property
    def deleted_by(self) -> str | None:
        """Return "mine" or "theirs" for the side that deleted the document."""
        if self.kind != "delete_vs_edit":
            return None
        return "mine" if self.mine is None else "theirs"

    @property
    def description(self) -> str:
        """Return a one-line description for the conflict list."""
        text = KIND_TEXT[self.kind]
        if self.deleted_by:
            text = f"deleted by {'you' if self.deleted_by == 'mine' else 'them'}, edited by the other side"
        return f"{self.path}: {text}" + (f" (was {self.renamed_from})" if self.renamed_from else "")

    def to_json(self) -> dict[str, str | None]:
        """Return the conflict as a JSON-ready dict (without the texts)."""
        return {"path": self.path, "kind": self.kind, "deleted_by": self.deleted_by,
                "renamed_from": self.renamed_from, "description": self.description}

    @cached_property
    def merge(self) -> MergeRecord | None:
        """Return the three-way merge, field by field and hunk by hunk, when both sides have the file."""
        if self.mine is None or self.theirs is None or self.kind in ("delete_vs_edit", "both_renamed"):
            return None
        return merge_record(self.base, self.mine, self.theirs)

    def text_for(self, choice: Choice, parts: Mapping[str, Resolution] | None = None) -> str | None:
        """Return the document's text for ``choice`` (None: the document is deleted).

        With a merge record, ``mine`` and ``theirs`` settle only the conflicts and keep what merged
        by itself (their new tag stays when you keep yours); ``parts`` choose conflict by conflict
        (``field:NAME``, ``hunk:N``) and override them; ``merged`` takes ``parts`` alone.
        """
        record = self.merge
        if record is None:
            if parts:
                raise MergeChoiceError(f"{self.path} has no fields or hunks to choose: "
                                       "keep one side of it")
            if choice == "merged":
                raise MergeChoiceError(f"{self.path}: choose mine or theirs")
            return self.mine if choice == "mine" else self.theirs
        choices: dict[str, Resolution] = dict(record.every(choice)) if choice in ("mine", "theirs") else {}
        choices.update(parts or {})
        return record.apply(choices)

    def discards(self, choice: Choice, parts: Mapping[str, Resolution] | None = None) -> list[Discard]:
        """Return what ``choice`` (and ``parts``) drop of the side not taken; ask before doing it."""
        record = self.merge
        if record is None:
            if choice not in ("mine", "theirs"):
                return []
            other = "theirs" if choice == "mine" else "mine"
            kept, dropped = (self.mine, self.theirs) if choice == "mine" else (self.theirs, self.mine)
            if dropped is None or kept == dropped:
                return []
            whole = Part("body", "file", "conflict", self.base or "", self.mine or "", self.theirs or "")
            return [Discard(whole, other, dropped, whole=True, deleted=kept is None)]
        choices: dict[str, Resolution] = dict(record.every(choice)) if choice in ("mine", "theirs") else {}
        choices.update(parts or {})
        return record.discards(choices)


@dataclass
class MergeOutcome:
    """What resolving changed: conflicts still open, or the merge commit and what it brought in."""

    remaining: list[str] = field(default_factory=list)
    merge_sha: str | None = None
    changed: list[str] = field(default_factory=list)
    renumbered: list[Renumbered] = field(default_factory=list)
    change: KBChange = KBChange()   # the documents written, and once finished what the merge brought in

    @property
    def finished(self) -> bool:
        """Return True when the merge commit was made."""
        return self.merge_sha is not None


class Conflicts:
    """Lists and resolves the conflicts of the KB repository's unfinished merge."""

    def __init__(self, repo: KBRepo, committer: Committer | None = None) -> None:
        self.repo = repo
        self.committer = committer or Committer(repo)

    def _stages(self) -> dict[str, set[int]]:
        out = self.repo.git("ls-files", "-u", "-z").stdout
        stages: dict[str, set[int]] = {}
        for entry in filter(None, out.split("\0")):
            info, _, path = entry.partition("\t")
            stages.setdefault(path, set()).add(int(info.split()[2]))
        return stages

    def paths(self) -> list[str]:
        """Return the KB paths that are still conflicted."""
        return self.repo.kb_paths(list(self._stages()))

    def list(self) -> list[Conflict]:
        """Return every conflicted document of the KB with its kind and three texts."""
        if not self.repo.merging():
            return []
        base = self.repo.git("merge-base", "HEAD", "MERGE_HEAD", check=False).stdout.strip()
        renames = {**_renames(self.repo, base, "HEAD"), **_renames(self.repo, base, "MERGE_HEAD")}
        conflicts = []
        for repo_path, stages in sorted(self._stages().items()):
            path = self.repo.to_kb(repo_path)
            if path is None:
                continue
            base_text, mine, theirs = (self.repo.show(f":{stage}", path) if stage in stages else None
                                       for stage in (1, 2, 3))
            in_base = bool(base) and self.repo.show(base, path) is not None
            renamed_from = renames.get(repo_path)
            renamed_from = self.repo.to_kb(renamed_from) if renamed_from else None
            conflicts.append(Conflict(path, _kind(stages, in_base), base_text, mine, theirs,
                                      renamed_from=renamed_from))
        return conflicts

    def find(self, path: str) -> Conflict:
        """Return the conflict of ``path`` (typed in either Unicode normalisation form)."""
        conflict = next((c for c in self.list() if same_name(c.path, path)), None)
        if conflict is None:
            raise GitError(f"{path} has no conflict to resolve")
        return conflict

    def auto_merge(self) -> builtins.list[str]:  # `list` in this class is the method above
        """Merge each conflicted document field by field and hunk by hunk; return those now resolved.

        A document with conflicts left gets the merge of everything else on disk, with markers
        only around its real conflicts (a field, or body lines), so their new tag is already there.
        """
        merged = []
        for conflict in self.list():
            if conflict.kind not in ("both_edited", "rename_vs_edit") or conflict.base is None:
                continue   # both added, renamed: git's own result stays until you choose
            record = conflict.merge
            if record is None:
                continue
            if record.clean:
                self._write(conflict.path, record.apply())
                merged.append(conflict.path)
            else:
                file = self.repo.kb.root / conflict.path
                atomic_write(file, record.marked().encode("utf-8", "surrogateescape"))
        return merged

    def recheck_clean(self) -> builtins.list[str]:
        """Merge field by field the documents both sides changed that git merged cleanly line by line.

        A clean line merge can still be wrong for front matter: both sides adding the same field
        on different lines leave it twice (the document cannot be read). Such a document gets the
        field-wise merge; when both set the field differently it becomes a conflict (the three
        versions back in the index, markers around the field). Returns the documents rewritten
        with a clean field merge. Run during a merge that was not committed yet (``--no-commit``).
        """
        if not self.repo.merging():
            return []
        base = self.repo.git("merge-base", "HEAD", "MERGE_HEAD", check=False).stdout.strip()
        if not base:
            return []
        sides = []
        for side in ("HEAD", "MERGE_HEAD"):
            out = self.repo.git("diff", "--name-only", "--no-renames", "-z", base, side, "--",
                                self.repo.kb_pathspec).stdout
            sides.append(set(filter(None, out.split("\0"))))
        fixed = []
        for repo_path in sorted((sides[0] & sides[1]) - set(self._stages())):
            path = self.repo.to_kb(repo_path)
            file = self.repo.kb.root / path if path else None
            if path is None or file is None or not is_document(path) or not file.is_file():
                continue
            old, ours, new = (self.repo.show(rev, path) for rev in (base, "HEAD", "MERGE_HEAD"))
            if old is None or ours is None or new is None:
                continue
            record = merge_record(old, ours, new)
            if not record.fields_merged:
                continue   # a side's front matter cannot be read: git's line merge stays
            merged = file.read_bytes().decode("utf-8", "surrogateescape")
            if any(part.kind == "field" for part in record.conflicts):
                self._unmerge(repo_path, base)
                atomic_write(file, record.marked().encode("utf-8", "surrogateescape"))
                continue
            expected = front_matter_fields(record.editor_text(record.every("mine")))
            if front_matter_fields(merged) != expected:
                self._write(path, with_merged_fields(record, merged))
                fixed.append(path)
        return fixed

    def _unmerge(self, repo_path: str, base: str) -> None:
        """Put a file's base, ours and theirs back in the index as an unresolved conflict."""
        entries = [f"0 {'0' * 40}\t{repo_path}"]
        for stage, rev in ((1, base), (2, "HEAD"), (3, "MERGE_HEAD")):
            listed = self.repo.git("ls-tree", "-z", rev, "--", repo_path).stdout.split("\0")
            info = next(entry for entry in listed if entry.endswith("\t" + repo_path)).split("\t")[0]
            mode, _, sha = info.split(" ")
            entries.append(f"{mode} {sha} {stage}\t{repo_path}")
        self.repo.git("update-index", "-z", "--index-info", input="".join(e + "\0" for e in entries))

    def resolve(self, path: str, choice: Choice, text: str | None = None,
                parts: Mapping[str, Resolution] | None = None) -> MergeOutcome:
        """Resolve one document with mine, theirs, chosen parts, or the text edited by hand.

        ``mine`` and ``theirs`` settle every conflict that way and keep what merged by itself;
        ``parts`` (``{"field:tags": "theirs", "hunk:1": "both"}``) choose conflict by conflict;
        ``edited`` takes ``text`` (or the file as saved), refused while conflict markers remain.
        The last resolution makes the merge commit. The side not taken stays in history.
        """
        conflict = self.find(path)
        path = conflict.path   # as git spells it, whichever normalisation form was typed
        if choice == "edited":
            if text is None:
                file = self.repo.kb.root / path
                text = file.read_text("utf-8", errors="surrogateescape") if file.exists() else None
            if text is not None and new_markers(text, conflict.mine, conflict.theirs):
                raise ConflictMarkersError([path])
        elif choice in ("mine", "theirs", "merged"):
            try:
                text = conflict.text_for(choice, parts)
            except MergeChoiceError as error:
                raise GitError(f"{path}: {error}") from None
        else:
            raise GitError(f"unknown choice {choice!r}: use mine, theirs, merged or edited")
        existed = (self.repo.kb.root / path).exists()
        if text is None:
            (self.repo.kb.root / path).unlink(missing_ok=True)
            self.repo.git("rm", "-q", "--cached", "--ignore-unmatch", "--", self.repo.literal(path))
            written = KBChange.of(removed=[path] if existed else [])
        else:
            self._write(path, text)
            written = KBChange.of(changed=[path]) if existed else KBChange.of(added=[path])
        remaining = self.paths()
        if remaining:
            return MergeOutcome(remaining, change=written)
        outcome = self.finish()
        outcome.change = written | outcome.change
        return outcome

    def finish(self) -> MergeOutcome:
        """Make the merge commit once nothing is conflicted, then keep new ids unique."""
        remaining = self.paths()
        if remaining or self.repo.git("ls-files", "-u").stdout:
            return MergeOutcome(remaining or ["(files outside the knowledge base)"])
        if not self.repo.merging():
            raise GitError("no merge is in progress")
        before = self.repo.head()
        staged = self.committer.staged()
        marked = [path for path in files_with_markers(self.repo.kb.root, staged)
                  if new_markers((self.repo.kb.root / path).read_text("utf-8", errors="replace"),
                                 self.repo.show("HEAD", path), self.repo.show("MERGE_HEAD", path))]
        if marked:
            raise ConflictMarkersError(marked)
        self.repo.git("commit", "-q", "--no-edit")
        sha = self.repo.head()
        renumbered = renumber_after_merge(self.repo, "HEAD", self.committer) if sha else []
        return MergeOutcome([], self.repo.head(), self.repo.changed_between(before), renumbered,
                            self.repo.change_between(before))

    def abort(self) -> KBChange:
        """Give up the merge and go back to the state before the pull; return what that put back on disk."""
        undone = self.repo.worktree_change().reversed()
        self.repo.git("merge", "--abort")
        return undone | KBChange(head=True)

    def _write(self, path: str, text: str) -> None:
        file = self.repo.kb.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(file, text.encode("utf-8", "surrogateescape"))
        self.repo.git("add", "--", self.repo.literal(path))


def new_markers(text: str, *sides: str | None) -> bool:
    """Return True when ``text`` has conflict-marker lines that none of ``sides`` holds.

    A KB may document git itself (``<<<<<<< HEAD`` in a code block): a line a side committed
    is its text, not a marker left by the merge.
    """
    lines = text.splitlines()
    found = {lines[number - 1] for number in marker_lines(text)}
    for side in sides:
        found -= set((side or "").splitlines())
    return bool(found)


def _kind(stages: set[int], in_base: bool) -> ConflictKind:
    if stages == {1, 2, 3}:
        return "both_edited" if in_base else "rename_vs_edit"
    if stages in ({1, 2}, {1, 3}):
        return "delete_vs_edit"
    if stages == {2, 3}:
        return "both_added"
    return "both_renamed"


def _renames(repo: KBRepo, base: str, side: str) -> dict[str, str]:
    """Return {new path: old path} for the files renamed between ``base`` and ``side``."""
    if not base:
        return {}
    out = repo.git("diff", "--name-status", "-M", "--diff-filter=R", "-z", base, side).stdout
    tokens = out.split("\0")
    return {tokens[i + 2]: tokens[i + 1] for i in range(0, len(tokens) - 2, 3) if tokens[i].startswith("R")}


def rename_notes(repo: KBRepo, base: str, ours: str, theirs: str) -> list[str]:
    """Describe renames on one side of a clean merge whose file the other side edited."""
    notes = []
    for renamer, editor, who in ((theirs, ours, "them"), (ours, theirs, "you")):
        edited = set(repo.git("diff", "--name-only", "--no-renames", "--diff-filter=M", "-z", base,
                              editor).stdout.split("\0"))
        for new, old in _renames(repo, base, renamer).items():
            if old in edited and repo.to_kb(new):
                notes.append(f"{repo.to_kb(old)} was renamed to {repo.to_kb(new)} by {who}; "
                             f"the other side's edits were merged into {repo.to_kb(new)}")
    return notes
