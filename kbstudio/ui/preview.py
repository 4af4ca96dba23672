"""The read view: a document built off the GUI thread that only loads images from inside the KB."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget


def local_resource(kb_root: Path, base_dir: Path, url: QUrl) -> Path | None:
    """Return the file ``url`` names when it lies inside the KB, else None (remote, outside, odd)."""
    if url.scheme() not in ("", "file"):
        return None
    raw = url.toLocalFile() if url.scheme() == "file" else url.path()
    if not raw:
        return None
    local = (base_dir / raw).resolve() if not Path(raw).is_absolute() else Path(raw).resolve()
    return local if local.is_relative_to(kb_root) and local.is_file() else None


class PreviewDocument(QTextDocument):
    """Rendered HTML of one document; images come only from files inside the KB."""

    def __init__(self, kb_root: Path, base_dir: Path, style_sheet: str) -> None:
        super().__init__()
        self.kb_root = kb_root.resolve()
        self.base_dir = base_dir.resolve()
        self.setDefaultStyleSheet(style_sheet)

    def loadResource(self, kind: int, url: QUrl) -> object:  # noqa: N802 - Qt override
        if kind != QTextDocument.ResourceType.ImageResource.value:
            return None
        path = local_resource(self.kb_root, self.base_dir, url)
        if path is None:
            return None
        image = QImage(str(path))
        return None if image.isNull() else image


def build_preview(html: str, kb_root: Path, base_dir: Path, style_sheet: str,
                  gui_thread: QThread) -> PreviewDocument:
    """Lay out ``html`` in a new document (in a worker thread) and hand it to the GUI thread."""
    document = PreviewDocument(kb_root, base_dir, style_sheet)
    document.setHtml(html)
    document.moveToThread(gui_thread)
    return document


class PreviewBrowser(QTextBrowser):
    """A read view that never loads anything from the network or outside the KB."""

    def __init__(self, kb_root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kb_root = kb_root.resolve()
        self.setOpenLinks(False)
        self._shown: QObject | None = None

    def show_document(self, document: PreviewDocument) -> None:
        """Show a document built by ``build_preview``, keeping the scroll position."""
        scroll = self.verticalScrollBar().value()
        self.setDocument(document)
        self._shown = document   # setDocument does not take ownership
        self.verticalScrollBar().setValue(scroll)

    def loadResource(self, kind: int, url: QUrl) -> object:  # noqa: N802 - Qt override
        document = self.document()
        if isinstance(document, PreviewDocument):
            return document.loadResource(kind, url)
        return None
