"""Turn a document into the reading text the index weighs: title, issue, headings, body and code.

The blocks come from the shared structure pass (``kbstudio.md_structure``: CommonMark 0.31 and GFM
tables); this module keeps of each block what a reader sees, and nothing of the markup around it.

Reading text format (``IndexText.body`` and ``issue``; ``kbstudio.index.snippets`` reads it):

* one block per line: a heading, a paragraph (its soft line breaks are spaces), a list item's
  paragraph, a table row, an HTML block;
* a heading's line is followed by an empty line (``"\\n\\n"``), so a heading is told from the
  sentence after it;
* the cells of a table row are separated by a tab;
* inside a block, white space is single spaces (``&nbsp;`` and other spaces included).

What a block keeps (CommonMark 0.31 section in brackets): heading text (4.2, 4.3), paragraph text
(4.8), list items without their markers (5.2) or GFM task markers, table cells without pipes or the
delimiter row (GFM 4.10), alert contents without the ``[!NOTE]`` line, code span contents without
backticks (6.1), link and image text without the destination (6.3, 6.4), text of HTML without
its tags (6.6) except placeholders such as ``<User>`` and ``<server name>`` (what the read view
shows as text, see ``md_structure.SAFE_TAGS``), decoded entities (2.5), backslash escapes
resolved (2.4) and emphasis markers removed (6.2). DocFX ``:::image`` keeps its alt text, DocFX
``[!INCLUDE]``, ``[!div]`` and ``[!VIDEO]`` go. Code blocks (4.4, 4.5) are not body text: they are
``IndexText.code``. Every step is a linear scan: no input makes indexing quadratic.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import NamedTuple

from kbstudio.md_structure import (
    CLOSING_TAG,
    HEADING,
    HTML,
    OPEN_TAG,
    PARA,
    SETEXT_TEXT,
    TABLE_HEAD,
    TABLE_ROW,
    Structure,
    code_spans,
    is_html_element,
    mask_inline_code,
    parse_structure,
)
from kbstudio.model import Document, as_text
from kbstudio.names import nfc

ISSUE_HEADINGS = ("issue", "symptom", "symptoms", "problem", "summary", "error", "errors")
LEAD_LIMIT = 1500   # characters of lead text that stand in for a missing Issue section
HEADING_END = "\n\n"   # ends a heading's line in reading text
BLOCK_END = "\n"       # ends any other block's line
CELL_SEPARATOR = "\t"  # between the cells of a table row

# Protected text (code span contents, escaped characters) waits in private-use characters, one each.
_FIRST_KEPT = 0xF0000
_MAX_KEPT = 0xFFFD
_KEPT = re.compile("[\U000F0000-\U000FFFFD]")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|\\\n")   # CommonMark 2.4; a backslash line end is a break
# DocFX's bracket extensions; an [!INCLUDE [title](file.md)] holds a link. Each try stops at the next
# unmatched bracket: linear on '[!NOTE' * 10**5.
_DOCFX_BRACKET = re.compile(
    r"\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION|INCLUDE|div|VIDEO)\b"
    r"(?:[^\[\]]|\[[^\[\]]*\](?:\([^()\[\]]*\))?)*\]", re.IGNORECASE)
# Inline links and images (one level of brackets in the text and of parentheses in the destination),
# full reference links.
# Brackets are excluded everywhere so no try crosses the next '[': linear on '[' * 10**6.
_LINK = re.compile(r"!?\[([^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)\]"
                   r"(?:\([^()\[\]]*(?:\([^()\[\]]*\)[^()\[\]]*)*\)|\[[^\[\]]*\])")
# A link reference definition (4.7): it shows nothing.
_REFERENCE_DEF = re.compile(r"""\[[^\[\]]+\]:[ \t]*(?:<[^<>]*>|\S+)"""
                            r"""(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*$""")
# DocFX triple-colon extensions (:::image ... :::, :::no-loc text="..."::: or an unclosed :::zone).
_DOCFX_COLONS = re.compile(r":::([A-Za-z][\w-]*)([^:\n]*(?::(?!::)[^:\n]*)*)(?::::|(?=\n)|$)")
_ATTRIBUTE = re.compile(r"""\b(alt-text|text)\s*=\s*"([^"]*)\"""")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)   # an unclosed one ends the text: linear
# A tag by CommonMark's grammar (groups 1 and 2: its name), else anything else in angle brackets.
_ANGLED = re.compile(OPEN_TAG + "|" + CLOSING_TAG + r"|<[^<>]{1,200}>")
# Not words either: comments, declarations, processing instructions and autolinks (<https://...>).
_NOT_WORDS = re.compile(r"<(?:[!?/]|[A-Za-z][A-Za-z0-9+.-]{1,31}:|[^\s<>@]+@[^\s<>@]+>)")
# Elements that sit inside a line of text: their tags join the words around them (``<b>x</b>,``).
_INLINE_ELEMENTS = frozenset("a abbr b code del em i ins kbd mark s small span strong sub sup u".split())
# Emphasis delimiters (6.2): '*' runs that touch a word ('**' goes first: most emphasis is bold),
# '_' runs at a word's edge (snake_case stays), GFM '~~' strikethrough. A lone ' * ' or ' _ ' is text.
_STARS = re.compile(r"\*+(?=\S)|\*+(?<=\S\*)")
_UNDERSCORES = re.compile(r"_+")
_STRIKE = re.compile(r"(?<!~)~~(?!~)")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TASK = re.compile(r"\[[ xX]\](?:[ \t]+|$)")
_PIPE_OR_ESCAPE = re.compile(r"\\.|\|")


@dataclass(frozen=True)
class IndexText:
    """The searchable parts of one document, in Unicode NFC (as queries are searched).

    ``title`` is the document title; ``issue`` the description and Issue/Symptoms/... sections (or
    the lead text) and ``body`` the whole document, both as reading text (see the module doc);
    ``headings`` one heading per line, the title left out; ``code`` the contents of fenced and
    indented code blocks, one block after another.
    """

    title: str
    issue: str
    headings: str
    body: str
    code: str = ""


class Block(NamedTuple):
    """One block of reading text: its first body line, whether it is a heading, and its text."""

    line: int   # not ``index``: that would hide tuple.index
    heading: bool
    text: str


def index_text(document: Document) -> IndexText:
    """Return the parts of ``document`` that the index stores and weighs.

    Any body gives an answer (no exceptions), in time linear in its length.
    """
    structure = parse_structure(document.body)
    blocks = reading_blocks(structure)
    title = document.title
    shown_title = inline_text(title)
    description = inline_text(as_text(document.meta.get("description")) or "")
    headings = [b.text for b in blocks if b.heading and b.text and b.text != shown_title]
    code = "\n".join(c.code.rstrip("\n") for c in structure.code_blocks if c.code.strip())
    return IndexText(
        title=nfc(title),
        issue=nfc("\n".join(filter(None, (description, _issue(blocks))))),
        headings=nfc("\n".join(headings)),
        body=nfc(reading_text(blocks)),
        code=nfc(code),
    )


def plain_text(markdown: str) -> str:
    """Return the reading text (module doc) of a Markdown fragment; no code block contents."""
    return reading_text(reading_blocks(parse_structure(markdown)))


def reading_text(blocks: list[Block]) -> str:
    """Join blocks into reading text: one per line, an empty line after a heading."""
    parts: list[str] = []
    for block in blocks:
        if block.text:
            parts.append(block.text)
            parts.append(HEADING_END if block.heading else BLOCK_END)
    return "".join(parts).rstrip("\n")


def split_sections(body: str) -> list[tuple[str, str]]:
    """Return ('', lead) and then (heading, text) for each heading of ``body``.

    Headings are the shared structure pass's (``kbstudio.md_structure``): a ``#`` line in a code
    block or ``#hashtag`` text is none, a setext heading is one and its underline is not text.
    """
    lines = body.split("\n")
    sections = parse_structure(body).sections()
    return [(heading, "\n".join(lines[first:end])) for heading, first, end in sections]


def _issue(blocks: list[Block]) -> str:
    """Return the Issue/Symptoms/... sections' text, else the lead (or first section) cut short."""
    sections: list[list[str]] = [[]]
    chosen: list[str] = []
    wanted = False
    for block in blocks:
        if block.heading:
            wanted = block.text.lower().rstrip(":").strip() in ISSUE_HEADINGS
            sections.append([])
        elif block.text:
            sections[-1].append(block.text)
            if wanted:
                chosen.append(block.text)
    if chosen:
        return "\n".join(chosen)
    lead = sections[0] or (sections[1] if len(sections) > 1 else [])
    return "\n".join(lead)[:LEAD_LIMIT]


