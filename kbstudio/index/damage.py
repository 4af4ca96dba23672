"""What counts as a damaged search index, in one place.

Damage is recognised two ways:

- by the exception reading the index raised (``recognise``): Whoosh has no checksums, so bad
  bytes surface as whatever its decoders choke on. The rules below come from truncating and
  overwriting every kind of index file and reading the traceback of each failure:

  * ``struct.error``, ``pickle.UnpicklingError``, ``EOFError``, ``zlib.error``,
    ``UnicodeDecodeError``, Whoosh's ``FileFormatError`` and its ``whoosh.index.IndexError``
    family (a table of contents from "another architecture", a missing one), except
    ``OutOfDateError`` (a writer raced another), are damage when raised inside Whoosh (whose
    decoders are the only code that unpacks, unpickles or inflates index bytes);
  * ``OSError`` raised inside Whoosh is damage when it says a file is missing or an offset is
    impossible (ENOENT, EINVAL, EIO, EOVERFLOW, EFBIG): a permission, read-only or full-disk
    error is the machine's problem, not the index's, and a rebuild would not help;
  * a plain ``Exception`` (Whoosh's "Block tag error"), ``ValueError``, ``TypeError``,
    ``KeyError``, ``IndexError``, ``AttributeError``, ``OverflowError`` or ``MemoryError`` is
    damage only when the innermost frame that is Whoosh's or ours belongs to one of Whoosh's
    file readers (``READER_MODULES``); raised from our own code it is a bug, never damage.

- by the file record (``record_files`` / ``check_files``): after every commit the size and
  CRC-32 of each Whoosh file is kept in ``files.json`` beside the index. Whoosh never rewrites a
  file it has written (a commit writes new segment files and a new table of contents), so a
  live file whose size differs is damaged; opening compares sizes (one ``stat`` per file), a
  full check (``kbstudio index``, the app in the background) compares checksums too. The full
  check also confirms damage behind an exception the rules above do not recognise (bad bytes
  that reach our own ranker as a nonsense document number).

Logging a damage event (``log_damage``) is the caller's job: it knows what it does about it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import pickle
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh.filedb.filetables import FileFormatError
from whoosh.filedb.structfile import StructFile
from whoosh.index import IndexError as WhooshIndexError
from whoosh.index import OutOfDateError

from kbstudio.storage import atomic_write

RECORD_FILE = "files.json"
_INDEX_FILE = re.compile(r"^(?:MAIN_[0-9a-z]+\.[\w.]+|_MAIN_\d+\.toc)$")
_WHOLE_FILE_CHUNK = 1 << 20

DATA_ERRORS: tuple[type[BaseException], ...] = (
    struct.error, pickle.UnpicklingError, EOFError, zlib.error, UnicodeDecodeError,
    FileFormatError, WhooshIndexError,
)
READER_ERRORS: tuple[type[BaseException], ...] = (
    ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, MemoryError,
)
# Whoosh's modules that decode index files (the table of contents, segments, columns, postings).
READER_MODULES = (
    "whoosh.filedb.", "whoosh.codec.", "whoosh.columns", "whoosh.index", "whoosh.system",
    "whoosh.util.varints", "whoosh.util.numlists",
)
DAMAGE_ERRNOS = frozenset({errno.ENOENT, errno.EINVAL, errno.EIO, errno.EOVERFLOW, errno.EFBIG})
MAX_DETAIL = 160


class IndexDamagedError(RuntimeError):
    """The index's files are damaged: rebuilding it from the documents is the cure.

    ``str(error)`` says what was found, naming the file when it is known; ``__cause__`` is the
    exception that revealed the damage, when one did.
    """


def _frames(error: BaseException) -> list[Any]:
    """Return the frames of ``error``'s traceback, outermost first."""
    frames = []
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _owner(error: BaseException) -> str | None:
    """Return the module of the innermost frame that is Whoosh's or ours (not the stdlib's)."""
    for frame in reversed(_frames(error)):
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(("whoosh.", "kbstudio.")):
            return module
    return None


def is_damage(error: BaseException) -> bool:
    """Return True when ``error``, raised while reading an index, means its files are damaged.

    See the module docstring for the rules. ``IndexDamagedError`` itself is damage.
    """
    if isinstance(error, IndexDamagedError):
        return True
    owner = _owner(error) or ""
    if not owner.startswith("whoosh."):
        return False
    if isinstance(error, OSError):
        return error.errno is None or error.errno in DAMAGE_ERRNOS
    if isinstance(error, OutOfDateError):
        return False
    if isinstance(error, DATA_ERRORS):
        return True
    if type(error) is Exception or isinstance(error, READER_ERRORS):
        return owner.startswith(READER_MODULES)
    return False


def _could_be_damage(error: BaseException) -> bool:
    """Return True for the kinds of exception bad bytes can cause (worth a full file check)."""
    return (type(error) is Exception
            or isinstance(error, (*DATA_ERRORS, *READER_ERRORS, OSError, ArithmeticError)))


def _file_of(error: BaseException) -> str | None:
    """Return the name of the index file being read when ``error`` was raised, when known."""
    if isinstance(error, OSError) and error.filename:
        return Path(str(error.filename)).name
    for frame in reversed(_frames(error)):
        for value in frame.f_locals.values():
            if isinstance(value, StructFile) and getattr(value, "_name", None):
                return str(value._name)
    return None


