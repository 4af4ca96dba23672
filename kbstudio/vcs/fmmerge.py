"""Three-way merge of a document: front matter field by field, the body place by place.

``merge_record`` compares the base (the version both sides started from), yours and theirs and
returns a ``MergeRecord``: every front-matter field and every run of body lines as a ``Part``,
each with its three texts and its state: unchanged, changed on one side (merged: that side is
taken), changed alike on both, or in conflict. The fields are merged by their values whatever
the body does and however close their lines are, so a teammate's new tag survives a conflict in
the body. The record then applies choices (yours, theirs, both, or text written by hand) to each
conflict and says what of the other side a choice discards. The app and ``kbstudio resolve`` only
present it. Texts are compared with LF line ends and no BOM; the result is written in yours'
format (line ends, BOM), lines you did not change keeping their bytes.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ruamel.yaml.error import YAMLError as RuamelError

from kbstudio.docedit import splice
from kbstudio.fmedit import FrontMatterEditError, RawYAML, field_span, field_yaml, remove_field, set_field
from kbstudio.frontmatter import FrontMatterError, Split, parse_front_matter, split_front_matter
from kbstudio.textformat import BOM, TextFormat
from kbstudio.vcs.merge3 import Chunk, join_lines, merge_chunks, split_lines

Pick = Literal["mine", "theirs", "both"]
State = Literal["unchanged", "mine", "theirs", "same", "conflict"]
PartKind = Literal["frame", "field", "body"]
SIDES = ("base", "mine", "theirs")
_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
MARK_MINE, MARK_SPLIT, MARK_THEIRS = "<<<<<<< yours\n", "=======\n", ">>>>>>> theirs\n"


@dataclass(frozen=True)
class Own:
    """A conflict resolved with text written by hand: a field's ``name: value`` lines, or body lines."""

    text: str


Resolution = Pick | Own


class MergeChoiceError(ValueError):
    """A choice that cannot be applied: unknown place, a conflict left without a choice, bad YAML."""


@dataclass(frozen=True)
class Part:
    """One place of a document in a three-way merge: a front-matter field or a run of body lines.

    ``base``, ``mine`` and ``theirs`` are its text on each side (LF line ends; "" where a field is
    not set). ``key`` names it: ``field:NAME``, ``hunk:N`` for the Nth body conflict, ``body:I``
    for other runs of body lines, ``frame:open``/``frame:close`` for the ``---`` lines.
    """

    kind: PartKind
    key: str
    state: State
    base: str
    mine: str
    theirs: str
    name: str = ""
    number: int = 0
    line: int = 0
    present: tuple[bool, bool, bool] = (True, True, True)
    listy: bool = False

    @property
    def conflict(self) -> bool:
        """Return True when both sides changed this place differently."""
        return self.state == "conflict"

    @property
    def changed(self) -> bool:
        """Return True when at least one side changed this place."""
        return self.state != "unchanged"

    @property
    def can_both(self) -> bool:
        """Return True when "both" is a choice: body lines (yours, then theirs) or a list field."""
        return self.kind == "body" or self.listy

    def text(self, side: str) -> str:
        """Return this place's text on ``side`` (base, mine or theirs)."""
        return {"base": self.base, "mine": self.mine, "theirs": self.theirs}[side]

    def is_set(self, side: str) -> bool:
        """Return True when a field is set on ``side`` (body lines always are)."""
        return self.present[SIDES.index(side)]

    def to_json(self) -> dict[str, Any]:
        """Return the place as a JSON-ready dict."""
        return {"key": self.key, "kind": self.kind, "state": self.state, "name": self.name or None,
                "number": self.number or None, "line": self.line or None, "label": self.label,
                "both": self.can_both,
                **{side: self.text(side) if self.is_set(side) else None for side in SIDES}}

    @property
    def label(self) -> str:
        """Return the place in words: ``the field tags`` or ``the body at line 12``."""
        if self.kind == "field":
            return f"the field {self.name}"
        if self.kind == "frame":
            return "the front matter's --- line"
        return f"the body at line {self.line}" if self.line else "the body"


