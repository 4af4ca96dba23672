"""Changing front-matter fields of a document on disk: the one operation every writer uses.

``update_document`` edits the fields in place with ``kbstudio.fmedit`` (only the changed fields'
lines change), keeps every other byte of the file (line endings, even mixed ones, a UTF-8 BOM, the
final newline or its absence) and saves atomically, refusing to overwrite a file changed since it
was read. ``kbstudio set``, id renumbering after a merge and the review workflow all go through it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbstudio.changes import KBChange
from kbstudio.fields import BY_NAME, LIST
from kbstudio.fmedit import remove_field, set_field
from kbstudio.kb import KnowledgeBase
from kbstudio.model import ERROR, Document
from kbstudio.names import find_path
from kbstudio.reader import read_document
from kbstudio.storage import ExternalChangeError, save_document_text
from kbstudio.textformat import BOM

REMOVE: Any = type("Remove", (), {"__repr__": lambda self: "REMOVE"})()
"""A change that removes the key from the front matter."""

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_FATAL = ("bad-front-matter", "unclosed-front-matter")


class DocumentEditError(ValueError):
    """A document whose fields cannot be changed: not a document, unreadable, bad front matter."""


@dataclass(frozen=True)
class FieldChange:
    """One field that changes: its value before and after (typed for known fields; None: not set)."""

    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.field} {_shown(self.old)} -> {_shown(self.new)}"


def _shown(value: Any) -> str:
    if value is None or value is REMOVE or value == []:
        return "(none)" if value != [] else "[]"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass
class FieldUpdate:
    """The fields of one document changed in memory; ``save`` writes them."""

    document: Document
    text: str                       # the whole new file as text, BOM included when the file has one
    changes: list[FieldChange] = field(default_factory=list)
    content_hash: str | None = None  # of the saved file, once saved

    @property
    def path(self) -> Path:
        """Return the document's path."""
        return self.document.path

    @property
    def rel_path(self) -> str:
        """Return the document's KB-relative path."""
        return self.document.rel_path

    @property
    def data(self) -> bytes:
        """Return the bytes the file will have."""
        return self.text.encode("utf-8")

    @property
    def changed(self) -> bool:
        """Return True when a field changes (an unchanged document is not written)."""
        return bool(self.changes)

    @property
    def change(self) -> KBChange:
        """Return what saving changed in the KB: the document, once a changed one was saved."""
        saved = self.changed and self.content_hash is not None
        return KBChange.of(changed=[self.rel_path]) if saved else KBChange()

    def save(self) -> str:
        """Write the new text atomically unless the file changed since it was read; return its hash."""
        if not self.changed:
            self.content_hash = self.document.content_hash
        elif self.content_hash is None:
            self.content_hash = save_document_text(self.path, self.text, self.document.content_hash)
        return self.content_hash

    def to_json(self) -> dict[str, Any]:
        """Return what changed as a JSON-ready dict."""
        changes = [{"field": c.field, "old": _json(c.old), "new": _json(c.new)} for c in self.changes]
        return {"path": self.rel_path, "changed": self.changed, "changes": changes}


def _json(value: Any) -> Any:
    if value is REMOVE:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def common_ends(old: Sequence[object], new: Sequence[object]) -> tuple[int, int]:
    """Return how many leading and trailing items ``old`` and ``new`` share (not overlapping).

    The text between them is all that an edit changed: used on lines here and on characters by
    the editor, so a change touches only what differs.
    """
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


def splice(disk: str, old_editor: str, new_editor: str, newline: str) -> str:
    """Return ``disk`` with the lines ``new_editor`` changed from ``old_editor`` replaced.

    ``old_editor`` is ``disk`` with LF line endings (``TextFormat.to_editor``). Lines that did not
    change keep their bytes exactly, whatever their line ending; changed and new lines get
    ``newline``.
    """
    disk_lines, old_lines, new_lines = _lines(disk), _lines(old_editor), _lines(new_editor)
    if len(disk_lines) != len(old_lines):  # pragma: no cover - to_editor keeps the line count
        return new_editor.replace("\n", newline)
    head, tail = common_ends(old_lines, new_lines)
    old_mid = old_lines[head : len(old_lines) - tail]
    new_mid = new_lines[head : len(new_lines) - tail]
    out = disk_lines[:head]
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(disk_lines[head + i1 : head + i2])
        else:
            out.extend(line[:-1] + newline if line.endswith("\n") else line for line in new_mid[j1:j2])
    out.extend(disk_lines[len(disk_lines) - tail :] if tail else [])
    return "".join(out)


