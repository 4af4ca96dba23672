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

The file is read from the events of PyYAML's base (text-only) parser, libyaml's when PyYAML has
it, and never constructed: every value is the text written (``yes`` and ``0x10`` stay text), a
tagged node (``!!python/...``, ``!custom``) is refused and reported, an alias is reported at its own
line (not its anchor's), a key written twice is reported and its second entry left out, and the
size, entry and term limits below bound what anchors and aliases can expand to. The front-matter
reader is not used because this file needs the line of every list item and may hold more than its
10,000 nodes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from kbstudio.kb import STATE_FOLDER
from kbstudio.names import nfc

if TYPE_CHECKING:
    from yaml._yaml import Mark as _CMark  # libyaml's parser gives its own Mark class

    _Mark = yaml.Mark | _CMark

try:  # libyaml composes a large file several times faster
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]  # pure-Python stand-in, same interface

SYNONYMS_FILE = "synonyms.yaml"
SYNONYMS_PATH = f"{STATE_FOLDER}/{SYNONYMS_FILE}"
MAX_BYTES = 1_000_000
MAX_ENTRIES = 5_000
MAX_TERMS = 50_000
MAX_NESTING = 100   # lists and mappings inside one another; an entry needs 2
WORD = re.compile(r"\w+(?:\.\w+)*")
_CORE_TAGS = "tag:yaml.org,2002:"
_EXAMPLE = "VPN: [GlobalProtect, remote access]"

Words = tuple[str, ...]


def term_words(text: str) -> Words:
    """Return the words of ``text`` as search compares them: NFC, split by ``WORD``, lower case."""
    if text.isascii():   # the same words, split once: ASCII lower case changes no word boundary
        return tuple(WORD.findall(text.lower()))
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
        # Each term's group, not its alternatives: those are a group's size for each of its terms,
        # which for one group of 50,000 terms would be 2.5 billion; ``find`` lists them when matched.
        self._group_of: dict[Words, SynonymGroup] = {}
        self._longest: dict[str, int] = {}   # the most words of a term starting with each word
        words: set[str] = set()
        for group in self.groups:
            for term in group.terms:
                self._group_of[term.words] = group
                first = term.words[0]
                self._longest[first] = max(self._longest.get(first, 0), len(term.words))
                words.update(term.words)
        self._words = frozenset(words)

    def names(self, word: str) -> bool:
        """Return True when ``word`` (any case, any Unicode form) is a word of a term of the file:
        the team calls it a word of theirs, so search never corrects its spelling."""
        return _key(word) in self._words

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
        if not self._longest or not words:
            return []
        keys = [_key(word) for word in words]
        found: list[SynonymMatch] = []
        start = 0
        while start < len(keys):
            step = 1
            for length in range(min(self._longest.get(keys[start], 0), len(keys) - start), 0, -1):
                words = tuple(keys[start:start + length])
                group = self._group_of.get(words)
                if group is not None:
                    alternatives = tuple(term.words for term in group.terms if term.words != words)
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
    """Read the text of a synonyms file (see ``load_synonyms``); file lines count from 1.

    The tables of the last few texts read are kept (a table never changes): when the file changes
    in the app, search, both Health rules and the editor's live check ask for the same text, on
    different threads, and it is read once. A caller asking while another reads waits for it.
    """
    with _recent_lock:
        table = _recent.pop(text, None)
        if table is None:
            table = _parse(text)
        _recent[text] = table   # the most recent last
        while len(_recent) > RECENT_TABLES:
            del _recent[next(iter(_recent))]
        return table


RECENT_TABLES = 4
_recent: dict[str, SynonymTable] = {}
_recent_lock = threading.Lock()


def _parse(text: str) -> SynonymTable:
    """Read the text of a synonyms file, each time."""
    reader = _Reader()
    try:
        root = _compose(text)
    except yaml.YAMLError as error:
        reader.salvage(text, error)
    else:
        if root is not None:
            reader.read(root, 1)
    return reader.table()


_TEXT, _LIST, _MAPPING = "text", "a list", "a mapping"
_DEFAULT_TAGS = {_TEXT: f"{_CORE_TAGS}str", _LIST: f"{_CORE_TAGS}seq", _MAPPING: f"{_CORE_TAGS}map"}


class _Node:
    """A composed YAML node as the reader needs it.

    ``kind`` is ``_TEXT``, ``_LIST`` or ``_MAPPING``; ``text`` a scalar's text; ``items`` a list's
    items, or a mapping's keys and values one after the other; ``tag`` the explicit tag when it is
    not the kind's own (None: none, ``!`` or ``!!str``...); ``line`` the 0-based line of the text
    where the node is written, for an alias the alias's line; ``alias`` is True for the node an
    alias gives (its items are written at the anchor, but used where the alias is).
    """

    __slots__ = ("kind", "tag", "text", "items", "line", "alias")

    def __init__(self, kind: str, tag: str | None, line: int, text: str = "",
                 items: Sequence[_Node] = (), alias: bool = False) -> None:
        self.kind = kind
        self.tag = tag
        self.line = line
        self.text = text
        self.items = items
        self.alias = alias