def describe(error: BaseException) -> str:
    """Return a one-line account of the damage ``error`` revealed: the file and what was wrong."""
    if isinstance(error, IndexDamagedError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror
    else:
        text = str(error) or type(error).__name__
        if type(error) not in (Exception, ValueError):
            text = f"{type(error).__name__}: {text}"
    text = " ".join(text.split())
    if len(text) > MAX_DETAIL:
        text = text[: MAX_DETAIL - 3] + "..."
    name = _file_of(error)
    return f"{name}: {text}" if name else text


def recognise(error: BaseException, folder: Path | None = None) -> IndexDamagedError | None:
    """Return an IndexDamagedError for ``error`` when it reveals damage, else None.

    ``folder`` is the index folder that was being read: when the exception itself is not
    recognised but could come from bad bytes, a full check of the folder's recorded files
    decides. The caller raises the result ``from error``.
    """
    if isinstance(error, IndexDamagedError):
        return error
    if is_damage(error):
        return IndexDamagedError(describe(error))
    if folder is not None and _could_be_damage(error):
        problem = check_files(folder, full=True)
        if problem is not None:
            return IndexDamagedError(f"{problem} ({describe(error)})")
    return None


@contextlib.contextmanager
def reading(folder: Path | None = None) -> Iterator[None]:
    """Run a read of the index, turning an exception that reveals damage into IndexDamagedError.

    Other exceptions (bugs, cancelling, locks) pass through unchanged. ``folder``: see
    ``recognise``. The IndexDamagedError raised has the original exception as ``__cause__``.
    """
    try:
        yield
    except IndexDamagedError:
        raise
    except Exception as error:
        damage = recognise(error, folder)
        if damage is None:
            raise
        raise damage from error


def log_damage(logger: logging.Logger, message: str, *args: object,
               error: BaseException) -> None:
    """Log a damage event with ``error``'s traceback (its cause's included) at WARNING.

    No handler is configured here. Where the program configured none at all, Python's
    last-resort handler would print the traceback on stderr, which the command line promises
    never to do (it prints its own one-line message): the event is then logged at DEBUG,
    which nothing shows.
    """
    level = logging.WARNING if logger.hasHandlers() else logging.DEBUG
    logger.log(level, message, *args, exc_info=error)


# The file record ---------------------------------------------------------------------------

Record = dict[str, tuple[int, int]]   # file name -> (size, CRC-32)


def _crc(path: Path) -> int:
    value = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_WHOLE_FILE_CHUNK):
            value = zlib.crc32(chunk, value)
    return value


def read_record(folder: Path) -> Record | None:
    """Return the file record of the index in ``folder``; None when there is none usable."""
    try:
        raw = json.loads((folder / RECORD_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    record: Record = {}
    for name, entry in raw.items():
        if (isinstance(entry, list) and len(entry) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in entry)):
            record[name] = (entry[0], entry[1])
    return record


def record_files(folder: Path) -> None:
    """Record the size and CRC-32 of every Whoosh file in ``folder`` (after a commit).

    Files already recorded with the same size keep their checksum (Whoosh never rewrites one),
    so after a save only the new segment's files are read. Written without fsync: a record lost
    in a crash only means fewer files are checked. Raises OSError when ``folder`` is unwritable.
    """
    old = read_record(folder) or {}
    record: Record = {}
    with contextlib.suppress(FileNotFoundError):
        for entry in folder.iterdir():
            name = entry.name
            if not _INDEX_FILE.match(name):
                continue
            try:
                size = entry.stat().st_size
                known = old.get(name)
                record[name] = known if known and known[0] == size else (size, _crc(entry))
            except FileNotFoundError:
                continue   # removed by Whoosh's cleanup meanwhile
    data = json.dumps({name: list(entry) for name, entry in sorted(record.items())})
    atomic_write(folder / RECORD_FILE, data.encode("utf-8"), durable=False)


def live_files(segment_ids: list[str], generation: int) -> Callable[[str], bool]:
    """Return a test for the file names the index generation ``generation`` uses."""
    prefixes = tuple(f"{segment_id}." for segment_id in segment_ids)
    toc = f"_MAIN_{generation}.toc"
    return lambda name: name == toc or name.startswith(prefixes)


def check_files(folder: Path, live: Callable[[str], bool] | None = None,
                full: bool = False) -> str | None:
    """Return what is wrong with the recorded files of the index in ``folder``, or None.

    ``live`` says which recorded files the open index uses (those must exist); without it only
    the recorded files present are checked. Sizes are always compared, checksums when ``full``.
    An index without a record (built before records were kept) passes.
    """
    record = read_record(folder)
    if not record:
        return None
    for name, (size, crc) in sorted(record.items()):
        path = folder / name
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            if live is not None and live(name):
                return f"{name} is missing"
            continue
        except OSError as error:
            return f"{name} cannot be read: {error.strerror}"
        if live is not None and not live(name):
            continue
        if actual != size:
            return f"{name} is {actual} bytes, was {size} when written"
        if full:
            try:
                if _crc(path) != crc:
                    return f"{name} has changed since it was written"
            except OSError as error:
                return f"{name} cannot be read: {error.strerror}"
    return None
