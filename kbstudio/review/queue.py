"""The review queue: documents waiting in review, oldest first, each with its diff since last published."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kbstudio.kb import KnowledgeBase
from kbstudio.model import Document, DocumentFields
from kbstudio.reader import full_document
from kbstudio.review.policy import PolicyError, edits_content, load_policy
from kbstudio.review.states import status_of_text
from kbstudio.review.trailers import REVIEW_OF, REVIEWED_BY, one_line, parse_message
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
    changed_by: tuple[tuple[str, str], ...] = ()   # (person, commit) of each change to the text since
    last_change: Version | None = None             # the newest commit that changed the text
    approvals: tuple[str, ...] = ()                # Reviewed-by since then, each reviewer once


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
    approvals: list[str] = field(default_factory=list)   # who approved this version already
    approvals_needed: int = 1                             # how many the KB's review policy wants

    @property
    def is_new(self) -> bool:
        """Return True when the document was never published: the diff shows all of it as added."""
        return self.last_published is None

    def to_json(self) -> dict[str, Any]:
        """Return the item as a JSON-ready dict (the diff as unified text)."""
        return {"path": self.path, "id": self.id, "title": self.title, "tier": self.tier,
                "submitted_by": self.submitted_by, "submitted_at": self.submitted_at.isoformat(),
                "age_days": self.age_days, "reviewers": self.reviewers,
                "last_published": self.last_published, "approvals": self.approvals,
                "approvals_needed": self.approvals_needed, "diff": self.diff.unified()}


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
    walked: list[tuple[Version, str]] = []
    for version in vcs.history.versions(rel_path):
        text = _text(vcs, version)
        walked.append((version, text))
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
        if version.change in ("A", "C"):
            # created here: git log --follow also takes a new file for a copy of a similar one (a new
            # document from the template), and what it lists before is that other document's past.
            # A merge "created" it when a teammate's commit brought it in: their commit is the
            # creation, and its author one of the document's authors.
            creation = vcs.history.creation(version.path) if version.merge else None
            if creation is not None and creation.sha != version.sha:
                walked.append((creation, _text(vcs, creation)))
            break
    return _with_round(vcs, rel_path, Trail(submitted, published, published_text), walked)


def _person(version: Version) -> str:
    return f"{version.author} <{version.email}>"


def _with_round(vcs: VersionControl, rel_path: str, trail: Trail, walked: list[tuple[Version, str]]) -> Trail:
    """Add who changed the text since the last published version, and the approvals since the last change.

    A commit changes the text when it changes the body or any field but status, reviewers and review_by
    (what the review steps write); the oldest commit of a document never published created it.
    """
    end = next((index for index, (version, _) in enumerate(walked)
                if trail.published is not None and version.sha == trail.published.sha), len(walked))
    changes = [index for index in range(end)
               if index + 1 >= len(walked) or edits_content(walked[index + 1][1], walked[index][1])]
    changed_by = tuple((_person(walked[index][0]), walked[index][0].sha) for index in changes)
    newest = changes[0] if changes else end
    last_change = walked[newest][0] if newest < len(walked) else None
    approvals: list[str] = []
    for version, _ in walked[:newest]:
        approvals += parse_message(version.message).values(REVIEWED_BY)
    if last_change is not None:
        names = {rel_path, *(version.path for version, _ in walked[:newest + 1])}
        approvals += _approvals_without_changes(vcs, names, last_change.sha)
    unique: list[str] = []
    for person in approvals:
        if person.lower() not in (known.lower() for known in unique):
            unique.append(person)
    return Trail(trail.submitted, trail.published, trail.published_text, changed_by, last_change,
                 tuple(unique))


def _approvals_without_changes(vcs: VersionControl, names: set[str], since: str) -> list[str]:
    """Return the Reviewed-by of approvals that did not change the file (``Review-of: PATH``) since ``since``.

    An approval that does not publish yet (the policy wants more reviewers) changes nothing in the
    document, so it is a commit of its own that names the document in a ``Review-of`` trailer.
    """
    out = vcs.repo.git("log", "--format=%B%x1e", f"--grep=^{REVIEW_OF}:", f"{since}..HEAD", check=False)
    found: list[str] = []
    wanted = {one_line(name) for name in names}
    for message in out.stdout.split("\x1e"):
        parsed = parse_message(message)
        if wanted & {one_line(value) for value in parsed.values(REVIEW_OF)}:
            found += parsed.values(REVIEWED_BY)
    return found


def _mtime(document: Document) -> datetime:
    try:
        return datetime.fromtimestamp(document.path.stat().st_mtime).astimezone()
    except OSError:
        return datetime.now().astimezone()


def queue_item(vcs: VersionControl | None, document: Document, now: datetime | None = None,
               approvals_needed: int = 1) -> QueueItem:
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
        diff=diff, content_hash=document.content_hash, approvals=list(trail.approvals),
        approvals_needed=approvals_needed)


def review_queue(vcs: VersionControl | None, kb: KnowledgeBase,
                 documents: Sequence[DocumentFields] | None = None, now: datetime | None = None
                 ) -> list[QueueItem]:
    """Return the documents in review, oldest submission first (``documents`` default: the KB's).

    ``documents`` may be ``DocumentInfo``: the text of each document in review is read from disk.
    """
    documents = kb.scan() if documents is None else documents
    now = now or datetime.now().astimezone()
    try:
        needed = load_policy(vcs.repo).min_reviewers if vcs is not None else 1
    except PolicyError:
        needed = 1          # the review steps report the broken policy; the queue still lists
    items = [queue_item(vcs, full_document(doc), now, needed) for doc in documents
             if doc.readable and doc.status == "review"]
    items.sort(key=lambda item: (item.submitted_at, item.path))
    return items
