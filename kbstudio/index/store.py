"""Where an index lives, how it is opened, locked, and swapped in after a rebuild."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout
from platformdirs import user_cache_dir
from whoosh import index as whoosh_index
from whoosh.index import Index

from kbstudio.index.damage import IndexDamagedError, check_files, live_files, reading
from kbstudio.index.schema import SCHEMA_VERSION, build_schema
from kbstudio.kb import kb_folder_name
from kbstudio.storage import atomic_write

ENV_INDEX_DIR = "KBSTUDIO_INDEX_DIR"
POINTER_FILE = "current"
LOCK_FILE = "write.lock"
MANIFEST_FILE = "manifest.json"
MANIFEST_LOG = "manifest.log"
MAX_LOG_LINES = 5000
INFO_FILE = "info.json"
_FOLDER_NAME = re.compile(r"^ix-\d+$")
log = logging.getLogger(__name__)
# Errors that say the index folder cannot be written (not that the index is damaged).
UNWRITABLE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                               errno.ENOTDIR, errno.EEXIST, errno.EISDIR})

# A manifest entry: (mtime_ns, size, content hash) of the file as it was indexed.
Manifest = dict[str, tuple[int, int, str]]


class IndexLockedError(RuntimeError):
    """Another writer holds the index for longer than the lock timeout."""


class IndexMissingError(RuntimeError):
    """There is no index yet, or one of another schema version: build one.

    A damaged index raises ``kbstudio.index.damage.IndexDamagedError`` instead.
    """


class IndexUnwritableError(RuntimeError):
    """The index folder cannot be written (permissions, read-only or full disk, not a folder)."""


def index_base_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder that holds one index folder per KB."""
    chosen = override or os.environ.get(ENV_INDEX_DIR)
    if chosen:
        return Path(chosen).expanduser()
    return Path(user_cache_dir("kbstudio", appauthor=False)) / "indexes"


def index_dir_for(kb_root: Path, base: Path) -> Path:
    """Return the index folder of the KB at ``kb_root``."""
    return base / kb_folder_name(kb_root)


@dataclass
class LiveIndex:
    """An opened index: the Whoosh index, its folder and the manifest of what it holds."""

    index: Index
    folder: Path
    manifest: Manifest

    def close(self) -> None:
        """Release the Whoosh index's file handles."""
        with contextlib.suppress(Exception):
            self.index.close()

    def check_files(self, full: bool = False) -> None:
        """Compare the files this index uses with their record (see ``damage.check_files``).

        Raises IndexDamagedError naming the first file that is missing, of another size or,
        when ``full``, of another checksum.
        """
        with reading(self.folder):
            live = live_files([s.segment_id() for s in self.index._segments()],
                              self.index.latest_generation())
        problem = check_files(self.folder, live, full)
        if problem is not None:
            raise IndexDamagedError(problem)


