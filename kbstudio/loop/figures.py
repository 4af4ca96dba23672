"""Knowledge health figures (KCS): reuse, link rate, flags, resolved at tier, time to publish, people.

Computed from the ledgers (``kbstudio.loop.ledger``, ``flags``, ``gaps``) and git history
(``kbstudio.loop.history_facts``), at a given ``now`` (UTC) so that two clones with the same files
and history, or a test, get the very same numbers. Definitions (also in docs/knowledge-loop.md):

- **reuse per document**: uses recorded as ``solved`` or ``partly`` in the last 30 and 90 days
  (``uses_30``/``uses_90`` count every outcome);
- **link rate**: the share of uses and SOP runs of the last ``RATE_DAYS`` that name a document
  (KCS "link rate"; an SOP run that ended without naming an article does not);
- **flag rate**: flags opened in the last ``RATE_DAYS`` per use recorded in them; **time to
  resolve**: the median hours from opening to resolving, over every resolved flag;
- **resolved at tier**: per agent tier, the share of its uses of the last ``RATE_DAYS`` whose
  outcome is ``solved`` (KCS "resolved at first contact" per tier);
- **draft to published**: the median days from a document's first ``status: draft`` commit to
  its first ``status: published`` commit, over documents that went that way;
- **participation**: who committed document changes (authors) and who approved (``Reviewed-by``)
  in the last ``RATE_DAYS``, with counts;
- **never used**: published documents with no use (as document or as the SOP) in the last
  ``UNUSED_DAYS`` days, created before that (candidates to archive);
- **open gaps**: groups of similar failed searches no published document covers.

Time series for a chart: uses (and solved ones) per ISO week for the last ``WEEKS`` weeks, and
flags per document tier (opened in the last ``RATE_DAYS``, open now).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from kbstudio.loop.flags import Flag
from kbstudio.loop.gap_groups import GapGroup
from kbstudio.loop.history_facts import HistoryFacts
from kbstudio.loop.ledger import REUSE_OUTCOMES, SOLVED, UseEntry, doc_key
from kbstudio.loop.records import format_time
from kbstudio.model import TIERS, DocumentFields, Problem

RATE_DAYS = 90
REUSE_WINDOWS = (30, 90)
UNUSED_DAYS = 180
WEEKS = 12
UNTIERED = "untiered"


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: Sequence[float]) -> float | None:
    return round(median(values), 2) if values else None


@dataclass(frozen=True)
class DocumentUse:
    """How much one document was used."""

    key: str
    id: str | None
    path: str | None
    title: str
    tier: str | None
    uses_30: int
    uses_90: int
    reuse_30: int
    reuse_90: int

    def to_json(self) -> dict[str, Any]:
        """Return the row as a JSON-ready dict."""
        return {"id": self.id, "path": self.path, "title": self.title, "tier": self.tier,
                "uses_30": self.uses_30, "uses_90": self.uses_90, "reuse_30": self.reuse_30,
                "reuse_90": self.reuse_90}


@dataclass
class Figures:
    """The knowledge health figures of a KB at ``now``; ``to_json`` is the ``knowledge`` part of
    ``kbstudio dashboard --json``."""

    now: datetime
    uses_total: int = 0
    reuse: list[DocumentUse] = field(default_factory=list)
    link_rate: float | None = None
    linked: int = 0
    runs_and_uses: int = 0
    flags_opened: int = 0
    flags_open: int = 0
    flag_rate: float | None = None
    median_hours_to_resolve: float | None = None
    resolved_at_tier: dict[str, dict[str, Any]] = field(default_factory=dict)
    median_days_draft_to_published: float | None = None
    published_from_draft: int = 0
    authors: list[tuple[str, int]] = field(default_factory=list)
    reviewers: list[tuple[str, int]] = field(default_factory=list)
    never_used: list[dict[str, Any]] = field(default_factory=list)
    open_gaps: int = 0
    gap_groups: int = 0
    weeks: list[dict[str, Any]] = field(default_factory=list)
    flags_by_tier: dict[str, dict[str, int]] = field(default_factory=dict)
    versioned: bool = False
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the figures as a JSON-ready dict (times UTC ISO 8601, rates 0-1 or null)."""
        return {
            "now": format_time(self.now), "rate_days": RATE_DAYS, "unused_days": UNUSED_DAYS,
            "versioned": self.versioned, "uses_total": self.uses_total,
            "reuse": [row.to_json() for row in self.reuse],
            "link_rate": self.link_rate, "linked": self.linked, "runs_and_uses": self.runs_and_uses,
            "flags_opened": self.flags_opened, "flags_open": self.flags_open, "flag_rate": self.flag_rate,
            "median_hours_to_resolve": self.median_hours_to_resolve,
            "resolved_at_tier": self.resolved_at_tier,
            "median_days_draft_to_published": self.median_days_draft_to_published,
            "published_from_draft": self.published_from_draft,
            "participation": {"authors": [{"name": name, "commits": count} for name, count in self.authors],
                              "reviewers": [{"name": name, "approvals": count}
                                            for name, count in self.reviewers]},
            "never_used": self.never_used, "open_gaps": self.open_gaps, "gap_groups": self.gap_groups,
            "series": {"uses_per_week": self.weeks, "flags_by_tier": self.flags_by_tier},
            "problems": [problem.to_json() for problem in self.problems],
        }


