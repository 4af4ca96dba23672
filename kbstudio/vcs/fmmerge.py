"""Three-way merge of a document: front matter field by field, the body line by line."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from kbstudio.fmedit import FrontMatterEditError, field_yaml, remove_field, set_field
from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.vcs.commit import has_conflict_markers
from kbstudio.vcs.runner import GitRunner

_MISSING = object()


def merge_lines(base: str, mine: str, theirs: str, runner: GitRunner) -> str | None:
    """Return git's clean three-way merge of three texts, or None when they conflict."""
    if mine == theirs or theirs == base:
        return mine
    if mine == base:
        return theirs
    with tempfile.TemporaryDirectory(prefix="kbstudio-merge-") as folder:
        files = []
        for name, text in (("mine", mine), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            files.append(name)
        out = runner.at(Path(folder))("merge-file", "-p", "--", *files, check=False)
    return out.stdout if out.returncode == 0 else None


def _fields(text: str) -> tuple[dict[str, Any], str] | None:
    split = split_front_matter(text)
    if split.yaml_text is None or split.unclosed:
        return None
    try:
        parsed = parse_front_matter(split.yaml_text, split.yaml_line)
    except FrontMatterError:
        return None
    if parsed.duplicate_keys:
        return None
    return parsed.data, split.body


def merge_document(base: str, mine: str, theirs: str, runner: GitRunner) -> str | None:
    """Merge a document whose sides changed different front-matter fields; None when a field or
    body line was changed differently on both sides."""
    parts = [_fields(text) for text in (base, mine, theirs)]
    if any(part is None for part in parts):
        return None
    (base_meta, base_body), (mine_meta, mine_body), (their_meta, their_body) = parts  # type: ignore[misc]
    body = merge_lines(base_body, mine_body, their_body, runner)
    if body is None:
        return None
    mine_split = split_front_matter(mine)
    merged = mine[: len(mine) - len(mine_split.body)] + body
    try:
        for key in dict.fromkeys([*mine_meta, *their_meta, *base_meta]):
            old = base_meta.get(key, _MISSING)
            ours = mine_meta.get(key, _MISSING)
            new = their_meta.get(key, _MISSING)
            if new == ours or new == old:
                continue
            if ours != old:
                return None  # both sides changed this field, differently
            if new is _MISSING:
                merged = remove_field(merged, key)
            else:  # their value exactly as they wrote it: a date stays a date, quoting stays
                try:
                    merged = set_field(merged, key, field_yaml(theirs, key))
                except FrontMatterError:   # an alias to an anchor only theirs has: the value it stands for
                    merged = set_field(merged, key, new)
    except (FrontMatterEditError, FrontMatterError):
        return None
    return None if has_conflict_markers(merged) else merged
