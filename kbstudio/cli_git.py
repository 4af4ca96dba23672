"""The ``sync``, ``resolve``, ``history``, ``commit``, ``clone`` and ``git-programs`` commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kbstudio.cli_search import TerminalProgress
from kbstudio.index.damage import IndexDamagedError
from kbstudio.index.service import SearchService
from kbstudio.index.store import IndexLockedError, IndexUnwritableError
from kbstudio.kb import KnowledgeBase, is_document_path
from kbstudio.loop.gitsync import loop_folder_of
from kbstudio.names import same_name, shown_name, skipped_name
from kbstudio.vcs.commit import ConflictMarkersError
from kbstudio.vcs.guard import GuardSettingError, parse_percent
from kbstudio.vcs.remote import RemoteError, clone
from kbstudio.vcs.runner import GitError
from kbstudio.vcs.safety import UnsafeInputError
from kbstudio.vcs.service import VersionControl, allow_repository_programs, repository_programs

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_CONFLICTS, EXIT_REMOTE, EXIT_CONFIRM = 0, 1, 2, 3, 4, 5
SYNC_EXIT = {"ok": EXIT_OK, "conflicts": EXIT_CONFLICTS, "remote_error": EXIT_REMOTE,
             "push_rejected": EXIT_REMOTE, "needs_confirmation": EXIT_CONFIRM, "uncommitted": EXIT_USAGE,
             "error": EXIT_PROBLEMS}


def _say(message: str) -> None:
    print(f"kbstudio: {message}", file=sys.stderr)


def _guard(handler: Callable[[argparse.Namespace, KnowledgeBase], int]
           ) -> Callable[[argparse.Namespace, KnowledgeBase], int]:
    """Turn git failures into messages and exit codes."""
    def run(args: argparse.Namespace, kb: KnowledgeBase) -> int:
        try:
            return handler(args, kb)
        except RemoteError as error:
            _say(str(error))
            return EXIT_REMOTE
        except ConflictMarkersError as error:
            _say(str(error))
            return EXIT_PROBLEMS
        except (GitError, UnsafeInputError) as error:
            _say(str(error))
            return EXIT_USAGE
    run.__doc__ = handler.__doc__
    return run


def _vc(kb: KnowledgeBase, timeout: float = 60.0) -> VersionControl:
    vc = VersionControl.open(kb, network_timeout=timeout)
    if vc is None:
        raise GitError(f"{kb.root} is not inside a git repository (run 'git init' there first)")
    return vc


def _progress() -> Callable[[int, int, str], None]:
    bar = TerminalProgress("sync")
    return lambda done, total, _stage: bar(done, total)


def _reindex(kb: KnowledgeBase, changed: list[str], index_dir: str | None) -> None:
    """Update an existing search index from the changed files only.

    The pull or merge before it has succeeded: an index that cannot be written now (folder not
    writable, another process holding its lock, damaged beyond a rebuild) is a warning, and the
    next 'kbstudio index' or search brings it up to date.
    """
    if not changed:
        return
    for rel in changed:
        problem = skipped_name(rel)
        if problem is not None and is_document_path(rel) and (kb.root / rel).is_file():
            _say(problem)
    service = SearchService(kb, index_dir)
    try:
        if service.open_existing():
            changes = service.update_paths(changed)
            print(f"index updated: {len(changes.added)} added, {len(changes.updated)} updated, "
                  f"{len(changes.removed)} removed", file=sys.stderr)
            service.compact()
    except (IndexUnwritableError, IndexLockedError, IndexDamagedError) as error:
        _say(f"warning: the search index was not updated: {error}; "
             f"'kbstudio index {kb.root}' updates it later")
    finally:
        service.close()


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


@_guard
def cmd_sync(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Commit (with -m), pull and push; exit 0 synced, 3 conflicts, 4 remote failure."""
    vc = _vc(kb, args.timeout)
    if args.message:                  # documents only: the loop's records get their own commit below
        vc.committer.commit(args.message, leave_out=_is_loop_record)
    vc.sync.guard.run_percent = args.deletion_guard
    result = vc.sync.sync(progress=_progress(), allow_mass_delete=args.allow_deletions)
    _reindex(kb, result.changed, args.index_dir)
    if args.json:
        _dump(result.to_json())
    else:
        for path in result.conflicts:
            print(shown_name(path))
        for line in [*result.notes, *map(str, result.renumbered)]:
            _say(line)
        for path in result.auto_merged:
            _say(f"{shown_name(path)}: front matter merged field by field")
        for entry in result.guard.leaving if result.guard else []:
            _say(entry.sentence())
        if result.status == "needs_confirmation":
            _say("run again with --allow-deletions to accept this")
        elif result.status == "conflicts":
            from kbstudio.cli_resolve import conflict_summary

            for path in result.conflicts:
                _say(conflict_summary(vc, path))
            _say("see and resolve each with: kbstudio resolve PATH FILE [--mine|--theirs|--field NAME=mine|"
                 "theirs|both|--hunk N=mine|theirs|both|--edited]")
        _say(result.message)
    return SYNC_EXIT[result.status]


