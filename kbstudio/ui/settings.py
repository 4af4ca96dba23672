"""Settings kept between runs: one dictionary of typed defaults over QSettings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings

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
}
ROLES = ("L1", "L2", "L3")
MAX_RECENT = 10


class AppSettings:
    """Typed access to the app's settings; a value set back to its default is removed."""

    def __init__(self, store: QSettings) -> None:
        self.store = store

    def get(self, key: str) -> Any:
        """Return the value of ``key``, or its default."""
        default = DEFAULTS[key]
        if not self.store.contains(key):
            return default
        value = self.store.value(key)
        if isinstance(default, list):
            if value is None:
                return []
            return [str(v) for v in (value if isinstance(value, list) else [value])]
        if isinstance(default, bytes):
            return bytes(value) if value is not None else b""
        return type(default)(value) if value is not None else default

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` (removing the key when it equals the default)."""
        if value == DEFAULTS[key]:
            self.store.remove(key)
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
