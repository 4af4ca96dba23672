"""Parse an SOP document into its sections, tolerating varied headings and malformed items."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from kbstudio.md_structure import SETEXT_LINE, SETEXT_TEXT, parse_structure
from kbstudio.model import ERROR, INFO, TIERS, WARNING, Document, DocumentFields, Problem, tier_rank
from kbstudio.names import id_key, nfc
from kbstudio.sop.inline import parse_minutes, plain_text
from kbstudio.sop.model import SECTION_TITLES, SECTIONS, Check, EscalationTarget, Field, Sop, TimeLimit

# Tried in order, so "When to escalate" is criteria and "Escalation steps" is steps, not the target.
_SECTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("checks", r"before escalat|\bchecks?\b|checklist|try first|first-line checks"),
        ("criteria", r"when to escalate|criteria|\bwhen\b|triggers?"),
        ("collect", r"information|collect|gather|details|fields|what to record"),
        ("time_limits", r"\btimes?\b|timing|\bslas?\b|deadline"),
        ("steps", r"\bsteps?\b|procedure|process|how to escalate"),
        ("target", r"escalat|hand.?off|hand over|contact|\bwho\b|route|routing"),
        ("scope", r"scope|applies|covers|purpose|overview"),
    )
)
_BULLET = re.compile(r"^(\s*)(?:[-*+]|(\d+)[.)])(?:\s+(.*))?$")
_CHECKBOX = re.compile(r"^\[([ xX]?)\]\s*(.*)$")
_BOLD_START = re.compile(r"^(\*\*|__)(.+?)\1(.*)$")
_PLAIN_FIELD = re.compile(r"^([^:(]+?)\s*(\([^)]*\))?\s*:\s*(.*)$")
_MARK_IN_NAME = re.compile(r"\s*\(([^)]*)\)\s*:?\s*$")
_MARK_AT_START = re.compile(r"^\s*:?\s*\(([^)]*)\)")
_SECOND_MARK = re.compile(r"^\s*\(([^)]*)\)")
_TIER_WORD = re.compile(r"\bL[0-4]\b", re.IGNORECASE)
_LABELLED = re.compile(r"^\*\*(.+?):?\*\*:?\s*(.*)$")
_PLAIN_LABELLED = re.compile(r"^([^:*`\[]{1,60}):\s*(.*)$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LONG_MARKS = {"long", "multi-line", "multiline", "several lines"}

AnyDocument = TypeVar("AnyDocument", bound=DocumentFields)   # a Document, or the fields only


def section_key(heading: str) -> str | None:
    """Return which SOP section a heading names ('checks', 'collect', ...), or None."""
    name = heading.strip().rstrip(":").lower()
    for key, pattern in _SECTION_PATTERNS:
        if pattern.search(name):
            return key
    return None


@dataclass
class _Item:
    text: str
    line: int
    numbered: bool


@dataclass
class _Section:
    key: str
    heading: str
    line: int
    items: list[_Item] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    stray: list[tuple[int, str]] = field(default_factory=list)
    after_blank: bool = False

    def add(self, raw: str, line: int, in_fence: bool) -> None:
        """Add one body line: a new list item, a continuation, or paragraph text."""
        bullet = None if in_fence else _BULLET.match(raw)
        stripped = raw.strip()
        if bullet and len(bullet.group(1).expandtabs()) < 2:
            self.items.append(_Item((bullet.group(3) or "").strip(), line, bullet.group(2) is not None))
        elif not stripped:
            self.after_blank = True
            return
        elif self.items and (raw[:1].isspace() or not self.after_blank or in_fence):
            last = self.items[-1]
            last.text = f"{last.text}\n{raw}" if in_fence else f"{last.text} {stripped}".strip()
        elif self.items:
            self.stray.append((line, stripped))
        elif self.paragraphs and not self.after_blank:
            self.paragraphs[-1] = f"{self.paragraphs[-1]} {stripped}"
        else:
            self.paragraphs.append(stripped)
        self.after_blank = False


def _split_sections(document: Document) -> list[_Section]:
    """Cut the body into the known sections; unknown level-2 headings end a section.

    Headings and code come from the shared structure pass (``kbstudio.md_structure``), so a ``#``
    line in a code block is code and a setext heading is a heading, as lint and the index see it.
    """
    sections: list[_Section] = []
    current: _Section | None = None
    structure = parse_structure(document.body)
    headings = {heading.index: heading for heading in structure.headings}
    # Comments are blanked (newlines kept) so their text joins no item.
    body = _COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), document.body)
    for offset, raw in enumerate(body.split("\n")[:len(structure.lines)]):
        line = document.body_line + offset
        heading = headings.get(offset)
        if heading is not None and heading.level <= 3:
            key = section_key(heading.text) if heading.level >= 2 else None
            if key is not None and (heading.level == 2 or current is None or current.key != key):
                current = _Section(key, heading.text, line)
                sections.append(current)
                continue
            if heading.level <= 2:
                current = None
                continue
        if structure.lines[offset].kind in (SETEXT_TEXT, SETEXT_LINE):
            continue   # the rest of a setext heading: its underline or its text's later lines
        if current is not None:
            current.add(raw.removesuffix("\r"), line, structure.is_code(offset))
    return sections


class _Parser:
    """Turn the sections of one document into an Sop, recording problems as it goes."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Problem] = []

    def problem(self, rule: str, line: int | None, message: str, severity: str = WARNING) -> None:
        self.problems.append(Problem(rule, severity, self.document.rel_path, line, message))

    def parse(self) -> Sop:
        document = self.document
        sop = Sop(document, document.id, document.title, document.tier, document.escalates_to)
        if document.kind != "sop":
            self.problem("sop-not-sop", document.key_lines.get("kind"),
                         "not marked 'kind: sop' in front matter")
        if not document.id:
            self.problem("sop-no-id", None, "no id in front matter")
        merged: dict[str, _Section] = {}
        for section in _split_sections(document):
            if section.key in merged:
                self.problem("sop-duplicate-section", section.line,
                             f"second '{SECTION_TITLES[section.key]}' section (merged with the first)")
                first = merged[section.key]
                first.items.extend(section.items)
                first.paragraphs.extend(section.paragraphs)
                first.stray.extend(section.stray)
                continue
            merged[section.key] = section
            sop.section_lines[section.key] = section.line
        for key in SECTIONS:
            found = merged.get(key)
            if found is None:
                self.problem("sop-missing-section", None, f"no '## {SECTION_TITLES[key]}' section",
                             INFO if key == "scope" else WARNING)
                continue
            for line, text in found.stray:
                self.problem("sop-stray-text", line, f"text after the list in '{found.heading}' is not "
                             f"part of any item: {text[:60]}", INFO)
            getattr(self, f"_{key}")(sop, found)
            if not found.items and not found.paragraphs:
                self.problem("sop-empty-section", found.line, f"'{found.heading}' is empty")
        self._tiers(sop)
        sop.problems = sorted(self.problems, key=lambda problem: problem.line or 0)
        return sop

    def _items(self, section: _Section, what: str) -> list[_Item]:
        """Return the non-empty items; empty ones (template placeholders) become problems."""
        kept = []
        for item in section.items:
            box = _CHECKBOX.match(item.text)
            if (box.group(2) if box else item.text).strip():
                kept.append(item)
            else:
                self.problem("sop-empty-item", item.line, f"empty {what}")
        return kept

    def _scope(self, sop: Sop, section: _Section) -> None:
        parts = list(section.paragraphs) + [f"- {item.text}" for item in section.items if item.text]
        sop.scope = "\n\n".join(part for part in parts if part)

    def _list_or_paragraphs(self, section: _Section, what: str) -> list[str]:
        items = [item.text for item in self._items(section, what)]
        if not items and section.paragraphs:
            self.problem("sop-not-a-list", section.line, f"'{section.heading}' has no list: "
                         f"each paragraph is taken as one {what}", INFO)
            return list(section.paragraphs)
        return items

    def _criteria(self, sop: Sop, section: _Section) -> None:
        sop.criteria = self._list_or_paragraphs(section, "criterion")

    def _steps(self, sop: Sop, section: _Section) -> None:
        sop.steps = self._list_or_paragraphs(section, "step")

    def _checks(self, sop: Sop, section: _Section) -> None:
        for item in self._items(section, "check"):
            box = _CHECKBOX.match(item.text)
            if box is None:
                self.problem("sop-bad-check", item.line, "write each check as a task list item: '- [ ] ...'")
            text = box.group(2).strip() if box else item.text
            sop.checks.append(Check(text, item.line))

    def _collect(self, sop: Sop, section: _Section) -> None:
        seen: set[str] = set()
        for item in self._items(section, "field"):
            found = self._field(item)
            if found is None:
                continue
            if found.name.lower() in seen:
                self.problem("sop-duplicate-field", item.line, f"field '{found.name}' is listed twice")
                continue
            seen.add(found.name.lower())
            sop.collect.append(found)

    def _field(self, item: _Item) -> Field | None:
        bold = _BOLD_START.match(item.text)
        plain = None if bold else _PLAIN_FIELD.match(item.text)
        if bold:
            name, rest = bold.group(2), bold.group(3)
        else:
            name, rest = (item.text, "") if plain is None else (plain.group(1), f"{plain.group(2) or ''}: "
                                                                f"{plain.group(3)}")
            self.problem("sop-bad-field", item.line,
                         "write each field as '- **Field name** (required): hint' or '(optional)'")
        word = ""
        if inner := _MARK_IN_NAME.search(name):
            word, name = inner.group(1), name[: inner.start()]
        elif lead := _MARK_AT_START.match(rest):
            word, rest = lead.group(1), rest[lead.end():]
        name = plain_text(name).strip().rstrip(":").strip()
        if not name:
            self.problem("sop-bad-field", item.line, "field has no name")
            return None
        more = _SECOND_MARK.match(rest)   # '**Name** (required) (long): hint'
        if more and all(mark.strip().lower() in _LONG_MARKS for mark in re.split(r"[,;/]", more.group(1))):
            word, rest = f"{word},{more.group(1)}", rest[more.end():]
        marks = [part.strip() for part in re.split(r"[,;/]", word.lower())]
        required = any(mark.startswith(("required", "mandatory", "must")) for mark in marks)
        long = any(mark in _LONG_MARKS for mark in marks)
        if not required and not any(mark.startswith("optional") for mark in marks) and bold:
            self.problem("sop-field-requirement", item.line,
                         f"field '{name}' should say (required) or (optional); taken as optional")
        return Field(name, required, rest.strip().lstrip(":-–—").strip(), item.line, long)

    def _target(self, sop: Sop, section: _Section) -> None:
        values: dict[str, str] = {}
        for item in self._items(section, "target line"):
            label, value = _labelled(item.text)
            key = _target_key(label) if label else None
            if key is None:
                self.problem("sop-bad-target", item.line,
                             "write the target as '- **Tier:** L2', '- **Team:** ...', '- **How:** ...'")
                continue
            values.setdefault(key, value)
            if key == "tier" and not _TIER_WORD.search(value):
                self.problem("sop-bad-target", item.line, f"tier '{value}' is not one of {', '.join(TIERS)}")
        tier_match = _TIER_WORD.search(values.get("tier", ""))
        tier = tier_match.group(0).upper() if tier_match else None
        sop.target = EscalationTarget(tier, values.get("team") or None, values.get("how") or None,
                                      section.line)
        for key in ("tier", "team", "how"):
            if not values.get(key):
                self.problem("sop-incomplete-target", section.line, f"'{section.heading}' does not say the "
                             f"{'team or queue' if key == 'team' else key}")

    def _time_limits(self, sop: Sop, section: _Section) -> None:
        for item in self._items(section, "time limit"):
            label, value = _labelled(item.text)
            if not label:
                self.problem("sop-bad-time-limit", item.line, "write each limit as '- **Label:** value'")
                label, value = "", item.text
            if not value:
                self.problem("sop-empty-item", item.line, f"time limit '{plain_text(label)}' has no value")
            minutes, business = parse_minutes(plain_text(value))
            sop.time_limits.append(TimeLimit(plain_text(label), value, minutes, item.line, business))

    def _tiers(self, sop: Sop) -> None:
        document, target = self.document, sop.target
        raw = document.meta.get("escalates_to")
        if document.is_set("escalates_to") and document.escalates_to is None:
            self.problem("sop-bad-escalates-to", document.key_lines.get("escalates_to"),
                         f"escalates_to '{raw}' is not one of {', '.join(TIERS)}")
        if sop.escalates_to is None:
            sop.escalates_to = target.tier
        elif target.tier and target.tier != sop.escalates_to:
            self.problem("sop-tier-mismatch", target.line, f"'Escalate to' says {target.tier} but "
                         f"front matter escalates_to is {sop.escalates_to}")
        if sop.escalates_to is None:
            self.problem("sop-no-escalation-tier", None,
                         "no escalates_to in front matter or 'Escalate to' tier")
        elif sop.tier and tier_rank(sop.escalates_to) <= tier_rank(sop.tier):
            self.problem("sop-escalates-downward", document.key_lines.get("escalates_to", target.line),
                         f"escalates to {sop.escalates_to}, which is not above its tier {sop.tier}", ERROR)


