"""The Markdown editor: a plain-text editor that turns pasted or dropped images into files and links."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QMimeData, QObject, Signal
from PySide6.QtGui import QFont, QImage, QKeyEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from kbstudio.media import IMAGE_SUFFIXES, MediaError, read_image_file

# Called with (image bytes, name hint); returns the Markdown to insert or raises MediaError.
ImageSaver = Callable[[bytes, str], str]
# Called with the cursor where something is about to be inserted; returns where to insert it.
InsertGuard = Callable[[QTextCursor], QTextCursor]

# What a QPlainTextEdit cannot hold as it is: setPlainText turns these into line breaks.
UNHOLDABLE = {"\r": "a carriage return without a line feed", "\u2029": "a paragraph separator (U+2029)",
              "\ufdd0": "the noncharacter U+FDD0", "\ufdd1": "the noncharacter U+FDD1"}


def qt_length(text: str) -> int:
    """Return the length of ``text`` in Qt text positions (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def unholdable(text: str) -> tuple[int, str] | None:
    """Return (line, what) of the first character the editor would change in ``text``, else None."""
    found = [(text.find(char), what) for char, what in UNHOLDABLE.items() if char in text]
    if not found:
        return None
    index, what = min(found)
    return text.count("\n", 0, index) + 1, what


class ShortcutPassThrough(QObject):
    """Lets the window's shortcuts in ``keys`` through a text field that would take them itself.

    On X11 a line edit reads Ctrl+E as "end of line"; Ctrl+E must switch Edit/Read everywhere.
    """

    def __init__(self, keys: list[QKeySequence], parent: QObject | None = None) -> None:
        super().__init__(parent)
        # PySide6's stubs lack QKeySequence.__getitem__ (Qt's operator[]), which the binding has
        self.keys = [key[0].toCombined() for key in keys if not key.isEmpty()]  # type: ignore[index]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.keyCombination().toCombined() in self.keys:
                event.ignore()   # not taken by the field: the window's shortcut runs
                return True
        return super().eventFilter(watched, event)


def _image_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES]


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stubs type the format as bytes, but the binding takes only str (6.11.3: bytes raises)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


class MarkdownEditor(QPlainTextEdit):
    """A monospace Markdown editor; images pasted or dropped are saved and linked."""

    messageRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image_saver: ImageSaver | None = None
        self.insert_guard: InsertGuard | None = None
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(mono)
        self.setTabChangesFocus(False)

    def markdown(self) -> str:
        """Return the text exactly as held, with ``\\n`` line breaks.

        ``toPlainText`` is not that: it turns no-break spaces into spaces and line separators
        (U+2028) into line breaks.
        """
        return self.document().toRawText().replace("\u2029", "\n")

    def insert_markdown(self, make: Callable[[str], str]) -> None:
        """Insert ``make(selected text)`` at the cursor as one undo step.

        The guard first moves an insert out of the front matter (dropping the selection).
        """
        cursor = self.textCursor()
        cursor.beginEditBlock()   # one undo step, whatever the guard adds
        try:
            target = self.insert_guard(cursor) if self.insert_guard is not None else cursor
            target.insertText(make(target.selectedText()))
        finally:
            cursor.endEditBlock()
        self.setTextCursor(target)

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
            self._insert_images([(path.name, partial(read_image_file, path)) for path in files])
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
            self.insert_markdown(lambda _: "\n".join(links))
            self.messageRequested.emit(f"Saved {len(links)} image(s) in the media folder")
