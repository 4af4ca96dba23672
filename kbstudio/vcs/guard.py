"""The deletion guard: a pull that would take too many documents out of the KB stops and asks first.

A document *leaves* the KB whenever the pull removes it from the KB's document set, whatever git calls
the change: a deletion, a rename to a name that is not a document (``vpn.md`` to ``vpn.md.bak``), a
move into a hidden folder (``.trash/``) or into ``_templates/``, or a move out of the KB's folder. What
is a document is the KB's own rule (``is_document``: ``.md`` files outside hidden folders and the
top-level ``_templates/``, as ``KnowledgeBase.iter_paths`` walks them).

The limit, a share of the documents the KB has before the pull, comes from (first found wins):

1. this run's own choice (``kbstudio sync --deletion-guard PERCENT``);
2. the user's own setting for this KB, kept in the user's config folder, never in the KB
   (``kbstudio deletion-guard PATH PERCENT``);
3. the team's setting in the versioned ``.kbstudio/sync.yaml`` (``deletion_guard: 10%``), read from
   the commit *before* the pull, so a pull cannot loosen its own guard, and never above
   ``TEAM_MAX_PERCENT``: it is repository content, and a hostile or careless commit could otherwise
   switch the guard off for everyone;
4. the default, ``DEFAULT_PERCENT``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kbstudio.frontmatter import FrontMatterError, parse_front_matter
from kbstudio.kb import STATE_FOLDER
from kbstudio.storage import atomic_write
from kbstudio.templates import TEMPLATE_FOLDER
from kbstudio.vcs.repo import KBRepo, is_document
from kbstudio.vcs.trust import config_dir

DEFAULT_PERCENT = 25.0
TEAM_MAX_PERCENT = 50.0
TEAM_FILE = f"{STATE_FOLDER}/sync.yaml"
TEAM_KEY = "deletion_guard"
USER_FILE = "deletion-guard.json"
EXAMPLES = 3

LeaveKind = Literal["deleted", "renamed", "hidden", "templates", "outside"]
LimitSource = Literal["default", "team", "user", "run"]
HOW: dict[str, str] = {
    "deleted": "deleted",
    "renamed": "renamed to a name that is not a document",
    "hidden": "moved into a hidden folder",
    "templates": f"moved into {TEMPLATE_FOLDER}/",
    "outside": "moved out of the KB folder",
}
_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$")


class GuardSettingError(ValueError):
    """A deletion-guard percentage that is not a number from 0 to 100."""


def parse_percent(value: object) -> float:
    """Return ``25``, ``"25"``, ``"25%"`` or ``"12.5 %"`` as a percentage from 0 to 100."""
    match = _PERCENT.match(str(value)) if isinstance(value, (str, int, float)) else None
    percent = float(match.group(1)) if match else -1.0
    if not 0.0 <= percent <= 100.0:
        raise GuardSettingError(f"the deletion guard must be a percentage from 0 to 100, not {value!r}")
    return percent


def _shown(percent: float) -> str:
    return f"{percent:g}%"


@dataclass(frozen=True)
class Leaving:
    """One document the pull would take out of the KB, and how."""

    path: str
    kind: LeaveKind
    new_path: str | None = None

    @property
    def how(self) -> str:
        """Return how it leaves, in words."""
        return HOW[self.kind]

    def __str__(self) -> str:
        return f"{self.path} ({self.how}: {self.new_path})" if self.new_path else f"{self.path} ({self.how})"

    def sentence(self) -> str:
        """Return what the pull would do to it: ``would move a.md into a hidden folder: .trash/a.md``."""
        if self.kind == "deleted":
            return f"would delete {self.path}"
        if self.kind == "renamed":
            return f"would rename {self.path} to {self.new_path} (not a document)"
        where = {"hidden": "into a hidden folder", "templates": f"into {TEMPLATE_FOLDER}/",
                 "outside": "out of the KB folder"}[self.kind]
        return f"would move {self.path} {where}: {self.new_path}"

    def to_json(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dict."""
        return {"path": self.path, "kind": self.kind, "how": self.how, "new_path": self.new_path}


