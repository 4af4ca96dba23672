"""A document tab: rendered read view, Markdown editor with live preview, front-matter form."""

from __future__ import annotations

import html
import posixpath
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kbstudio.fmedit import remove_field, set_field
from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.kb import KnowledgeBase
from kbstudio.media import MediaError, read_image_file, save_image
from kbstudio.model import Document
from kbstudio.reader import content_hash
from kbstudio.render_budget import BudgetedRenderer
from kbstudio.storage import ExternalChangeError, save_document_text
from kbstudio.ui.editor import MarkdownEditor
from kbstudio.ui.find_bar import FindBar
from kbstudio.ui.highlighter import MarkdownHighlighter
from kbstudio.ui.metadata_form import MetadataForm
from kbstudio.ui.preview import PreviewBrowser, PreviewDocument, build_preview
from kbstudio.ui.read_html import COPY_SCHEME
from kbstudio.ui.tasks import TaskRunner
from kbstudio.ui.theme import preview_css

PREVIEW_DELAY_MS = 300
LIGHT_CODE_STYLE, DARK_CODE_STYLE = "friendly", "monokai"
SAFE_SCHEMES = ("http", "https", "mailto")


class DocumentTab(QWidget):
    """One open document."""

    openLinkRequested = Signal(str)      # a KB-relative path of another document
    messageRequested = Signal(str)       # a line for the status bar
    saved = Signal(str)                  # the KB-relative path that was saved
    externalChangeFound = Signal(object)  # the ExternalChangeError of a refused save
    dirtyChanged = Signal(bool)
    linkPickerRequested = Signal()
    startSopRequested = Signal(str)       # the KB-relative path of the SOP to run

    def __init__(self, kb: KnowledgeBase, document: Document, runner: TaskRunner,
                 read_mode: bool = True, dark: bool = False, parent: QWidget | None = None,
                 renderer: BudgetedRenderer | None = None) -> None:
        super().__init__(parent)
        self.renderer = renderer   # the app's one formatter process; None renders in-process
        self.dark = dark
        self.kb = kb
        self.document = document
        self.rel_path = document.rel_path
        self.runner = runner
        self.loaded_hash = document.content_hash
        self._saved_text = document.text
        self._render_generation = 0

        self.editor = MarkdownEditor()
        self.editor.setObjectName("editor")
        self.editor.image_saver = self._save_image
        self.editor.setPlainText(document.text)
        self.editor.document().setModified(False)
        self.highlighter = MarkdownHighlighter(self.editor.document())
        self.preview = PreviewBrowser(kb.root)
        self.preview.setObjectName("preview")
        self.form = MetadataForm()
        self.mode_button = QPushButton()
        self.mode_button.setCheckable(True)
        self.save_button = QPushButton("Save")
        self.link_button = QPushButton("Link...")
        self.link_button.setToolTip("Insert a link to another document (Ctrl+L)")
        self.image_button = QPushButton("Image...")
        self.image_button.setToolTip("Insert an image; you can also paste or drop one into the text")
        self.find_bar = FindBar()
        self.start_button = QPushButton("Start escalation")
        self.start_button.setToolTip("Run this SOP step by step and get a hand-off note for the ticket")
        self.start_button.setVisible(document.kind == "sop")
        self.escalation_bar = QLabel()
        self.escalation_bar.setObjectName("escalationBar")
        self.escalation_bar.setWordWrap(True)
        self.escalation_bar.setTextFormat(Qt.TextFormat.RichText)
        self.escalation_bar.setVisible(False)
        self.escalation_bar.setStyleSheet(
            "#escalationBar { border-top: 1px solid palette(mid); padding: 6px; }")
        self.escalation_sop: str | None = None
        self.run_panel: QWidget | None = None
        self.problems = QLabel()
        self.problems.setStyleSheet("color: #c62828;")
        self.problems.setWordWrap(True)
        toolbar = QToolBar()
        toolbar.addWidget(self.mode_button)
        toolbar.addWidget(self.start_button)
        toolbar.addWidget(self.save_button)
        toolbar.addWidget(self.link_button)
        toolbar.addWidget(self.image_button)
        toolbar.addWidget(self.problems)
        self.edit_side = QSplitter()
        self.edit_side.setOrientation(self.edit_side.orientation().Vertical)
        self.edit_side.addWidget(self.form)
        self.edit_side.addWidget(self.editor)
        self.edit_side.setSizes([220, 600])
        self.splitter = QSplitter()
        self.splitter.addWidget(self.edit_side)
        self.splitter.addWidget(self.preview)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(toolbar)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.escalation_bar)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.editor.textChanged.connect(self._preview_timer.start)
        self.editor.textChanged.connect(self._text_changed)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self.form.fieldEdited.connect(self.set_field)
        self.preview.anchorClicked.connect(self._follow_link)
        self.mode_button.toggled.connect(self.set_edit_mode)
        self.save_button.clicked.connect(self.save)
        self.link_button.clicked.connect(self.linkPickerRequested.emit)
        self.image_button.clicked.connect(self.choose_image)
        self.start_button.clicked.connect(lambda: self.startSopRequested.emit(self.rel_path))
        self.escalation_bar.linkActivated.connect(self._escalation_link)
        self.editor.messageRequested.connect(self.messageRequested)

        self._show_problems(document)
        self._sync_form()
        self.set_edit_mode(not read_mode)
        self.refresh_preview()

    # Modes and state ---------------------------------------------------------------------

    @property
    def text(self) -> str:
        """Return the editor's text."""
        return self.editor.toPlainText()

    @property
    def dirty(self) -> bool:
        """Return True when the text differs from what is on disk."""
        return self.text != self._saved_text

    def set_edit_mode(self, editing: bool) -> None:
        """Show the editor and form beside the preview, or the read view alone."""
        self.mode_button.blockSignals(True)
        self.mode_button.setChecked(editing)
        self.mode_button.blockSignals(False)
        self.mode_button.setText("Read" if editing else "Edit")
        self.edit_side.setVisible(editing)
        for button in (self.save_button, self.link_button, self.image_button):
            button.setVisible(editing)
        if self.find_bar.isVisible():
            self.open_find(replace=False)

    def _show_problems(self, document: Document) -> None:
        text = "; ".join(f"line {p.line}: {p.message}" if p.line else p.message
                         for p in document.problems if p.rule != "untiered")
        self.problems.setText(text)

    def _text_changed(self) -> None:
        self.dirtyChanged.emit(self.dirty)
        self._form_timer_start()

    def _form_timer_start(self) -> None:
        if not hasattr(self, "_form_timer"):
            self._form_timer = QTimer(self)
            self._form_timer.setSingleShot(True)
            self._form_timer.setInterval(PREVIEW_DELAY_MS)
            self._form_timer.timeout.connect(self._sync_form)
        self._form_timer.start()

    # Find, links and images ---------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """Return True when the editor is shown."""
        return self.mode_button.isChecked()

    def open_find(self, replace: bool) -> None:
        """Show the find bar on the editor (with replace) or on the read view."""
        self.find_bar.open_on(self.editor if self.editing else self.preview, replace and self.editing)

    def go_to_line(self, line: int) -> None:
        """Show the editor with the cursor at ``line`` (1-based)."""
        self.set_edit_mode(True)
        block = self.editor.document().findBlockByNumber(max(0, min(line, self.editor.blockCount()) - 1))
        cursor = QTextCursor(block)
        cursor.select(QTextCursor.SelectionType.LineUnderCursor)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        self.editor.setFocus()

    def insert_link(self, rel_path: str, title: str) -> None:
        """Insert a Markdown link to another document at the cursor (the selection becomes its text)."""
        self.set_edit_mode(True)
        folder = posixpath.dirname(self.rel_path) or "."
        target = posixpath.relpath(rel_path, folder).replace(" ", "%20").replace(")", "%29")
        cursor = self.editor.textCursor()
        label = cursor.selectedText() or title
        label = label.replace("[", "\\[").replace("]", "\\]")
        cursor.insertText(f"[{label}]({target})")
        self.editor.setFocus()

    def choose_image(self) -> None:
        """Ask for an image file and insert it."""
        name, _ = QFileDialog.getOpenFileName(self, "Insert image", "",
                                              "Images (*.png *.jpg *.jpeg *.gif *.webp)")
        if name:
            self.insert_image_file(Path(name))

    def insert_image_file(self, path: Path) -> bool:
        """Copy an image into the KB's media folder and link it at the cursor."""
        try:
            markdown = self._save_image(read_image_file(path), path.name)
        except MediaError as error:
            self.messageRequested.emit(f"Image not inserted: {error}")
            return False
        self.editor.textCursor().insertText(markdown)
        return True

    def _save_image(self, data: bytes, name_hint: str) -> str:
        return save_image(self.kb.root, self.document.path, data, name_hint).markdown

    # Escalation ----------------------------------------------------------------------------

    def set_escalation(self, sop: Document | None) -> None:
        """Show which SOP to follow when this article does not solve the problem."""
        self.escalation_sop = sop.rel_path if sop is not None else None
        if sop is None:
            self.escalation_bar.setVisible(False)
            return
        name = html.escape(" ".join(part for part in (sop.id, sop.title) if part))
        target = f" (escalates to {sop.escalates_to})" if sop.escalates_to else ""
        self.escalation_bar.setText(
            f"<b>Didn't solve it?</b> Follow <a href='open'>{name}</a>{html.escape(target)} "
            f"&nbsp; <a href='start'>Start the escalation</a>")
        self.escalation_bar.setVisible(True)

    def _escalation_link(self, action: str) -> None:
        if self.escalation_sop is None:
            return
        if action == "start":
            self.startSopRequested.emit(self.escalation_sop)
        else:
            self.openLinkRequested.emit(self.escalation_sop)

    def show_run_panel(self, panel: QWidget) -> None:
        """Put an SOP run beside the read view (replacing an earlier run)."""
        self.close_run_panel()
        self.run_panel = panel
        self.splitter.addWidget(panel)
        width = max(self.splitter.width(), 900)
        sizes = self.splitter.sizes()
        self.splitter.setSizes([*sizes[:-1], width * 45 // 100] if len(sizes) > 1 else sizes)
        self.start_button.setEnabled(False)

    def close_run_panel(self) -> None:
        """Remove the SOP run panel."""
        if self.run_panel is not None:
            self.run_panel.hide()
            self.run_panel.setParent(None)
            self.run_panel.deleteLater()
            self.run_panel = None
        self.start_button.setEnabled(True)

    # Front matter both ways ----------------------------------------------------------------

    def _sync_form(self) -> None:
        """Show the YAML text's fields in the form (or why the YAML can't be read)."""
        split = split_front_matter(self.text)
        if split.unclosed:
            self.form.show_error("The front matter has no closing '---' line.")
            return
        try:
            meta = parse_front_matter(split.yaml_text, split.yaml_line).data if split.yaml_text else {}
        except FrontMatterError as error:
            where = f"line {error.line}: " if error.line else ""
            self.form.show_error(f"{where}{error.message}")
            return
        self.form.show_error(None)
        self.form.show_meta(meta)

    def set_field(self, key: str, value: object) -> None:
        """Write one front-matter field into the text (an undoable edit of only that field)."""
        try:
            new_text = remove_field(self.text, key) if value in (None, [], "") and key not in (
                "tags", "products", "reviewers") else set_field(self.text, key, value)
        except FrontMatterError as error:
            self.messageRequested.emit(f"Cannot change {key}: {error.message}")
            return
        if new_text == self.text:
            return
        self.replace_text(new_text)

    def replace_text(self, new_text: str) -> None:
        """Replace the editor text as one undo step, keeping the cursor line."""
        cursor = self.editor.textCursor()
        line = cursor.blockNumber()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(new_text)
        cursor.endEditBlock()
        block = self.editor.document().findBlockByNumber(min(line, self.editor.blockCount() - 1))
        self.editor.setTextCursor(QTextCursor(block))

    # Preview -------------------------------------------------------------------------------

    def refresh_preview(self) -> None:
        """Render the text off the GUI thread and show it when ready (newest render wins)."""
        self._render_generation += 1
        generation = self._render_generation
        text = self.text
        code_style = DARK_CODE_STYLE if self.dark else LIGHT_CODE_STYLE
        folder = self.document.path.parent
        kb_root = self.kb.root
        css = preview_css(self.dark)
        gui_thread = self.thread()
        renderer = self.renderer

        # Laying out a long document takes ~70 ms for 5,000 lines: done here, off the GUI thread.
        def work(progress: object, cancelled: object) -> tuple[int, PreviewDocument]:
            # A render over the renderer's ~1 s budget is stopped in its child process and comes
            # back as plain text under a one-line notice; this worker only waits on a pipe.
            if renderer is not None:
                rendered = renderer.render(text, folder, code_style, kb_root=kb_root).rendered
            else:   # no app-wide renderer (a tab on its own): render here, with no budget
                from kbstudio.render import MarkdownRenderer  # Markdown loads on the worker, not at launch

                rendered = MarkdownRenderer(code_style).convert(text, base_dir=folder, kb_root=kb_root)
            return generation, build_preview(rendered.html, kb_root, folder, css, gui_thread,
                                             code_blocks=rendered.code_blocks)

        self.runner.run("preview", work, on_success=self._show_preview)

    def set_dark(self, dark: bool) -> None:
        """Switch the read view between the light and the dark theme."""
        if dark != self.dark:
            self.dark = dark
            self.refresh_preview()

    def _show_preview(self, result: tuple[int, PreviewDocument]) -> None:
        generation, document = result
        if generation == self._render_generation:
            self.preview.show_document(document)

    def _follow_link(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == COPY_SCHEME:     # a code block's Copy link, added by the read view itself
            self.messageRequested.emit(self.preview.copy_code_block(url))
            return
        if scheme in SAFE_SCHEMES:
            QDesktopServices.openUrl(url)
            return
        if scheme:
            self.messageRequested.emit(f"Refused to open a {scheme}: link")
            return
        target = url.path()
        if not target:
            return
        folder = posixpath.dirname(self.rel_path)
        rel = posixpath.normpath(posixpath.join(folder, target))
        if rel.startswith("../") or not rel.endswith(".md"):
            self.messageRequested.emit(f"Link outside the knowledge base: {target}")
            return
        self.openLinkRequested.emit(rel)

    # Saving --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save atomically; a file changed outside the app is reported, never overwritten."""
        text = self.text
        try:
            self.loaded_hash = save_document_text(self.document.path, text, self.loaded_hash)
        except ExternalChangeError as error:
            self.externalChangeFound.emit(error)
            return False
        except OSError as error:
            self.messageRequested.emit(f"Could not save {self.rel_path}: {error.strerror or error}")
            return False
        self._saved_text = text
        self.document = self.kb.load(self.document.path)
        self._show_problems(self.document)
        self.dirtyChanged.emit(False)
        self.saved.emit(self.rel_path)
        return True

    def reload_from_disk(self) -> None:
        """Take the file as it is on disk now (dropping unsaved edits)."""
        self.document = self.kb.load(self.document.path)
        self.loaded_hash = self.document.content_hash
        self._saved_text = self.document.text
        self.replace_text(self.document.text)
        self._show_problems(self.document)
        self.dirtyChanged.emit(self.dirty)

    def restore_text(self, text: str, base_hash: str | None) -> None:
        """Put recovered unsaved text back; a save asks first if the file changed since."""
        self.set_edit_mode(True)
        self.replace_text(text)
        self.loaded_hash = base_hash
        self.dirtyChanged.emit(self.dirty)

    def keep_mine(self) -> None:
        """Adopt the file on disk as the base, so the next save writes this text over it."""
        try:
            self.loaded_hash = content_hash(self.document.path.read_bytes())
        except FileNotFoundError:
            self.loaded_hash = None
        self.save()
