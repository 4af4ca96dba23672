"""Where a flag's anchor points in a document: a heading's slug or a line number -> a file line.

Kept apart from ``kbstudio.loop.flags`` because it reads headings as lint does
(``kbstudio.lint.page.slugify_heading``), and lint's ``flag-open`` rule imports the flags.
"""

from __future__ import annotations

from kbstudio.lint.page import slugify_heading
from kbstudio.md_structure import parse_structure
from kbstudio.model import Document


def anchor_line(document: Document, anchor: str | None) -> int | None:
    """Return the file line (1-based) a flag's anchor points at in ``document``, or None.

    A number is a line of the file (kept when within the file); other text is a heading's slug
    (GitHub style, as links use: ``#if-this-doesnt-solve-it``), matched against the headings.
    """
    if not anchor:
        return None
    if anchor.isdigit():
        line = int(anchor)
        return line if 1 <= line <= document.text.count("\n") + 1 else None
    for heading in parse_structure(document.body).headings:
        if slugify_heading(heading.text) == anchor:
            return document.body_line + heading.index
    return None