@dataclass(frozen=True)
class Discard:
    """What a choice drops of the side it did not take: ``side``'s text at ``part``."""

    part: Part
    side: str
    text: str
    whole: bool = False     # the whole document (a side deleted it, or there are no places to merge)
    deleted: bool = False   # the choice deletes the document

    def __str__(self) -> str:
        who = "your" if self.side == "mine" else "their"
        if self.whole:
            what = "the document is deleted, with " if self.deleted else "the whole document: "
            if not self.part.base:
                lines = [f"    {line}" for line in split_lines(self.text)]
                return f"{what}{who} version of it\n" + "".join(lines)
            changes = difflib.unified_diff(split_lines(self.part.base), split_lines(self.text), n=0)
            lines = [f"    {line[0]} {_ensure_newline(line[1:])}" for line in changes
                     if line[:1] in "+-" and not line.startswith(("---", "+++"))]
            return f"{what}{who} edits to it:\n" + "".join(lines)
        if self.part.kind == "field" and not self.part.is_set(self.side):
            return f"{self.part.label}: {who} removal of it"
        if not self.text.strip():
            return f"{self.part.label}: {who} removal of these lines"
        return f"{self.part.label}: {who} text\n" + "".join(f"    {line}" for line in split_lines(self.text))


@dataclass
class MergeRecord:
    """Every place of a document in a three-way merge, and the result for a set of choices."""

    base: str
    mine: str
    theirs: str
    mine_disk: str
    text_format: TextFormat
    fields_merged: bool
    parts: list[Part]
    values: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict, repr=False)

    @property
    def conflicts(self) -> list[Part]:
        """Return the places both sides changed differently: fields first, then body hunks."""
        return [part for part in self.parts if part.conflict]

    @property
    def merged(self) -> list[Part]:
        """Return the places changed on one side, or alike on both, that merged by themselves."""
        return [part for part in self.parts if part.changed and not part.conflict and part.kind != "frame"]

    @property
    def clean(self) -> bool:
        """Return True when nothing waits for a choice."""
        return not self.conflicts

    def find(self, key: str) -> Part:
        """Return the conflict named ``key``: ``field:NAME``, ``hunk:N``, a field name or a number."""
        wanted = [key, f"field:{key}", f"hunk:{key}"]
        for part in self.conflicts:
            if part.key in wanted:
                return part
        names = ", ".join(describe_key(part) for part in self.conflicts) or "none"
        raise MergeChoiceError(f"no conflict {key!r} in this document (its conflicts: {names})")

    def every(self, pick: Pick) -> dict[str, Resolution]:
        """Return ``pick`` for every conflict (``both`` only where it is a choice, else yours)."""
        return {part.key: pick if pick != "both" or part.can_both else "mine" for part in self.conflicts}

    # Results ------------------------------------------------------------------------------

    def result(self, part: Part, choice: Resolution | None = None) -> str | None:
        """Return ``part``'s text in the result: its merge, or the choice's; None while undecided."""
        if not part.conflict:
            return part.theirs if part.state == "theirs" else part.mine
        if choice is None:
            return None
        if isinstance(choice, Own):
            return _ensure_newline(choice.text) if choice.text.strip() else ""
        if choice == "both":
            if part.kind == "body":
                return join_lines([split_lines(part.mine), split_lines(part.theirs)])
            return _field_text(part.name, self._union(part))
        return part.text(_pick(choice))

    def editor_text(self, choices: Mapping[str, Resolution] | None = None) -> str:
        """Return the merged document with LF line ends, every conflict settled by ``choices``."""
        choices = self._checked(choices or {})
        body = [split_lines(self.result(part, choices.get(part.key)) or "")
                for part in self.parts if part.kind == "body"]
        if not self.fields_merged:
            return join_lines(body)
        text = self.mine
        split = split_front_matter(text)
        text = text[: len(text) - len(split.body)] + join_lines(body)
        try:
            for part in self.parts:
                if part.kind == "field" and (part.state == "theirs" or part.conflict):
                    text = self._apply_field(text, part, choices.get(part.key, "theirs"))
        except FrontMatterError as error:
            raise MergeChoiceError(f"the front matter cannot be merged: {error.message}") from None
        except RuamelError as error:
            raise MergeChoiceError(f"the front matter cannot be merged: {error}") from None
        return text

    def apply(self, choices: Mapping[str, Resolution] | None = None) -> str:
        """Return the merged document as it is written: yours' line ends and BOM."""
        return self.to_disk(self.editor_text(choices))

    def marked(self) -> str:
        """Return the merge with conflict markers around each conflict (for the file during a merge).

        Everything that merged by itself is in it already: the markers hold only real conflicts.
        """
        choices: dict[str, Resolution] = {}
        for part in self.conflicts:
            if part.kind == "body":
                choices[part.key] = Own(MARK_MINE + _ensure_newline(part.mine) + MARK_SPLIT
                                        + _ensure_newline(part.theirs) + MARK_THEIRS)
            else:
                choices[part.key] = "mine"
        text = self.editor_text(choices)
        places = []
        for part in self.conflicts:
            if part.kind != "field":
                continue
            span = field_span(text, part.name) if part.is_set("mine") else None
            if span is None:
                split = split_front_matter(text)
                end = len(text) - len(split.body) - len(_closing(text, split))
                span = (end, end)
            places.append((span, part))
        for (start, end), part in sorted(places, key=lambda item: item[0], reverse=True):
            block = (MARK_MINE + _ensure_newline(text[start:end]) + MARK_SPLIT
                     + _ensure_newline(part.theirs) + MARK_THEIRS)
            text = text[:start] + block + text[end:]
        return self.to_disk(text)

    def discards(self, choices: Mapping[str, Resolution]) -> list[Discard]:
        """Return what ``choices`` drop of the side not taken, conflict by conflict."""
        dropped = []
        for part in self.conflicts:
            choice = choices.get(part.key)
            if choice in ("mine", "theirs"):
                other = "theirs" if choice == "mine" else "mine"
                dropped.append(Discard(part, other, part.text(other)))
        return dropped

    # Helpers ------------------------------------------------------------------------------

    def _checked(self, choices: Mapping[str, Resolution]) -> dict[str, Resolution]:
        keys = {part.key for part in self.conflicts}
        unknown = [key for key in choices if key not in keys]
        if unknown:
            raise MergeChoiceError(f"no conflict {unknown[0]!r} in this document")
        missing = [part for part in self.conflicts if part.key not in choices]
        if missing:
            raise MergeChoiceError("no choice yet for " + ", ".join(describe_key(part) for part in missing))
        for key, choice in choices.items():
            part = next(p for p in self.conflicts if p.key == key)
            if choice == "both" and not part.can_both:
                raise MergeChoiceError(f"{part.label} takes one value: choose yours or theirs")
            if not isinstance(choice, Own) and choice not in ("mine", "theirs", "both"):
                raise MergeChoiceError(f"unknown choice {choice!r}: use mine, theirs or both")
        return dict(choices)

    def _apply_field(self, text: str, part: Part, choice: Resolution) -> str:
        name = part.name
        if choice == "mine":
            return text
        if choice == "both":
            return set_field(text, name, self._union(part))
        if isinstance(choice, Own):
            return _set_own(text, name, choice.text)
        if not part.is_set("theirs"):
            return remove_field(text, name)
        try:   # their value exactly as they wrote it: a date stays a date, quoting stays
            raw = field_yaml(self.theirs, name)
            if raw is not None:
                return set_field(text, name, raw)
        except (FrontMatterError, RuamelError):   # an alias to an anchor only theirs has: its value
            pass
        return set_field(text, name, self.values[name][2])

    def _union(self, part: Part) -> list[Any]:
        """Return a list field with both sides' additions and neither side's removals."""
        base, mine, theirs = (value if isinstance(value, list) else [] for value in self.values[part.name])
        out = [item for item in mine if item in theirs or item not in base]
        out += [item for item in theirs if item not in base and item not in out]
        return out

    def to_disk(self, text: str) -> str:
        """Return merged LF ``text`` as written: yours' line ends (unchanged lines keep their bytes), BOM."""
        disk = splice(self.mine_disk, self.mine, text, self.text_format.newline)
        return (BOM if self.text_format.bom else "") + disk


