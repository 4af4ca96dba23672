"""The ``deletion-guard`` command: show, set or clear your own deletion-guard limit for a KB."""

from __future__ import annotations

import argparse
import json
import sys

from kbstudio.kb import KnowledgeBase
from kbstudio.vcs.guard import DEFAULT_PERCENT, TEAM_FILE, GuardSettingError, Limit, UserLimits, parse_percent
from kbstudio.vcs.runner import GitError
from kbstudio.vcs.service import VersionControl

EXIT_OK, EXIT_USAGE = 0, 2


def _limit(kb: KnowledgeBase) -> Limit:
    try:
        vc = VersionControl.open(kb)
    except GitError:
        vc = None
    if vc is not None:
        return vc.sync.guard.limit()
    own = UserLimits().get(kb.root)
    return Limit(own, "user") if own is not None else Limit(DEFAULT_PERCENT, "default")


def cmd_deletion_guard(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Show the limit in force; with PERCENT or --clear, set or remove your own first."""
    users = UserLimits()
    if args.clear:
        users.set(kb.root, None)
    elif args.percent is not None:
        try:
            users.set(kb.root, parse_percent(args.percent))
        except GuardSettingError as error:
            print(f"kbstudio: {error}", file=sys.stderr)
            return EXIT_USAGE
    limit = _limit(kb)
    if args.json:
        print(json.dumps({**limit.to_json(), "kb": str(kb.root), "settings_file": str(users.path)},
                         ensure_ascii=False, indent=1))
    else:
        print(f"deletion guard for {kb.root}: a pull that takes more than {limit} of the documents out of "
              "the KB asks first")
        if limit.source != "user":
            print(f"your own setting (none yet) would win over the team's {TEAM_FILE}: "
                  "kbstudio deletion-guard PATH PERCENT")
    return EXIT_OK


def setup_deletion_guard(guard: argparse.ArgumentParser) -> None:
    """Add the ``deletion-guard`` command's arguments."""
    guard.add_argument("path", help="the knowledge base folder")
    guard.add_argument("percent", nargs="?", help="your own limit for this KB, 0 to 100 (25, 25%%)")
    guard.add_argument("--clear", action="store_true", help="remove your own limit")
    guard.add_argument("--json", action="store_true", help="print one JSON object")
