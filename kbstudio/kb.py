"""A knowledge base on disk: finding, loading, creating, saving, renaming and deleting its documents.

Each operation that changes the KB returns what it changed (``kbstudio.changes.KBChange``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from kbstudio.changes import KBChange
from kbstudio.model import ID_PREFIXES, KINDS, TIERS, Document, DocumentFields, DocumentInfo, tier_rank
from kbstudio.names import find_path, id_key, same_name
from kbstudio.reader import content_hash, read_document, read_info
from kbstudio.storage import ExternalChangeError, save_document_text
from kbstudio.templates import TEMPLATE_FOLDER, fill_template, template_text
from kbstudio.textformat import TextFormat

STATE_FOLDER = ".kbstudio"
SCAN_CHUNK = 256   # documents a worker process reads per task
RETIRED_IDS_FILE = "retired-ids"
DEFAULT_FOLDERS = {"article": "articles", "sop": "sops"}
_ID_PATTERN = re.compile(r"^([A-Z]+)-(\d+)$")


@dataclass(frozen=True)
class Created:
    """What creating a document changed."""

    path: Path
    rel_path: str
    doc_id: str
    change: KBChange = KBChange()


@dataclass(frozen=True)
class Saved:
    """What saving a document (or a KB file that is no document) changed: its new hash and the record."""

    path: Path
    rel_path: str
    content_hash: str
    change: KBChange


@dataclass(frozen=True)
class Deleted:
    """A deleted document: its path, its id (retired, never given out again) and the record."""

    rel_path: str
    doc_id: str | None
    change: KBChange


@dataclass(frozen=True)
class Renamed:
    """A document moved to another name or folder of the KB, and the record."""

    old: str
    new: str
    path: Path
    change: KBChange


@dataclass(frozen=True)
class Draft:
    """A new document's place, id and text, before anything is written."""

    path: Path
    rel_path: str
    doc_id: str
    text: str


def is_document_path(rel: str) -> bool:
    """Return True when KB-relative ``rel`` names a document: the rule ``KnowledgeBase.iter_paths`` walks by.

    A ``.md`` file whose name and folders do not start with a dot, outside the top-level template folder.
    """
    parts = rel.split("/")
    if not rel.endswith(".md") or any(part.startswith(".") for part in parts):
        return False
    return not (len(parts) > 1 and parts[0] == TEMPLATE_FOLDER)


def _read_infos(root: Path, paths: Sequence[Path]) -> list[DocumentInfo]:
    """Read the DocumentInfo of each of ``paths`` (a worker process's share of ``scan``)."""
    return [read_info(path, root, walked=True) for path in paths]


