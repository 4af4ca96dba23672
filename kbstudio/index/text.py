"""Turn a document into the plain-text parts the index weighs differently."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbstudio.model import Document, as_text

ISSUE_HEADINGS = ("issue", "symptom", "symptoms", "problem", "summary", "error", "errors")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]{1,200}>")
_DOCFX = re.compile(r":::[^:]*:::|\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION|INCLUDE)[^\]]*\]", re.IGNORECASE)
_MARKUP = re.compile(r"[*_`>|#]+")


@dataclass(frozen=True)
class IndexText:
    """The searchable parts of one document."""

    title: str
    issue: str
    headings: str
    body: str


def plain_text(markdown: str) -> str:
    """Strip Markdown markup to readable plain text (for indexing and snippets).

    Only what would add noise words or ugly snippets is removed; list markers and extra
    white space stay (tokenizing ignores them and snippets fold white space).
    """
    text = _LINK.sub(r"\1", markdown)
    text = _DOCFX.sub(" ", text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    return _MARKUP.sub("", text).strip()


def split_sections(body: str) -> list[tuple[str, str]]:
    """Return (heading, text) pairs for each heading of ``body``; headings inside code are ignored."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group(2), []))
        else:
            sections[-1][1].append(line)
    return [(heading, "\n".join(lines)) for heading, lines in sections]


def index_text(document: Document) -> IndexText:
    """Return the parts of ``document`` that the index stores and weighs."""
    sections = split_sections(document.body)
    issue_parts = [as_text(document.meta.get("description")) or ""]
    headings = []
    for heading, text in sections:
        if heading:
            headings.append(heading)
        if heading.strip().lower().rstrip(":") in ISSUE_HEADINGS:
            issue_parts.append(text)
    if len(issue_parts) == 1 and sections:
        # No Issue/Symptoms section: the text before the first heading (or the first section's
        # text) is the closest thing to an issue statement.
        lead = sections[0][1].strip() or (sections[1][1] if len(sections) > 1 else "")
        issue_parts.append(lead[:1500])
    title = document.title
    headings = [h for h in headings if h.strip() != title.strip()]
    return IndexText(
        title=title,
        issue=plain_text("\n".join(issue_parts)),
        headings="\n".join(headings),
        body=plain_text(document.body),
    )
