"""The use a finished SOP run records: the hand-off note's outcome, as one ledger entry.

When an agent finishes a run (the app's *Finish* or ``kbstudio handoff --answers``), the note
says how it ended, and the same facts go to the use ledger (``kbstudio.loop.ledger``):

- resolved at this tier: outcome ``solved``, the document the note links to the ticket
  (``kbstudio.handoff.resolution_article``: the solving check's article, else the article the
  run started from, else the SOP itself);
- escalated: outcome ``escalated`` with the SOP's id, and the article the run started from
  ("Didn't solve it?"), when there was one.

The ticket reference is the run's first field whose name holds "ticket" (``Ticket number``),
when filled in. A blank template (no run) records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kbstudio.handoff import ESCALATED, RESOLVED, HandoffNote, SopRun, resolution_article, started_from
from kbstudio.loop.ledger import ESCALATED as USE_ESCALATED
from kbstudio.loop.ledger import SOLVED, UseRequest
from kbstudio.loop.service import KnowledgeLoop, Recorded
from kbstudio.model import DocumentFields
from kbstudio.names import nfc
from kbstudio.sop import Sop


def ticket_of(run: SopRun) -> str:
    """Return the run's ticket reference: its first filled field named like ``Ticket ...``."""
    for name, value in run.fields.items():
        if "ticket" in name.lower() and value.strip():
            return value.strip()
    return ""


def use_of_note(sop: Sop, run: SopRun, note: HandoffNote, documents: Sequence[DocumentFields], *,
                searches: Sequence[str] = (), tier: str | None = None
                ) -> tuple[DocumentFields | None, UseRequest] | None:
    """Return the document and request a finished run records, or None for a blank template."""
    if note.outcome not in (RESOLVED, ESCALATED):
        return None
    by_path = {nfc(document.rel_path): document for document in documents}
    if note.outcome == RESOLVED:
        reference, outcome, sop_id = resolution_article(sop, run, list(documents)), SOLVED, sop.id
    else:
        reference, outcome = started_from(run, list(documents)), USE_ESCALATED
        sop_id = sop.id or sop.rel_path
    document = by_path.get(nfc(reference.rel_path)) if reference is not None and reference.rel_path else None
    request = UseRequest(outcome, ticket=ticket_of(run), sop=sop_id or sop.rel_path, searches=tuple(searches),
                         tier=tier or sop.tier, via="sop-run")
    return document, request


def record_handoff(loop: KnowledgeLoop, sop: Sop, run: SopRun, note: HandoffNote,
                   documents: Sequence[DocumentFields], *, searches: Sequence[str] = (),
                   tier: str | None = None, now: datetime | None = None) -> Recorded | None:
    """Record the use a finished run's hand-off note stands for; None for a blank template.

    Raises RecordError when the values do not fit a use, OSError when the ledger cannot be written.
    """
    found = use_of_note(sop, run, note, documents, searches=searches, tier=tier)
    if found is None:
        return None
    document, request = found
    return loop.record_use(document, request, now=now)