def _typed(name: str, raw: Any) -> Any:
    known = BY_NAME.get(name)
    return known.read(raw) if known is not None else raw


def edit_document(document: Document, changes: Mapping[str, Any]) -> FieldUpdate:
    """Return ``document`` with front-matter ``changes`` made, in memory.

    ``changes`` maps a field to its new value: text, a list, a date, or ``REMOVE``. None removes
    the key too, except for list fields, which become ``[]``. A field that already has the value
    is left as it is written. Raises DocumentEditError for a document whose front matter cannot
    be read, and ``fmedit.FrontMatterEditError`` when a change would touch anything else.
    """
    bad = [p for p in document.problems
           if p.severity == ERROR and (p.rule in _FATAL or not document.readable)]
    if bad:
        raise DocumentEditError(f"{document.rel_path}: {bad[0].message}")
    fmt = document.text_format
    old_editor = fmt.to_editor(document.text)
    text = old_editor
    done: list[FieldChange] = []
    for name, value in changes.items():
        known = BY_NAME.get(name)
        if value is None and known is not None and known.type == LIST:
            value = []
        if value is None:
            value = REMOVE
        old = _typed(name, document.meta.get(name))
        if value is REMOVE:
            if name not in document.meta:
                continue
            text = remove_field(text, name)
            done.append(FieldChange(name, old, None if known is None or known.type != LIST else []))
            continue
        new = _typed(name, value)
        if name in document.meta and new == old and (known is not None or value == document.meta[name]):
            continue
        text = set_field(text, name, value)
        done.append(FieldChange(name, old, new))
    if not done:
        return FieldUpdate(document, (BOM if fmt.bom else "") + document.text)
    disk = splice(document.text, old_editor, text, fmt.newline)
    return FieldUpdate(document, (BOM if fmt.bom else "") + disk, done)


def update_document(document: Document, changes: Mapping[str, Any], save: bool = True) -> FieldUpdate:
    """Change front-matter fields of ``document`` (as read from disk) and save it; see ``edit_document``.

    The save refuses to overwrite the file when it changed since ``document`` was read
    (``storage.ExternalChangeError``). ``save=False`` only computes the update.
    """
    update = edit_document(document, changes)
    if save:
        update.save()
    return update


def resolve_document(root: Path, name: str) -> Path:
    """Return the document ``name`` names: a path relative to the KB root, else to the current folder.

    Raises DocumentEditError when it is not a ``.md`` document inside the KB (hidden folders and
    ``_templates/`` hold no documents).
    """
    root = Path(os.path.realpath(root))
    given = Path(name)
    candidates = [given] if given.is_absolute() else [root / given, Path.cwd() / given]
    if not given.is_absolute():   # a name typed in another Unicode form than the disk stores
        candidates.append(find_path(root, given.as_posix()) or root / given)
    for candidate in candidates:
        if candidate.is_file():
            path = Path(os.path.realpath(candidate))
            if not path.is_relative_to(root):
                raise DocumentEditError(f"{name}: not inside the knowledge base {root}")
            parts = path.relative_to(root).parts
            if path.suffix != ".md" or any(p.startswith(".") for p in parts) or (
                    len(parts) > 1 and parts[0] == "_templates"):
                raise DocumentEditError(f"{name}: not a document (documents are .md files outside "
                                        "hidden folders and _templates/)")
            return path
    raise DocumentEditError(f"{name}: no such document in {root}")


def update_fields(kb: KnowledgeBase, name: str, changes: Mapping[str, Any],
                  expected_hash: str | None = None, save: bool = True) -> FieldUpdate:
    """Read document ``name`` of ``kb`` and change its front-matter ``changes``; see ``edit_document``.

    ``name`` is relative to the KB root (else to the current folder) or absolute. ``expected_hash``
    (when given) is the hash the caller read: a file changed since is refused.
    """
    path = resolve_document(kb.root, name)
    document = read_document(path, kb.root)
    if expected_hash is not None and document.content_hash != expected_hash:
        raise ExternalChangeError(path, expected_hash, document.content_hash)
    return update_document(document, changes, save)
