"""Fast highlighted snippets: the window of the text that holds the most query words."""

from __future__ import annotations

import html
import re

WINDOW = 220
MAX_MATCHES = 400
MAX_TEXT = 30_000

IsHit = re.Pattern[str]


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
    """Return an HTML snippet of ``text`` around the densest run of matches, matches in <b>."""
    text = text[:MAX_TEXT]
    if not text.strip():
        return ""
    matches: list[tuple[int, int, str]] = []
    if is_hit is not None:
        for match in is_hit.finditer(text):
            matches.append((match.start(), match.end(), match.group().lower()))
            if len(matches) >= MAX_MATCHES:
                break
    if not matches:
        cut = " ".join(text[: width * 2].split())[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
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
    start = max(0, best_start - 40)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > best_start else end
    window = " ".join(text[start:end].split())
    out: list[str] = []
    position = 0
    for match in is_hit.finditer(window) if is_hit is not None else ():
        out.append(html.escape(window[position:match.start()]))
        out.append(f"<b>{html.escape(match.group())}</b>")
        position = match.end()
    out.append(html.escape(window[position:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix
