"""Python-Markdown extension that feeds it the CommonMark block structure of ``md_structure``.

Python-Markdown reads lists at 4-space steps, needs blank lines before lists and tables and only
sees fences at the margin, so real-world Markdown (CommonMark 3-space ``1.`` items, fences and
alerts inside list items) fell apart. Instead of imitating CommonMark with regexes, this
preprocessor takes the blocks the shared structure pass found and writes each line again with
canonical container prefixes (``> `` per quote, four columns per list item) and a blank line
between blocks, so Python-Markdown's own block parser builds the same tree cmark-gfm would.
Code blocks and HTML blocks go straight to Python-Markdown's HTML stash: their content is never
parsed again, so it is exactly what the author wrote.
"""

from __future__ import annotations

import copy
import html
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    LINK_RE,
    HtmlInlineProcessor,
    ImageInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
)
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX, AtomicString

from kbstudio import md_structure as ms
from kbstudio.md_structure import is_html_element

_RAW_HTML = re.compile(
    "(" + ms.OPEN_TAG + "|" + ms.CLOSING_TAG
    + r"|<!---?>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[[\s\S]*?\]\]>)"
)
_TAG = re.compile(ms.OPEN_TAG + "|" + ms.CLOSING_TAG)
_DOCFX_INLINE = re.compile(r":::(image|no-loc)\s+([^\n]*?):::")
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_DOCFX_ATTR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
_DOCFX_MARKER = re.compile(r"^:::\s*(?!image\s)[\w-]+(?:\s[^\n]*)?$|^:::image-end:::\s*$", re.IGNORECASE)
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[([^\]]*)\]\(([^)\s]*)\)\]", re.IGNORECASE)
_DOCFX_QUOTE = re.compile(r"\[!(div|VIDEO)\b([^\]]*)\]\s*$", re.IGNORECASE)
_ALERT_LINE = re.compile(r"(\[!(?:" + "|".join(ms.ALERT_KINDS) + r")\])[ \t]*(.*)$", re.IGNORECASE)
_PM_BLOCK_START = re.compile(r"#|[-*+][ \t]|\d+\.[ \t]|=+[ \t]*$|-+[ \t]*$|\|?[ \t]*:?-+:?[ \t]*\|")
INCLUDE_DEPTH = 3
EMPTY_ITEM = "<!-- -->"   # stands for an item's empty first line; the sanitiser drops comments


def placeholders_as_text(raw: str) -> str:
    """Escape every tag in ``raw`` that the read view does not keep as HTML, so it shows as text."""
    def keep_or_escape(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return match.group(0) if is_html_element(name) else html.escape(match.group(0), quote=False)

    return _TAG.sub(keep_or_escape, raw) if "<" in raw else raw


@dataclass
class EmitContext:
    """What one conversion needs besides the text: where images and includes are looked up."""

    highlight: Callable[[str, str], str]                   # (code, language) -> HTML
    include: Callable[[str, int], tuple[str, list[str]] | None] = lambda target, depth: None
    depth: int = 0
    code_blocks: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class TooDeep(ValueError):
    """The document nests block quotes or lists deeper than ``md_structure.MAX_DEPTH``."""


class StructurePreprocessor(Preprocessor):
    """Rewrite the body into Python-Markdown's dialect from the shared CommonMark structure."""

    def __init__(self, md: Markdown, context: Callable[[], EmitContext]) -> None:
        super().__init__(md)
        self._context = context

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines).replace(STX, "").replace(ETX, "")
        structure = ms.parse_structure(text)
        self._context().links.extend(link.target for link in structure.links)
        if structure.too_deep:
            raise TooDeep(f"nested more than {ms.MAX_DEPTH} levels deep")
        return _Emitter(self.md, structure, self._context()).emit()


def _marker(container: ms.Container) -> str:
    if not container.ordered:
        return "-   "
    return f"{container.start}.".ljust(4) if container.start < 100 else f"{container.start}. "


