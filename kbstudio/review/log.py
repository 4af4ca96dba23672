"""A document's review history: who asked for review, who validated it and who sent it back, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cmp_to_key
from typing import Any, Literal

from kbstudio.review.trailers import (
    CHANGES_REQUESTED_BY,
    REVIEW_OF,
    REVIEW_REQUESTED_FROM,
    REVIEWED_BY,
    one_line,
    parse_message,
)
from kbstudio.vcs.service import VersionControl

EventKind = Literal["requested", "approved", "changes_requested"]
TRAILER_KINDS: dict[str, EventKind] = {
    REVIEW_REQUESTED_FROM.lower(): "requested",
    REVIEWED_BY.lower(): "approved",
    CHANGES_REQUESTED_BY.lower(): "changes_requested",
}


@dataclass(frozen=True)
class ReviewEvent:
    """One review decision or request, read from a commit trailer in the document's history."""

    kind: EventKind
    reviewer: str
    date: datetime
    sha: str
    comment: str
    author: str
    path: str
    summary: str

    def to_json(self) -> dict[str, Any]:
        """Return the event as a JSON-ready dict."""
        return {"kind": self.kind, "reviewer": self.reviewer, "date": self.date.isoformat(),
                "sha": self.sha, "comment": self.comment, "author": self.author, "path": self.path,
                "summary": self.summary}


def review_log(vcs: VersionControl, rel_path: str, limit: int | None = None) -> list[ReviewEvent]:
    """Return the review events of a document, newest first, following renames.

    Each ``Reviewed-by``, ``Changes-requested-by`` and ``Review-requested-from`` trailer of a commit
    that changed the document is one event; ``author`` is who made the commit. Approvals that changed
    no file (the policy wanted more reviewers before publishing) name the document in a ``Review-of``
    trailer and are listed too.
    """
    events: list[ReviewEvent] = []
    versions = vcs.history.versions(rel_path, limit=limit)
    for version in versions:
        events += _events(version.message, version.date, version.sha, f"{version.author} <{version.email}>",
                          version.path, version.summary)
    names = {one_line(name) for name in {rel_path, *(version.path for version in versions)}}
    if vcs.repo.head() is not None:
        out = vcs.repo.git("log", f"--grep=^{REVIEW_OF}:", "--format=%H%x1f%an <%ae>%x1f%aI%x1f%s%x1f%B%x1e",
                           check=False).stdout
        for record in out.split("\x1e"):
            parts = record.strip("\n").split("\x1f", 4)
            if len(parts) != 5:
                continue
            sha, author, when, summary, message = parts
            if names & {one_line(value) for value in parse_message(message).values(REVIEW_OF)}:
                events += _events(message, datetime.fromisoformat(when), sha, author, rel_path, summary)
    events.sort(key=cmp_to_key(lambda one, other: _newer_first(vcs, one, other)))
    return events[:limit] if limit else events


def _newer_first(vcs: VersionControl, one: ReviewEvent, other: ReviewEvent) -> int:
    """Order events newest first: by date, and within the same second by which commit descends from which."""
    if one.date != other.date:
        return -1 if one.date > other.date else 1
    if one.sha == other.sha:
        return 0
    if vcs.repo.git("merge-base", "--is-ancestor", other.sha, one.sha, check=False).returncode == 0:
        return -1
    if vcs.repo.git("merge-base", "--is-ancestor", one.sha, other.sha, check=False).returncode == 0:
        return 1
    return 0


def _events(message: str, when: datetime, sha: str, author: str, path: str, summary: str
            ) -> list[ReviewEvent]:
    parsed = parse_message(message)
    found = []
    for key, value in parsed.trailers:
        kind = TRAILER_KINDS.get(key.lower())
        if kind is not None:
            found.append(ReviewEvent(kind, value, when, sha, parsed.body, author, path, summary))
    return found
