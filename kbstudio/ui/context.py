"""What the main window's controllers share, given to each through its constructor.

One ``WindowContext`` replaces the getters and callbacks the window used to hand each controller
(``lambda: self.kb``, ``lambda: list(self.documents.values())``, ``self.current_tab`` ...): the
controllers read the open KB and its documents from the hub, send change records through it, run
work on the loading worker, show lines and failures in the status line, and open documents and
pages through the tabs. No controller reaches into the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from kbstudio.docset import DocumentSet
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.changes_hub import KBChanges
from kbstudio.ui.settings import AppSettings
from kbstudio.ui.status_line import StatusLine
from kbstudio.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from kbstudio.ui.document_tabs import DocumentTabs


@dataclass(frozen=True)
class WindowContext:
    """The window's shared services: dialogs' parent, settings, change hub, worker, status, tabs."""

    parent: QWidget          # the parent of every dialog
    settings: AppSettings
    hub: KBChanges           # the open KB, its documents and the one change signal
    tasks: TaskRunner        # the loading worker: reading files, content checks
    status: StatusLine       # lines and failures for the user
    tabs: DocumentTabs       # opening documents and pages, the document in front

    @property
    def kb(self) -> KnowledgeBase | None:
        """Return the open KB (None before one is opened)."""
        return self.hub.kb

    @property
    def documents(self) -> DocumentSet:
        """Return the open KB's documents (fields only, kept current from change records)."""
        return self.hub.documents
