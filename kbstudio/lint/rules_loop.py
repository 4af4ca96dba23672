"""Knowledge-loop rules: open flags shown at the document they are about (Health lists them).

``flag-open`` reads the KB's flag events (``kbstudio.loop.flags``) once per lint and reports
each open flag at its document: at the anchor's line when the flag names one that is still
there (a heading or a line), else at the document as a whole. A flag whose document is gone
(deleted, or its id changed) is reported at the path it was opened on when that file exists,
and otherwise not at all (there is nothing left to fix).
"""

from __future__ import annotations

from collections.abc import Iterator

from kbstudio.lint.rule import KbFinding, LintContext
from kbstudio.loop.anchors import anchor_line
from kbstudio.loop.flags import REASON_LABELS, Flag, read_flags
from kbstudio.loop.records import format_time
from kbstudio.names import id_key
from kbstudio.reader import read_document


def _where(flag: Flag, ctx: LintContext) -> str | None:
    facts = ctx.facts
    if flag.document:
        paths = sorted(facts.by_id.get(id_key(flag.document), ()))
        if paths:
            return paths[0]
    if flag.path and facts.page(flag.path) is not None:
        return flag.path
    return None


def check_flag_open(ctx: LintContext) -> Iterator[KbFinding]:
    """Report every open flag at its document (and line), oldest first."""
    flags, _ = read_flags(ctx.facts.root)
    for flag in flags:
        if not flag.is_open:
            continue
        rel = _where(flag, ctx)
        if rel is None:
            continue
        line = None
        if flag.anchor:
            try:
                line = anchor_line(read_document(ctx.facts.root / rel, ctx.facts.root), flag.anchor)
            except OSError:
                line = None
        comment = f": {' '.join(flag.comment.split())[:200]}" if flag.comment else ""
        yield rel, line, (f"flagged {REASON_LABELS.get(flag.reason, flag.reason).lower()} by "
                          f"{flag.opened_by} on {format_time(flag.opened_at)[:10]}{comment} "
                          f"(flag {flag.id[:8]}; resolve with kbstudio flag --resolve)")
