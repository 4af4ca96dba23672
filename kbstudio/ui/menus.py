"""The main window's menus: File, Edit, View, Git and Review, and the actions they hold.

``MainMenus`` builds the menu bar of a window and owns its actions (``menus.save``,
``menus.theme_actions["dark"]`` ...); every action is connected here, explicitly, to the window or
controller that does the work. Nothing is set on the window.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from kbstudio.ui.settings import ROLES
from kbstudio.ui.theme import THEMES

if TYPE_CHECKING:
    from kbstudio.ui.external_changes import EditorTab
    from kbstudio.ui.main_window import MainWindow

Keys = QKeySequence | QKeySequence.StandardKey


def _theme_label(theme: str) -> str:
    return "Follow the system" if theme == "system" else theme.title()


class MainMenus(QObject):
    """The menu bar of ``window`` and its actions."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        self.new = self._action("&New document...", window.documents_actions.new_document,
                                QKeySequence.StandardKey.New)
        self.open = self._action("&Open knowledge base...", window.choose_kb, QKeySequence.StandardKey.Open)
        self.recent_menu = QMenu("Open &recent", window)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.save = self._action("&Save", window.pages.save_current, QKeySequence.StandardKey.Save)
        self.save.setToolTip("Save the document in front (what you are typing in a field too)")
        self.rename = self._action("Rena&me document...", window.documents_actions.rename_current)
        self.delete = self._action("&Delete document...", window.documents_actions.delete_current)
        self.close_tab = self._action("&Close tab", window.pages.close_current, QKeySequence("Ctrl+W"))
        self.quit = self._action("&Quit", window.close, QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.new)
        file_menu.addAction(self.open)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.save)
        file_menu.addSeparator()
        for action in (self.rename, self.delete):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.close_tab, self.quit):
            file_menu.addAction(action)
        self._edit_menu(bar.addMenu("&Edit"))
        self._view_menu(bar.addMenu("&View"))
        git_menu = bar.addMenu("&Git")
        window.git.build_menu(git_menu)
        self.auto_commit = QAction("Commit &automatically after saving", self, checkable=True)
        self.auto_commit.setChecked(bool(window.settings.get("auto_commit")))
        self.auto_commit.toggled.connect(lambda on: window.settings.set("auto_commit", on))
        git_menu.addSeparator()
        git_menu.addAction(self.auto_commit)
        window.review.build_menu(bar.addMenu("&Review"))

    def _action(self, label: str, handler: Callable[[], object], keys: Keys | None = None) -> QAction:
        action = QAction(label, self)
        if keys is not None:
            action.setShortcut(keys)
        action.triggered.connect(lambda _=False: handler())
        return action

    def _edit_menu(self, menu: QMenu) -> None:
        pages = self.window.pages
        edits: tuple[tuple[str, Keys, Callable[[EditorTab], object]], ...] = (
            ("&Undo", QKeySequence.StandardKey.Undo, lambda t: t.editor.undo()),
            ("&Redo", QKeySequence.StandardKey.Redo, lambda t: t.editor.redo()),
            ("&Find...", QKeySequence.StandardKey.Find, lambda t: t.open_find(replace=False)),
            ("Find and &replace...", QKeySequence("Ctrl+H"), lambda t: t.open_find(replace=True)),
            ("Insert &link to a document...", QKeySequence("Ctrl+L"), self.window.pick_link),
            ("Insert &image...", QKeySequence("Ctrl+Shift+I"), lambda t: t.choose_image()),
        )
        for label, keys, handler in edits:
            menu.addAction(self._action(label, partial(pages.on_current_tab, handler), keys))
        menu.addSeparator()
        self.mode = self._action("Switch &Edit/Read", pages.toggle_edit_mode, QKeySequence("Ctrl+E"))
        menu.addAction(self.mode)
        self.synonyms = self._action("Search &synonyms...", self.window.documents_actions.edit_synonyms)
        self.synonyms.setToolTip("Edit the words search treats as the same (.kbstudio/synonyms.yaml)")
        menu.addAction(self.synonyms)

    def _view_menu(self, menu: QMenu) -> None:
        window = self.window
        menu.addAction(self._action("&Search", window.focus_search, QKeySequence("Ctrl+K")))
        menu.addAction(window.index.rebuild_action)   # also after a cancelled build: see IndexController
        menu.addAction(self._action("&Escalation map", window.sops.show_map, QKeySequence("Ctrl+Shift+M")))
        self.theme_actions = self._choices(menu.addMenu("T&heme"), THEMES, window.apply_theme, _theme_label)
        self.role_actions = self._choices(menu.addMenu("I work at &tier"), ROLES, window.apply_role, str)
        menu.addSeparator()
        menu.addAction(window.loop.gaps_action)         # the team's failed searches, grouped
        menu.addAction(window.loop.log_gaps_action)     # opt out of logging failed searches

    def _choices(self, menu: QMenu, keys: tuple[str, ...], handler: Callable[[str], object],
                 label: Callable[[str], str]) -> dict[str, QAction]:
        """Add one checkable action per key, only one checked at a time; return them by key."""
        group = QActionGroup(self)
        actions: dict[str, QAction] = {}
        for key in keys:
            action = QAction(label(key), self, checkable=True)
            action.triggered.connect(lambda _=False, k=key: handler(k))
            group.addAction(action)
            menu.addAction(action)
            actions[key] = action
        return actions

    def fill_recent(self) -> None:
        """List the recent KBs in File > Open recent."""
        self.recent_menu.clear()
        for path in self.window.settings.get("recent"):
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.window.open_folder(p))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none)").setEnabled(False)
