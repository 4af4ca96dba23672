"""The documents of an open KB as lists and filters need them, kept current from change records.

One ``DocumentSet`` holds every document's ``DocumentInfo`` (fields, no text: about 1 KB each) by
its KB-relative path as on disk. The app keeps one for the open KB: the library, the SOP lookups,
the new-document dialog and the content checks all read it, and a ``KBChange`` is applied to it
(``read`` the files it names, then ``apply``) before any view hears of the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from kbstudio.changes import KBChange
from kbstudio.kb import KnowledgeBase, is_document_path
from kbstudio.model import DocumentInfo
from kbstudio.names import nfc, spellings
from kbstudio.reader import read_info


def read_changed(kb: KnowledgeBase, change: KBChange) -> dict[str, list[DocumentInfo]]:
    """Read the documents ``change`` names as they are on disk now (runs on any thread).

    Returns, for each NFC path, the documents found under it (usually one; two when two files differ
    only in Unicode normalisation); an empty list when it is no longer a document.
    """
    found: dict[str, list[DocumentInfo]] = {}
    for name in sorted(change.documents):
        located = kb.locate(name)
        candidates = set(spellings(name)) | ({kb.rel_path(located)} if located is not None else set())
        found[name] = [read_info(kb.root / rel, kb.root) for rel in sorted(candidates)
                       if is_document_path(rel) and (kb.root / rel).is_file()]
    return found


class DocumentSet(Mapping[str, DocumentInfo]):
    """Every document of the open KB by its path as on disk (a read-only mapping for its readers)."""

    def __init__(self, documents: Iterable[DocumentInfo] = ()) -> None:
        self._infos: dict[str, DocumentInfo] = {}
        self._other_forms: dict[str, set[str]] = {}   # NFC name -> paths on disk not in NFC
        self.replace(documents)

    def replace(self, documents: Iterable[DocumentInfo]) -> None:
        """Hold ``documents`` instead of what was held (a KB opened, or read again)."""
        self._infos = {}
        self._other_forms = {}
        for info in documents:
            self._put(info)

    def _put(self, info: DocumentInfo) -> None:
        self._infos[info.rel_path] = info
        name = nfc(info.rel_path)
        if name != info.rel_path:
            self._other_forms.setdefault(name, set()).add(info.rel_path)

    def apply(self, found: Mapping[str, list[DocumentInfo]]) -> None:
        """Take in what ``read_changed`` found: each name's documents replace those held under it."""
        for name, documents in found.items():
            for rel in {name, *self._other_forms.pop(name, ())}:
                self._infos.pop(rel, None)
            for info in documents:
                self._put(info)

    def __getitem__(self, rel_path: str) -> DocumentInfo:
        return self._infos[rel_path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def __contains__(self, rel_path: object) -> bool:
        return rel_path in self._infos

    def folders(self) -> list[str]:
        """Return the folders that hold documents, sorted (the root as '')."""
        return sorted({rel.rpartition("/")[0] for rel in self._infos})
