"""``KnowledgeLoop``: one object per open KB that records and reads uses, flags and search gaps.

What the app and the CLI call (never Qt): it knows the KB, its repository (for document versions
and the agent's git identity), the agent and this device, and passes them to the record modules.
Every method reads or appends files in the KB; none commits (``kbstudio.loop.gitsync`` does,
before a sync). Run it off the GUI thread like other file work; it keeps no state between calls
but the agent and device, so one object may serve the whole session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.flags import (
    Flag,
    FlagEvent,
    append_flag_event,
    find_flag,
    make_open_event,
    make_resolve_event,
    read_flag_events,
    read_flags,
)
from kbstudio.loop.gaps import GapEntry, append_gap, make_gap, read_gaps
from kbstudio.loop.identity import Agent, current_agent, device_id
from kbstudio.loop.ledger import UseEntry, UseRequest, append_use, document_version, make_use, read_uses
from kbstudio.loop.logfiles import LogRead
from kbstudio.loop.references import check_anchor, check_sop, check_ticket
from kbstudio.model import Document, DocumentFields
from kbstudio.vcs.repo import KBRepo


@dataclass(frozen=True)
class Recorded:
    """What one record call wrote: the record and the KB-relative file it was appended to."""

    record: UseEntry | FlagEvent | GapEntry
    file: str


class KnowledgeLoop:
    """Records and reads the knowledge loop of one KB (see the module doc).

    ``repo`` None: the KB is not versioned (versions are ``blob:`` ids). ``agent`` and ``device``
    default to git's identity (``kbstudio.loop.identity.current_agent``, asked on first use) and
    ``device_id(kb.root)``; tests and tools pass their own.
    """

    def __init__(self, kb: KnowledgeBase, repo: KBRepo | None = None, agent: Agent | None = None,
                 device: str | None = None) -> None:
        self.kb = kb
        self.repo = repo
        self._agent = agent
        self.device = device or device_id(kb.root)

    @classmethod
    def open(cls, kb: KnowledgeBase, agent: Agent | None = None, device: str | None = None) -> KnowledgeLoop:
        """Return the loop of ``kb``, finding its git repository when there is one."""
        return cls(kb, KBRepo.find(kb), agent, device)

    @property
    def agent(self) -> Agent:
        """Return who records (git's user.name and user.email, found once)."""
        if self._agent is None:
            self._agent = current_agent(self.kb.root, self.repo)
        return self._agent

    def version(self, document: DocumentFields) -> str | None:
        """Return the version of ``document`` a reader sees now (``ledger.document_version``)."""
        return document_version(self.kb.root, document.rel_path, self.repo)

    # Uses ------------------------------------------------------------------------------------

    def record_use(self, document: DocumentFields | None, request: UseRequest,
                   now: datetime | None = None) -> Recorded:
        """Record one use of ``document`` (None: an SOP run that named no document).

        Raises RecordError for a request that does not fit (``make_use``), an SOP that is not an
        SOP of the KB or a ticket reference too long (``kbstudio.loop.references``), OSError when
        the usage file cannot be written.
        """
        check_ticket(request.ticket)
        if request.sop:
            request = replace(request, sop=check_sop(self.kb.load_all(), request.sop))
        version = self.version(document) if document is not None else None
        entry = make_use(request, self.agent, document, version, now)
        return Recorded(entry, append_use(self.kb.root, entry, self.agent, self.device))

    def uses(self) -> LogRead[UseEntry]:
        """Return every use recorded by anyone (with the lines that could not be read)."""
        return read_uses(self.kb.root)

    # Flags -----------------------------------------------------------------------------------

    def flag(self, document: DocumentFields, reason: str, *, comment: str = "",
             anchor: str | int | None = None, tier: str | None = None,
             now: datetime | None = None) -> Recorded:
        """Open a flag on ``document``; the record's ``flag`` is the new flag's id.

        Raises RecordError for an unknown reason or tier, an anchor that is not in the document
        (``references.check_anchor``), OSError when the file cannot be written.
        """
        if anchor is not None and str(anchor).strip():
            check_anchor(document if isinstance(document, Document) else self.kb.load(document.rel_path),
                         anchor)
        event = make_open_event(document, reason, self.agent, comment=comment, anchor=anchor, tier=tier,
                                version=self.version(document), now=now)
        return Recorded(event, append_flag_event(self.kb.root, event, self.agent, self.device))

    def resolve_flag(self, flag: Flag | str, *, commit: str | None = None, note: str = "",
                     tier: str | None = None, now: datetime | None = None) -> Recorded:
        """Resolve a flag (or the flag whose id starts with the text given) as this agent.

        ``commit`` is the commit that fixed it; None records the last commit of the flagged
        document when the file is as committed (nothing when it has uncommitted changes or the
        KB is not versioned; a commit typed by a person is checked first with
        ``references.check_commit``). Raises KeyError for an unknown or ambiguous id, RecordError
        for a flag already resolved, OSError when the file cannot be written.
        """
        if isinstance(flag, str):
            flag = find_flag(self.flags(), flag)
        if commit is None and self.repo is not None and flag.path:
            version = document_version(self.kb.root, self.kb.disk_rel(flag.path), self.repo)
            commit = version if version and not version.startswith("blob:") else None
        event = make_resolve_event(flag, self.agent, commit=commit, note=note, tier=tier, now=now)
        return Recorded(event, append_flag_event(self.kb.root, event, self.agent, self.device))

    def flags(self) -> list[Flag]:
        """Return every flag's state, oldest first."""
        return read_flags(self.kb.root)[0]

    def flag_events(self) -> LogRead[FlagEvent]:
        """Return every flag event (with the lines that could not be read)."""
        return read_flag_events(self.kb.root)

    # Search gaps -----------------------------------------------------------------------------

    def record_gap(self, query: str, kind: str, *, enabled: bool = True, tier: str | None = None,
                   results: int = 0, other_tiers: int = 0, tiers: Sequence[str] = (),
                   now: datetime | None = None) -> Recorded | None:
        """Log a failed search (``kbstudio.loop.gaps``); None when logging is off (``enabled``).

        Raises RecordError for an empty query or unknown kind, OSError when the file cannot be written.
        """
        if not enabled:
            return None
        entry = make_gap(query, kind, self.agent, tier=tier, results=results, other_tiers=other_tiers,
                         tiers=tiers, now=now)
        return Recorded(entry, append_gap(self.kb.root, entry, self.agent, self.device))

    def gaps(self) -> LogRead[GapEntry]:
        """Return every failed search logged by anyone (with the lines that could not be read)."""
        return read_gaps(self.kb.root)
