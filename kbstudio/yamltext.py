"""Writing YAML scalars that every YAML reader reads back as the string written.

A plain (unquoted) scalar is only written when YAML 1.1 readers (PyYAML, GitHub's and Jekyll's
libyaml-based readers), YAML 1.2 readers (ruamel.yaml) and KB Studio's own reader all take it for
that same string: ``No``, ``on``, ``~``, ``12:30``, ``0x1F``, ``1.10``, ``1e3``, ``2024-01-01``,
``.inf``, values with leading or trailing white space, ``: `` or `` #`` inside, a leading
indicator (``-``, ``[``, ``{``, ``*``, ``&``, ``!``, ``%``, ``@``, a backtick...) or any character
that is not printable are written double-quoted, with escapes, on one line.

No PyYAML or ruamel.yaml import here: ``kbstudio new`` fills templates with it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

# Characters a plain scalar may not start with (YAML indicators, quotes, and white space).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` \t")
# Words YAML 1.1 or 1.2 read as booleans, null, a merge key or a value key, in any letter case.
_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "", "<<", "="})
# What YAML 1.1 and 1.2 may read as a number, a date or a time: an optional sign, then a digit or a
# dot (``1.10``, ``0x1F``, ``12:30``, ``1_000``, ``.5``, ``.inf``, ``2024-01-01``).
_NUMBERISH = re.compile(r"[-+]?\.?[0-9]|[-+]?\.(?:inf|nan)\b", re.IGNORECASE)
_DATEISH = re.compile(r"[0-9]{4}-[0-9]")
# Flow collections end plain scalars at these (and some readers at ':' or '?').
_FLOW_INDICATORS = frozenset(",[]{}:?")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\\0"}


def printable(char: str) -> bool:
    """Return True for a character YAML allows unescaped inside a one-line scalar.

    YAML's printable set without line breaks (``\\n``, ``\\r``, NEL, LS, PS), the byte-order mark
    and tab, which readers treat differently inside scalars.
    """
    code = ord(char)
    if 0x20 <= code <= 0x7E:
        return True
    if code < 0xA0:
        return False
    if char in "\u2028\u2029\ufeff":
        return False
    return code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def plain_ok(text: str, flow: bool = False) -> bool:
    """Return True when ``text`` may be written unquoted and read back as exactly ``text``.

    ``flow`` is for an item of a ``[a, b]`` list, where ``,[]{}`` also end a plain scalar.
    """
    if not text or text[0] in _INDICATORS or text[-1] in " \t:" or text[0].isspace() or text[-1].isspace():
        return False
    if text.casefold() in _WORDS:
        return False
    if ": " in text or " #" in text or not all(printable(char) for char in text):
        return False
    if _NUMBERISH.match(text) and (not any(char.isspace() for char in text) or _DATEISH.match(text)):
        return False
    return not (flow and any(char in _FLOW_INDICATORS for char in text))


def single_quote_ok(text: str) -> bool:
    """Return True when ``text`` reads back the same single-quoted ('...', one line)."""
    return all(printable(char) for char in text)


def double_quoted(text: str) -> str:
    """Return ``text`` as a one-line YAML double-quoted scalar; every reader gets ``text`` back."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif printable(char):
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF
                       else f"\\U{code:08X}")
    return '"' + "".join(out) + '"'


def single_quoted(text: str) -> str:
    """Return ``text`` single-quoted (the caller checked ``single_quote_ok``)."""
    return "'" + text.replace("'", "''") + "'"


def scalar(value: Any, style: str | None = None, flow: bool = False) -> str:
    """Return ``value`` written as a YAML scalar.

    Strings keep ``style`` (``'"'`` or ``"'"``, the quoting the value had) when it can hold them,
    are plain when that is safe and double-quoted otherwise. Dates are written as plain
    ``YYYY-MM-DD`` dates; None is empty; booleans and numbers are written as YAML writes them.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if style == '"':
        return double_quoted(text)
    if style == "'" and single_quote_ok(text):
        return single_quoted(text)
    return text if plain_ok(text, flow) else double_quoted(text)


def flow_list(items: list[Any] | tuple[Any, ...]) -> str:
    """Return ``items`` as a one-line YAML flow sequence ``[a, "b: c"]``."""
    return "[" + ", ".join(scalar(item, flow=True) for item in items) + "]"


def scalar_text(value: Any) -> Any:
    """Return what KB Studio's reader gives back for ``scalar(value)``: strings, or None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return scalar(value)
