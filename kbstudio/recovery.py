"""Crash recovery: unsaved editor text kept in a per-KB folder outside the KB, offered back later."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_state_dir

from kbstudio.kb import kb_folder_name
from kbstudio.storage import atomic_write
from kbstudio.textformat import TextFormat

ENV_STATE_DIR = "KBSTUDIO_STATE_DIR"
SUFFIX = ".recovery.json"


def state_base_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder for the app's per-KB state (recovery files)."""
    chosen = override or os.environ.get(ENV_STATE_DIR)
    if chosen:
        return Path(chosen).expanduser()
    return Path(user_state_dir("kbstudio", appauthor=False))


@dataclass(frozen=True)
class RecoveredText:
    """Unsaved text of one document, as last written to the recovery folder."""

    rel_path: str
    text: str
    base_hash: str | None
    saved_at: float
    file: Path
    text_format: TextFormat | None = None   # line endings and BOM of the file it was edited from


class RecoveryStore:
    """The recovery folder of one KB: one JSON file per document with unsaved edits."""

    def __init__(self, kb_root: Path, base_dir: str | os.PathLike[str] | None = None) -> None:
        self.folder = state_base_dir(base_dir) / "recovery" / kb_folder_name(kb_root)

    def _file_for(self, rel_path: str) -> Path:
        digest = hashlib.sha1(rel_path.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return self.folder / f"{digest}{SUFFIX}"

    def save(self, rel_path: str, text: str, base_hash: str | None,
             text_format: TextFormat | None = None) -> Path:
        """Keep ``text`` for ``rel_path``; ``base_hash`` is the hash of the file it was edited from.

        ``text_format`` is that file's line endings and BOM, so a restored text is written the same way.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        record: dict[str, object] = {"rel_path": rel_path, "base_hash": base_hash, "saved_at": time.time(),
                                     "text": text}
        if text_format is not None:
            record["newline"] = text_format.newline
            record["bom"] = text_format.bom
        target = self._file_for(rel_path)
        # Not durable: this runs every few seconds while typing, and a lost recovery copy costs
        # less than a stutter; the rename still guarantees a whole file or the previous one.
        atomic_write(target, json.dumps(record, ensure_ascii=False).encode("utf-8"), durable=False)
        return target

    def discard(self, rel_path: str) -> None:
        """Forget the unsaved text of ``rel_path`` (saved, or dropped by the user)."""
        with contextlib.suppress(FileNotFoundError):
            self._file_for(rel_path).unlink()

    def entries(self) -> list[RecoveredText]:
        """Return every recovered text, oldest first; unreadable recovery files are skipped."""
        found: list[RecoveredText] = []
        if not self.folder.is_dir():
            return found
        for file in self.folder.glob(f"*{SUFFIX}"):
            try:
                record = json.loads(file.read_text("utf-8"))
                text_format = None
                if record.get("newline") in ("\n", "\r\n"):
                    text_format = TextFormat(record["newline"], bool(record.get("bom")))
                found.append(RecoveredText(str(record["rel_path"]), str(record["text"]),
                                           record.get("base_hash"), float(record["saved_at"]), file,
                                           text_format))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(found, key=lambda entry: entry.saved_at)

    def clear(self) -> None:
        """Remove every recovery file of this KB."""
        for entry in self.folder.glob(f"*{SUFFIX}") if self.folder.is_dir() else []:
            with contextlib.suppress(OSError):
                entry.unlink()
