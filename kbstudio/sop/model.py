"""The parts of a parsed SOP: checks, fields, time limits, the escalation target and the Sop itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kbstudio.model import Document, Problem
from kbstudio.sop.inline import markdown_links, plain_text

SECTIONS: tuple[str, ...] = ("scope", "criteria", "checks", "collect", "target", "steps", "time_limits")
SECTION_TITLES: dict[str, str] = {
    "scope": "Scope",
    "criteria": "When to escalate",
    "checks": "Before escalating",
    "collect": "Information to collect",
    "target": "Escalate to",
    "steps": "Steps",
    "time_limits": "Time limits",
}
_CALL_LIMIT = re.compile(r"before escalat|trying|on the call|on your own", re.IGNORECASE)


@dataclass(frozen=True)
class Check:
    """One check the lower tier does before escalating; ``text`` is Markdown source."""

    text: str
    line: int

    @property
    def plain(self) -> str:
        """Return the check as plain text."""
        return plain_text(self.text)

    @property
    def links(self) -> list[tuple[str, str]]:
        """Return the (text, target) of every link in the check."""
        return markdown_links(self.text)


@dataclass(frozen=True)
class Field:
    """One piece of information to collect for the hand-off."""

    name: str
    required: bool
    hint: str
    line: int
    long: bool = False   # marked '(required, long)': the answer takes several lines

    @property
    def plain_hint(self) -> str:
        """Return the hint as plain text."""
        return plain_text(self.hint)


@dataclass(frozen=True)
class TimeLimit:
    """One time limit: its label, its text, and the minutes when they can be read from it."""

    label: str
    text: str
    minutes: int | None
    line: int
    business: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the limit as a JSON-ready dict."""
        return {"label": self.label, "text": self.text, "minutes": self.minutes, "business": self.business}


@dataclass(frozen=True)
class EscalationTarget:
    """Where the SOP hands the work: tier, team or queue, and how (ticket queue, phone)."""

    tier: str | None = None
    team: str | None = None
    how: str | None = None
    line: int | None = None


@dataclass
class Sop:
    """An SOP parsed as far as it could be; ``problems`` says what is missing or malformed."""

    document: Document
    id: str | None
    title: str
    tier: str | None
    escalates_to: str | None
    scope: str = ""
    criteria: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    collect: list[Field] = field(default_factory=list)
    target: EscalationTarget = field(default_factory=EscalationTarget)
    steps: list[str] = field(default_factory=list)
    time_limits: list[TimeLimit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    section_lines: dict[str, int] = field(default_factory=dict)

    @property
    def rel_path(self) -> str:
        """Return the SOP's path inside the KB."""
        return self.document.rel_path

    @property
    def required_fields(self) -> list[Field]:
        """Return the fields that must be filled before escalating."""
        return [item for item in self.collect if item.required]

    @property
    def call_limit(self) -> TimeLimit | None:
        """Return the limit on time spent before escalating, when the SOP gives one in minutes."""
        for limit in self.time_limits:
            if _CALL_LIMIT.search(limit.label):
                return limit if limit.minutes else None
        return None

    def to_json(self) -> dict[str, Any]:
        """Return the SOP as a JSON-ready dict."""
        return {
            "id": self.id,
            "title": self.title,
            "path": self.rel_path,
            "tier": self.tier,
            "escalates_to": self.escalates_to,
            "status": self.document.status,
            "team": self.target.team,
            "how": self.target.how,
            "scope": self.scope,
            "criteria": list(self.criteria),
            "checks": [check.text for check in self.checks],
            "collect": [{"name": f.name, "required": f.required, "long": f.long, "hint": f.hint}
                        for f in self.collect],
            "steps": list(self.steps),
            "time_limits": [limit.to_json() for limit in self.time_limits],
            "problems": [problem.to_json() for problem in self.problems],
        }
