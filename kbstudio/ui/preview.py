"""The read view: a document built off the GUI thread that only loads images from inside the KB.

Its code blocks carry a ``Copy`` link (``kbstudio-copy:N``) that puts block N's raw text on the clipboard.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QObject, QThread, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget

from kbstudio.ui.read_html import COPY_SCHEME, ZERO_WIDTH_SPACE, adapt_read_html


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

    def __init__(self, kb_root: Path, base_dir: Path, style_sheet: str,
                 code_blocks: list[str] | None = None) -> None:
        super().__init__()
        self.kb_root = kb_root.resolve()
        self.base_dir = base_dir.resolve()
        self.code_blocks: list[str] = list(code_blocks or [])   # raw text, in document order
        self.setDefaultStyleSheet(style_sheet)

    def loadResource(self, kind: int, url: QUrl | str) -> object:  # noqa: N802 - Qt override
        if kind != QTextDocument.ResourceType.ImageResource.value:
            return None
        path = local_resource(self.kb_root, self.base_dir, QUrl(url))
        if path is None:
            return None
        image = QImage(str(path))
        return None if image.isNull() else image


def build_preview(html: str, kb_root: Path, base_dir: Path, style_sheet: str,
                  gui_thread: QThread, *, code_blocks: list[str] | None = None) -> PreviewDocument:
    """Lay out ``html`` in a new document (in a worker thread) and hand it to the GUI thread.

    The renderer's HTML is adapted to what QTextDocument can show first (``adapt_read_html``).
    ``code_blocks`` is the raw text of each code block, in order, for the Copy links; when it is
    missing, or does not match the blocks in the HTML, the text shown in each block is copied instead,
    so a Copy link never copies another block's command.
    """
    adapted = adapt_read_html(html)
    if code_blocks is None or len(code_blocks) != len(adapted.shown_code):
        code_blocks = adapted.shown_code
    document = PreviewDocument(kb_root, base_dir, style_sheet, code_blocks)
    document.setHtml(adapted.html)
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

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt override
        """Copy the selection as plain text without the zero-width spaces added for line breaking."""
        data = super().createMimeDataFromSelection()   # Qt's own object: Qt owns and frees it
        if ZERO_WIDTH_SPACE in data.text():
            data.setText(data.text().replace(ZERO_WIDTH_SPACE, ""))
        return data

    def loadResource(self, kind: int, url: QUrl | str) -> object:  # noqa: N802 - Qt override
        document = self.document()
        if isinstance(document, PreviewDocument):
            return document.loadResource(kind, url)
        return None

    def code_block(self, url: QUrl) -> str | None:
        """Return the raw text of the code block a ``kbstudio-copy:N`` link names, or None."""
        document = self.document()
        index = url.path()
        if url.scheme() != COPY_SCHEME or not index.isdigit() or not isinstance(document, PreviewDocument):
            return None
        number = int(index)
        return document.code_blocks[number] if number < len(document.code_blocks) else None

    def copy_code_block(self, url: QUrl) -> str:
        """Put the code block a ``kbstudio-copy:N`` link names on the clipboard; return a status line.

        The block's final line break is left out, so pasting a command into a shell does not run it.
        """
        text = self.code_block(url)
        if text is None:
            return "Nothing to copy: this code block is no longer shown"
        text = text.removesuffix("\n")
        QApplication.clipboard().setText(text)
        lines = len(text.splitlines()) or 1
        return f"Copied {lines} line{'s' if lines != 1 else ''}"
