"""A document tab: rendered read view, Markdown editor with live preview, front-matter form."""

from __future__ import annotations

import html
import posixpath
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kbstudio.docedit import common_ends
from kbstudio.fmedit import remove_field, set_field
from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.kb import KnowledgeBase, Saved
from kbstudio.logs import save_failed
from kbstudio.media import MediaError, read_image_file, save_image
from kbstudio.model import Document, DocumentFields
from kbstudio.reader import content_hash
from kbstudio.render_budget import BudgetedRenderer
from kbstudio.storage import ExternalChangeError
from kbstudio.textformat import TextFormat
from kbstudio.ui.editor import MarkdownEditor, ShortcutPassThrough, qt_length, unholdable
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
    saved = Signal(object)               # the KBChange the save made (kbstudio.kb.KnowledgeBase.save)
    externalChangeFound = Signal(object)  # the ExternalChangeError of a refused save
    dirtyChanged = Signal(bool)
    linkPickerRequested = Signal()
    startSopRequested = Signal(str, str)  # the SOP to run, and the article it starts from ('' for none)
    pathChanged = Signal(str, str)        # old and new KB-relative path of a new document saved elsewhere

    def __init__(self, kb: KnowledgeBase, document: Document, runner: TaskRunner,
                 read_mode: bool = True, dark: bool = False, parent: QWidget | None = None,
                 renderer: BudgetedRenderer | None = None, new: bool = False) -> None:
        super().__init__(parent)
        self.renderer = renderer   # the app's one formatter process; None renders in-process
        self.dark = dark
        self.kb = kb
        self.document = document
        self.rel_path = document.rel_path
        self.runner = runner
        # A new document is not on disk until its first save (closed unchanged, it leaves nothing).
        self.is_new = new
        self.loaded_hash: str | None = None if new else document.content_hash
        # The editor holds LF text without a BOM; a save writes it back in the file's own format.
        self.text_format: TextFormat = document.text_format
        self._render_generation = 0

        self.editor = MarkdownEditor()
        self.editor.setObjectName("editor")
        self.editor.image_saver = self._save_image
        self.editor.insert_guard = self._insert_guard
        self.editor.setPlainText(TextFormat.to_editor(document.text))
        self.editor.document().setModified(False)
        self._saved_text = self.text   # the dirty mark compares editor text with this
        self.read_only_reason: str | None = None
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
        # A widget on a tool bar is shown and hidden through its action, never by itself.
        self.edit_actions = [toolbar.addWidget(button)
                             for button in (self.save_button, self.link_button, self.image_button)]
        self._problems_action = toolbar.addWidget(self.problems)
        self.toolbar = toolbar
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
        for widget in self.form.widgets.values():
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _=None: self.dirtyChanged.emit(self.dirty))
        # Ctrl+E switches Edit/Read from every field of the tab (X11 line edits read it as "end of line").
        self._window_keys = ShortcutPassThrough([QKeySequence("Ctrl+E")], self)
        fields = [*self.form.findChildren(QLineEdit), *self.find_bar.findChildren(QLineEdit)]
        for watched in (self.editor, *fields):
            watched.installEventFilter(self._window_keys)
        self.preview.anchorClicked.connect(self._follow_link)
        self.mode_button.toggled.connect(self.set_edit_mode)
        self.save_button.clicked.connect(self.save)
        self.link_button.clicked.connect(self.linkPickerRequested.emit)
        self.image_button.clicked.connect(self.choose_image)
        self.start_button.clicked.connect(lambda: self.startSopRequested.emit(self.rel_path, ""))
        self.escalation_bar.linkActivated.connect(self._escalation_link)
        self.editor.messageRequested.connect(self.messageRequested)

        self._show_problems(document)
        self._check_holdable(document)
        self._sync_form()
        self.set_edit_mode(not read_mode)
        self.refresh_preview()

    # Modes and state ---------------------------------------------------------------------

    @property
    def text(self) -> str:
        """Return the editor's text (LF line endings, no BOM)."""
        return self.editor.markdown()

    @property
    def dirty(self) -> bool:
        """Return True when the text, or a form field still being typed in, differs from the file."""
        return self.text != self._saved_text or bool(self.form.pending_keys())

    def commit_pending(self) -> None:
        """Write form fields typed into but not yet left into the text."""
        self.form.commit_pending()

    def recoverable_text(self) -> str:
        """Return the text with uncommitted form edits applied, for a recovery copy."""
        text = self.text
        for key in self.form.pending_keys():
            try:
                text = self._with_field(text, key, self.form.value(key))
            except FrontMatterError:
                continue
        return text

    def set_edit_mode(self, editing: bool) -> None:
        """Show the editor and form beside the preview, or the read view alone."""
        if not editing:
            self.commit_pending()
        self.mode_button.blockSignals(True)
        self.mode_button.setChecked(editing)
        self.mode_button.blockSignals(False)
        self.mode_button.setText("Read" if editing else "Edit")
        self.mode_button.setToolTip("Switch to the read view (Ctrl+E)" if editing
                                    else "Edit this document (Ctrl+E)")
        self.edit_side.setVisible(editing)
        self._show_edit_actions()
        if self.find_bar.isVisible():
            self.open_find(replace=False)

    def _show_edit_actions(self) -> None:
        for action in self.edit_actions:
            action.setVisible(self.editing and self.read_only_reason is None)

    def toggle_mode(self) -> None:
        """Switch between the edit and the read view, with the keyboard focus in the view shown."""
        self.set_edit_mode(not self.editing)
        (self.editor if self.editing else self.preview).setFocus()

    def _check_holdable(self, document: Document) -> None:
        """Keep editing off for a file the editor could not save back unchanged."""
        reason: str | None
        if not document.readable:
            reason = "the file could not be read as text"
        else:
            found = unholdable(TextFormat.to_editor(document.text))
            reason = f"line {found[0]} holds {found[1]}, which the editor would turn into a line break" \
                if found else None
        self.read_only_reason = reason
        self.editor.setReadOnly(reason is not None)
        self.form.setEnabled(reason is None)
        if reason is not None:
            self._saved_text = self.text
            note = f"Editing is off: {reason}."
            self.problems.setText(f"{self.problems.text()}; {note}" if self.problems.text() else note)

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

    def go_to_line(self, line: int, select: bool = True) -> None:
        """Show the editor with the cursor at ``line`` (1-based): the line selected, or (``select``
        False) the cursor at its start with nothing selected, so the first key typed adds text."""
        self.set_edit_mode(True)
        block = self.editor.document().findBlockByNumber(max(0, min(line, self.editor.blockCount()) - 1))
        cursor = QTextCursor(block)
        if select:
            cursor.select(QTextCursor.SelectionType.LineUnderCursor)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        self.editor.setFocus()

    def can_insert(self, what: str) -> bool:
        """Return True when inserts go into the editor now; else say why not."""
        if self.read_only_reason is not None:
            self.messageRequested.emit(f"Cannot insert {what}: {self.read_only_reason}")
            return False
        if not self.editing:
            self.messageRequested.emit(f"Switch to Edit (Ctrl+E) to insert {what}")
            return False
        return True

    def insert_link(self, rel_path: str, title: str) -> bool:
        """Insert a Markdown link to another document at the edit cursor (the selection becomes its text).

        Only in the edit view, and never inside or before the front matter.
        """
        if not self.can_insert("a link"):
            return False
        folder = posixpath.dirname(self.rel_path) or "."
        target = posixpath.relpath(rel_path, folder).replace(" ", "%20").replace(")", "%29")

        def link(selected: str) -> str:
            label = (selected or title).replace("[", "\\[").replace("]", "\\]")
            return f"[{label}]({target})"

        self.editor.insert_markdown(link)
        self.editor.setFocus()
        return True

    def choose_image(self) -> None:
        """Ask for an image file and insert it (edit view only)."""
        if not self.can_insert("an image"):
            return
        name, _ = QFileDialog.getOpenFileName(self, "Insert image", "",
                                              "Images (*.png *.jpg *.jpeg *.gif *.webp)")
        if name:
            self.insert_image_file(Path(name))

    def insert_image_file(self, path: Path) -> bool:
        """Copy an image into the KB's media folder and link it at the edit cursor."""
        if not self.can_insert("an image"):
            return False
        try:
            markdown = self._save_image(read_image_file(path), path.name)
        except MediaError as error:
            self.messageRequested.emit(f"Image not inserted: {error}")
            return False
        self.editor.insert_markdown(lambda _: markdown)
        return True

    def focus_body(self) -> None:
        """Show the editor with the cursor where the author writes first: the first section's text.

        That is the first non-blank line under the body's first section heading (``##`` or deeper;
        the ``#`` title is left alone, so typing never lands on it). A template's hint there
        (an HTML comment line, ``<!-- ... -->``) is selected, so typing replaces it. A body without
        such a heading: the cursor goes to the end of its first line.
        """
        self.set_edit_mode(True)
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(self.body_position())
        block = cursor.block()
        first_text = None
        while block.isValid():
            line = block.text().strip()
            if line and first_text is None:
                first_text = block
            if line.startswith("##"):
                break
            block = block.next()
        if block.isValid():
            block = block.next()
            while block.isValid() and not block.text().strip():
                block = block.next()
        if block.isValid() and not block.text().lstrip().startswith("#"):
            cursor = QTextCursor(block)
            line = block.text()
            if line.strip().startswith("<!--") and line.rstrip().endswith("-->"):
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        elif first_text is not None:
            cursor = QTextCursor(first_text)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()
        self.editor.setFocus()

    def body_position(self) -> int:
        """Return the Qt position where the body starts: after the front matter's closing line."""
        text = self.text
        split = split_front_matter(text)
        if split.yaml_text is None:
            return 0
        return qt_length(text[: len(text) - len(split.body)])

    def _insert_guard(self, cursor: QTextCursor) -> QTextCursor:
        """Move an insert that would land inside or before the front matter to the start of the body."""
        text = self.text
        split = split_front_matter(text)
        if split.yaml_text is None and not split.unclosed:
            return cursor
        start = qt_length(text) if split.unclosed else self.body_position()
        if min(cursor.position(), cursor.anchor()) >= start and not split.unclosed:
            return cursor
        moved = QTextCursor(self.editor.document())
        moved.setPosition(start)
        head = text if split.unclosed else text[: len(text) - len(split.body)]
        if head and not head.endswith("\n"):
            moved.insertText("\n")   # a closing '---' (or unclosed YAML) without a line break after it
        if split.unclosed:
            self.messageRequested.emit("The front matter has no closing '---' line: inserted at the end")
        elif split.body and not split.body.startswith("\n"):
            moved.insertText("\n")   # the insert gets a line of its own, before the body's first line
            moved.movePosition(QTextCursor.MoveOperation.PreviousCharacter)
        return moved

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
            self.startSopRequested.emit(self.escalation_sop, self.rel_path)
        else:
            self.openLinkRequested.emit(self.escalation_sop)

    def add_loop_widgets(self, buttons: list[QWidget], bar: QWidget) -> None:
        """Add the knowledge loop's buttons to the tool bar and its flag bar above the view.

        ``kbstudio.ui.loop.controller.LoopController.attach`` calls this; the buttons stand before
        the document's problems, the bar between the find bar and the text.
        """
        for button in buttons:
            self.toolbar.insertWidget(self._problems_action, button)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.indexOf(self.splitter), bar)

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

    def _sync_form(self, force: bool = False) -> None:
        """Show the YAML text's fields in the form (or why the YAML can't be read).

        Fields the user is typing in keep their text unless ``force``.
        """
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
        self.form.setEnabled(self.read_only_reason is None)
        self.form.show_meta(meta, force=force)

    @staticmethod
    def _with_field(text: str, key: str, value: object) -> str:
        if value in (None, [], "") and key not in ("tags", "products", "reviewers"):
            return remove_field(text, key)
        return set_field(text, key, value)

    def set_field(self, key: str, value: object) -> None:
        """Write one front-matter field into the text (an undoable edit of only that field)."""
        try:
            new_text = self._with_field(self.text, key, value)
        except FrontMatterError as error:
            self.messageRequested.emit(f"Cannot change {key}: {error.message}")
            self.form.refuse(key)
            return
        if new_text == self.text:
            return
        self.replace_text(new_text)

    def replace_text(self, new_text: str) -> None:
        """Change the editor text to ``new_text`` as one undo step, replacing only what differs.

        The cursor, the selection and the scroll position stay where they were.
        """
        old = self.text
        if new_text == old:
            return
        start, end = common_ends(old, new_text)
        cursor = QTextCursor(self.editor.document())
        cursor.beginEditBlock()
        cursor.setPosition(qt_length(old[:start]))
        cursor.setPosition(qt_length(old[: len(old) - end]), QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(new_text[start: len(new_text) - end])
        cursor.endEditBlock()

    # Preview -------------------------------------------------------------------------------

    _rendered_key: tuple[str, bool] | None = None

    def refresh_preview(self) -> None:
        """Render the text off the GUI thread and show it when ready (newest render wins).

        The same text in the same theme is not rendered again: the editor reports a change when
        its highlighter first colours the text, which rendered every opened document twice (a
        slow document then waited for both).
        """
        text = self.text
        if (text, self.dark) == self._rendered_key:
            return
        self._rendered_key = (text, self.dark)
        self._render_generation += 1
        generation = self._render_generation
        code_style = DARK_CODE_STYLE if self.dark else LIGHT_CODE_STYLE
        folder = self.document.path.parent
        kb_root = self.kb.root
        css = preview_css(self.dark)
        # The app's thread, not self.thread(): PySide makes a returned QObject a child of the caller,
        # so the tab's wrapper of the GUI thread dies with the tab (closed before the render ran).
        app = QCoreApplication.instance()
        gui_thread = app.thread() if app is not None else self.thread()
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
            if url.fragment():   # a link within the page: headings carry GitHub's anchor ids
                self.preview.scrollToAnchor(url.fragment())
            return
        folder = posixpath.dirname(self.rel_path)
        rel = posixpath.normpath(posixpath.join(folder, target))
        if rel.startswith("../") or not rel.endswith(".md"):
            self.messageRequested.emit(f"Link outside the knowledge base: {target}")
            return
        self.openLinkRequested.emit(self.kb.disk_rel(rel))  # the file as stored, whichever Unicode form

    # Saving --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save atomically in the file's own format; a file changed outside the app is never overwritten.

        Form fields still being typed in are written into the text first.
        """
        self.commit_pending()
        if self.read_only_reason is not None:
            self.messageRequested.emit(f"Not saved: {self.read_only_reason}")
            return False
        text = self.text
        try:
            if self.is_new:
                saved = self._save_new(text)
            else:
                saved = self.kb.save(self.document.path, text, self.loaded_hash, self.text_format)
            self.loaded_hash = saved.content_hash
        except ExternalChangeError as error:
            self.externalChangeFound.emit(error)
            return False
        except OSError as error:
            self.messageRequested.emit(save_failed(self.rel_path, self.document.path, error))
            return False
        self._saved_text = text
        self.document = self.kb.load(self.document.path)
        self._show_problems(self.document)
        self.dirtyChanged.emit(self.dirty)
        self.saved.emit(saved.change)
        return True

    def _save_new(self, text: str) -> Saved:
        """Write a new document for the first time (under the next free name if its name was taken)."""
        path = self.document.path
        path.parent.mkdir(parents=True, exist_ok=True)
        number = 2
        while True:
            try:
                saved = self.kb.save(path, text, None, self.text_format)
                break
            except ExternalChangeError as error:
                if error.actual_hash is None or number > 999:
                    raise
                stem = self.document.path.stem
                path = self.document.path.with_name(f"{stem}-{number}.md")
                number += 1
        self.is_new = False
        if path != self.document.path:
            old = self.rel_path
            self.moved_to(path, self.kb.rel_path(path))
            self.messageRequested.emit(f"{old} was taken meanwhile: saved as {self.rel_path}")
            self.pathChanged.emit(old, self.rel_path)
        return saved

    def save_as_new(self, documents: Sequence[DocumentFields] | None = None) -> bool:
        """Save the text as a new document: a fresh id (``KnowledgeBase.next_id`` over ``documents``,
        else a scan) in a new file beside the old one (``name-2.md``, the next free number). For a
        tab whose document was deleted under it: the deleted file is not brought back. Returns what
        ``save`` returns."""
        self.commit_pending()
        new_id = self.kb.next_id(self.document.kind, documents)
        try:
            text = self._with_field(self.text, "id", new_id)
        except FrontMatterError as error:
            self.messageRequested.emit(f"Not saved as new: {error.message}")
            return False
        old, old_path = self.rel_path, self.document.path
        number = 2
        while (path := old_path.with_name(f"{old_path.stem}-{number}.md")).exists():
            number += 1
        self.replace_text(text)
        self.moved_to(path, self.kb.rel_path(path))
        self.is_new = True
        self.loaded_hash = None
        if not self.save():
            return False
        self.pathChanged.emit(old, self.rel_path)
        self.messageRequested.emit(f"{old} was deleted: your text is saved as {self.rel_path} ({new_id})")
        return True

    def moved_to(self, path: Path, rel_path: str) -> None:
        """Follow the document to its new file (renamed, or a new one saved under a free name)."""
        self.document.path = path
        self.document.rel_path = rel_path
        self.rel_path = rel_path

    def reload_from_disk(self) -> None:
        """Take the file as it is on disk now (dropping unsaved edits, form fields included)."""
        self.document = self.kb.load(self.document.path)
        self.loaded_hash = self.document.content_hash
        self.text_format = self.document.text_format
        self.replace_text(TextFormat.to_editor(self.document.text))
        self._saved_text = self.text
        self._show_problems(self.document)
        self._check_holdable(self.document)
        self._sync_form(force=True)
        self._show_edit_actions()
        self.dirtyChanged.emit(self.dirty)

    def restore_text(self, text: str, base_hash: str | None, text_format: TextFormat | None = None) -> None:
        """Put recovered unsaved text back; a save asks first if the file changed since.

        ``text_format`` is the format of the file the text was edited from (None: keep the tab's).
        """
        self.set_edit_mode(True)
        self.replace_text(TextFormat.to_editor(text))
        self.loaded_hash = base_hash
        if text_format is not None:
            self.text_format = text_format
        self.dirtyChanged.emit(self.dirty)

    def keep_mine(self) -> None:
        """Adopt the file on disk as the base, so the next save writes this text over it."""
        try:
            self.loaded_hash = content_hash(self.document.path.read_bytes())
        except FileNotFoundError:
            self.loaded_hash = None
        self.save()

    @property
    def saved_text(self) -> str:
        """Return the text as last opened or saved (LF, no BOM): the base of a three-way compare."""
        return self._saved_text

    def combine_with_disk(self, combined: str, disk_text: str, disk_hash: str | None) -> None:
        """Put ``combined`` (these edits merged with the file changed on disk) in the editor, unsaved.

        The file on disk (``disk_text``, hash ``disk_hash``) becomes the base, so the next save
        writes the combination over it, and the dirty mark compares with it.
        """
        self.loaded_hash = disk_hash
        self._saved_text = disk_text
        self.replace_text(combined)
        self._sync_form(force=True)
        self.dirtyChanged.emit(self.dirty)