def reading_blocks(structure: Structure) -> list[Block]:
    """Return the blocks of reading text of a parsed body, in order (code blocks left out).

    A heading gives a ``Block`` even when its text is empty, so callers can tell sections apart.
    """
    headings = {heading.index: heading.text for heading in structure.headings}
    lines = structure.lines
    blocks: list[Block] = []
    paragraph: list[str] = []
    start = 0
    containers: tuple[object, ...] = ()   # the open paragraph's containers
    number = 0
    while number < len(lines):
        line = lines[number]
        kind = line.kind
        number += 1
        if kind == PARA:
            if paragraph and (line.opened or (not line.lazy and line.containers != containers)):
                blocks.append(Block(start, False, inline_text("\n".join(paragraph))))
                paragraph = []
            text = line.text
            if not paragraph:
                if line.opened and line.containers[-1].kind == "item" and text.startswith("["):
                    task = _TASK.match(text)   # a GFM task list item's "[ ]" or "[x]"
                    text = text[task.end():] if task else text
                if text.startswith("[") and "]:" in text and _REFERENCE_DEF.match(text):
                    continue   # a link reference definition shows nothing
                start = line.index
            paragraph.append(text)
            containers = line.containers
            continue
        if paragraph:
            blocks.append(Block(start, False, inline_text("\n".join(paragraph))))
            paragraph = []
        if kind == HEADING or (kind == SETEXT_TEXT and line.index in headings):
            blocks.append(Block(line.index, True, inline_text(headings.get(line.index, ""))))
        elif kind in (TABLE_HEAD, TABLE_ROW):
            blocks.append(Block(line.index, False, table_row(line.text)))
        elif kind == HTML:
            first = line.index
            texts = [line.text]
            while number < len(lines) and lines[number].kind == HTML:
                texts.append(lines[number].text)
                number += 1
            blocks.append(Block(first, False, inline_text("\n".join(texts))))
    if paragraph:
        blocks.append(Block(start, False, inline_text("\n".join(paragraph))))
    return blocks


