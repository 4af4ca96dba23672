"""Content health: lint findings grouped by rule; click one to open the document (or file) at its line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbstudio.lint import RULES
from kbstudio.model import ERROR, Problem
from kbstudio.names import shown_name

SEVERITY_COLOURS = {ERROR: "#c62828", "warning": "#ef6c00", "info": "#757575"}
LOCATION_ROLE = Qt.ItemDataRole.UserRole
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class FindingAction:
    """An action other parts of the app offer on some findings (the loop's "Resolve flag...")."""

    label: str
    applies: Callable[[Problem], bool]
    run: Callable[[Problem], object]


class HealthPanel(QWidget):
    """Counts by rule, and every finding under its rule."""

    openAtLineRequested = Signal(str, int)   # KB-relative path, line (1-based)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Checking the knowledge base...")
        self.summary.setWordWrap(True)
        self.errors_only = QCheckBox("Errors only")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Finding", "Where"])
        self.tree.setColumnWidth(0, 300)
        self.tree.setUniformRowHeights(True)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.errors_only)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        self._problems: list[Problem] = []
        self.finding_action_list: list[FindingAction] = []
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.errors_only.toggled.connect(lambda _: self.refresh())
        # itemClicked passes the column too: it must not land in ``toggle`` (column 0 would be False)
        self.tree.itemClicked.connect(lambda item, _column: self._activated(item))
        self.tree.itemActivated.connect(lambda item: self._activated(item, toggle=False))

    def set_problems(self, problems: list[Problem]) -> None:
        """Show a new set of findings."""
        self._problems = problems
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the tree from the findings, keeping which rules were expanded."""
        groups = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        expanded = {group.data(0, LOCATION_ROLE) for group in groups
                    if group is not None and group.isExpanded()}
        shown = [p for p in self._problems if p.severity == ERROR or not self.errors_only.isChecked()]
        by_rule: dict[str, list[Problem]] = {}
        for problem in shown:
            by_rule.setdefault(problem.rule, []).append(problem)
        descriptions = {rule.id: rule.description for rule in RULES}
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        order = sorted(by_rule, key=lambda rule: (by_rule[rule][0].severity != ERROR, rule))
        for rule in order:
            found = by_rule[rule]
            colour = QBrush(QColor(SEVERITY_COLOURS.get(found[0].severity, "#757575")))
            group = QTreeWidgetItem([f"{rule}  ({len(found)})", found[0].severity])
            group.setToolTip(0, descriptions.get(rule, rule))
            group.setForeground(0, colour)
            group.setData(0, LOCATION_ROLE, rule)
            self.tree.addTopLevelItem(group)
            for problem in found[:500]:  # enough to act on; the CLI lists everything
                name = shown_name(problem.path)   # never a raw newline, RLO or lone surrogate
                where = f"{name}:{problem.line}" if problem.line else name
                child = QTreeWidgetItem([problem.message, where])
                child.setToolTip(0, problem.message)
                child.setData(0, LOCATION_ROLE, (problem.path, problem.line or 1))
                child.setData(0, PROBLEM_ROLE, problem)
                group.addChild(child)
            group.setExpanded(rule in expanded)
        self.tree.setUpdatesEnabled(True)
        self.summary.setText(summary(self._problems))

    def add_finding_action(self, action: FindingAction) -> None:
        """Offer ``action`` in the context menu of the findings it applies to."""
        self.finding_action_list.append(action)

    def finding_actions(self, problem: Problem) -> list[FindingAction]:
        """Return the actions offered on ``problem``."""
        return [action for action in self.finding_action_list if action.applies(problem)]

    def _context_menu(self, point: QPoint) -> None:
        item = self.tree.itemAt(point)
        problem = item.data(0, PROBLEM_ROLE) if item is not None else None
        if not isinstance(problem, Problem):
            return
        offered = self.finding_actions(problem)
        if not offered:
            return
        menu = QMenu(self.tree)
        for action in offered:
            menu.addAction(action.label).triggered.connect(lambda _=False, a=action, p=problem: a.run(p))
        menu.exec(self.tree.viewport().mapToGlobal(point))

    def _activated(self, item: QTreeWidgetItem, toggle: bool = True) -> None:
        location = item.data(0, LOCATION_ROLE)
        if isinstance(location, tuple):
            self.openAtLineRequested.emit(location[0], int(location[1]))
        elif toggle:
            item.setExpanded(not item.isExpanded())


def summary(problems: list[Problem]) -> str:
    """Return the line above the findings: errors and warnings, in how many documents and which other files.

    A finding of a KB file that is no document (``.kbstudio/synonyms.yaml``) names that file
    rather than counting it as a document.
    """
    if not problems:
        return "No findings: every document passes."
    errors = sum(1 for p in problems if p.severity == ERROR)
    paths = {p.path for p in problems}
    documents = {path for path in paths if path.endswith(".md")}
    where = [_count(len(documents), "document")] if documents else []
    where += sorted(paths - documents)
    return f"{_count(errors, 'error')}, {_count(len(problems) - errors, 'warning')} in {' and '.join(where)}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
