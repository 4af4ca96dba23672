"""Change single front-matter fields in place, keeping every other byte of the file.

Strings are written so that every YAML reader gets them back unchanged: plain when that is safe,
else double-quoted (``kbstudio.yamltext``); ``No``, ``12:30`` or ``2024-01-01`` given as text are
quoted, a ``date`` is written as a plain date. Each edit is checked by reading the result back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.yamltext import flow_list, plain_ok, scalar, scalar_text

_ALIAS_TOKEN = re.compile(r"\*[^\s,\[\]{}#]+")
_SCALARS = (str, date, int, float, bool, type(None))


class RawYAML(str):
    """A field value already written as YAML: the text after ``key:`` (``" [a, b]"``), kept as is.

    ``field_yaml`` returns one from another version of a document, so a merge can copy a field
    exactly as the other side wrote it.
    """


class FrontMatterEditError(FrontMatterError):
    """A field edit that could not be made without touching other fields."""


def _round_trip_yaml(seq_offset: int | None = None) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    if seq_offset is not None:
        yaml.indent(mapping=2, sequence=seq_offset + 2, offset=seq_offset)
    return yaml


def _last_char_end(node: Node) -> int:
    """Return the stream index just past the last character of a value node."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_char_end(last[1] if isinstance(node, MappingNode) else last)
    return node.end_mark.index


def _find_key(root: MappingNode, key: str) -> tuple[Node, Node] | None:
    for key_node, value_node in root.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _value_span(yaml_text: str, key_node: Node, value_node: Node) -> tuple[int, int]:
    """Return the [start, end) character span of ``key: value`` inside ``yaml_text``."""
    start = key_node.start_mark.index
    if value_node.start_mark.index < key_node.end_mark.index:  # an alias to an earlier anchor
        line_end = yaml_text.find("\n", key_node.end_mark.index)
        line_end = len(yaml_text) if line_end < 0 else line_end
        match = _ALIAS_TOKEN.search(yaml_text, key_node.end_mark.index, line_end)
        return start, match.end() if match else key_node.end_mark.index + 1
    if isinstance(value_node, ScalarNode) and value_node.value == "" and not value_node.style:
        colon = yaml_text.find(":", key_node.end_mark.index)
        return start, colon + 1  # an empty value: its node ends only where the next key starts
    end = _last_char_end(value_node)
    while end > key_node.end_mark.index and yaml_text[end - 1] in " \t\r\n":
        end -= 1
    return start, end


def _old_style(old_node: Node | None) -> tuple[str | None, int | None]:
    """Return the old value's quote style and, for a block list, the column of its ``-``."""
    if isinstance(old_node, ScalarNode) and old_node.style in ('"', "'"):
        return old_node.style, None
    if isinstance(old_node, SequenceNode) and not old_node.flow_style and old_node.value:
        return None, max(old_node.value[0].start_mark.column - 2, 0)
    return None, None


def _quote_leaves(value: Any) -> Any:
    """Return nested data for ruamel with every string that needs quotes double-quoted."""
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _quote_leaves(item)
        return mapping
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_quote_leaves(item) for item in value)
    if isinstance(value, str) and not plain_ok(value):
        return DoubleQuotedScalarString(value)
    return value


def _dump(value: Any, seq_offset: int | None) -> str:
    mapping = CommentedMap()
    mapping["k"] = _quote_leaves(value)
    stream = io.StringIO()
    _round_trip_yaml(seq_offset).dump(mapping, stream)
    return stream.getvalue().rstrip("\n").rstrip(" ")


def render_field(key_text: str, value: Any, seq_offset: int | None = None, style: str | None = None) -> str:
    """Render ``key: value`` as YAML (without a trailing newline), keeping ``key_text`` as is.

    ``style`` is the quote style to keep for a string (``'"'`` or ``"'"``) when it can hold it;
    ``seq_offset`` writes a list as a block list with its ``-`` at that column, else a flow list.
    """
    if isinstance(value, RawYAML):
        return key_text + ":" + value
    if isinstance(value, _SCALARS):
        text = scalar(value, style)
        return f"{key_text}: {text}" if text else f"{key_text}:"
    if isinstance(value, (list, tuple)) and all(isinstance(item, _SCALARS) for item in value):
        if seq_offset is None or not value:
            return f"{key_text}: {flow_list(value)}"
        pad = " " * seq_offset
        return key_text + ":" + "".join(f"\n{pad}- {scalar(item)}".rstrip(" ") for item in value)
    return key_text + _dump(value, seq_offset)[1:]


