"""The escalation map: tiers L0-L4 as columns, SOPs as arrows between them; click to open."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
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
    QStyle,
    QVBoxLayout,
    QWidget,
)

from kbstudio.sop import EscalationMap, counted, escalation_map_svg
from kbstudio.ui.badges import TIER_COLOURS

COLUMN_WIDTH = 230      # the widest a column gets; narrower to fit the window, down to MIN_COLUMN_WIDTH
MIN_COLUMN_WIDTH = 96
COLUMN_GAP = 16
MARGIN = 4
HEADER_HEIGHT = 84
ROW_HEIGHT = 46
LANE_ALPHA = 28         # how much of the tier's colour tints its lane
PATH_ROLE = 0
MIN_CONTRAST = 4.5      # WCAG AA for normal text
MIN_LINE_CONTRAST = 3.0   # WCAG AA for lines and shapes


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = channel(colour.redF()), channel(colour.greenF()), channel(colour.blueF())
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: QColor, second: QColor) -> float:
    """Return the WCAG contrast ratio of two opaque colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def lane_colour(tier_colour: QColor, background: QColor) -> QColor:
    """Return the colour a tier's lane shows: its tint over the map's background."""
    alpha = LANE_ALPHA / 255
    return QColor.fromRgbF(*(alpha * tint + (1 - alpha) * base for tint, base in (
        (tier_colour.redF(), background.redF()), (tier_colour.greenF(), background.greenF()),
        (tier_colour.blueF(), background.blueF()))))