def describe_key(part: Part) -> str:
    """Return how a conflict is named on the command line: ``field tags`` or ``hunk 2``."""
    return f"field {part.name}" if part.kind == "field" else f"hunk {part.number}"


def _pick(choice: Resolution) -> str:
    return "theirs" if choice == "theirs" else "mine"


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _closing(text: str, split: Split) -> str:
    lines = text[: len(text) - len(split.body)].splitlines(keepends=True)
    return lines[-1] if len(lines) > 1 else ""


def _field_text(name: str, value: Any) -> str:
    """Return ``name: value`` as the front matter would hold it, for showing a choice."""
    try:
        text = set_field("", name, value)
    except FrontMatterError:
        return f"{name}: {value}\n"
    split = split_front_matter(text)
    return split.yaml_text or ""


def _set_own(text: str, name: str, own: str) -> str:
    """Return ``text`` with field ``name`` set as written by hand (``name: value``); empty removes it."""
    own = own.strip("\n")
    if not own.strip():
        return remove_field(text, name)
    if not own.startswith(f"{name}:"):
        raise MergeChoiceError(f"the text for the field {name} must start with '{name}:'")
    try:
        parsed = parse_front_matter(own + "\n").data
    except FrontMatterError as error:
        raise MergeChoiceError(f"the text for the field {name} is not valid YAML: {error.message}") from None
    if list(parsed) != [name]:
        raise MergeChoiceError(f"the text for the field {name} may hold only that field")
    return set_field(text, name, RawYAML(own[len(name) + 1:]))


