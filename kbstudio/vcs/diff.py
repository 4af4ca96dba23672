"""Line diffs between two texts, as hunks usable for unified and side-by-side views."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

LineKind = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class DiffLine:
    """One line of a hunk with its number in the old and the new text (None where it is absent)."""

    kind: LineKind
    text: str
    old_no: int | None
    new_no: int | None


@dataclass
class Hunk:
    """A run of changes with a little context around it."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def header(self) -> str:
        """Return the ``@@ -a,b +c,d @@`` header line."""
        return f"@@ -{self.old_start},{self.old_count} +{self.new_start},{self.new_count} @@"


@dataclass
class FileDiff:
    """The difference between two versions of one document."""

    old_label: str
    new_label: str
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """Return True when the two texts are the same."""
        return not self.hunks

    def unified(self) -> str:
        """Return the diff as unified-diff text."""
        out = [f"--- {self.old_label}", f"+++ {self.new_label}"]
        signs = {"same": " ", "removed": "-", "added": "+"}
        for hunk in self.hunks:
            out.append(hunk.header)
            out.extend(signs[line.kind] + line.text for line in hunk.lines)
        return "\n".join(out) + "\n"

    def side_by_side(self) -> list[list[tuple[DiffLine | None, DiffLine | None]]]:
        """Return rows of (old line, new line) per hunk; removals and additions are paired up."""
        return [_pair_rows(hunk.lines) for hunk in self.hunks]


def _pair_rows(lines: list[DiffLine]) -> list[tuple[DiffLine | None, DiffLine | None]]:
    rows: list[tuple[DiffLine | None, DiffLine | None]] = []
    removed: list[DiffLine] = []
    added: list[DiffLine] = []
    for line in [*lines, None]:
        if line is not None and line.kind != "same":
            (removed if line.kind == "removed" else added).append(line)
            continue
        for index in range(max(len(removed), len(added))):
            rows.append((removed[index] if index < len(removed) else None,
                         added[index] if index < len(added) else None))
        removed, added = [], []
        if line is not None:
            rows.append((line, line))
    return rows


def diff_texts(old: str, new: str, old_label: str = "old", new_label: str = "new",
               context: int = 3) -> FileDiff:
    """Return the line diff from ``old`` to ``new``."""
    a, b = old.splitlines(), new.splitlines()
    result = FileDiff(old_label, new_label)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        hunk = Hunk(first[1] + 1 if last[2] > first[1] else first[1], last[2] - first[1],
                    first[3] + 1 if last[4] > first[3] else first[3], last[4] - first[3])
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.lines.extend(DiffLine("same", a[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2))
                continue
            hunk.lines.extend(DiffLine("removed", a[i], i + 1, None) for i in range(i1, i2))
            hunk.lines.extend(DiffLine("added", b[j], None, j + 1) for j in range(j1, j2))
        result.hunks.append(hunk)
    return result