def _compose(text: str, known: dict[str, _Node] | None = None) -> _Node | None:
    """Return the root node of the single YAML document of ``text`` (None when there is none).

    Built from the parser's events, without recursion and without ``yaml.Node`` objects; an alias
    is a new node at its own line sharing its anchor's value, so nothing is copied and what it
    names can be reported where it is written. An anchor may be defined again (YAML 1.2): an alias
    names the latest. Raises ``yaml.YAMLError`` for invalid YAML, an undefined alias or a second
    document, as ``yaml.compose`` does. ``known`` holds the anchors of the text before (an invalid
    file is read entry by entry), which aliases may name; those of ``text`` are added when it is valid.
    """
    loader = _Loader(text)
    try:
        root, anchors = _compose_events(loader.get_event, known or {})
    finally:
        loader.dispose()
    if known is not None:
        known.update(anchors)
    return root


def _compose_events(next_event: Callable[[], yaml.Event | None], known: dict[str, _Node]
                    ) -> tuple[_Node | None, dict[str, _Node]]:
    """Compose the events ``next_event`` returns up to the end of the stream; return the root and anchors."""
    anchors: dict[str, _Node] = {}
    open_items: list[list[_Node]] = []   # the items of each list and mapping not yet closed
    root: _Node | None = None
    document: _Mark | None = None
    while True:
        event = next_event()
        if isinstance(event, yaml.ScalarEvent):
            node = _Node(_TEXT, _tag(event.tag, _TEXT), _line(event), text=event.value)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            shape = _LIST if isinstance(event, yaml.SequenceStartEvent) else _MAPPING
            node = _Node(shape, _tag(event.tag, shape), _line(event), items=[])
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            open_items.pop()
            continue
        elif isinstance(event, yaml.AliasEvent):
            named = anchors.get(event.anchor or "") or known.get(event.anchor or "")
            if named is None:
                raise _composer_error(None, None, f"found undefined alias '{event.anchor}'", event.start_mark)
            node = _Node(named.kind, named.tag, _line(event), named.text, named.items, alias=True)
        elif isinstance(event, yaml.DocumentStartEvent):
            if document is not None:
                raise _composer_error("expected a single document in the stream", document,
                                      "but found another document", event.start_mark)
            document = event.start_mark
            continue
        elif event is None or isinstance(event, yaml.StreamEndEvent):   # None: the parser has no more
            return root, anchors
        else:   # the stream's start, a document's end
            continue
        if not isinstance(event, yaml.AliasEvent) and event.anchor is not None:
            anchors[event.anchor] = node
        if open_items:
            open_items[-1].append(node)
        else:
            root = node
        if isinstance(node.items, list) and not node.alias:
            if len(open_items) == MAX_NESTING:   # libyaml stops at 1,000; PyYAML's parser would go on slowly
                raise _composer_error(None, None, f"nested more than {MAX_NESTING} levels deep",
                                      event.start_mark)
            open_items.append(node.items)


def _line(event: yaml.Event) -> int:
    """Return the 0-based line an event starts at (0 when the parser gave no position)."""
    return event.start_mark.line if event.start_mark is not None else 0


def _composer_error(context: str | None, context_mark: _Mark | None, problem: str,
                    problem_mark: _Mark | None) -> yaml.composer.ComposerError:
    """Return the error ``yaml.compose`` raises for the same problem, with the parser's marks."""
    # types-PyYAML types these marks as the pure-Python Mark only, but libyaml's own composer
    # (yaml/_yaml.pyx) passes its Mark here too: both have name, line, column and get_snippet.
    return yaml.composer.ComposerError(context, context_mark, problem, problem_mark)  # type: ignore[arg-type]


