"""Markdown to safe HTML: one ``convert(text) -> html`` call, with nothing loaded from the network."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import markdown
import nh3

from kbstudio.frontmatter import split_front_matter

ALERT_KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
_ALERT_START = re.compile(r"^>\s*\[!(" + "|".join(ALERT_KINDS) + r")\]\s*(.*)$", re.IGNORECASE)
_DOCFX_IMAGE = re.compile(r"^(\s*):::image\s+(.*?):::\s*$")
_DOCFX_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_DOCFX_END = re.compile(r"^\s*:::image-end:::\s*$")
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[([^\]]*)\]\(([^)]*)\)\]", re.IGNORECASE)
_TASK = re.compile(r"<li>(<p>)?\[([ xX])\]\s")
_IMG = re.compile(r"<img\b[^>]*>")
_IMG_ATTR = re.compile(r'(\w+)="([^"]*)"')
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_ITEM = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])( +)\S")
MARKDOWN_INDENT = 4


def _list_continuations(body: str) -> str:
    """Indent top-level list continuations to the 4 columns Python-Markdown needs.

    CommonMark (and the corpus) continue a ``1.`` item at 3 spaces; Python-Markdown would end
    the list there, so images and paragraphs under a step fell out and the numbering restarted.
    A fence inside a step becomes an indented code block (``:::lang`` keeps its highlighting),
    since Python-Markdown only sees fences at the margin.
    """
    out: list[str] = []
    content_col = 0
    fence: tuple[str, int, bool] | None = None   # (marker, indent, inside a list item)
    for line in body.split("\n"):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if fence is not None:
            marker, fence_indent, in_list = fence
            if stripped.startswith(marker) and not stripped.strip(marker[0]).strip():
                fence = None
                if in_list:
                    out.append("")
                    continue
            elif in_list:
                code = line[fence_indent:] if line[:fence_indent].isspace() else stripped
                out.append(" " * (2 * MARKDOWN_INDENT) + code if code.strip() else "")
                continue
            out.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            in_list = bool(content_col) and indent >= content_col
            fence = (opening.group(1), indent, in_list)
            if in_list:
                language = stripped[3:].strip().strip("{}.").split(" ")[0]
                out += ["", " " * (2 * MARKDOWN_INDENT) + (f":::{language}" if language else ":::text")]
                continue
            content_col = 0
            out.append(line)
            continue
        item = _LIST_ITEM.match(line)
        if item and not item.group(1):
            if content_col and out and out[-1].startswith(" ") and out[-1].strip():
                out.append("")   # else the indented line before would swallow this item
            content_col = len(item.group(2)) + len(item.group(3))
        elif stripped and content_col and indent < content_col:
            content_col = 0   # text back at the margin ends the list
        elif stripped and content_col and content_col < MARKDOWN_INDENT:
            line = " " * (MARKDOWN_INDENT - content_col) + line
        out.append(line)
    return "\n".join(out)


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "style"}, "td": {"align", "style"},
    "span": {"class", "style"}, "div": {"class"}, "code": {"class"}, "pre": {"class", "style"},
    "p": {"class"}, "ol": {"start"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}
LINK_SCHEMES = {"http", "https", "mailto"}
SAFE_STYLE_PROPERTIES = {"color", "background-color", "font-weight", "font-style", "text-align"}


@dataclass
class Rendered:
    """The HTML of a document and the links it makes."""

    html: str
    links: list[str] = field(default_factory=list)


def _alerts_and_docfx(body: str) -> str:
    """Turn GitHub/DocFX alerts and ``:::image`` blocks into plain Markdown/HTML blocks."""
    out: list[str] = []
    lines = body.split("\n")
    index = 0
    in_fence = False
    fence_indent = ""
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            if not in_fence:
                # Python-Markdown only sees fences at the margin; a fence indented inside a
                # list item would show as plain text, so lift it (and its lines) out.
                fence_indent = line[: len(line) - len(line.lstrip())]
                out.append("")
            in_fence = not in_fence
            out.append(line[len(fence_indent):] if line.startswith(fence_indent) else line.lstrip())
            if not in_fence:
                out.append("")
            index += 1
            continue
        if in_fence:
            out.append(line[len(fence_indent):] if line.startswith(fence_indent) else line)
            index += 1
            continue
        alert = _ALERT_START.match(line)
        if alert:
            kind = alert.group(1).upper()
            inner = [alert.group(2)] if alert.group(2) else []
            index += 1
            while index < len(lines) and lines[index].startswith(">"):
                inner.append(re.sub(r"^>\s?", "", lines[index]))
                index += 1
            out += ["", f'<div class="alert alert-{kind.lower()}" markdown="1">',
                    f'<p class="alert-title">{kind.title()}</p>', "", *inner, "", "</div>", ""]
            continue
        image = _DOCFX_IMAGE.match(line)
        if image:
            attrs = dict(_DOCFX_ATTR.findall(image.group(2)))
            alt = attrs.get("alt-text", "image").replace("]", "")
            out.append(f"{image.group(1)}![{alt}]({attrs.get('source', '')})")
        elif not _DOCFX_END.match(line):
            out.append(_INCLUDE.sub(lambda m: f"*(included: [{m.group(1)}]({m.group(2)}))*", line))
        index += 1
    return "\n".join(out)


def _placeholder_images(text: str, base_dir: Path | None) -> str:
    """Replace remote images, and local ones that do not exist under ``base_dir``, by a label."""
    def replace(match: re.Match[str]) -> str:
        attrs = dict(_IMG_ATTR.findall(match.group(0)))
        src = html.unescape(attrs.get("src", ""))
        alt = html.escape(html.unescape(attrs.get("alt", "")) or "image")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", src):
            return f'<span class="remote-image">[remote image not loaded: {alt}]</span>'
        if base_dir is not None and not (base_dir / unquote(src.split("#")[0].split("?")[0])).is_file():
            return (f'<span class="missing-image">[missing image: {alt} '
                    f"({html.escape(src)})]</span>")
        return match.group(0)

    return _IMG.sub(replace, text)


def _tasks(text: str) -> str:
    return _TASK.sub(lambda m: f"<li>{m.group(1) or ''}{'☑' if m.group(2) != ' ' else '☐'} ", text)


def sanitize(raw_html: str, base_dir: Path | None = None) -> str:
    """Return ``raw_html`` with scripts, handlers, unknown schemes and remote images removed."""
    clean = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel=None,
        filter_style_properties=SAFE_STYLE_PROPERTIES,
        clean_content_tags={"script", "style"},
    )
    return _placeholder_images(clean, base_dir)


class MarkdownRenderer:
    """Render KB Markdown (GitHub and DocFX flavours) to sanitised HTML."""

    def __init__(self, code_style: str = "friendly") -> None:
        self._md = markdown.Markdown(
            extensions=["tables", "fenced_code", "codehilite", "sane_lists", "md_in_html", "toc"],
            extension_configs={"codehilite": {"noclasses": True, "guess_lang": False,
                                              "pygments_style": code_style}},
            output_format="html",
        )

    def convert(self, text: str, base_dir: Path | None = None) -> Rendered:
        """Render a document (front matter left out) to safe HTML; images are checked under ``base_dir``."""
        body = split_front_matter(text).body if text.startswith("---") else text
        self._md.reset()
        try:
            raw = self._md.convert(_alerts_and_docfx(_list_continuations(body)))
        except (ValueError, RecursionError, IndexError) as error:
            raw = f"<pre>{html.escape(body)}</pre><p>(could not render: {html.escape(str(error))})</p>"
        safe = _tasks(sanitize(raw, base_dir))
        links = [html.unescape(h) for h in re.findall(r'<a\s+href="([^"]*)"', safe)]
        return Rendered(safe, links)