def kb_folder_name(kb_root: Path) -> str:
    """Return a folder name for the KB's app state: readable name plus a hash of its real path."""
    real = os.path.realpath(kb_root)
    digest = hashlib.sha1(real.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = re.sub(r"[^\w.-]+", "-", Path(real).name)[:40] or "kb"
    return f"{name}-{digest}"


def slugify(title: str, limit: int = 60) -> str:
    """Return a file-name-safe slug of ``title`` that keeps non-Latin letters."""
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")
    return slug[:limit].rstrip("-_")


class KnowledgeBase:
    """A folder of Markdown documents."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    @property
    def name(self) -> str:
        """Return the KB's display name (its folder name)."""
        return self.root.name

    def _walk(self) -> Iterator[tuple[Path, list[str]]]:
        """Yield every folder that may hold documents with its file names, in order."""
        for folder, dirs, files in os.walk(self.root):
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not (here == self.root and d == TEMPLATE_FOLDER)
            )
            yield here, files

    def iter_paths(self) -> Iterator[Path]:
        """Yield every document path, skipping hidden folders and the template folder."""
        for here, files in self._walk():
            for name in sorted(files):
                if name.endswith(".md") and not name.startswith("."):
                    yield here / name

    def iter_folders(self) -> Iterator[Path]:
        """Yield the root and every folder below it that may hold documents (what ``iter_paths`` walks)."""
        for here, _ in self._walk():
            yield here

    def rel_path(self, path: Path) -> str:
        """Return ``path`` relative to the KB root, POSIX style."""
        return Path(os.path.realpath(path)).relative_to(self.root).as_posix()

    def locate(self, rel: str) -> Path | None:
        """Return the file or folder KB-relative ``rel`` names on disk, else None.

        ``rel`` may come from a link, the command line or git in another Unicode normalisation
        form than the file system stores (a name written decomposed by a Mac tool, typed composed):
        the path returned is the one on disk, which every read and write must use.
        """
        return find_path(self.root, rel)

    def disk_rel(self, rel: str) -> str:
        """Return KB-relative ``rel`` spelled as on disk (see ``locate``); unchanged when not found."""
        path = self.locate(rel)
        return path.relative_to(self.root).as_posix() if path is not None else rel

    def load(self, path: Path | str) -> Document:
        """Read one document (absolute path, or relative to the root in any normalisation form)."""
        path = Path(path)
        if not path.is_absolute():
            path = self.locate(path.as_posix()) or self.root / path
        return read_document(path, self.root)

    def load_all(self, cancelled: Callable[[], bool] | None = None) -> list[Document]:
        """Read every document; unreadable ones come back with their problems.

        When ``cancelled`` returns True, reading stops and what was read so far is returned.
        """
        documents: list[Document] = []
        for path in self.iter_paths():
            if cancelled is not None and len(documents) % 64 == 0 and cancelled():
                break
            documents.append(read_document(path, self.root, walked=True))
        return documents

    def iter_documents(self, paths: Iterable[Path] | None = None) -> Iterator[Document]:
        """Yield every document (or those at ``paths``) read in full, one at a time.

        Nothing is kept: whoever walks a whole KB this way holds one text at a time.
        """
        walked = paths is None
        for path in self.iter_paths() if paths is None else paths:
            yield read_document(path, self.root, walked=walked)

    def scan(self, cancelled: Callable[[], bool] | None = None, workers: int = 1) -> list[DocumentInfo]:
        """Return what lists and filters need of every document (``DocumentInfo``), without its text.

        Each file is read and checked as ``load_all`` does (the same problems), but only its fields
        stay in memory. When ``cancelled`` returns True, reading stops and what was read is returned.
        ``workers`` above 1 reads in that many forked processes (``kbstudio.workers``; the command
        line only), without ``cancelled``.
        """
        if workers > 1:
            from kbstudio.workers import map_chunks  # multiprocessing loads only for the command line

            paths = list(self.iter_paths())
            return list(map_chunks(partial(_read_infos, self.root), paths, workers, SCAN_CHUNK))
        infos: list[DocumentInfo] = []
        for path in self.iter_paths():
            if cancelled is not None and len(infos) % 64 == 0 and cancelled():
                break
            infos.append(read_info(path, self.root, walked=True))
        return infos

    def retired_ids(self) -> set[str]:
        """Return the ids of deleted documents, which are never given out again."""
        try:
            text = (self.root / STATE_FOLDER / RETIRED_IDS_FILE).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return set()
        return {line.strip() for line in text.splitlines() if line.strip()}

    def retire_id(self, doc_id: str) -> None:
        """Record that ``doc_id`` belonged to a deleted document."""
        folder = self.root / STATE_FOLDER
        folder.mkdir(exist_ok=True)
        with (folder / RETIRED_IDS_FILE).open("a", encoding="utf-8") as handle:
            handle.write(doc_id + "\n")

    def file_hash(self, rel: str) -> str | None:
        """Return the content hash of KB file ``rel`` as it is on disk now, None when there is none."""
        path = self.locate(rel)
        try:
            return content_hash(path.read_bytes()) if path is not None else None
        except OSError:
            return None

    def next_id(self, kind: str, documents: Sequence[DocumentFields] | None = None) -> str:
        """Return a fresh id for ``kind``: one above the highest ever used with its prefix."""
        prefix = ID_PREFIXES[kind]
        documents = self.scan() if documents is None else documents
        used = {doc.id for doc in documents if doc.id} | self.retired_ids()
        highest = 0
        for doc_id in used:
            match = _ID_PATTERN.match(id_key(doc_id))
            if match and match.group(1) == prefix:
                highest = max(highest, int(match.group(2)))
        return f"{prefix}-{highest + 1:04d}"

    def create(
        self,
        kind: str,
        title: str,
        tier: str,
        folder: str | None = None,
        owner: str = "",
        escalates_to: str | None = None,
    ) -> Created:
        """Create a document from its template with a fresh id; return what was created."""
        draft = self.draft(kind, title, tier, folder, owner, escalates_to)
        draft.path.parent.mkdir(parents=True, exist_ok=True)
        save_document_text(draft.path, draft.text, expected_hash=None)
        return Created(draft.path, draft.rel_path, draft.doc_id, KBChange.of(added=[draft.rel_path]))

    def save(self, path: Path, text: str, expected_hash: str | None, fmt: TextFormat | None = None) -> Saved:
        """Save ``text`` to ``path`` (a document, or a KB file such as the synonyms file) atomically.

        ``expected_hash`` is the hash of the bytes that were loaded, None for a new file; a file
        changed on disk since is never overwritten (``storage.ExternalChangeError``). ``fmt`` as in
        ``storage.save_document_text``. Raises OSError when the file cannot be written.
        """
        new_hash = save_document_text(path, text, expected_hash, fmt)
        rel = self.rel_path(path)
        change = KBChange.of(added=[rel]) if expected_hash is None else KBChange.of(changed=[rel])
        return Saved(path, rel, new_hash, change)

    def _document_file(self, rel: str) -> tuple[Path, str]:
        """Return the file of document ``rel`` (any normalisation form) and its path as on disk.

        Raises ValueError when ``rel`` names no document of this KB.
        """
        path = self.locate(rel)
        if path is None or not path.is_file():
            raise ValueError(f"{rel}: no such document in {self.root}")
        disk = self.rel_path(path)
        if not is_document_path(disk):
            raise ValueError(f"{rel}: not a document (documents are .md files outside hidden folders "
                             f"and {TEMPLATE_FOLDER}/)")
        return path, disk

    def delete(self, rel: str, expected_hash: str | None = None) -> Deleted:
        """Delete document ``rel`` and retire its id, so no new document is given it again.

        ``expected_hash`` (when given) is the hash the caller read: a file changed since is not
        deleted (``storage.ExternalChangeError``). A versioned KB keeps the text in its history
        until the deletion is committed and after. Raises ValueError for no such document.
        """
        path, disk = self._document_file(rel)
        document = read_document(path, self.root)
        if expected_hash is not None and document.content_hash != expected_hash:
            raise ExternalChangeError(path, expected_hash, document.content_hash)
        path.unlink()
        retired = []
        if document.id:
            self.retire_id(document.id)
            retired.append(f"{STATE_FOLDER}/{RETIRED_IDS_FILE}")
        return Deleted(disk, document.id, KBChange.of(removed=[disk], changed=retired))

    def rename(self, rel: str, new_rel: str) -> Renamed:
        """Move document ``rel`` to ``new_rel`` (KB-relative; ``.md`` is added when missing).

        Folders are created as needed; an existing file is never replaced, in any normalisation form
        of its name. Links to the document are not rewritten (Health reports them). Raises
        ValueError for no such document, a target that is no document path or outside the KB, or
        one that exists; OSError when the file system refuses.
        """
        path, old = self._document_file(rel)
        new = "/".join(part for part in new_rel.strip().replace("\\", "/").split("/") if part)
        new = new if new.endswith(".md") else f"{new}.md"
        target = self.root / new
        if not is_document_path(new) or not target.resolve().is_relative_to(self.root):
            raise ValueError(f"{new_rel}: not a document path inside the knowledge base (a .md file "
                             f"outside hidden folders and {TEMPLATE_FOLDER}/)")
        if same_name(old, new):
            raise ValueError(f"{new}: that is already its name")
        if self.locate(new) is not None:
            raise ValueError(f"{new} already exists: choose another name")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)   # fails when the target exists: never replaces a file
        except FileExistsError:
            raise ValueError(f"{new} already exists: choose another name") from None
        except OSError:   # a file system without hard links: the check above stands
            os.rename(path, target)
        else:
            path.unlink()
        return Renamed(old, new, target, KBChange.of(renamed=[(old, new)]))

    def draft(
        self,
        kind: str,
        title: str,
        tier: str,
        folder: str | None = None,
        owner: str = "",
        escalates_to: str | None = None,
        documents: Sequence[DocumentFields] | None = None,
        taken: Iterable[Draft] = (),
    ) -> Draft:
        """Return a new document from its template, with a fresh id and a free file name, unwritten.

        ``documents`` are the KB's documents when already read; ``taken`` are drafts not written
        yet, whose ids and file names are not given out again.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not '{kind}'")
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {', '.join(TIERS)}, not '{tier}'")
        title = " ".join(title.split())
        if not title:
            raise ValueError("a title is required")
        if escalates_to is None and kind == "sop":
            escalates_to = TIERS[min(tier_rank(tier) + 1, len(TIERS) - 1)]
        taken = list(taken)
        doc_id = self.next_id(kind, documents)
        prefix, number = doc_id.rsplit("-", 1)
        taken_ids = {draft.doc_id for draft in taken}
        while doc_id in taken_ids:
            number = f"{int(number) + 1:04d}"
            doc_id = f"{prefix}-{number}"
        target_folder = self._target_folder(folder if folder is not None else DEFAULT_FOLDERS[kind])
        path = self._free_path(target_folder, slugify(title) or doc_id.lower(),
                               {draft.path for draft in taken})
        values = {"id": doc_id, "title": title, "tier": tier, "owner": owner,
                  "escalates_to": escalates_to or ""}
        text = fill_template(template_text(self.root, kind), values)
        return Draft(path, self.rel_path(path), doc_id, text)

    def _target_folder(self, folder: str) -> Path:
        target = (self.root / folder).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise ValueError(f"folder '{folder}' is outside the knowledge base")
        return target

    @staticmethod
    def _free_path(folder: Path, stem: str, taken: set[Path] | frozenset[Path] = frozenset()) -> Path:
        candidate = folder / f"{stem}.md"
        number = 2
        while candidate.exists() or candidate in taken:
            candidate = folder / f"{stem}-{number}.md"
            number += 1
        return candidate