def table_row(row: str) -> str:
    """Return a GFM table row's cell texts separated by tabs; empty cells are left out.

    Cells split at pipes that are neither escaped nor in a code span (as ``md_structure`` counts them).
    """
    masked = mask_inline_code(row) if "`" in row else row
    cells: list[str] = []
    last = 0
    for match in _PIPE_OR_ESCAPE.finditer(masked):
        if match.group() == "|":
            cells.append(row[last:match.start()])
            last = match.end()
    cells.append(row[last:])
    texts = (inline_text(cell.replace("\\|", "|")) for cell in cells)   # GFM: "\\|" is a pipe, in code too
    return CELL_SEPARATOR.join(text for text in texts if text)


def inline_text(text: str) -> str:
    """Return what a reader sees of one block's inline Markdown, white space folded to single spaces.

    Code spans and escaped characters are set aside first (nothing inside them is markup), then
    DocFX brackets, links, DocFX colons, HTML and emphasis go and entities are decoded.
    """
    kept: list[str] = []
    if "`" in text or "\\" in text:
        text = _protect(text, kept)
    if "[" in text:
        if "[!" in text:
            text = _DOCFX_BRACKET.sub(" ", text)
        for _ in range(3):   # an image inside a link comes out first: [![alt](a.png)](page.md)
            if "](" not in text and "][" not in text:
                break
            text, found = _LINK.subn(r"\1", text)
            if not found:
                break
    if ":::" in text:
        text = _DOCFX_COLONS.sub(_docfx_colon, text)
    if "<" in text:
        if "<!--" in text:
            text = _COMMENT.sub(" ", text)
        text = _ANGLED.sub(_tag_or_placeholder, text)
    if "*" in text:
        text = text.replace("**", "")
        if "*" in text:
            text = _STARS.sub("", text)
    if "~~" in text:
        text = _STRIKE.sub("", text)
    if "_" in text:
        text = _UNDERSCORES.sub(_underscores, text)
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    if kept:
        text = _KEPT.sub(lambda m: kept[ord(m.group()) - _FIRST_KEPT], text)
    return " ".join(text.split())


