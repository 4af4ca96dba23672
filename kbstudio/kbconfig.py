"""Where a KB's documents are on the web, so hand-off notes can link them: ``.kbstudio/links.yaml``.

Kept in the KB and shared through git with it, beside ``.kbstudio/review.yaml``::

    # A document's KB path is added to the end of web_base (articles/email/outlook.md), or written
    # where {path}, {page} (the path without .md) or {id} (KB-0019) stand in it.
    web_base: https://kb.example.com/

The file is optional: without it, links in hand-off notes name documents by id and title only. It is
read with the front-matter reader (no YAML tags, no type guessing). A file that cannot be read, an
unknown setting, or a web_base that is not an http(s) address is reported in ``KbConfig.problems`` and
ignored: the note is still written, without web addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.kb import STATE_FOLDER
from kbstudio.names import nfc

CONFIG_FILE = "links.yaml"
CONFIG_PATH = f"{STATE_FOLDER}/{CONFIG_FILE}"
_PLACEHOLDERS = ("{path}", "{page}", "{id}")
_KNOWN = ("web_base",)


@dataclass(frozen=True)
class KbConfig:
    """The KB's shared settings as read; ``problems`` says what was ignored and why."""

    web_base: str | None = None
    problems: tuple[str, ...] = ()

    def document_url(self, rel_path: str, doc_id: str | None = None) -> str | None:
        """Return the absolute web address of the document at KB path ``rel_path``, or None."""
        base = self.web_base
        if not base or not rel_path:
            return None
        path = quote(nfc(rel_path), safe="/")
        page = path[:-3] if path.endswith(".md") else path
        if not any(mark in base for mark in _PLACEHOLDERS):
            return (base if base.endswith("/") else base + "/") + path
        if "{id}" in base and not doc_id:
            return None
        return (base.replace("{path}", path).replace("{page}", page)
                .replace("{id}", quote(doc_id or "", safe="")))


def load_kb_config(root: Path) -> KbConfig:
    """Read ``.kbstudio/links.yaml`` of the KB at ``root`` (the defaults when there is none)."""
    path = Path(root) / STATE_FOLDER / CONFIG_FILE
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        return KbConfig()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        return KbConfig(problems=(f"{CONFIG_PATH}: cannot be read: {reason}",))
    split = split_front_matter(text)
    try:
        data = parse_front_matter(split.yaml_text if split.yaml_text is not None else text, 1).data
    except FrontMatterError as error:
        where = f" (line {error.line})" if error.line else ""
        return KbConfig(problems=(f"{CONFIG_PATH}: cannot be read: {error.message}{where}",))
    problems = [f"{CONFIG_PATH}: unknown setting {key!r} (known: {', '.join(_KNOWN)})"
                for key in sorted(set(data) - set(_KNOWN))]
    base = data.get("web_base")
    if base is None or base == "":
        return KbConfig(problems=tuple(problems))
    if not isinstance(base, str) or not base.strip().lower().startswith(("https://", "http://")):
        problems.append(f"{CONFIG_PATH}: web_base must be an http:// or https:// address, not {base!r}; "
                        "hand-off notes name documents without a web link")
        return KbConfig(problems=tuple(problems))
    return KbConfig(web_base=base.strip(), problems=tuple(problems))