_TARGET_LABELS = (("tier", r"tier|level"), ("team", r"team|queue|group|who|to whom|owner"),
                  ("how", r"how|method|channel|via|contact"))


def _target_key(label: str) -> str | None:
    lowered = label.lower()
    for key, pattern in _TARGET_LABELS:
        if re.search(rf"\b({pattern})\b", lowered):
            return key
    return None


def _labelled(text: str) -> tuple[str, str]:
    """Split '**Label:** value' (or 'Label: value') into its label and value; ('', text) otherwise."""
    match = _LABELLED.match(text) or _PLAIN_LABELLED.match(text)
    if match is None:
        return "", text
    return match.group(1).strip().rstrip(":").strip(), match.group(2).strip()


def parse_sop(document: Document) -> Sop:
    """Parse ``document`` as an SOP, as far as it goes; what is missing or malformed is in ``problems``."""
    return _Parser(document).parse()


def find_document(documents: Iterable[AnyDocument], key: str) -> AnyDocument | None:
    """Return the document whose id (any case, see ``id_key``) or KB path (any normalisation) is ``key``."""
    wanted = id_key(key)
    path = nfc(key.strip().replace("\\", "/").removeprefix("./"))
    for document in documents:
        if (document.id and id_key(document.id) == wanted) or nfc(document.rel_path) == path:
            return document
    return None
