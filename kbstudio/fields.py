"""Every front-matter field KB Studio knows, defined once.

``FIELDS`` drives the document model (``Document.value``), the reader's and lint's checks, the
front-matter form of the app, ``kbstudio set``, the columns of ``kbstudio list`` and the field
table of ``docs/content-format.md`` (``python -m kbstudio.fields`` prints it; a test keeps the two
equal). Adding a field is one more ``Field(...)`` here.

Values arrive as the text written in the YAML (``kbstudio.frontmatter`` guesses no types) and are
converted by the field's type:

- ``text``: the text written, stripped (``No``, ``on``, ``12:30``, ``0x1F`` and ``1.10`` stay
  text). A list or a mapping is invalid.
- ``choice``: text that must be one of ``choices`` (tiers in any letter case).
- ``list``: a YAML list of text items, or one comma-separated text (``tags: vpn, wifi``). A
  mapping, or an item that is itself a list or a mapping, is invalid.
- ``date``: ``YYYY-MM-DD``, or a date and time (``2020-05-01 10:00:00Z`` is the date 2020-05-01,
  as written, whatever the time zone). Anything else, such as ``2024-02-30``, is invalid.

For every type an empty value, a plain ``~``, ``null``, ``Null`` or ``NULL`` (what YAML 1.1 and
1.2 both read as null), a quoted empty string ``""`` and an empty list ``[]`` mean *not set*.
An invalid value counts as not set, and is reported on its field's line (``invalid-<field>`` by
the reader, the field's ``rule`` by lint); every other field still reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

TIERS: tuple[str, ...] = ("L0", "L1", "L2", "L3", "L4")
KINDS: tuple[str, ...] = ("article", "sop")
STATUSES: tuple[str, ...] = ("draft", "review", "published", "archived")

TEXT, CHOICE, LIST, DATE = "text", "choice", "list", "date"
_DATE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,][0-9]*)?)?"
    r"(?:[ \t]*(?:Z|z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?"
)


class FieldValueError(ValueError):
    """A value a field cannot take; the message names the field and the value."""


def _shown(raw: Any) -> str:
    text = str(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(raw: Any) -> str:
    return "a mapping" if isinstance(raw, Mapping) else "a list" if isinstance(raw, (list, tuple)) else "text"


def parse_date(text: str) -> date:
    """Return the date of ``YYYY-MM-DD`` or of a YAML date and time; raise ValueError otherwise."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError("not a date (YYYY-MM-DD)")
    if match.group("m") is not None and match.group("h") is None and (
            len(match.group("m")) != 2 or len(match.group("d")) != 2):
        raise ValueError("not a date (YYYY-MM-DD)")
    try:
        day = date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError as error:
        raise ValueError(f"not a date: {error}") from None
    if match.group("h") is not None:
        hour, minute, second = int(match.group("h")), int(match.group("mi")), int(match.group("s") or 0)
        if hour > 23 or minute > 59 or second > 60:
            raise ValueError("not a date and time: the time is out of range")
    return day