# Building the record ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    text: str
    split: Split
    data: dict[str, Any]
    key_lines: dict[str, int]


def _read(text: str) -> _Side | None:
    """Return a side's front matter, or None when it cannot be read field by field."""
    split = split_front_matter(text)
    if split.unclosed:
        return None
    if split.yaml_text is None:
        return _Side(text, split, {}, {})
    try:
        parsed = parse_front_matter(split.yaml_text, split.yaml_line)
    except FrontMatterError:
        return None
    if parsed.duplicate_keys:
        return None
    return _Side(text, split, parsed.data, parsed.key_lines)


def _written(side: _Side, name: str) -> str:
    """Return a field's lines as written on a side ("" when it is not set there)."""
    if name not in side.data:
        return ""
    try:
        raw = field_yaml(side.text, name)
    except (FrontMatterError, RuamelError):
        raw = None
    if raw is None:
        return _field_text(name, side.data[name])
    return f"{name}:{raw}\n"


def _state(old: Any, ours: Any, new: Any) -> State:
    if ours == new:
        return "unchanged" if ours == old else "same"
    if new == old:
        return "mine"
    return "theirs" if ours == old else "conflict"


def _body_parts(chunks: list[Chunk], first_line: int) -> list[Part]:
    parts = []
    line, number = first_line, 0
    for index, chunk in enumerate(chunks):
        key = f"body:{index}"
        if chunk.kind == "conflict":
            number += 1
            key = f"hunk:{number}"
        texts = ("".join(chunk.base), "".join(chunk.mine), "".join(chunk.theirs))
        parts.append(Part("body", key, chunk.kind, *texts, number=number if chunk.kind == "conflict" else 0,
                          line=line))
        line += len(chunk.mine)
    return parts


