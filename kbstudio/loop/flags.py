"""Flags: "this document is wrong / outdated / unclear / misses a step / duplicates another".

A flag is opened on a document by anyone who reads it, with a reason, an optional comment and an
optional anchor (a heading's slug such as ``resolution``, or a file line number); it is resolved by
someone who may fix the document, recording who and in which commit. Flags are stored as events,
``open`` and ``resolve``, appended to ``.kbstudio/flags/`` (``kbstudio.loop.logfiles``): each person
only appends to their own file, and the state of every flag is the fold of all events of all files
(``fold_flags``), the same in every clone that has the same files whatever order they are read in.

Who may fix: a role at or above the document's tier (L0 < L1 < ... < L4), the tiers the review
policy is about (``may_fix``); an untiered document may be fixed by anyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kbstudio.loop.identity import Agent
from kbstudio.loop.ledger import doc_key
from kbstudio.loop.logfiles import FLAGS, LogRead, append_record, read_folder
from kbstudio.loop.records import (
    FORMAT_VERSION,
    RecordError,
    choice_value,
    format_time,
    new_id,
    parse_time,
    text_value,
    tier_value,
    utc_now,
)
from kbstudio.model import DocumentFields, tier_rank

WRONG, OUTDATED, UNCLEAR = "wrong", "outdated", "unclear"
MISSING_STEP, DUPLICATE = "missing-step", "duplicate"
REASONS: tuple[str, ...] = (WRONG, OUTDATED, UNCLEAR, MISSING_STEP, DUPLICATE)
REASON_LABELS: dict[str, str] = {WRONG: "Wrong", OUTDATED: "Outdated", UNCLEAR: "Unclear",
                                 MISSING_STEP: "Missing step", DUPLICATE: "Duplicate"}
OPEN, RESOLVE = "open", "resolve"
EVENTS: tuple[str, ...] = (OPEN, RESOLVE)
NO_OWNER = "(no owner)"


class AlreadyResolvedError(RecordError):
    """The flag was resolved already (by this person or another): nothing to record."""


@dataclass(frozen=True)
class FlagEvent:
    """One event of a flag: opening it (with what is wrong) or resolving it (who, which commit)."""

    event: str
    flag: str
    time: datetime
    agent: str
    tier: str | None = None
    document: str | None = None      # open: the document's id
    path: str | None = None          # open: its KB path
    version: str | None = None       # open: its version when flagged (kbstudio.loop.ledger)
    reason: str | None = None        # open
    comment: str | None = None       # open: optional; resolve: optional note
    anchor: str | None = None        # open: heading slug or line number
    commit: str | None = None        # resolve: the commit that fixed it (None: resolved without a change)

    def to_json(self) -> dict[str, Any]:
        """Return the event as written to the flag log."""
        data: dict[str, Any] = {"v": FORMAT_VERSION, "type": "flag", "event": self.event, "flag": self.flag,
                                "time": format_time(self.time), "agent": self.agent, "tier": self.tier,
                                "comment": self.comment}
        if self.event == OPEN:
            data.update(document=self.document, path=self.path, version=self.version,
                        reason=self.reason, anchor=self.anchor)
        else:
            data["commit"] = self.commit
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FlagEvent:
        """Return the event of a flag-log record; raise RecordError naming a field that does not fit."""
        if data.get("type", "flag") != "flag":
            raise RecordError(f"type '{data.get('type')!s:.20}' is not a flag event")
        event = choice_value(data, "event", EVENTS) or OPEN
        flag, moment = text_value(data, "flag", required=True) or "", parse_time(data.get("time"))
        agent, tier = text_value(data, "agent") or "unknown", tier_value(data)
        comment = text_value(data, "comment", one_line=False)
        if event == RESOLVE:
            return cls(event, flag, moment, agent, tier, comment=comment, commit=text_value(data, "commit"))
        document, path = text_value(data, "document"), text_value(data, "path", one_line=False)
        if not (document or path):
            raise RecordError("names no document")
        return cls(event, flag, moment, agent, tier, document=document, path=path,
                   version=text_value(data, "version"), reason=choice_value(data, "reason", REASONS),
                   comment=comment, anchor=_anchor(data))


def _anchor(data: Mapping[str, Any]) -> str | None:
    anchor = text_value(data, "anchor", limit=200)
    if anchor is None:
        return None
    return anchor.lstrip("#").lower() or None


@dataclass(frozen=True)
class Flag:
    """A flag as all its events say: open until a resolve event names it."""

    id: str
    document: str | None
    path: str | None
    reason: str
    opened_at: datetime
    opened_by: str
    tier: str | None = None          # the flagger's tier
    comment: str | None = None
    anchor: str | None = None
    version: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    commit: str | None = None
    note: str | None = None          # the resolver's note

    @property
    def is_open(self) -> bool:
        """Return True while no resolve event names this flag."""
        return self.resolved_at is None

    @property
    def key(self) -> str:
        """Return the flagged document's ``doc_key``."""
        return doc_key(self.document, self.path)

    def to_json(self) -> dict[str, Any]:
        """Return the flag's state as a JSON-ready dict (``kbstudio flags --json``)."""
        return {"id": self.id, "document": self.document, "path": self.path, "reason": self.reason,
                "comment": self.comment, "anchor": self.anchor, "version": self.version,
                "opened_at": format_time(self.opened_at), "opened_by": self.opened_by, "tier": self.tier,
                "open": self.is_open,
                "resolved_at": format_time(self.resolved_at) if self.resolved_at else None,
                "resolved_by": self.resolved_by, "commit": self.commit, "note": self.note}


