"""Run an SOP on a call: tick the checks, fill the fields, watch the time, hand over."""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable
from datetime import datetime

import shiboken6
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kbstudio.handoff import (
    DONE,
    NOT_DONE,
    SOLVED,
    CheckAnswer,
    HandoffNote,
    SopRun,
    build_note,
    document_name,
    format_minutes,
    limit_states,
    missing_required,
)
from kbstudio.kbconfig import KbConfig
from kbstudio.model import Document
from kbstudio.sop import Field, Sop, inline_html, resolve_link
from kbstudio.ui.theme import refresh_rich_label

URGENCIES = ("", "Low", "Normal", "High", "Critical")
WEB_SCHEMES = ("http", "https", "mailto")
LONG_LINES = (3, 10)   # a long answer's box: lines shown at first, and the most it grows to


def rich_label(markdown_html: str, on_link: Callable[[str], None] | None = None) -> QLabel:
    """Return a word-wrapped rich-text label whose links call ``on_link(target)`` (never a browser itself)."""
    label = QLabel(markdown_html)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    if on_link is not None:
        label.setOpenExternalLinks(False)
        # Links open with the mouse; Tab goes from answer box to answer box, never through the text.
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        label.linkActivated.connect(on_link)
    return label


class LongTextEdit(QPlainTextEdit):
    """A multi-line answer box with the line-edit methods the panel uses; grows with its text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.textChanged.connect(self._fit)
        self._fit()

    def text(self) -> str:
        """Return the text (as QLineEdit.text)."""
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 - the QLineEdit name, so both kinds fill the same way
        """Replace the text (as QLineEdit.setText)."""
        self.setPlainText(text)

    def _lines(self) -> int:
        layout = self.document().documentLayout()
        return int(layout.documentSize().height()) if layout is not None else 1

    def _fit(self) -> None:
        low, high = LONG_LINES
        lines = max(low, min(high, self._lines()))
        margins = self.contentsMargins()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        height = lines * self.fontMetrics().lineSpacing() + int(2 * self.document().documentMargin()) + frame
        self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override: wrapping changes the lines
        super().resizeEvent(event)
        QTimer.singleShot(0, lambda: self._fit() if shiboken6.isValid(self) else None)


class CheckRow(QWidget):
    """One check: done, its result, or 'this solved it'; links in its text open the articles they name."""

    changed = Signal()
    linkActivated = Signal(str)

    def __init__(self, number: int, markdown: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.done = QCheckBox()
        self.done.setToolTip("Done")
        self.label = rich_label(f"<b>{number}.</b> {inline_html(markdown)}", self.linkActivated.emit)
        self.label.setBuddy(self.done)
        self.result = QLineEdit(placeholderText="Result (what you saw)")
        self.solved = QCheckBox("This solved it")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        top = QHBoxLayout()
        top.addWidget(self.done, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.label, 1)
        layout.addLayout(top)
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.result, 1)
        row.addWidget(self.solved)
        layout.addLayout(row)
        self.done.toggled.connect(self.changed)
        self.solved.toggled.connect(self._solved_toggled)
        self.result.textChanged.connect(self.changed)

    def _solved_toggled(self, solved: bool) -> None:
        if solved:
            self.done.setChecked(True)
        self.changed.emit()

    def answer(self) -> CheckAnswer:
        """Return this check's state and result."""
        state = SOLVED if self.solved.isChecked() else DONE if self.done.isChecked() else NOT_DONE
        return CheckAnswer(state, self.result.text().strip())


