"""The ``kbstudio`` command line: run a subcommand, or start the app."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import os
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from kbstudio import __version__
from kbstudio.cli_registry import CommandRegistry
from kbstudio.kb import KnowledgeBase
from kbstudio.logs import configure_logging, log_file_path
from kbstudio.model import KINDS, TIERS
from kbstudio.names import json_text, shown_text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# Every command's name, from the registry's table (no command module is imported to know them).
COMMAND_NAMES = CommandRegistry().names


class UsageError(Exception):
    """Bad usage or unreadable input: exit code 2."""


def _json_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: what a non-UTF-8 output cannot encode, as JSON escapes of itself."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = "".join(json.dumps(char)[1:-1] for char in error.object[error.start:error.end])
    return escaped, error.end


codecs.register_error("kbstudio.json", _json_unencodable)


class SafeOutput:
    """A text stream whose writes pass through ``kbstudio.names.shown_text`` (or ``json_text``).

    Every command writes through one: nothing it prints (names from disk or git, titles, messages)
    can raise UnicodeEncodeError, put bytes that are not UTF-8 in the output, move the cursor or
    reverse text on screen. An output that is not UTF-8 (a Windows console, ``PYTHONIOENCODING``)
    gets escapes for what it cannot encode.
    """

    def __init__(self, stream: TextIO, json_mode: bool = False) -> None:
        self.stream = stream
        self._escape = json_text if json_mode else shown_text
        encoding = (getattr(stream, "encoding", None) or "utf-8")
        try:
            utf8 = codecs.lookup(encoding).name == "utf-8"
        except LookupError:
            utf8 = False
        self._encoding = None if utf8 else encoding
        self._errors = "kbstudio.json" if json_mode else "backslashreplace"

    def write(self, text: str) -> int:
        safe = self._escape(text)
        if self._encoding is not None:
            safe = safe.encode(self._encoding, self._errors).decode(self._encoding, "replace")
        self.stream.write(safe)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def safe_output(json_stdout: bool = False) -> Iterator[None]:
    """Write ``sys.stdout`` and ``sys.stderr`` through ``SafeOutput`` while the block runs."""
    stdout, stderr = sys.stdout, sys.stderr
    if stdout is None or stderr is None:   # no console (pythonw): nothing to guard
        yield
        return
    sys.stdout, sys.stderr = SafeOutput(stdout, json_stdout), SafeOutput(stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _kb(path: str) -> KnowledgeBase:
    folder = Path(path)
    if not folder.is_dir():
        raise UsageError(f"{path}: not a folder (a knowledge base is a folder of Markdown files)")
    return KnowledgeBase(folder)


def cmd_new(args: argparse.Namespace) -> int:
    """Create a document from its template and print its path."""
    kb = _kb(args.path)
    if not isinstance(args.title, str) or not isinstance(args.owner or "", str):
        raise UsageError("give the title as --title TEXT (argparse drops a value of '--')")
    try:
        created = kb.create(args.kind, args.title, args.tier.upper(), folder=args.folder,
                            owner=args.owner or "", escalates_to=args.escalates_to)
    except ValueError as error:
        raise UsageError(str(error)) from None
    print(created.path)
    print(f"created {created.doc_id}", file=sys.stderr)
    return EXIT_OK


def setup_new(new: argparse.ArgumentParser) -> None:
    """Add the ``new`` command's arguments."""
    new.add_argument("path", help="the knowledge base folder")
    new.add_argument("--kind", choices=KINDS, default="article")
    new.add_argument("--title", required=True)
    new.add_argument("--tier", required=True, type=str.upper, choices=TIERS)
    new.add_argument("--folder", help="folder inside the KB (default: articles/ or sops/)")
    new.add_argument("--owner", help="owner team or person")
    new.add_argument("--escalates-to", type=str.upper, choices=TIERS,
                     help="for SOPs: the tier it hands over to (default: the next tier up)")


class _LogPathAction(argparse.Action):
    """``--log-path``: print where the log file is (``kbstudio.logs.log_file_path``) and exit."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the path of the log file and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(log_file_path())
        parser.exit()


def build_parser(registry: CommandRegistry | None = None,
                 setup: Collection[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser of ``kbstudio`` with every registered command.

    Every command is listed (``kbstudio --help``); only those in ``setup`` (all when None) get
    their arguments, which imports their modules.
    """
    parser = argparse.ArgumentParser(prog="kbstudio", description=(
        "KB Studio: knowledge base and escalation SOPs for tiered IT support. "
        "Run 'kbstudio [PATH]' to open the app."))
    parser.add_argument("--version", action="version", version=f"kbstudio {__version__}")
    parser.add_argument("--log-path", action=_LogPathAction)
    (registry or CommandRegistry()).add_to(parser, setup)
    return parser


def subcommand_names() -> set[str]:
    """Return the names of every subcommand, as the full parser knows them."""
    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _run_app(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="kbstudio", add_help=False)
    parser.add_argument("path", nargs="?")
    args, _ = parser.parse_known_args(argv)
    from kbstudio import qtcheck

    # Before Qt loads: its own abort for a missing xcb library says nothing of what to install.
    if qtcheck.wanted(os.environ) and qtcheck.main() != 0:
        return 1
    from kbstudio.ui.app import run_app  # Qt only loads when the app starts

    return run_app(args.path)


def main(argv: Sequence[str] | None = None, registry: CommandRegistry | None = None) -> int:
    """Run the command line; return the exit code.

    ``registry`` (default: every command of ``kbstudio.cli_registry.COMMANDS``) decides whether
    ``argv`` starts the app or a command, builds the parser and names the handler.
    """
    configure_logging()   # the log file and the exception hooks: no traceback reaches the terminal
    argv = list(sys.argv[1:] if argv is None else argv)
    registry = registry or CommandRegistry()
    if registry.wants_app(argv):
        return _guarded(lambda: _run_app(argv))
    if (why := registry.missing_kb(argv)) is not None:
        print(f"kbstudio: {why}", file=sys.stderr)
        return EXIT_USAGE
    with safe_output():
        # Only the command asked for is set up, so only its module loads.
        parser = build_parser(registry, setup=registry.names & set(argv[:1]))
        args = parser.parse_args(registry.arguments(parser, argv))
        command = registry.get(args.command) if getattr(args, "command", None) else None
        if command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        handler = command.load_handler()
    from kbstudio.cli_search import HANDLED_ERRORS

    # --json (and search --batch) print JSON on stdout: escaped so that it stays valid JSON
    with safe_output(json_stdout=bool(getattr(args, "json", False) or getattr(args, "batch", None))):
        if command.needs_kb:
            return _guarded(lambda: handler(args, _kb(args.path)), HANDLED_ERRORS)
        return _guarded(lambda: handler(args), HANDLED_ERRORS)


def _guarded(run: Callable[[], int], handled: tuple[type[BaseException], ...] = ()) -> int:
    usage_errors: tuple[type[BaseException], ...] = (UsageError, *handled)
    try:
        return run()
    except usage_errors as error:
        print(f"kbstudio: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kbstudio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        print(f"kbstudio: {error}", file=sys.stderr)
        return EXIT_USAGE
