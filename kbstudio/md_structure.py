"""The one structural pass over a Markdown body: CommonMark block structure, line by line.

Every part of KB Studio that needs Markdown structure reads it from here: the renderer (which
re-emits the blocks in the indentation Python-Markdown understands), lint (headings, links,
which lines are code), the index text and the SOP parser. One answer everywhere.

The block rules follow the CommonMark 0.31 spec (https://spec.commonmark.org/0.31.2/, "Blocks
and inlines", appendix "A parsing strategy"): containers (block quotes, list items) are matched
line by line, a list item's content column is the marker's width plus 1-4 spaces at every
depth, lazy paragraph continuation, fenced and indented code, ATX and setext headings, thematic
breaks, the seven kinds of HTML block, plus GFM tables (https://github.github.com/gfm/).
The scan is linear in the length of the body; nesting deeper than ``MAX_DEPTH`` containers is
reported (``too_deep``) so a caller can decline to render it instead of spending quadratic time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from itertools import accumulate

MAX_DEPTH = 32  # cmark-gfm has no limit; browsers and editors give up on far less

# Line kinds.
BLANK = "blank"
PARA = "para"
HEADING = "heading"          # ATX heading line
SETEXT_TEXT = "setext_text"  # a paragraph line that an underline turned into a heading
SETEXT_LINE = "setext_line"  # the underline itself
BREAK = "break"              # thematic break
FENCE_OPEN = "fence_open"
FENCE_CODE = "fence_code"
FENCE_CLOSE = "fence_close"
INDENTED_CODE = "indented_code"
HTML = "html"
TABLE_HEAD = "table_head"
TABLE_DELIM = "table_delim"
TABLE_ROW = "table_row"
CODE_KINDS = frozenset({FENCE_OPEN, FENCE_CODE, FENCE_CLOSE, INDENTED_CODE})
TEXT_KINDS = frozenset({PARA, HEADING, SETEXT_TEXT, TABLE_HEAD, TABLE_ROW})

ALERT_KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")

_CONTAINER_START = re.compile(r"[ \t]{0,3}(?:>|[-+*][ \t]|\d{1,9}[.)][ \t])")
_SPACES = re.compile(r" *")
# A line at the margin starting with none of these is paragraph text (no container or block starts).
_SPECIAL_FIRST = frozenset(" \t>-*+_#`~<=|:0123456789")
_LEAD = re.compile(r"[ \t>*+\-0-9.)]*")
_BULLET = re.compile(r"([-+*])(?=[ \t]|$)")
_ORDERED = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")
_BREAK = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_ATX = re.compile(r"(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"(`{3,}|~{3,})(.*)$")
_SETEXT = re.compile(r"(=+|-+)[ \t]*$")
_TABLE_DELIM = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_HTML_BLOCK_1 = re.compile(r"<(?:script|pre|style|textarea)(?:[ \t>]|$)", re.IGNORECASE)
_HTML_BLOCK_END_1 = re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)
_HTML_BLOCK_6 = re.compile(
    r"</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    r"dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|"
    r"html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|"
    r"section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:[ \t>]|/>|$)",
    re.IGNORECASE,
)
# CommonMark's open and closing tag grammar ("Raw HTML"); shared with the renderer's inline rule.
_ATTRIBUTE = (r"""(?:[ \t\n]+[a-zA-Z_:][a-zA-Z0-9_.:-]*"""
              r"""(?:[ \t\n]*=[ \t\n]*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?)""")
OPEN_TAG = r"<([A-Za-z][A-Za-z0-9-]*)" + _ATTRIBUTE + r"*[ \t\n]*/?>"
CLOSING_TAG = r"</([A-Za-z][A-Za-z0-9-]*)[ \t\n]*>"
# The HTML the read view keeps (the sanitiser's allow-list). Any other tag an author writes
# (``<User>``, ``<server name>``, but also ``<Template>``, ``<Date>``, ``<script>``, ``<title>``) is
# shown as the text it is: dropping it would hide a placeholder a reader needs, and an unclosed
# ``<script>``, ``<template>`` or ``<title>`` would swallow the rest of the document. GitHub's
# tagfilter escapes the worst of these the same way (GFM spec, "Disallowed Raw HTML").
SAFE_TAGS = frozenset("""
a abbr b blockquote br caption code dd del details div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr
i img ins kbd li mark ol p pre s small span strong sub summary sup table tbody td tfoot th thead tr u ul
""".split())

_HTML_BLOCK_7 = re.compile(r"(?:" + OPEN_TAG + "|" + CLOSING_TAG + r")[ \t]*$")
_BACKTICKS = re.compile(r"`+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_NOT_NEWLINE = re.compile(r"[^\n]")
_INLINE_LINK = re.compile(
    r"(?<!\\)(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+[\"'(][^\n]*?)?\s*\)"
)
# CommonMark link reference definition: a label without brackets, a destination, an optional title,
# then nothing more on the line.
_REFERENCE_DEF = re.compile(
    r""" {0,3}\[([^\[\]\n]+)\]:[ \t]*(<[^>\n]*>|\S+)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$""",
    re.MULTILINE)
# [^<>] keeps each search inside one tag: an unclosed '<a ' never rescans the rest of the text.
_HTML_ATTR = re.compile(r"<(img|a|source)\b[^<>]*?\b(src|href)\s*=\s*[\"']([^\"'<>]*)[\"']", re.IGNORECASE)
# Stops at the next ':::' so a line of many ':::image' openings is not rescanned from each one.
_DOCFX_IMAGE_SOURCE = re.compile(r":::image\b(?:[^:\n]|:(?!::))*?\bsource\s*=\s*\"([^\"]*)\"", re.IGNORECASE)
_ALERT = re.compile(r"\[!(" + "|".join(ALERT_KINDS) + r")\][ \t]*(.*)$", re.IGNORECASE)


@dataclass(eq=False, slots=True)
class Container:
    """An open block quote or list item; ``indent`` is the columns a continuation line must have."""

    kind: str                  # "quote" or "item"
    indent: int = 0            # for items: the content column, relative to the parent's content
    marker: str = ""           # for items: "-", "*", "+", "1.", "3)"
    ordered: bool = False
    start: int = 1
    first_line: int = 0        # body line index where it opened
    blank_start: bool = False  # an item whose first line was blank and has no content yet


@dataclass(eq=False, slots=True)
class Line:
    """One body line as the block structure sees it."""

    index: int                          # 0-based body line
    containers: tuple[Container, ...]   # outermost first
    opened: int                         # how many of ``containers`` (the innermost) opened here
    text: str                           # the line with container prefixes removed
    kind: str = PARA
    lazy: bool = False


@dataclass(frozen=True)
class Heading:
    """A heading: body line index (0-based), level 1-6 and its text as written."""

    index: int
    level: int
    text: str


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block: body line range (inclusive), info string and code text."""

    first: int
    last: int
    info: str
    code: str
    fenced: bool

    @property
    def language(self) -> str:
        """Return the first word of the info string, braces and a leading dot dropped."""
        word = self.info.strip().strip("{}").split(" ")[0] if self.info.strip() else ""
        return word.lstrip(".").lower()


@dataclass(frozen=True)
class LinkRef:
    """A link or image target at a body line: inline, reference definition, HTML or DocFX."""

    index: int
    target: str
    image: bool


@dataclass(frozen=True)
class Alert:
    """A GitHub/DocFX alert (``> [!NOTE]``) at a body line, kind upper-case."""

    index: int
    kind: str


@dataclass
class Structure:
    """Everything the block pass found in one body."""

    lines: list[Line]
    headings: list[Heading] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    list_items: int = 0
    too_deep: bool = False

    def is_code(self, index: int) -> bool:
        """Return True when body line ``index`` belongs to a code block (fences included)."""
        return self.lines[index].kind in CODE_KINDS

    def prose_lines(self) -> list[str]:
        """Return the raw body lines with code blocks and inline code blanked (lengths kept).

        Lint rules scan these so nothing inside code counts as a TODO, link or address.
        """
        out: list[str] = []
        for line in self.lines:
            raw = self._raw[line.index]
            if line.kind in CODE_KINDS:
                out.append(" " * len(raw))
            else:
                out.append(mask_inline_code(raw))
        return out

    def sections(self) -> list[tuple[str, int, int]]:
        """Return (heading text, first body line, end body line) per heading; the lead is ''."""
        bounds = [("", 0)] + [(h.text, h.index) for h in self.headings]
        result: list[tuple[str, int, int]] = []
        for number, (text, start) in enumerate(bounds):
            end = bounds[number + 1][1] if number + 1 < len(bounds) else len(self.lines)
            first = start + 1 if text or number else 0
            if self.lines and number and self.lines[start].kind == SETEXT_TEXT:
                while first < end and self.lines[first].kind in (SETEXT_TEXT, SETEXT_LINE):
                    first += 1
            result.append((text, first, end))
        return result

    _raw: list[str] = field(default_factory=list, repr=False)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Return the [start, end) offsets of the inline code spans of ``text`` (CommonMark 6.1).

    A run of backticks opens a span that the next run of the same length closes; linear in the
    text (a regex with a back reference is quadratic on long runs of backticks).
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    later: dict[int, deque[int]] = {}
    for number, (start, end) in enumerate(runs):
        later.setdefault(end - start, deque()).append(number)
    spans: list[tuple[int, int]] = []
    number = 0
    while number < len(runs):
        start, end = runs[number]
        same = later[end - start]
        while same and same[0] <= number:
            same.popleft()
        if same:
            closer = same.popleft()
            spans.append((start, runs[closer][1]))
            number = closer + 1
        else:
            number += 1
    return spans


def is_html_element(name: str) -> bool:
    """Return True when a tag named ``name`` (any case) is kept as HTML; any other shows as text."""
    return name.lower() in SAFE_TAGS


def mask_inline_code(text: str) -> str:
    """Return ``text`` with inline code spans blanked (same length, line breaks kept)."""
    if "`" not in text:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in code_spans(text):
        pieces.append(text[last:start])
        pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _match_end(pattern: re.Pattern[str], text: str) -> int:
    """Return where ``pattern``'s match at the start of ``text`` ends (0 when it does not match)."""
    match = pattern.match(text)
    return match.end() if match else 0


def _indent(text: str) -> int:
    """Return the columns of leading white space (tabs to the next multiple of 4)."""
    first = text[:1]
    if first != " " and first != "\t":   # most lines: no regex needed
        return 0
    spaces = _match_end(_SPACES, text)   # a match, not lstrip: no copy of long lines
    if not text.startswith("\t", spaces):
        return spaces
    columns = 0
    for char in text:
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4 - columns % 4
        else:
            break
    return columns


def _drop_columns(text: str, columns: int) -> str:
    """Remove ``columns`` columns of leading white space; a tab that straddles leaves spaces."""
    if columns == 0:
        return text
    if text[:columns] == " " * columns:
        return text[columns:]
    done = 0
    for position, char in enumerate(text):
        if done >= columns:
            return text[position:]
        if char == " ":
            done += 1
        elif char == "\t":
            width = 4 - done % 4
            if done + width > columns:
                return " " * (done + width - columns) + text[position + 1:]
            done += width
        else:
            return text[position:]
    return ""


def _list_marker(text: str, interrupting: bool) -> tuple[str, bool, int, int, str] | None:
    """Match a list marker at the start of ``text`` (no indent): (marker, ordered, start, width, rest)."""
    bullet = _BULLET.match(text)
    if bullet:
        marker, ordered, start = bullet.group(1), False, 1
    else:
        number = _ORDERED.match(text)
        if not number:
            return None
        marker, ordered, start = number.group(1) + number.group(2), True, int(number.group(1))
    rest = text[len(marker):]
    if interrupting and (not rest.strip() or (ordered and start != 1)):
        return None   # an empty item or one not numbered 1 cannot interrupt a paragraph
    spaces = _indent(rest)
    if not rest.strip():
        return marker, ordered, start, len(marker) + 1, ""
    if spaces > 4:   # the item starts with indented code: content begins one space in
        return marker, ordered, start, len(marker) + 1, _drop_columns(rest, 1)
    return marker, ordered, start, len(marker) + spaces, _drop_columns(rest, spaces)


def _html_block_kind(text: str, in_paragraph: bool) -> int:
    """Return the CommonMark HTML block type (1-7) that ``text`` starts, else 0."""
    if not text.startswith("<"):
        return 0
    if _HTML_BLOCK_1.match(text):
        return 1
    if text.startswith("<!--"):
        return 2
    if text.startswith("<?"):
        return 3
    if text.startswith("<!") and text[2:3].isalpha():
        return 4
    if text.startswith("<![CDATA["):
        return 5
    if _HTML_BLOCK_6.match(text):
        return 6
    if not in_paragraph and _HTML_BLOCK_7.match(text):
        return 7
    return 0


def _html_block_ends(kind: int, text: str) -> bool:
    if kind == 1:
        return bool(_HTML_BLOCK_END_1.search(text))
    return {2: "-->", 3: "?>", 4: ">", 5: "]]>"}.get(kind, "\x00") in text


def _cells(row: str) -> int:
    """Return the number of cells of a GFM table row (escaped pipes and code spans kept)."""
    row = mask_inline_code(row.replace("\\|", "  ")).strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return row.count("|") + 1


def _starts_block(text: str) -> bool:
    """Return True when ``text`` (containers removed) would start a block, ending laziness."""
    indent = _indent(text)
    if indent >= 4:
        return False
    rest = text.lstrip(" \t")
    if not rest:
        return True
    first = rest[0]
    if first == ">":
        return True
    if first in "-*_" and _BREAK.match(rest):
        return True
    # Not "interrupting": the paragraph sits in a container this line did not continue (cmark's
    # interrupts_paragraph looks at the deepest matched container, which is not the paragraph).
    if first in "-*+0123456789" and _list_marker(rest, interrupting=False):
        return True
    if first == "#" and _ATX.match(rest):
        return True
    if first in "`~" and _fence_open(rest):
        return True
    # Every HTML block kind, 7 too: the paragraph is not in the deepest container this line continues.
    return first == "<" and _html_block_kind(rest, in_paragraph=False) > 0


def _fence_open(text: str) -> tuple[str, str] | None:
    match = _FENCE.match(text)
    if not match:
        return None
    fence, info = match.group(1), match.group(2)
    if fence[0] == "`" and "`" in info:
        return None
    return fence, info.strip()


class _Scanner:
    """The block pass; ``scan`` fills ``lines`` with one ``Line`` per body line."""

    def __init__(self, raw: list[str]) -> None:
        self.raw = raw
        self.lines: list[Line] = []
        self.stack: list[Container] = []
        self.leaf = ""                 # "", "para", "fence", "indented", "html", "table"
        self.fence: tuple[str, int] = ("", 0)
        self.html_kind = 0
        self.para_start = 0            # first line of the open paragraph
        self.too_deep = False

    def scan(self) -> list[Line]:
        for index, raw in enumerate(self.raw):
            self.lines.append(self._line(index, raw))
        return self.lines

    def _match_containers(self, text: str) -> tuple[int, str]:
        """Return how many open containers ``text`` continues, and the text after their prefixes."""
        matched = 0
        for container in self.stack:
            if container.kind == "quote":
                indent = _indent(text)
                stripped = text.lstrip(" \t")
                if indent > 3 or not stripped.startswith(">"):
                    break
                text = stripped[1:]
                text = _drop_columns(text, 1) if text[:1] in (" ", "\t") else text
            else:
                blank = not text or text.isspace()
                if blank and container.blank_start and container.first_line < len(self.lines):
                    break   # an item may begin with at most one blank line (CommonMark 5.2)
                if _indent(text) >= container.indent:
                    text = _drop_columns(text, container.indent)
                elif blank:
                    text = ""
                else:
                    break
            matched += 1
        return matched, text

    def _line(self, index: int, raw: str) -> Line:
        fast = self._fast_line(index, raw)
        if fast is not None:
            return fast
        if self.leaf == "fence":   # code keeps its tabs, if the line stays in the fence
            matched, text = self._match_containers(raw)
            if matched == len(self.stack):
                return self._fence_line(index, text)
        if "\t" in raw:   # list markers and indentation need the tabs' real columns
            lead = _LEAD.match(raw)
            if lead and "\t" in lead.group(0):
                raw = lead.group(0).expandtabs(4) + raw[lead.end():]
        matched, text = self._match_containers(raw)
        all_matched = matched == len(self.stack)
        if self.leaf == "fence":
            self.leaf = ""
        elif self.leaf == "html":
            if all_matched:
                if self.html_kind >= 6 and not text.strip():
                    self.leaf = ""
                    return Line(index, tuple(self.stack), 0, "", BLANK)
                if _html_block_ends(self.html_kind, text):
                    self.leaf = ""
                return Line(index, tuple(self.stack), 0, text, HTML)
            self.leaf = ""
        if not all_matched and self.leaf == "para" and text.strip() and not _starts_block(text):
            return Line(index, tuple(self.stack), 0, text.lstrip(" \t"), PARA, lazy=True)
        if not all_matched:
            del self.stack[matched:]
            if self.leaf in ("para", "table", "indented"):
                self.leaf = ""
        if self.leaf == "indented":
            if not text.strip() or _indent(text) >= 4:
                return Line(index, tuple(self.stack), 0, _drop_columns(text, 4),
                            INDENTED_CODE if text.strip() else BLANK)
            self.leaf = ""
        opened = self._open_containers(text)
        text = self._rest
        containers = tuple(self.stack)
        if opened and self.leaf in ("para", "table"):
            self.leaf = ""
        return self._leaf(index, containers, opened, text)

    _rest = ""

    def _fast_line(self, index: int, raw: str) -> Line | None:
        """Classify the most common lines without the general matching (a third of the scan time).

        Code at the margin, blank lines at the margin, and prose lines that start with no block
        marker, at the margin or at the content column of open list items (no quotes open).
        """
        if not self.stack:
            if self.leaf == "fence":
                return self._fence_line(index, raw)
            if self.leaf in ("", "para", "table") and (not raw or raw.isspace()):
                self.leaf = ""
                return Line(index, (), 0, "", BLANK)
        if self.leaf not in ("", "para") or not raw:
            return None
        columns = _match_end(_SPACES, raw)   # spaces only: a tab's width depends on its column
        if columns >= len(raw) or raw[columns] in _SPECIAL_FIRST:
            return None
        depth = 0
        for container in self.stack:
            if container.kind != "item":
                return None
            depth += container.indent
        if columns < depth or (columns >= depth + 4 and self.leaf != "para"):
            return None
        if self.leaf != "para":
            self.para_start = index
            for container in self.stack:
                container.blank_start = False
        self.leaf = "para"
        return Line(index, tuple(self.stack), 0, raw[columns:], PARA)

    def _open_containers(self, text: str) -> int:
        """Open the block quotes and list items that start ``text``; leaves the rest in ``_rest``."""
        opened = 0
        while True:
            if len(self.stack) >= MAX_DEPTH:   # deeper markers stay text: the scan stays linear
                self.too_deep = self.too_deep or bool(_CONTAINER_START.match(text))
                break
            indent = _indent(text)
            if indent >= 4:
                break
            rest = _drop_columns(text, indent)
            if rest.startswith(">"):
                text = rest[1:]
                text = _drop_columns(text, 1) if text[:1] in (" ", "\t") else text
                self._push(Container("quote", first_line=len(self.lines)))
                opened += 1
                continue
            if rest[:1] in ("-", "*", "+") and _BREAK.match(rest):
                break
            if rest[:1] in "-*+0123456789" and rest:
                interrupting = self.leaf == "para" and not opened
                item = _list_marker(rest, interrupting)
                if item:
                    marker, ordered, start, width, after = item
                    self._push(Container("item", indent + width, marker, ordered, start, len(self.lines),
                                         blank_start=not after.strip()))
                    opened += 1
                    text = after
                    continue
            break
        self._rest = text
        return opened

    def _push(self, container: Container) -> None:
        self.stack.append(container)

    def _fence_line(self, index: int, text: str) -> Line:
        fence, fence_indent = self.fence
        containers = tuple(self.stack)
        stripped = text.lstrip(" ")
        if (_indent(text) < 4 and stripped.startswith(fence)
                and not stripped.rstrip(" \t").strip(fence[0])):
            self.leaf = ""
            return Line(index, containers, 0, stripped, FENCE_CLOSE)
        return Line(index, containers, 0, _drop_columns(text, fence_indent), FENCE_CODE)

    def _leaf(self, index: int, containers: tuple[Container, ...], opened: int, text: str) -> Line:
        stripped = text.strip()
        if not stripped:
            if self.leaf in ("para", "table"):
                self.leaf = ""
            return Line(index, containers, opened, "", BLANK)
        for container in containers:
            container.blank_start = False
        indent = _indent(text)
        if indent >= 4:
            if self.leaf == "para":   # over-indented text only continues the paragraph
                return Line(index, containers, opened, text.lstrip(" \t"), PARA)
            self.leaf = "indented"
            return Line(index, containers, opened, _drop_columns(text, 4), INDENTED_CODE)
        rest = _drop_columns(text, indent) if indent < 4 else text.lstrip(" \t")
        first = rest[0]
        if first in "`~":
            fence = _fence_open(rest)
            if fence:
                self.leaf = "fence"
                self.fence = (fence[0], indent)
                return Line(index, containers, opened, rest, FENCE_OPEN)
        if first == "#" and indent < 4:
            match = _ATX.match(rest)
            if match:
                self.leaf = ""
                return Line(index, containers, opened, rest, HEADING)
        if (first in "=-" and self.leaf == "para" and not opened and indent < 4
                and _SETEXT.match(rest)):
            self.leaf = ""
            for line in self.lines[self.para_start:]:
                if line.kind == PARA:
                    line.kind = SETEXT_TEXT
            return Line(index, containers, opened, rest, SETEXT_LINE)
        if first in "-*_" and _BREAK.match(rest):
            self.leaf = ""
            return Line(index, containers, opened, rest, BREAK)
        if first == "<":
            kind = _html_block_kind(rest, self.leaf == "para")
            if kind:
                self.html_kind = kind
                self.leaf = "" if _html_block_ends(kind, rest) and kind <= 5 else "html"
                return Line(index, containers, opened, text, HTML)
        if self.leaf == "table":
            return Line(index, containers, opened, rest, TABLE_ROW)
        if (self.leaf == "para" and not opened and "-" in rest and _TABLE_DELIM.match(rest)
                and self.lines and self.lines[-1].kind == PARA and not self.lines[-1].lazy
                and _cells(self.lines[-1].text) == _cells(rest)):
            self.lines[-1].kind = TABLE_HEAD
            self.leaf = "table"
            return Line(index, containers, opened, rest, TABLE_DELIM)
        if self.leaf != "para":
            self.para_start = index
        self.leaf = "para"
        return Line(index, containers, opened, rest, PARA)


def parse_structure(body: str) -> Structure:
    """Return the block structure of a Markdown ``body`` (front matter already removed).

    Line indexes are 0-based body lines; add the document's body line to get file lines.
    """
    raw = body.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    raw = [line[:-1] if line.endswith("\r") else line for line in raw]
    scanner = _Scanner(raw)
    lines = scanner.scan()
    structure = Structure(lines, _raw=raw, too_deep=scanner.too_deep)
    _collect(structure, raw)
    return structure


def _heading_text(line: Line) -> tuple[int, str]:
    match = _ATX.match(line.text)
    if not match:
        return 1, ""
    text = (match.group(2) or "").strip()
    return len(match.group(1)), "" if not text.strip("#") else text


def _collect(structure: Structure, raw: list[str]) -> None:
    """Fill headings, code blocks, links, alerts and the list item count from the lines."""
    lines = structure.lines
    setext: list[str] = []
    code: list[str] | None = None
    code_start, code_last, code_info, fenced = 0, 0, "", False

    def flush() -> None:
        nonlocal code
        if code is not None:
            structure.code_blocks.append(CodeBlock(code_start, code_last, code_info, _join(code), fenced))
        code = None

    for number, line in enumerate(lines):
        kind = line.kind
        if line.opened:
            structure.list_items += sum(1 for c in line.containers[-line.opened:] if c.kind == "item")
            if any(c.kind == "quote" for c in line.containers[-line.opened:]):
                alert = _ALERT.match(line.text.strip())
                if alert:
                    structure.alerts.append(Alert(line.index, alert.group(1).upper()))
        if kind == FENCE_OPEN:
            flush()
            match = _FENCE.match(line.text)
            code, code_start, code_last, fenced = [], line.index, line.index, True
            code_info = match.group(2).strip() if match else ""
        elif kind == FENCE_CODE and code is not None:
            code.append(line.text)
            code_last = line.index
        elif kind == FENCE_CLOSE:
            code_last = line.index
            flush()
        elif kind == INDENTED_CODE:
            if code is None or fenced:
                flush()
                code, code_start, code_info, fenced = [], line.index, "", False
            code.append(line.text)
            code_last = line.index
        elif kind == BLANK and code is not None and not fenced:
            code.append("")
        else:
            flush()
        if kind == HEADING:
            level, text = _heading_text(line)
            structure.headings.append(Heading(line.index, level, text))
        elif kind == SETEXT_TEXT:
            setext.append(line.text.strip())
        elif kind == SETEXT_LINE:
            first = number - len(setext)
            structure.headings.append(
                Heading(lines[first].index, 1 if line.text.startswith("=") else 2, " ".join(setext)))
            setext = []
    flush()
    _collect_links(structure, raw)


def _join(code: list[str]) -> str:
    while code and not code[-1].strip():
        code = code[:-1]
    return "\n".join(code) + "\n" if code else ""


def _blocks_for_links(lines: list[Line]) -> list[list[Line]]:
    """Group lines whose text is scanned together: a paragraph's lines, an HTML block's lines."""
    blocks: list[list[Line]] = []
    previous = ""
    for line in lines:
        kind = line.kind
        if kind in CODE_KINDS or kind in (BLANK, BREAK, SETEXT_LINE, TABLE_DELIM) or not line.text:
            previous = ""
            continue
        group = "para" if kind in (PARA, SETEXT_TEXT) else "html" if kind == HTML else ""
        if group and group == previous and not (line.opened and group == "para"):
            blocks[-1].append(line)
        else:
            blocks.append([line])
        previous = group
    return blocks


def _collect_links(structure: Structure, raw: list[str]) -> None:
    found: list[tuple[int, int, str, bool]] = []
    for block in _blocks_for_links(structure.lines):
        text = "\n".join(line.text for line in block)
        if "](" not in text and "<" not in text and ":::" not in text and "]:" not in text:
            continue
        starts = list(accumulate((len(line.text) + 1 for line in block[:-1]), initial=0))

        def index_at(offset: int, block: list[Line] = block, starts: list[int] = starts) -> int:
            return block[bisect_right(starts, offset) - 1].index

        if "`" in text:
            text = mask_inline_code(text)
        if "<!--" in text:   # a link in an HTML comment (a template's hint) is no link
            text = _HTML_COMMENT.sub(lambda m: _NOT_NEWLINE.sub(" ", m.group(0)), text)
        if "](" in text:
            for match in _INLINE_LINK.finditer(text):
                found.append((index_at(match.start()), match.start(3), match.group(3).strip("<>"),
                              match.group(1) == "!"))
                label = match.group(2)
                if "](" in label:   # an image inside the link text: [![alt](badge.png)](page.md)
                    for inner in _INLINE_LINK.finditer(label):
                        offset = match.start(2) + inner.start()
                        found.append((index_at(offset), offset, inner.group(3).strip("<>"),
                                      inner.group(1) == "!"))
        if "]:" in text and block[0].kind == PARA:
            for number, line in enumerate(block):
                definition = _REFERENCE_DEF.match(text, starts[number], starts[number] + len(line.text))
                if definition:
                    found.append((line.index, definition.start(2), definition.group(2).strip("<>"), False))
        if "<" in text:
            for match in _HTML_ATTR.finditer(text):
                found.append((index_at(match.start()), match.start(3), match.group(3),
                              match.group(1).lower() != "a"))
        if ":::" in text:
            found.extend((index_at(m.start()), m.start(1), m.group(1), True)
                         for m in _DOCFX_IMAGE_SOURCE.finditer(text))
    structure.links = [LinkRef(index, target, image) for index, _, target, image in sorted(found)]
