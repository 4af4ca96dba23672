"""The repositories whose git programs the user allowed: a file in the user's own config folder.

Never in the KB: a setting versioned with the KB is repository content, which is exactly what is not
trusted. Each entry holds the repository's git folder and the fingerprint of its programs (settings
and hooks) when allowed, so a program that changes afterwards needs allowing again.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from kbstudio.storage import atomic_write

ENV_CONFIG_DIR = "KBSTUDIO_CONFIG_DIR"
FILE_NAME = "allowed-git-programs.json"


def config_dir() -> Path:
    """Return the folder of the user's KB Studio settings that are not Qt's (KBSTUDIO_CONFIG_DIR wins)."""
    chosen = os.environ.get(ENV_CONFIG_DIR)
    return Path(chosen).expanduser() if chosen else Path(user_config_dir("kbstudio", appauthor=False))


class TrustStore:
    """Reads and writes the allowed repositories; every call reads the file again (it is tiny)."""

    def __init__(self, path: Path | None = None) -> None:
        self.explicit = path

    @property
    def path(self) -> Path:
        """Return the file (KBSTUDIO_CONFIG_DIR is read at each use, so tests and the CLI can set it)."""
        return self.explicit or config_dir() / FILE_NAME

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        repositories = data.get("repositories") if isinstance(data, dict) else None
        return repositories if isinstance(repositories, dict) else {}

    def entry(self, git_dir: Path) -> dict[str, Any] | None:
        """Return what was recorded for the repository at ``git_dir``, or None."""
        found = self._read().get(_key(git_dir))
        return found if isinstance(found, dict) else None

    def allowed(self, git_dir: Path, fingerprint: str) -> bool:
        """Return True when the repository's programs were allowed exactly as they are now."""
        found = self.entry(git_dir)
        return found is not None and found.get("fingerprint") == fingerprint

    def allow(self, git_dir: Path, fingerprint: str) -> None:
        """Record that the user allows this repository's programs as they are now."""
        repositories = self._read()
        repositories[_key(git_dir)] = {"fingerprint": fingerprint,
                                       "allowed_at": datetime.now(UTC).isoformat(timespec="seconds")}
        self._write(repositories)

    def revoke(self, git_dir: Path) -> bool:
        """Stop allowing the repository's programs; return True when it was allowed."""
        repositories = self._read()
        removed = repositories.pop(_key(git_dir), None) is not None
        if removed:
            self._write(repositories)
        return removed

    def _write(self, repositories: dict[str, Any]) -> None:
        with contextlib.suppress(FileExistsError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "repositories": repositories}, indent=1, sort_keys=True)
        atomic_write(self.path, (text + "\n").encode("utf-8"))


def _key(git_dir: Path) -> str:
    return os.path.normcase(os.path.realpath(git_dir))
