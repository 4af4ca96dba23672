"""Checks that a record names things that exist: the SOP escalated with, the commit that fixed a
flag, the place a flag points at, and a ticket reference of a sane length.

Figures are computed from these records ("escalated with SOP", "resolved in which commit"), so a
made-up reference would skew them for everyone once synced: ``KnowledgeLoop`` refuses it with a
``RecordError`` worded for the person (the CLI exits 2, the app says it in the status bar).
"""

from __future__ import annotations

from collections.abc import Iterable

from kbstudio.loop.records import RecordError
from kbstudio.model import Document, DocumentFields
from kbstudio.sop import find_document
from kbstudio.vcs.repo import KBRepo

# A ticket system's reference (INC0012345, a URL to the ticket) fits easily; longer text is the
# ticket's body pasted by mistake. The number is a choice, not a standard.
TICKET_LIMIT = 200
SOP_KIND = "sop"


def check_ticket(ticket: str | None) -> None:
    """Raise RecordError when ``ticket`` is longer than ``TICKET_LIMIT`` characters."""
    length = len((ticket or "").strip())
    if length > TICKET_LIMIT:
        raise RecordError(f"the ticket reference is {length} characters long: give the ticket's "
                          f"reference (at most {TICKET_LIMIT} characters), not its text")


def check_sop(documents: Iterable[DocumentFields], sop: str) -> str:
    """Return the id of the SOP ``sop`` names (id or path); raise RecordError when there is no such
    document or it is not an SOP (``kind: sop``)."""
    found = find_document(documents, sop)
    if found is None:
        raise RecordError(f"no SOP '{sop}' in the knowledge base (give an SOP's id, such as SOP-0001)")
    if found.kind != SOP_KIND:
        raise RecordError(f"'{sop}' is {'an' if found.kind[:1] in 'aeiou' else 'a'} {found.kind}, not an SOP "
                          "(kind: sop)")
    return found.id or found.rel_path


def check_commit(repo: KBRepo | None, commit: str) -> str:
    """Return the full id of ``commit`` in ``repo``; raise RecordError when it is not a commit there."""
    if repo is None:
        raise RecordError("the knowledge base is not in a git repository: no commit can be named")
    wanted = commit.strip()
    if not wanted or wanted.startswith("-"):
        raise RecordError(f"'{commit}' is not a commit")
    found = repo.git("rev-parse", "-q", "--verify", "--end-of-options", f"{wanted}^{{commit}}",
                     check=False).stdout.strip()
    if not found:
        raise RecordError(f"'{commit}' is not a commit of this repository (see kbstudio history)")
    return found


def check_anchor(document: Document, anchor: str | int) -> None:
    """Raise RecordError when ``anchor`` (a heading's slug or a line number) is not in ``document``."""
    # Imported here: anchors reads headings through lint, whose flag-open rule imports the loop.
    from kbstudio.loop.anchors import anchor_line

    text = str(anchor).strip().lstrip("#").lower()
    if anchor_line(document, text) is not None:
        return
    if text.isdigit():
        lines = document.text.count("\n") + 1
        raise RecordError(f"line {text} is not in {document.rel_path}, which has {lines} lines")
    raise RecordError(f"no heading '{text}' in {document.rel_path} (give a heading's anchor, such as "
                      "'resolution', or a line number)")
