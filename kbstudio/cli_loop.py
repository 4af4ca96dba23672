"""The knowledge loop's commands: ``use``, ``flag``, ``flags``, ``gaps`` and ``remind``.

Exit codes as the other commands: 0 done, 1 refused (a flag already resolved, a role that may not
fix the document), 2 bad usage or input (unknown document, flag or value). Every command with
``--json`` prints one JSON object or array on stdout; messages go to stderr. Lines of the loop's
files that cannot be read are named (file:line) on stderr and otherwise skipped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kbstudio.cli_common import dump, guarded, iso_date, say
from kbstudio.kb import KnowledgeBase
from kbstudio.loop.flags import (
    REASONS,
    AlreadyResolvedError,
    Flag,
    find_flag,
    flags_of,
    fold_flags,
    may_fix,
    open_flags_by_owner,
)
from kbstudio.loop.gap_groups import GapGroup, close_groups, drafts_for, group_gaps
from kbstudio.loop.history_facts import read_history
from kbstudio.loop.ledger import OUTCOMES, UseRequest
from kbstudio.loop.records import RecordError, format_time
from kbstudio.loop.references import check_commit
from kbstudio.loop.remind import by_owner, reminders
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.model import TIERS, DocumentFields, Problem
from kbstudio.names import shown_name
from kbstudio.review.policy import PolicyError, ReviewPolicy, load_policy
from kbstudio.sop import find_document

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class _Usage(Exception):
    """Bad usage or input, worded for the user: exit 2."""


_say, _dump = say, dump
# Refused records (a flag already resolved) exit 1; bad usage, unknown ids and bad values exit 2.
_guard = guarded(((AlreadyResolvedError, EXIT_REFUSED),
                  ((RecordError, _Usage, KeyError, PolicyError), EXIT_USAGE)))


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _warn(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(f"kbstudio: {problem}", file=sys.stderr)


def _document(documents: Sequence[DocumentFields], key: str, kb: KnowledgeBase) -> DocumentFields:
    found = find_document(list(documents), key)
    if found is None:
        try:
            found = find_document(list(documents), kb.rel_path(kb.root / key))
        except ValueError:
            found = None
    if found is None:
        raise _Usage(f"no document '{key}' in {kb.root} (give its id, such as KB-0019, or its path)")
    return found


# use -----------------------------------------------------------------------------------------

@_guard
def cmd_use(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Record that a document was used on a ticket, or list the uses recorded."""
    loop = KnowledgeLoop.open(kb)
    if args.document is None:
        read = loop.uses()
        _warn(read.problems)
        entries = sorted(read.items(), key=lambda entry: (entry.time, entry.id), reverse=True)[:args.limit]
        if args.json:
            _dump([entry.to_json() for entry in entries])
            return EXIT_OK
        for entry in entries:
            what = entry.document or shown_name(entry.path or "") or "-"
            extra = f" via {entry.sop}" if entry.sop else ""
            print(f"{format_time(entry.time)}  {entry.outcome:<12} {what}{extra}  {entry.ticket or '-'}  "
                  f"{entry.agent} ({entry.tier or 'tier?'})")
        _say(_count(len(read.records), "use") + " recorded")
        return EXIT_OK
    document = _document(kb.load_all(), args.document, kb)
    request = UseRequest(args.outcome, ticket=args.ticket or "", sop=args.sop,
                         searches=tuple(args.search or ()), tier=args.tier, via="cli")
    recorded = loop.record_use(document, request)
    _tier_hint(args.tier)
    if args.json:
        _dump(recorded.record.to_json())
    else:
        print(recorded.file)
        _say(f"{document.id or shown_name(document.rel_path)}: {args.outcome}"
             + (f" on {args.ticket}" if args.ticket else "") + f", recorded in {shown_name(recorded.file)}")
    return EXIT_OK


