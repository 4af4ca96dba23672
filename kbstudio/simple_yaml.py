"""Front matter in the plain subset of YAML most of it is written in, read without a YAML parser.

Reading a 25,000-document KB spent most of its time in PyYAML (libyaml composes in C, but every
node is resolved and constructed by Python callbacks): about 0.1 ms per document. Nearly every
front matter is lines of ``key: value``, ``key: [a, b]`` and ``key:`` followed by ``- item``
lines; ``read_simple`` reads exactly those, five to ten times faster, and answers None for
anything else (a comment after a value, a multi-line or escaped string, a nested mapping, an
anchor, a tab, a character YAML treats specially), which ``kbstudio.frontmatter`` then gives to
PyYAML as before. Where it answers, the answer is what PyYAML's reading gives: the same values
(text as written, None for an empty value and ``~``/``null``/``Null``/``NULL``), the same key
lines and duplicate keys (a property test compares the two on generated front matter).
"""

from __future__ import annotations

import re
from typing import Any

# What YAML reads as null when written plainly (kbstudio.frontmatter's only implicit resolver).
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

# A plain value starts with a letter or digit of any script or one of these, and holds no ': ',
# no ' #' and does not end in ':'; trailing spaces are not part of it.
_FIRST = r"(?:[^\W_]|[(./\\$^~+=;<)_])"
_PLAIN = _FIRST + r"[^\n\r: #]*+(?:(?::(?=[^ \n\r])| ++(?=[^ \n\r#])|#)[^\n\r: #]*+)*+"
_SINGLE = r"'[^'\n\r]*+(?:''[^'\n\r]*+)*+'"
_DOUBLE = r'"[^"\\\n\r]*"'
# One-line flow lists of plain items: [a, b c]; none of , [ ] { } : # ' " ? ! & * | > % @ ` inside.
_FLOW_CHAR = r"[^\n\r,\[\]{}:#'\"?!&*|>%@` ]"
_FLOW_ITEM = _FIRST + _FLOW_CHAR + r"*+(?: ++(?=[^ ,\]\n\r])" + _FLOW_CHAR + r"*+)*+"
_FLOW = r"\[ *(?:" + _FLOW_ITEM + r"(?: *, *" + _FLOW_ITEM + r")*)? *\]"
_KEY = r"(?!(?:null|Null|NULL):)[A-Za-z_][A-Za-z0-9_.\-/]*"
# One line: a key with a value or none, an item, or a blank or comment line; then the line end.
_LINE = re.compile(
    r"(?:(" + _KEY + r"):(?: +(" + _PLAIN + "|" + _SINGLE + "|" + _DOUBLE + "|" + _FLOW + r"))?"
    r"|( *)- +(" + _PLAIN + "|" + _SINGLE + "|" + _DOUBLE + r")"
    r"| *(?:#[^\n]*)?) *\r?(?:\n|\Z)")
# Anything outside printable ASCII and the plain Unicode planes (tabs, control characters, NEL and
# the Unicode line separators, byte-order marks, surrogates) and any carriage return not before a
# line feed: YAML gives those meanings this reader does not follow.
_UNSAFE_CHAR = re.compile("[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                          "\U00010000-\U0010ffff]")
_ASCII_SAFE = bytes(range(0x20, 0x7F)) + b"\n\r"


def _unsafe(text: str) -> bool:
    """Return True when ``text`` holds a character or line break outside the subset."""
    if text.count("\r") != text.count("\r\n"):
        return True
    if text.isascii():   # the usual case, checked in C without a regex
        return bool(text.encode("ascii").translate(None, _ASCII_SAFE))
    return _UNSAFE_CHAR.search(text) is not None


def _value(text: str) -> Any:
    """Return the value of a matched scalar or flow list."""
    first = text[0]
    if first == "'":
        return text[1:-1].replace("''", "'")
    if first == '"':
        return text[1:-1]
    if first == "[":
        inside = text[1:-1]
        if not inside.strip(" "):
            return []
        return [None if item in NULLS else item for item in (part.strip(" ") for part in inside.split(","))]
    return None if text in NULLS else text


def read_simple(yaml_text: str, yaml_line: int, max_nodes: int
                ) -> tuple[dict[str, Any], dict[str, int], list[tuple[str, int]]] | None:
    """Return (data, key lines, duplicate keys) of front matter in the simple subset, else None.

    ``yaml_line`` is the file line of the first YAML line; None also when the front matter would
    have more than ``max_nodes`` YAML nodes (PyYAML then reports it).
    """
    if _unsafe(yaml_text):
        return None
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    open_key: str | None = None      # a key written with no value: items may follow
    items: list[Any] | None = None   # the items of the open key, once one came
    item_indent = -1
    nodes = 1
    position, end, number = 0, len(yaml_text), 0
    match_line = _LINE.match
    while position < end:
        match = match_line(yaml_text, position)
        if match is None:
            return None
        key, value, indent, item = match.groups()
        if key is not None:
            if key in key_lines:
                duplicates.append((key, yaml_line + number))
            key_lines[key] = yaml_line + number
            nodes += 2
            items, item_indent = None, -1
            if value is None:
                open_key, data[key] = key, None
            else:
                open_key, data[key] = None, _value(value)
                if value[0] == "[":
                    nodes += len(data[key])
        elif item is not None:
            if open_key is None:
                return None
            if items is None:
                items, item_indent = [], len(indent)
                data[open_key] = items
            elif len(indent) != item_indent:
                return None
            items.append(_value(item))
            nodes += 1
        position = match.end()
        number += 1
    if nodes > max_nodes:
        return None
    return data, key_lines, duplicates