class SopRunPanel(QWidget):
    """The guided run of one SOP; ``finished`` carries the hand-off note.

    Every answer box takes the panel's full width under its label, with the SOP's hint wrapped
    beneath the label; fields the SOP marks ``long`` get a multi-line box.
    """

    finished = Signal(object)     # HandoffNote
    closeRequested = Signal()
    openDocumentRequested = Signal(str)   # the KB path of a document a link in the SOP names
    messageRequested = Signal(str)
    sopToggled = Signal(bool)     # show (True) or hide the SOP beside the run
    sidePanelToggled = Signal(bool)   # show (True) or hide the window's search and library

    def __init__(self, sop: Sop, version: str, documents: Callable[[], list[Document]],
                 parent: QWidget | None = None, *, article: Document | None = None,
                 config: KbConfig | None = None) -> None:
        super().__init__(parent)
        self.sop = sop
        self.version = version
        self.documents = documents
        self.article = article
        self.config = config or KbConfig()
        self.started = datetime.now().astimezone()

        title = QLabel(f"<b>Running {html.escape(' '.join(p for p in (sop.id, sop.title) if p))}</b>")
        title.setWordWrap(True)
        self.sop_button = QToolButton()
        self.sop_button.setText("Hide the SOP")
        self.sop_button.setCheckable(True)
        self.sop_button.setToolTip("Give the run the whole tab, or show the SOP beside it again")
        self.side_button = QToolButton()
        self.side_button.setText("Show search")
        self.side_button.setCheckable(True)
        self.side_button.setToolTip("Show or hide search and library on the left of the window")
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(self.sop_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.side_button, 0, Qt.AlignmentFlag.AlignTop)
        self.origin = rich_label("", self.open_link)
        if article is not None:
            name = html.escape(document_name(article.id, article.title))
            self.origin.setText(f"Started from <a href='{html.escape(self._link_to(article), quote=True)}'>"
                                f"{name}</a>, which did not solve it")
        self.origin.setVisible(article is not None)
        target = ", ".join(p for p in (sop.escalates_to, sop.target.team) if p) or "the next tier"
        how = f"<br>{inline_html(sop.target.how)}" if sop.target.how else ""
        self.where = rich_label(f"Escalates to <b>{html.escape(target)}</b>{how}", self.open_link)
        self.clock = QLabel()
        self.clock.setWordWrap(True)

        caller_box = QGroupBox("The caller")
        caller = QVBoxLayout(caller_box)
        self.issue = LongTextEdit()
        self.issue.setPlaceholderText("The issue in the caller's own words")
        if article is not None:   # pre-filled from the article; the agent adds the caller's words
            self.issue.setPlainText(article.title)
            self.issue.moveCursor(QTextCursor.MoveOperation.End)
        self.environment = QLineEdit(placeholderText="Device, OS, location, network, app version")
        self.urgency = QComboBox()
        self.urgency.setEditable(True)
        self.urgency.addItems(URGENCIES)
        self.urgency.setMinimumContentsLength(12)
        for name, editor in (("&Issue, in the caller's words", self.issue),
                             ("&Environment", self.environment), ("&Urgency", self.urgency)):
            caller.addWidget(self._label(name, editor))
            caller.addWidget(editor, 0, Qt.AlignmentFlag.AlignLeft if editor is self.urgency
                             else Qt.AlignmentFlag(0))

        checks_box = QGroupBox("Before escalating")
        checks_layout = QVBoxLayout(checks_box)
        self.check_rows = [CheckRow(i + 1, check.text) for i, check in enumerate(sop.checks)]
        for row in self.check_rows:
            checks_layout.addWidget(row)
            row.changed.connect(self._update_state)
            row.linkActivated.connect(self.open_link)
        if not self.check_rows:
            checks_layout.addWidget(QLabel("This SOP lists no checks."))

        fields_box = QGroupBox("Information to collect")
        fields_layout = QVBoxLayout(fields_box)
        self.field_edits: dict[str, QLineEdit | LongTextEdit] = {}
        self.field_hints: dict[str, QLabel] = {}
        for item in sop.collect:
            fields_layout.addWidget(self._field(item))
        if not sop.collect:
            fields_layout.addWidget(QLabel("This SOP names no fields to collect."))

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.finish_button = QPushButton("Finish and write the hand-off note")
        self.finish_button.setDefault(True)
        cancel = QPushButton("Stop the run")
        buttons = QHBoxLayout()
        buttons.addWidget(self.finish_button, 1)
        buttons.addWidget(cancel)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(4, 4, 4, 4)
        body_layout.setSpacing(8)
        body_layout.addWidget(self.origin)
        body_layout.addWidget(self.where)
        body_layout.addWidget(caller_box)
        body_layout.addWidget(checks_box)
        body_layout.addWidget(fields_box)
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(body)
        self.scroll_body = body   # what scroll_area scrolls: edits are placed against it
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(head)
        layout.addWidget(self.clock)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(340)

        self.finish_button.clicked.connect(self.finish)
        cancel.clicked.connect(self.closeRequested)
        self.sop_button.toggled.connect(self._sop_toggled)
        self.side_button.toggled.connect(self._side_toggled)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self._tick()
        self._update_state()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            QTimer.singleShot(0, self._refresh_links)

    def _refresh_links(self) -> None:
        """Lay the labels with links out again, so their links take the new theme's colour."""
        if not shiboken6.isValid(self):
            return
        for label in self.findChildren(QLabel):
            if "<a " in label.text():
                refresh_rich_label(label)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        label.setWordWrap(True)
        return label

    def _field(self, item: Field) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 2, 0, 6)
        layout.setSpacing(2)
        edit: QLineEdit | LongTextEdit = LongTextEdit() if item.long else QLineEdit()
        edit.setAccessibleName(item.name)
        edit.setToolTip(item.plain_hint)
        edit.textChanged.connect(self._update_state)
        if isinstance(edit, LongTextEdit):   # a box that grows while typed in stays in sight
            edit.textChanged.connect(lambda: QTimer.singleShot(0, lambda: self._keep_in_sight(edit)))
        name = html.escape(item.name)
        label = QLabel(f"<b>{name}</b> <span style='color:#c62828'>*</span>" if item.required
                       else f"<b>{name}</b> (optional)")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setBuddy(edit)
        layout.addWidget(label)
        if item.hint:
            hint = rich_label(inline_html(item.hint), self.open_link)
            font = QFont(hint.font())
            font.setPointSizeF(max(font.pointSizeF() * 0.92, 7.0))
            hint.setFont(font)
            layout.addWidget(hint)
            self.field_hints[item.name] = hint
        layout.addWidget(edit)
        self.field_edits[item.name] = edit
        return box

    def _keep_in_sight(self, edit: QWidget) -> None:
        if shiboken6.isValid(edit) and edit.isVisible():   # the whole box, not just the cursor's line
            top = edit.mapTo(self.scroll_body, QPoint(0, 0)).y()
            self.scroll_area.ensureVisible(0, top + edit.height() // 2, 0, edit.height() // 2 + 8)

    # Links and panels ----------------------------------------------------------------------

    def _link_to(self, document: Document) -> str:
        """Return a link from the SOP to ``document``, for a label (resolved back by ``open_link``)."""
        return posixpath.relpath(document.rel_path, posixpath.dirname(self.sop.rel_path) or ".")

    def open_link(self, target: str) -> None:
        """Open a link from the SOP: a document of the KB in the app, a web link in the browser."""
        url = QUrl(target)
        scheme = url.scheme().lower()
        if scheme in WEB_SCHEMES:
            QDesktopServices.openUrl(url)
            return
        if scheme:
            self.messageRequested.emit(f"Refused to open a {scheme}: link")
            return
        rel = resolve_link(self.sop.rel_path, target)
        if rel is None or not rel.endswith(".md"):
            self.messageRequested.emit(f"Link outside the knowledge base: {target}")
            return
        self.openDocumentRequested.emit(rel)

    def _sop_toggled(self, hidden: bool) -> None:
        self.sop_button.setText("Show the SOP" if hidden else "Hide the SOP")
        self.sopToggled.emit(not hidden)

    def _side_toggled(self, shown: bool) -> None:
        self.side_button.setText("Hide search" if shown else "Show search")
        self.sidePanelToggled.emit(shown)

    def set_side_panel_shown(self, shown: bool) -> None:
        """Show on the button whether search and library are visible (without asking to change it)."""
        self.side_button.blockSignals(True)
        self.side_button.setChecked(shown)
        self.side_button.setText("Hide search" if shown else "Show search")
        self.side_button.blockSignals(False)

    # The run ------------------------------------------------------------------------------

    def run(self, finished: datetime | None = None) -> SopRun:
        """Return the run as the agent has filled it in so far."""
        return SopRun(
            issue=self.issue.toPlainText().strip(),
            environment=self.environment.text().strip(),
            urgency=self.urgency.currentText().strip(),
            checks={i: row.answer() for i, row in enumerate(self.check_rows)
                    if row.answer() != CheckAnswer()},
            fields={name: edit.text().strip() for name, edit in self.field_edits.items()},
            started=self.started,
            finished=finished,
            article=(self.article.id or self.article.rel_path) if self.article is not None else "",
        )

    def _tick(self) -> None:
        now = datetime.now().astimezone()
        elapsed = int((now - self.started).total_seconds())
        parts = [f"<b>{elapsed // 60}:{elapsed % 60:02d}</b> elapsed"]
        call_limit = self.sop.call_limit
        for state in limit_states(self.sop, self.run(), now):
            if state.limit is not call_limit:
                continue
            colour = "#c62828" if state.over else "#ef6c00" if state.remaining_minutes <= 2 else "#2e7d32"
            left = "over: escalate now" if state.over else f"{format_minutes(state.remaining_minutes)} left"
            parts[0] += (f" &nbsp;<span style='color:{colour}'>{html.escape(state.limit.label)}: "
                         f"{format_minutes(state.limit.minutes or 0)} ({left})</span>")
        others = [f"{html.escape(limit.label)}: {html.escape(limit.text)}"
                  for limit in self.sop.time_limits if limit is not call_limit]
        if others:
            parts.append("<small>" + "; ".join(others) + "</small>")
        self.clock.setText("<br>".join(parts))

    def _update_state(self) -> None:
        run = self.run()
        missing = missing_required(self.sop, run)
        for item in self.sop.required_fields:
            edit = self.field_edits[item.name]
            filled = run.value(item.name) or run.resolved
            kind = "QPlainTextEdit" if isinstance(edit, LongTextEdit) else "QLineEdit"
            edit.setStyleSheet("" if filled else
                               f"{kind} {{ border: 1px solid #ef6c00; border-radius: 2px; padding: 2px; }}")
        if run.resolved:
            self.status.setText("A check solved the problem: finishing ends the run as resolved at "
                                f"{self.sop.tier or 'this tier'}.")
            self.finish_button.setText("Finish: resolved")
        else:
            self.finish_button.setText("Finish and write the hand-off note")
            self.status.setText(f"Still required: {', '.join(f.name for f in missing)}" if missing
                                else "Everything required is filled in.")

    def finish(self) -> HandoffNote | None:
        """End the run when every required field is filled; emit and return the note."""
        run = self.run(finished=datetime.now().astimezone())
        missing = missing_required(self.sop, run)
        if missing:
            self.status.setText("<span style='color:#c62828'>Fill in before escalating: "
                                f"{', '.join(f.name for f in missing)}</span>")
            edit = self.field_edits[missing[0].name]
            edit.setFocus()
            self.scroll_area.ensureWidgetVisible(edit)
            return None
        self._clock_timer.stop()
        note = build_note(self.sop, run, version=self.version, documents=self.documents(),
                          now=run.finished, config=self.config)
        self.finished.emit(note)
        return note
