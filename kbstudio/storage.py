"""Atomic, never-clobbering saves."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from kbstudio.reader import content_hash
from kbstudio.textformat import TextFormat

TEMP_SUFFIX = ".kbtmp"


class ExternalChangeError(RuntimeError):
    """The file on disk is not the one that was loaded: someone else changed it."""

    def __init__(self, path: Path, expected_hash: str | None, actual_hash: str | None) -> None:
        if actual_hash is None:
            what = "was deleted"
        elif expected_hash is None:
            what = "already exists"
        else:
            what = "was changed"
        super().__init__(f"{path} {what} outside KB Studio since it was opened; not saved")
        self.path = path
        self.expected_hash = expected_hash
        self.actual_hash = actual_hash


def _current_hash(path: Path) -> str | None:
    try:
        return content_hash(path.read_bytes())
    except FileNotFoundError:
        return None


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes, durable: bool = True,
                 before_replace: Callable[[], None] | None = None) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new file, never a mix.

    ``durable=False`` skips the fsyncs, for copies that may be lost but never torn.
    ``before_replace`` runs after the temporary file is written and synced, immediately before
    the rename; an exception from it removes the temporary file and leaves ``path`` untouched.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _default_mode()
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        if before_replace is not None:
            before_replace()
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    if durable:
        _fsync_directory(target.parent)


def save_document_text(path: Path, text: str, expected_hash: str | None,
                       fmt: TextFormat | None = None) -> str:
    """Save ``text`` atomically unless the file changed since it was read; return the new hash.

    ``fmt`` is the document's byte format: ``text`` is then editor text (LF line endings, no
    BOM) and is written with the format's line endings and BOM. Without it ``text`` is written
    as it is. ``expected_hash`` is the hash of the bytes that were loaded, or None for a new file
    (which must not exist yet). The file is compared before anything is written and again
    right before the rename, after the temporary file is written and synced (which takes
    milliseconds). What remains is the time between that last read and the rename, a few
    microseconds: a program that writes in it without a lock still loses its change, as with
    any editor; there is no compare-and-rename on POSIX or Windows file systems.
    """
    def unchanged() -> None:
        actual = _current_hash(path)
        if actual != expected_hash:
            raise ExternalChangeError(path, expected_hash, actual)

    unchanged()
    data = fmt.encode(text) if fmt is not None else text.encode("utf-8")
    atomic_write(path, data, before_replace=unchanged)
    return content_hash(data)