@_guard
def cmd_history(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Print every version of a document, newest first, following renames."""
    rel = _kb_rel(kb, args.file)
    versions = _vc(kb).history.versions(rel, limit=args.limit)
    if args.json:
        _dump([version.to_json() for version in versions])
        return EXIT_OK
    for version in versions:
        moved = f"  ({shown_name(version.path)})" if not same_name(version.path, rel) else ""
        moved += "  [merge]" if version.merge else ""
        print(f"{version.short}  {version.date:%Y-%m-%d %H:%M}  {version.author}  {version.summary}{moved}")
    if not versions:
        _say(f"{args.file} has no committed versions")
    return EXIT_OK


@_guard
def cmd_commit(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Commit every saved change of the KB (or the given files) with a message."""
    files = [_kb_rel(kb, file) for file in args.files] or None
    committer = _vc(kb).committer
    # The knowledge loop's records are not documents: Sync commits them on their own, so a revert of
    # a document never takes uses or flags with it. Named explicitly, they are committed.
    left_out = [] if files else [entry.path for entry in committer.status() if _is_loop_record(entry.path)]
    result = committer.commit(args.message, files, leave_out=_is_loop_record)
    if result.committed:
        print(result.sha)
        _say(f"committed {len(result.changed)} files")
        for note in result.notes:
            _say(note)
    else:
        _say("nothing to commit")
    if left_out:
        _say(f"left out {len(left_out)} knowledge-loop record file(s) (uses, flags, gaps): Sync commits "
             "them on their own; name them to commit them here")
    return EXIT_OK


def _is_loop_record(kb_path: str) -> bool:
    return loop_folder_of(kb_path) is not None


def cmd_clone(args: argparse.Namespace) -> int:
    """Clone a remote KB into a new folder and print where it is."""
    try:
        target = clone(args.url, Path(args.dir), timeout=args.timeout, progress=_progress())
    except RemoteError as error:
        _say(str(error))
        return EXIT_REMOTE
    except (GitError, UnsafeInputError) as error:
        _say(str(error))
        return EXIT_USAGE
    print(target)
    return EXIT_OK


STATE_WORDS = {"none": "names no programs and has no hooks", "protected": "not allowed: KB Studio "
               "runs none of the programs below", "allowed": "allowed: git runs this repository's "
               "programs as plain git would", "changed": "not allowed: its programs changed since you "
               "allowed them, so KB Studio runs none of those below"}


@_guard
def cmd_git_programs(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Show what the KB repository's own git config and hooks would run, and allow or stop allowing it."""
    if args.allow or args.revoke:
        programs = allow_repository_programs(kb.root, allowed=bool(args.allow))
    else:
        programs = repository_programs(kb.root)
    if programs.git_dir is None:
        raise GitError(f"{kb.root} is not inside a git repository")
    if args.json:
        _dump({"git_dir": str(programs.git_dir), "state": programs.state,
               "findings": [finding.to_json() for finding in programs.findings]})
        return EXIT_OK
    print(f"repository {programs.git_dir}: {STATE_WORDS[programs.state]}")
    for finding in programs.findings:
        print(f"{finding.action:9} {finding.setting} = {finding.value}  ({finding.origin})")
        print(f"{'':9} {finding.effect}")
    return EXIT_OK


def _kb_rel(kb: KnowledgeBase, file: str) -> str:
    """Accept a file as a path from here or relative to the KB; return it relative to the KB."""
    path = Path(file)
    for candidate in (path, kb.root / path):
        absolute = candidate if candidate.is_absolute() else Path.cwd() / candidate
        try:
            return kb.disk_rel(absolute.resolve().relative_to(kb.root).as_posix())
        except ValueError:
            continue
    raise UnsafeInputError(f"{file} is not inside the knowledge base {kb.root}")


def _percent(value: str) -> float:
    try:
        return parse_percent(value)
    except GuardSettingError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def setup_sync(sync: argparse.ArgumentParser) -> None:
    """Add the ``sync`` command's arguments."""
    sync.add_argument("path", help="the knowledge base folder")
    sync.add_argument("-m", "--message", help="commit saved changes with this message first")
    sync.add_argument("--allow-deletions", action="store_true",
                      help="go on when the pull takes more documents out of the KB (deleted, renamed or "
                           "moved to a hidden folder) than the deletion guard allows")
    sync.add_argument("--deletion-guard", type=_percent, metavar="PERCENT",
                      help="this sync's limit, from 0 to 100%% of the documents (default: your own "
                           "setting, the team's in .kbstudio/sync.yaml, else 25%%)")
    sync.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the remote")
    sync.add_argument("--json", action="store_true", help="print one JSON object")
    sync.add_argument("--index-dir", help="folder holding the indexes (default: user cache)")


def setup_history(history: argparse.ArgumentParser) -> None:
    """Add the ``history`` command's arguments."""
    history.add_argument("path", help="the knowledge base folder")
    history.add_argument("file", help="the document")
    history.add_argument("--limit", type=int, help="show at most this many versions")
    history.add_argument("--json", action="store_true", help="print one JSON array")


def setup_commit(commit: argparse.ArgumentParser) -> None:
    """Add the ``commit`` command's arguments."""
    commit.add_argument("path", help="the knowledge base folder")
    commit.add_argument("files", nargs="*", help="only these documents (default: every change)")
    commit.add_argument("-m", "--message", required=True, help="the commit message")


def setup_clone(clone_cmd: argparse.ArgumentParser) -> None:
    """Add the ``clone`` command's arguments."""
    clone_cmd.add_argument("url", help="the remote (https, ssh, or a path)")
    clone_cmd.add_argument("dir", help="the new folder")
    clone_cmd.add_argument("--timeout", type=float, default=600.0, help="seconds before giving up")


def setup_git_programs(programs: argparse.ArgumentParser) -> None:
    """Add the ``git-programs`` command's arguments."""
    programs.add_argument("path", help="the knowledge base folder")
    change = programs.add_mutually_exclusive_group()
    change.add_argument("--allow", action="store_true",
                        help="let git run this repository's programs (hooks, filters, merge drivers, ...) "
                             "as they are now; only for a repository you trust")
    change.add_argument("--revoke", action="store_true", help="stop allowing them")
    programs.add_argument("--json", action="store_true", help="print one JSON object")
