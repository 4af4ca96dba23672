"""The tabs a KB had open, kept between runs in the user state folder (per KB, never inside the KB).

One small JSON file per KB: the open files in tab order, whether each was in the edit view, and the
one in front. Written when the window closes or another KB is opened; read when the KB opens again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from kbstudio.kb import kb_folder_name
from kbstudio.recovery import state_base_dir
from kbstudio.storage import atomic_write

MAX_TABS = 50   # a session file somebody filled by hand must not open a thousand tabs


@dataclass(frozen=True)
class OpenTab:
    """One tab: a KB-relative path and whether it showed the editor."""

    rel_path: str
    editing: bool = False


@dataclass(frozen=True)
class Session:
    """The tabs of one KB, in order, and the one in front (None: none of them)."""

    tabs: tuple[OpenTab, ...] = ()
    active: str | None = None


def session_file(kb_root: Path, state_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the file that keeps ``kb_root``'s open tabs (KBSTUDIO_STATE_DIR or ``state_dir`` wins)."""
    return state_base_dir(state_dir) / "sessions" / f"{kb_folder_name(kb_root)}.json"


def save_session(kb_root: Path, session: Session, state_dir: str | os.PathLike[str] | None = None) -> bool:
    """Remember ``session`` for ``kb_root``; False when the state folder cannot be written."""
    data = {"version": 1, "kb": os.path.realpath(kb_root), "active": session.active,
            "tabs": [{"path": tab.rel_path, "editing": tab.editing} for tab in session.tabs]}
    path = session_file(kb_root, state_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), durable=False)
    except OSError:
        return False
    return True


def load_session(kb_root: Path, state_dir: str | os.PathLike[str] | None = None) -> Session:
    """Return the tabs ``kb_root`` had open last time (none when nothing usable was kept)."""
    try:
        data = json.loads(session_file(kb_root, state_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return Session()
    if not isinstance(data, dict) or not isinstance(data.get("tabs"), list):
        return Session()
    tabs: list[OpenTab] = []
    for entry in data["tabs"][:MAX_TABS]:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str) and entry["path"]:
            tabs.append(OpenTab(entry["path"], entry.get("editing") is True))
    active = data.get("active")
    return Session(tuple(tabs), active if isinstance(active, str) else None)

