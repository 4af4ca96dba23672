"""Fast highlighted snippets: the window of the text that holds the most query words."""

from __future__ import annotations

import html
import re

WINDOW = 220


def term_pattern(stems: list[str], words: list[str]) -> re.Pattern[str] | None:
    """Return a regex that finds the query words (and words starting with their stems)."""
    alternatives = {re.escape(w.lower()) for w in words if len(w) > 1}
    alternatives |= {re.escape(s) + r"\w*" for s in stems if len(s) > 2}
    alternatives |= {re.escape(s) for s in stems if len(s) <= 2}
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


def make_snippet(text: str, pattern: re.Pattern[str] | None, width: int = WINDOW) -> str:
    """Return an HTML snippet of ``text`` around the densest run of matches, matches in <b>."""
    text = " ".join(text.split())
    if not text:
        return ""
    matches = list(pattern.finditer(text, 0, 200_000)) if pattern else []
    if not matches:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    best_start, best_score = matches[0].start(), -1
    right = 0
    for left, first in enumerate(matches):
        while right < len(matches) and matches[right].end() - first.start() <= width:
            right += 1
        distinct = len({m.group(0).lower() for m in matches[left:right]})
        if distinct > best_score:
            best_score, best_start = distinct, first.start()
    start = max(0, best_start - 40)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > best_start else end
    window = text[start:end]
    out: list[str] = []
    position = 0
    for match in pattern.finditer(window) if pattern else []:
        out.append(html.escape(window[position:match.start()]))
        out.append(f"<b>{html.escape(match.group(0))}</b>")
        position = match.end()
    out.append(html.escape(window[position:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix
