"""Committing the knowledge loop's files before a sync, in a commit of their own.

Uses, flags and gaps are appended to files in ``.kbstudio/usage|flags|gaps/``
(``kbstudio.loop.logfiles``); to reach the team they must be committed before a pull (which
refuses to start over uncommitted changes) and a push. ``commit_loop_files`` commits exactly
those folders, nothing else: ``git commit --only`` with their pathspecs leaves every other staged
or unstaged change (an article being edited) as it was. The message counts what the commit adds,
``Knowledge loop: 3 uses, 1 flag, 1 flag resolved, 2 search gaps``, so the history reads well.
``SyncService`` runs it before every pull and push (``kbstudio.vcs.service`` wires it in).
"""

from __future__ import annotations

import json
from collections import Counter

from kbstudio.loop.draft_sync import share_search_drafts
from kbstudio.loop.identity import current_agent
from kbstudio.loop.logfiles import FLAGS, FOLDERS, GAPS, USAGE, folder_rel
from kbstudio.vcs.commit import EMPTY_TREE, CommitResult
from kbstudio.vcs.repo import KBRepo

COMMIT_PREFIX = "Knowledge loop"


def loop_pathspecs(repo: KBRepo) -> list[str]:
    """Return a literal pathspec for each loop folder that exists in the KB."""
    return [repo.literal(folder_rel(folder)) for folder in FOLDERS
            if (repo.kb.root / folder_rel(folder)).is_dir()]


def pending_loop_files(repo: KBRepo) -> list[str]:
    """Return the KB paths of loop files not committed yet (new or appended to)."""
    specs = loop_pathspecs(repo)
    if not specs:
        return []
    out = repo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *specs).stdout
    return repo.kb_paths([entry[3:] for entry in out.split("\0") if len(entry) > 3])


def loop_folder_of(kb_path: str) -> str | None:
    """Return the loop folder (``usage``, ``flags``, ``gaps``) a KB path lies in, else None."""
    for folder in FOLDERS:
        if kb_path.startswith(folder_rel(folder) + "/"):
            return folder
    return None


def count_added(repo: KBRepo, specs: list[str]) -> Counter[str]:
    """Return what the staged loop files add: ``use``, ``flag``, ``flag-resolved`` and ``gap`` lines."""
    base = [] if repo.head() else [EMPTY_TREE]
    out = repo.git("diff", "--cached", *base, "--no-ext-diff", "--no-textconv", "--no-color", "-U0",
                   "--no-renames", "--", *specs).stdout
    counts: Counter[str] = Counter()
    folder = None
    for line in out.splitlines():
        if line.startswith("+++ "):
            path = line[4:]
            path = path[2:] if path.startswith("b/") else path
            kb_path = repo.to_kb(path)
            folder = loop_folder_of(kb_path) if kb_path and kb_path.endswith(".jsonl") else None
        elif line.startswith("+") and folder is not None:
            kind = {USAGE: "use", GAPS: "gap"}.get(folder)
            if folder == FLAGS:
                kind = "flag-resolved" if _event(line[1:]) == "resolve" else "flag"
            counts[kind or "record"] += 1
    return counts


def _event(line: str) -> str | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data.get("event") if isinstance(data, dict) else None


def commit_message(counts: Counter[str]) -> str:
    """Return ``Knowledge loop: 3 uses, 1 flag, 1 flag resolved, 2 search gaps`` for ``counts``."""
    parts = []
    for key, one, many in (("use", "use", "uses"), ("flag", "flag", "flags"),
                           ("flag-resolved", "flag resolved", "flags resolved"),
                           ("gap", "search gap", "search gaps")):
        if counts.get(key):
            parts.append(f"{counts[key]} {one if counts[key] == 1 else many}")
    return f"{COMMIT_PREFIX}: {', '.join(parts) or 'record files'}"


def commit_loop_files(repo: KBRepo) -> CommitResult | None:
    """Commit the loop's pending files alone; return the commit, or None when nothing was pending.

    Does nothing while a merge waits for its conflicts (the merge commit must come first). Raises
    IdentityMissingError when git does not know who commits, GitError when git fails.
    """
    if repo.merging() or not pending_loop_files(repo):
        return None
    repo.require_identity()
    specs = loop_pathspecs(repo)
    repo.git("add", "-A", "--", *specs)
    base = [] if repo.head() else [EMPTY_TREE]
    staged = repo.kb_paths(repo.git("diff", "--cached", *base, "--name-only", "--no-renames", "-z", "--",
                                    *specs).stdout.split("\0"))
    if not staged:
        return None
    message = commit_message(count_added(repo, specs))
    repo.git("commit", "-q", "--only", "-F", "-", "--", *specs, input=message + "\n")
    return CommitResult(repo.head(), message, staged)


def commit_before_sync(repo: KBRepo) -> str | None:
    """Commit pending loop files (``commit_loop_files``) and the syncing person's untracked drafts
    from searches (``kbstudio.loop.draft_sync``, each in its own commit); return a note for the
    sync result (``committed 1 use (1a2b3c4d); shared draft KB-0049 from a search``), or None."""
    notes = []
    drafts = share_search_drafts(repo, current_agent(repo.kb.root, repo))
    if drafts:
        names = ", ".join(draft.doc_id for draft in drafts)
        notes.append(f"shared the draft{'s' if len(drafts) > 1 else ''} {names} started from a search, "
                     "so the team can complete it")
    result = commit_loop_files(repo)
    if result is not None and result.committed:
        notes.insert(0, f"committed {result.message[len(COMMIT_PREFIX) + 2:]} ({(result.sha or '')[:8]})")
    return "; ".join(notes) or None
