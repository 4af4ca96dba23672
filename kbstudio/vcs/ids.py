"""Keeping ids unique after a merge: a document both sides created with the same new id is renumbered."""

from __future__ import annotations

from dataclasses import dataclass

from kbstudio.docedit import update_document
from kbstudio.vcs.commit import Committer
from kbstudio.vcs.repo import KBRepo, is_document

# The subject of the commit that renumbers clashing ids after a pull (not an edit of anyone's).
RENUMBER_SUBJECT = "Renumber documents whose new ids a teammate also used"


@dataclass(frozen=True)
class Renumbered:
    """A local document that got a fresh id because a teammate's new document had taken its id."""

    path: str
    old_id: str
    new_id: str
    other_path: str

    def __str__(self) -> str:
        return (f"{self.path} was renumbered from {self.old_id} to {self.new_id}: "
                f"{self.other_path} already uses {self.old_id}")

    def to_json(self) -> dict[str, str]:
        """Return the change as a JSON-ready dict."""
        return {"path": self.path, "old_id": self.old_id, "new_id": self.new_id,
                "other_path": self.other_path}


def added_documents(repo: KBRepo, base: str, side: str) -> set[str]:
    """Return KB documents added between ``base`` and ``side`` (renames are not additions)."""
    out = repo.git("diff", "--name-only", "-M", "--diff-filter=A", "-z", base, side, "--",
                   repo.kb_pathspec).stdout
    return {path for path in repo.kb_paths(out.split("\0")) if is_document(path)}


def renumber_after_merge(repo: KBRepo, merge: str = "HEAD", committer: Committer | None = None
                         ) -> list[Renumbered]:
    """Give fresh ids to local new documents whose id a merged-in new document also uses; commit that."""
    parents = repo.git("rev-list", "--parents", "-n", "1", merge).stdout.split()[1:]
    if len(parents) != 2:
        return []
    ours, theirs = parents
    base = repo.git("merge-base", ours, theirs, check=False).stdout.strip()
    if not base:
        return []
    mine, incoming = added_documents(repo, base, ours), added_documents(repo, base, theirs)
    if not mine or not incoming:
        return []
    documents = repo.kb.load_all()
    theirs_by_id = {doc.id: doc.rel_path for doc in documents if doc.rel_path in incoming and doc.id}
    changes: list[Renumbered] = []
    for index, doc in enumerate(documents):
        if doc.rel_path not in mine or not doc.id or doc.id not in theirs_by_id:
            continue
        new_id = repo.kb.next_id(doc.kind, documents)
        update_document(doc, {"id": new_id})  # keeps line endings and a BOM; refuses a changed file
        documents[index] = repo.kb.load(doc.path)
        changes.append(Renumbered(doc.rel_path, doc.id, new_id, theirs_by_id[doc.id]))
    if changes:
        message = RENUMBER_SUBJECT + "\n\n" + "\n".join(map(str, changes))
        # an id changed by the merge is no edit to review: the review policy does not apply
        (committer or Committer(repo)).commit(message, [change.path for change in changes],
                                              review_policy=False)
    return changes