def setup_use(parser: argparse.ArgumentParser) -> None:
    """Add the ``use`` command's arguments."""
    parser.add_argument("path", help="the knowledge base folder")
    parser.add_argument("document", nargs="?", metavar="DOCUMENT",
                        help="the document's id (KB-0019) or path; without: list the uses recorded")
    parser.add_argument("--outcome", choices=OUTCOMES, default="solved", help="how it went (default: solved)")
    parser.add_argument("--ticket", metavar="REF",
                        help="the ticket reference, as the ticket system writes it")
    parser.add_argument("--sop", metavar="SOP_ID",
                        help="the SOP escalated with (--outcome escalated needs it)")
    parser.add_argument("--search", action="append", metavar="WORDS",
                        help="a search that led there, as typed (repeat for several)")
    parser.add_argument("--tier", type=str.upper, choices=TIERS, help="the tier you work at")
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="uses to list (default 50)")
    parser.add_argument("--json", action="store_true", help="print the entry (or the list) as JSON")


# flag ----------------------------------------------------------------------------------------

@_guard
def cmd_flag(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Flag a document (with a reason), or resolve a flag (--resolve ID)."""
    loop = KnowledgeLoop.open(kb)
    if (args.document is None) == (args.resolve is None):
        raise _Usage("give a DOCUMENT to flag, or --resolve FLAG_ID to resolve a flag (not both)")
    if args.resolve is not None:
        flag = find_flag(loop.flags(), args.resolve)
        tier = _document_tier(kb, flag)
        if args.tier is None:
            # Who may fix is checked against the tier the person works at; the app's role setting is
            # Qt's own store, which the Qt-free CLI does not read, so the tier must be given.
            raise _Usage(f"give the tier you work at to resolve a flag: --tier {tier or 'L2'} "
                         f"(a role at or above the document's tier, {tier or 'unknown'}, may fix it)")
        if not may_fix(args.tier, tier):
            _say(f"a role at {args.tier} may not fix a {tier} document: ask someone at {tier} or above")
            return EXIT_REFUSED
        commit = check_commit(loop.repo, args.commit) if args.commit is not None else None
        recorded = loop.resolve_flag(flag, commit=commit, note=args.note or "", tier=args.tier)
    else:
        if args.reason is None:
            raise _Usage(f"give the reason: --reason {'|'.join(REASONS)}")
        document = _document(kb.load_all(), args.document, kb)
        recorded = loop.flag(document, args.reason, comment=args.comment or "", anchor=args.anchor,
                             tier=args.tier)
        _tier_hint(args.tier)
    event = recorded.record
    if args.json:
        _dump(event.to_json())
    else:
        print(event.flag)   # type: ignore[union-attr]
        verb = "resolved" if args.resolve is not None else "opened"
        _say(f"flag {event.flag[:8]} {verb}, recorded in {shown_name(recorded.file)}")  # type: ignore[union-attr]
    return EXIT_OK


def _tier_hint(tier: str | None) -> None:
    """Say that the record has no tier (counted as untiered in the figures) when none was given."""
    if tier is None:
        _say("recorded without a tier (the figures count it as untiered): give --tier L1|L2|L3 "
             "as the tier you work at")


def _document_tier(kb: KnowledgeBase, flag: Flag) -> str | None:
    documents = kb.load_all()
    found = find_document(documents, flag.document or flag.path or "")
    if found is None and flag.path:
        found = find_document(documents, flag.path)
    return found.tier if found is not None else None


def setup_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``flag`` command's arguments."""
    parser.add_argument("path", help="the knowledge base folder")
    parser.add_argument("document", nargs="?", metavar="DOCUMENT", help="the document's id or path")
    parser.add_argument("--reason", choices=REASONS, help="what is wrong with it")
    parser.add_argument("--comment", help="what you saw, optional")
    parser.add_argument("--anchor", metavar="HEADING|LINE",
                        help="where: a heading's anchor (resolution) or a line number")
    parser.add_argument("--resolve", metavar="FLAG_ID",
                        help="resolve this flag (4 or more characters of its id)")
    parser.add_argument("--commit", metavar="SHA",
                        help="with --resolve: the commit that fixed it (default: the document's last commit)")
    parser.add_argument("--note", help="with --resolve: what was done")
    parser.add_argument("--tier", type=str.upper, choices=TIERS,
                        help="the tier you work at (needed with --resolve: it must be at or above the "
                             "document's)")
    parser.add_argument("--json", action="store_true", help="print the event as JSON")


# flags ---------------------------------------------------------------------------------------

@_guard
def cmd_flags(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """List the open flags (or every flag with --all), by owner, for the KB or one document."""
    loop = KnowledgeLoop.open(kb)
    events = loop.flag_events()
    _warn(events.problems)
    flags = fold_flags(events.items())
    documents = kb.load_all()
    if args.document is not None:
        flags = flags_of(flags, _document(documents, args.document, kb), open_only=False)
    shown = flags if args.all else [flag for flag in flags if flag.is_open]
    if args.owner:
        owned = open_flags_by_owner(flags, documents).get(args.owner, [])
        shown = [flag for flag in shown if flag in owned]
    if args.json:
        _dump([flag.to_json() for flag in shown])
        return EXIT_OK
    grouped = open_flags_by_owner(shown, documents) if not args.all else {"": shown}
    for owner, items in grouped.items():
        if owner:
            print(f"{owner}:")
        for flag in items:
            state = "open" if flag.is_open else \
                f"resolved by {flag.resolved_by} in {(flag.commit or '-')[:8]}"
            where = f"#{flag.anchor}" if flag.anchor else ""
            name = flag.document or shown_name(flag.path or "")
            print(f"  {flag.id[:8]}  {flag.reason:<12} {name}{where}  "
                  f"{format_time(flag.opened_at)[:10]} {flag.opened_by}  ({state})")
            if flag.comment:
                print(f"            {' '.join(flag.comment.split())}")
    _say(f"{sum(1 for flag in shown if flag.is_open)} open flag(s)"
         + (f", {sum(1 for flag in shown if not flag.is_open)} resolved" if args.all else ""))
    return EXIT_OK


def setup_flags(parser: argparse.ArgumentParser) -> None:
    """Add the ``flags`` command's arguments."""
    parser.add_argument("path", help="the knowledge base folder")
    parser.add_argument("document", nargs="?", metavar="DOCUMENT", help="only this document's flags")
    parser.add_argument("--all", action="store_true", help="resolved flags too")
    parser.add_argument("--owner", help="only the flags of documents with this owner")
    parser.add_argument("--json", action="store_true", help="print one JSON array")


# gaps ----------------------------------------------------------------------------------------

def _finder(kb: KnowledgeBase, index_dir: str | None) -> tuple[Any, Any]:
    """Return (finds, service) over the KB's existing index, or (None, None) when there is none."""
    from kbstudio.index.service import SearchService
    from kbstudio.loop.finder import published_finder

    service = SearchService(kb, index_dir)
    try:
        if service.open_existing():
            return published_finder(service.search), service
    except Exception:   # noqa: BLE001 - an index that cannot be read only means no closing by search
        pass
    service.close()
    return None, None


def _groups(kb: KnowledgeBase, loop: KnowledgeLoop, documents: Sequence[DocumentFields],
            args: argparse.Namespace) -> list[GapGroup]:
    read = loop.gaps()
    _warn(read.problems)
    finds, service = (None, None) if args.no_search else _finder(kb, args.index_dir)
    try:
        return close_groups(group_gaps(read.items()), documents, finds)
    finally:
        if service is not None:
            service.close()


@_guard
def cmd_gaps(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """List the groups of failed searches (open ones by default), or create an article from one."""
    loop = KnowledgeLoop.open(kb)
    documents = kb.load_all()
    groups = _groups(kb, loop, documents, args)
    shown = groups if args.all else [group for group in groups if group.is_open]
    if args.create is not None:
        return _create(kb, args, shown, documents)
    drafts = drafts_for(shown, documents)
    if args.json:
        _dump([{**group.to_json(), "drafts": drafts.get(group.key, [])} for group in shown])
        return EXIT_OK
    for number, group in enumerate(shown, 1):
        state = "open" if group.is_open else f"closed by {group.closed_by}"
        print(f"{number:>3}. {group.query}  ({_count(group.count, 'search', 'searches')}, "
              f"{_count(group.people, 'person', 'people')}, {state})")
        print(f"     key: {group.key}")
        for text, times in group.examples[1:]:
            print(f"     also: {text}" + (f" (x{times})" if times > 1 else ""))
        if drafts.get(group.key):
            print(f"     draft: {', '.join(drafts[group.key])}")
    _say(f"{sum(1 for group in groups if group.is_open)} open gap(s) of {len(groups)}")
    return EXIT_OK


def _create(kb: KnowledgeBase, args: argparse.Namespace, groups: Sequence[GapGroup],
            documents: Sequence[DocumentFields]) -> int:
    from kbstudio.loop.drafts import create_from_group

    wanted = args.create.strip()
    if wanted.isdigit() and 1 <= int(wanted) <= len(groups):
        group = groups[int(wanted) - 1]
    else:
        group = next((item for item in groups if item.key == wanted), None)   # type: ignore[assignment]
    if group is None:
        raise _Usage(f"no gap '{wanted}': give its number in 'kbstudio gaps' or its key")
    if args.tier is None:
        raise _Usage("give the tier of the new article: --tier L1")
    try:
        created = create_from_group(kb, group, args.tier, title=args.title, owner=args.owner or None,
                                    folder=args.folder, documents=documents)
    except ValueError as error:
        raise _Usage(str(error)) from None
    if args.json:
        _dump({"path": created.rel_path, "id": created.doc_id, "key": group.key})
    else:
        print(created.path)
        _say(f"created {created.doc_id} (draft) from {group.count} searches: {group.query}")
    return EXIT_OK


def setup_gaps(parser: argparse.ArgumentParser) -> None:
    """Add the ``gaps`` command's arguments."""
    parser.add_argument("path", help="the knowledge base folder")
    parser.add_argument("--all", action="store_true", help="closed gaps too")
    parser.add_argument("--create", metavar="N|KEY",
                        help="create a draft article from gap N of the list (or the gap with this key)")
    parser.add_argument("--tier", type=str.upper, choices=TIERS, help="with --create: the article's tier")
    parser.add_argument("--title", help="with --create: the title (default: the most frequent search)")
    parser.add_argument("--owner", help="with --create: the owner")
    parser.add_argument("--folder", help="with --create: the folder (default: articles/)")
    parser.add_argument("--no-search", action="store_true",
                        help="do not close gaps that a search of the existing index now answers")
    parser.add_argument("--index-dir", help="where the search index is (default: the app's)")
    parser.add_argument("--json", action="store_true", help="print one JSON array (or object with --create)")


# remind --------------------------------------------------------------------------------------

@_guard
def cmd_remind(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """List the documents due (or overdue) for review, by owner."""
    loop = KnowledgeLoop.open(kb)
    policy = load_policy(loop.repo) if loop.repo is not None else ReviewPolicy()
    history = read_history(loop.repo) if loop.repo is not None else None
    read = loop.uses()
    _warn(read.problems)
    today = args.today or datetime.now(UTC).date()
    items = reminders(kb.load_all(), policy, history, read.items(), today, args.days)
    grouped = by_owner(items)
    if args.json:
        _dump({"today": today.isoformat(), "days": args.days,
               "policy": {"review_interval_days": dict(policy.review_interval_days),
                          "reuse_counts_as_review": policy.reuse_counts_as_review, "source": policy.source},
               "owners": [{"owner": owner, "documents": [item.to_json() for item in owned]}
                          for owner, owned in grouped.items()]})
        return EXIT_OK
    for owner, owned in grouped.items():
        print(f"{owner}:")
        for item in owned:
            when = f"overdue by {-item.days_left} d" if item.days_left < 0 else f"due in {item.days_left} d"
            print(f"  {item.due.isoformat()}  {when:<16} {item.id or '-'}  {item.tier or '-'}  "
                  f"{shown_name(item.path)}  ({item.reason})")
    ahead = f" + {args.days} days" if args.days else ""
    _say(f"{len(items)} document(s) due by {today.isoformat()}{ahead}")
    return EXIT_OK


def setup_remind(parser: argparse.ArgumentParser) -> None:
    """Add the ``remind`` command's arguments."""
    parser.add_argument("path", help="the knowledge base folder")
    parser.add_argument("--days", type=int, default=0, metavar="N",
                        help="also list what falls due in the next N days")
    parser.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD", help="the date to count from")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for a mail or chat job)")

