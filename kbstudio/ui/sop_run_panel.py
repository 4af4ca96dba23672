"""Run an SOP on a call: tick the checks, fill the fields, watch the time, hand over."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
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
    format_minutes,
    limit_states,
    missing_required,
)
from kbstudio.model import Document
from kbstudio.sop import Sop

URGENCIES = ("", "Low", "Normal", "High", "Critical")


class CheckRow(QWidget):
    """One check: done, its result, or 'this solved it'."""

    changed = Signal()

    def __init__(self, number: int, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.done = QCheckBox()
        self.done.setToolTip("Done")
        label = QLabel(f"<b>{number}.</b> {html.escape(text)}")
        label.setWordWrap(True)
        label.setBuddy(self.done)
        self.result = QLineEdit(placeholderText="Result (what you saw)")
        self.solved = QCheckBox("This solved it")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        top = QHBoxLayout()
        top.addWidget(self.done, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(label, 1)
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
    """The guided run of one SOP; ``finished`` carries the hand-off note."""

    finished = Signal(object)     # HandoffNote
    closeRequested = Signal()

    def __init__(self, sop: Sop, version: str, documents: Callable[[], list[Document]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sop = sop
        self.version = version
        self.documents = documents
        self.started = datetime.now().astimezone()

        title = QLabel(f"<b>Running {sop.id or ''} {sop.title}</b>")
        title.setWordWrap(True)
        target = ", ".join(p for p in (sop.escalates_to, sop.target.team) if p) or "the next tier"
        where = QLabel(f"Escalates to <b>{target}</b>" + (f"<br>{sop.target.how}" if sop.target.how else ""))
        where.setWordWrap(True)
        self.clock = QLabel()
        self.clock.setWordWrap(True)
        self.issue = QPlainTextEdit(placeholderText="The issue in the caller's own words")
        self.issue.setFixedHeight(70)
        self.environment = QLineEdit(placeholderText="Device, OS, location, network, app version")
        self.urgency = QComboBox()
        self.urgency.setEditable(True)
        self.urgency.addItems(URGENCIES)
        caller = QFormLayout()
        caller.addRow("Issue", self.issue)
        caller.addRow("Environment", self.environment)
        caller.addRow("Urgency", self.urgency)

        checks_box = QGroupBox("Before escalating")
        checks_layout = QVBoxLayout(checks_box)
        self.check_rows = [CheckRow(i + 1, check.plain) for i, check in enumerate(sop.checks)]
        for row in self.check_rows:
            checks_layout.addWidget(row)
            row.changed.connect(self._update_state)
        if not self.check_rows:
            checks_layout.addWidget(QLabel("This SOP lists no checks."))

        fields_box = QGroupBox("Information to collect")
        fields_layout = QFormLayout(fields_box)
        self.field_edits: dict[str, QLineEdit] = {}
        for item in sop.collect:
            edit = QLineEdit(placeholderText=item.plain_hint)
            edit.setToolTip(item.plain_hint)
            edit.textChanged.connect(self._update_state)
            self.field_edits[item.name] = edit
            fields_layout.addRow(f"{item.name} *" if item.required else item.name, edit)
        if not sop.collect:
            fields_layout.addRow(QLabel("This SOP names no fields to collect."))

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
        for widget in (title, where, self.clock):
            body_layout.addWidget(widget)
        body_layout.addLayout(caller)
        body_layout.addWidget(checks_box)
        body_layout.addWidget(fields_box)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.finish_button.clicked.connect(self.finish)
        cancel.clicked.connect(self.closeRequested)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self._tick()
        self._update_state()

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
            edit.setStyleSheet("" if filled else "QLineEdit { border: 1px solid #ef6c00; }")
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
            self.field_edits[missing[0].name].setFocus()
            return None
        self._clock_timer.stop()
        note = build_note(self.sop, run, version=self.version, documents=self.documents(),
                          now=run.finished)
        self.finished.emit(note)
        return note
