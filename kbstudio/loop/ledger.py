"""The use ledger: one record each time an agent uses a document on a ticket (KCS "link" and "reuse").

A use says which document helped (or did not) on which ticket: the document's id, path and git
version, the outcome, the SOP it escalated with, the searches that led there, the agent, their
tier and the time (UTC). Uses are appended to ``.kbstudio/usage/`` (``kbstudio.loop.logfiles``),
never written into articles. Outcomes are the KCS ones a help desk records on a ticket:

- ``solved``: the document resolved the issue (counts as reuse, and as a light review when the
  KB's review policy says ``reuse_counts_as_review: true``);
- ``partly``: it helped, more was needed (counts as reuse);
- ``did-not-help``: it did not fit (a signal to flag or improve it);
- ``escalated``: the ticket went on with an SOP, whose id is recorded in ``sop``.

``via`` says where the use was recorded: ``read`` (the read view), ``sop-run`` (a hand-off note),
``cli`` (``kbstudio use``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kbstudio.loop.identity import Agent
from kbstudio.loop.logfiles import USAGE, LogRead, append_record, read_folder
from kbstudio.loop.records import (
    FORMAT_VERSION,
    RecordError,
    choice_value,
    format_time,
    new_id,
    parse_time,
    text_list,
    text_value,
    tier_value,
    utc_now,
)
from kbstudio.model import DocumentFields
from kbstudio.names import id_key
from kbstudio.vcs.repo import KBRepo

SOLVED, PARTLY, DID_NOT_HELP, ESCALATED = "solved", "partly", "did-not-help", "escalated"
OUTCOMES: tuple[str, ...] = (SOLVED, PARTLY, DID_NOT_HELP, ESCALATED)
OUTCOME_LABELS: dict[str, str] = {SOLVED: "Solved", PARTLY: "Partly solved", DID_NOT_HELP: "Did not help",
                                  ESCALATED: "Escalated"}
REUSE_OUTCOMES: frozenset[str] = frozenset({SOLVED, PARTLY})
VIA: tuple[str, ...] = ("read", "sop-run", "cli")


def doc_key(doc_id: str | None, path: str | None) -> str:
    """Return the key documents are counted by: the id (``id_key`` form) when known, else the path."""
    return id_key(doc_id) if doc_id else f"path:{path or ''}"


def document_key(document: DocumentFields) -> str:
    """Return ``doc_key`` of a loaded document."""
    return doc_key(document.id, document.rel_path)


@dataclass(frozen=True)
class UseEntry:
    """One use of a document on a ticket (or one SOP run without a document: ``document`` None)."""

    id: str
    time: datetime
    agent: str
    outcome: str
    document: str | None = None          # the document's id
    path: str | None = None              # its KB path when recorded
    version: str | None = None           # its git commit, or ``blob:<sha1>`` when it had local changes
    tier: str | None = None              # the agent's tier
    sop: str | None = None               # the SOP escalated with (or run)
    ticket: str | None = None            # the ticket reference, as typed
    searches: tuple[str, ...] = ()       # the searches that led there, as typed
    via: str = "read"
    run: str | None = None               # an SOP run's key (``kbstudio.loop.handoff.run_key``)

    @property
    def key(self) -> str | None:
        """Return the document's ``doc_key``, or None when the use names no document."""
        return doc_key(self.document, self.path) if (self.document or self.path) else None

    @property
    def names_document(self) -> bool:
        """Return True when the use names a document (what the link rate counts)."""
        return self.key is not None

    def to_json(self) -> dict[str, Any]:
        """Return the record as written to the ledger (and printed by ``kbstudio use --json``)."""
        data: dict[str, Any] = {"v": FORMAT_VERSION, "type": "use", "id": self.id,
                                "time": format_time(self.time), "agent": self.agent, "tier": self.tier,
                                "document": self.document, "path": self.path, "version": self.version,
                                "outcome": self.outcome, "sop": self.sop, "ticket": self.ticket,
                                "searches": list(self.searches), "via": self.via}
        if self.run:      # only SOP runs have one; older readers ignore the field
            data["run"] = self.run
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UseEntry:
        """Return the entry of a ledger record; raise RecordError naming a field that does not fit."""
        if data.get("type", "use") != "use":
            raise RecordError(f"type '{data.get('type')!s:.20}' is not a use")
        outcome = choice_value(data, "outcome", OUTCOMES)
        document, path = text_value(data, "document"), text_value(data, "path", one_line=False)
        sop = text_value(data, "sop")
        if not (document or path or sop):
            raise RecordError("names neither a document nor an SOP")
        return cls(id=text_value(data, "id", required=True) or "", time=parse_time(data.get("time")),
                   agent=text_value(data, "agent") or "unknown", outcome=outcome or SOLVED,
                   document=document, path=path, version=text_value(data, "version"),
                   tier=tier_value(data), sop=sop, ticket=text_value(data, "ticket"),
                   searches=tuple(text_list(data, "searches")),
                   via=choice_value(data, "via", VIA, required=False) or "read",
                   run=text_value(data, "run", limit=64))


