"""Change single front-matter fields in place, keeping every other byte of the file."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter

_ALIAS_TOKEN = re.compile(r"\*[^\s,\[\]{}#]+")


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


def _styled_value(value: Any, old_node: Node | None, old_value: Any) -> tuple[Any, int | None]:
    """Give the new value the old one's quoting or list style; return it and a list offset."""
    seq_offset: int | None = None
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(list(value))
        if isinstance(old_node, SequenceNode) and not old_node.flow_style and old_node.value:
            seq_offset = old_node.value[0].start_mark.column - 2
            seq_offset = max(seq_offset, 0)
        else:
            seq.fa.set_flow_style()
        return seq, seq_offset
    if isinstance(value, str) and "\n" not in value:
        if isinstance(old_value, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(value), None
        if isinstance(old_value, SingleQuotedScalarString):
            return SingleQuotedScalarString(value), None
    return value, None


def _dump(value: Any, seq_offset: int | None) -> str:
    mapping = CommentedMap()
    mapping["k"] = value
    stream = io.StringIO()
    _round_trip_yaml(seq_offset).dump(mapping, stream)
    return stream.getvalue().rstrip("\n").rstrip(" ")


def _reads_back(rendered: str, value: Any) -> bool:
    try:
        return _plain(parse_front_matter(rendered + "\n").data.get("k")) == _plain(value)
    except FrontMatterError:
        return False


def render_field(key_text: str, value: Any, seq_offset: int | None = None) -> str:
    """Render ``key: value`` as YAML (without a trailing newline), keeping ``key_text`` as is."""
    rendered = _dump(value, seq_offset)
    if not _reads_back(rendered, value):
        # ruamel writes YAML 1.2, where `yes` or `0o7` are plain strings; readers of YAML 1.1
        # (ours included) would take them as booleans or numbers, so quote such values.
        if isinstance(value, str):
            rendered = _dump(DoubleQuotedScalarString(value), seq_offset)
        elif isinstance(value, (list, tuple)):
            quoted = CommentedSeq(
                DoubleQuotedScalarString(v) if isinstance(v, str) else v for v in value
            )
            if getattr(value, "fa", None) is not None and value.fa.flow_style():
                quoted.fa.set_flow_style()
            rendered = _dump(quoted, seq_offset)
    return key_text + rendered[1:]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check_only_field_changed(old_yaml: str, new_yaml: str, key: str, value: Any) -> None:
    old = parse_front_matter(old_yaml).data
    new = parse_front_matter(new_yaml).data
    expected = dict(old)
    if value is _REMOVE:
        expected.pop(key, None)
    else:
        expected[key] = value
    if _plain(expected) != _plain(new):
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
        block = render_field(key, _styled_value(value, None, None)[0]).replace("\n", newline)
        return f"---{newline}{block}{newline}---{newline}{text}"
    yaml_text = split.yaml_text
    parse_front_matter(yaml_text, split.yaml_line)  # raises with a line on bad input
    yaml = _round_trip_yaml()
    root = yaml.compose(yaml_text)
    loaded = yaml.load(yaml_text) or CommentedMap()
    found = _find_key(root, key) if isinstance(root, MappingNode) else None
    if found is None:
        if value is _REMOVE:
            return text
        block = render_field(key, _styled_value(value, None, None)[0]).replace("\n", newline)
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
            styled, offset = _styled_value(value, value_node, loaded.get(key))
            block = render_field(key_text, styled, offset).replace("\n", newline)
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