def _tag(tag: str | None, kind: str) -> str | None:
    """Return a node's explicit tag as written (``!!python/tuple``, ``!custom``), None for its kind's own."""
    if tag is None or tag == "!" or tag == _DEFAULT_TAGS[kind]:
        return None
    return f"!!{tag[len(_CORE_TAGS):]}" if tag.startswith(_CORE_TAGS) else tag


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
        self.keys: dict[str, int] = {}   # each entry's key as written, and its line
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
        anchors: dict[str, _Node] = {}   # of the entries read so far: an alias may name an earlier entry's
        lines = text.split("\n")
        starts = [index for index, line in enumerate(lines)
                  if line[:1] not in ("", " ", "\t", "#") and line.rstrip() not in ("---", "...")]
        for position, start in enumerate(starts):
            end = starts[position + 1] if position + 1 < len(starts) else len(lines)
            chunk = "\n".join("" if line.rstrip() in ("---", "...") else line for line in lines[start:end])
            try:
                node = _compose(chunk, anchors)
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

    def term(self, node: _Node, line: int, owner: str | None) -> SynonymTerm | None:
        """Return the term a node at file line ``line`` writes, or None with the reason in ``issues``."""
        if node.tag is None and node.kind is _TEXT:
            text = " ".join(nfc(node.text).split())
            words = term_words(text)
            if words:
                return SynonymTerm(text, words, line)
        self._not_a_term(node, line, owner)
        return None

    def _not_a_term(self, node: _Node, line: int, owner: str | None) -> None:
        """Report why ``node`` (at file line ``line``) is not a term; ``owner`` names its entry's term."""
        what = f"an equivalent of '{owner}'" if owner is not None else "a term"
        text = " ".join(node.text.split())
        if node.tag is not None:
            self.report(line, f"YAML tag {node.tag} is not allowed; {what} is not used")
        elif node.kind is not _TEXT:
            self.report(line, f"{what} must be text, not {node.kind}; it is not used")
        elif not text:
            self.report(line, f"{what} is empty; it is not used")
        else:
            self.report(line, f"'{nfc(text)}' has no letters or digits to match; it is not used")

    def read(self, root: _Node, first_line: int) -> None:
        """Take in the entries of a composed mapping whose text starts at file line ``first_line``."""
        if root.kind is not _MAPPING or root.tag is not None:
            problem = (f"YAML tag {root.tag} is not allowed" if root.tag is not None else
                       f"must be a mapping of each term to a list of its equivalents ({_EXAMPLE})")
            self.report(first_line + root.line, f"{problem}; no synonyms are used")
            return
        pairs = root.items
        for index in range(0, len(pairs), 2):
            key_node, value = pairs[index], pairs[index + 1]
            line = first_line + key_node.line
            if not self._room(line):
                return
            key = self.term(key_node, line, None)
            if key is not None and self._written_twice(key_node.text, line):
                continue
            at = first_line + value.line
            if value.tag is not None:
                entry = f"the entry '{key.text}'" if key is not None else "this entry"
                self.report(at, f"YAML tag {value.tag} is not allowed; {entry} is not used")
                continue
            reported = len(self.issues)
            items: list[SynonymTerm] = []
            if value.kind is _LIST:
                owner = key.text if key is not None else "?"
                for item in value.items:
                    if not self._room(line):   # the entry's line: an alias's items are elsewhere
                        return
                    # an item of an alias is reported where the alias is, not where its anchor is
                    item_line = at if value.alias else first_line + item.line
                    if (term := self.term(item, item_line, owner)) is not None:
                        items.append(term)
            elif key is not None and value.kind is _TEXT and value.text.strip():
                written = " ".join(value.text.split())
                self.report(line, f"'{key.text}' must have a list of equivalents, such as "
                                  f"{key.text}: [{written}]; it is not used")
                continue
            elif key is not None and value.kind is _MAPPING:
                self.report(line, f"'{key.text}' must have a list of equivalents, not a mapping; "
                                  "it is not used")
                continue
            alone = key is not None and not {term.words for term in items} - {key.words}
            if alone and key is not None and len(self.issues) == reported:
                self.report(line, f"'{key.text}' lists no equivalents ({_EXAMPLE})")
            self.entries.append((key, items, line))

    def _written_twice(self, key: str, line: int) -> bool:
        """Return True (reported) when ``key`` is already an entry's key; else remember it at ``line``.

        YAML allows a key once in a mapping; other programs keep only one of the two entries, so
        the second is left out here and reported at its line. Keys that differ only in case or
        spacing are distinct keys: their entries join into one group, as documented.
        """
        first = self.keys.get(key)
        if first is None:
            self.keys[key] = line
            return False
        shown = " ".join(key.split())
        self.report(line, f"'{shown}' is already an entry on line {first}, and YAML allows a key once: "
                          "this entry is not used; put its equivalents in that entry")
        return True

    def table(self) -> SynonymTable:
        """Join the entries that share a term into groups and return the table."""
        entries = [([key] if key is not None else []) + items for key, items, _ in self.entries]
        parent = list(range(len(entries)))   # entries joined by a shared term, by union-find

        def root_of(entry: int) -> int:
            while parent[entry] != entry:
                parent[entry] = parent[parent[entry]]
                entry = parent[entry]
            return entry

        first: dict[Words, SynonymTerm] = {}   # each term's spelling, and entry, as first written
        entry_of: dict[Words, int] = {}
        for index, terms in enumerate(entries):
            for term in terms:
                entry = entry_of.setdefault(term.words, index)
                if entry == index:
                    first.setdefault(term.words, term)
                elif (one := root_of(entry)) != (other := root_of(index)):
                    parent[other] = one
        members: dict[int, list[SynonymTerm]] = {}
        for words, term in first.items():   # in the order terms are first written
            members.setdefault(root_of(entry_of[words]), []).append(term)
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
