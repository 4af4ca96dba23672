"""Two small bar charts of the knowledge loop: uses per week, and flags per tier.

Drawn with pyqtgraph (a well-kept Qt plotting library over numpy, about 60 MB installed against
the 440 MB of PySide6-Addons that holds QtCharts; see README). The chart takes the series the core
computes (``kbstudio.loop.figures.Figures.weeks`` and ``flags_by_tier``) and keeps them in
``weeks``/``tiers`` so tests and the dashboard read the same numbers the bars show. pyqtgraph is
imported with this module, which the dashboard loads when it is first opened (about 1 s).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QWidget

USES_COLOUR, SOLVED_COLOUR = "#1565c0", "#2e7d32"
OPENED_COLOUR, OPEN_COLOUR = "#ef6c00", "#c62828"
TIER_ORDER = ("L0", "L1", "L2", "L3", "L4", "untiered")
HEADROOM = 1.3        # the y range over the tallest bar: room for the legend's row
MAX_WEEK_LABELS = 6   # week labels under the bars ("Mar 2"): more overlap at the chart's usual width


def week_label(week: str) -> str:
    """Return ``Mar 2`` for the ISO date ``2026-03-02`` of a week's Monday."""
    day = date.fromisoformat(week)
    return f"{day:%b} {day.day}"


class LoopChart(QWidget):
    """Uses per week (all, and solved) beside flags per document tier (opened, still open)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weeks: list[dict[str, Any]] = []
        self.tiers: dict[str, dict[str, int]] = {}
        self.uses_plot = pg.PlotWidget()
        self.flags_plot = pg.PlotWidget()
        for plot, title, left in ((self.uses_plot, "Uses per week", "uses"),
                                  (self.flags_plot, "Flags per tier (90 days)", "flags")):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setTitle(title)
            plot.setLabel("left", left)
            # One row at the top left, over the head room the y range keeps free (HEADROOM).
            plot.addLegend(offset=(8, 4), colCount=2)
            plot.setMinimumHeight(200)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.uses_plot, 3)
        layout.addWidget(self.flags_plot, 2)
        self.apply_palette()

    def apply_palette(self) -> None:
        """Draw on the window's own colours (light or dark theme)."""
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        for plot in (self.uses_plot, self.flags_plot):
            plot.setBackground(background)
            item = plot.getPlotItem()
            if item.legend is not None:
                item.legend.setLabelTextColor(text)
                veil = QColor(background)
                veil.setAlpha(220)
                item.legend.setBrush(pg.mkBrush(veil))
            item.titleLabel.setText(item.titleLabel.text, color=text)
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(text))
                axis.setTextPen(pg.mkPen(text))

    def set_series(self, weeks: Sequence[Mapping[str, Any]], tiers: Mapping[str, Mapping[str, int]]) -> None:
        """Show ``weeks`` ({week, uses, solved}, oldest first) and ``tiers`` ({tier: {opened, open}})."""
        self.weeks = [dict(week) for week in weeks]
        self.tiers = {tier: dict(tiers[tier]) for tier in TIER_ORDER if tier in tiers
                      and (tier != "untiered" or any(tiers[tier].values()))}   # most KBs tier everything
        self._bars(self.uses_plot, [week_label(week["week"]) for week in self.weeks],
                   (("Uses", [int(week.get("uses", 0)) for week in self.weeks], USES_COLOUR),
                    ("Solved", [int(week.get("solved", 0)) for week in self.weeks], SOLVED_COLOUR)),
                   every=max(1, -(-len(self.weeks) // MAX_WEEK_LABELS)))
        self._bars(self.flags_plot, list(self.tiers),
                   (("Opened", [values.get("opened", 0) for values in self.tiers.values()], OPENED_COLOUR),
                    ("Open now", [values.get("open", 0) for values in self.tiers.values()], OPEN_COLOUR)))

    @staticmethod
    def _bars(plot: pg.PlotWidget, labels: list[str], series: Sequence[tuple[str, list[int], str]],
              every: int = 1) -> None:
        plot.clear()
        width = 0.8 / len(series)
        for number, (name, heights, colour) in enumerate(series):
            offset = (number - (len(series) - 1) / 2) * width
            bars = pg.BarGraphItem(x=[index + offset for index in range(len(heights))], height=heights,
                                   width=width, brush=QColor(colour), pen=pg.mkPen(None), name=name)
            plot.addItem(bars)
        ticks = [(index, label) for index, label in enumerate(labels) if index % every == 0]
        plot.getPlotItem().getAxis("bottom").setTicks([ticks])
        top = max((max(heights, default=0) for _, heights, _ in series), default=0)
        plot.setXRange(-0.6, max(len(labels) - 0.4, 0.4), padding=0)
        plot.setYRange(0, max(top, 1) * HEADROOM, padding=0)
        step = max(1, -(-top // 5))        # whole counts: ticks at 0, 1, 2 ... (at most about 6)
        plot.getPlotItem().getAxis("left").setTicks([[(value, str(value))
                                                      for value in range(0, max(top, 1) + step, step)]])
