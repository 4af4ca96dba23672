"""A document's body read once for the lint rules: lines, code, headings, links and anchors.

The structure (headings, code blocks, links) comes from ``kbstudio.md_structure``, the one pass
the renderer, the index and the SOP parser also read; only anchors are lint's own.

A ``Page`` holds the whole text and lives only while its document's own rules run. What the
rules of *other* documents need of it stays as an ``Outline``: its fields, links, anchors and the
lines of its title and issue statement, a few kilobytes instead of the text, so a whole-KB lint
holds one text at a time.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from kbstudio.md_structure import parse_structure
from kbstudio.model import Document, DocumentInfo
from kbstudio.reader import full_document

_HTML_ANCHOR = re.compile(r"<[a-z][a-z0-9]*\b[^>]*?\b(?:name|id)\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_CUSTOM_ID = re.compile(r"\{#([\w-]+)\}\s*$")
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
ISSUE_HEADINGS = frozenset({"issue", "symptoms", "symptom", "problem", "summary"})


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


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image reference in the body, at its file line."""

    line: int
    target: str
    image: bool

    def __reduce__(self) -> tuple[type[Link], tuple[int, str, bool]]:
        return (Link, (self.line, self.target, self.image))   # small and fast to send between processes


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

    def issue_line(self) -> int:
        """Return the line of the Issue (Symptoms, Problem, Summary) heading, else the title's."""
        for heading in self.headings:
            if heading.level >= 2 and heading.text.strip(" :").lower() in ISSUE_HEADINGS:
                return heading.line
        return self.title_line()

    def outline(self, root: Path | None = None) -> Outline:
        """Return what other documents' rules need of this one, without its text (``root``: the KB
        root's Path, shared by every outline, else worked out for this one).

        Its anchors are kept only when its own links point at them: links from other documents
        to a heading are few (16 in the 2,459-article corpus), and for those the target's anchors
        are read again from disk (``Outline.anchors``).
        """
        keep = any(link.target.lstrip().startswith("#") for link in self.links)
        # Only links to files of the KB (or with an empty target): the cross-document rules and the
        # link graph pass over web and site-absolute links (``split_target``), two thirds of them.
        checked = tuple(link for link in self.links if split_target(self.rel_path, link.target) is not None)
        return Outline(self.document.info(root), checked, self.title_line(), self.issue_line(),
                       frozenset(self.anchors) if keep else None, self.cache)


@dataclass(eq=False, slots=True)
class Outline:
    """What the rules of other documents (and the cross-document rules of this one) need of a
    document: its fields (``DocumentInfo``), links, the lines of its title and issue, and anchors.

    It offers the part of ``Page``'s interface those rules use: ``document``, ``rel_path``,
    ``links`` (those ``split_target`` resolves: to the KB's files, anchors, empty targets),
    ``anchors``, ``field_line``, ``title_line`` and ``issue_line``.
    """

    document: DocumentInfo
    links: tuple[Link, ...]
    title_at: int
    issue_at: int
    kept_anchors: frozenset[str] | None = None   # None: not kept, read from disk when asked
    # What a whole-KB rule worked out from this document (see Page.cache).
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def rel_path(self) -> str:
        """Return the document's path relative to the KB root."""
        return self.document.rel_path

    @property
    def anchors(self) -> frozenset[str]:
        """Return the anchors links can point to (``Page.anchors``), reading the file when not kept."""
        if self.kept_anchors is None:
            self.kept_anchors = frozenset(parse_page(full_document(self.document)).anchors)
        return self.kept_anchors

    def field_line(self, key: str) -> int:
        """Return the file line of a front-matter key, else the first line."""
        return self.document.key_lines.get(key, 1)

    def title_line(self) -> int:
        """Return the line of the title (see ``Page.title_line``)."""
        return self.title_at

    def issue_line(self) -> int:
        """Return the line of the issue statement's heading, else the title's (``Page.issue_line``)."""
        return self.issue_at

    def __reduce__(self) -> tuple[type[Outline], tuple[Any, ...]]:
        return (Outline, (self.document, self.links, self.title_at, self.issue_at, self.kept_anchors,
                          self.cache))


def split_target(source_rel: str, target: str) -> tuple[str, str] | None:
    """Resolve a link target against its source file: (KB-relative path, anchor).

    Returns None for what lint does not check: web and other scheme links, protocol-relative and
    site-absolute paths. The path is '' for an anchor in the same document.
    """
    target = target.strip()
    if not target:
        return ("\0", "")
    if _SCHEME.match(target) or target.startswith(("//", "/", "\\")):
        return None
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        return ("", unquote(anchor))
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source_rel), path))
    return (joined, unquote(anchor))


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
