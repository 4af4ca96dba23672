"""Review reminders per tier: which published documents are due (or overdue) for review, by owner.

A document in review or published is due on the earlier of

- its ``review_by`` date, when set (approving sets it: ``kbstudio.review.workflow.approve``), and
- its last review plus the review interval of its tier (``review_interval_days`` of the KB's
  review policy, ``.kbstudio/review.yaml``; by default 180 days, 90 for L4), where the last review
  is its last approval (a ``Reviewed-by`` commit) or, never approved, its last change in git.

With ``reuse_counts_as_review: true`` in the policy, a use recorded as ``solved`` is a light
review (KCS "reuse is review"): the due date is never earlier than that use plus the interval.
A document with neither a ``review_by`` nor any history or use is not listed (nothing says when).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kbstudio.loop.flags import NO_OWNER
from kbstudio.loop.history_facts import HistoryFacts
from kbstudio.loop.ledger import SOLVED, UseEntry, doc_key
from kbstudio.model import DocumentFields
from kbstudio.review.policy import ReviewPolicy

REMIND_STATUSES = ("review", "published")


@dataclass(frozen=True)
class Reminder:
    """One document due for review: when, why, and how late (``days_left`` < 0: overdue)."""

    path: str
    id: str | None
    title: str
    tier: str | None
    status: str
    owner: str
    due: date
    days_left: int
    reason: str                       # "review_by", "interval" or "reuse" (a light review moved it)
    last_review: date | None = None
    light_review: date | None = None  # the last solved use, when the policy counts it

    def to_json(self) -> dict[str, Any]:
        """Return the reminder as a JSON-ready dict."""
        return {"path": self.path, "id": self.id, "title": self.title, "tier": self.tier,
                "status": self.status, "owner": self.owner, "due": self.due.isoformat(),
                "days_left": self.days_left, "overdue": self.days_left < 0, "reason": self.reason,
                "last_review": self.last_review.isoformat() if self.last_review else None,
                "light_review": self.light_review.isoformat() if self.light_review else None}


def _last_solved(uses: Sequence[UseEntry]) -> dict[str, date]:
    last: dict[str, date] = {}
    for entry in uses:
        if entry.outcome == SOLVED and entry.key is not None:
            day = entry.time.date()
            if entry.key not in last or day > last[entry.key]:
                last[entry.key] = day
    return last


def due_date(document: DocumentFields, policy: ReviewPolicy, history: HistoryFacts | None,
             light: date | None) -> tuple[date, str, date | None] | None:
    """Return (due date, reason, last review) of ``document`` (see the module doc), or None."""
    interval = policy.interval(document.tier)
    last = None
    if history is not None:
        moment = history.last_approved.get(document.rel_path) or history.last_changed.get(document.rel_path)
        last = moment.date() if moment else None
    candidates: list[tuple[date, str]] = []
    if document.review_by is not None:
        candidates.append((document.review_by, "review_by"))
    if last is not None and interval is not None:
        candidates.append((last + timedelta(days=interval), "interval"))
    if light is not None and policy.reuse_counts_as_review and interval is not None:
        by_reuse = light + timedelta(days=interval)
        if not candidates:
            return by_reuse, "reuse", last
        due, reason = min(candidates)
        return (by_reuse, "reuse", last) if by_reuse > due else (due, reason, last)
    if not candidates:
        return None
    due, reason = min(candidates)
    return due, reason, last


def reminders(documents: Sequence[DocumentFields], policy: ReviewPolicy, history: HistoryFacts | None,
              uses: Sequence[UseEntry], today: date, days: int = 0) -> list[Reminder]:
    """Return the documents due by ``today + days`` (overdue ones too), soonest first, then by path."""
    solved = _last_solved(uses) if policy.reuse_counts_as_review else {}
    limit = today + timedelta(days=max(days, 0))
    found = []
    for document in documents:
        if not document.readable or document.status not in REMIND_STATUSES:
            continue
        light = solved.get(doc_key(document.id, document.rel_path))
        due = due_date(document, policy, history, light)
        if due is None or due[0] > limit:
            continue
        found.append(Reminder(document.rel_path, document.id, document.title, document.tier,
                              document.status, document.owner or NO_OWNER, due[0], (due[0] - today).days,
                              due[1], due[2], light))
    found.sort(key=lambda item: (item.due, item.path))
    return found


def by_owner(items: Sequence[Reminder]) -> dict[str, list[Reminder]]:
    """Return the reminders grouped by owner (owners sorted), each group soonest first."""
    grouped: dict[str, list[Reminder]] = defaultdict(list)
    for item in items:
        grouped[item.owner].append(item)
    return dict(sorted(grouped.items()))
