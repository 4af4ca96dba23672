"""The Markdown editor: a plain-text editor that turns pasted or dropped images into files and links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, Signal
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from kbstudio.media import IMAGE_SUFFIXES, MediaError, read_image_file

# Called with (image bytes, name hint); returns the Markdown to insert or raises MediaError.
ImageSaver = Callable[[bytes, str], str]


def _image_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES]


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class MarkdownEditor(QPlainTextEdit):
    """A monospace Markdown editor; images pasted or dropped are saved and linked."""

    messageRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image_saver: ImageSaver | None = None
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(mono)
        self.setTabChangesFocus(False)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 - Qt override
        if self.image_saver is not None and (source.hasImage() or _image_files(source)):
            return True
        return super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt override
        if self.image_saver is None:
            super().insertFromMimeData(source)
            return
        files = _image_files(source)
        if files:
            self._insert_images([(path.name, lambda p=path: read_image_file(p)) for path in files])
        elif source.hasImage():
            image = QImage(source.imageData())
            self._insert_images([("", lambda: _png_bytes(image))])
        else:
            super().insertFromMimeData(source)

    def _insert_images(self, images: list[tuple[str, Callable[[], bytes]]]) -> None:
        assert self.image_saver is not None
        links: list[str] = []
        for name, read in images:
            try:
                links.append(self.image_saver(read(), name))
            except MediaError as error:
                self.messageRequested.emit(f"Image not inserted: {error}")
        if links:
            self.textCursor().insertText("\n".join(links))
            self.messageRequested.emit(f"Saved {len(links)} image(s) in the media folder")
