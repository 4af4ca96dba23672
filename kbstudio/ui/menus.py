"""The main window's menus: File, Edit, View, Git and Review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from kbstudio.ui.settings import ROLES
from kbstudio.ui.theme import THEMES

if TYPE_CHECKING:
    from kbstudio.ui.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """Create the menu bar's menus and connect them to the window's actions."""
    file_menu = window.menuBar().addMenu("&File")
    window.new_action = QAction("&New document...", window, shortcut=QKeySequence.StandardKey.New)
    open_action = QAction("&Open knowledge base...", window, shortcut=QKeySequence.StandardKey.Open)
    window.save_action = QAction("&Save", window, shortcut=QKeySequence.StandardKey.Save)
    close_action = QAction("&Close tab", window, shortcut=QKeySequence("Ctrl+W"))
    quit_action = QAction("&Quit", window, shortcut=QKeySequence.StandardKey.Quit)
    window.recent_menu = file_menu.addMenu("Open &recent")
    window.save_action.setToolTip("Save the document in front (what you are typing in a field too)")
    for action in (window.new_action, open_action, window.save_action, close_action, quit_action):
        file_menu.addAction(action)
    window.new_action.triggered.connect(window.new_document)
    open_action.triggered.connect(window.choose_kb)
    window.save_action.triggered.connect(window.save_current)
    close_action.triggered.connect(lambda: window.close_tab(window.tabs.currentIndex()))
    quit_action.triggered.connect(window.close)
    window.recent_menu.aboutToShow.connect(window.fill_recent)

    edit_menu = window.menuBar().addMenu("&Edit")
    for label, keys, handler in (
        ("&Undo", QKeySequence.StandardKey.Undo, lambda t: t.editor.undo()),
        ("&Redo", QKeySequence.StandardKey.Redo, lambda t: t.editor.redo()),
        ("&Find...", QKeySequence.StandardKey.Find, lambda t: t.open_find(replace=False)),
        ("Find and &replace...", QKeySequence("Ctrl+H"), lambda t: t.open_find(replace=True)),
        ("Insert &link to a document...", QKeySequence("Ctrl+L"), window.pick_link),
        ("Insert &image...", QKeySequence("Ctrl+Shift+I"), lambda t: t.choose_image()),
    ):
        action = QAction(label, window, shortcut=keys)
        action.triggered.connect(lambda _=False, h=handler: window.on_current_tab(h))
        edit_menu.addAction(action)

    edit_menu.addSeparator()
    window.mode_action = QAction("Switch &Edit/Read", window, shortcut=QKeySequence("Ctrl+E"))
    window.mode_action.triggered.connect(window.toggle_edit_mode)
    edit_menu.addAction(window.mode_action)
    window.synonyms_action = QAction("Search &synonyms...", window)
    window.synonyms_action.setToolTip("Edit the words search treats as the same (.kbstudio/synonyms.yaml)")
    window.synonyms_action.triggered.connect(window.edit_synonyms)
    edit_menu.addAction(window.synonyms_action)

    map_action = QAction("&Escalation map", window, shortcut=QKeySequence("Ctrl+Shift+M"))
    map_action.triggered.connect(window.show_escalation_map)

    find = QAction("&Search", window, shortcut=QKeySequence("Ctrl+K"))
    find.triggered.connect(window.focus_search)
    view = window.menuBar().addMenu("&View")
    view.addAction(find)
    view.addAction(window.index.rebuild_action)   # also after a cancelled build: see IndexController
    view.addAction(map_action)
    themes = view.addMenu("T&heme")
    theme_group = QActionGroup(window)
    window.theme_actions = {}
    for theme in THEMES:
        action = QAction("Follow the system" if theme == "system" else theme.title(), window,
                         checkable=True)
        action.triggered.connect(lambda _=False, t=theme: window.apply_theme(t))
        theme_group.addAction(action)
        themes.addAction(action)
        window.theme_actions[theme] = action
    roles = view.addMenu("I work at &tier")
    group = QActionGroup(window)
    window.role_actions = {}
    for role in ROLES:
        action = QAction(role, window, checkable=True)
        action.triggered.connect(lambda _=False, r=role: window.apply_role(r))
        group.addAction(action)
        roles.addAction(action)
        window.role_actions[role] = action


    git_menu = window.menuBar().addMenu("&Git")
    window.git.build_menu(git_menu)
    auto_commit = QAction("Commit &automatically after saving", window, checkable=True)
    auto_commit.setChecked(bool(window.settings.get("auto_commit")))
    auto_commit.toggled.connect(lambda on: window.settings.set("auto_commit", on))
    git_menu.addSeparator()
    git_menu.addAction(auto_commit)
    window.auto_commit_action = auto_commit

    window.review.build_menu(window.menuBar().addMenu("&Review"))
