"""A knowledge base on disk: finding, loading and creating its documents."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from kbstudio.model import ID_PREFIXES, KINDS, TIERS, Document, DocumentFields, DocumentInfo, tier_rank
from kbstudio.names import find_path, id_key
from kbstudio.reader import read_document, read_info
from kbstudio.storage import save_document_text
from kbstudio.templates import TEMPLATE_FOLDER, fill_template, template_text

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

    def iter_paths(self) -> Iterator[Path]:
        """Yield every document path, skipping hidden folders and the template folder."""
        for folder, dirs, files in os.walk(self.root):
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not (here == self.root and d == TEMPLATE_FOLDER)
            )
            for name in sorted(files):
                if name.endswith(".md") and not name.startswith("."):
                    yield here / name

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
        return Created(draft.path, draft.rel_path, draft.doc_id)

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