@dataclass(frozen=True)
class UseRequest:
    """What the person asked to record (the UI's "Used on ticket..." dialog, ``kbstudio use``)."""

    outcome: str
    ticket: str = ""
    sop: str | None = None
    searches: Sequence[str] = field(default_factory=tuple)
    tier: str | None = None
    via: str = "read"
    run: str | None = None


def make_use(request: UseRequest, agent: Agent, document: DocumentFields | None,
             version: str | None = None, now: datetime | None = None) -> UseEntry:
    """Return a checked new entry for ``request`` (not written yet).

    Raises RecordError for an unknown outcome, tier or ``via``, text with control characters, an
    escalation without its SOP, or a use naming neither a document nor an SOP.
    """
    fields: dict[str, Any] = {"outcome": request.outcome, "ticket": request.ticket, "sop": request.sop,
                              "searches": list(request.searches), "tier": request.tier,
                              "via": request.via}
    outcome = choice_value(fields, "outcome", OUTCOMES) or SOLVED
    sop = text_value(fields, "sop")
    if outcome == ESCALATED and not sop:
        raise RecordError("an escalated use needs the SOP it escalated with (sop)")
    if document is None and not sop:
        raise RecordError("a use names a document, an SOP, or both")
    return UseEntry(id=new_id(), time=(now or utc_now()), agent=str(agent), outcome=outcome,
                    document=document.id if document else None,
                    path=document.rel_path if document else None, version=version,
                    tier=tier_value(fields), sop=sop, ticket=text_value(fields, "ticket"),
                    searches=tuple(text_list(fields, "searches")),
                    via=choice_value(fields, "via", VIA) or "read", run=request.run)


def append_use(root: Path, entry: UseEntry, agent: Agent, device: str) -> str:
    """Append ``entry`` to this person's and device's usage file; return that file's KB path."""
    return append_record(root, USAGE, entry.to_json(), entry.time, agent, device)


def read_uses(root: Path) -> LogRead[UseEntry]:
    """Return every use of the KB at ``root`` (all people, all devices), with the bad lines."""
    return read_folder(root, USAGE, UseEntry.from_json)


def blob_id(data: bytes) -> str:
    """Return git's object id of a file with ``data`` (``git hash-object``), computed without git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def document_version(root: Path, rel_path: str, repo: KBRepo | None = None) -> str | None:
    """Return the version of the document at KB path ``rel_path`` a reader sees now.

    The last commit that changed the file, when the file on disk is as committed; else
    ``blob:<id>`` (git's id of the bytes on disk: edited, never committed, or no repository).
    None when the file cannot be read.
    """
    try:
        data = (root / rel_path).read_bytes()
    except OSError:
        return None
    if repo is not None and repo.head() is not None:
        literal = repo.literal(repo.git_spelling(rel_path))
        commit = repo.git("log", "-1", "--format=%H", "--", literal, check=False).stdout.strip()
        if commit:
            blob = repo.git("rev-parse", "-q", "--verify", f"{commit}:{repo.to_repo(rel_path)}",
                            check=False).stdout.strip()
            # Same bytes as committed; or git sees no change (line-end conversion on checkout).
            if blob == blob_id(data) or not repo.git("status", "--porcelain", "--", literal,
                                                     check=False).stdout.strip():
                return commit
    return f"blob:{blob_id(data)}"
