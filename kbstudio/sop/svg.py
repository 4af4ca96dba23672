"""Export the escalation map as a standalone SVG image (plain string building, no Qt)."""

from __future__ import annotations

from html import escape

from kbstudio.model import tier_rank
from kbstudio.sop.escalation_map import EscalationMap, MapEdge

COLUMN_WIDTH, GAP, MARGIN = 190, 30, 20
HEADER_HEIGHT, ROW_HEIGHT = 86, 38
TIER_COLOURS = {"L0": "#2e7d32", "L1": "#1565c0", "L2": "#6a1b9a", "L3": "#ef6c00", "L4": "#c62828"}
_FONT = "font-family=\"DejaVu Sans, Arial, sans-serif\""


def _centre(tier: str) -> int:
    return MARGIN + tier_rank(tier) * (COLUMN_WIDTH + GAP) + COLUMN_WIDTH // 2


def _clip(text: str, width: int) -> str:
    limit = max(width // 7, 8)  # about 7 px a character at 12 px
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _marker(name: str, colour: str) -> str:
    return (f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" '
            f'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')


def _edge(edge: MapEdge, y: int) -> list[str]:
    start, end = _centre(edge.from_tier), _centre(edge.to_tier)
    if start == end:
        end = start + COLUMN_WIDTH // 3
    colour = "#455a64" if edge.upward else "#d32f2f"
    left, right = min(start, end), max(start, end)
    name = " ".join(part for part in (edge.sop_id, edge.title) if part)
    label = _clip(name, right - left + COLUMN_WIDTH - 20)
    tip = f"{edge.sop_id or ''} {edge.title}: {edge.from_tier} to {edge.to_tier} ({edge.rel_path})".strip()
    return [
        f'<a href="{escape(edge.rel_path)}"><g class="sop">',
        f"<title>{escape(tip)}</title>",
        f'<line x1="{start}" y1="{y}" x2="{end}" y2="{y}" stroke="{colour}" stroke-width="2" '
        f'marker-end="url(#arrow{"" if edge.upward else "-down"})"/>',
        f'<circle cx="{start}" cy="{y}" r="4" fill="{colour}"/>',
        f'<text x="{(start + end) // 2}" y="{y - 7}" text-anchor="middle" font-size="12" {_FONT} '
        f'fill="#212121">{escape(label)}</text>',
        "</g></a>",
    ]


def escalation_map_svg(emap: EscalationMap, title: str = "Escalation map") -> str:
    """Return the map as SVG: tiers as columns with article counts, SOPs as arrows between them."""
    width = 2 * MARGIN + len(emap.tiers) * COLUMN_WIDTH + (len(emap.tiers) - 1) * GAP
    rows = max(len(emap.edges), 1)
    height = MARGIN + 30 + HEADER_HEIGHT + rows * ROW_HEIGHT + MARGIN + (20 if emap.unmapped else 0)
    top = MARGIN + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        "<defs>",
        _marker("arrow", "#455a64"),
        _marker("arrow-down", "#d32f2f"),
        "</defs>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="16" font-weight="bold" {_FONT}>'
        f"{escape(title)}</text>",
    ]
    for column in emap.tiers:
        x = MARGIN + tier_rank(column.tier) * (COLUMN_WIDTH + GAP)
        colour = TIER_COLOURS.get(column.tier, "#607d8b")
        centre = x + COLUMN_WIDTH // 2
        parts += [
            f'<rect x="{x}" y="{top}" width="{COLUMN_WIDTH}" height="{height - top - MARGIN}" rx="6" '
            f'fill="{colour}" fill-opacity="0.06" stroke="{colour}" stroke-opacity="0.4"/>',
            f'<rect x="{x}" y="{top}" width="{COLUMN_WIDTH}" height="{HEADER_HEIGHT - 16}" rx="6" '
            f'fill="{colour}"/>',
            f'<text x="{centre}" y="{top + 22}" text-anchor="middle" font-size="16" font-weight="bold" '
            f'fill="#ffffff" {_FONT}>{column.tier}</text>',
            f'<text x="{centre}" y="{top + 40}" text-anchor="middle" font-size="11" fill="#ffffff" '
            f"{_FONT}>{escape(_clip(column.name, COLUMN_WIDTH + 10))}</text>",
            f'<text x="{centre}" y="{top + 58}" text-anchor="middle" font-size="12" fill="#ffffff" '
            f"{_FONT}>{column.articles} article{'s' if column.articles != 1 else ''}, "
            f"{column.sops} SOP{'s' if column.sops != 1 else ''}</text>",
        ]
    for row, edge in enumerate(emap.edges):
        parts += _edge(edge, top + HEADER_HEIGHT + row * ROW_HEIGHT + ROW_HEIGHT // 2)
    if not emap.edges:
        parts.append(f'<text x="{width // 2}" y="{top + HEADER_HEIGHT + 24}" text-anchor="middle" '
                     f'font-size="12" fill="#757575" {_FONT}>No SOP has both a tier and an escalation tier'
                     "</text>")
    if emap.unmapped:
        names = ", ".join(path for path, _ in emap.unmapped)
        parts.append(f'<text x="{MARGIN}" y="{height - MARGIN}" font-size="11" fill="#d32f2f" {_FONT}>'
                     f"{escape(_clip('Not on the map (no tier): ' + names, width - 2 * MARGIN))}</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
