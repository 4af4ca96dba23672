"""Inline Markdown helpers for SOP items: plain text, links, and durations such as '4 business hours'."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote

_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DURATION = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(business\s+|working\s+)?(minutes?|mins?|hours?|hrs?|days?)\b", re.IGNORECASE
)
_AT_ONCE = re.compile(r"\b(at once|immediately|right away|straight away)\b", re.IGNORECASE)
_WORD_NUMBERS = {"an": "1", "a": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                 "six": "6", "eight": "8", "ten": "10", "twelve": "12", "fifteen": "15", "thirty": "30"}
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\s+(?=(business\s+|working\s+)?"
                          r"(minutes?|hours?|days?)\b)", re.IGNORECASE)
BUSINESS_DAY_MINUTES = 8 * 60
_UNIT_MINUTES = {"min": 1, "hou": 60, "hrs": 60, "hr": 60, "day": 24 * 60}


def plain_text(markdown: str) -> str:
    """Return inline Markdown as plain text: links become their text, emphasis and code marks go."""
    text = _LINK.sub(lambda match: match.group(2), markdown)
    text = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    return text


def inline_html(markdown: str) -> str:
    """Return inline Markdown as the HTML a rich-text label shows: links (bare URLs too), code, bold, italics.

    Everything else is escaped; link targets are kept as written, for the caller to resolve.
    """
    parts, position = [], 0
    for match in _LINK.finditer(markdown):
        parts.append(_html_marks(markdown[position:match.start()]))
        text, target = match.group(2), match.group(3)
        if match.group(1):
            parts.append(_html_marks(text))   # an image: its alt text
        else:
            parts.append(f'<a href="{html.escape(target, quote=True)}">{_html_marks(text, links=False)}</a>')
        position = match.end()
    parts.append(_html_marks(markdown[position:]))
    return "".join(parts)


_CODE = re.compile(r"(`+)(.+?)\1")
_BARE_URL = re.compile(r"<((?:https?|mailto):[^\s>]+)>|\b(https?://[^\s<>()\"'`]*[^\s<>()\"'`.,;:!?])")


def _html_marks(text: str, links: bool = True) -> str:
    parts, position = [], 0
    for match in _CODE.finditer(text):
        parts.append(_html_urls(text[position:match.start()], links))
        parts.append(f"<code>{html.escape(match.group(2).strip(), quote=False)}</code>")
        position = match.end()
    parts.append(_html_urls(text[position:], links))
    return "".join(parts)


def _html_urls(text: str, links: bool) -> str:
    if not links:
        return _html_emphasis(text)
    parts, position = [], 0
    for match in _BARE_URL.finditer(text):
        url = match.group(1) or match.group(2)
        parts.append(_html_emphasis(text[position:match.start()]))
        parts.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url, quote=False)}</a>')
        position = match.end()
    parts.append(_html_emphasis(text[position:]))
    return "".join(parts)


def _html_emphasis(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"<b>\2</b>", text)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", text)


def replace_links(markdown: str, replace: Callable[[bool, str, str], str]) -> str:
    """Return ``markdown`` with each link and image replaced by ``replace(is_image, text, target)``."""
    return _LINK.sub(lambda match: replace(bool(match.group(1)), match.group(2), match.group(3)), markdown)


def markdown_links(markdown: str) -> list[tuple[str, str]]:
    """Return the (text, target) of every link (not image) in ``markdown``."""
    return [(match.group(2), match.group(3)) for match in _LINK.finditer(markdown) if not match.group(1)]


def resolve_link(from_rel_path: str, target: str) -> str | None:
    """Return the KB path a relative link from ``from_rel_path`` points to, or None for other links.

    The path is spelled as the link spells it: compare it with documents' paths in NFC
    (``kbstudio.names.nfc``), since the file may be stored in another normalisation form.
    """
    target = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not target or _SCHEME.match(target) or target.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(from_rel_path), target))
    return None if joined.startswith("..") else joined


def parse_minutes(text: str) -> tuple[int | None, bool]:
    """Return (minutes, counted in business time) from a limit such as '4 business hours' or 'at once'."""
    text = re.sub(r"\bhalf an hour\b", "30 minutes", text, flags=re.IGNORECASE)
    text = _WORD_NUMBER.sub(lambda match: _WORD_NUMBERS[match.group(1).lower()] + " ", text)
    duration = _DURATION.search(text)
    at_once = _AT_ONCE.search(text)
    if at_once and (duration is None or at_once.start() < duration.start()):
        return 0, False
    if duration is None:
        return None, False
    amount, business, unit = float(duration.group(1)), bool(duration.group(2)), duration.group(3).lower()
    per_unit = _UNIT_MINUTES.get(unit[:3], _UNIT_MINUTES.get(unit[:2], 1))
    if business and unit.startswith("day"):
        per_unit = BUSINESS_DAY_MINUTES
    return round(amount * per_unit), business
