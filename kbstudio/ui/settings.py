"""Settings kept between runs: one dictionary of typed defaults over QSettings.

Values are read back through QSettings' own type conversion, typed by the default: an ini file (the
native format on Linux) keeps every value as text, and ``bool("false")`` is True.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from kbstudio.vcs.trust import ENV_CONFIG_DIR

DEFAULTS: dict[str, Any] = {
    "role": "L1",
    "recent": [],
    "last_kb": "",
    "geometry": b"",
    "group_by": "folder",
    "theme": "system",
    "main_split": b"",
    "editor_split": b"",
    "left_tab": 0,
    "auto_commit": False,
    "reviewer": "",          # 'Name <email>' written in Reviewed-by; empty: ask once, offering git's identity
    "demo_copy": "",         # the copy of the demo made on first run (reopened, never made twice)
    "log_search_gaps": True,  # failed searches logged for the team (kbstudio.ui.loop.gap_tracker); opt out
}
ROLES = ("L1", "L2", "L3")
MAX_RECENT = 10
SETTINGS_FILE = "settings.ini"   # in KBSTUDIO_CONFIG_DIR when that is set


def _in_config_dir(store: QSettings) -> QSettings:
    """Return ``settings.ini`` in KBSTUDIO_CONFIG_DIR instead of Qt's own place when that is set.

    Only the app's native store moves (``QSettings()``: ``~/.config/kbstudio/KB Studio.conf`` on
    Linux); an ini file named explicitly (tests, screenshots, benchmarks) stays where it was asked.
    """
    chosen = os.environ.get(ENV_CONFIG_DIR)
    if not chosen or store.format() != QSettings.Format.NativeFormat:
        return store
    return QSettings(str(Path(chosen).expanduser() / SETTINGS_FILE), QSettings.Format.IniFormat)


class AppSettings:
    """Typed access to the app's settings; a value set back to its default is removed."""

    def __init__(self, store: QSettings) -> None:
        self.store = _in_config_dir(store)

    def get(self, key: str) -> Any:
        """Return the value of ``key``, or its default."""
        default = DEFAULTS[key]
        if not self.store.contains(key):
            return default
        if isinstance(default, list):   # one item comes back as a plain string, none as None
            items = self.store.value(key, [], type=list)
            return [str(v) for v in items] if isinstance(items, list) else default
        if isinstance(default, bytes):
            stored = self.store.value(key, QByteArray(), type=QByteArray)
            return stored.data() if isinstance(stored, QByteArray) else default
        # Qt converts "false"/"true" (and "0", "3", ...) by the default's type
        return self.store.value(key, default, type=type(default))

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` (removing the key when it equals the default)."""
        if value == DEFAULTS[key]:
            self.store.remove(key)
        elif isinstance(value, bytes):   # a QByteArray is stored as @ByteArray, not a pickled object
            self.store.setValue(key, QByteArray(value))
        else:
            self.store.setValue(key, value)

    @property
    def role(self) -> str:
        """Return the tier the user works at (L1, L2 or L3)."""
        role = self.get("role")
        return role if role in ROLES else "L1"

    def visible_tiers(self) -> tuple[str, ...] | None:
        """Return the tiers search shows by default for the role (None: all)."""
        return ("L0", "L1") if self.role == "L1" else None

    def remember_kb(self, path: str) -> None:
        """Put ``path`` first in the recent list and remember it as the last KB."""
        recent = [p for p in self.get("recent") if p != path]
        self.set("recent", [path, *recent][:MAX_RECENT])
        self.set("last_kb", path)
