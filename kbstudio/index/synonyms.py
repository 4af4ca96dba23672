"""The team's synonyms and acronyms, applied at query time: ``.kbstudio/synonyms.yaml``.

Callers say "GlobalProtect" or "remote access" where the article says "VPN". The KB keeps a list of
words that mean the same, versioned and shared through git with the content::

    # Each entry is a term and a list of its equivalents; every term of an entry finds the others.
    VPN: [GlobalProtect, remote access]
    MFA: [2FA, two-factor, Authenticator]

Terms are compared as search compares words: in Unicode NFC, lower case, split into words by
``\\w+(?:\\.\\w+)*`` (``two-factor`` is the two words ``two factor``, ``5.7.1`` is one word). A term
listed in two entries joins them into one group. ``load_synonyms`` reads the file and never raises:
what it cannot use is reported in ``SynonymTable.issues`` (file line and message) and left out,
and everything else is still used. ``SynonymTable.find`` is what a search calls for each query.

The file is composed with PyYAML's base (text-only) loader and never constructed: tags are
refused, every value is the text written (``yes`` and ``0x10`` stay text), and the size, entry and
term limits below bound what anchors and aliases can expand to. The front-matter reader is not used
because this file needs the line of every list item and may hold more than its 10,000 nodes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kbstudio.kb import STATE_FOLDER
from kbstudio.names import nfc

try:  # libyaml composes a large file several times faster
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]

SYNONYMS_FILE = "synonyms.yaml"
SYNONYMS_PATH = f"{STATE_FOLDER}/{SYNONYMS_FILE}"
MAX_BYTES = 1_000_000
MAX_ENTRIES = 5_000
MAX_TERMS = 50_000
WORD = re.compile(r"\w+(?:\.\w+)*")
_STR_TAG = "tag:yaml.org,2002:str"
_EXAMPLE = "VPN: [GlobalProtect, remote access]"

Words = tuple[str, ...]


def term_words(text: str) -> Words:
    """Return the words of ``text`` as search compares them: NFC, split by ``WORD``, lower case."""
    return tuple(nfc(word.lower()) for word in WORD.findall(nfc(text)))


def _key(word: str) -> str:
    return nfc(nfc(word).lower())


@dataclass(frozen=True)
class SynonymTerm:
    """One term of a group: as written (spaces collapsed, NFC), its words, and its file line."""

    text: str
    words: Words
    line: int


@dataclass(frozen=True)
class SynonymGroup:
    """Terms that mean the same, distinct by their words, in the order the file first gives them."""

    terms: tuple[SynonymTerm, ...]

    @property
    def name(self) -> str:
        """Return the terms as one line for display: ``VPN, GlobalProtect, remote access``."""
        return ", ".join(term.text for term in self.terms)


@dataclass(frozen=True)
class SynonymMatch:
    """``words[start:end]`` of a query is a term; ``alternatives`` are the group's other terms' words."""

    start: int
    end: int
    alternatives: tuple[Words, ...]


@dataclass(frozen=True)
class SynonymProblem:
    """Something in the file that is not used, at its file line (None for the whole file)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{SYNONYMS_PATH}:{self.line}" if self.line else SYNONYMS_PATH
        return f"{where}: {self.message}"


class SynonymTable:
    """The groups of a KB's synonyms file, indexed for ``find``; immutable once built."""

    def __init__(self, groups: Sequence[SynonymGroup] = (), issues: Sequence[SynonymProblem] = ()) -> None:
        self.groups: tuple[SynonymGroup, ...] = tuple(groups)
        self.issues: tuple[SynonymProblem, ...] = tuple(issues)
        self._alternatives: dict[Words, tuple[Words, ...]] = {}
        lengths: dict[str, set[int]] = {}
        for group in self.groups:
            for term in group.terms:
                others = tuple(other.words for other in group.terms if other is not term)
                self._alternatives[term.words] = others
                lengths.setdefault(term.words[0], set()).add(len(term.words))
        self._lengths = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}

    @property
    def problems(self) -> tuple[str, ...]:
        """Return the issues as lines of text: ``.kbstudio/synonyms.yaml:4: message``."""
        return tuple(str(issue) for issue in self.issues)

    @property
    def is_empty(self) -> bool:
        """Return True when there is no group to apply (no file, or nothing usable in it)."""
        return not self.groups

    def find(self, words: Sequence[str]) -> list[SynonymMatch]:
        """Return the terms found in a query's ``words`` (in order, split by ``WORD``).

        Matches are taken left to right, the longest term first at each word, and never overlap.
        Words are compared in NFC and lower case, so they may be passed as typed.
        """
        if not self._lengths or not words:
            return []
        keys = [_key(word) for word in words]
        found: list[SynonymMatch] = []
        start = 0
        while start < len(keys):
            step = 1
            for length in self._lengths.get(keys[start], ()):
                if start + length > len(keys):
                    continue
                alternatives = self._alternatives.get(tuple(keys[start:start + length]))
                if alternatives is not None:
                    found.append(SynonymMatch(start, start + length, alternatives))
                    step = length
                    break
            start += step
        return found