class _Emitter:
    def __init__(self, md: Markdown, structure: ms.Structure, context: EmitContext) -> None:
        self.md = md
        self.structure = structure
        self.context = context
        self.out: list[str] = []
        self.blank_after = False
        self.code_at = {block.first: block for block in structure.code_blocks}
        self.transparent: set[int] = set()   # ids of DocFX "> [!div]" quotes shown without the quote
        self.heading_at = {h.index: h for h in structure.headings}

    def prefix(self, line: ms.Line, skip_opened: bool = False, upto: int | None = None) -> str:
        """Return the canonical prefix of ``line``'s containers (only the first ``upto`` of them)."""
        parts = []
        count = len(line.containers)
        for position, container in enumerate(line.containers[:upto]):
            opened_here = position >= count - line.opened
            if opened_here and skip_opened:
                break
            if id(container) in self.transparent:
                continue
            if container.kind == "quote":
                parts.append("> ")
            else:
                parts.append(_marker(container) if opened_here else "    ")
        return "".join(parts)

    def blank(self, line: ms.Line) -> None:
        if self.out and self.out[-1].strip(" >"):
            self.out.append(self.prefix(line, skip_opened=True).rstrip())
            self._block_depth = len(line.containers)

    def put(self, line: ms.Line, text: str, block: bool = False) -> None:
        """Write one line; a block start gets a blank line before it unless it continues a list."""
        outer = len(line.containers) - line.opened
        opens_item = any(c.kind == "item" for c in line.containers[outer:])
        if self.blank_after or (line.opened and not opens_item) or (block and not opens_item) or (
                opens_item and self._item_needs_blank(line, outer)):
            self.blank(line)
        self.blank_after = False
        if not self.out or not self.out[-1].strip(" >"):
            self._block_depth = outer
        if line.opened and line.containers[outer].kind == "item" and (line.opened > 1 or not text):
            # Python-Markdown reads an item's first line as its text: a quote or list opened on the
            # marker's line, or nothing at all (a bare "-" is a setext underline), goes wrong. The
            # marker gets an empty comment of its own and the content follows on the next line.
            item_only = copy.copy(line)
            item_only.opened = line.opened
            self.out.append(self.prefix(item_only, upto=outer + 1) + EMPTY_ITEM)
            if not text and line.opened == 1:
                self._previous = line
                return
            line = copy.copy(line)
            line.opened -= 1
            if line.containers[outer + 1].kind == "quote":   # a quote is a child block: after a blank
                self.out.append(self.prefix(line, upto=outer + 1).rstrip())
                self._block_depth = outer + 1
        self.out.append(self.prefix(line) + text)
        self._previous = line

    _previous: ms.Line | None = None

    def _item_needs_blank(self, line: ms.Line, outer: int) -> bool:
        """Return True when Python-Markdown needs a blank line to see this list item start.

        It only continues a list with an adjacent item of the same kind; anything else (a
        paragraph the list interrupts, a quote or another kind of list just before) would
        swallow the item as a lazy line, so the blocks are separated explicitly.
        """
        previous = self._previous
        if previous is None:
            return False
        if self._block_depth > outer:   # an indented block after a blank line swallows it
            return True
        if previous.containers[:outer] != line.containers[:outer]:
            return True
        if len(previous.containers) <= outer:
            # A paragraph at the parent level, unless it is the parent item's own first line.
            return not (previous.opened and previous.containers[-1].kind == "item")
        sibling, new = previous.containers[outer], line.containers[outer]
        return sibling.kind != "item" or sibling.ordered != new.ordered or (
            sibling.marker[-1] != new.marker[-1])
    _block_depth = 0

    def stash(self, line: ms.Line, raw_html: str) -> None:
        self.put(line, self.md.htmlStash.store(raw_html), block=True)
        self.blank_after = True

    def emit(self) -> list[str]:
        # Copies: the emitter moves an empty item's marker onto its next line; the structure stays as read.
        lines = [copy.copy(line) for line in self.structure.lines]
        number = 0
        while number < len(lines):
            number = self._emit_line(lines, number)
        return self.out

    def _emit_line(self, lines: list[ms.Line], number: int) -> int:
        line = lines[number]
        kind = line.kind
        self._docfx_quote(line)
        if kind == ms.BLANK:
            following = lines[number + 1] if number + 1 < len(lines) else None
            if line.opened and following is not None and following.kind != ms.BLANK and (
                    following.containers[:len(line.containers)] == line.containers):
                # An item whose content starts on the next line ("-\n  text") is "- text".
                following.opened += line.opened
                return number + 1
            if line.opened:
                self.put(line, "")
            elif self.out and self.out[-1].strip(" >"):
                self.out.append(self.prefix(line).rstrip())
            self.blank_after = False
            return number + 1
        if kind in (ms.FENCE_OPEN, ms.INDENTED_CODE):
            block = self.code_at[line.index]
            self.context.code_blocks.append(block.code)
            self.stash(line, self.context.highlight(block.code, block.language))
            return self._skip_to(lines, number, block.last)
        if kind == ms.HTML:
            end = number
            while end + 1 < len(lines) and lines[end + 1].kind == ms.HTML and not lines[end + 1].opened:
                end += 1
            raw = "\n".join(lines[i].text for i in range(number, end + 1))
            self.stash(line, placeholders_as_text(raw))
            return end + 1
        if kind == ms.HEADING:
            heading = self.heading_at[line.index]
            self.put(line, "#" * heading.level + " " + heading.text, block=True)
            self.blank_after = True
            return number + 1
        if kind == ms.SETEXT_TEXT:
            heading = self.heading_at[line.index]
            self.put(line, "#" * heading.level + " " + heading.text, block=True)
            self.blank_after = True
            while number < len(lines) and lines[number].kind in (ms.SETEXT_TEXT, ms.SETEXT_LINE):
                number += 1
                if lines[number - 1].kind == ms.SETEXT_LINE:
                    break
            return number
        if kind == ms.BREAK:
            self.put(line, "___", block=True)
            self.blank_after = True
            return number + 1
        if kind in (ms.TABLE_HEAD, ms.TABLE_DELIM, ms.TABLE_ROW):
            self.put(line, _unescape_pipes_in_code(line.text.strip()), block=kind == ms.TABLE_HEAD)
            next_kind = lines[number + 1].kind if number + 1 < len(lines) else ""
            self.blank_after = next_kind not in (ms.TABLE_DELIM, ms.TABLE_ROW)
            return number + 1
        return self._paragraph_line(line, number)

    def _skip_to(self, lines: list[ms.Line], number: int, last: int) -> int:
        while number < len(lines) and lines[number].index <= last:
            number += 1
        return number

    def _docfx_quote(self, line: ms.Line) -> None:
        """Make a DocFX ``> [!div ...]`` or ``> [!VIDEO ...]`` quote a plain container."""
        if line.opened and line.containers[-1].kind == "quote" and _DOCFX_QUOTE.match(line.text.strip()):
            self.transparent.add(id(line.containers[-1]))

    def _paragraph_line(self, line: ms.Line, number: int) -> int:
        text = line.text.lstrip(" \t")
        quote_opened = line.opened and any(
            c.kind == "quote" for c in line.containers[len(line.containers) - line.opened:])
        if quote_opened:
            docfx = _DOCFX_QUOTE.match(text.strip())
            if docfx:
                if docfx.group(1).upper() == "VIDEO":
                    url = docfx.group(2).strip()
                    self.put(line, f"[Video: {url}]({url})", block=True)
                return number + 1
            alert = _ALERT_LINE.match(text)
            if alert:
                self.put(line, alert.group(1).upper(), block=True)
                if alert.group(2):
                    continuation = ms.Line(line.index, line.containers, 0, alert.group(2))
                    self.out.append(self.prefix(continuation) + alert.group(2))
                return number + 1
        if _DOCFX_MARKER.match(text.strip()):
            return number + 1
        include = _INCLUDE.fullmatch(text.strip())
        if include and not line.lazy:
            rendered = self.context.include(include.group(2), self.context.depth + 1)
            if rendered is not None:
                included_html, code_blocks = rendered
                self.context.code_blocks.extend(code_blocks)
                self.stash(line, included_html)
                return number + 1
        if _INCLUDE.search(text):
            text = _INCLUDE.sub(lambda m: f"*(included: [{m.group(1)}]({m.group(2)}))*", text)
        if _PM_BLOCK_START.match(text):   # paragraph text Python-Markdown would read as a block start
            digits = len(text) - len(text.lstrip(string.digits))
            text = text[:digits] + "\\" + text[digits:]
        self.put(line, text, block=bool(line.opened))
        return number + 1


