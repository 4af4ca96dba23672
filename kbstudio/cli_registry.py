"""The ``kbstudio`` command registry: every subcommand's name, help, arguments and handler, in one table.

Dispatch, ``kbstudio --help`` and the choice between running a command and starting the app all
read ``COMMANDS``. An entry names its set-up and handler functions as ``"module:function"`` text,
so the table is known without importing any command's module: ``kbstudio PATH`` starts the app
without loading git, lint or review code first, ``kbstudio --help`` lists every command from the
table alone, and a command loads only its own module.

A new command is one more ``Command`` line here plus its two functions; nothing else lists the
command names.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SetUp = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    """One subcommand of ``kbstudio``.

    ``setup`` and ``handler`` are ``"module:function"`` references, imported only when this
    command runs (or a full parser is built). ``setup(parser)`` adds the command's arguments (and
    may set its description or usage); ``handler(args)`` runs it and returns the exit code, or
    ``handler(args, kb)`` with the KB opened from ``args.path`` when ``needs_kb``.

    ``free_text`` names the positional argument that collects the rest of the words (a search
    query): a word starting with ``-`` that is none of the command's options is one of those
    words, not an unknown option, so ``kbstudio search KB -vpn`` searches for ``-vpn``; the words
    of ``free_text`` arrive as a list, in the order given.
    """

    name: str
    help: str
    setup: str
    handler: str
    needs_kb: bool = False
    free_text: str | None = None

    def load_setup(self) -> SetUp:
        """Return the function that adds this command's arguments (importing its module)."""
        return resolve(self.setup)

    def load_handler(self) -> Callable[..., int]:
        """Return the function that runs this command (importing its module)."""
        return resolve(self.handler)


