"""The review queue: documents waiting in review, oldest first, each with its diff since last published."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kbstudio.kb import KnowledgeBase
from kbstudio.model import Document
from kbstudio.review.states import status_of_text
from kbstudio.review.trailers import REVIEWED_BY, parse_message
from kbstudio.vcs.diff import FileDiff, diff_texts
from kbstudio.vcs.history import Version
from kbstudio.vcs.runner import GitError
from kbstudio.vcs.service import VersionControl

NEW_DOCUMENT = "(new document)"


@dataclass(frozen=True)
class Trail:
    """Where a document in review came from: the commit that put it in review and its last published one."""

    submitted: Version | None
    published: Version | None
    published_text: str = ""


@dataclass
class QueueItem:
    """One document waiting for review."""

    path: str
    id: str | None
    title: str
    kind: str
    tier: str | None
    reviewers: list[str]
    submitted_by: str | None
    submitted_at: datetime
    submitted_sha: str | None
    age_days: int
    last_published: str | None
    last_published_at: datetime | None
    diff: FileDiff = field(repr=False)
    content_hash: str = ""

    @property
    def is_new(self) -> bool:
        """Return True when the document was never published: the diff shows all of it as added."""
        return self.last_published is None

    def to_json(self) -> dict[str, Any]:
        """Return the item as a JSON-ready dict (the diff as unified text)."""
        return {"path": self.path, "id": self.id, "title": self.title, "tier": self.tier,
                "submitted_by": self.submitted_by, "submitted_at": self.submitted_at.isoformat(),
                "age_days": self.age_days, "reviewers": self.reviewers,
                "last_published": self.last_published, "diff": self.diff.unified()}


def _text(vcs: VersionControl, version: Version) -> str:
    try:
        return vcs.history.version_text(version)
    except GitError:
        return ""


def _approved(version: Version) -> bool:
    return bool(parse_message(version.message).values(REVIEWED_BY))


def review_trail(vcs: VersionControl, rel_path: str) -> Trail:
    """Walk a document's history (newest first, following renames) back to its last validated version.

    ``submitted`` is the oldest commit of the newest unbroken run of commits with status review
    (None when the committed version is not in review). ``published`` is, in the newest run of commits
    with status published, the newest approval (``Reviewed-by``), else the commit that began the run:
    edits committed to a published document without review are part of what the reviewer sees.
    """
    submitted: Version | None = None
    published: Version | None = None
    published_text = ""
    in_review_run = True
    for version in vcs.history.versions(rel_path):
        text = _text(vcs, version)
        status = status_of_text(text)
        if published is not None and status != "published":
            break
        if status == "published":
            published, published_text = version, text
            if _approved(version):
                break
        elif in_review_run and status == "review":
            submitted = version
        else:
            in_review_run = False
    return Trail(submitted, published, published_text)


def _mtime(document: Document) -> datetime:
    try:
        return datetime.fromtimestamp(document.path.stat().st_mtime).astimezone()
    except OSError:
        return datetime.now().astimezone()


def queue_item(vcs: VersionControl | None, document: Document, now: datetime | None = None) -> QueueItem:
    """Return the queue entry of one document in review (git history when versioned, else its mtime)."""
    trail = review_trail(vcs, document.rel_path) if vcs is not None else Trail(None, None)
    submitted = trail.submitted
    when = submitted.date if submitted else _mtime(document)
    now = now or datetime.now().astimezone()
    saved_label = f"{document.rel_path} (saved)"
    if trail.published is not None:
        published = trail.published
        diff = diff_texts(trail.published_text, document.text, f"{published.path} ({published.short})",
                          saved_label)
    else:
        diff = diff_texts("", document.text, NEW_DOCUMENT, saved_label)
    return QueueItem(
        path=document.rel_path, id=document.id, title=document.title, kind=document.kind,
        tier=document.tier, reviewers=document.reviewers,
        submitted_by=f"{submitted.author} <{submitted.email}>" if submitted else None,
        submitted_at=when, submitted_sha=submitted.sha if submitted else None,
        age_days=max(0, (now - when).days),
        last_published=trail.published.sha if trail.published else None,
        last_published_at=trail.published.date if trail.published else None,
        diff=diff, content_hash=document.content_hash)


def review_queue(vcs: VersionControl | None, kb: KnowledgeBase, documents: list[Document] | None = None,
                 now: datetime | None = None) -> list[QueueItem]:
    """Return the documents in review, oldest submission first (``documents`` default: load the KB)."""
    documents = kb.load_all() if documents is None else documents
    now = now or datetime.now().astimezone()
    items = [queue_item(vcs, doc, now) for doc in documents if doc.readable and doc.status == "review"]
    items.sort(key=lambda item: (item.submitted_at, item.path))
    return items
