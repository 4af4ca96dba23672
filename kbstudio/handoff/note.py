"""The hand-off note for the ticket, built once and rendered as plain text or as Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kbstudio.handoff.links import TicketLinks, ticket_plain_text
from kbstudio.handoff.run import (
    DONE,
    SOLVED,
    ArticleRef,
    SopRun,
    missing_required,
    resolution_article,
    started_from,
)
from kbstudio.kbconfig import KbConfig
from kbstudio.model import DocumentFields
from kbstudio.sop import Sop

BLANK = "____"
ESCALATED, RESOLVED, TEMPLATE = "escalated", "resolved", "template"
_TEXT_MARKS = {" ": "[ ]", "x": "[x]", SOLVED: "[x] SOLVED IT:"}
_MARKDOWN_MARKS = {" ": "[ ]", "x": "[x]", SOLVED: "[x] **Solved it:**"}


@dataclass(frozen=True)
class NoteItem:
    """One line of the note in Markdown source, with an optional label, checkbox mark and detail line."""

    text: str
    label: str = ""
    mark: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class NoteSection:
    """A titled part of the note; ``style`` is 'list', 'quote' (the caller's words) or 'prose'."""

    heading: str
    items: tuple[NoteItem, ...]
    style: str = "list"


@dataclass(frozen=True)
class HandoffNote:
    """A hand-off note: escalated, resolved at this tier, or a blank template."""

    heading: str
    outcome: str
    summary: tuple[NoteItem, ...]
    sections: tuple[NoteSection, ...]
    missing: tuple[str, ...] = ()

    def text(self) -> str:
        """Return the note as plain text for a ticket field (web links with their address written out)."""
        lines = [self.heading, "=" * len(self.heading)]
        lines += [f"{_plain(item.label)}: {_plain(item.text)}" for item in self.summary]
        for section in self.sections:
            lines += ["", section.heading]
            for item in section.items:
                lines += _text_item(item)
        if self.missing:
            lines += ["", f"MISSING REQUIRED INFORMATION: {'; '.join(self.missing)}"]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """Return the note as Markdown."""
        lines = [f"## {self.heading}", ""]
        lines += [f"- **{item.label}:** {_indent(item.text, '  ')}" for item in self.summary]
        for section in self.sections:
            lines += ["", f"### {section.heading}", ""]
            for item in section.items:
                if section.style == "quote":
                    lines += [f"> {line}".rstrip() for line in item.text.splitlines() or [""]]
                elif section.style == "prose":
                    lines += item.text.splitlines() or [""]
                else:
                    lines += _markdown_item(item)
        if self.missing:
            lines += ["", f"**Missing required information:** {'; '.join(self.missing)}"]
        return "\n".join(lines) + "\n"


_plain = ticket_plain_text


def _indent(text: str, prefix: str) -> str:
    return ("\n" + prefix).join(text.splitlines()) if text else ""


def _text_item(item: NoteItem) -> list[str]:
    head = f"{_plain(item.label)}: " if item.label else ""
    mark = f"{_TEXT_MARKS[item.mark]} " if item.mark else ""
    lines = [f"  {mark}{head}{_indent(_plain(item.text), '  ')}"]
    if item.detail:
        lines.append(f"      {_indent(_plain(item.detail), '      ')}")
    return lines


def _markdown_item(item: NoteItem) -> list[str]:
    head = f"**{item.label}:** " if item.label else ""
    mark = f"{_MARKDOWN_MARKS[item.mark]} " if item.mark else ""
    lines = [f"- {mark}{head}{_indent(item.text, '  ')}"]
    if item.detail:
        lines.append(f"  - {_indent(item.detail, '    ')}")
    return lines


def format_minutes(minutes: int) -> str:
    """Return a duration in minutes as '18 min', '1 h 05 min' or '2 h'."""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def _time_line(sop: Sop, run: SopRun | None, now: datetime | None) -> str:
    limit = sop.call_limit
    limit_text = f"{limit.label.lower()}: {limit.text}" if limit else ""
    elapsed = run.elapsed(now) if run else None
    if elapsed is None:
        spent = BLANK if run is None else "not recorded"
        return f"{spent} (limit {limit_text})" if limit_text else spent
    minutes = int(elapsed // timedelta(minutes=1))
    spent = f"{format_minutes(minutes)}"
    if run and run.started:
        end = run.finished or now
        spent += f" ({run.started:%Y-%m-%d %H:%M} to {end:%H:%M})" if end else ""
    if not limit or limit.minutes is None:
        return spent
    verdict = (f"over by {format_minutes(minutes - limit.minutes)}" if minutes > limit.minutes
               else "within it")
    return f"{spent}; limit {limit_text}, {verdict}"


def _sop_line(sop: Sop, version: str | None, links: TicketLinks) -> str:
    name = links.reference(ArticleRef(sop.title, sop.rel_path, sop.id))
    return f"{name}, version {version or 'sha256:' + sop.document.content_hash[:12]}"


def _target_line(sop: Sop) -> str:
    parts = [part for part in (sop.escalates_to, sop.target.team) if part]
    return ", ".join(parts) or "not stated in the SOP"


def build_note(sop: Sop, run: SopRun | None = None, *, version: str | None = None,
               documents: Sequence[DocumentFields] | None = None, now: datetime | None = None,
               config: KbConfig | None = None) -> HandoffNote:
    """Build the hand-off note for ``run``, or a blank template listing every check and field without one.

    Links are ticket-ready: documents by id and title, with their web address when ``config`` (the KB's
    ``.kbstudio/config.toml``) gives a web base; never a path inside the KB.
    """
    links = TicketLinks(documents or [], config or KbConfig())
    if run is None:
        return _template(sop, version, links)
    summary = [NoteItem(_sop_line(sop, version, links), "SOP")]
    origin = started_from(run, documents)
    if origin is not None:
        summary.append(NoteItem(links.reference(origin), "Started from"))
    solved = run.solved_by
    if solved is not None:
        outcome, heading = RESOLVED, f"Resolved at {sop.tier or 'first contact'}: {sop.title}"
        check = sop.checks[solved] if solved < len(sop.checks) else None
        article = resolution_article(sop, run, documents)
        summary.append(NoteItem(links.rewrite(check.text, sop.rel_path) if check else f"check {solved + 1}",
                                "Solved by"))
        if run.check(solved).result:
            summary.append(NoteItem(run.check(solved).result, "Result"))
        if article:
            summary.append(NoteItem(links.reference(article), "Link to the ticket"))
    else:
        outcome, heading = ESCALATED, f"Escalation to {sop.escalates_to or 'the next tier'}: {sop.title}"
        summary.append(NoteItem(_target_line(sop), "Escalate to"))
        if sop.target.how:
            summary.append(NoteItem(links.rewrite(sop.target.how, sop.rel_path), "How"))
    summary.append(NoteItem(run.urgency or "not given", "Urgency"))
    summary.append(NoteItem(_time_line(sop, run, now), "Time"))
    tried = []
    for index, check in enumerate(sop.checks):
        answer = run.check(index)
        if outcome == RESOLVED and answer.state not in (DONE, SOLVED) and not answer.result:
            continue
        mark = SOLVED if answer.state == SOLVED else "x" if answer.state == DONE else " "
        detail = f"Result: {answer.result}" if answer.result else "" if mark != " " else "Not done"
        tried.append(NoteItem(links.rewrite(check.text, sop.rel_path), mark=mark, detail=detail))
    missing = missing_required(sop, run)
    collected = []
    for item in sop.collect:
        value = run.value(item.name)
        if not value and outcome == RESOLVED:
            continue
        if not value:
            value = "MISSING (required)" if item in missing else "not collected"
        collected.append(NoteItem(value, item.name))
    sections = (
        NoteSection("Issue (in the caller's words)", (NoteItem(run.issue or "not given"),), "quote"),
        NoteSection("Environment", (NoteItem(run.environment or "not given"),), "prose"),
        NoteSection("What was tried", tuple(tried)),
        NoteSection("Information collected", tuple(collected)),
    )
    shown = tuple(section for section in sections if section.items)
    return HandoffNote(heading, outcome, tuple(summary), shown, tuple(item.name for item in missing))


def _template(sop: Sop, version: str | None, links: TicketLinks) -> HandoffNote:
    summary = [NoteItem(_sop_line(sop, version, links), "SOP"), NoteItem(_target_line(sop), "Escalate to")]
    if sop.target.how:
        summary.append(NoteItem(links.rewrite(sop.target.how, sop.rel_path), "How"))
    summary += [NoteItem(BLANK, "Urgency"), NoteItem(_time_line(sop, None, None), "Time")]
    checks = tuple(NoteItem(links.rewrite(check.text, sop.rel_path), mark=" ", detail=f"Result: {BLANK}")
                   for check in sop.checks)
    fields = tuple(NoteItem(BLANK, f"{item.name} ({'required' if item.required else 'optional'})",
                            detail=links.rewrite(item.hint, sop.rel_path)) for item in sop.collect)
    sections = (
        NoteSection("Issue (in the caller's words)", (NoteItem(BLANK),), "quote"),
        NoteSection("Environment", (NoteItem(BLANK),), "prose"),
        NoteSection("What was tried", checks),
        NoteSection("Information collected", fields),
    )
    return HandoffNote(f"Hand-off template: {sop.title}", TEMPLATE, tuple(summary), sections)


def handoff_text(sop: Sop, run: SopRun | None = None, *, version: str | None = None,
                 documents: Sequence[DocumentFields] | None = None, now: datetime | None = None,
                 config: KbConfig | None = None) -> str:
    """Return the hand-off note (or the blank template without a run) as plain text."""
    return build_note(sop, run, version=version, documents=documents, now=now, config=config).text()


def handoff_markdown(sop: Sop, run: SopRun | None = None, *, version: str | None = None,
                     documents: Sequence[DocumentFields] | None = None, now: datetime | None = None,
                     config: KbConfig | None = None) -> str:
    """Return the hand-off note (or the blank template without a run) as Markdown."""
    return build_note(sop, run, version=version, documents=documents, now=now, config=config).markdown()
