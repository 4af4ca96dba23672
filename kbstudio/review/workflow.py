"""Review actions on one document: submit, approve, request changes, archive, reopen; each is one commit."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kbstudio.docedit import DocumentEditError, update_document
from kbstudio.fmedit import FrontMatterEditError
from kbstudio.kb import KnowledgeBase
from kbstudio.model import ERROR, Document
from kbstudio.reader import UnreadableError, content_hash, parse_document, read_bytes
from kbstudio.review.states import (
    APPROVE,
    ARCHIVE,
    REOPEN,
    REQUEST_CHANGES,
    SUBMIT,
    Action,
    DocumentError,
    InvalidReviewerError,
    ReviewError,
    check_transition,
)
from kbstudio.review.trailers import (
    CHANGES_REQUESTED_BY,
    REVIEW_REQUESTED_FROM,
    REVIEWED_BY,
    build_message,
    check_people,
    check_person,
    clean_comment,
    one_line,
)
from kbstudio.storage import ExternalChangeError, atomic_write
from kbstudio.templates import REVIEW_AFTER_DAYS
from kbstudio.vcs.commit import has_conflict_markers
from kbstudio.vcs.repo import is_document
from kbstudio.vcs.service import VersionControl

_BAD_FRONT_MATTER = ("bad-front-matter", "unclosed-front-matter")


@dataclass
class ReviewResult:
    """What one review action changed: the file's new status and hash, and the commit that records it."""

    action: str
    path: str
    doc_id: str | None
    title: str
    old_status: str
    new_status: str
    sha: str | None
    message: str
    content_hash: str
    changed: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    review_by: date | None = None

    @property
    def committed(self) -> bool:
        """Return True when a commit was made."""
        return self.sha is not None

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {"action": self.action, "path": self.path, "id": self.doc_id, "title": self.title,
                "old_status": self.old_status, "new_status": self.new_status, "sha": self.sha,
                "message": self.message, "changed": self.changed, "reviewers": self.reviewers,
                "review_by": self.review_by.isoformat() if self.review_by else None}


@dataclass(frozen=True)
class _Loaded:
    path: Path
    rel: str
    data: bytes
    document: Document

    @property
    def label(self) -> str:
        doc_id = self.document.id
        return f"{doc_id} ({self.rel})" if doc_id else self.rel

    @property
    def ident(self) -> str:
        return self.document.id or self.rel

    @property
    def title(self) -> str:
        return one_line(self.document.title)


def load_document(kb: KnowledgeBase, rel_path: str) -> tuple[Path, str, bytes, Document]:
    """Read a KB document for a review action; raise DocumentError when it cannot be acted on."""
    if not rel_path or os.path.isabs(rel_path):
        raise DocumentError(f"give the document's path relative to the KB, not {rel_path!r}")
    path = Path(os.path.realpath(kb.locate(rel_path) or kb.root / rel_path))
    if not path.is_relative_to(kb.root):
        raise DocumentError(f"{rel_path} is not inside the knowledge base {kb.root}")
    rel = path.relative_to(kb.root).as_posix()
    if not path.is_file():
        raise DocumentError(f"{rel_path}: no such document in {kb.root}")
    if not is_document(rel):
        raise DocumentError(f"{rel}: not a document (documents are .md files outside hidden "
                            "folders and _templates/)")
    try:
        data = read_bytes(path, kb.root)
    except UnreadableError as error:
        raise DocumentError(f"{rel}: {error.message}") from None
    document = parse_document(path, rel, data)
    bad = [p for p in document.problems if p.severity == ERROR and
           (p.rule in _BAD_FRONT_MATTER or not document.readable)]
    if bad:
        raise DocumentError(f"{rel}: {bad[0].message}; fix it before a review action")
    return path, rel, data, document


def _load(kb: KnowledgeBase, rel_path: str, expected_hash: str | None) -> _Loaded:
    path, rel, data, document = load_document(kb, rel_path)
    if expected_hash is not None and document.content_hash != expected_hash:
        raise ExternalChangeError(path, expected_hash, document.content_hash)
    return _Loaded(path, rel, data, document)


def _ready(vcs: VersionControl, loaded: _Loaded, action: Action) -> None:
    check_transition(action, loaded.document.status, loaded.label)
    vcs.repo.require_identity()
    if vcs.repo.merging():
        raise ReviewError("a merge is in progress: resolve its conflicts before a review action")
    if has_conflict_markers(loaded.document.text):
        raise DocumentError(f"{loaded.rel} holds conflict markers: resolve them first")