def load_synonyms(kb_root: Path) -> SynonymTable:
    """Read ``.kbstudio/synonyms.yaml`` of the KB at ``kb_root``; an empty table when there is none.

    Never raises: a file that cannot be read, is over ``MAX_BYTES`` or is not a mapping gives an
    empty table with one issue; invalid YAML loses only the entries it breaks; a bad entry or item
    is reported at its line and left out.
    """
    path = Path(kb_root) / STATE_FOLDER / SYNONYMS_FILE
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            too_large = f"is {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:g} MB limit: no synonyms are used"
            return SynonymTable(issues=[SynonymProblem(None, too_large)])
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return SynonymTable()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        return SynonymTable(issues=[SynonymProblem(None, f"cannot be read: {reason}; no synonyms are used")])
    return parse_synonyms(text)


def parse_synonyms(text: str) -> SynonymTable:
    """Read the text of a synonyms file (see ``load_synonyms``); file lines count from 1."""
    reader = _Reader()
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        reader.salvage(text, error)
    except RecursionError:   # only the pure-Python composer recurses; libyaml limits the nesting itself
        reader.report(1, "nested too deeply to read; no synonyms are used")
    else:
        if root is not None:
            reader.read(root, 1)
    return reader.table()


def _yaml_error(error: yaml.YAMLError, text: str, first_line: int) -> tuple[int, str]:
    """Return the file line and the reason of a YAML error in ``text`` (which starts at ``first_line``)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        line = mark.line
    else:  # a reader error (a character YAML does not allow) knows its position only
        line = text.count("\n", 0, max(getattr(error, "position", 0) or 0, 0))
    if isinstance(error, yaml.MarkedYAMLError):
        reason = str(error.problem or error.context or "invalid YAML")
        if error.context and reason.startswith("but "):   # "expected a single document ..., but found ..."
            reason = f"{error.context} {reason}"
    else:
        reason = str(getattr(error, "reason", None) or error).splitlines()[0]
    return first_line + min(line, text.rstrip("\n").count("\n")), reason


class _Reader:
    """Entries read from composed YAML, with the issues found and the limits counted."""

    def __init__(self) -> None:
        self.issues: list[SynonymProblem] = []
        self.entries: list[tuple[SynonymTerm | None, list[SynonymTerm], int]] = []
        self.terms = 0
        self.full = False

    def report(self, line: int | None, message: str) -> None:
        """Note something that is not used, at file line ``line``."""
        self.issues.append(SynonymProblem(line, message))

    def _room(self, line: int) -> bool:
        """Count one more term; False (reported once) when the entry or term limit is reached."""
        if not self.full and (len(self.entries) >= MAX_ENTRIES or self.terms >= MAX_TERMS):
            limit = f"{MAX_ENTRIES:,} entries" if len(self.entries) >= MAX_ENTRIES else f"{MAX_TERMS:,} terms"
            self.report(line, f"more than {limit}: this entry and the ones after it are not used")
            self.full = True
        self.terms += 1
        return not self.full

    def salvage(self, text: str, error: yaml.YAMLError) -> None:
        """Read an invalid file entry by entry (an entry starts at a line that is not indented)."""
        found = len(self.issues)
        lines = text.split("\n")
        starts = [index for index, line in enumerate(lines)
                  if line[:1] not in ("", " ", "\t", "#") and line.rstrip() not in ("---", "...")]
        for position, start in enumerate(starts):
            end = starts[position + 1] if position + 1 < len(starts) else len(lines)
            chunk = "\n".join("" if line.rstrip() in ("---", "...") else line for line in lines[start:end])
            try:
                node = yaml.compose(chunk, Loader=_Loader)
            except RecursionError:
                self.report(start + 1, "nested too deeply to read; this entry is not used")
                continue
            except yaml.YAMLError as chunk_error:
                line, reason = _yaml_error(chunk_error, chunk, start + 1)
                last = start + 1 + chunk.rstrip("\n").count("\n")
                span = f"line {start + 1}" if last == start + 1 else f"lines {start + 1}-{last}"
                self.report(line, f"not valid YAML: {reason}; the entry on {span} is not used")
                continue
            if node is not None:
                self.read(node, start + 1)
        if len(self.issues) == found:   # no entry alone is wrong: report what was wrong with the whole
            line, reason = _yaml_error(error, text, 1)
            self.report(line, f"not valid YAML: {reason}; the entries were read one by one")

    def term(self, node: yaml.Node, first_line: int, owner: str | None) -> SynonymTerm | None:
        """Return the term a scalar node writes, or None with the reason in ``issues``."""
        line = first_line + node.start_mark.line
        what = f"an equivalent of '{owner}'" if owner is not None else "a term"
        if not isinstance(node, yaml.ScalarNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            self.report(line, f"{what} must be text, not {kind}; it is not used")
            return None
        if node.tag != _STR_TAG:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.report(line, f"YAML tag {tag} is not allowed; {what} is not used")
            return None
        text = " ".join(nfc(str(node.value)).split())
        if not text:
            self.report(line, f"{what} is empty; it is not used")
            return None
        words = term_words(text)
        if not words:
            self.report(line, f"'{text}' has no letters or digits to match; it is not used")
            return None
        return SynonymTerm(text, words, line)

    def read(self, root: yaml.Node, first_line: int) -> None:
        """Take in the entries of a composed mapping whose text starts at file line ``first_line``."""
        if not isinstance(root, yaml.MappingNode):
            self.report(first_line + root.start_mark.line, "must be a mapping of each term to a list of its "
                        f"equivalents ({_EXAMPLE}); no synonyms are used")
            return
        for key_node, value in root.value:
            line = first_line + key_node.start_mark.line
            if not self._room(line):
                return
            key = self.term(key_node, first_line, None)
            reported = len(self.issues)
            items: list[SynonymTerm] = []
            if isinstance(value, yaml.SequenceNode):
                owner = key.text if key is not None else "?"
                for item in value.value:
                    if not self._room(line):   # the entry's line: an alias's items are elsewhere
                        return
                    if (term := self.term(item, first_line, owner)) is not None:
                        items.append(term)
            elif key is not None and isinstance(value, yaml.ScalarNode) and str(value.value).strip():
                written = " ".join(str(value.value).split())
                self.report(line, f"'{key.text}' must have a list of equivalents, such as "
                                  f"{key.text}: [{written}]; it is not used")
                continue
            elif key is not None and isinstance(value, yaml.MappingNode):
                self.report(line, f"'{key.text}' must have a list of equivalents, not a mapping; "
                                  "it is not used")
                continue
            alone = key is not None and not {term.words for term in items} - {key.words}
            if alone and key is not None and len(self.issues) == reported:
                self.report(line, f"'{key.text}' lists no equivalents ({_EXAMPLE})")
            self.entries.append((key, items, line))

    def table(self) -> SynonymTable:
        """Join the entries that share a term into groups and return the table."""
        parent: dict[Words, Words] = {}
        first: dict[Words, SynonymTerm] = {}

        def root_of(words: Words) -> Words:
            while parent[words] != words:
                parent[words] = parent[parent[words]]
                words = parent[words]
            return words

        for key, items, _ in self.entries:
            terms = ([key] if key is not None else []) + items
            for term in terms:
                if term.words not in parent:
                    parent[term.words] = term.words
                    first[term.words] = term
            for term in terms[1:]:
                one, other = root_of(terms[0].words), root_of(term.words)
                if one != other:
                    parent[other] = one
        members: dict[Words, list[SynonymTerm]] = {}
        for words, term in first.items():   # in the order terms are first written
            members.setdefault(root_of(words), []).append(term)
        groups = [SynonymGroup(tuple(terms)) for terms in members.values() if len(terms) > 1]
        return SynonymTable(groups, sorted(self.issues, key=lambda issue: issue.line or 0))


class SynonymFile:
    """A KB's synonyms file, re-read when it changes on disk (an edit, a pull).

    ``table()`` costs one ``stat`` when the file is unchanged, so search can ask on every query.
    """

    def __init__(self, kb_root: Path) -> None:
        self.path = Path(kb_root) / STATE_FOLDER / SYNONYMS_FILE
        self.kb_root = Path(kb_root)
        self._stamp: tuple[int, int] | None = None
        self._table = SynonymTable()

    def table(self) -> SynonymTable:
        """Return the current table (empty when there is no file)."""
        try:
            stat = self.path.stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._table = load_synonyms(self.kb_root) if stamp is not None else SynonymTable()
            self._stamp = stamp
        return self._table
