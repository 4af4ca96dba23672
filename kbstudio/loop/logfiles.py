"""The knowledge loop's append-only JSON Lines files in the KB, and reading them back safely.

Layout (every folder is shared through git with the KB)::

    .kbstudio/usage/2026-11--ana-lopez-1a2b3c--3f9a0c12.jsonl   uses (kbstudio.loop.ledger)
    .kbstudio/flags/...                                          flag events (kbstudio.loop.flags)
    .kbstudio/gaps/...                                           failed searches (kbstudio.loop.gaps)
    .kbstudio/<folder>/.gitattributes                            "*.jsonl merge=union"

A file is named by month (UTC), person and device (``kbstudio.loop.identity``): one writer per
file, so two teammates' syncs never touch the same file and git never has a conflict to report.
``merge=union`` is a second guard: should two writers ever share a file, git keeps both sides'
lines instead of stopping at a conflict. Records are only ever appended, one line each, with a
single ``write`` on a file opened for appending (``O_APPEND``).

Reading never raises for a bad record: a line that is not UTF-8, not JSON, not an object, of a
newer format, or with a field of the wrong type is skipped and reported as a ``Problem`` at its
file and line; so is a last line cut short by a crash (no newline, no valid JSON).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from kbstudio.kb import STATE_FOLDER
from kbstudio.loop.identity import Agent
from kbstudio.loop.records import RecordError, check_version, format_time
from kbstudio.model import WARNING, Problem
from kbstudio.reader import UnreadableError, check_regular

USAGE, FLAGS, GAPS = "usage", "flags", "gaps"
FOLDERS: tuple[str, ...] = (USAGE, FLAGS, GAPS)
SUFFIX = ".jsonl"
ATTRIBUTES_TEXT = (f"# KB Studio: every {SUFFIX} file here only grows; should two people ever write the "
                   "same one, git keeps both sides' lines.\n"
                   f"*{SUFFIX} merge=union\n")
MAX_LINE_BYTES = 1 << 20     # 1 MiB: a record is a few hundred bytes; anything longer is not one
# 64 MiB: about 150,000 records of one person in one month, far beyond a busy agent (~50 a day).
MAX_FILE_BYTES = 64 << 20
PROBLEM_RULE = "loop-record"
_NAME = re.compile(r"^(\d{4}-\d{2})--([a-z0-9-]+)--([0-9a-f]+)\.jsonl$")

T = TypeVar("T")


def folder_rel(folder: str) -> str:
    """Return the KB-relative path of a loop folder: ``.kbstudio/usage``."""
    if folder not in FOLDERS:
        raise ValueError(f"unknown loop folder '{folder}' (known: {', '.join(FOLDERS)})")
    return f"{STATE_FOLDER}/{folder}"


def record_folders() -> list[str]:
    """Return the KB-relative paths of the loop's record folders (``.kbstudio/usage`` ...): not
    content, so left out of "Recent changes" (``kbstudio.review.dashboard.recent_changes``)."""
    return [folder_rel(folder) for folder in FOLDERS]


def file_name(moment: datetime, agent: Agent, device: str) -> str:
    """Return the log file name for a record made at ``moment`` by ``agent`` on ``device``."""
    month = format_time(moment)[:7]
    return f"{month}--{agent.slug}--{device}{SUFFIX}"


def ensure_folder(root: Path, folder: str) -> Path:
    """Create the loop folder with its ``.gitattributes`` (merge=union) when missing; return it.

    Raises OSError when the folder (or ``.kbstudio``) is a symbolic link: records are written
    inside the KB only, never where a link committed by someone else points.
    """
    path = root / folder_rel(folder)
    for part in (path.parent, path):
        if part.is_symlink():
            raise OSError(f"{part.relative_to(root).as_posix()} is a symbolic link; records are not "
                          "written through it")
    path.mkdir(parents=True, exist_ok=True)
    attributes = path / ".gitattributes"
    if not attributes.exists():
        attributes.write_text(ATTRIBUTES_TEXT, encoding="utf-8")
    return path


def append_record(root: Path, folder: str, record: dict[str, Any], moment: datetime, agent: Agent,
                  device: str) -> str:
    """Append ``record`` as one JSON line to this person's and device's file of the month.

    Returns the KB-relative path of the file. A file whose last line was cut short (a crash
    mid-write) gets a line break first, so the new record stands on a line of its own. Raises
    OSError when the folder or file cannot be written.
    """
    path = ensure_folder(root, folder) / file_name(moment, agent, device)
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    data = line.encode("utf-8")
    # O_NOFOLLOW: a file replaced by a symbolic link (a hostile commit) is refused, not written through.
    # O_NONBLOCK: a named pipe put in the file's place fails at once (ENXIO) instead of blocking.
    flags = (os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_NONBLOCK", 0))
    if os.path.lexists(path):
        _writable_kind(os.lstat(path).st_mode, path)
    handle = os.open(path, flags, 0o644)
    try:
        status = os.fstat(handle)
        _writable_kind(status.st_mode, path)
        size = status.st_size
        if size and _last_byte(path) != b"\n":
            data = b"\n" + data
        os.write(handle, data)
    finally:
        os.close(handle)
    return f"{folder_rel(folder)}/{path.name}"


def _writable_kind(mode: int, path: Path) -> None:
    """Raise OSError "<path>: not a regular file (a named pipe)" and the like for a special file."""
    try:
        check_regular(mode, path)
    except UnreadableError as error:
        raise OSError(f"{path}: {error.message}") from None


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1)


def log_files(root: Path, folder: str) -> list[Path]:
    """Return every ``.jsonl`` file of a loop folder, sorted by name (month first)."""
    path = root / folder_rel(folder)
    try:
        names = sorted(entry.name for entry in os.scandir(path)
                       if entry.name.endswith(SUFFIX) and not entry.name.startswith(".")
                       and entry.is_file(follow_symlinks=False))
    except OSError:
        return []
    return [path / name for name in names]


def parse_file_name(name: str) -> tuple[str, str, str] | None:
    """Return (month, person slug, device) of a log file name written by ``file_name``, else None."""
    match = _NAME.match(name)
    return (match.group(1), match.group(2), match.group(3)) if match else None


@dataclass(frozen=True)
class Located(Generic[T]):
    """A record read from a log file, with where it stands (KB-relative file, 1-based line)."""

    record: T
    path: str
    line: int


@dataclass
class LogRead(Generic[T]):
    """What reading a loop folder gave: the good records in file and line order, and the bad lines."""

    records: list[Located[T]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def items(self) -> list[T]:
        """Return the records alone."""
        return [entry.record for entry in self.records]


def read_folder(root: Path, folder: str, parse: Callable[[dict[str, Any]], T]) -> LogRead[T]:
    """Read every record of a loop folder with ``parse`` (which raises RecordError for a bad one).

    Never raises: unreadable files and bad lines become ``problems`` naming file and line.
    """
    result: LogRead[T] = LogRead()
    for path in log_files(root, folder):
        rel = f"{folder_rel(folder)}/{path.name}"
        for number, data, problem in _lines(path):
            if problem is not None:
                result.problems.append(Problem(PROBLEM_RULE, WARNING, rel, number or None, problem))
                continue
            try:
                check_version(data)
                result.records.append(Located(parse(data), rel, number))
            except RecordError as error:
                result.problems.append(Problem(PROBLEM_RULE, WARNING, rel, number,
                                               f"record skipped: {error}"))
    return result


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any], str | None]]:
    """Yield (line number, object, None) per good line and (line number, {}, why) per bad one."""
    try:
        status = path.stat()
        check_regular(status.st_mode, path)
        size = status.st_size
        if size > MAX_FILE_BYTES:
            yield 0, {}, (f"{size // (1 << 20)} MB is too large for one person's month of records "
                          f"(the limit is {MAX_FILE_BYTES >> 20} MB); skipped")
            return
        raw = path.read_bytes()
    except UnreadableError as error:
        yield 0, {}, error.message
        return
    except OSError as error:
        yield 0, {}, f"cannot be read: {error.strerror or error}"
        return
    lines = raw.split(b"\n")
    complete = raw.endswith(b"\n")
    if complete:
        lines.pop()
    for number, line in enumerate(lines, 1):
        last = number == len(lines) and not complete
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            yield number, {}, f"line of {len(line)} bytes is too long to be a record; skipped"
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            yield number, {}, f"not valid UTF-8 (byte {error.start + 1}); skipped"
            continue
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as error:
            why = ("cut short (no line end: a write that did not finish); skipped" if last
                   else f"not valid JSON ({getattr(error, 'msg', 'too deeply nested')}); skipped")
            yield number, {}, why
            continue
        if not isinstance(data, dict):
            yield number, {}, f"a JSON {type(data).__name__}, not a record object; skipped"
            continue
        yield number, data, None