@dataclass(frozen=True)
class Field:
    """One front-matter field: its type, what it allows, and where it appears."""

    name: str
    type: str                          # TEXT, CHOICE, LIST or DATE
    help: str                          # the meaning, for the docs and the form's tool tip
    label: str = ""                    # the form's label; default: the name, capitalised
    required: bool = False             # a published document must have it (lint: missing-field)
    choices: tuple[str, ...] = ()      # CHOICE: the values allowed
    upper: bool = False                # CHOICE: compared and stored in upper case (tiers)
    reads: tuple[str, ...] = ()        # CHOICE: values read although not allowed (reported)
    default: Any = None                # what a missing or invalid value counts as
    widget: str | None = None          # the form's widget: "line", "choice", "list", "date"; None: none
    placeholder: str = ""              # the form's hint in an empty widget
    rule: str = "invalid-value"        # the lint rule reporting a value of the wrong type or not allowed
    index: str | None = None           # the search index field it is stored in (kbstudio.index.schema)
    column: int | None = None          # its column in `kbstudio list` (in this order); None: no column
    width: int | None = None           # `kbstudio list` cuts the column to this many characters
    listed: bool = False               # in each object of `kbstudio list --json`
    sop_only: bool = False             # only SOPs use it

    @property
    def form_label(self) -> str:
        """Return the label the form shows."""
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def problem_rule(self) -> str:
        """Return the rule of the reader's problem for an invalid value (``kbstudio list``)."""
        return f"invalid-{self.name}"

    @property
    def empties_to_list(self) -> bool:
        """Return True when an empty value is written as ``[]`` rather than removing the key."""
        return self.type == LIST

    @property
    def type_label(self) -> str:
        """Return the type as the docs show it."""
        if self.type == CHOICE:
            if len(self.choices) > 2 and all(re.fullmatch(r"L[0-9]", c) for c in self.choices):
                return f"`{self.choices[0]}`-`{self.choices[-1]}`"
            quoted = [f"`{choice}`" for choice in self.choices]
            return " or ".join(quoted) if len(quoted) <= 2 else ", ".join(quoted)
        return {TEXT: "string", LIST: "list of strings", DATE: "date (`YYYY-MM-DD`)"}[self.type]

    # Reading -------------------------------------------------------------------------------

    def parse(self, raw: Any) -> Any:
        """Return the typed value of ``raw`` (as read from YAML); None when not set.

        Raises FieldValueError, naming the field and the value, when ``raw`` is invalid.
        """
        if raw is None:
            return None
        if self.type == LIST:
            return self._parse_list(raw)
        if isinstance(raw, (Mapping, list, tuple)):
            what = {TEXT: "text", CHOICE: f"one of {', '.join(self.choices)}", DATE: "a date (YYYY-MM-DD)"}
            raise FieldValueError(f"{self.name} is {_kind_of(raw)}, not {what[self.type]}")
        if self.type == DATE:
            return self._parse_date(raw)
        text = str(raw).strip()
        if not text:
            return None
        if self.type == CHOICE:
            normal = text.upper() if self.upper else text
            if normal not in self.choices and normal not in self.reads:
                raise FieldValueError(f"{self.name} '{_shown(raw)}' is not one of {', '.join(self.choices)}")
            return normal
        return text

    def _parse_list(self, raw: Any) -> list[str]:
        if isinstance(raw, Mapping):
            raise FieldValueError(f"{self.name} is a mapping, not a list of text")
        if isinstance(raw, (list, tuple)):
            items = []
            for number, item in enumerate(raw, 1):
                if isinstance(item, (Mapping, list, tuple)):
                    raise FieldValueError(f"{self.name} item {number} is {_kind_of(item)}, not text")
                text = "" if item is None else str(item).strip()
                if text:
                    items.append(text)
            return items
        return [part.strip() for part in str(raw).split(",") if part.strip()]

    def _parse_date(self, raw: Any) -> date | None:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = str(raw).strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as error:
            raise FieldValueError(f"{self.name} '{_shown(raw)}' is {error}") from None

    def read(self, raw: Any) -> Any:
        """Return the typed value of ``raw``, or the default when it is not set or invalid."""
        try:
            value = self.parse(raw)
        except FieldValueError:
            value = None
        if value is None or value == []:
            return [] if self.type == LIST else self.default
        if self.type == CHOICE and value not in self.choices and value not in self.reads:
            return self.default
        return value

    def problem(self, raw: Any) -> str | None:
        """Return why ``raw`` is invalid for this field (naming the field), or None when it is fine."""
        try:
            value = self.parse(raw)
        except FieldValueError as error:
            return str(error)
        if self.type == CHOICE and value is not None and value not in self.choices:
            return f"{self.name} '{_shown(raw)}' is not one of {', '.join(self.choices)}"
        return None

    def is_set(self, raw: Any) -> bool:
        """Return True when ``raw`` is a value at all (valid or not): not null, empty or ``[]``."""
        if raw is None:
            return False
        if isinstance(raw, (list, tuple, Mapping)):
            return bool(raw)
        return bool(str(raw).strip())

    # Writing --------------------------------------------------------------------------------

    def from_input(self, text: str) -> Any:
        """Return the value to write for what a person typed (form, ``kbstudio set``).

        None means *not set*: remove the key, or for lists write ``[]`` (an empty list).
        Lists are comma-separated. Raises FieldValueError for a value the field does not allow.
        """
        if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
            raise FieldValueError(f"{self.name} '{_shown(text)}' is not valid UTF-8 text")
        if self.type == LIST:
            return [part.strip() for part in text.split(",") if part.strip()]
        value = self.parse(text)
        if self.type == CHOICE and value is not None and value not in self.choices:
            raise FieldValueError(f"{self.name} '{_shown(text)}' is not one of {', '.join(self.choices)}")
        return value

    def display(self, raw: Any) -> str:
        """Return ``raw`` as a form shows it: the typed value, or the text written when invalid."""
        try:
            value = self.parse(raw)
        except FieldValueError:
            return str(raw).strip() if not isinstance(raw, (list, tuple, Mapping)) else str(raw)
        if value is None:
            return ""
        if self.type == LIST:
            return ", ".join(value)
        if self.type == DATE:
            return value.isoformat()
        return str(value)

    def to_json(self, value: Any) -> Any:
        """Return a typed value as JSON: dates as ``YYYY-MM-DD``."""
        return value.isoformat() if isinstance(value, date) else value

    def cell(self, value: Any) -> str:
        """Return a typed value as a `kbstudio list` cell."""
        if value is None or value == []:
            return "-"
        text = ", ".join(value) if isinstance(value, list) else self.to_json(value)
        return text[: self.width] if self.width else text


