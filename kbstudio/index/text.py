"""Turn a document into the plain-text parts the index weighs differently."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbstudio.md_structure import CLOSING_TAG, OPEN_TAG, is_html_element, parse_structure
from kbstudio.model import Document, as_text
from kbstudio.names import nfc

ISSUE_HEADINGS = ("issue", "symptom", "symptoms", "problem", "summary", "error", "errors")
# Bracket classes exclude both brackets so no search crosses the next '[': linear on '[' * 10**6
# (the previous '[^\]]*' rescanned to the end of the text from every '[' while indexing held the GIL).
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
# A tag by CommonMark's grammar (groups 1 and 2: its name), else anything else in angle brackets.
_ANGLED = re.compile(OPEN_TAG + "|" + CLOSING_TAG + r"|<[^<>]{1,200}>")
# Not words either: comments, declarations, processing instructions and autolinks (<https://...>).
_NOT_WORDS = re.compile(r"<(?:[!?/]|[A-Za-z][A-Za-z0-9+.-]{1,31}:|[^\s<>@]+@[^\s<>@]+>)")
_KEPT_OPEN, _KEPT_CLOSE = "\x02", "\x03"   # a kept placeholder's brackets, out of _MARKUP's way
_DOCFX = re.compile(r":::[^:\n]*:::|\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION|INCLUDE)[^\[\]]*\]", re.IGNORECASE)
_MARKUP = re.compile(r"[*_`>|#]+")


@dataclass(frozen=True)
class IndexText:
    """The searchable parts of one document, in Unicode NFC (as queries are searched)."""

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
    if "<" not in text:
        return _MARKUP.sub("", text).strip()
    text = _MARKUP.sub("", _ANGLED.sub(_tag_or_placeholder, text))
    return text.replace(_KEPT_OPEN, "<").replace(_KEPT_CLOSE, ">").strip()


def _tag_or_placeholder(match: re.Match[str]) -> str:
    """Drop an HTML tag, comment or autolink; keep a placeholder such as ``<server name>`` as words.

    A placeholder is what the renderer shows as text: a tag whose name is not an HTML element
    (``<User>``, ``<server name>``) or angle brackets around what is no tag (``<Domain.suffix>``).
    """
    name = match.group(1) or match.group(2)
    angled = match.group(0)
    if name is not None:
        if is_html_element(name):
            return " "
    elif _NOT_WORDS.match(angled):
        return " "
    return _KEPT_OPEN + angled[1:-1] + _KEPT_CLOSE


def split_sections(body: str) -> list[tuple[str, str]]:
    """Return ('', lead) and then (heading, text) for each heading of ``body``.

    Headings are the shared structure pass's (``kbstudio.md_structure``): a ``#`` line in a code
    block or ``#hashtag`` text is none, a setext heading is one and its underline is not text.
    """
    lines = body.split("\n")
    sections = parse_structure(body).sections()
    return [(heading, "\n".join(lines[first:end])) for heading, first, end in sections]


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
        title=nfc(title),
        issue=nfc(plain_text("\n".join(issue_parts))),
        headings=nfc("\n".join(headings)),
        body=nfc(plain_text(document.body)),
    )
