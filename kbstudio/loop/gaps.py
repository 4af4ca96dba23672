"""The search-gap log: searches that found nothing the agent could use (KCS "search early, search often").

A search is a gap when it returned nothing (``no-results``), returned results only at tiers the
agent did not search (``other-tiers``: the "N more for other tiers" hint), or ended without the
agent opening any result (``not-opened``). Each gap is appended to ``.kbstudio/gaps/``
(``kbstudio.loop.logfiles``) with the words exactly as typed, so the team's synced logs show
what is missing from the KB; ``kbstudio.loop.gap_groups`` groups similar ones. Logging is a
setting of the person (the app's settings); the core records only when told to (``enabled``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kbstudio.loop.identity import Agent
from kbstudio.loop.logfiles import GAPS, LogRead, append_record, read_folder
from kbstudio.loop.records import (
    FORMAT_VERSION,
    RecordError,
    choice_value,
    format_time,
    int_value,
    new_id,
    parse_time,
    text_list,
    text_value,
    tier_value,
    utc_now,
)

NO_RESULTS, OTHER_TIERS, NOT_OPENED = "no-results", "other-tiers", "not-opened"
GAP_KINDS: tuple[str, ...] = (NO_RESULTS, OTHER_TIERS, NOT_OPENED)
GAP_LABELS: dict[str, str] = {NO_RESULTS: "Nothing found", OTHER_TIERS: "Only at other tiers",
                              NOT_OPENED: "No result opened"}
MAX_QUERY = 500


def classify_search(results: int, other_tiers: int, opened: bool) -> str | None:
    """Return the gap kind of a finished search, or None when it is no gap.

    ``results``: hits at the tiers searched (``SearchResponse.total``); ``other_tiers``: hits left
    out by the tier filter (``SearchResponse.hidden_by_tier``); ``opened``: whether the agent
    opened one of the results before the search ended (a new search or closing the panel).
    """
    if opened:
        return None
    if results <= 0:
        return OTHER_TIERS if other_tiers > 0 else NO_RESULTS
    return NOT_OPENED


@dataclass(frozen=True)
class GapEntry:
    """One failed search, with the words as typed."""

    id: str
    time: datetime
    agent: str
    query: str
    kind: str
    tier: str | None = None            # the agent's tier
    results: int = 0                   # hits at the tiers searched
    other_tiers: int = 0               # hits at other tiers
    tiers: tuple[str, ...] = ()        # the tiers the search was limited to (empty: all)

    def to_json(self) -> dict[str, Any]:
        """Return the record as written to the gap log."""
        return {"v": FORMAT_VERSION, "type": "gap", "id": self.id, "time": format_time(self.time),
                "agent": self.agent, "tier": self.tier, "query": self.query, "kind": self.kind,
                "results": self.results, "other_tiers": self.other_tiers, "tiers": list(self.tiers)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GapEntry:
        """Return the entry of a gap-log record; raise RecordError naming a field that does not fit."""
        if data.get("type", "gap") != "gap":
            raise RecordError(f"type '{data.get('type')!s:.20}' is not a search gap")
        tiers = tuple(tier.upper() for tier in text_list(data, "tiers", limit=5))
        return cls(id=text_value(data, "id", required=True) or "", time=parse_time(data.get("time")),
                   agent=text_value(data, "agent") or "unknown",
                   query=_query(data), kind=choice_value(data, "kind", GAP_KINDS) or NO_RESULTS,
                   tier=tier_value(data), results=int_value(data, "results"),
                   other_tiers=int_value(data, "other_tiers"), tiers=tiers)


def _query(data: Mapping[str, Any]) -> str:
    """Return the query as typed (inner spacing kept, ends stripped); RecordError when empty."""
    value = data.get("query")
    if not isinstance(value, str):
        raise RecordError(f"query must be text, not {type(value).__name__}")
    return text_value({"query": value}, "query", required=True, limit=MAX_QUERY, one_line=False) or ""


def make_gap(query: str, kind: str, agent: Agent, *, tier: str | None = None, results: int = 0,
             other_tiers: int = 0, tiers: Sequence[str] = (), now: datetime | None = None) -> GapEntry:
    """Return a checked new gap entry (not written yet); the query is kept as typed.

    Raises RecordError for an empty query, an unknown kind or tier, or control characters.
    """
    fields: dict[str, Any] = {"query": query, "kind": kind, "tier": tier, "results": results,
                              "other_tiers": other_tiers, "tiers": list(tiers)}
    return GapEntry(new_id(), now or utc_now(), str(agent), _query(fields),
                    choice_value(fields, "kind", GAP_KINDS) or NO_RESULTS, tier_value(fields),
                    int_value(fields, "results"), int_value(fields, "other_tiers"),
                    tuple(t.upper() for t in text_list(fields, "tiers", limit=5)))


def append_gap(root: Path, entry: GapEntry, agent: Agent, device: str) -> str:
    """Append ``entry`` to this person's and device's gap file; return that file's KB path."""
    return append_record(root, GAPS, entry.to_json(), entry.time, agent, device)


def read_gaps(root: Path) -> LogRead[GapEntry]:
    """Return every search gap of the KB at ``root`` (all people, all devices), with the bad lines."""
    return read_folder(root, GAPS, GapEntry.from_json)
