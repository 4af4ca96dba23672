"""The knowledge part of the dashboard: health figures and the reviews due, read once for both.

``knowledge_board`` is what ``kbstudio dashboard`` adds (the ``knowledge`` and ``review_due``
keys of ``--json``) and what the app's dashboard page shows beside its chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.figures import RATE_DAYS, UNUSED_DAYS, Figures, figures
from kbstudio.loop.flags import read_flags
from kbstudio.loop.gap_groups import Finder, close_groups, group_gaps
from kbstudio.loop.gaps import read_gaps
from kbstudio.loop.history_facts import read_history
from kbstudio.loop.ledger import read_uses
from kbstudio.loop.remind import Reminder, by_owner, reminders
from kbstudio.model import DocumentFields, Problem
from kbstudio.review.policy import PolicyError, ReviewPolicy, load_policy
from kbstudio.vcs.repo import KBRepo


def end_of(day: date) -> datetime:
    """Return the last second of ``day`` in UTC: the ``now`` of figures asked for a date."""
    return datetime.combine(day, time(23, 59, 59), UTC)


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


@dataclass
class KnowledgeBoard:
    """Figures at ``figures.now`` and the documents due for review that day, by owner."""

    figures: Figures
    due: list[Reminder] = field(default_factory=list)
    policy_problem: str | None = None      # the review policy could not be read: defaults were used

    @property
    def problems(self) -> list[Problem]:
        """Return the ledger lines that could not be read."""
        return self.figures.problems

    def summary_lines(self) -> list[str]:
        """Return the figures as a few lines of text (``kbstudio dashboard``)."""
        data = self.figures
        lines = [f"Knowledge health (last {RATE_DAYS} days):",
                 f"  uses {data.runs_and_uses}, link rate {_percent(data.link_rate)}, flags opened "
                 f"{data.flags_opened} (rate {_percent(data.flag_rate)}), open {data.flags_open}, "
                 f"median hours to resolve {_number(data.median_hours_to_resolve)}"]
        tiers = ", ".join(f"{tier} {_percent(row['rate'])} of {row['uses']}"
                          for tier, row in data.resolved_at_tier.items() if row["uses"])
        lines.append(f"  resolved at tier: {tiers or '-'}")
        lines.append(f"  median days draft to published: {_number(data.median_days_draft_to_published)}; "
                     f"open search gaps: {data.open_gaps} of {data.gap_groups}; never used in "
                     f"{UNUSED_DAYS} days: {len(data.never_used)}")
        lines += [f"  reused {row.reuse_30:>3} (30 d) {row.reuse_90:>3} (90 d)  {row.id or '-'}  {row.title}"
                  for row in data.reuse[:5]]
        if self.due:
            overdue = sum(1 for item in self.due if item.days_left < 0)
            lines.append(f"  due for review: {len(self.due)} ({overdue} overdue): see 'kbstudio remind'")
        return lines

    def due_json(self) -> dict[str, Any]:
        """Return the reviews due as JSON: counts and the documents by owner."""
        return {"count": len(self.due), "overdue": sum(1 for item in self.due if item.days_left < 0),
                "policy_problem": self.policy_problem,
                "owners": {owner: [item.to_json() for item in items]
                           for owner, items in by_owner(self.due).items()}}


def knowledge_board(kb: KnowledgeBase, documents: Sequence[DocumentFields], repo: KBRepo | None,
                    now: datetime | None = None, finds: Finder | None = None) -> KnowledgeBoard:
    """Read the ledgers, history and review policy once; return the figures and reviews due.

    A review policy that cannot be read is reported in ``policy_problem`` (defaults used).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    uses, gaps = read_uses(kb.root), read_gaps(kb.root)
    flags, events = read_flags(kb.root)
    history = read_history(repo) if repo is not None else None
    groups = close_groups(group_gaps(gaps.items()), documents, finds)
    result = figures(documents, uses.items(), flags, groups, history, now)
    result.problems = [*uses.problems, *events.problems, *gaps.problems]
    problem = None
    try:
        policy = load_policy(repo) if repo is not None else ReviewPolicy()
    except PolicyError as error:
        policy, problem = ReviewPolicy(), str(error)
    due = reminders(documents, policy, history, uses.items(), now.date())
    return KnowledgeBoard(result, due, problem)


def compute_figures(kb: KnowledgeBase, documents: Sequence[DocumentFields], repo: KBRepo | None = None,
                    now: datetime | None = None, finds: Finder | None = None) -> Figures:
    """Read the KB's ledgers (and history, when ``repo``) and return the figures at ``now``.

    ``finds`` (``kbstudio.loop.finder.published_finder``) also closes gaps a search now answers
    (``gap_groups.close_groups``). Bad ledger lines are skipped and listed in ``problems``.
    """
    return knowledge_board(kb, documents, repo, now, finds).figures
