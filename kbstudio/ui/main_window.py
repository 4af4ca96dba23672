"""The main window: library, document tabs and status bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
)

from kbstudio.kb import KnowledgeBase
from kbstudio.model import Document
from kbstudio.render import MarkdownRenderer
from kbstudio.ui.badges import TIER_COLOURS, tier_label

PATH_ROLE = Qt.ItemDataRole.UserRole


class MainWindow(QMainWindow):
    """KB Studio's main window."""

    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.kb: KnowledgeBase | None = None
        self.documents: dict[str, Document] = {}
        self.renderer = MarkdownRenderer()
        self.setWindowTitle("KB Studio")
        self.resize(1200, 800)

        self.library = QTreeWidget()
        self.library.setHeaderLabels(["Document", "Tier", "Status"])
        self.library.setColumnWidth(0, 300)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        splitter = QSplitter()
        splitter.addWidget(self.library)
        splitter.addWidget(self.tabs)
        splitter.setSizes([380, 820])
        self.setCentralWidget(splitter)
        self.kb_label = QLabel()
        self.count_label = QLabel()
        self.statusBar().addWidget(self.kb_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)

        open_action = QAction("&Open knowledge base...", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.menuBar().addMenu("&File").addAction(open_action)

        open_action.triggered.connect(self._choose_kb)
        self.library.itemActivated.connect(self._open_item)
        self.tabs.tabCloseRequested.connect(self.tabs.removeTab)

    def open_kb(self, kb: KnowledgeBase) -> None:
        """Show the documents of ``kb``."""
        self.kb = kb
        self.documents = {doc.rel_path: doc for doc in kb.load_all()}
        self.settings.setValue("recent/last", str(kb.root))
        self.setWindowTitle(f"KB Studio - {kb.name}")
        self.kb_label.setText(str(kb.root))
        self.count_label.setText(f"{len(self.documents)} documents")
        self._fill_library()

    def _fill_library(self) -> None:
        self.library.clear()
        folders: dict[str, QTreeWidgetItem] = {}
        for rel_path, doc in sorted(self.documents.items()):
            parent_key = rel_path.rpartition("/")[0]
            parent = self._folder_item(parent_key, folders)
            item = QTreeWidgetItem([doc.title, tier_label(doc.tier), doc.status])
            item.setData(0, PATH_ROLE, rel_path)
            item.setToolTip(0, f"{doc.id or ''} {rel_path}".strip())
            item.setForeground(1, TIER_COLOURS[doc.tier])
            (parent or self.library.invisibleRootItem()).addChild(item)
        self.library.expandToDepth(0)

    def _folder_item(self, key: str, folders: dict[str, QTreeWidgetItem]) -> QTreeWidgetItem | None:
        if not key:
            return None
        if key not in folders:
            head, _, name = key.rpartition("/")
            parent = self._folder_item(head, folders)
            item = QTreeWidgetItem([name])
            (parent or self.library.invisibleRootItem()).addChild(item)
            folders[key] = item
        return folders[key]

    def _open_item(self, item: QTreeWidgetItem) -> None:
        rel_path = item.data(0, PATH_ROLE)
        if rel_path:
            self.open_document(rel_path)

    def open_document(self, rel_path: str) -> None:
        """Open the document at ``rel_path`` in a tab (or switch to its tab)."""
        for index in range(self.tabs.count()):
            if self.tabs.widget(index).property("rel_path") == rel_path:
                self.tabs.setCurrentIndex(index)
                return
        doc = self.documents[rel_path]
        view = QTextBrowser()
        view.setOpenLinks(False)
        view.setProperty("rel_path", rel_path)
        view.setHtml(self.renderer.convert(doc.text).html)
        view.anchorClicked.connect(self._follow_link)
        self.tabs.setCurrentIndex(self.tabs.addTab(view, doc.title[:40]))

    def _follow_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    def _choose_kb(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open knowledge base")
        if folder:
            self.open_kb(KnowledgeBase(folder))
