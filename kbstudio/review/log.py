"""A document's review history: who asked for review, who validated it and who sent it back, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from kbstudio.review.trailers import CHANGES_REQUESTED_BY, REVIEW_REQUESTED_FROM, REVIEWED_BY, parse_message
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
    that changed the document is one event; ``author`` is who made the commit.
    """
    events: list[ReviewEvent] = []
    for version in vcs.history.versions(rel_path, limit=limit):
        parsed = parse_message(version.message)
        for key, value in parsed.trailers:
            kind = TRAILER_KINDS.get(key.lower())
            if kind is not None:
                events.append(ReviewEvent(kind, value, version.date, version.sha, parsed.body,
                                          f"{version.author} <{version.email}>", version.path,
                                          version.summary))
    return events