def _expected(value: Any) -> Any:
    """Return what KB Studio's reader gives back for ``value`` once written."""
    if isinstance(value, RawYAML):
        return parse_front_matter("k:" + value + "\n").data.get("k")
    if isinstance(value, Mapping):
        return {str(key): _expected(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_expected(item) for item in value]
    return scalar_text(value)


def _check_only_field_changed(old_yaml: str, new_yaml: str, key: str, value: Any) -> None:
    old = parse_front_matter(old_yaml).data
    new = parse_front_matter(new_yaml).data
    expected = dict(old)
    if value is _REMOVE:
        expected.pop(key, None)
    else:
        try:
            expected[key] = _expected(value)
        except FrontMatterError:
            raise FrontMatterEditError(f"the new value of '{key}' is not valid YAML") from None
    if expected != new:
        raise FrontMatterEditError(f"could not change '{key}' without changing other fields")


_REMOVE = object()


def _edit(text: str, key: str, value: Any) -> str:
    split = split_front_matter(text)
    newline = "\r\n" if "\r\n" in text[:200] else "\n"
    if split.unclosed:
        raise FrontMatterEditError("the front matter has no closing '---' line", 1)
    if split.yaml_text is None:
        if value is _REMOVE:
            return text
        block = render_field(key, value).replace("\n", newline)
        return f"---{newline}{block}{newline}---{newline}{text}"
    yaml_text = split.yaml_text
    parse_front_matter(yaml_text, split.yaml_line)  # raises with a line on bad input
    root = _round_trip_yaml().compose(yaml_text)
    found = _find_key(root, key) if isinstance(root, MappingNode) else None
    if found is None:
        if value is _REMOVE:
            return text
        block = render_field(key, value).replace("\n", newline)
        if yaml_text and not yaml_text.endswith("\n"):
            yaml_text += newline
        new_yaml = yaml_text + block + newline
    else:
        key_node, value_node = found
        start, end = _value_span(yaml_text, key_node, value_node)
        if value is _REMOVE:
            line_end = yaml_text.find("\n", end)
            end = len(yaml_text) if line_end < 0 else line_end + 1
            new_yaml = yaml_text[:start] + yaml_text[end:]
        else:
            key_text = yaml_text[start : key_node.end_mark.index]
            style, offset = _old_style(value_node)
            block = render_field(key_text, value, offset, style).replace("\n", newline)
            new_yaml = yaml_text[:start] + block + yaml_text[end:]
    _check_only_field_changed(split.yaml_text, new_yaml, key, value)
    opening = text.splitlines(keepends=True)[0]
    closing = text[len(opening) + len(split.yaml_text) : len(text) - len(split.body)]
    return opening + new_yaml + closing + split.body


def set_field(text: str, key: str, value: Any) -> str:
    """Return ``text`` with front-matter ``key`` set to ``value``; nothing else changes."""
    return _edit(text, key, value)


def remove_field(text: str, key: str) -> str:
    """Return ``text`` without front-matter ``key``; nothing else changes."""
    return _edit(text, key, _REMOVE)


def field_yaml(text: str, key: str) -> RawYAML | None:
    """Return how front-matter ``key`` is written in ``text`` (the YAML after ``key:``), or None.

    An alias (``*name``) is returned as written; setting it in another text needs the anchor there.
    """
    split = split_front_matter(text)
    if split.yaml_text is None:
        return None
    yaml_text = split.yaml_text.replace("\r\n", "\n")
    root = _round_trip_yaml().compose(yaml_text)
    found = _find_key(root, key) if isinstance(root, MappingNode) else None
    if found is None:
        return None
    key_node, value_node = found
    _, end = _value_span(yaml_text, key_node, value_node)
    colon = yaml_text.find(":", key_node.end_mark.index)
    return RawYAML(yaml_text[colon + 1 : end])


def field_span(text: str, key: str) -> tuple[int, int] | None:
    """Return the [start, end) of the whole lines that hold front-matter ``key`` in LF ``text``, or None.

    A merge puts its conflict markers around them.
    """
    split = split_front_matter(text)
    if split.yaml_text is None or split.unclosed:
        return None
    yaml_text = split.yaml_text
    root = _round_trip_yaml().compose(yaml_text)
    found = _find_key(root, key) if isinstance(root, MappingNode) else None
    if found is None:
        return None
    start, end = _value_span(yaml_text, *found)
    start = yaml_text.rfind("\n", 0, start) + 1
    line_end = yaml_text.find("\n", end)
    end = len(yaml_text) if line_end < 0 else line_end + 1
    offset = len(text.splitlines(keepends=True)[0])
    return offset + start, offset + end
