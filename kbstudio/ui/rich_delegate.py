"""Rich-text list rows painted by one delegate: no widget per row, so showing results is cheap."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

HTML_ROLE = Qt.ItemDataRole.UserRole + 1
PADDING = 5
Index = QModelIndex | QPersistentModelIndex


class RichTextDelegate(QStyledItemDelegate):
    """Paints each row's HTML (``HTML_ROLE``) wrapped to the row width, with a light selection."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._documents: dict[tuple[str, int], QTextDocument] = {}

    def clear_cache(self) -> None:
        """Forget laid-out rows (new results)."""
        self._documents.clear()

    def _document(self, html: str, width: int) -> QTextDocument:
        key = (html, width)
        document = self._documents.get(key)
        if document is None:
            if len(self._documents) > 200:
                self._documents.clear()
            document = QTextDocument()
            document.setDocumentMargin(0)
            document.setHtml(html)
            document.setTextWidth(max(width - 2 * PADDING, 50))
            self._documents[key] = document
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        rect = option.rect
        palette = option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            # A tint rather than the full highlight keeps grey paths and coloured badges readable.
            tint = QColor(palette.color(QPalette.ColorRole.Highlight))
            tint.setAlpha(70 if option.state & QStyle.StateFlag.State_HasFocus else 45)
            painter.fillRect(rect, tint)
        elif index.row() % 2:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        document = self._document(str(index.data(HTML_ROLE) or ""), rect.width())
        painter.translate(rect.left() + PADDING, rect.top() + PADDING)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, palette.color(QPalette.ColorRole.Text))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802 - Qt override
        view = self.parent()
        width = option.rect.width()
        if isinstance(view, QAbstractItemView) and view.viewport().width() > 0:
            width = view.viewport().width()   # rows wrap to the visible width, never wider
        width = width if width > 0 else 400
        document = self._document(str(index.data(HTML_ROLE) or ""), width)
        return QSize(width, int(document.size().height()) + 2 * PADDING)