def _within(moment: datetime, now: datetime, days: int) -> bool:
    return now - timedelta(days=days) < moment <= now


def figures(documents: Sequence[DocumentFields], uses: Sequence[UseEntry], flags: Sequence[Flag],
            groups: Sequence[GapGroup], history: HistoryFacts | None, now: datetime) -> Figures:
    """Return the figures of already read records (see the module doc for each definition).

    ``now`` must be aware (UTC or any zone); records after ``now`` are left out of windows.
    """
    now = now.astimezone(UTC)
    result = Figures(now, versioned=history is not None)
    uses = [entry for entry in uses if entry.time <= now]
    result.uses_total = len(uses)
    _reuse(result, documents, uses, now)
    recent = [entry for entry in uses if _within(entry.time, now, RATE_DAYS)]
    result.linked = sum(1 for entry in recent if entry.names_document)
    result.runs_and_uses = len(recent)
    result.link_rate = _ratio(result.linked, len(recent))
    _flags(result, documents, flags, len(recent), now)
    _tiers(result, recent)
    if history is not None:
        _history(result, history, now)
    _never_used(result, documents, uses, history, now)
    result.gap_groups = len(groups)
    result.open_gaps = sum(1 for group in groups if group.is_open)
    _weeks(result, uses, now)
    return result


def _reuse(result: Figures, documents: Sequence[DocumentFields], uses: Sequence[UseEntry],
           now: datetime) -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    seen: dict[str, UseEntry] = {}
    for entry in uses:
        key = entry.key
        if key is None:
            continue
        seen.setdefault(key, entry)
        for days in REUSE_WINDOWS:
            if _within(entry.time, now, days):
                counts[key][f"uses_{days}"] += 1
                if entry.outcome in REUSE_OUTCOMES:
                    counts[key][f"reuse_{days}"] += 1
    by_key = {doc_key(document.id, document.rel_path): document for document in documents}
    rows = []
    for key, count in counts.items():
        document, entry = by_key.get(key), seen[key]
        rows.append(DocumentUse(key, document.id if document else entry.document,
                                document.rel_path if document else entry.path,
                                document.title if document else (entry.document or entry.path or key),
                                document.tier if document else None, count["uses_30"], count["uses_90"],
                                count["reuse_30"], count["reuse_90"]))
    result.reuse = sorted(rows, key=lambda row: (-row.reuse_90, -row.uses_90, row.key))