def wrap_text(text: str, metrics: QFontMetricsF, width: float, lines: int = 1) -> list[str]:
    """Return ``text`` broken at spaces into lines no wider than ``width``; past ``lines`` lines the
    last is cut with an ellipsis. Line breaks already in ``text`` are kept."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and metrics.horizontalAdvance(candidate) > width:
                out.append(current)
                current = word
            else:
                current = candidate
        out.append(current)
    if len(out) > lines:
        out = out[: lines - 1] + [" ".join(out[lines - 1:])]
    return [metrics.elidedText(part, Qt.TextElideMode.ElideRight, width) for part in out]


def visible_colour(colour: QColor, backgrounds: list[QColor], ratio: float = MIN_LINE_CONTRAST) -> QColor:
    """Return ``colour``, made lighter on dark backgrounds (darker on light ones) until it stands out."""
    dark = _luminance(backgrounds[0]) < 0.2
    for _ in range(12):
        if min(contrast_ratio(colour, background) for background in backgrounds) >= ratio:
            break
        colour = colour.lighter(115) if dark else colour.darker(115)
    return colour


def readable_text(preferred: QColor, backgrounds: list[QColor]) -> QColor:
    """Return ``preferred`` when it reads well on every background, else black or white, the better one."""
    def worst(colour: QColor) -> float:
        return min(contrast_ratio(colour, background) for background in backgrounds)

    if worst(preferred) >= MIN_CONTRAST:
        return preferred
    return max((QColor("#000000"), QColor("#ffffff")), key=worst)


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
        self.column_width = float(COLUMN_WIDTH)
        svg_button = QPushButton("Export SVG...")
        png_button = QPushButton("Export PNG...")
        notes = [counted(len(emap.edges), "SOP")]
        if emap.untiered_articles:
            notes.append(f"{counted(emap.untiered_articles, 'untiered article')} not shown")
        if emap.unmapped:
            notes.append(f"{counted(len(emap.unmapped), 'SOP')} without a tier or escalates_to")
        self.summary = QLabel("Click an arrow to open its SOP.  " + "; ".join(notes))
        self.summary.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(self.summary, 1)
        header.addWidget(svg_button)
        header.addWidget(png_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        svg_button.clicked.connect(self._ask_svg)
        png_button.clicked.connect(self._ask_png)
        self.draw()

    def _column_x(self, index: int) -> float:
        return MARGIN + index * (self.column_width + COLUMN_GAP)

    def _fitting_column_width(self) -> float:
        """Return the column width that fits the view's width without a horizontal scroll bar."""
        bar = self.view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self.view)
        width = self.view.width() - 2 * self.view.frameWidth() - bar   # room for a vertical bar, always
        columns = max(1, len(self.emap.tiers))
        fitting = (width - 2 * MARGIN - (columns - 1) * COLUMN_GAP - 1) // columns
        return max(float(MIN_COLUMN_WIDTH), min(float(COLUMN_WIDTH), fitting))

    def label_colours(self) -> tuple[QColor, list[QColor]]:
        """Return the colour of the map's text and the lane colours it is drawn on (for this palette)."""
        background = self.view.palette().base().color()
        lanes = [lane_colour(QColor(TIER_COLOURS.get(column.tier, TIER_COLOURS[None])), background)
                 for column in self.emap.tiers]
        return readable_text(self.view.palette().text().color(), [background, *lanes]), lanes

    def _text(self, text: str, x: float, y: float, width: float, colour: QColor, font: QFont | None = None,
              tip: str = "", lines: int = 1) -> QGraphicsSimpleTextItem:
        """Add ``text`` at (x, y), wrapped to ``width`` on at most ``lines`` lines, the last cut with an
        ellipsis when it still does not fit; a cut text has the whole of it as its tooltip."""
        item = QGraphicsSimpleTextItem()
        if font is not None:
            item.setFont(font)
        shown = "\n".join(wrap_text(text, QFontMetricsF(item.font()), max(width, 10.0), lines))
        item.setText(shown)
        item.setBrush(colour)
        item.setPos(x, y)
        if tip or shown.replace("\n", " ") != text:
            item.setToolTip(tip or text)
        self.scene.addItem(item)
        return item

    def draw(self) -> None:
        """Lay out the columns and the arrows to fit the view's width, in the palette's colours."""
        self.scene.clear()
        self.column_width = self._fitting_column_width()
        text_colour, lanes = self.label_colours()
        backgrounds = [self.view.palette().base().color(), *lanes]
        self.view.setBackgroundBrush(self.view.palette().base())
        bold = QFont()
        bold.setBold(True)
        line = QFontMetricsF(QFont()).lineSpacing()
        height = HEADER_HEIGHT + max(1, len(self.emap.edges)) * ROW_HEIGHT + 30
        inner = self.column_width - 16
        for index, column in enumerate(self.emap.tiers):
            x = self._column_x(index)
            colour = QColor(TIER_COLOURS.get(column.tier, TIER_COLOURS[None]))
            band = QColor(colour)
            band.setAlpha(LANE_ALPHA)
            self.scene.addRect(QRectF(x, 0, self.column_width, height), QPen(Qt.PenStyle.NoPen), QBrush(band))
            self.scene.addRect(QRectF(x, 0, self.column_width, 6), QPen(Qt.PenStyle.NoPen), QBrush(colour))
            self._text(f"{column.tier}  {column.name}", x + 8, 12, inner, text_colour, bold, lines=2)
            starts = "starts here" if column.sops == 1 else "start here"
            self._text(f"{counted(column.articles, 'article')}\n{counted(column.sops, 'SOP')} {starts}",
                       x + 8, 16 + 2 * line, inner, text_colour, lines=2)
        centres = {column.tier: self._column_x(i) + self.column_width / 2
                   for i, column in enumerate(self.emap.tiers)}
        right_edge = self._column_x(len(self.emap.tiers) - 1) + self.column_width - 8
        metrics = QFontMetricsF(QFont())
        for row, edge in enumerate(self.emap.edges):
            y = HEADER_HEIGHT + row * ROW_HEIGHT + 30
            start, end = centres[edge.from_tier], centres[edge.to_tier]
            colour = QColor(TIER_COLOURS.get(edge.to_tier, TIER_COLOURS[None]) if edge.upward else "#c62828")
            colour = visible_colour(colour, backgrounds)
            self._arrow(start, end, y, colour, edge.rel_path, edge.upward)
            # One SOP a row: its label may use the row's width, from its first column on (or further left).
            name = " ".join(part for part in (edge.sop_id, edge.title) if part)
            left = min(start, end) - self.column_width / 2 + 8
            needed = metrics.horizontalAdvance(name) + 2
            left = max(MARGIN + 8, min(left, right_edge - needed))
            label = self._text(name, left, y - 8 - line, right_edge - left, text_colour,
                               tip=f"{name}\n{edge.from_tier} -> {edge.to_tier} ({edge.status})")
            label.setData(PATH_ROLE, edge.rel_path)
            label.setCursor(Qt.CursorShape.PointingHandCursor)
        width = self._column_x(len(self.emap.tiers) - 1) + self.column_width + MARGIN
        self.scene.setSceneRect(QRectF(0, 0, width, height + MARGIN))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if abs(self._fitting_column_width() - self.column_width) >= 1:
            self.draw()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override: redraw in the new theme
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange,
                            QEvent.Type.StyleChange):
            QTimer.singleShot(0, self._redraw)   # once the view has its new palette too

    def _redraw(self) -> None:
        if shiboken6.isValid(self):
            self.draw()

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
        # PySide6's stubs type the format as bytes, but the binding takes only str (6.11.3: bytes raises)
        return image.save(str(target), "PNG")  # type: ignore[call-overload]

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