def fold_flags(events: Iterable[FlagEvent]) -> list[Flag]:
    """Return every flag's state from its events, oldest flag first.

    Order-independent: the earliest open event of an id (by time, then agent) defines the flag and
    the earliest resolve event resolves it; a resolve read before its open (another file) still
    counts, and a resolve of an id no file opens is left out.
    """
    opens: dict[str, FlagEvent] = {}
    resolves: dict[str, FlagEvent] = {}
    for event in events:
        table = opens if event.event == OPEN else resolves
        known = table.get(event.flag)
        if known is None or (event.time, event.agent) < (known.time, known.agent):
            table[event.flag] = event
    flags = []
    for flag_id, opened in opens.items():
        flag = Flag(flag_id, opened.document, opened.path, opened.reason or WRONG, opened.time, opened.agent,
                    opened.tier, opened.comment, opened.anchor, opened.version)
        done = resolves.get(flag_id)
        if done is not None:
            flag = replace(flag, resolved_at=done.time, resolved_by=done.agent, commit=done.commit,
                           note=done.comment)
        flags.append(flag)
    flags.sort(key=lambda flag: (flag.opened_at, flag.id))
    return flags


def read_flag_events(root: Path) -> LogRead[FlagEvent]:
    """Return every flag event of the KB at ``root`` (all people, all devices), with the bad lines."""
    return read_folder(root, FLAGS, FlagEvent.from_json)


def read_flags(root: Path) -> tuple[list[Flag], LogRead[FlagEvent]]:
    """Return every flag's state and the events read (with their problems)."""
    events = read_flag_events(root)
    return fold_flags(events.items()), events


def make_open_event(document: DocumentFields, reason: str, agent: Agent, *, comment: str = "",
                    anchor: str | int | None = None, tier: str | None = None, version: str | None = None,
                    now: datetime | None = None) -> FlagEvent:
    """Return a checked ``open`` event for a new flag on ``document`` (not written yet).

    Raises RecordError for an unknown reason or tier, or text with control characters.
    """
    fields = {"reason": reason, "comment": comment, "tier": tier,
              "anchor": str(anchor) if anchor is not None else None}
    return FlagEvent(OPEN, new_id(), now or utc_now(), str(agent), tier_value(fields), document.id,
                     document.rel_path, version, choice_value(fields, "reason", REASONS),
                     text_value(fields, "comment", one_line=False), _anchor(fields))


def make_resolve_event(flag: Flag, agent: Agent, *, commit: str | None = None, note: str = "",
                       tier: str | None = None, now: datetime | None = None) -> FlagEvent:
    """Return a checked ``resolve`` event for ``flag``; raise AlreadyResolvedError when it is resolved."""
    if not flag.is_open:
        raise AlreadyResolvedError(f"flag {flag.id[:8]} was already resolved by {flag.resolved_by}")
    fields = {"note": note, "commit": commit, "tier": tier}
    return FlagEvent(RESOLVE, flag.id, now or utc_now(), str(agent), tier_value(fields),
                     comment=text_value(fields, "note", one_line=False), commit=text_value(fields, "commit"))


def append_flag_event(root: Path, event: FlagEvent, agent: Agent, device: str) -> str:
    """Append ``event`` to this person's and device's flag file; return that file's KB path."""
    return append_record(root, FLAGS, event.to_json(), event.time, agent, device)


def find_flag(flags: Sequence[Flag], prefix: str) -> Flag:
    """Return the flag whose id starts with ``prefix`` (at least 4 hex digits).

    Raises KeyError naming the problem: no such flag, or several.
    """
    wanted = prefix.strip().lower()
    if len(wanted) < 4:
        raise KeyError(f"give at least 4 characters of the flag id, not '{prefix}'")
    found = [flag for flag in flags if flag.id.startswith(wanted)]
    if not found:
        raise KeyError(f"no flag '{prefix}'")
    if len(found) > 1:
        raise KeyError(f"'{prefix}' names {len(found)} flags; give more of the id")
    return found[0]


def may_fix(role: str | None, document_tier: str | None) -> bool:
    """Return True when someone working at tier ``role`` may fix a document of ``document_tier``.

    The rule of issue #16: a role at or above the document's tier (L0 < L1 < L2 < L3 < L4). An
    untiered document may be fixed by any role; an unknown role may fix nothing tiered.
    """
    if tier_rank(document_tier) < 0:
        return True
    return tier_rank(role) >= tier_rank(document_tier)


def open_flags_by_document(flags: Iterable[Flag]) -> dict[str, list[Flag]]:
    """Return the open flags grouped by document (``doc_key``), oldest first."""
    grouped: dict[str, list[Flag]] = defaultdict(list)
    for flag in flags:
        if flag.is_open:
            grouped[flag.key].append(flag)
    return dict(grouped)


def open_flags_by_owner(flags: Iterable[Flag], documents: Iterable[DocumentFields]
                        ) -> dict[str, list[Flag]]:
    """Return the open flags grouped by their document's ``owner`` (``NO_OWNER`` when none or gone)."""
    owners = {}
    for document in documents:
        owners[doc_key(document.id, document.rel_path)] = document.owner or NO_OWNER
        owners[doc_key(None, document.rel_path)] = document.owner or NO_OWNER
    grouped: dict[str, list[Flag]] = defaultdict(list)
    for flag in flags:
        if flag.is_open:
            owner = owners.get(flag.key) or owners.get(doc_key(None, flag.path)) or NO_OWNER
            grouped[owner].append(flag)
    return dict(sorted(grouped.items()))


def flags_of(flags: Iterable[Flag], document: DocumentFields, open_only: bool = True) -> list[Flag]:
    """Return the flags of ``document`` (by id, or by path for a document without id)."""
    key = doc_key(document.id, document.rel_path)
    mine = [flag for flag in flags
            if flag.key == key or (not flag.document and flag.path == document.rel_path)]
    return [flag for flag in mine if flag.is_open or not open_only]

