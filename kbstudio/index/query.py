"""Turn whatever an agent types into a Whoosh query: words, pasted errors, power syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kbstudio.names import id_search_key, nfc

FILTER_FIELDS = {
    "tier": "tier", "kind": "kind", "status": "status", "tag": "tags", "tags": "tags",
    "product": "products", "products": "products", "id": "id_key",
}
_LEX = re.compile(r'"([^"]*)"?|(\S+)')
_FILTER = re.compile(r"^(-?)([A-Za-z]+):(.+)$")
_WORD = re.compile(r"\w")
_EXCLUDE = re.compile(r"^-[a-z][a-z0-9_]*$")
MAX_TYPED_WORDS = 6


@dataclass
class Item:
    """One word or quoted phrase of a query."""

    text: str
    phrase: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """A query split into OR-groups of items, plus field filters."""

    groups: list[list[Item]] = field(default_factory=list)
    strict: list[bool] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        """Return every item of every group."""
        return [item for group in self.groups for item in group]

    def softened(self) -> ParsedQuery:
        """Return the same query with quoted phrases turned into ordinary words."""
        groups = [[Item(i.text, phrase=False, negated=i.negated) for i in group] for group in self.groups]
        return ParsedQuery(groups, list(self.strict), dict(self.filters), dict(self.excluded))

    @property
    def is_empty(self) -> bool:
        """Return True when there is nothing to search for and nothing to filter by."""
        return not any(not item.negated for item in self.items) and not self.filters


def _normal_filter_value(name: str, value: str) -> str:
    value = nfc(value.strip())
    if name == "tier":
        return value.upper() if value.upper() != "UNTIERED" else "untiered"
    if name == "id_key":
        return id_search_key(value)   # id:kb-42 finds KB-0042, as a bare id does
    return value.lower()


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
            target = parsed.excluded if (filter_match.group(1) or negate_next) else parsed.filters
            target.setdefault(name, []).extend(values)
            negate_next = False
            continue
        negated = negate_next
        if token.startswith("-") and len(token) > 1 and _WORD.match(token[1]):
            negated, token = bool(_EXCLUDE.match(token)) and not pasted, token[1:]
        if _WORD.search(token):
            group.append(Item(token, negated=negated))
        negate_next = False
    if group:
        parsed.groups.append(group)
        parsed.strict.append(strict)
    return parsed
