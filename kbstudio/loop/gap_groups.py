"""Grouping similar failed searches across the team's gap logs, and which groups are closed.

Each query is reduced to its *signature*: the words in Unicode NFC, case-folded, accents folded
(``résumé`` -> ``resume``), apostrophes inside words dropped (``won't`` -> ``wont``), then split,
stop-word-filtered and Porter-stemmed by the search index's own analyzer
(``kbstudio.index.analysis.SupportAnalyzer``), de-duplicated and sorted: "Outlook keeps asking
for my password" and "password asking outlook keeps" have the same signature. Queries with the
same signature are one group; groups whose signatures are similar enough, by Jaccard similarity
of their stem sets (shared stems / all stems, at least ``JACCARD`` = 0.5, the usual
near-duplicate threshold for short texts), are merged (single-link clustering by union-find).
The words each person typed are kept as examples, as typed.

A group's ``key`` is the signature of its most frequent member (ties: the alphabetically first);
a draft created from a group stores it in its ``from_search`` front-matter field
(``kbstudio.fields``). A group is **closed** when a published document's ``from_search`` matches
one of its signatures (equal, or Jaccard at least ``JACCARD``), or, when the caller passes a
``finds`` function (a search of published documents), when its most frequent query now finds one
at the tiers it was searched at. Only groups of searches that found nothing there
(``no-results``, ``other-tiers``) close by search: a ``not-opened`` search had results already.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.loop.gaps import NOT_OPENED, GapEntry
from kbstudio.loop.records import format_time
from kbstudio.model import DocumentFields
from kbstudio.names import fold_accents, nfc

JACCARD = 0.5
MAX_EXAMPLES = 10
# A stem shared by more signatures than this (``outlook`` in a big log) proposes no pairs by itself:
# pairs are still found through their other stems, and comparing every pair would be quadratic.
COMMON_STEM = 200
FROM_SEARCH = "from_search"
_APOSTROPHE = re.compile(r"(?<=\w)['\u2019](?=\w)")


def signature(query: str, analyzer: SupportAnalyzer | None = None) -> str:
    """Return the normalised form of ``query``: sorted distinct stems, space-separated ('' if none)."""
    analyzer = analyzer or SupportAnalyzer()
    text = _APOSTROPHE.sub("", fold_accents(nfc(query).casefold()))   # won't and wont: one word
    return " ".join(sorted(set(analyzer.index_tokens(text))))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """Return |A ∩ B| / |A ∪ B| (0.0 for two empty sets)."""
    union = len(first | second)
    return len(first & second) / union if union else 0.0


@dataclass
class GapGroup:
    """Similar failed searches: their signatures, how often each was searched, and examples as typed."""

    key: str
    signatures: dict[str, int]                     # signature -> gaps with it
    examples: list[tuple[str, int]]                # (query as typed, times), most frequent first
    count: int
    people: int
    first: datetime
    last: datetime
    kinds: dict[str, int]
    tiers: dict[str, int]                          # the searching agents' tiers
    closed_by: str | None = None                   # the published document's id or path, or "search"
    gaps: list[GapEntry] = field(default_factory=list, repr=False)

    @property
    def is_open(self) -> bool:
        """Return True until a published document covers the group."""
        return self.closed_by is None

    @property
    def query(self) -> str:
        """Return the most frequent query as typed: what a new article starts from."""
        return self.examples[0][0] if self.examples else self.key

    def to_json(self) -> dict[str, Any]:
        """Return the group as a JSON-ready dict (``kbstudio gaps --json``)."""
        return {"key": self.key, "query": self.query, "count": self.count, "people": self.people,
                "first": format_time(self.first), "last": format_time(self.last),
                "kinds": dict(sorted(self.kinds.items())), "tiers": dict(sorted(self.tiers.items())),
                "examples": [{"query": text, "count": times} for text, times in self.examples],
                "signatures": dict(sorted(self.signatures.items())), "open": self.is_open,
                "closed_by": self.closed_by}


def group_gaps(gaps: Iterable[GapEntry], threshold: float = JACCARD,
               analyzer: SupportAnalyzer | None = None) -> list[GapGroup]:
    """Return the gaps grouped by similar signature, largest group first (then by key).

    Gaps whose query has no searchable word (only stop words or punctuation) group by their
    case-folded text. The result depends only on the gaps, not on their order.
    """
    analyzer = analyzer or SupportAnalyzer()
    by_signature: dict[str, list[GapEntry]] = defaultdict(list)
    for gap in gaps:
        by_signature[signature(gap.query, analyzer) or f"={nfc(gap.query).casefold()}"].append(gap)
    names = sorted(by_signature)
    parent = list(range(len(names)))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    stems = [frozenset(name.split()) if not name.startswith("=") else frozenset() for name in names]
    holders: dict[str, list[int]] = defaultdict(list)
    for number, words in enumerate(stems):
        for word in words:
            holders[word].append(number)
    for members in holders.values():
        if len(members) > COMMON_STEM:
            continue
        for position, one in enumerate(members):
            for other in members[position + 1:]:
                if root(one) != root(other) and jaccard(stems[one], stems[other]) >= threshold:
                    parent[max(root(one), root(other))] = min(root(one), root(other))
    clusters: dict[int, list[str]] = defaultdict(list)
    for number, name in enumerate(names):
        clusters[root(number)].append(name)
    groups = [_group({name: by_signature[name] for name in members}) for members in clusters.values()]
    groups.sort(key=lambda group: (-group.count, group.key))
    return groups


def _group(members: dict[str, list[GapEntry]]) -> GapGroup:
    counts = {name: len(gaps) for name, gaps in members.items()}
    key = min(counts, key=lambda name: (-counts[name], name))
    gaps = sorted((gap for entries in members.values() for gap in entries), key=lambda g: (g.time, g.id))
    typed = Counter(" ".join(gap.query.split()) for gap in gaps)
    examples = sorted(typed.items(), key=lambda item: (-item[1], item[0]))[:MAX_EXAMPLES]
    return GapGroup(key=key, signatures=counts, examples=examples, count=len(gaps),
                    people=len({gap.agent for gap in gaps}), first=gaps[0].time, last=gaps[-1].time,
                    kinds=dict(Counter(gap.kind for gap in gaps)),
                    tiers=dict(Counter(gap.tier or "unknown" for gap in gaps)), gaps=gaps)


def covers(from_search: str, group: GapGroup, threshold: float = JACCARD) -> bool:
    """Return True when a document made from search ``from_search`` (a signature) covers ``group``."""
    wanted = frozenset(from_search.split())
    if not wanted:
        return False
    return any(name == from_search or jaccard(wanted, frozenset(name.split())) >= threshold
               for name in group.signatures)


Finder = Callable[[str, tuple[str, ...]], str | None]
"""(query as typed, tiers searched; empty: all) -> id or path of a published document found, or None."""


def close_groups(groups: Sequence[GapGroup], documents: Iterable[DocumentFields],
                 finds: Finder | None = None, threshold: float = JACCARD) -> list[GapGroup]:
    """Mark the groups a published document covers (``closed_by``); return ``groups``.

    A published document covers a group when its ``from_search`` matches (``covers``). With
    ``finds``, an uncovered group of searches that found nothing (no ``not-opened`` gap) whose
    most frequent query now finds a published document at the tiers last searched is closed by it.
    """
    published = [(document.value(FROM_SEARCH), document.id or document.rel_path)
                 for document in documents if document.status == "published" and document.readable]
    sources = [(text, name) for text, name in published if text]
    for group in groups:
        group.closed_by = next((name for text, name in sources if covers(text, group, threshold)), None)
        if group.closed_by is None and finds is not None and NOT_OPENED not in group.kinds:
            group.closed_by = finds(group.query, group.gaps[-1].tiers if group.gaps else ())
    return list(groups)


def drafts_for(groups: Sequence[GapGroup], documents: Iterable[DocumentFields],
               threshold: float = JACCARD) -> dict[str, list[str]]:
    """Return, per group key, the ids (or paths) of documents not yet published made from it."""
    found: dict[str, list[str]] = {}
    for document in documents:
        text = document.value(FROM_SEARCH)
        if not text or document.status in ("published", "archived"):
            continue
        for group in groups:
            if covers(text, group, threshold):
                found.setdefault(group.key, []).append(document.id or document.rel_path)
    return found
