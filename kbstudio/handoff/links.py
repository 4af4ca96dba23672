"""Links in a hand-off note, made ready for a ticket.

A KB-relative link (``../articles/outage.md``) is dead once the note is pasted into a ticket, so every
link to a document becomes its id and title (``KB-0040 Check for a known outage``), linked to its
absolute web address when the KB sets one (``.kbstudio/config.toml``, see ``kbstudio.kbconfig``).
Web links stay; in the plain-text note their address is written out after their text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kbstudio.handoff.run import ArticleRef
from kbstudio.kbconfig import KbConfig
from kbstudio.model import DocumentFields
from kbstudio.names import nfc
from kbstudio.sop import plain_text, replace_links, resolve_link

_WEB = re.compile(r"^(?:https?|mailto):", re.IGNORECASE)


def document_name(doc_id: str | None, title: str) -> str:
    """Return how a note names a document: 'KB-0019 Outlook keeps asking for a password'."""
    return " ".join(part for part in (doc_id, title) if part)


@dataclass
class TicketLinks:
    """Turns links into ticket-ready ones, for the documents of one KB and its web address."""

    documents: Sequence[DocumentFields] = field(default_factory=list)
    config: KbConfig = field(default_factory=KbConfig)

    def __post_init__(self) -> None:
        self._by_path = {nfc(document.rel_path): document for document in self.documents}

    def url(self, ref: ArticleRef) -> str | None:
        """Return the document's absolute web address, when the KB sets a web base."""
        return self.config.document_url(ref.rel_path, ref.id) if ref.rel_path else None

    def reference(self, ref: ArticleRef) -> str:
        """Return a document as Markdown: '[KB-0019 Title](https://...)'; 'KB-0019 Title' with no web base."""
        name = document_name(ref.id, ref.title)
        url = self.url(ref)
        return f"[{name}]({url})" if url else name

    def rewrite(self, markdown: str, from_rel_path: str) -> str:
        """Return Markdown from the document at ``from_rel_path`` with its links made ticket-ready.

        A link to a document of the KB becomes its id and title (the link's own text first when it
        says something else); any other relative link or image becomes its text; web links stay.
        """
        def replace(image: bool, text: str, target: str) -> str:
            if _WEB.match(target) and not image:
                return f"[{text}]({target})"
            rel = resolve_link(from_rel_path, target)
            document = self._by_path.get(nfc(rel)) if rel else None
            if image or document is None:
                return text
            name = document_name(document.id, document.title)
            shown = plain_text(text).strip()
            if _words(shown) and not any(_words(whole).startswith(_words(shown))
                                         for whole in (document.title, name)):
                name = f"{shown} ({name})"   # the link says something else than the title: keep both
            url = self.config.document_url(document.rel_path, document.id)
            return f"[{name}]({url})" if url else name

        return replace_links(markdown, replace)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def ticket_plain_text(markdown: str) -> str:
    """Return inline Markdown as plain text for a ticket: web links keep their address after their text."""
    def replace(image: bool, text: str, target: str) -> str:
        if image or not _WEB.match(target):
            return text
        shown = plain_text(text).strip()
        address = target.removeprefix("mailto:")
        return target if not shown or shown in (target, address) else f"{text} ({address})"

    return plain_text(replace_links(markdown, replace))
