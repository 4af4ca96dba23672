"""The ``lint`` command: content health checks for a KB, for people, pre-commit and CI."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from json.encoder import encode_basestring as _string  # as json.dumps(ensure_ascii=False)
from pathlib import Path

from kbstudio.jsonout import json_array_of_texts
from kbstudio.kb import KnowledgeBase
from kbstudio.lint import RULES, Linter, select_rules
from kbstudio.model import ERROR, INFO, WARNING, Problem
from kbstudio.workers import worker_count

SEVERITY_RANK: dict[str, int] = {INFO: 0, WARNING: 1, ERROR: 2}
LINES_PER_WRITE = 2000


def _ids(values: str | list[str] | None) -> list[str] | None:
    """Return the rule ids of every ``--rule`` (or ``--ignore``) given: each comma-separated, in order.

    None when the option was not given at all.
    """
    if values is None:
        return None
    return [part.strip() for value in ([values] if isinstance(values, str) else values)
            for part in value.split(",") if part.strip()]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): '{value}'") from None


def _print_rules() -> None:
    width = max(len(rule.id) for rule in RULES)
    for rule in RULES:
        print(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.description}")


def _finding_json(problem: Problem) -> str:
    """Return ``item_text(problem.to_json())`` (kbstudio.jsonout) written straight from the finding:
    a third of the time, which is a second for the 230,000 findings of 25,000 near-duplicates."""
    line = "null" if problem.line is None else int.__repr__(problem.line)
    return (f' {{\n  "rule": {_string(problem.rule)},\n  "severity": {_string(problem.severity)},\n'
            f'  "path": {_string(problem.path)},\n  "line": {line},\n'
            f'  "message": {_string(problem.message)}\n }}')


def _summary(shown: list[Problem], total: int, documents: int, seconds: float) -> str:
    errors = sum(1 for p in shown if p.severity == ERROR)
    warnings = sum(1 for p in shown if p.severity == WARNING)
    hidden = f" ({total - len(shown)} below the severity not shown)" if total > len(shown) else ""
    return (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}{hidden} "
            f"in {documents} documents ({seconds:.2f} s)")


def cmd_lint(args: argparse.Namespace) -> int:
    """Lint a KB; exit 1 when anything at or above --severity was found."""
    if args.list_rules:
        _print_rules()
        return 0
    if args.path is None:
        raise argparse.ArgumentTypeError("lint: give the knowledge base folder (PATH)")
    if not Path(args.path).is_dir():
        raise argparse.ArgumentTypeError(
            f"{args.path}: not a folder (a knowledge base is a folder of Markdown files)")
    try:
        rules = select_rules(_ids(args.rule), _ids(args.ignore) or ())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    started = time.perf_counter()
    # One document's text at a time, in worker processes where that is safe (kbstudio.workers).
    kb = KnowledgeBase(Path(args.path))
    linter = Linter.read(kb, today=args.today, rules=rules, workers=worker_count())
    problems = linter.problems()
    threshold = SEVERITY_RANK[args.severity]
    shown = [p for p in problems if SEVERITY_RANK.get(p.severity, 0) >= threshold]
    if args.json:
        for piece in json_array_of_texts(map(_finding_json, shown)):   # never the whole text at once
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    else:
        for start in range(0, len(shown), LINES_PER_WRITE):   # 200,000 findings: few writes, no huge text
            sys.stdout.write("".join(f"{problem}\n" for problem in shown[start:start + LINES_PER_WRITE]))
    print(_summary(shown, len(problems), linter.document_count, time.perf_counter() - started),
          file=sys.stderr)
    return 1 if shown else 0


def setup_lint(lint: argparse.ArgumentParser) -> None:
    """Add the ``lint`` command's arguments."""
    lint.add_argument("path", nargs="?", help="the knowledge base folder")
    lint.add_argument("--json", action="store_true",
                      help='print one JSON array of {"rule", "severity", "path", "line", "message"}')
    lint.add_argument("--severity", choices=(ERROR, WARNING), default=WARNING,
                      help="report and fail on findings at or above this (default: warning)")
    lint.add_argument("--rule", metavar="IDS", action="append",
                      help="run only these rules (comma-separated ids; may be repeated)")
    lint.add_argument("--ignore", metavar="IDS", action="append",
                      help="skip these rules (comma-separated ids; may be repeated)")
    lint.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the date stale checks use")
    lint.add_argument("--list-rules", action="store_true", help="print every rule and exit")