def _unescape_pipes_in_code(row: str) -> str:
    """GFM removes a table cell's ``\\|`` escapes before inline parsing, inside code spans too."""
    if "\\|" not in row or "`" not in row:
        return row
    pieces: list[str] = []
    last = 0
    for start, end in ms.code_spans(row):
        pieces.append(row[last:start])
        pieces.append(row[start:end].replace("\\|", "|"))
        last = end
    pieces.append(row[last:])
    return "".join(pieces)


# What an InlineProcessor returns: the element or text, and where the match starts and ends.
_InlineResult = tuple[ElementTree.Element | str | None, int | None, int | None]


class PlaceholderHtmlProcessor(HtmlInlineProcessor):
    """CommonMark's raw HTML rule, with tags that are not HTML elements kept as visible text."""

    # Python-Markdown's InlineProcessor.handleMatch takes one more argument than Pattern's, its base
    # (types-Markdown ignores the same override); the return type is the stubs' own.
    def handleMatch(self, m: re.Match[str], data: str) -> _InlineResult:  # type: ignore[override]  # noqa: N802
        tag = _TAG.fullmatch(m.group(1))
        if tag and not is_html_element(tag.group(1) or tag.group(2)):
            return AtomicString(m.group(1)), m.start(0), m.end(0)
        return super().handleMatch(m, data)


