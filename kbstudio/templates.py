"""Templates for new documents: the KB's own ``_templates/`` first, else the built-in ones."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from kbstudio.model import KINDS
from kbstudio.yamltext import scalar

TEMPLATE_FOLDER = "_templates"
REVIEW_AFTER_DAYS = 180
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def builtin_template(kind: str) -> str:
    """Return the built-in template text for ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind '{kind}'")
    return resources.files("kbstudio").joinpath("templates", f"{kind}.md").read_text("utf-8")


def template_text(root: Path, kind: str) -> str:
    """Return the KB's template for ``kind`` when it has a readable one, else the built-in one."""
    custom = root / TEMPLATE_FOLDER / f"{kind}.md"
    try:
        return custom.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return builtin_template(kind)


def _control_characters(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in value)


def fill_template(text: str, values: dict[str, str], today: date | None = None) -> str:
    """Replace ``{{name}}`` placeholders; values inside the front matter are YAML-quoted when needed.

    Text is quoted so that it reads back as the text given (``No``, ``12:30``, ``0x1F``: see
    ``kbstudio.yamltext``); ``{{date}}`` and ``{{review_by}}`` are plain ``YYYY-MM-DD`` dates.
    A value with control characters (other than tab and line breaks) is refused with ValueError.
    """
    today = today or date.today()
    for name, value in values.items():
        if _control_characters(value):
            raise ValueError(f"{name} contains control characters")
    merged: dict[str, str | date] = {
        "date": today,
        "review_by": today + timedelta(days=REVIEW_AFTER_DAYS),
        **values,
    }
    front_end = -1
    if text.startswith("---"):
        front_end = text.find("\n---", 3)

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in merged:
            return match.group(0)
        value = merged[name]
        if match.start() < front_end:
            return scalar(value)
        return value.isoformat() if isinstance(value, date) else value

    return _PLACEHOLDER.sub(substitute, text)