def _commit(vcs: VersionControl, loaded: _Loaded, action: Action, edits: list[tuple[str, Any]],
            message: str) -> ReviewResult:
    """Edit the front matter in place, save atomically and commit; put the old bytes back on failure."""
    try:
        # keeps the file's line endings and BOM; refuses a file changed since it was read
        update = update_document(loaded.document, dict([("status", action.target), *edits]))
    except FrontMatterEditError as error:
        raise DocumentError(f"{loaded.rel}: {error}") from None
    except DocumentEditError as error:
        raise DocumentError(str(error)) from None
    new_hash = update.content_hash
    try:
        result = vcs.committer.commit(message, [loaded.rel])
    except BaseException:
        if update.changed and content_hash(loaded.path.read_bytes()) == new_hash:
            atomic_write(loaded.path, loaded.data)
        raise
    saved = parse_document(loaded.path, loaded.rel, update.data)
    return ReviewResult(action.name, loaded.rel, loaded.document.id, loaded.title, loaded.document.status,
                        action.target, result.sha, message, new_hash,
                        [loaded.rel] if result.committed else [], saved.reviewers, saved.review_by)


def submit(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, reviewers: list[str],
           expected_hash: str | None = None) -> ReviewResult:
    """Move a draft (or an edited published document) to review with its reviewers, as one commit.

    An empty ``reviewers`` keeps those already in the front matter. The whole file as saved is
    committed, so other saved edits to it go into the same commit.
    """
    loaded = _load(kb, rel_path, expected_hash)
    people = check_people(reviewers)
    _ready(vcs, loaded, SUBMIT)
    edits: list[tuple[str, Any]] = []
    if people:
        if people != loaded.document.reviewers:
            edits.append(("reviewers", people))
    elif not loaded.document.reviewers:
        raise InvalidReviewerError(f"name at least one reviewer ('Name <email>') for {loaded.label}")
    requested = people or loaded.document.reviewers
    message = build_message(f"Submit {loaded.ident} for review: {loaded.title}", "",
                            [(REVIEW_REQUESTED_FROM, one_line(person)) for person in requested])
    return _commit(vcs, loaded, SUBMIT, edits, message)


def approve(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, reviewer: str, comment: str = "",
            today: date | None = None, review_days: int | None = REVIEW_AFTER_DAYS,
            expected_hash: str | None = None) -> ReviewResult:
    """Publish a document in review; the commit message ends with ``Reviewed-by: Name <email>``.

    When ``review_by`` is missing or already past it is set to ``today + review_days``
    (``review_days`` None leaves it alone); a future ``review_by`` is kept.
    """
    person = check_person(reviewer)
    note = clean_comment(comment)
    loaded = _load(kb, rel_path, expected_hash)
    _ready(vcs, loaded, APPROVE)
    today = today or date.today()
    edits: list[tuple[str, Any]] = []
    review_by = loaded.document.review_by
    if review_days is not None and (review_by is None or review_by < today):
        edits.append(("review_by", today + timedelta(days=review_days)))
    message = build_message(f"Approve {loaded.ident}: {loaded.title}", note, [(REVIEWED_BY, person)])
    return _commit(vcs, loaded, APPROVE, edits, message)


def request_changes(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, reviewer: str, comment: str,
                    expected_hash: str | None = None) -> ReviewResult:
    """Send a document in review back to draft; the comment is the commit body, then the trailer."""
    person = check_person(reviewer)
    note = clean_comment(comment, required=True)
    loaded = _load(kb, rel_path, expected_hash)
    _ready(vcs, loaded, REQUEST_CHANGES)
    message = build_message(f"Request changes to {loaded.ident}: {loaded.title}", note,
                            [(CHANGES_REQUESTED_BY, person)])
    return _commit(vcs, loaded, REQUEST_CHANGES, [], message)


def archive(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, comment: str = "",
            expected_hash: str | None = None) -> ReviewResult:
    """Archive a document that no longer applies (kept for history), with an optional reason."""
    note = clean_comment(comment)
    loaded = _load(kb, rel_path, expected_hash)
    _ready(vcs, loaded, ARCHIVE)
    return _commit(vcs, loaded, ARCHIVE, [], build_message(f"Archive {loaded.ident}: {loaded.title}", note))


def reopen(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, comment: str = "",
           expected_hash: str | None = None) -> ReviewResult:
    """Bring an archived document back as a draft."""
    note = clean_comment(comment)
    loaded = _load(kb, rel_path, expected_hash)
    _ready(vcs, loaded, REOPEN)
    message = build_message(f"Reopen {loaded.ident} as a draft: {loaded.title}", note)
    return _commit(vcs, loaded, REOPEN, [], message)
