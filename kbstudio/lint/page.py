"""A document's body read once for the lint rules: lines, code, headings, links and anchors."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from kbstudio.model import Document

# Patterns run on the body with a leading newline: a literal first character keeps scans fast.
_FENCE = re.compile(r"\n[ \t]*(`{3,}|~{3,})([^\n]*)")  # list items indent their fences
_HEADING = re.compile(r"\n {0,3}(#{1,6})(?:[ \t]+([^\n]*?))?[ \t]*(?=\n|$)")
_CLOSING_HASHES = re.compile(r"[ \t]+#+$")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(
    r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+[\"'(][^\n]*?)?\s*\)"
)
_REFERENCE_DEF = re.compile(r"\n {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)")
_HTML_ATTR = re.compile(r"<(img|a|source)\b[^>]*?\b(src|href)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_DOCFX_IMAGE = re.compile(r":::image\b[^\n]*?\bsource\s*=\s*\"([^\"]*)\"", re.IGNORECASE)
_HTML_ANCHOR = re.compile(r"<[a-z][a-z0-9]*\b[^>]*?\b(?:name|id)\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_CUSTOM_ID = re.compile(r"\{#([\w-]+)\}\s*$")
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Heading:
    """An ATX heading: its file line, level (1-6) and text."""

    line: int
    level: int
    text: str


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


def mask_inline_code(line: str) -> str:
    """Return ``line`` with inline code spans blanked (same length), so rules skip them."""
    if "`" not in line:
        return line
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


def _code_blocks(padded: str, starts: list[int]) -> list[tuple[int, int]]:
    """Return (first, last) body line indexes of every fenced code block, fences included."""
    blocks: list[tuple[int, int]] = []
    opened: tuple[int, str] | None = None
    for match in _FENCE.finditer(padded):
        index = bisect_right(starts, match.start(1)) - 1
        fence = match.group(1)
        if opened is None:
            opened = (index, fence)
        elif fence[0] == opened[1][0] and len(fence) >= len(opened[1]) and not match.group(2).strip():
            blocks.append((opened[0], index))
            opened = None
    if opened is not None:
        blocks.append((opened[0], len(starts) - 1))
    return blocks


def _headings(lines: list[str], padded: str, starts: list[int], body_line: int) -> list[Heading]:
    headings: list[Heading] = []
    for match in _HEADING.finditer(padded):
        index = bisect_right(starts, match.start(1)) - 1
        raw = _HEADING.match("\n" + lines[index])  # the unmasked line keeps inline code in the text
        text = _CLOSING_HASHES.sub("", (raw or match).group(2) or "").strip()
        text = "" if not text.strip("#") else text
        headings.append(Heading(body_line + index, len(match.group(1)), text))
    return headings


def _links(padded: str, starts: list[int], body_line: int) -> list[Link]:
    found: list[tuple[int, str, bool]] = []
    for match in _INLINE_LINK.finditer(padded):
        found.append((match.start(1), match.group(1).strip("<>"), padded[match.start() - 1] == "!"))
    if "]:" in padded:
        found.extend((m.start(1), m.group(1).strip("<>"), False) for m in _REFERENCE_DEF.finditer(padded))
    if "<" in padded:
        for match in _HTML_ATTR.finditer(padded):
            found.append((match.start(3), match.group(3), match.group(1).lower() != "a"))
    if ":::" in padded:
        found.extend((m.start(1), m.group(1), True) for m in _DOCFX_IMAGE.finditer(padded))
    return [Link(body_line + bisect_right(starts, offset) - 1, target, image)
            for offset, target, image in sorted(found)]


def parse_page(document: Document) -> Page:
    """Read a document's body into a Page."""
    lines = document.body.splitlines()
    # Offsets of each line in the body text with a leading newline; prose keeps every line's length.
    starts = [1, *accumulate(len(line) + 1 for line in lines)][:-1] if lines else [1]
    prose = [mask_inline_code(line) if "`" in line else line for line in lines]
    padded = "\n" + "\n".join(lines)
    if "```" in padded or "~~~" in padded:
        for first, last in _code_blocks(padded, starts):
            for index in range(first, last + 1):
                prose[index] = " " * len(prose[index])
    padded = "\n" + "\n".join(prose)
    headings = _headings(lines, padded, starts, document.body_line)
    links = _links(padded, starts, document.body_line)
    return Page(document, lines, prose, headings, links, padded[1:])


def has_content(lines: list[str]) -> bool:
    """Return True when ``lines`` hold anything but blanks and HTML comments."""
    return bool(_COMMENT.sub("", "\n".join(lines)).strip())