@dataclass(frozen=True)
class Limit:
    """The share of the KB's documents a pull may take out without asking, and where it comes from."""

    percent: float
    source: LimitSource
    note: str = ""

    def __str__(self) -> str:
        where = {"default": "the default", "team": f"the team's, in {TEAM_FILE}",
                 "user": "your own setting for this KB", "run": "chosen for this sync"}[self.source]
        return f"{_shown(self.percent)} ({where})" + (f"; {self.note}" if self.note else "")

    def to_json(self) -> dict[str, Any]:
        """Return the limit as a JSON-ready dict."""
        return {"percent": self.percent, "source": self.source, "note": self.note}


@dataclass
class GuardCheck:
    """What the pull would take out of the KB, against the limit."""

    leaving: list[Leaving]
    total: int
    limit: Limit
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def stops(self) -> bool:
        """Return True when the pull must ask first: more documents leave than the limit allows."""
        return bool(self.leaving) and len(self.leaving) > self.total * self.limit.percent / 100.0

    @property
    def paths(self) -> list[str]:
        """Return the paths of the documents that leave."""
        return [entry.path for entry in self.leaving]

    def summary(self) -> str:
        """Return how many leave, and how: ``2 deleted, 1 moved into a hidden folder``."""
        return ", ".join(f"{count} {HOW[kind]}" for kind, count in self.counts.items())

    def message(self) -> str:
        """Return the sentence the CLI and the app show when the pull stops."""
        return (f"the pull would take {len(self.leaving)} of {self.total} documents out of the KB "
                f"({self.summary()}), more than the deletion guard allows: {self.limit}; confirm to go on")

    def to_json(self) -> dict[str, Any]:
        """Return the check as a JSON-ready dict."""
        return {"total": self.total, "leaving_count": len(self.leaving), "counts": self.counts,
                "limit": self.limit.to_json(), "stops": self.stops,
                "leaving": [entry.to_json() for entry in self.leaving]}

    def question(self, per_kind: int = EXAMPLES) -> str:
        """Return the app's question: how many leave and how, with a few paths of each kind."""
        lines = [f"This pull would take {len(self.leaving)} of the {self.total} documents out of the "
                 f"knowledge base. The deletion guard asks first above {self.limit}.", ""]
        for kind, entries in self.examples(per_kind).items():
            count = self.counts[kind]
            lines.append(f"{count} {HOW[kind]}:")
            for entry in entries:
                lines.append(f"    {entry.path}")
                if entry.new_path:
                    lines.append(f"        \u2192 {entry.new_path}")
            if count > len(entries):
                lines.append(f"    and {count - len(entries)} more")
        lines += ["", "Nothing has changed yet. Go ahead with the pull?"]
        return "\n".join(lines)

    def examples(self, per_kind: int = EXAMPLES) -> dict[str, list[Leaving]]:
        """Return a few entries for each way of leaving, in the order of ``counts``."""
        shown: dict[str, list[Leaving]] = {}
        for entry in self.leaving:
            bucket = shown.setdefault(entry.kind, [])
            if len(bucket) < per_kind:
                bucket.append(entry)
        return {kind: shown[kind] for kind in self.counts}


class UserLimits:
    """The user's own deletion-guard settings, one per KB: a file in the user's config folder."""

    def __init__(self, path: Path | None = None) -> None:
        self.explicit = path

    @property
    def path(self) -> Path:
        """Return the file (KBSTUDIO_CONFIG_DIR is read at each use)."""
        return self.explicit or config_dir() / USER_FILE

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        found = data.get("knowledge_bases") if isinstance(data, dict) else None
        return found if isinstance(found, dict) else {}

    def get(self, kb_root: Path) -> float | None:
        """Return the user's percentage for the KB at ``kb_root``, or None."""
        try:
            return parse_percent(self._read().get(_key(kb_root)))
        except GuardSettingError:
            return None

    def set(self, kb_root: Path, percent: float | None) -> None:
        """Store the user's percentage for the KB (None removes it)."""
        entries = self._read()
        if percent is None:
            entries.pop(_key(kb_root), None)
        else:
            entries[_key(kb_root)] = parse_percent(percent)
        with contextlib.suppress(FileExistsError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "knowledge_bases": entries}, indent=1, sort_keys=True)
        atomic_write(self.path, (text + "\n").encode("utf-8"))


def _key(kb_root: Path) -> str:
    return os.path.normcase(os.path.realpath(kb_root))


