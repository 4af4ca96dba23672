"""Dashboard data: documents by tier and status, stale documents, review queue size, recent changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kbstudio.kb import KnowledgeBase
from kbstudio.model import STATUSES, TIERS, DocumentFields
from kbstudio.vcs.service import VersionControl

UNTIERED = "untiered"
ROWS: tuple[str, ...] = (*TIERS, UNTIERED)
STALE_STATUSES = ("review", "published")
RECENT_LIMIT = 20
_LOG_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s"


@dataclass(frozen=True)
class StaleDocument:
    """A document in review or published whose ``review_by`` date has passed."""

    path: str
    id: str | None
    title: str
    tier: str | None
    status: str
    review_by: date
    days_overdue: int

    def to_json(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dict."""
        return {"path": self.path, "id": self.id, "title": self.title, "tier": self.tier,
                "status": self.status, "review_by": self.review_by.isoformat(),
                "days_overdue": self.days_overdue}


@dataclass(frozen=True)
class RecentChange:
    """One commit that changed the KB."""

    sha: str
    author: str
    email: str
    date: datetime
    summary: str
    paths: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the change as a JSON-ready dict."""
        return {"sha": self.sha, "author": self.author, "email": self.email, "date": self.date.isoformat(),
                "summary": self.summary, "paths": list(self.paths)}


@dataclass
class Dashboard:
    """A KB at a glance; ``counts[tier][status]``: a row per tier (and ``untiered``), a column per status."""

    name: str
    today: date
    counts: dict[str, dict[str, int]]
    stale: list[StaleDocument] = field(default_factory=list)
    review_queue_size: int = 0
    unreadable: list[str] = field(default_factory=list)
    recent: list[RecentChange] = field(default_factory=list)
    versioned: bool = False

    @property
    def total(self) -> int:
        """Return how many readable documents the counts cover."""
        return sum(sum(row.values()) for row in self.counts.values())

    def by_tier(self) -> dict[str, int]:
        """Return the row totals: documents per tier."""
        return {tier: sum(row.values()) for tier, row in self.counts.items()}

    def by_status(self) -> dict[str, int]:
        """Return the column totals: documents per status."""
        return {status: sum(row[status] for row in self.counts.values()) for status in STATUSES}

    def to_json(self) -> dict[str, Any]:
        """Return the dashboard as a JSON-ready dict."""
        return {"kb": self.name, "today": self.today.isoformat(), "total": self.total, "counts": self.counts,
                "by_tier": self.by_tier(), "by_status": self.by_status(),
                "stale": [entry.to_json() for entry in self.stale],
                "review_queue_size": self.review_queue_size, "unreadable": self.unreadable,
                "versioned": self.versioned, "recent": [change.to_json() for change in self.recent]}


def recent_changes(vcs: VersionControl, limit: int = RECENT_LIMIT, exclude: Sequence[str] = ()
                   ) -> list[RecentChange]:
    """Return the last ``limit`` commits (merges left out) that changed files of the KB, newest first.

    ``exclude`` names KB folders whose changes are not content (the caller's layer knows them: the
    knowledge loop's record folders, committed at every sync): a commit that touched only files
    there is left out, and their files are not listed (git's ``:(exclude)`` pathspecs).
    """
    repo = vcs.repo
    if limit <= 0 or repo.head() is None:
        return []
    excluded = [f":(top,literal,exclude){repo.to_repo(folder.rstrip('/'))}" for folder in exclude]
    out = repo.git("log", "--no-merges", "-z", "--name-only", f"--max-count={int(limit)}",
                   f"--format={_LOG_FORMAT}", "--", repo.kb_pathspec, *excluded).stdout
    changes = []
    for record in out.split("\x1e"):
        if not record.strip("\0\n"):
            continue
        header, _, files = record.partition("\0")
        sha, author, email, when, summary = header.split("\x1f", 4)
        paths = tuple(repo.kb_paths(files.lstrip("\n").split("\0")))
        changes.append(RecentChange(sha, author, email, datetime.fromisoformat(when), summary, paths))
    return changes


def dashboard(kb: KnowledgeBase, documents: Sequence[DocumentFields], vcs: VersionControl | None = None,
              today: date | None = None, recent_limit: int = RECENT_LIMIT, recent_exclude: Sequence[str] = ()
              ) -> Dashboard:
    """Return the dashboard of already loaded ``documents``; recent changes only when ``vcs`` is given
    (without commits touching only ``recent_exclude`` folders, see ``recent_changes``).

    Unreadable documents are listed apart and not counted; stale means in review or published with
    ``review_by`` before ``today`` (as the lint rule ``stale``), most overdue first.
    """
    today = today or date.today()
    counts = {row: dict.fromkeys(STATUSES, 0) for row in ROWS}
    result = Dashboard(kb.name, today, counts, versioned=vcs is not None)
    for doc in documents:
        if not doc.readable:
            result.unreadable.append(doc.rel_path)
            continue
        status = doc.status
        counts[doc.tier or UNTIERED][status] += 1
        if status == "review":
            result.review_queue_size += 1
        review_by = doc.review_by
        if review_by is not None and review_by < today and status in STALE_STATUSES:
            result.stale.append(StaleDocument(doc.rel_path, doc.id, doc.title, doc.tier, status, review_by,
                                              (today - review_by).days))
    result.stale.sort(key=lambda entry: (-entry.days_overdue, entry.path))
    if vcs is not None:
        result.recent = recent_changes(vcs, recent_limit, recent_exclude)
    return result
