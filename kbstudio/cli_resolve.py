"""``kbstudio resolve``: a conflicted document field by field and hunk by hunk; asks before discarding."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import cast

from kbstudio.cli_git import (
    EXIT_CONFLICTS,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    _dump,
    _guard,
    _kb_rel,
    _reindex,
    _say,
    _vc,
)
from kbstudio.kb import KnowledgeBase
from kbstudio.names import shown_name
from kbstudio.vcs.conflicts import Choice, Conflict
from kbstudio.vcs.fmmerge import Discard, Part, Pick, Resolution, describe_key
from kbstudio.vcs.service import VersionControl

PICKS = ("mine", "theirs", "both")
SIDE_WORDS = {"mine": "yours", "theirs": "theirs", "same": "both alike", "unchanged": "unchanged"}


def _part_choice(prefix: str) -> Callable[[str], tuple[str, Resolution]]:
    """Return an argparse type reading ``NAME=mine|theirs|both`` into (``prefix:NAME``, choice)."""
    def parse(text: str) -> tuple[str, Resolution]:
        name, sep, choice = text.rpartition("=")
        if not sep or not name or choice not in PICKS:
            raise argparse.ArgumentTypeError(f"{text!r}: write NAME=mine, NAME=theirs or NAME=both")
        return f"{prefix}:{name}", cast(Pick, choice)   # one of PICKS, as just checked
    return parse


def _indented(label: str, text: str, present: bool = True) -> list[str]:
    if not present:
        return [f"    {label:12} (not set)"]
    lines = text.splitlines() or [""]
    return [f"    {label if i == 0 else '':12} {line}" for i, line in enumerate(lines)]


def describe_part(part: Part) -> list[str]:
    """Return a conflict's three texts in plain words, for the terminal."""
    out = [f"  {describe_key(part)}: {part.label}"]
    for side, label in (("base", "before both:"), ("mine", "yours:"), ("theirs", "theirs:")):
        out += _indented(label, part.text(side), part.is_set(side) or part.kind != "field")
    return out


def describe_conflict(conflict: Conflict) -> list[str]:
    """Return what merged by itself and what waits, place by place."""
    lines = [conflict.description]
    record = conflict.merge
    if record is None:
        return [*lines, "  the whole document: choose --mine or --theirs"]
    if record.merged:
        lines.append("merged by themselves:")
        lines += [f"  {part.label}: {SIDE_WORDS[part.state]}" for part in record.merged]
    if not record.fields_merged:
        lines.append("(the front matter of one side cannot be read: merged line by line)")
    if record.conflicts:
        lines.append("waiting for your choice:")
        for part in record.conflicts:
            lines += describe_part(part)
    return lines


def conflict_summary(vc: VersionControl, path: str) -> str:
    """Return one line: the document's conflicts by field and hunk, and what merged by itself."""
    conflict = vc.conflicts.find(path)
    record = conflict.merge
    if record is None:
        return f"{conflict.description}: keep one side"
    waiting = ", ".join(describe_key(part) for part in record.conflicts)
    merged = ", ".join(f"{part.label} ({SIDE_WORDS[part.state]})" for part in record.merged)
    return (f"{shown_name(path)}: conflicts in {waiting}"
            + (f"; merged by themselves: {merged}" if merged else ""))


def _confirm(dropped: list[Discard], assume_yes: bool) -> bool:
    """Show what a choice discards; ask on a terminal; without one, only --yes confirms."""
    print("This discards (it stays in the history):", file=sys.stderr)
    for item in dropped:
        print("  " + str(item).rstrip("\n").replace("\n", "\n  "), file=sys.stderr)
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        _say("nothing resolved: run again with --yes to discard this, or choose per --field/--hunk")
        return False
    answer = input("Discard it? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


@_guard
def cmd_resolve(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Show a conflicted document's conflicts, or resolve them; the last document finishes the merge."""
    vc = _vc(kb)
    rel = _kb_rel(kb, args.file)
    conflict = vc.conflicts.find(rel)
    parts: dict[str, Resolution] = dict(args.field or []) | dict(args.hunk or [])
    choice: Choice | None = args.choice or ("merged" if parts else None)
    if choice is None:
        record = conflict.merge
        if args.json:
            _dump({**conflict.to_json(), "fields_merged": record.fields_merged if record else None,
                   "merged": [p.to_json() for p in record.merged] if record else [],
                   "conflicts": [p.to_json() for p in record.conflicts] if record else []})
        else:
            print("\n".join(describe_conflict(conflict)))
            _say("choose with --mine or --theirs (every conflict), --field NAME=mine|theirs|both, "
                 "--hunk N=mine|theirs|both, or edit the file and use --edited")
        return EXIT_CONFLICTS
    if choice == "edited" and parts:
        _say("--edited takes the file as it is: leave out --field and --hunk")
        return EXIT_USAGE
    if choice != "edited":
        dropped = conflict.discards(choice, parts)
        if dropped and not _confirm(dropped, args.yes or choice == "merged"):
            return EXIT_PROBLEMS
    outcome = vc.conflicts.resolve(conflict.path, choice, parts=parts or None)
    if outcome.finished:
        _reindex(kb, outcome.changed, args.index_dir)
        for change in outcome.renumbered:
            _say(str(change))
        sha = (outcome.merge_sha or "")[:8]
        _say(f"all conflicts resolved; merge committed as {sha} (run 'kbstudio sync' to push it)")
        return EXIT_OK
    for path in outcome.remaining:
        print(shown_name(path))
    _say(f"{len(outcome.remaining)} conflicts left")
    return EXIT_CONFLICTS


def setup_resolve(resolve: argparse.ArgumentParser) -> None:
    """Add the ``resolve`` command's arguments and description."""
    resolve.description = (
        "Without a choice, show the document's conflicts field by field and hunk by hunk "
        "and what merged by itself. --mine and --theirs settle every conflict that way and "
        "keep what merged by itself; they show what of the other side they discard and ask "
        "first (--yes answers). --field and --hunk choose one conflict each.")
    resolve.add_argument("path", help="the knowledge base folder")
    resolve.add_argument("file", help="the conflicted document")
    choice = resolve.add_mutually_exclusive_group()
    for name, meaning in (("mine", "keep your side of every conflict"),
                          ("theirs", "take their side of every conflict"),
                          ("edited", "take the file as you edited it (refused while markers remain)")):
        choice.add_argument(f"--{name}", dest="choice", action="store_const", const=name, help=meaning)
    resolve.add_argument("--field", action="append", type=_part_choice("field"), metavar="NAME=CHOICE",
                         help="choose one front-matter field: mine, theirs, or both (lists)")
    resolve.add_argument("--hunk", action="append", type=_part_choice("hunk"), metavar="N=CHOICE",
                         help="choose the Nth body conflict: mine, theirs, or both (yours, then theirs)")
    resolve.add_argument("--yes", action="store_true", help="discard the other side without asking")
    resolve.add_argument("--json", action="store_true", help="show the conflicts as one JSON object")
    resolve.add_argument("--index-dir", help="folder holding the indexes (default: user cache)")