FIELDS: tuple[Field, ...] = (
    Field("id", TEXT, "Stable, unique id: `KB-0042` for articles, `SOP-0007` for SOPs. Assigned when the "
          "document is created, never reused for another document.",
          required=True, index="doc_id", column=1, listed=True),
    Field("title", TEXT, "The title. When missing, the first `# ` heading is used, else the file name.",
          required=True, widget="line", index="title", column=5, width=60, listed=True),
    Field("kind", CHOICE, "A knowledge article, or an escalation standard operating procedure. Missing "
          "means `article`.", required=True, choices=KINDS, default="article", widget="choice",
          index="kind", column=3, listed=True),
    Field("tier", CHOICE, "The support tier the document applies to (see below). Missing means "
          "*untiered*: it is reported, never an error.", required=True, choices=TIERS, upper=True,
          widget="choice", index="tier", column=2, listed=True),
    Field("status", CHOICE, "The KCS state (see below). Missing means `draft`.", choices=STATUSES,
          default="draft", widget="choice", index="status", column=4, listed=True),
    Field("escalates_to", CHOICE, "SOPs only: the tier the SOP hands the work to. Must be above `tier`.",
          choices=TIERS[1:], upper=True, reads=TIERS[:1], widget="choice", sop_only=True),
    Field("tags", LIST, "Free keywords: `vpn`, `mfa`, `printer`.", widget="list",
          placeholder="comma, separated", index="tags", listed=True),
    Field("products", LIST, "The environment it applies to: `Windows 11`, `Outlook`, `GlobalProtect`.",
          widget="list", placeholder="comma, separated", index="products"),
    Field("owner", TEXT, "Who keeps the document current: `Name <email>` or a team name.", required=True,
          widget="line"),
    Field("reviewers", LIST, "Who validates it: `Name <email>`.", widget="list",
          placeholder="comma, separated"),
    Field("review_by", DATE, "When it must be checked again. A date and time counts as its date.",
          required=True, widget="date", placeholder="YYYY-MM-DD"),
    Field("from_search", TEXT, "Set on a draft created from failed searches (`kbstudio gaps --create`): "
          "their words, normalised (stems, sorted). Those searches count as answered once the document "
          "is published (see `docs/knowledge-loop.md`)."),
)
BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}
REQUIRED_WHEN_PUBLISHED: tuple[str, ...] = tuple(field.name for field in FIELDS if field.required)
FORM_FIELDS: tuple[Field, ...] = tuple(field for field in FIELDS if field.widget)
LIST_COLUMNS: tuple[Field, ...] = tuple(sorted((f for f in FIELDS if f.column), key=lambda f: f.column or 0))
LISTED: tuple[Field, ...] = tuple(field for field in FIELDS if field.listed)


def field(name: str) -> Field:
    """Return the field called ``name``; raise KeyError naming the known fields otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown field '{name}'; fields are {', '.join(BY_NAME)}") from None


def problems(meta: Mapping[str, Any], names: Iterable[str] | None = None) -> Iterator[tuple[Field, str]]:
    """Yield (field, message) for every known field of ``meta`` whose value is invalid."""
    for item in FIELDS if names is None else (BY_NAME[name] for name in names):
        raw = meta.get(item.name)
        if raw is not None:
            message = item.problem(raw)
            if message is not None:
                yield item, message


def markdown_table() -> str:
    """Return the field table of ``docs/content-format.md``."""
    rows = ["| field | type | published needs it | meaning |", "|---|---|---|---|"]
    for item in FIELDS:
        needed = "SOPs" if item.sop_only else "yes" if item.required else ""
        rows.append(f"| `{item.name}` | {item.type_label} | {needed} | {item.help} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - `python -m kbstudio.fields` prints the docs table
    print(markdown_table(), end="")