class IndexStore:
    """The on-disk home of one KB's index."""

    def __init__(self, kb_root: Path, base_dir: Path | None = None) -> None:
        self.kb_root = Path(kb_root).resolve()
        self.home = index_dir_for(self.kb_root, base_dir or index_base_dir())
        self._base_cache: tuple[tuple[str, int, int], Manifest] | None = None
        self._said: set[str] = set()   # unwritable-folder messages logged already

    def current_folder(self) -> Path | None:
        """Return the live index folder named by the pointer file, if any."""
        try:
            return self.live_folder()
        except (IndexMissingError, IndexDamagedError, IndexUnwritableError):
            return None

    def live_folder(self) -> Path:
        """Return the live index folder named by the pointer file.

        Raises IndexMissingError when there is no pointer (no index yet, or only folders left by
        a build that never finished, which the next build removes), IndexDamagedError when the
        pointer is unreadable or names no index folder, IndexUnwritableError when the index
        folder is under a file (``KBSTUDIO_INDEX_DIR`` names a file: a setting, not damage).
        """
        pointer = self.home / POINTER_FILE
        for _ in range(3):   # a rebuild may swap the pointer and remove the old folder meanwhile
            try:
                raw = pointer.read_bytes()
            except FileNotFoundError:
                left = any(self.home.glob("ix-*"))
                raise IndexMissingError(f"the index pointer '{POINTER_FILE}' is missing" if left
                                        else "no index yet") from None
            except OSError as error:
                if error.errno == errno.ENOTDIR:   # the index folder setting names a file: no damage
                    raise self._unwritable(error) from None
                raise IndexDamagedError(f"the index pointer cannot be read: {error.strerror}") from None
            name = raw.decode("utf-8", "replace").strip()
            if not _FOLDER_NAME.match(name):
                shown = name[:40] + ("..." if len(name) > 40 else "")
                raise IndexDamagedError(f"the index pointer holds {shown!r}, not an index folder name")
            folder = self.home / name
            if folder.is_dir():
                return folder
            with contextlib.suppress(OSError):
                if pointer.read_bytes() != raw:
                    continue
            break
        raise IndexDamagedError(f"the index pointer names {name}, which is missing")

    def open(self) -> LiveIndex:
        """Open the live index after checking its files' sizes against their record.

        Raises IndexMissingError (no index yet, another schema version: build one) or
        IndexDamagedError (see ``kbstudio.index.damage``: rebuild it). Other exceptions are bugs.
        """
        folder = self.live_folder()
        try:
            return self._open_folder(folder)
        except IndexDamagedError:
            if self.current_folder() in (folder, None):
                raise
            return self._open_folder(self.live_folder())   # replaced by a rebuild while opening

    def _open_folder(self, folder: Path) -> LiveIndex:
        try:
            info = json.loads((folder / INFO_FILE).read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise IndexDamagedError(f"{INFO_FILE} cannot be read: {error}") from None
        version = info.get("schema_version") if isinstance(info, dict) else None
        if version != SCHEMA_VERSION:
            raise IndexMissingError(f"index has schema version {version}, need {SCHEMA_VERSION}")
        with reading(folder):
            index = whoosh_index.open_dir(str(folder))
        live = LiveIndex(index, folder, {})
        try:
            live.check_files()
            live.manifest = self._read_manifest(folder)
        except BaseException:
            live.close()
            raise
        return live

    def _read_manifest(self, folder: Path) -> Manifest:
        """Return the manifest: the base file (cached while unchanged) plus the change log.

        Raises IndexDamagedError when the base file is missing, not JSON, or holds other types;
        a change-log line torn by a crash is skipped (the next sync re-checks that file).
        """
        base_path = folder / MANIFEST_FILE
        try:
            stat = base_path.stat()
            key = (str(base_path), stat.st_mtime_ns, stat.st_size)
            if self._base_cache is None or self._base_cache[0] != key:
                raw = json.loads(base_path.read_text("utf-8"))
                if not isinstance(raw, dict):
                    raise ValueError(f"a JSON {type(raw).__name__}, not an object")
                self._base_cache = (key, {p: _entry(v) for p, v in raw.items()})
            manifest = dict(self._base_cache[1])
        except (OSError, ValueError, TypeError) as error:
            raise IndexDamagedError(f"{MANIFEST_FILE} cannot be read: {error}") from None
        try:
            lines = (folder / MANIFEST_LOG).read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        for line in lines:
            try:
                path, *entry = json.loads(line)
                if not isinstance(path, str):
                    continue
                if entry and entry[0] is not None:
                    manifest[path] = _entry(entry)
                else:
                    manifest.pop(path, None)
            except (ValueError, TypeError):
                continue  # a line torn by a crash: the next sync re-checks that file
        return manifest

    @staticmethod
    def write_manifest(folder: Path, manifest: Manifest) -> None:
        """Save the whole manifest beside the index it describes and empty the change log."""
        data = json.dumps({p: list(v) for p, v in manifest.items()}, separators=(",", ":"))
        atomic_write(folder / MANIFEST_FILE, data.encode("utf-8"))
        atomic_write(folder / MANIFEST_LOG, b"")

    def record_changes(self, folder: Path, manifest: Manifest,
                       changed: dict[str, tuple[int, int, str] | None]) -> None:
        """Append changed entries to the log; fold the log into the base file when it grows."""
        log = folder / MANIFEST_LOG
        try:
            lines = log.stat().st_size // 60
        except OSError:
            lines = 0
        if lines + len(changed) > MAX_LOG_LINES:
            self.write_manifest(folder, manifest)
            return
        text = "".join(json.dumps([p, *(v if v else [None])], separators=(",", ":")) + "\n"
                       for p, v in changed.items())
        # No fsync: it cost up to 150 ms of a save on a busy disk, and an entry lost in a power
        # cut heals itself, since the next sync finds the file's size or mtime unexpected.
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(text)

    def new_build_folder(self) -> tuple[Path, Index]:
        """Create an empty index in a fresh folder for a full build."""
        self.home.mkdir(parents=True, exist_ok=True)
        folder = self.home / f"ix-{time.time_ns()}"
        folder.mkdir()
        index = whoosh_index.create_in(str(folder), build_schema())
        info = {"schema_version": SCHEMA_VERSION, "kb_root": str(self.kb_root)}
        atomic_write(folder / INFO_FILE, json.dumps(info).encode("utf-8"))
        return folder, index

    def swap_in(self, folder: Path) -> None:
        """Make ``folder`` the live index in one atomic step and remove the old ones."""
        atomic_write(self.home / POINTER_FILE, folder.name.encode("utf-8"))
        self.remove_stale_folders()

    def unfinished_builds(self) -> list[Path]:
        """Return the folders of full builds that stopped before they were swapped in, newest first.

        Such a folder holds what its build saved at its last checkpoint (``kbstudio.index.full_build``).
        """
        live = self.current_folder()
        folders = [child for child in self.home.glob("ix-*")
                   if child != live and child.is_dir() and _FOLDER_NAME.match(child.name)]
        return sorted(folders, key=lambda folder: int(folder.name[3:]), reverse=True)

    def open_folder(self, folder: Path) -> LiveIndex:
        """Open the index in ``folder``, live or not (an unfinished build), with its manifest.

        Raises IndexMissingError for another schema version and IndexDamagedError for damage
        (a missing manifest included), as ``open`` does.
        """
        return self._open_folder(folder)

    def remove_stale_folders(self, keep: Path | None = None) -> None:
        """Delete index folders that are not live (old builds, abandoned ones), except ``keep``."""
        live = self.current_folder()
        for child in self.home.glob("ix-*"):
            if child not in (live, keep) and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)

    @contextlib.contextmanager
    def write_lock(self, timeout: float = 10.0) -> Iterator[None]:
        """Hold the KB's index write lock (shared by the app and the CLI) while writing.

        The lock is ``filelock``'s native lock on ``write.lock`` (``flock`` on Linux and macOS, a
        Windows file lock there), so the core imports wherever Python runs. Each call takes a lock
        of its own: a second writer in the same process waits like one in another process.

        Raises IndexLockedError after ``timeout`` seconds of another writer holding it, and
        IndexUnwritableError when the index folder, or anything written under the lock, cannot
        be written.
        """
        lock = FileLock(self.home / LOCK_FILE)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=max(timeout, 0.0), poll_interval=0.05)
        except Timeout:
            raise IndexLockedError(
                f"the search index of {self.kb_root} is being written by another "
                f"process; gave up after {timeout:.0f} s"
            ) from None
        except OSError as error:
            raise self._unwritable(error) from error
        try:
            yield
        except OSError as error:
            if error.errno in UNWRITABLE_ERRNOS:
                raise self._unwritable(error) from error
            raise
        finally:
            lock.release()

    def _unwritable(self, error: OSError) -> IndexUnwritableError:
        """Return the error for an index folder that cannot be written, logged once as what it is:
        a setting or the disk to fix, not damage (no traceback, no rebuild)."""
        where = f" ({error.filename})" if error.filename else ""
        message = (f"cannot write the search index in {self.home}: {error.strerror or error}{where}; "
                   f"choose another folder with --index-dir or {ENV_INDEX_DIR}")
        if message not in self._said:   # one clear line in the log, however often it is met
            self._said.add(message)
            log.error("index folder setting or disk: %s", message)
        return IndexUnwritableError(message)


def _entry(value: object) -> tuple[int, int, str]:
    """Return a manifest entry from its JSON form; raises TypeError for any other shape."""
    if (isinstance(value, list | tuple) and len(value) == 3 and isinstance(value[2], str)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[:2])):
        return int(value[0]), int(value[1]), value[2]
    raise TypeError(f"manifest entry {str(value)[:40]} is not [mtime, size, hash]")
