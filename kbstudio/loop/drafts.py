""""Create an article from this search": a KCS work-in-progress article started from failed searches.

The new article is made by the KB's own new-document code (``KnowledgeBase.draft``: the KB's
``_templates/article.md`` or the built-in one, a fresh id, a free file name) with ``status:
draft`` (KCS "work in progress"). The searches go into its Issue section as list items, each
exactly as typed (only line breaks become spaces, which a search box cannot hold anyway), and
the group's signature into the ``from_search`` field, which closes the gap once the article is
published (``kbstudio.loop.gap_groups``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kbstudio.fmedit import set_field
from kbstudio.kb import Created, KnowledgeBase
from kbstudio.loop.gap_groups import FROM_SEARCH, GapGroup, signature
from kbstudio.loop.identity import current_agent
from kbstudio.model import DocumentFields
from kbstudio.storage import save_document_text

ISSUE_HEADINGS = ("issue", "symptoms", "problem")
INTRO = "Searched for, in the caller's words:"
_HEADING = re.compile(r"^#{2,6}[ \t]+(.*?)[ \t#]*$")


def issue_text(queries: Sequence[str]) -> str:
    """Return the Markdown lines that put ``queries`` in the Issue section, as typed."""
    items = [" ".join(query.splitlines()) for query in queries if query.strip()]
    return "\n".join([INTRO, "", *(f"- {item}" for item in items)]) + "\n"


def put_in_issue(text: str, queries: Sequence[str]) -> str:
    """Return ``text`` with the searches under its first Issue (or Symptoms, Problem) heading.

    The lines go after the heading and the template's HTML comment, when there is one; a text
    without such a heading gets an ``## Issue`` section at its end.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split("\n")
    block = issue_text(queries).rstrip("\n").split("\n")
    for number, line in enumerate(lines):
        match = _HEADING.match(line.rstrip("\r"))
        if match and match.group(1).strip(" :").lower() in ISSUE_HEADINGS:
            at = number + 1
            while at < len(lines) and not lines[at].strip():
                at += 1
            if at < len(lines) and lines[at].lstrip().startswith("<!--") and "-->" in lines[at]:
                at += 1
            ending = "\r" if newline == "\r\n" else ""
            inserted = [ending, *(item + ending for item in block)]
            return "\n".join(lines[:at] + inserted + lines[at:])
    tail = "" if text.endswith(("\n", "\r\n")) else newline
    return text + tail + newline.join(["", "## Issue", "", *block]) + newline


def create_from_search(kb: KnowledgeBase, queries: Sequence[str], tier: str, *, title: str | None = None,
                       owner: str | None = None, folder: str | None = None, key: str | None = None,
                       documents: Sequence[DocumentFields] | None = None) -> Created:
    """Create a draft article from failed searches; return its path, KB path and id.

    ``queries`` are the searches as typed, most telling first (``GapGroup.examples``); the title
    defaults to the first one. ``key`` is the group's signature (default: the first query's).
    ``owner`` defaults to the creator (git's identity, ``Name <email>``), so the draft is in someone's
    queue and Sync shares it (``kbstudio.loop.draft_sync``).
    Raises ValueError for no query, a bad tier or folder; OSError when the file cannot be written.
    """
    wanted = [query for query in queries if query and query.strip()]
    if not wanted:
        raise ValueError("a search to start from is required")
    if not owner:
        owner = str(current_agent(kb.root))
    draft = kb.draft("article", title or wanted[0], tier, folder, owner, documents=documents)
    text = put_in_issue(draft.text, wanted)
    text = set_field(text, FROM_SEARCH, key or signature(wanted[0]))
    draft.path.parent.mkdir(parents=True, exist_ok=True)
    save_document_text(draft.path, text, expected_hash=None)
    return Created(draft.path, draft.rel_path, draft.doc_id)


def create_from_group(kb: KnowledgeBase, group: GapGroup, tier: str, *, title: str | None = None,
                      owner: str | None = None, folder: str | None = None,
                      documents: Sequence[DocumentFields] | None = None) -> Created:
    """Create a draft article from a gap group: its examples in the Issue section, its key stored."""
    return create_from_search(kb, [text for text, _ in group.examples], tier, title=title, owner=owner,
                              folder=folder, key=group.key, documents=documents)
