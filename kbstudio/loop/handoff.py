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

A run is recorded once: its use carries ``run``, a hash of the SOP, the answers, the ticket and
the day (``run_key``), and the same run finished again (a note printed twice to paste it into the
ticket again) is refused with ``AlreadyRecordedError`` instead of counting a second use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from kbstudio.handoff import ESCALATED, RESOLVED, HandoffNote, SopRun, resolution_article, started_from
from kbstudio.loop.ledger import ESCALATED as USE_ESCALATED
from kbstudio.loop.ledger import SOLVED, UseRequest
from kbstudio.loop.records import RecordError, format_time, utc_now
from kbstudio.loop.service import KnowledgeLoop, Recorded
from kbstudio.model import DocumentFields
from kbstudio.names import nfc
from kbstudio.sop import Sop


class AlreadyRecordedError(RecordError):
    """The same SOP run (same answers, SOP, ticket and day) was recorded before."""


def run_key(sop: Sop, run: SopRun, ticket: str, day: date) -> str:
    """Return 16 hex digits naming one run: a SHA-1 of the SOP, the answers, the ticket and the day."""
    answers = {"sop": sop.id or sop.rel_path, "issue": run.issue, "environment": run.environment,
               "urgency": run.urgency, "article": run.article, "ticket": ticket, "day": day.isoformat(),
               "fields": sorted(run.fields.items()),
               "checks": sorted((index, repr(answer)) for index, answer in run.checks.items())}
    text = json.dumps(answers, ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


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

    Raises AlreadyRecordedError when this run was recorded before (``run_key``), RecordError when
    the values do not fit a use, OSError when the ledger cannot be written.
    """
    found = use_of_note(sop, run, note, documents, searches=searches, tier=tier)
    if found is None:
        return None
    document, request = found
    key = run_key(sop, run, request.ticket, (now or utc_now()).astimezone(UTC).date())
    earlier = next((entry for entry in loop.uses().items() if entry.run == key), None)
    if earlier is not None:
        raise AlreadyRecordedError(f"this run was already recorded at {format_time(earlier.time)} "
                                   f"({earlier.outcome}): it is not counted twice")
    return loop.record_use(document, replace(request, run=key), now=now)