def _protect(text: str, kept: list[str]) -> str:
    """Replace code spans by their contents and escapes by their characters, each set aside in ``kept``.

    Code span contents follow CommonMark 6.1: line ends read as spaces and one space is stripped
    from each end when both ends have one. Past ``_MAX_KEPT`` pieces the rest stays as written.
    """
    if max(text) >= "\U000F0000":   # private-use characters in the text itself show nothing
        text = _KEPT.sub("", text)

    def keep(piece: str) -> str:
        if len(kept) >= _MAX_KEPT:
            return piece
        kept.append(piece)
        return chr(_FIRST_KEPT + len(kept) - 1)

    def escape(match: re.Match[str]) -> str:
        return keep(match.group(1)) if match.group(1) else " "

    pieces: list[str] = []
    last = 0
    spans = code_spans(text) if "`" in text else []
    for start, end in [*spans, (len(text), len(text))]:
        before = text[last:start]
        pieces.append(_ESCAPE.sub(escape, before) if "\\" in before else before)
        if start < end:
            span = text[start:end]
            ticks = len(span) - len(span.lstrip("`"))
            code = span[ticks:-ticks].replace("\n", " ")
            if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
                code = code[1:-1]
            pieces.append(keep(code))
        last = end
    return "".join(pieces)


def _docfx_colon(match: re.Match[str]) -> str:
    """Return what a DocFX ``:::name ...:::`` shows: an image's alt text, a no-loc's text, else nothing."""
    name = match.group(1).lower()
    if name in ("image", "no-loc"):
        for attribute in _ATTRIBUTE.finditer(match.group(2)):
            if (attribute.group(1).lower() == "alt-text") == (name == "image"):
                return " " + attribute.group(2) + " "
    return " "


def _underscores(match: re.Match[str]) -> str:
    """Drop a run of underscores at a word's edge (emphasis); keep one inside a word (``file_name``)
    or between spaces (no emphasis either: CommonMark 6.2, neither left- nor right-flanking)."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before.isspace() and after.isspace():
        return match.group()
    if (before.isalnum() or before == "_") and (after.isalnum() or after == "_"):
        return match.group()
    return ""


def _entity(match: re.Match[str]) -> str:
    """Decode one entity or numeric character reference (CommonMark 2.5); unknown names stay."""
    return html.unescape(match.group())


def _tag_or_placeholder(match: re.Match[str]) -> str:
    """Drop an HTML tag, comment or autolink; keep a placeholder such as ``<server name>`` as words.

    A placeholder is what the renderer shows as text: a tag whose name is not an HTML element
    (``<User>``, ``<server name>``) or angle brackets around what is no tag (``<Domain.suffix>``).
    A tag of an element inside a line of text (``<b>``) joins the words around it; others part them.
    """
    name = match.group(1) or match.group(2)
    angled = match.group(0)
    if name is not None:
        if is_html_element(name):
            return "" if name.lower() in _INLINE_ELEMENTS else " "
    elif _NOT_WORDS.match(angled):
        return " "
    return angled
