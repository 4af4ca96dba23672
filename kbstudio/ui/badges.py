"""Colours and labels for tier and status badges."""

from __future__ import annotations

from PySide6.QtGui import QColor

TIER_COLOURS: dict[str | None, str] = {
    "L0": "#2e7d32",
    "L1": "#1565c0",
    "L2": "#6a1b9a",
    "L3": "#c62828",
    "L4": "#ef6c00",
    None: "#757575",
}
STATUS_COLOURS: dict[str, str] = {
    "draft": "#8d6e63",
    "review": "#f9a825",
    "published": "#2e7d32",
    "archived": "#757575",
}


def tier_label(tier: str | None) -> str:
    """Return the text shown for a tier."""
    return tier or "untiered"


def tier_colour(tier: str | None) -> QColor:
    """Return the badge colour of a tier."""
    return QColor(TIER_COLOURS.get(tier, TIER_COLOURS[None]))


def badge_html(text: str, colour: str) -> str:
    """Return a small coloured badge as rich text."""
    return (f'<span style="background-color:{colour}; color:white; font-weight:bold;">'
            f"&nbsp;{text}&nbsp;</span>")


def tier_badge(tier: str | None) -> str:
    """Return the rich-text badge of a tier."""
    return badge_html(tier_label(tier), TIER_COLOURS.get(tier, TIER_COLOURS[None]))


def status_badge(status: str) -> str:
    """Return the rich-text badge of a status."""
    return badge_html(status, STATUS_COLOURS.get(status, "#757575"))