def _flags(result: Figures, documents: Sequence[DocumentFields], flags: Sequence[Flag], uses: int,
           now: datetime) -> None:
    tiers = {doc_key(document.id, document.rel_path): document.tier for document in documents}
    by_tier = {tier: {"opened": 0, "open": 0} for tier in (*TIERS, UNTIERED)}
    hours = []
    for flag in flags:
        if flag.opened_at > now:
            continue
        tier = tiers.get(flag.key) or UNTIERED
        resolved = flag.resolved_at is not None and flag.resolved_at <= now
        if _within(flag.opened_at, now, RATE_DAYS):
            result.flags_opened += 1
            by_tier[tier]["opened"] += 1
        if not resolved:
            result.flags_open += 1
            by_tier[tier]["open"] += 1
        elif flag.resolved_at is not None:
            hours.append(max((flag.resolved_at - flag.opened_at).total_seconds(), 0) / 3600)
    result.flag_rate = _ratio(result.flags_opened, uses)
    result.median_hours_to_resolve = _median(hours)
    result.flags_by_tier = by_tier


def _tiers(result: Figures, recent: Sequence[UseEntry]) -> None:
    for tier in (*TIERS, UNTIERED):
        mine = [entry for entry in recent if (entry.tier or UNTIERED) == tier]
        solved = sum(1 for entry in mine if entry.outcome == SOLVED)
        result.resolved_at_tier[tier] = {"uses": len(mine), "solved": solved,
                                         "rate": _ratio(solved, len(mine))}


def _history(result: Figures, history: HistoryFacts, now: datetime) -> None:
    days = [(published - history.first_draft[path]).total_seconds() / 86400
            for path, published in history.first_published.items()
            if path in history.first_draft and history.first_draft[path] <= published <= now]
    result.median_days_draft_to_published = _median(days)
    result.published_from_draft = len(days)
    authors = Counter(item.person for item in history.authors if _within(item.time, now, RATE_DAYS))
    reviewers = Counter(item.person for item in history.reviews if _within(item.time, now, RATE_DAYS))
    result.authors = sorted(authors.items(), key=lambda item: (-item[1], item[0]))
    result.reviewers = sorted(reviewers.items(), key=lambda item: (-item[1], item[0]))


def _never_used(result: Figures, documents: Sequence[DocumentFields], uses: Sequence[UseEntry],
                history: HistoryFacts | None, now: datetime) -> None:
    used: set[str] = set()
    for entry in uses:
        if _within(entry.time, now, UNUSED_DAYS):
            if entry.key is not None:
                used.add(entry.key)
            if entry.sop:
                used.add(doc_key(entry.sop, None))
    cutoff = now - timedelta(days=UNUSED_DAYS)
    rows = []
    for document in documents:
        if not document.readable or document.status != "published":
            continue
        if doc_key(document.id, document.rel_path) in used:
            continue
        created = history.created.get(document.rel_path) if history is not None else None
        if created is not None and created > cutoff:
            continue
        rows.append({"id": document.id, "path": document.rel_path, "title": document.title,
                     "tier": document.tier, "kind": document.kind, "owner": document.owner})
    result.never_used = sorted(rows, key=lambda row: row["path"])


def week_start(moment: datetime) -> datetime:
    """Return the Monday 00:00 UTC that starts the ISO week of ``moment``."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _weeks(result: Figures, uses: Sequence[UseEntry], now: datetime) -> None:
    first = week_start(now) - timedelta(weeks=WEEKS - 1)
    counts: dict[datetime, Counter[str]] = {first + timedelta(weeks=n): Counter() for n in range(WEEKS)}
    for entry in uses:
        start = week_start(entry.time)
        if start in counts:
            counts[start]["uses"] += 1
            counts[start]["solved"] += entry.outcome == SOLVED
    result.weeks = [{"week": start.date().isoformat(), "uses": count["uses"], "solved": count["solved"]}
                    for start, count in counts.items()]
