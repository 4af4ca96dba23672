"""Split a document into YAML front matter and body, and parse the YAML safely.

Values are read as the text written: no YAML 1.1 guessing of booleans, numbers or dates
(``title: No`` is the string ``No``, ``12:30`` stays ``12:30``). Only what every YAML version
reads as null is None: an empty value and a plain ``~``, ``null``, ``Null`` or ``NULL``. Each
field then converts its text by its declared type (``kbstudio.fields``); keys KB Studio does not
know keep their strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kbstudio.simple_yaml import read_simple

try:  # libyaml makes reading a large KB several times faster
    from yaml import CBaseLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import BaseLoader as _BaseLoader  # type: ignore[assignment]  # pure-Python stand-in, same interface

NULL_TAG = "tag:yaml.org,2002:null"


class _TextLoader(_BaseLoader):
    """A loader that resolves nothing but null: every other scalar is the string written."""


_TextLoader.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_TextLoader.add_constructor(NULL_TAG, lambda loader, node: None)

MAX_YAML_NODES = 10_000
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


@dataclass(frozen=True)
class Split:
    """A document's text cut into its front matter and its body."""

    yaml_text: str | None
    body: str
    yaml_line: int
    body_line: int
    unclosed: bool = False

    @property
    def has_front_matter(self) -> bool:
        """Return True when the document starts with a front-matter block."""
        return self.yaml_text is not None


class FrontMatterError(ValueError):
    """Front matter that cannot be read, with the line (1-based, in the file) when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _is_fence(line: str, closers: tuple[str, ...]) -> bool:
    return line.rstrip("\r\n").rstrip() in closers


# Where a closing line may start: '---' or '...' at the start of a line.
_CLOSER_START = re.compile(r"\n(?:---|\.\.\.)")
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _other_break_in(text: str) -> bool:
    """Return True when ``text`` has a line break str.splitlines knows besides "\n" and "\r\n"."""
    return any(char in text for char in _OTHER_BREAKS) or text.count("\r") != text.count("\r\n")


def split_front_matter(text: str) -> Split:
    """Cut ``text`` into front matter (between the first two ``---`` lines) and body.

    Lines are what ``str.splitlines`` makes of the text. Only the front matter is looked at: the
    body is the rest of the text, never split into lines and joined again (that took a tenth of
    the time of reading a document).
    """
    if not text.startswith("---"):
        return Split(None, text, 0, 1)
    first_end = text.find("\n") + 1 or len(text)
    closer = -1
    end = len(text)
    search_from = first_end - 1
    while first_end < len(text):
        found = _CLOSER_START.search(text, search_from)
        if found is None:
            break
        line_end = text.find("\n", found.end())
        line_end = len(text) if line_end < 0 else line_end + 1
        if _is_fence(text[found.start() + 1:line_end], ("---", "...")):
            closer, end = found.start() + 1, line_end
            break
        search_from = line_end - 1
    if _other_break_in(text[:end]):
        return _split_lines(text)   # a rare line break in the front matter: split as splitlines does
    if not _is_fence(text[:first_end], ("---",)):
        return Split(None, text, 0, 1)
    if closer < 0:
        return Split(None, text, 2, 1, unclosed=True)
    return Split(text[first_end:closer], text[end:], 2, text.count("\n", 0, closer) + 2)


def _split_lines(text: str) -> Split:
    """``split_front_matter`` by ``str.splitlines``: the reference, and the way for rare line breaks."""
    lines = text.splitlines(keepends=True)
    if not lines or not _is_fence(lines[0], ("---",)):
        return Split(None, text, 0, 1)
    for index in range(1, len(lines)):
        if _is_fence(lines[index], ("---", "...")):
            yaml_text = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return Split(yaml_text, body, 2, index + 2)
    return Split(None, text, 2, 1, unclosed=True)


def _check_node_tree(root: yaml.Node, yaml_line: int) -> None:
    """Refuse object-constructing tags and alias bombs before anything is constructed."""
    budget = MAX_YAML_NODES
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            raise FrontMatterError(
                f"front matter expands to more than {MAX_YAML_NODES:,} YAML nodes "
                "(anchors and aliases used as an alias bomb?)",
                yaml_line + root.start_mark.line,
            )
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise FrontMatterError(
                f"YAML tag {tag} is not allowed: tags that construct objects are refused",
                yaml_line + node.start_mark.line,
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(value)
                stack.append(key)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _duplicate_keys(root: yaml.MappingNode, yaml_line: int) -> list[tuple[str, int]]:
    seen: set[str] = set()
    duplicates: list[tuple[str, int]] = []
    for key, _ in root.value:
        name = str(key.value)
        if name in seen:
            duplicates.append((name, yaml_line + key.start_mark.line))
        seen.add(name)
    return duplicates


@dataclass(frozen=True)
class ParsedFrontMatter:
    """The front-matter mapping with the file line of each top-level key."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    duplicate_keys: list[tuple[str, int]]


def parse_front_matter(yaml_text: str, yaml_line: int = 2) -> ParsedFrontMatter:
    """Parse front matter safely; ``yaml_line`` is the file line the YAML starts on.

    Front matter in the plain subset most of it is written in is read without PyYAML
    (``kbstudio.simple_yaml``, same answer, several times faster); the rest goes to PyYAML.
    """
    simple = read_simple(yaml_text, yaml_line, MAX_YAML_NODES)
    if simple is not None:
        return ParsedFrontMatter(*simple)
    return parse_yaml_front_matter(yaml_text, yaml_line)


def parse_yaml_front_matter(yaml_text: str, yaml_line: int = 2) -> ParsedFrontMatter:
    """Parse front matter with PyYAML (what ``parse_front_matter`` does outside the simple subset)."""
    loader = _TextLoader(yaml_text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            last_line = yaml_line + max(yaml_text.count("\n") - 1, 0)
            line = min(yaml_line + mark.line, last_line) if mark is not None else None
            problem = error.problem or error.context or "invalid YAML"
            raise FrontMatterError(f"front matter is not valid YAML: {problem}", line) from None
        except yaml.YAMLError as error:
            raise FrontMatterError(f"front matter is not valid YAML: {error}", yaml_line) from None
        if node is None:
            return ParsedFrontMatter({}, {}, [])
        _check_node_tree(node, yaml_line)
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(
                "front matter must be a mapping of keys to values", yaml_line + node.start_mark.line
            )
        data: dict[str, Any] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise FrontMatterError("front matter keys must be names, not lists or mappings",
                                       yaml_line + key.start_mark.line)
            try:
                data[str(key.value)] = loader.construct_object(value, deep=True)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
                raise FrontMatterError(f"front matter cannot be read: {error}",
                                       yaml_line + key.start_mark.line) from None
    finally:
        loader.dispose()
    key_lines = {str(key.value): yaml_line + key.start_mark.line for key, _ in node.value}
    return ParsedFrontMatter(data, key_lines, _duplicate_keys(node, yaml_line))