# CommonMark link destination and title ("Links"): no white space outside <...>, balanced parentheses.
_DESTINATION = re.compile(
    r"""\(\s*(?:<[^<>\n]*>|[^\s()<]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)""")


class _CommonMarkDestination(LinkInlineProcessor):
    """Python-Markdown accepts ``[text](two words)``; CommonMark shows that as text (stack traces)."""

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:  # noqa: N802 - PM API
        href, title, end, handled = super().getLink(data, index)
        if handled and not _DESTINATION.fullmatch(data, index, end):
            return href, title, end, False
        return href, title, end, handled


class CommonMarkLinkProcessor(_CommonMarkDestination):
    """Inline links with CommonMark destinations."""


class CommonMarkImageProcessor(_CommonMarkDestination, ImageInlineProcessor):
    """Inline images with CommonMark destinations."""


class DocfxInlineProcessor(InlineProcessor):
    """DocFX ``:::image source="x.png" alt-text="...":::`` as an image, ``:::no-loc text="x":::`` as x."""

    # One argument more than Pattern.handleMatch, as in PlaceholderHtmlProcessor above.
    def handleMatch(self, m: re.Match[str], data: str) -> _InlineResult:  # type: ignore[override]  # noqa: N802
        attrs = {key: _BACKSLASH_ESCAPE.sub(r"\1", value) for key, value in _DOCFX_ATTR.findall(m.group(2))}
        if m.group(1) == "no-loc":
            return AtomicString(attrs.get("text", "")), m.start(0), m.end(0)
        element = ElementTree.Element("img")
        element.set("src", attrs.get("source", ""))
        element.set("alt", attrs.get("alt-text", "image"))
        return element, m.start(0), m.end(0)


class AlertClassesProcessor:
    """Rename markdown-callouts' ``admonition`` classes to our ``alert alert-<kind>`` contract."""

    @staticmethod
    def rename(root: ElementTree.Element) -> None:
        for element in root.iter("div"):
            classes = element.get("class", "").split()
            if classes[:1] == ["admonition"] and len(classes) > 1:
                kind = "caution" if classes[1] == "danger" else classes[1]
                element.set("class", f"alert alert-{kind}")
                title = element.find("p")
                if title is not None and title.get("class") == "admonition-title":
                    title.set("class", "alert-title")


class KbMarkdownExtension(Extension):
    """Install the structure preprocessor and the inline rules on a ``Markdown`` instance."""

    def __init__(self, context: Callable[[], EmitContext]) -> None:
        super().__init__()
        self._context = context

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown API
        md.ESCAPED_CHARS = list(string.punctuation)   # CommonMark: any ASCII punctuation escapes
        for name in ("normalize_whitespace", "html_block"):
            if name in md.preprocessors:
                md.preprocessors.deregister(name)
        if "code" in md.parser.blockprocessors:
            md.parser.blockprocessors.deregister("code")   # indented code comes stashed
        md.preprocessors.register(StructurePreprocessor(md, self._context), "kb_structure", 30)
        md.inlinePatterns.register(CommonMarkLinkProcessor(LINK_RE, md), "link", 160)
        md.inlinePatterns.register(CommonMarkImageProcessor(IMAGE_LINK_RE, md), "image_link", 150)
        md.inlinePatterns.register(PlaceholderHtmlProcessor(_RAW_HTML.pattern, md), "html", 90)
        md.inlinePatterns.register(DocfxInlineProcessor(_DOCFX_INLINE.pattern, md), "docfx", 185)
        md.treeprocessors.register(_AlertTreeprocessor(md), "kb_alerts", 1)


class _AlertTreeprocessor(Treeprocessor):
    def run(self, root: ElementTree.Element) -> None:
        AlertClassesProcessor.rename(root)


def include_reader(kb_root: Path | None, base_dir: Path | None,
                   render: Callable[[str, Path, int], tuple[str, list[str]]]) -> Callable[
                       [str, int], tuple[str, list[str]] | None]:
    """Return a function that renders an ``[!INCLUDE]`` target found inside the KB, else None."""
    def include(target: str, depth: int) -> tuple[str, list[str]] | None:
        if kb_root is None or base_dir is None or depth > INCLUDE_DEPTH or not target:
            return None
        try:
            path = (base_dir / target.split("#")[0]).resolve()
            if not path.is_relative_to(kb_root.resolve()) or not path.is_file():
                return None
            if path.stat().st_size > 1_000_000:
                return None
            text = path.read_text("utf-8", errors="replace")
        except (OSError, ValueError):
            return None
        return render(text, path.parent, depth)

    return include
