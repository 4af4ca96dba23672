"""The ``submit``, ``review``, ``approve``, ``request-changes`` and ``dashboard`` commands."""

from __future__ import annotations

import argparse

from kbstudio.cli_common import dump, guarded, iso_date, say
from kbstudio.cli_git import _kb_rel, _vc
from kbstudio.kb import KnowledgeBase
from kbstudio.loop.board import end_of, knowledge_board
from kbstudio.loop.logfiles import record_folders
from kbstudio.model import STATUSES
from kbstudio.names import shown_name
from kbstudio.review import (
    InvalidInputError,
    PolicyError,
    ReviewError,
    ReviewResult,
    approve,
    dashboard,
    load_policy,
    plan_approval,
    request_changes,
    review_queue,
    submit,
)
from kbstudio.review.dashboard import RECENT_LIMIT, Dashboard
from kbstudio.storage import ExternalChangeError
from kbstudio.vcs.commit import ConflictMarkersError
from kbstudio.vcs.runner import GitError
from kbstudio.vcs.safety import UnsafeInputError
from kbstudio.vcs.service import VersionControl

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


_say, _dump = say, dump
# Exit 1 when the workflow refuses an action, 2 on bad input or a KB that is not versioned.
_guard = guarded((((InvalidInputError, UnsafeInputError), EXIT_USAGE),
                  ((ReviewError, ExternalChangeError, ConflictMarkersError), EXIT_REFUSED),
                  (GitError, EXIT_USAGE)))


def _days(count: int) -> str:
    return f"{count} day{'s' * (count != 1)}"


def _report(result: ReviewResult, as_json: bool) -> int:
    if as_json:
        _dump(result.to_json())
    else:
        print(result.sha or "")
        name = result.doc_id or shown_name(result.path)
        sha = (result.sha or "")[:8]
        if result.action == "approve" and result.new_status == "review":
            count, needed = len(result.approvals), result.approvals_needed
            _say(f"{name}: approval {count} of {needed} recorded; it stays in review until "
                 f"{needed - count} more reviewer(s) approve, committed as {sha}")
        else:
            _say(f"{name}: {result.old_status} -> {result.new_status}, committed as {sha}")
    return EXIT_OK


