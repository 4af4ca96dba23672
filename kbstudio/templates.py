"""Templates for new documents: the KB's own ``_templates/`` first, else the built-in ones."""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from kbstudio.model import KINDS

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


def _yaml_scalar(value: str) -> str:
    """Quote a value when plain YAML would misread it."""
    if value == "" or re.search(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|: | #|\s$", value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def fill_template(text: str, values: dict[str, str], today: date | None = None) -> str:
    """Replace ``{{name}}`` placeholders; values inside the front matter are YAML-quoted."""
    today = today or date.today()
    merged = {
        "date": today.isoformat(),
        "review_by": (today + timedelta(days=REVIEW_AFTER_DAYS)).isoformat(),
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
        return _yaml_scalar(value) if match.start() < front_end else value

    return _PLACEHOLDER.sub(substitute, text)
