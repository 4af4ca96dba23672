"""Adapt the renderer's semantic HTML to what a QTextDocument can lay out (pure string work, worker-safe).

QTextDocument understands only a subset of HTML and CSS: a ``div`` takes no border or background and
nothing scrolls sideways inside a block, but table cells take backgrounds and per-side borders. So:

- an alert (``<div class="alert alert-note">``) becomes a one-cell table whose cell has the kind's
  left border and background (classes ``kb-alert-<kind>``), its title ``kb-alert-title-<kind>``;
- a code block (``<div class="highlight"><pre>…</pre></div>``) becomes a table with the code in one
  cell and a ``Copy`` link (``kbstudio-copy:N``, N the block's index) in a narrow cell beside it;
- a task list (``<ul class="task-list">``) loses its bullets (the box is a character of the item);
- a plain ``<table>`` gets borders, collapsed, and cell padding;
- a ``<p class="render-notice">`` becomes a one-cell table like a muted alert.

The colours come from the read view's default style sheet (``kbstudio.ui.theme.preview_css``), so the
adapted HTML is the same in the light and the dark theme.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

COPY_SCHEME = "kbstudio-copy"
ALERT_KINDS = ("note", "tip", "important", "warning", "caution")
CODE_CLASSES = ("highlight", "codehilite")

_TOKEN = re.compile(r'<div\b[^>]*>|</div\s*>|<p class="alert-title">|<ul class="task-list">|<table>'
                    r'|<p class="render-notice">(?P<notice>.*?)</p>', re.DOTALL)
_CLASS = re.compile(r'\bclass\s*=\s*"([^"]*)"')
_PRE = re.compile(r"\s*(<pre\b[^>]*>)(.*?)</pre>", re.DOTALL)
_LAST_NEWLINE = re.compile(r"\n((?:</\w+>)*)\Z")   # Pygments ends a block with one; pre-wrap would show it
_TAG = re.compile(r"<[^>]*>")
# Qt breaks lines in time quadratic in the length of an unbreakable run, on the GUI thread (an
# 80,000-character token stalled the read view 0.6 s, 1 MB over 100 s). A zero-width space every
# BREAK_EVERY characters of such a run lets it wrap; copying from the view takes them out again.
BREAK_EVERY = 500
ZERO_WIDTH_SPACE = "\u200b"
# A whole run at once: matching BREAK_EVERY characters from every start was quadratic (0.7 s on 1 MB).
_TAG_OR_LONG_RUN = re.compile(rf"<[^>]*>|[^\s<>&;]{{{BREAK_EVERY + 1},}}")

TASK_LIST_OPEN = '<ul class="task-list" style="list-style-type: none;">'
TABLE_OPEN = ('<table class="kb-table" border="1" cellspacing="0" cellpadding="6" '
              'style="border-collapse: collapse; border-style: solid;">')
_BOX_OPEN = ('<table class="{table}" width="100%" cellspacing="0" cellpadding="{pad}" '
             'style="border-collapse: collapse;">')


@dataclass
class ReadHtml:
    """HTML a QTextDocument can show, and the text of its code blocks as shown (in document order)."""

    html: str
    shown_code: list[str] = field(default_factory=list)


def code_text(pre_html: str) -> str:
    """Return the text the inside of a highlighted ``<pre>`` shows: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", pre_html))


def _alert_kind(classes: list[str]) -> str | None:
    """Return the alert kind a div's classes name (unknown kinds look like a note), or None."""
    if "alert" not in classes:
        return None
    for name in classes:
        if name.startswith("alert-") and name[6:] in ALERT_KINDS:
            return name[6:]
    return "note"


def adapt_read_html(source: str) -> ReadHtml:
    """Turn the renderer's alerts, code blocks, task lists, tables and notices into QTextDocument HTML."""
    out: list[str] = []
    closers: list[tuple[str, bool]] = []   # what each open div becomes when it closes; is it an alert
    alerts: list[str] = []           # kinds of the alerts open around the current position
    shown_code: list[str] = []
    last = 0
    for match in _TOKEN.finditer(source):
        if match.start() < last:     # inside a code block already copied out
            continue
        out.append(source[last:match.start()])
        last = match.end()
        token = match.group(0)
        if match.group("notice") is not None:
            out.append(_BOX_OPEN.format(table="kb-notice-box", pad=6)
                       + f'<tr><td class="kb-notice">{match.group("notice")}</td></tr></table>')
        elif token == "<table>":
            out.append(TABLE_OPEN)
        elif token == '<ul class="task-list">':
            out.append(TASK_LIST_OPEN)
        elif token == '<p class="alert-title">':
            title_kind = alerts[-1] if alerts else "note"
            out.append(f'<p class="alert-title kb-alert-title-{title_kind}">')
        elif token.startswith("</"):
            closer, is_alert = closers.pop() if closers else (token, False)
            if is_alert:
                alerts.pop()
            out.append(closer)
        else:
            found = _CLASS.search(token)
            classes = found.group(1).split() if found else []
            kind = _alert_kind(classes)
            if kind is not None:
                alerts.append(kind)
                out.append(_BOX_OPEN.format(table="kb-alert", pad=8) + f'<tr><td class="kb-alert-{kind}">')
                closers.append(("</td></tr></table>", True))
            elif any(name in CODE_CLASSES for name in classes):
                out.append(_BOX_OPEN.format(table="kb-code", pad=8) + '<tr><td class="kb-code-cell">')
                pre = _PRE.match(source, last)
                code = _LAST_NEWLINE.sub(r"\1", pre.group(2)) if pre else ""
                if pre:
                    out.append(f"{pre.group(1)}{code}</pre>")
                    last = pre.end()
                shown_code.append(code_text(code))
                index = len(shown_code) - 1
                closers.append((
                    '</td><td class="kb-code-side" width="1" valign="top" style="white-space: nowrap;">'
                    f'<a class="kb-copy" href="{COPY_SCHEME}:{index}" title="Copy this code">Copy</a>'
                    "</td></tr></table>", False))
            else:
                out.append(token)
                closers.append(("</div>", False))
    out.append(source[last:])
    return ReadHtml(break_long_runs("".join(out)), shown_code)


def break_long_runs(html: str) -> str:
    """Insert a zero-width space into every run of more than ``BREAK_EVERY`` unbreakable characters.

    Runs stop at white space, tags and entities, so no tag or entity is ever cut.
    """
    def breaks(match: re.Match[str]) -> str:
        run = match.group(0)
        if run.startswith("<"):
            return run
        pieces = (run[start:start + BREAK_EVERY] for start in range(0, len(run), BREAK_EVERY))
        return ZERO_WIDTH_SPACE.join(pieces)

    return _TAG_OR_LONG_RUN.sub(breaks, html)