def merge_record(base: str | None, mine: str, theirs: str) -> MergeRecord:
    """Return the three-way merge of a document; ``base`` None when both sides added it."""
    fmt = TextFormat.of_text(mine)
    mine_disk = mine[1:] if mine.startswith(BOM) else mine
    base_text, mine_text, theirs_text = (TextFormat.to_editor(text or "") for text in (base, mine, theirs))
    texts = (base_text, mine_text, theirs_text)
    old, ours, new = (_read(text) for text in texts)
    if old is None or ours is None or new is None:
        return MergeRecord(base_text, mine_text, theirs_text, mine_disk, fmt, False, _whole_text_parts(texts))
    parts: list[Part] = []
    frames = (old.split.yaml_text is not None, ours.split.yaml_text is not None,
              new.split.yaml_text is not None)
    if any(frames):
        opening = ["---\n" if f else "" for f in frames]
        parts.append(Part("frame", "frame:open", "unchanged", opening[0], opening[1], opening[2],
                          line=1, present=frames))
    values: dict[str, tuple[Any, Any, Any]] = {}
    names = dict.fromkeys([*ours.data, *new.data, *old.data])
    for name in names:
        triple = (old.data.get(name, _MISSING), ours.data.get(name, _MISSING), new.data.get(name, _MISSING))
        values[name] = triple
        present = (triple[0] is not _MISSING, triple[1] is not _MISSING, triple[2] is not _MISSING)
        listy = all(isinstance(value, list) or value is _MISSING for value in triple)
        parts.append(Part("field", f"field:{name}", _state(*triple), _written(old, name),
                          _written(ours, name), _written(new, name), name=name,
                          line=ours.key_lines.get(name, 0), present=present, listy=listy))
    if any(frames):
        closing = [_closing(side.text, side.split) if f else "" for side, f in zip((old, ours, new), frames,
                                                                                   strict=True)]
        parts.append(Part("frame", "frame:close", "unchanged", closing[0], closing[1], closing[2],
                          line=max(ours.split.body_line - 1, 0), present=frames))
    chunks = merge_chunks(split_lines(old.split.body), split_lines(ours.split.body),
                          split_lines(new.split.body))
    parts += _body_parts(chunks, ours.split.body_line)
    record = MergeRecord(base_text, mine_text, theirs_text, mine_disk, fmt, True, parts, values)
    try:
        record.editor_text(record.every("mine"))   # what merged by itself must apply
    except (MergeChoiceError, FrontMatterEditError):
        return MergeRecord(base_text, mine_text, theirs_text, mine_disk, fmt, False, _whole_text_parts(texts))
    return record


def _whole_text_parts(texts: tuple[str, str, str]) -> list[Part]:
    """Return the parts of a line merge of the whole texts, front matter included."""
    return _body_parts(merge_chunks(split_lines(texts[0]), split_lines(texts[1]), split_lines(texts[2])), 1)


def front_matter_fields(text: str) -> dict[str, Any] | None:
    """Return a document's front-matter fields, or None when they cannot be read field by field."""
    side = _read(TextFormat.to_editor(text))
    return side.data if side is not None else None


def with_merged_fields(record: MergeRecord, text: str) -> str:
    """Return ``text`` (a line merge of the same three versions) with the record's merged front matter.

    Only for a record without field conflicts: its fields are settled whatever the body does.
    """
    merged = record.editor_text(record.every("mine"))
    head = merged[: len(merged) - len(split_front_matter(merged).body)]
    return record.to_disk(head + split_front_matter(TextFormat.to_editor(text)).body)


def merge_document(base: str | None, mine: str, theirs: str, runner: object = None) -> str | None:
    """Return the merged document when nothing conflicts (field by field, then the body), else None.

    ``runner`` is accepted for older callers; the merge runs no program.
    """
    record = merge_record(base, mine, theirs)
    return record.apply() if record.clean else None