def team_limit(text: str | None) -> Limit | None:
    """Return the team's limit from the text of ``.kbstudio/sync.yaml``, or None when it sets none.

    Read with the front-matter reader (safe: no tags, no alias bombs, no type guessing). A value above
    TEAM_MAX_PERCENT is lowered to it; an unreadable file or value is ignored, with a note.
    """
    if text is None:
        return None
    try:
        data = parse_front_matter(text, 1).data
    except FrontMatterError as error:
        return Limit(DEFAULT_PERCENT, "default", f"{TEAM_FILE} ignored: {error.message}")
    if TEAM_KEY not in data or data[TEAM_KEY] is None:
        return None
    try:
        percent = parse_percent(data[TEAM_KEY])
    except GuardSettingError as error:
        return Limit(DEFAULT_PERCENT, "default", f"{TEAM_FILE} ignored: {error}")
    if percent > TEAM_MAX_PERCENT:
        return Limit(TEAM_MAX_PERCENT, "team", f"it asks for {_shown(percent)}, but a versioned file may "
                     f"not go above {_shown(TEAM_MAX_PERCENT)} (set your own: kbstudio deletion-guard)")
    return Limit(percent, "team")


class DeletionGuard:
    """Counts the documents a pull takes out of the KB and decides whether it must ask first."""

    def __init__(self, repo: KBRepo, user: UserLimits | None = None) -> None:
        self.repo = repo
        self.user = user or UserLimits()
        self.run_percent: float | None = None      # this run's own limit (kbstudio sync --deletion-guard)

    def limit(self, rev: str = "HEAD") -> Limit:
        """Return the limit in force, with the team's file as committed at ``rev`` (before the pull)."""
        if self.run_percent is not None:
            return Limit(parse_percent(self.run_percent), "run")
        own = self.user.get(self.repo.kb.root)
        if own is not None:
            return Limit(own, "user")
        team = team_limit(self.repo.show(rev, TEAM_FILE)) if self.repo.head() else None
        return team or Limit(DEFAULT_PERCENT, "default")

    def check(self, head: str, upstream: str) -> GuardCheck:
        """Return the documents of ``head`` that merging ``upstream`` would take out of the KB."""
        documents = self._documents(head)
        limit = self.limit(head)
        base = self.repo.git("merge-base", head, upstream, check=False).stdout.strip()
        if not base:
            return GuardCheck([], len(documents), limit)
        leaving = [entry for entry in self._leaving(base, upstream) if entry.path in documents]
        leaving.sort(key=lambda entry: entry.path)
        counts: dict[str, int] = {}
        for kind in HOW:
            number = sum(1 for entry in leaving if entry.kind == kind)
            if number:
                counts[kind] = number
        return GuardCheck(leaving, len(documents), limit, counts)

    def _documents(self, rev: str) -> set[str]:
        out = self.repo.git("ls-tree", "-r", "--name-only", "-z", rev, "--", self.repo.kb_pathspec).stdout
        return {path for path in self.repo.kb_paths(out.split("\0")) if is_document(path)}

    def _leaving(self, base: str, upstream: str) -> list[Leaving]:
        # The whole tree, not only the KB folder, so a move out of the KB is seen as a rename.
        out = self.repo.git("diff", "--no-ext-diff", "--no-textconv", "--name-status", "-M", "-z",
                            base, upstream).stdout
        fields = out.split("\0")
        found: list[Leaving] = []
        index = 0
        while index < len(fields):
            status = fields[index]
            index += 1
            if not status:
                continue
            if status[0] in "RC":
                old, new = fields[index], fields[index + 1]
                index += 2
            else:
                old, new = fields[index], None
                index += 1
            old_kb = self.repo.to_kb(old)
            if old_kb is None or not is_document(old_kb):
                continue
            if status[0] == "D":
                found.append(Leaving(old_kb, "deleted"))
            elif status[0] == "R" and new is not None:
                kind = _moved_kind(self.repo.to_kb(new))
                if kind is not None:
                    found.append(Leaving(old_kb, kind, self.repo.to_kb(new) or new))
        return found


def _moved_kind(new_kb: str | None) -> LeaveKind | None:
    """Return how a document renamed to ``new_kb`` left the KB, or None when it is still a document."""
    if new_kb is None:
        return "outside"
    if is_document(new_kb):
        return None
    parts = new_kb.split("/")
    if any(part.startswith(".") for part in parts[:-1]):
        return "hidden"
    if len(parts) > 1 and parts[0] == TEMPLATE_FOLDER:
        return "templates"
    return "renamed"     # not .md, or a hidden file name
