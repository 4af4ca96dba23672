"""A search of published documents for closing search gaps (``gap_groups.close_groups``'s ``finds``)."""

from __future__ import annotations

from collections.abc import Callable

from kbstudio.index.search import SearchOptions, SearchResponse

Search = Callable[[str, SearchOptions], SearchResponse]


def published_finder(search: Search) -> Callable[[str, tuple[str, ...]], str | None]:
    """Return ``finds(query, tiers)``: the id (or path) of the best published document ``search``
    finds for ``query`` at ``tiers`` (all when empty), or None. ``search`` is
    ``SearchService.search`` or any function of the same shape."""
    def finds(query: str, tiers: tuple[str, ...]) -> str | None:
        options = SearchOptions(tiers=tiers or None, statuses=("published",), limit=1)
        results = search(query, options).results
        return (results[0].id or results[0].path) if results else None
    return finds
