"""What an operation changed in a knowledge base: the one record every view refreshes from.

After Anki's ``OpChanges`` (ankitects/anki ``pylib/anki/collection.py``): each core operation that
changes the KB (a save, a new or deleted or renamed document, a pull, a restore, a resolved conflict,
a review step, ``kbstudio set``, a change found on disk) returns a ``KBChange`` naming the documents
it added, changed, removed and renamed, the KB files that are no documents it touched, and flags for
the state around them (index, content checks, review, synonyms, review policy, git HEAD). The app
sends the record through one signal and each view refreshes only what it names.

Paths are KB-relative, POSIX, in Unicode NFC (``kbstudio.names``): the form names are compared in.
Whoever reads a file finds it on disk in whatever form it is stored (``KnowledgeBase.locate``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from kbstudio.names import nfc

Pair = tuple[str, str]
FLAGS = ("reloaded", "index", "health", "review", "synonyms", "policy", "head")


def _paths(paths: Iterable[str]) -> frozenset[str]:
    return frozenset(nfc(path) for path in paths)


@dataclass(frozen=True)
class KBChange:
    """Documents added, changed, removed and renamed, KB files touched, and what else changed.

    ``renamed`` holds (old, new) pairs: the document moved; when its text changed too, ``new`` is
    also in ``changed``. ``files`` are KB files that are no documents (``.kbstudio/synonyms.yaml``,
    the review policy, the retired ids) that were written, came or went. The flags:

    - ``reloaded``: the whole KB was read afresh (it was opened): every view shows it anew.
    - ``index``: the search index answers differently now (updated, rebuilt, scanning): searches
      shown may be out of date.
    - ``health``: the whole-KB content checks must run again (a KB file they read changed).
    - ``review``: the review state changed (a review step, review trailers pulled, the policy).
    - ``synonyms``: the synonyms file changed: searches shown were found with the old one.
    - ``policy``: the review policy file changed.
    - ``head``: git's HEAD or merge state moved (a commit, a pull, a merge made or given up).

    Any iterable of paths is taken; they are stored as frozensets in NFC.
    """

    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    renamed: frozenset[Pair] = frozenset()
    files: frozenset[str] = frozenset()
    reloaded: bool = False
    index: bool = False
    health: bool = False
    review: bool = False
    synonyms: bool = False
    policy: bool = False
    head: bool = False

    def __post_init__(self) -> None:
        for name in ("added", "changed", "removed", "files"):
            object.__setattr__(self, name, _paths(getattr(self, name)))
        object.__setattr__(self, "renamed", frozenset((nfc(old), nfc(new)) for old, new in self.renamed))

    @classmethod
    def of(cls, added: Iterable[str] = (), changed: Iterable[str] = (), removed: Iterable[str] = (),
           renamed: Iterable[Pair] = (), **flags: bool) -> KBChange:
        """Return the record of files that came, changed, went or moved, sorted into documents and
        other KB files (``kbstudio.kb.is_document_path``); the synonyms file sets ``synonyms`` and
        ``health``, the review policy ``policy`` and ``review``. ``flags`` are set as given.
        """
        from kbstudio.kb import is_document_path  # kb.py returns these records: imported when used

        sorted_paths: dict[str, set[str]] = {"added": set(), "changed": set(), "removed": set()}
        files: set[str] = set()
        for name, given in (("added", added), ("changed", changed), ("removed", removed)):
            for path in given:
                (sorted_paths[name] if is_document_path(path) else files).add(path)
        moves: set[Pair] = set()
        for old, new in renamed:
            old_doc, new_doc = is_document_path(old), is_document_path(new)
            if old_doc and new_doc:
                moves.add((old, new))
                continue
            (sorted_paths["removed"] if old_doc else files).add(old)
            (sorted_paths["added"] if new_doc else files).add(new)
        known = _file_flags(files)
        return cls(frozenset(sorted_paths["added"]), frozenset(sorted_paths["changed"]),
                   frozenset(sorted_paths["removed"]), frozenset(moves), frozenset(files),
                   **{**known, **{key: value for key, value in flags.items() if value}})

    # What views ask ------------------------------------------------------------------------------

    @property
    def moved(self) -> dict[str, str]:
        """Return each renamed document's new path by its old one."""
        return dict(self.renamed)

    @property
    def present(self) -> frozenset[str]:
        """Return the documents that exist after the change and may read differently."""
        return self.added | self.changed | {new for _, new in self.renamed}

    @property
    def gone(self) -> frozenset[str]:
        """Return the document paths that no longer exist (removed, or the old side of a rename)."""
        return self.removed | {old for old, _ in self.renamed}

    @property
    def documents(self) -> frozenset[str]:
        """Return every document path the change names."""
        return self.present | self.gone

    @property
    def paths(self) -> frozenset[str]:
        """Return every path the change names: documents and other KB files."""
        return self.documents | self.files

    @property
    def documents_listed(self) -> bool:
        """Return True when the list of documents may differ: some came, went or moved (or all were read)."""
        return self.reloaded or bool(self.added or self.removed or self.renamed)

    def __bool__(self) -> bool:
        return bool(self.paths) or any(getattr(self, flag) for flag in FLAGS)

    # Combining ----------------------------------------------------------------------------------

    def __or__(self, later: KBChange) -> KBChange:
        """Return what this change followed by ``later`` changed, as one record.

        A document added then changed is added; added then removed is not named; changed or
        renamed then removed is removed; removed then added again is changed; renamed twice is
        one rename (back to its own name: changed). Files and flags are combined.
        """
        if not isinstance(later, KBChange):
            return NotImplemented
        after_later = later.moved
        added: set[str] = set()
        changed: set[str] = set()
        removed: set[str] = set()
        moves: dict[str, str] = {}
        for path in self.added:
            if path not in later.removed:
                added.add(after_later.get(path, path))
        for old, new in self.renamed:
            if new in later.removed:
                removed.add(old)
                continue
            final = after_later.get(new, new)
            if final == old or new in later.changed:
                changed.add(final)
            if final != old:
                moves[old] = final
        for path in self.changed:
            if path in later.removed:
                removed.add(path)
            else:
                final = after_later.get(path, path)
                changed.add(final)
                if final != path:
                    moves[path] = final
        for path in self.removed:
            (changed if path in later.added else removed).add(path)
        produced = self.present
        added |= {path for path in later.added if path not in self.removed}
        changed |= {path for path in later.changed if path not in produced}
        removed |= {path for path in later.removed if path not in produced}
        moves.update({old: new for old, new in later.renamed if old not in produced})
        present = added | changed | set(moves.values())
        changed -= added
        removed -= present
        flags = {flag: getattr(self, flag) or getattr(later, flag) for flag in FLAGS}
        return KBChange(frozenset(added), frozenset(changed), frozenset(removed),
                        frozenset(moves.items()), self.files | later.files, **flags)

    def reversed(self) -> KBChange:
        """Return the change that undoes this one on disk: added and removed swap, renames go back."""
        flags = {flag: getattr(self, flag) for flag in FLAGS}
        return KBChange(self.removed, self.changed, self.added,
                        frozenset((new, old) for old, new in self.renamed), self.files, **flags)

    def to_json(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict (paths sorted; flags that are set)."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "renamed":
                data[item.name] = [list(pair) for pair in sorted(value)]
            elif isinstance(value, frozenset):
                data[item.name] = sorted(value)
            elif value:
                data[item.name] = True
        return data


def _file_flags(files: Iterable[str]) -> dict[str, bool]:
    """Return the flags that KB files which are no documents set when they change."""
    flags: dict[str, bool] = {}
    files = list(files)
    if not files:
        return flags
    # Imported when a KB file changed (both import kb.py, which returns these records; the review
    # package takes a tenth of a second to load, which a save of a document should not pay).
    from kbstudio.index.synonyms import SYNONYMS_PATH
    from kbstudio.loop.logfiles import FLAGS, folder_rel
    from kbstudio.review.policy import POLICY_FILE

    flag_logs = folder_rel(FLAGS) + "/"
    for path in files:
        if nfc(path) == SYNONYMS_PATH:
            flags.update(synonyms=True, health=True)
        elif nfc(path) == POLICY_FILE:
            flags.update(policy=True, review=True)
        elif nfc(path).startswith(flag_logs):   # Health's flag-open rule reads the flag events
            flags.update(health=True)
    return flags


NOTHING = KBChange()
"""The change that changed nothing (an operation that found nothing to do)."""
