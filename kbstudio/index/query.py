"""Turn whatever an agent types into a query: words, pasted errors, power syntax.

A filter whose value the KB cannot have (``tier:L9``, ``kind:foo``) is left out and named in
``ParsedQuery.notes`` with the values allowed, instead of silently finding nothing. A word written
before a colon that is no filter (``title:printer``, ``C:\\Users``) is kept as a word but marked
``literal``: it is never spelling-corrected (the part before ``:`` names a field or a drive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kbstudio.fields import KINDS, STATUSES, TIERS
from kbstudio.names import id_search_key, nfc

FILTER_FIELDS = {
    "tier": "tier", "kind": "kind", "status": "status", "tag": "tags", "tags": "tags",
    "product": "products", "products": "products", "id": "id_key",
}
_LEX = re.compile(r'"([^"]*)"?|(\S+)')
_FILTER = re.compile(r"^(-?)([A-Za-z]+):(.+)$")
_WORD = re.compile(r"\w")
_EXCLUDE = re.compile(r"^-[a-z][a-z0-9_]*$")
_PREFIXED = re.compile(r"^([A-Za-z]+):(.+)$")
_QUERY_WORD = re.compile(r"\w+(?:\.\w+)*")   # a query word, as kbstudio.index.evaluate.query_words splits
MAX_TYPED_WORDS = 6
UNTIERED = "untiered"
# The values a filter on a closed field may take, as _normal_filter_value gives them.
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {"tier": (*TIERS, UNTIERED), "kind": KINDS, "status": STATUSES}


@dataclass
class Item:
    """One word or quoted phrase of a query."""

    text: str
    phrase: bool = False
    negated: bool = False
    literal: bool = False   # never spelling-corrected (a field name before ':')


@dataclass
class ParsedQuery:
    """A query split into OR-groups of items, plus field filters."""

    groups: list[list[Item]] = field(default_factory=list)
    strict: list[bool] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)   # what was left out of the query, and why

    @property
    def items(self) -> list[Item]:
        """Return every item of every group."""
        return [item for group in self.groups for item in group]

    def corrected(self, replaced: dict[str, str]) -> ParsedQuery:
        """Return the same query with the words of ``replaced`` (typed -> correction) replaced where
        they may be corrected: in plain words, not in phrases, excluded words or words before ``:``."""
        def fix(item: Item) -> Item:
            if item.phrase or item.negated or item.literal:
                return item
            return Item(_QUERY_WORD.sub(lambda m: replaced.get(m.group(0), m.group(0)), item.text))

        return ParsedQuery([[fix(item) for item in group] for group in self.groups], list(self.strict),
                           dict(self.filters), dict(self.excluded), list(self.notes))

    def softened(self) -> ParsedQuery:
        """Return the same query with quoted phrases turned into ordinary words."""
        groups = [[Item(i.text, phrase=False, negated=i.negated, literal=i.literal) for i in group]
                  for group in self.groups]
        return ParsedQuery(groups, list(self.strict), dict(self.filters), dict(self.excluded),
                           list(self.notes))

    @property
    def only_negations(self) -> bool:
        """Return True when the query excludes words but asks for none (``NOT guest``, ``-wifi``):
        it means every document except those."""
        items = self.items
        return bool(items) and all(item.negated for item in items)

    @property
    def is_empty(self) -> bool:
        """Return True when there is nothing to search for, to leave out, or to filter by."""
        return not self.items and not self.filters and not self.excluded


def _normal_filter_value(name: str, value: str) -> str:
    value = nfc(value.strip())
    if name == "tier":
        return value.upper() if value.upper() != "UNTIERED" else "untiered"
    if name == "id_key":
        return id_search_key(value)   # id:kb-42 finds KB-0042, as a bare id does
    return value.lower()


def _allowed(name: str, written: str, values: list[str], notes: list[str]) -> list[str]:
    """Return the ``values`` a closed filter field may take; name the others in ``notes``.

    ``written`` is the filter's name as typed (``tier``, ``Kind``).
    """
    allowed = ALLOWED_VALUES.get(name)
    if allowed is None:
        return values
    bad = [value for value in values if value not in allowed]
    for value in bad:
        notes.append(f"{written}:{value} left out: no {name} is called {value!r}; "
                     f"use {', '.join(allowed[:-1])} or {allowed[-1]}")
    return [value for value in values if value in allowed]


def parse_query(text: str) -> ParsedQuery:
    """Split query text into groups and filters; never raises, whatever the text."""
    parsed = ParsedQuery()
    # Pasted messages are long and full of "-Identity" or "-19738": only in a short, typed
    # query does "-word" (lowercase) mean "without this word".
    words = [t for t in (text or "").split() if not _FILTER.match(t.lstrip("-"))]
    pasted = len(words) > MAX_TYPED_WORDS
    group: list[Item] = []
    strict = False
    negate_next = False
    for match in _LEX.finditer(text or ""):
        phrase, token = match.group(1), match.group(2)
        if phrase is not None:
            if phrase.strip():
                group.append(Item(phrase.strip(), phrase=True, negated=negate_next))
            negate_next = False
            continue
        if token in ("AND", "OR", "NOT"):
            if token == "OR":
                if group:
                    parsed.groups.append(group)
                    parsed.strict.append(strict)
                group, strict = [], False
            elif token == "AND":
                strict = True
            else:
                negate_next = True
            continue
        filter_match = _FILTER.match(token)
        if filter_match and filter_match.group(2).lower() in FILTER_FIELDS:
            name = FILTER_FIELDS[filter_match.group(2).lower()]
            values = [_normal_filter_value(name, v) for v in filter_match.group(3).split(",") if v.strip()]
            values = _allowed(name, filter_match.group(2), values, parsed.notes)
            target = parsed.excluded if (filter_match.group(1) or negate_next) else parsed.filters
            if values:
                target.setdefault(name, []).extend(values)
            negate_next = False
            continue
        negated = negate_next
        if token.startswith("-") and len(token) > 1 and _WORD.match(token[1]):
            negated, token = bool(_EXCLUDE.match(token)) and not pasted, token[1:]
        prefixed = _PREFIXED.match(token)
        if prefixed and _WORD.search(prefixed.group(2)):   # title:printer: "title" is no word to correct
            group.append(Item(prefixed.group(1), negated=negated, literal=True))
            token = prefixed.group(2)
        if _WORD.search(token):
            group.append(Item(token, negated=negated))
        negate_next = False
    if group:
        parsed.groups.append(group)
        parsed.strict.append(strict)
    return parsed
