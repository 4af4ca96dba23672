"""The escalation map: articles per tier, and each SOP as an arrow from its tier to the next one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kbstudio.model import TIER_NAMES, TIERS, DocumentFields, tier_rank
from kbstudio.reader import full_document
from kbstudio.sop.parser import parse_sop


def counted(number: int, word: str, plural: str | None = None) -> str:
    """Return '1 SOP', '2 SOPs', '1 article': a count with its noun in the right number."""
    return f"{number} {word if number == 1 else plural or word + 's'}"


@dataclass(frozen=True)
class TierColumn:
    """One tier of the map: how many articles apply to it and how many SOPs start there."""

    tier: str
    name: str
    articles: int
    sops: int
    article_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapEdge:
    """One SOP drawn as an arrow from the tier it starts at to the tier it escalates to."""

    sop_id: str | None
    title: str
    rel_path: str
    from_tier: str
    to_tier: str
    status: str

    @property
    def upward(self) -> bool:
        """Return True when the SOP hands the work to a higher tier, as it should."""
        return tier_rank(self.to_tier) > tier_rank(self.from_tier)


@dataclass(frozen=True)
class EscalationMap:
    """Everything a view needs to draw the map; SOPs missing a tier are listed in ``unmapped``."""

    tiers: tuple[TierColumn, ...]
    edges: tuple[MapEdge, ...]
    untiered_articles: int = 0
    unmapped: tuple[tuple[str, str], ...] = ()

    def column(self, tier: str) -> TierColumn:
        """Return the column of ``tier``."""
        return self.tiers[tier_rank(tier)]

    def to_json(self) -> dict[str, Any]:
        """Return the map as a JSON-ready dict."""
        return {
            "tiers": [{"tier": c.tier, "name": c.name, "articles": c.articles, "sops": c.sops}
                      for c in self.tiers],
            "edges": [{"id": e.sop_id, "title": e.title, "path": e.rel_path, "from": e.from_tier,
                       "to": e.to_tier, "status": e.status, "upward": e.upward} for e in self.edges],
            "untiered_articles": self.untiered_articles,
            "unmapped": [{"path": path, "why": why} for path, why in self.unmapped],
        }


def escalation_map(documents: Sequence[DocumentFields]) -> EscalationMap:
    """Return the escalation map of a KB's documents (archived SOPs left out).

    ``documents`` may be ``DocumentInfo``: each SOP's text is read from disk.
    """
    articles: dict[str, list[str]] = {tier: [] for tier in TIERS}
    untiered = 0
    edges: list[MapEdge] = []
    unmapped: list[tuple[str, str]] = []
    for document in documents:
        if not document.readable:
            continue
        if document.kind != "sop":
            if document.tier:
                articles[document.tier].append(document.rel_path)
            else:
                untiered += 1
            continue
        if document.status == "archived":
            continue
        sop = parse_sop(full_document(document))
        if sop.tier is None or sop.escalates_to is None:
            missing = "tier" if sop.tier is None else "escalates_to"
            unmapped.append((document.rel_path, f"no {missing}"))
            continue
        edges.append(MapEdge(sop.id, sop.title, document.rel_path, sop.tier, sop.escalates_to,
                             document.status))
    edges.sort(key=lambda e: (tier_rank(e.from_tier), tier_rank(e.to_tier), e.sop_id or "", e.rel_path))
    starts = {tier: sum(1 for edge in edges if edge.from_tier == tier) for tier in TIERS}
    columns = tuple(TierColumn(tier, TIER_NAMES[tier], len(articles[tier]), starts[tier],
                               tuple(articles[tier])) for tier in TIERS)
    return EscalationMap(columns, tuple(edges), untiered, tuple(unmapped))