def resolve(reference: str) -> Any:
    """Return the object a ``"package.module:name"`` reference names, importing its module."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"{reference!r} is not a 'module:name' reference")
    return getattr(importlib.import_module(module_name), attribute)


# Every command, in the order `kbstudio --help` lists them. needs_kb: the handler is given the KB
# opened from args.path (list, new, lint and clone open or check their folder themselves).
COMMANDS: tuple[Command, ...] = (
    Command("list", "list every document of a KB",
            "kbstudio.cli_list:setup_list", "kbstudio.cli_list:cmd_list"),
    Command("new", "create a document from its template",
            "kbstudio.cli:setup_new", "kbstudio.cli:cmd_new"),
    Command("set", "change front-matter fields of documents (tier=L2 tags=vpn,wifi)",
            "kbstudio.cli_set:setup_set", "kbstudio.cli_set:cmd_set", needs_kb=True),
    Command("index", "build or update the search index of a KB",
            "kbstudio.cli_search:setup_index", "kbstudio.cli_search:cmd_index", needs_kb=True),
    Command("search", "search a KB offline",
            "kbstudio.cli_search:setup_search", "kbstudio.cli_search:cmd_search",
            needs_kb=True, free_text="query"),
    Command("sync", "pull (fetch and merge) and push a KB through git",
            "kbstudio.cli_git:setup_sync", "kbstudio.cli_git:cmd_sync", needs_kb=True),
    Command("resolve", "show or resolve one conflicted document after a sync",
            "kbstudio.cli_resolve:setup_resolve", "kbstudio.cli_resolve:cmd_resolve", needs_kb=True),
    Command("history", "every version of a document, following renames",
            "kbstudio.cli_git:setup_history", "kbstudio.cli_git:cmd_history", needs_kb=True),
    Command("commit", "commit the KB's saved changes",
            "kbstudio.cli_git:setup_commit", "kbstudio.cli_git:cmd_commit", needs_kb=True),
    Command("clone", "clone a remote KB into a new folder",
            "kbstudio.cli_git:setup_clone", "kbstudio.cli_git:cmd_clone"),
    Command("git-programs", "what the KB repository's own git config and hooks would run; allow it",
            "kbstudio.cli_git:setup_git_programs", "kbstudio.cli_git:cmd_git_programs", needs_kb=True),
    Command("deletion-guard", "show or set your own limit for pulls that take documents out of the KB",
            "kbstudio.cli_guard:setup_deletion_guard", "kbstudio.cli_guard:cmd_deletion_guard",
            needs_kb=True),
    Command("lint", "check content health: front matter, links, SOPs, staleness, duplicates, personal data",
            "kbstudio.cli_lint:setup_lint", "kbstudio.cli_lint:cmd_lint"),
    Command("sop", "show an escalation SOP parsed into checks, fields and limits",
            "kbstudio.cli_sop:setup_sop", "kbstudio.cli_sop:cmd_sop", needs_kb=True),
    Command("handoff", "print the hand-off note of an SOP run (or a blank one)",
            "kbstudio.cli_sop:setup_handoff", "kbstudio.cli_sop:cmd_handoff", needs_kb=True),
    Command("escalate", "which SOP to follow when an article did not solve it",
            "kbstudio.cli_sop:setup_escalate", "kbstudio.cli_sop:cmd_escalate", needs_kb=True),
    Command("map", "the escalation map: tiers, articles per tier, SOP arrows",
            "kbstudio.cli_sop:setup_map", "kbstudio.cli_sop:cmd_map", needs_kb=True),
    Command("submit", "submit a document for review (commits it)",
            "kbstudio.cli_review:setup_submit", "kbstudio.cli_review:cmd_submit", needs_kb=True),
    Command("approve", "publish a document in review (Reviewed-by trailer)",
            "kbstudio.cli_review:setup_approve", "kbstudio.cli_review:cmd_approve", needs_kb=True),
    Command("request-changes", "send a document in review back to draft",
            "kbstudio.cli_review:setup_request_changes", "kbstudio.cli_review:cmd_request_changes",
            needs_kb=True),
    Command("review", "list the review queue, oldest submission first",
            "kbstudio.cli_review:setup_review", "kbstudio.cli_review:cmd_review", needs_kb=True),
    Command("dashboard", "documents by tier and status, stale ones, recent changes, knowledge health",
            "kbstudio.cli_review:setup_dashboard", "kbstudio.cli_review:cmd_dashboard", needs_kb=True),
    Command("use", "record that a document was used on a ticket (or list the uses)",
            "kbstudio.cli_loop:setup_use", "kbstudio.cli_loop:cmd_use", needs_kb=True),
    Command("flag", "flag a document (wrong, outdated, unclear, missing step, duplicate); resolve a flag",
            "kbstudio.cli_loop:setup_flag", "kbstudio.cli_loop:cmd_flag", needs_kb=True),
    Command("flags", "the open flags, by owner",
            "kbstudio.cli_loop:setup_flags", "kbstudio.cli_loop:cmd_flags", needs_kb=True),
    Command("gaps", "failed searches grouped; create a draft article from one",
            "kbstudio.cli_loop:setup_gaps", "kbstudio.cli_loop:cmd_gaps", needs_kb=True),
    Command("remind", "documents due for review per the tier's interval, by owner",
            "kbstudio.cli_loop:setup_remind", "kbstudio.cli_loop:cmd_remind", needs_kb=True),
)


class CommandRegistry:
    """The commands ``kbstudio`` knows, and what follows from them.

    ``wants_app`` decides whether a command line starts the app; ``add_to`` adds the
    subcommands to a parser (setting up the arguments of only those asked for); ``arguments``
    prepares a command's own arguments for argparse (see ``Command.free_text``).
    """

    def __init__(self, commands: Iterable[Command] = COMMANDS) -> None:
        self.commands: dict[str, Command] = {}
        for command in commands:
            if command.name in self.commands:
                raise ValueError(f"two commands are named {command.name!r}")
            self.commands[command.name] = command

    @property
    def names(self) -> frozenset[str]:
        """The name of every command."""
        return frozenset(self.commands)

    def get(self, name: str) -> Command | None:
        """Return the command of this name, or None."""
        return self.commands.get(name)

    def wants_app(self, argv: Sequence[str]) -> bool:
        """True when ``argv`` (without the program name) starts the app instead of a command.

        Nothing, or one existing path, starts the app; a command name or an option (``--help``,
        ``--version``) does not. Anything else is bad usage, which the parser reports.
        """
        if not argv:
            return True
        first = argv[0]
        if first in self.commands or first.startswith("-"):
            return False
        return len(argv) == 1 and Path(first).exists()

    def missing_kb(self, argv: Sequence[str]) -> str | None:
        """Return why ``argv`` names a KB folder that is not there, else None.

        One argument that is no command and no option is the app's KB path: "/nonexistent/kb is
        not a folder" rather than argparse's "invalid choice" (issue #15 report, P7). A word that
        does not look like a path (no ``/`` or ``\\``, no leading ``.`` or ``~``) may be a mistyped
        command, so the message says that too.
        """
        if len(argv) != 1 or argv[0] in self.commands or argv[0].startswith("-"):
            return None
        first = argv[0]
        if Path(first).is_dir():
            return None
        if "/" in first or "\\" in first or first.startswith((".", "~")):
            return f"{first} is not a folder"
        return f"{first} is not a folder, nor a command (kbstudio --help lists them)"

    def add_to(self, parser: argparse.ArgumentParser, setup: Collection[str] | None = None) -> None:
        """Add every command as a subcommand of ``parser``, with ``dest="command"``.

        Each is listed with its help; only the commands in ``setup`` (all when None) get their
        arguments, so a parser for one command imports that command's module alone.
        """
        subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
        for command in self.commands.values():
            subparser = subparsers.add_parser(command.name, help=command.help)
            if setup is None or command.name in setup:
                command.load_setup()(subparser)

    def arguments(self, parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
        """Return ``argv`` (everything after the program name) ready for ``parser.parse_args``.

        For a command with ``free_text``, its options come first and every other word after a
        ``--``, in the order given: a word starting with ``-`` that is none of the command's
        options stays a word, and everything after a ``--`` of the user's is a word too.
        """
        command = self.get(argv[0]) if argv else None
        if command is None or command.free_text is None:
            return list(argv)
        subparser = _subparser(parser, command.name)
        options, words = _separate_words(subparser, argv[1:])
        return [command.name, *options, "--", *words]


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            return action.choices[name]
    raise KeyError(name)


def _option(parser: argparse.ArgumentParser, arg: str) -> tuple[argparse.Action | None, bool]:
    """Return the option ``arg`` names (exactly, as ``--name=value``, as an unambiguous prefix of a
    long option, or as ``-xVALUE``) and whether ``arg`` already holds its value."""
    actions = parser._option_string_actions
    name, equals, _ = arg.partition("=")
    if name in actions:
        return actions[name], bool(equals)
    if arg.startswith("--"):
        candidates = {actions[option] for option in actions if option.startswith(name)}
        if len(candidates) == 1:
            return candidates.pop(), bool(equals)
        return None, False
    short = actions.get(arg[:2])
    if short is not None and short.nargs != 0 and len(arg) > 2:
        return short, True
    return None, False


def _separate_words(parser: argparse.ArgumentParser, argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split a command's arguments into its options (with their values) and the other words."""
    options: list[str] = []
    words: list[str] = []
    position = 0
    while position < len(argv):
        arg = argv[position]
        position += 1
        if arg == "--":
            words.extend(argv[position:])
            break
        action, has_value = _option(parser, arg) if arg.startswith("-") and arg != "-" else (None, False)
        if action is None:
            # An unknown --option is left to argparse to report; -word is a word.
            (options if arg.startswith("--") else words).append(arg)
            continue
        options.append(arg)
        if has_value or action.nargs == 0:
            continue
        wanted = action.nargs if isinstance(action.nargs, int) else 1
        if action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE, argparse.ONE_OR_MORE):
            while position < len(argv) and not argv[position].startswith("-"):
                options.append(argv[position])
                position += 1
                if action.nargs == argparse.OPTIONAL:
                    break
            continue
        options.extend(argv[position:position + wanted])
        position += wanted
    return options, words
