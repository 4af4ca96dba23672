"""The escalation map: tiers L0-L4 as columns, SOPs as arrows between them; click to open."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kbstudio.sop import EscalationMap, escalation_map_svg
from kbstudio.ui.badges import TIER_COLOURS

COLUMN_WIDTH = 230
COLUMN_GAP = 30
HEADER_HEIGHT = 74
ROW_HEIGHT = 46
PATH_ROLE = 0


class _SopArrow(QGraphicsPathItem):
    """One SOP drawn as an arrow; it remembers the SOP's path for clicks."""

    def __init__(self, path: QPainterPath, rel_path: str) -> None:
        super().__init__(path)
        self.setData(PATH_ROLE, rel_path)
        self.setCursor(Qt.CursorShape.PointingHandCursor)


class _Canvas(QGraphicsView):
    """The drawing; a click reports the item under the mouse."""

    itemClicked = Signal(object)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.itemClicked.emit(self.itemAt(event.position().toPoint()))
        super().mouseReleaseEvent(event)


class EscalationMapView(QWidget):
    """Draws an EscalationMap and exports it as SVG or PNG."""

    openDocumentRequested = Signal(str)
    messageRequested = Signal(str)

    def __init__(self, emap: EscalationMap, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.emap = emap
        self.title = title
        self.scene = QGraphicsScene(self)
        self.view = _Canvas(self.scene)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.view.itemClicked.connect(self.open_item)
        svg_button = QPushButton("Export SVG...")
        png_button = QPushButton("Export PNG...")
        notes = [f"{len(emap.edges)} SOPs"]
        if emap.untiered_articles:
            notes.append(f"{emap.untiered_articles} untiered articles not shown")
        if emap.unmapped:
            notes.append(f"{len(emap.unmapped)} SOPs without a tier or escalates_to")
        header = QHBoxLayout()
        header.addWidget(QLabel("Click an arrow to open its SOP.  " + "; ".join(notes)), 1)
        header.addWidget(svg_button)
        header.addWidget(png_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        svg_button.clicked.connect(self._ask_svg)
        png_button.clicked.connect(self._ask_png)
        self.draw()

    def _column_x(self, index: int) -> float:
        return index * (COLUMN_WIDTH + COLUMN_GAP)

    def draw(self) -> None:
        """Lay out the columns and the arrows."""
        self.scene.clear()
        text_colour = self.palette().text().color()
        bold = QFont()
        bold.setBold(True)
        height = HEADER_HEIGHT + max(1, len(self.emap.edges)) * ROW_HEIGHT + 30
        for index, column in enumerate(self.emap.tiers):
            x = self._column_x(index)
            colour = QColor(TIER_COLOURS.get(column.tier, TIER_COLOURS[None]))
            band = QColor(colour)
            band.setAlpha(28)
            self.scene.addRect(QRectF(x, 0, COLUMN_WIDTH, height), QPen(Qt.PenStyle.NoPen), QBrush(band))
            self.scene.addRect(QRectF(x, 0, COLUMN_WIDTH, 6), QPen(Qt.PenStyle.NoPen), QBrush(colour))
            name = QGraphicsSimpleTextItem(f"{column.tier}  {column.name}")
            name.setFont(bold)
            name.setBrush(text_colour)
            name.setPos(x + 10, 14)
            self.scene.addItem(name)
            counts = QGraphicsSimpleTextItem(f"{column.articles} articles, {column.sops} SOPs start here")
            counts.setBrush(text_colour)
            counts.setPos(x + 10, 40)
            self.scene.addItem(counts)
        centres = {column.tier: self._column_x(i) + COLUMN_WIDTH / 2
                   for i, column in enumerate(self.emap.tiers)}
        for row, edge in enumerate(self.emap.edges):
            y = HEADER_HEIGHT + row * ROW_HEIGHT + 30
            start, end = centres[edge.from_tier], centres[edge.to_tier]
            colour = QColor(TIER_COLOURS.get(edge.to_tier, TIER_COLOURS[None]) if edge.upward else "#c62828")
            self._arrow(start, end, y, colour, edge.rel_path, edge.upward)
            label = QGraphicsSimpleTextItem(f"{edge.sop_id or ''} {edge.title}"[:60])
            label.setBrush(text_colour)
            label.setPos(min(start, end) - COLUMN_WIDTH / 2 + 10, y - 22)
            label.setData(PATH_ROLE, edge.rel_path)
            label.setToolTip(f"{edge.title}\n{edge.from_tier} -> {edge.to_tier} ({edge.status})")
            self.scene.addItem(label)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-10, -10, 10, 10))

    def _arrow(self, start: float, end: float, y: float, colour: QColor, rel_path: str, upward: bool) -> None:
        direction = 1 if end >= start else -1
        tip = end - direction * 12
        path = QPainterPath(QPointF(start, y))
        path.lineTo(QPointF(tip, y))
        if start == end:   # an SOP that stays in its own tier: a small loop
            path = QPainterPath(QPointF(start - 20, y))
            path.arcTo(QRectF(start - 20, y - 10, 40, 20), 180, -300)
        arrow = _SopArrow(path, rel_path)
        pen = QPen(colour, 3)
        if not upward:
            pen.setStyle(Qt.PenStyle.DashLine)
        arrow.setPen(pen)
        arrow.setToolTip("Does not escalate upward" if not upward else "")
        self.scene.addItem(arrow)
        head = QPolygonF([QPointF(end, y), QPointF(tip, y - 7), QPointF(tip, y + 7)])
        item = self.scene.addPolygon(head, QPen(colour), QBrush(colour))
        item.setData(PATH_ROLE, rel_path)
        start_dot = self.scene.addEllipse(QRectF(start - 5, y - 5, 10, 10), QPen(colour), QBrush(colour))
        start_dot.setData(PATH_ROLE, rel_path)

    def open_item(self, item: QGraphicsItem | None) -> None:
        """Open the SOP drawn by ``item``, if it is one."""
        rel_path = item.data(PATH_ROLE) if item is not None else None
        if rel_path:
            self.openDocumentRequested.emit(str(rel_path))

    def export_svg(self, target: Path) -> None:
        """Write the map as SVG (drawn by the core, so it looks the same from the CLI)."""
        target.write_text(escalation_map_svg(self.emap, self.title), "utf-8")

    def export_png(self, target: Path) -> bool:
        """Write the map as a PNG at twice the screen resolution."""
        rect = self.scene.sceneRect()
        image = QImage(int(rect.width() * 2), int(rect.height() * 2), QImage.Format.Format_ARGB32)
        image.fill(self.palette().base().color())
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.scene.render(painter)
        painter.end()
        return image.save(str(target), "PNG")

    def _ask_svg(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export escalation map", "escalation-map.svg",
                                              "SVG (*.svg)")
        if name:
            try:
                self.export_svg(Path(name))
            except OSError as error:
                self.messageRequested.emit(f"Could not write {name}: {error.strerror or error}")
                return
            self.messageRequested.emit(f"Saved {name}")

    def _ask_png(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export escalation map", "escalation-map.png",
                                              "PNG (*.png)")
        if name:
            ok = self.export_png(Path(name))
            self.messageRequested.emit(f"Saved {name}" if ok else f"Could not write {name}")