@_guard
def cmd_submit(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Submit a document for review and commit it."""
    vcs = _vc(kb)
    return _report(submit(vcs, kb, _kb_rel(kb, args.file), args.reviewer or []), args.json)


@_guard
def cmd_approve(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Approve a document in review (a Reviewed-by trailer), as the KB's review policy allows."""
    vcs = _vc(kb)
    if args.dry_run:
        plan = plan_approval(vcs, kb, _kb_rel(kb, args.file), args.reviewer)
        if args.json:
            _dump(plan.to_json())
        else:
            print(plan.summary())
            _say(f"policy: {plan.policy.describe()}")
        return EXIT_OK
    return _report(approve(vcs, kb, _kb_rel(kb, args.file), args.reviewer, args.comment or ""), args.json)


@_guard
def cmd_request_changes(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Send a document in review back to draft with the reviewer's comment, and commit it."""
    vcs = _vc(kb)
    return _report(request_changes(vcs, kb, _kb_rel(kb, args.file), args.reviewer, args.comment), args.json)


@_guard
def cmd_review(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """List the documents waiting for review, oldest first."""
    vcs = VersionControl.open(kb)
    items = review_queue(vcs, kb)
    if args.json:
        _dump([item.to_json() for item in items])
        return EXIT_OK
    if vcs is not None:
        try:
            _say(f"review policy: {load_policy(vcs.repo).describe()}")
        except PolicyError as error:
            _say(str(error))
    for item in items:
        since = f"changed since {item.last_published[:8]} (last published)" if item.last_published \
            else "new document"
        print(f"{item.id or '-'}  {item.tier or '-'}  {_days(item.age_days)}  {shown_name(item.path)}")
        print(f"    {item.title}")
        print(f"    submitted by {item.submitted_by or 'unknown (not committed)'} on "
              f"{item.submitted_at:%Y-%m-%d}; reviewers: {', '.join(item.reviewers) or '-'}; {since}")
        if item.approvals_needed > 1 or item.approvals:
            print(f"    approvals: {len(item.approvals)} of {item.approvals_needed}"
                  + (f" ({', '.join(item.approvals)})" if item.approvals else ""))
        if args.diff:
            print("    " + item.diff.unified().rstrip("\n").replace("\n", "\n    "))
    _say(f"{len(items)} document{'s' * (len(items) != 1)} in review")
    return EXIT_OK


def _print_dashboard(board: Dashboard) -> None:
    print(f"{board.name}: {board.total} documents, {board.review_queue_size} in review, "
          f"{len(board.stale)} stale (today {board.today.isoformat()})")
    header = ["TIER", *STATUSES, "total"]
    rows = [header] + [[tier, *(str(row[s]) for s in STATUSES), str(sum(row.values()))]
                       for tier, row in board.counts.items()]
    rows.append(["total", *(str(n) for n in board.by_status().values()), str(board.total)])
    widths = [max(len(row[col]) for row in rows) for col in range(len(header))]
    for row in rows:
        print("  ".join(cell.rjust(width) if col else cell.ljust(width)
                        for col, (cell, width) in enumerate(zip(row, widths, strict=True))))
    if board.stale:
        print("\nStale (review_by passed):")
        for entry in board.stale:
            print(f"  {entry.review_by.isoformat()}  {_days(entry.days_overdue):>9}  {entry.id or '-'}  "
                  f"{shown_name(entry.path)}")
    for path in board.unreadable:
        print(f"unreadable: {shown_name(path)}")
    if board.recent:
        print("\nRecent changes:")
        for change in board.recent:
            print(f"  {change.sha[:8]}  {change.date:%Y-%m-%d %H:%M}  {change.author}  {change.summary}")


@_guard
def cmd_dashboard(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Print documents by tier and status, stale documents, the review queue size, recent changes and
    the knowledge health figures (``kbstudio.loop``)."""
    documents = kb.load_all()
    vcs = VersionControl.open(kb)
    board = dashboard(kb, documents, vcs, today=args.today, recent_limit=args.recent,
                      recent_exclude=record_folders())
    knowledge = knowledge_board(kb, documents, vcs.repo if vcs is not None else None,
                                end_of(args.today) if args.today else None)
    for problem in knowledge.problems:
        _say(str(problem))
    if knowledge.policy_problem:
        _say(knowledge.policy_problem)
    if args.json:
        _dump({**board.to_json(), "knowledge": knowledge.figures.to_json(),
               "review_due": knowledge.due_json()})
    else:
        _print_dashboard(board)
        print("\n" + "\n".join(knowledge.summary_lines()))
    return EXIT_OK


def _action_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("path", help="the knowledge base folder")
    parser.add_argument("file", help="the document")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


def setup_submit(parser: argparse.ArgumentParser) -> None:
    """Add the ``submit`` command's arguments."""
    submit_cmd = _action_arguments(parser)
    submit_cmd.add_argument("--reviewer", action="append", metavar="'NAME <EMAIL>'",
                            help="who should validate it (repeat for several; default: the document's)")


def setup_approve(parser: argparse.ArgumentParser) -> None:
    """Add the ``approve`` command's arguments."""
    approve_cmd = _action_arguments(parser)
    approve_cmd.add_argument("--reviewer", required=True, metavar="'NAME <EMAIL>'",
                             help="who validated it (never one of its authors, unless the KB's review "
                                  "policy allows it)")
    approve_cmd.add_argument("--comment", help="an optional note for the commit message")
    approve_cmd.add_argument("--dry-run", action="store_true",
                             help="check the review policy and say what approving would do; change nothing")


def setup_request_changes(parser: argparse.ArgumentParser) -> None:
    """Add the ``request-changes`` command's arguments."""
    changes = _action_arguments(parser)
    changes.add_argument("--reviewer", required=True, metavar="'NAME <EMAIL>'", help="who reviewed it")
    changes.add_argument("--comment", required=True, help="what has to change (kept in the commit message)")


def setup_review(queue: argparse.ArgumentParser) -> None:
    """Add the ``review`` command's arguments."""
    queue.add_argument("path", help="the knowledge base folder")
    queue.add_argument("--json", action="store_true", help="print one JSON array")
    queue.add_argument("--diff", action="store_true", help="show each diff since the last published version")


def setup_dashboard(board: argparse.ArgumentParser) -> None:
    """Add the ``dashboard`` command's arguments."""
    board.add_argument("path", help="the knowledge base folder")
    board.add_argument("--json", action="store_true", help="print one JSON object")
    board.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD", help="the date stale checks use")
    board.add_argument("--recent", type=int, default=RECENT_LIMIT, metavar="N", help="recent changes to show")
