"""Markdown to safe HTML: one ``convert(text) -> html`` call, with nothing loaded from the network."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import markdown
import nh3
from pymdownx.slugs import slugify

from kbstudio.frontmatter import split_front_matter
from kbstudio.md_emit import EmitContext, KbMarkdownExtension, TooDeep, include_reader
from kbstudio.md_structure import SAFE_TAGS

_TASK_BOX = re.compile(r"<input\b[^>]*\btype=\"checkbox\"[^>]*>")
_IMG = re.compile(r"<img\b[^>]*>")
_IMG_ATTR = re.compile(r'(\w+)="([^"]*)"')


ALLOWED_TAGS = set(SAFE_TAGS)   # one list: what the emitter keeps as HTML, the sanitiser keeps
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "style"}, "td": {"align", "style"},
    "span": {"class", "style"}, "div": {"class"}, "code": {"class"}, "pre": {"class", "style"},
    "p": {"class"}, "ol": {"start"}, "ul": {"class"}, "li": {"class"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}
LINK_SCHEMES = {"http", "https", "mailto"}
SAFE_STYLE_PROPERTIES = {"color", "background-color", "font-weight", "font-style", "text-align"}


@dataclass
class Rendered:
    """The HTML of a document, the link targets it makes and the raw text of its code blocks."""

    html: str
    links: list[str] = field(default_factory=list)
    code_blocks: list[str] = field(default_factory=list)   # raw text of each code block, in order


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


def _task_boxes(raw_html: str) -> str:
    """Show pymdownx.tasklist's check boxes as characters (the read view has no form controls)."""
    if "<input" not in raw_html:
        return raw_html
    return _TASK_BOX.sub(lambda m: "☑" if "checked" in m.group(0) else "☐", raw_html)


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


def highlighter(code_style: str) -> Callable[[str, str], str]:
    """Return a function that turns (code, language) into Pygments HTML with inline styles.

    The markup is what Python-Markdown's codehilite writes (``<div class="highlight"><pre>``), so
    the read view styles every code block the same way; an unknown language is plain text.
    """
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.lexers.special import TextLexer
    from pygments.util import ClassNotFound

    formatter = HtmlFormatter(noclasses=True, style=code_style)

    def format_code(code: str, language: str) -> str:
        try:
            lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False) if language else None
        except ClassNotFound:
            lexer = None
        lexer = lexer or TextLexer(stripnl=False, ensurenl=False)
        return highlight(code, lexer, formatter).rstrip("\n")

    return format_code


# Qt lays out an unbreakable run of text in time quadratic in its length, on the GUI thread: a
# 1 MB line of '*a' froze the read view for over 100 s. Cut into lines of this many characters,
# 5 MB of such text lays out in about 1 s, a block at a time.
FALLBACK_LINE_CHARS = 1000
_LONG_RUN = re.compile(rf"[^\n]{{{FALLBACK_LINE_CHARS}}}(?=[^\n])")


def plain_text_fallback(body: str, notice: str) -> str:
    """Return ``body`` as escaped plain text under a one-line notice (for documents we cannot format).

    Lines longer than ``FALLBACK_LINE_CHARS`` are cut into lines of that length. Linear: about
    60 ms for 5 MB.
    """
    body = _LONG_RUN.sub(lambda m: m.group(0) + "\n", body)
    return f'<p class="render-notice">{html.escape(notice)}</p><pre>{html.escape(body)}</pre>'


class MarkdownRenderer:
    """Render KB Markdown to sanitised HTML: CommonMark, GFM tables/task lists/alerts, DocFX blocks.

    The block structure comes from ``kbstudio.md_structure`` (the same pass lint, the index and
    the SOP parser read); Python-Markdown with pymdown-extensions and markdown-callouts renders it.
    """

    def __init__(self, code_style: str = "friendly") -> None:
        self._code_style = code_style
        self._highlight = highlighter(code_style)
        self._context = EmitContext(self._highlight)
        self._md = markdown.Markdown(
            extensions=[
                KbMarkdownExtension(lambda: self._context), "tables", "sane_lists", "toc",
                "github-callouts", "pymdownx.tasklist", "pymdownx.magiclink", "pymdownx.tilde",
            ],
            extension_configs={
                "pymdownx.tasklist": {"custom_checkbox": False, "clickable_checkbox": False},
                "pymdownx.tilde": {"subscript": False},
                "pymdownx.magiclink": {"hide_protocol": False, "repo_url_shortener": False},
                "toc": {"slugify": slugify(case="lower")},   # GitHub's heading anchors
            },
            output_format="html",
        )

    def convert(self, text: str, base_dir: Path | None = None, kb_root: Path | None = None) -> Rendered:
        """Render a document (front matter left out) to safe HTML.

        Images are checked under ``base_dir`` (the document's folder); ``[!INCLUDE]`` targets are
        rendered in place when they are files inside ``kb_root``. Nesting deeper than
        ``md_structure.MAX_DEPTH`` is shown as plain text with a notice.
        """
        return self._convert(text, base_dir, kb_root, 0)

    def _convert(self, text: str, base_dir: Path | None, kb_root: Path | None, depth: int) -> Rendered:
        body = split_front_matter(text).body if text.startswith("---") else text

        def render_include(included: str, folder: Path, level: int) -> tuple[str, list[str]]:
            # A fresh instance: one Markdown object cannot convert re-entrantly.
            result = MarkdownRenderer(self._code_style)._convert(included, folder, kb_root, level)
            return result.html, result.code_blocks

        self._context = EmitContext(self._highlight, include_reader(kb_root, base_dir, render_include), depth)
        self._md.reset()
        try:
            raw = self._md.convert(body)
        except TooDeep as error:   # already escaped: nothing to sanitise
            notice = f"This document is {error}, so it is shown as plain text."
            return Rendered(plain_text_fallback(body, notice), [], [])
        except (ValueError, RecursionError, IndexError) as error:
            raw = plain_text_fallback(body, f"This document could not be formatted ({error}).")
        safe = sanitize(_task_boxes(raw), base_dir)
        return Rendered(safe, list(self._context.links), list(self._context.code_blocks))
