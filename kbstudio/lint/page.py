"""A document's body read once for the lint rules: lines, code, headings, links and anchors.

The structure (headings, code blocks, links) comes from ``kbstudio.md_structure``, the one pass
the renderer, the index and the SOP parser also read; only anchors are lint's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kbstudio.md_structure import parse_structure
from kbstudio.model import Document

_HTML_ANCHOR = re.compile(r"<[a-z][a-z0-9]*\b[^>]*?\b(?:name|id)\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_CUSTOM_ID = re.compile(r"\{#([\w-]+)\}\s*$")
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Heading:
    """An ATX or setext heading: its file line, level (1-6) and text.

    ``content_line`` is the file line where the section's text starts: the next line, or the line
    after a setext heading's underline.
    """

    line: int
    level: int
    text: str
    content_line: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not self.content_line:
            object.__setattr__(self, "content_line", self.line + 1)


@dataclass(frozen=True)
class Link:
    """A link or image reference in the body, at its file line."""

    line: int
    target: str
    image: bool


@dataclass
class Page:
    """A document plus what the rules need from its body, parsed once."""

    document: Document
    lines: list[str]
    prose: list[str]
    headings: list[Heading]
    links: list[Link]
    prose_text: str = ""
    # What a whole-KB rule worked out from this document, by rule; kept until it changes (a new Page).
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def anchors(self) -> set[str]:
        """Return the lowercased anchors links can point to: heading slugs and HTML anchors."""
        anchors: set[str] = set()
        for heading in self.headings:
            custom = _CUSTOM_ID.search(heading.text)
            slug = custom.group(1).lower() if custom else slugify_heading(heading.text)
            number = 1
            unique = slug
            while unique in anchors:  # GitHub numbers repeated headings: intro, intro-1, intro-2
                unique = f"{slug}-{number}"
                number += 1
            anchors.add(unique)
            if "<" in heading.text:  # renderers differ on <placeholders>: keep them or drop them
                anchors.add(slugify_heading(re.sub(r"<[^>]+>", "", heading.text)))
        if "<" in self.prose_text:
            anchors.update(m.group(1).lower() for m in _HTML_ANCHOR.finditer(self.prose_text))
        return anchors

    @property
    def rel_path(self) -> str:
        """Return the document's path relative to the KB root."""
        return self.document.rel_path

    def file_line(self, index: int) -> int:
        """Return the file line of body line ``index`` (0-based)."""
        return self.document.body_line + index

    def field_line(self, key: str) -> int:
        """Return the file line of a front-matter key, else the first line."""
        return self.document.key_lines.get(key, 1)

    def title_line(self) -> int:
        """Return the line of the title: the front-matter key, else the first H1, else 1."""
        if "title" in self.document.key_lines:
            return self.document.key_lines["title"]
        first = next((h for h in self.headings if h.level == 1), None)
        return first.line if first else 1


def slugify_heading(text: str) -> str:
    """Return the GitHub-style anchor of a heading."""
    text = re.sub(r"[*_`]", "", text).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return _SLUG_DROP.sub("", text).replace(" ", "-")


def body_lines(body: str) -> list[str]:
    """Return the lines of ``body`` as the structure pass counts them (carriage returns dropped)."""
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def parse_page(document: Document) -> Page:
    """Read a document's body into a Page."""
    structure = parse_structure(document.body)
    lines = body_lines(document.body)
    prose = structure.prose_lines()   # code blocks and inline code blanked, lengths kept
    first = document.body_line
    sections = structure.sections()[1:]   # the first is the lead before any heading
    headings = [Heading(first + heading.index, heading.level, heading.text, first + content)
                for heading, (_, content, _) in zip(structure.headings, sections, strict=True)]
    links = [Link(first + link.index, link.target, link.image) for link in structure.links]
    return Page(document, lines, prose, headings, links, "\n".join(prose))


def has_content(lines: list[str]) -> bool:
    """Return True when ``lines`` hold anything but blanks and HTML comments."""
    return bool(_COMMENT.sub("", "\n".join(lines)).strip())
