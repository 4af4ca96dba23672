"""Fast highlighted snippets: the window of the reading text that holds the most query words.

The text is the index's stored body, reading text as ``kbstudio.index.text`` writes it: one
block per line, an empty line after a heading, tabs between table cells. A snippet shows those
boundaries as a reader would take them: ``HEADING_SEPARATOR`` after a heading, ``BLOCK_SEPARATOR``
between blocks (paragraphs, list items, table rows), ``CELL_SEPARATOR`` between table cells. The
snippet is HTML for the result list: text escaped, matched words in ``<b>``.
"""

from __future__ import annotations

import html
import re

WINDOW = 220
LEAD_IN = 40        # characters shown before the first match of the window
MAX_MATCHES = 400
MAX_TEXT = 30_000
HEADING_SEPARATOR = " — "
BLOCK_SEPARATOR = " · "
CELL_SEPARATOR = " – "

IsHit = re.Pattern[str]

_BREAK = re.compile(r"\s*[\n\t]\s*")
_SPACE = re.compile(r"\s")
_NOT_SPACE = re.compile(r"\S")


def hit_test(stems: set[str], words: set[str]) -> IsHit | None:
    """Return a pattern finding the query words in text: the same word, or one with its stem."""
    alternatives = {re.escape(w) for w in words if len(w) > 1}
    alternatives |= {re.escape(s) + r"\w*" for s in stems if len(s) > 2}
    alternatives |= {re.escape(s) for s in stems if 0 < len(s) <= 2}
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


def make_snippet(text: str, is_hit: IsHit | None, width: int = WINDOW) -> str:
    """Return an HTML snippet of reading ``text`` around the densest run of matches, matches in <b>.

    The window holds the most different query words within ``width`` characters of text; it starts
    a little before its first match and both of its ends fall between words. "…" marks text cut off.
    """
    text = text[:MAX_TEXT]
    if not text.strip():
        return ""
    best_start = _densest(text, is_hit, width)
    if best_start is None:
        start, end = 0, _word_end(text, 0, width)
    else:
        start = max(0, best_start - LEAD_IN)
        if start > 0:
            space = _SPACE.search(text, start, best_start)
            start = space.end() if space else start
        end = _word_end(text, start, width, best_start)
    window = readable(text[start:end])
    out: list[str] = []
    position = 0
    for match in is_hit.finditer(window) if is_hit is not None else ():
        out.append(html.escape(window[position:match.start()]))
        out.append(f"<b>{html.escape(match.group())}</b>")
        position = match.end()
    out.append(html.escape(window[position:]))
    prefix = "…" if start > 0 and window else ""
    suffix = "…" if _NOT_SPACE.search(text, end) else ""
    return prefix + "".join(out) + suffix


def readable(text: str) -> str:
    """Return reading text on one line: its line breaks and tabs become separators, spaces folded."""
    text = text.strip()
    if "\n" in text or "\t" in text:
        text = _BREAK.sub(_separator, text)
    return " ".join(text.split())


def _separator(match: re.Match[str]) -> str:
    gap = match.group()
    if "\n" in gap:
        return HEADING_SEPARATOR if gap.count("\n") > 1 else BLOCK_SEPARATOR
    return CELL_SEPARATOR


def _densest(text: str, is_hit: IsHit | None, width: int) -> int | None:
    """Return where the window of ``width`` with the most different matched words starts, else None."""
    matches: list[tuple[int, int, str]] = []
    if is_hit is not None:
        for match in is_hit.finditer(text):
            matches.append((match.start(), match.end(), match.group().lower()))
            if len(matches) >= MAX_MATCHES:
                break
    if not matches:
        return None
    best_start, best_score = matches[0][0], -1
    in_window: dict[str, int] = {}
    right = 0
    for left, (first_start, _, first_word) in enumerate(matches):
        while right < len(matches) and matches[right][1] - first_start <= width:
            word = matches[right][2]
            in_window[word] = in_window.get(word, 0) + 1
            right += 1
        if len(in_window) > best_score:
            best_score, best_start = len(in_window), first_start
        if right > left:
            in_window[first_word] -= 1
            if not in_window[first_word]:
                del in_window[first_word]
    return best_start


def _word_end(text: str, start: int, width: int, after: int = 0) -> int:
    """Return where a window from ``start`` of about ``width`` ends: at white space past ``after``."""
    end = min(len(text), start + width)
    if end < len(text) and not text[end].isspace():
        cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end), text.rfind("\t", start, end))
        end = cut if cut > after else end
    return end
