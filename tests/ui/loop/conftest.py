"""The knowledge loop's widgets over a real, versioned copy of the demo KB, without the main window.

``Harness`` holds what the main window would give the ``LoopController``: settings, the one git
worker, the KB and its documents, document tabs in a tab widget, and a search panel with its gap
tracker. Records are read back from the KB's own files (``.kbstudio/usage|flags|gaps``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTabWidget, QWidget

from kbstudio.kb import KnowledgeBase
from kbstudio.model import DocumentFields, DocumentInfo
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.loop.controller import LoopController
from kbstudio.ui.loop.gap_tracker import SearchGapTracker
from kbstudio.ui.search_panel import SearchPanel
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.tasks import TaskRunner
from tests.vcs.conftest import git, git_sandbox  # noqa: F401 - the private git config (autouse)

OUTLOOK = "articles/email/outlook-keeps-asking-for-password.md"   # KB-0019, L1, published


def records(root: Path, folder: str) -> list[dict]:
    """Return every record of a loop folder (``usage``, ``flags``, ``gaps``), file by file."""
    found = []
    for path in sorted((root / ".kbstudio" / folder).glob("*.jsonl")):
        found += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return found


class Harness:
    """The loop controller with what the main window would hand it."""

    def __init__(self, qtbot, kb: KnowledgeBase, settings: AppSettings, runner: TaskRunner,  # noqa: ANN001
                 settle_ms: int = 0) -> None:
        self.qtbot = qtbot
        self.kb = kb
        self.settings = settings
        self.runner = runner
        self.render = TaskRunner(max_threads=1)
        self.tabs = QTabWidget()
        qtbot.addWidget(self.tabs)
        self.tabs.resize(1000, 700)
        self.tabs.show()
        self.documents: dict[str, DocumentInfo] = {doc.rel_path: doc for doc in kb.scan()}
        self.panel = SearchPanel()
        qtbot.addWidget(self.panel)
        self.tracker = SearchGapTracker(self.panel, settle_ms=settle_ms)
        self.pages: list[QWidget] = []
        self.controller = LoopController(settings, runner, lambda: kb, lambda: list(self.documents.values()),
                                         self.open, self.add_page, self.tabs,
                                         escalation_for=self.escalation_for, tracker=self.tracker)
        self.messages: list[str] = []
        self.controller.messageRequested.connect(self.messages.append)

    def escalation_for(self, document: DocumentFields) -> DocumentFields | None:
        """Return the SOP to follow when ``document`` did not help (as the app's SopActions)."""
        from kbstudio.sop import sop_for_article

        return sop_for_article(document, list(self.documents.values()))

    def open(self, rel_path: str, edit: bool = False) -> DocumentTab:
        """Open (or bring forward) a document tab with the loop's buttons and flag bar."""
        for index in range(self.tabs.count()):
            tab = self.tabs.widget(index)
            if isinstance(tab, DocumentTab) and tab.rel_path == rel_path:
                if edit:
                    tab.set_edit_mode(True)
                self.tabs.setCurrentWidget(tab)
                return tab
        tab = DocumentTab(self.kb, self.kb.load(self.kb.root / rel_path), self.render, read_mode=not edit)
        self.controller.attach(tab)
        self.tabs.setCurrentIndex(self.tabs.addTab(tab, rel_path))
        return tab

    def add_page(self, page: QWidget, title: str) -> None:
        """Show a page in a tab."""
        self.pages.append(page)
        self.tabs.setCurrentIndex(self.tabs.addTab(page, title))

    def idle(self) -> None:
        """Wait until the worker delivered every result."""
        self.qtbot.waitUntil(lambda: not self.runner._tasks, timeout=20_000)

    def close(self) -> None:
        """Stop the workers."""
        for runner in (self.runner, self.render):
            runner.wait()
            runner.pool.shutdown(wait=True)


@pytest.fixture()
def versioned_kb(content_copy: Path) -> KnowledgeBase:
    """A copy of the demo KB in a git repository of its own, everything committed."""
    git(content_copy, "init", "-q")
    git(content_copy, "add", "-A")
    git(content_copy, "commit", "-q", "-m", "The demo")
    return KnowledgeBase(content_copy)


@pytest.fixture()
def harness(qtbot, versioned_kb: KnowledgeBase, settings: AppSettings) -> Iterator[Harness]:  # noqa: ANN001
    """The controller over the versioned demo copy, as an L1 agent."""
    made = Harness(qtbot, versioned_kb, settings, TaskRunner(max_threads=1))
    made.controller.open_kb()
    made.idle()
    yield made
    made.close()
