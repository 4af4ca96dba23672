"""Where an index lives, how it is opened, locked, and swapped in after a rebuild."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir
from whoosh import index as whoosh_index
from whoosh.index import Index

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

# A manifest entry: (mtime_ns, size, content hash) of the file as it was indexed.
Manifest = dict[str, tuple[int, int, str]]


class IndexLockedError(RuntimeError):
    """Another writer holds the index for longer than the lock timeout."""


class IndexMissingError(RuntimeError):
    """There is no usable index (none yet, another schema version, or a corrupt one)."""


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


class IndexStore:
    """The on-disk home of one KB's index."""

    def __init__(self, kb_root: Path, base_dir: Path | None = None) -> None:
        self.kb_root = Path(kb_root).resolve()
        self.home = index_dir_for(self.kb_root, base_dir or index_base_dir())
        self._base_cache: tuple[tuple[str, int, int], Manifest] | None = None

    def current_folder(self) -> Path | None:
        """Return the live index folder named by the pointer file, if any."""
        try:
            name = (self.home / POINTER_FILE).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        folder = self.home / name
        return folder if name and folder.is_dir() else None

    def open(self) -> LiveIndex:
        """Open the live index, or raise IndexMissingError saying why it can't be used."""
        folder = self.current_folder()
        if folder is None:
            raise IndexMissingError("no index yet")
        try:
            info = json.loads((folder / INFO_FILE).read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise IndexMissingError(f"index information unreadable: {error}") from None
        if info.get("schema_version") != SCHEMA_VERSION:
            raise IndexMissingError(
                f"index has schema version {info.get('schema_version')}, need {SCHEMA_VERSION}"
            )
        try:
            index = whoosh_index.open_dir(str(folder))
            index._segments()  # reads the table of contents; segment files are checked on use
        except Exception as error:  # Whoosh raises many kinds of errors on damaged files
            raise IndexMissingError(f"index is damaged: {error}") from None
        return LiveIndex(index, folder, self._read_manifest(folder))

    def _read_manifest(self, folder: Path) -> Manifest:
        """Return the manifest: the base file (cached while unchanged) plus the change log."""
        base_path = folder / MANIFEST_FILE
        try:
            stat = base_path.stat()
            key = (str(base_path), stat.st_mtime_ns, stat.st_size)
            if self._base_cache is None or self._base_cache[0] != key:
                raw = json.loads(base_path.read_text("utf-8"))
                self._base_cache = (key, {p: (int(m), int(s), str(h)) for p, (m, s, h) in raw.items()})
            manifest = dict(self._base_cache[1])
        except (OSError, ValueError, TypeError):
            return {}
        try:
            lines = (folder / MANIFEST_LOG).read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        for line in lines:
            try:
                path, *entry = json.loads(line)
            except (ValueError, TypeError):
                continue  # a line torn by a crash: the next sync re-checks that file
            if entry and entry[0] is not None:
                manifest[path] = (int(entry[0]), int(entry[1]), str(entry[2]))
            else:
                manifest.pop(path, None)
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

    def remove_stale_folders(self) -> None:
        """Delete index folders that are not live (old builds, abandoned ones)."""
        live = self.current_folder()
        for child in self.home.glob("ix-*"):
            if child != live and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)

    @contextlib.contextmanager
    def write_lock(self, timeout: float = 10.0) -> Iterator[None]:
        """Hold the KB's index write lock (shared by the app and the CLI) while writing."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / LOCK_FILE, "a+b") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexLockedError(
                            f"the search index of {self.kb_root} is being written by another "
                            f"process; gave up after {timeout:.0f} s"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
