"""Colours and labels for tier and status badges."""

from __future__ import annotations

from PySide6.QtGui import QColor

TIER_COLOURS: dict[str | None, QColor] = {
    "L0": QColor("#2e7d32"),
    "L1": QColor("#1565c0"),
    "L2": QColor("#6a1b9a"),
    "L3": QColor("#c62828"),
    "L4": QColor("#ef6c00"),
    None: QColor("#757575"),
}


def tier_label(tier: str | None) -> str:
    """Return the text shown for a tier."""
    return tier or "untiered"
