"""What the command modules share: a message on stderr, JSON on stdout, and exit codes by error type."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from kbstudio.kb import KnowledgeBase

Handler = Callable[[argparse.Namespace, KnowledgeBase], int]
ExitFor = tuple[type[BaseException] | tuple[type[BaseException], ...], int]
"""An error type (or types) and its exit code."""


def say(message: str) -> None:
    """Print ``kbstudio: message`` on stderr."""
    print(f"kbstudio: {message}", file=sys.stderr)


def dump(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8 kept) on stdout."""
    print(json.dumps(data, ensure_ascii=False, indent=1))


def iso_date(value: str) -> date:
    """Return the date ``YYYY-MM-DD`` (an argparse ``type``); ArgumentTypeError otherwise."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): '{value}'") from None


def message_of(error: BaseException) -> str:
    """Return an error's message as the user reads it (a KeyError's without its quotes)."""
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error)


def guarded(exits: Sequence[ExitFor]) -> Callable[[Handler], Handler]:
    """Return a decorator that turns the errors of ``exits`` (first match wins) into one message
    on stderr and their exit code; other errors pass through to ``kbstudio.cli``."""
    def decorate(handler: Handler) -> Handler:
        def run(args: argparse.Namespace, kb: KnowledgeBase) -> int:
            try:
                return handler(args, kb)
            except tuple(kind for kinds, _ in exits
                         for kind in (kinds if isinstance(kinds, tuple) else (kinds,))) as error:
                say(message_of(error))
                for kinds, code in exits:
                    if isinstance(error, kinds):
                        return code
                raise   # pragma: no cover - the except clause only catches what exits lists
        run.__doc__ = handler.__doc__
        return run
    return decorate
