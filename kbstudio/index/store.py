"""Where an index lives, how it is opened, locked, and swapped in after a rebuild."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir
from whoosh import index as whoosh_index
from whoosh.index import Index

from kbstudio.index.schema import SCHEMA_VERSION, build_schema
from kbstudio.storage import atomic_write

ENV_INDEX_DIR = "KBSTUDIO_INDEX_DIR"
POINTER_FILE = "current"
LOCK_FILE = "write.lock"
MANIFEST_FILE = "manifest.json"
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
    """Return the index folder of the KB at ``kb_root``: readable name plus a hash of its path."""
    real = os.path.realpath(kb_root)
    digest = hashlib.sha1(real.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = re.sub(r"[^\w.-]+", "-", Path(real).name)[:40] or "kb"
    return base / f"{name}-{digest}"


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
            index.doc_count()
        except Exception as error:  # Whoosh raises many kinds of errors on damaged files
            raise IndexMissingError(f"index is damaged: {error}") from None
        return LiveIndex(index, folder, self._read_manifest(folder))

    @staticmethod
    def _read_manifest(folder: Path) -> Manifest:
        try:
            raw = json.loads((folder / MANIFEST_FILE).read_text("utf-8"))
            return {path: (int(m), int(s), str(h)) for path, (m, s, h) in raw.items()}
        except (OSError, ValueError, TypeError):
            return {}

    @staticmethod
    def write_manifest(folder: Path, manifest: Manifest) -> None:
        """Save the manifest beside the index it describes."""
        data = json.dumps({p: list(v) for p, v in manifest.items()}, separators=(",", ":"))
        atomic_write(folder / MANIFEST_FILE, data.encode("utf-8"))

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
