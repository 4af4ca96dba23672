"""Sharing drafts started from searches: Sync commits them so the team sees the work in progress.

KCS wants the article an L1 agent starts from a failed search ("work in progress") to reach the
L2/L3 authors who complete it; left untracked on one laptop, teammates see an open gap with no
draft and write a second article. So the loop's prepare step (``commit_before_sync``) commits,
each in a commit of its own (``Draft KB-0049 from a search``), every document that is

- untracked (never committed: a tracked draft is the authors' ordinary work, committed by them),
- a ``draft`` with ``from_search`` set (made by "Create an article from this search"), and
- owned by the person syncing (the creator is its owner, ``kbstudio.loop.drafts``) or by no one
  (drafts made before owners were set).

Half-written articles of anyone else, and every other untracked document, are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbstudio.kb import is_document_path
from kbstudio.loop.gap_groups import FROM_SEARCH
from kbstudio.loop.identity import Agent
from kbstudio.reader import read_info
from kbstudio.vcs.repo import KBRepo

DRAFT_STATUS = "draft"


@dataclass(frozen=True)
class SharedDraft:
    """A draft committed by Sync: its KB path, id (``KB-0049``) and commit."""

    rel_path: str
    doc_id: str
    sha: str | None


def _owned_by(owner: str | None, agent: Agent) -> bool:
    wanted = (owner or "").strip()
    if not wanted:
        return True
    parsed = Agent.parse(wanted)
    return wanted.casefold() in {str(agent).casefold(), agent.name.casefold()} or bool(
        agent.email and parsed.email.casefold() == agent.email.casefold())


def search_drafts_to_share(repo: KBRepo, agent: Agent) -> list[tuple[str, str]]:
    """Return ``(KB path, id)`` of the untracked drafts from searches ``agent`` may share (module doc)."""
    out = repo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", repo.kb_pathspec).stdout
    untracked = repo.kb_paths([entry[3:] for entry in out.split("\0") if entry.startswith("?? ")])
    found = []
    for rel in untracked:
        if not is_document_path(rel):
            continue
        info = read_info(repo.kb.root / rel, repo.kb.root)
        if (info.status == DRAFT_STATUS and info.meta.get(FROM_SEARCH) and info.id
                and _owned_by(info.owner, agent)):
            found.append((rel, info.id))
    return found


def share_search_drafts(repo: KBRepo, agent: Agent) -> list[SharedDraft]:
    """Commit each untracked draft from a search of ``agent``'s, alone; return what was committed.

    ``git commit --only`` with the file's pathspec leaves every other change as it was. Nothing is
    done while a merge waits. Raises IdentityMissingError or GitError as ``git commit`` does.
    """
    if repo.merging():
        return []
    shared = []
    for rel, doc_id in search_drafts_to_share(repo, agent):
        repo.require_identity()
        spec = repo.literal(rel)
        repo.git("add", "--", spec)
        repo.git("commit", "-q", "--only", "-F", "-", "--", spec, input=f"Draft {doc_id} from a search\n")
        shared.append(SharedDraft(rel, doc_id, repo.head()))
    return shared
