"""The document model: tiers, kinds, statuses, problems and loaded documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from kbstudio.fields import BY_NAME, LISTED
from kbstudio.fields import KINDS as KINDS  # the allowed values live with the fields; re-exported
from kbstudio.fields import STATUSES as STATUSES
from kbstudio.fields import TIERS as TIERS
from kbstudio.md_structure import parse_structure
from kbstudio.names import shown_name
from kbstudio.textformat import TextFormat

TIER_NAMES: dict[str, str] = {
    "L0": "Self-service",
    "L1": "Front line",
    "L2": "Technical generalists",
    "L3": "Specialists and engineering",
    "L4": "Outside vendors",
}
KCS_STATES: dict[str, str] = {
    "draft": "work in progress",
    "review": "not validated",
    "published": "validated",
    "archived": "archived",
}
ID_PREFIXES: dict[str, str] = {"article": "KB", "sop": "SOP"}

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a document, at a file and (when known) a line."""

    rule: str
    severity: str
    path: str
    line: int | None
    message: str

    def __reduce__(self) -> tuple[type[Problem], tuple[str, str, str, int | None, str]]:
        # Pickled as its five values: lint's worker processes send hundreds of thousands of them.
        return (Problem, (self.rule, self.severity, self.path, self.line, self.message))

    def to_json(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready dict."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }

    def __str__(self) -> str:
        path = shown_name(self.path)   # one safe line, whatever bytes or characters the name holds
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"


def tier_rank(tier: str | None) -> int:
    """Return 0-4 for L0-L4 and -1 for anything else."""
    return TIERS.index(tier) if tier in TIERS else -1


def as_text(value: Any) -> str | None:
    """Return a front-matter scalar as a stripped string, or None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=1024)
def first_h1(body: str) -> str | None:
    """Return the text of the first level-1 heading (ATX or setext) of a Markdown body, or None.

    The heading comes from the shared structure pass, so a ``# comment`` in a code block is none.
    Cached: a document without a front-matter title asks on every ``title`` read.
    """
    if "#" not in body and "=" not in body:
        return None
    return next((h.text for h in parse_structure(body).headings if h.level == 1 and h.text), None)


def as_text_list(value: Any) -> list[str]:
    """Return a front-matter list (or a comma-separated string) as a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return [str(value)]


def as_date(value: Any) -> date | None:
    """Return a front-matter date (a date and time counts as its date), or None when it is none."""
    return BY_NAME["review_by"].read(value)


class DocumentFields:
    """Front-matter fields read by their declared types: what ``Document`` and ``DocumentInfo`` share.

    A subclass has ``path``, ``rel_path``, ``meta``, ``problems``, ``readable`` and ``key_lines``,
    and says where its ``title`` falls back to.
    """

    __slots__ = ()
    path: Path
    rel_path: str
    meta: dict[str, Any]
    problems: list[Problem] | tuple[Problem, ...]
    readable: bool
    key_lines: dict[str, int]

    def value(self, name: str) -> Any:
        """Return front-matter field ``name`` read by its declared type (``kbstudio.fields``).

        A missing, empty or invalid value gives the field's default: None, ``[]`` for lists,
        ``article`` for ``kind``, ``draft`` for ``status``.
        """
        return BY_NAME[name].read(self.meta.get(name))

    def is_set(self, name: str) -> bool:
        """Return True when the front matter gives field ``name`` a value, valid or not."""
        return BY_NAME[name].is_set(self.meta.get(name))

    def shown(self, name: str) -> Any:
        """Return field ``name`` as the document presents it: its property (``title`` falls back
        to the first heading), else ``value(name)``."""
        if isinstance(getattr(type(self), name, None), property):
            return getattr(self, name)
        return self.value(name)

    @property
    def title(self) -> str:
        """Return the title: front matter, else first heading, else the file name."""
        return self.value("title") or self._first_heading() or self.path.stem

    def _first_heading(self) -> str | None:
        raise NotImplementedError

    @property
    def id(self) -> str | None:
        """Return the stable document id, such as KB-0042."""
        return self.value("id")

    @property
    def kind(self) -> str:
        """Return the document kind; anything unknown counts as an article."""
        return self.value("kind")

    @property
    def tier(self) -> str | None:
        """Return the tier L0-L4, or None when untiered or invalid."""
        return self.value("tier")

    @property
    def status(self) -> str:
        """Return the KCS status; missing or unknown counts as draft."""
        return self.value("status")

    @property
    def tags(self) -> list[str]:
        """Return the tags."""
        return self.value("tags")

    @property
    def products(self) -> list[str]:
        """Return the products the document applies to."""
        return self.value("products")

    @property
    def owner(self) -> str | None:
        """Return the owner."""
        return self.value("owner")

    @property
    def reviewers(self) -> list[str]:
        """Return the reviewers."""
        return self.value("reviewers")

    @property
    def review_by(self) -> date | None:
        """Return the review-by date (of a date and time, its date)."""
        return self.value("review_by")

    @property
    def escalates_to(self) -> str | None:
        """Return the tier an SOP escalates to."""
        return self.value("escalates_to")

    def summary(self) -> dict[str, Any]:
        """Return the listing fields (those ``listed`` in ``kbstudio.fields``) as a JSON-ready dict."""
        fields = {item.name: item.to_json(self.shown(item.name)) for item in LISTED}
        return {"id": fields.pop("id", self.id), "path": self.rel_path, **fields,
                "problems": [problem.to_json() for problem in self.problems]}


@dataclass
class Document(DocumentFields):
    """One Markdown document of a knowledge base, as read from disk: its fields and its whole text.

    What a KB keeps of every document while it is open is a ``DocumentInfo`` (``info()``): the
    same fields without the text, read again from disk when it is needed.
    """

    path: Path
    rel_path: str
    meta: dict[str, Any]
    body: str
    text: str
    content_hash: str
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    key_lines: dict[str, int] = field(default_factory=dict)
    bom: bool = False   # the file starts with a UTF-8 byte-order mark (``text`` does not)

    @property
    def text_format(self) -> TextFormat:
        """Return the line endings and BOM to write this document back with."""
        return TextFormat.of_text(self.text, self.bom)

    def _first_heading(self) -> str | None:
        return first_h1(self.body)

    @property
    def root(self) -> Path:
        """Return the folder of the KB the document was read from."""
        return self.path.parents[self.rel_path.count("/")]

    def info(self, root: Path | None = None) -> DocumentInfo:
        """Return what lists and filters need of this document, without its text.

        ``root`` is the KB root (``self.root``) when the caller has it: one Path shared by many
        DocumentInfo instead of one worked out for each.
        """
        heading = None if self.value("title") else first_h1(self.body)
        return DocumentInfo(root or self.root, self.rel_path, known_fields(self.meta),
                            tuple(self.problems), self.readable, known_fields(self.key_lines), heading)


@dataclass(eq=False, slots=True)
class DocumentInfo(DocumentFields):
    """What lists, filters and the cross-document lint rules need of a document: about 1 KB.

    The known fields (``kbstudio.fields``) of the front matter and their lines, the reader's
    problems, and the first heading when the front matter has no title; never the text, which
    ``kbstudio.reader.full_document`` reads from disk when it is wanted. A 25,000-document KB
    kept as ``Document`` objects held every file twice (text and body): about 400 MB.
    """

    root: Path
    rel_path: str
    meta: dict[str, Any]
    problems: tuple[Problem, ...] = ()
    readable: bool = True
    key_lines: dict[str, int] = field(default_factory=dict)
    heading: str | None = None   # the first level-1 heading, kept only when the front matter has no title

    @property
    def path(self) -> Path:   # type: ignore[override]  # worked out, not kept: a Path is 0.7 KB
        """Return the document's file."""
        return self.root / self.rel_path

    def _first_heading(self) -> str | None:
        return self.heading

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled as its values (scan and lint send one per document from their worker processes),
        # the root as text: a Path made again for every document was two thirds of unpickling.
        return (_unpickled_info, (str(self.root), self.rel_path, self.meta, self.problems, self.readable,
                                  self.key_lines, self.heading))


@lru_cache(maxsize=16)
def _root_path(text: str) -> Path:
    """Return the Path of a KB root: one object for every DocumentInfo unpickled with that root."""
    return Path(text)


def _unpickled_info(root: str, *values: Any) -> DocumentInfo:
    """Return a DocumentInfo sent by a worker process (``DocumentInfo.__reduce__``)."""
    return DocumentInfo(_root_path(root), *values)


def known_fields(mapping: dict[str, Any]) -> dict[str, Any]:
    """Return the entries of ``mapping`` whose keys are front-matter fields KB Studio knows."""
    return {key: value for key, value in mapping.items() if key in BY_NAME}
