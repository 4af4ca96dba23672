"""Content health in the app: one linter for the open KB, kept current from change records.

The linter is built on the loading worker once the KB's documents are read (at once for up to
``EAGER_LINT_LIMIT`` documents, else when the Health tab is first shown), and lives on that worker:
it is built, updated and read only there. Each change record then re-checks the documents it names
(``Linter.update``/``remove``) and, when a KB file the whole-KB rules read changed (``health``),
runs those rules again; the Health panel shows the findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStackedWidget

from kbstudio.changes import KBChange
from kbstudio.docset import DocumentSet
from kbstudio.kb import KnowledgeBase
from kbstudio.model import DocumentFields, Problem
from kbstudio.ui.context import WindowContext
from kbstudio.ui.health_panel import HealthPanel

if TYPE_CHECKING:
    from kbstudio.lint import Linter

# Bigger KBs are checked when the Health tab is opened: the first check of 25,000 documents takes
# about 15 s of the loading worker (bench/lint_speed.py --scale), which search should not wait behind.
EAGER_LINT_LIMIT = 5000


class HealthChecks(QObject):
    """Owns the open KB's linter and fills the Health panel from it."""

    def __init__(self, context: WindowContext, panel: HealthPanel) -> None:
        super().__init__(context.parent)
        self.context = context
        self.panel = panel
        self.linter: Linter | None = None
        self.started = False          # the first check of this KB was started
        self.pending = KBChange()     # what changed while the first check was running
        context.hub.kbChanged.connect(self.kb_changed)

    def kb_changed(self, change: KBChange) -> None:
        """Check what a change record names: everything anew, the documents it names, the whole-KB rules."""
        if change.reloaded:
            self.linter = None
            self.started = False
            self.pending = KBChange()
            count = len(self.context.documents)
            if count <= EAGER_LINT_LIMIT or self._shown():
                self.start()
            else:
                self.panel.summary.setText(f"{count} documents: the check starts when you open this tab.")
        elif change.documents or change.health:
            self.recheck(change)

    def _shown(self) -> bool:
        """Return True when the Health panel is the page in front of its tab widget."""
        pages = self.panel.parentWidget()
        return isinstance(pages, QStackedWidget) and pages.currentWidget() is self.panel

    def start(self) -> None:
        """Check the whole KB in the background (once per KB)."""
        kb = self.context.kb
        if kb is None or self.started or not self.context.hub.loaded or not self.context.documents:
            return
        self.started = True
        documents = list(self.context.documents.values())
        self.panel.summary.setText(f"Checking {len(documents)} documents...")
        self.context.tasks.run("checking content", lambda p, c: _linter(kb, documents),
                               on_success=lambda built: self._linted(kb, *built),
                               on_error=self.context.status.error)

    def _linted(self, kb: KnowledgeBase, linter: Linter, problems: list[Problem]) -> None:
        if kb is not self.context.kb:
            return
        self.linter = linter
        self.panel.set_problems(problems)
        pending, self.pending = self.pending, KBChange()
        if pending:   # the check may have read those files before they changed
            self.recheck(pending)

    def recheck(self, change: KBChange) -> None:
        """Check the documents ``change`` names again (and the whole-KB rules when ``health``), on the
        worker that owns the linter; while the first check runs, after it."""
        linter = self.linter
        if linter is None:
            if self.started:   # not checked yet: the first check reads everything as it is then
                self.pending = self.pending | change
            return
        documents: DocumentSet = self.context.documents
        present = [documents[rel] for rel in _held(documents, change.present)]
        gone = [rel for rel in change.gone if rel not in documents]
        whole_kb = change.health

        def work(progress: object, cancelled: object) -> list[Problem]:
            for rel in gone:
                linter.remove(rel)
            for document in present:
                linter.update(document)
            if whole_kb:
                linter.refresh_kb()
            return linter.problems()

        self.context.tasks.run("checking content", work, on_success=lambda found: self._show(linter, found),
                               on_error=self.context.status.error)

    def _show(self, linter: Linter, problems: list[Problem]) -> None:
        if linter is self.linter:
            self.panel.set_problems(problems)


def _held(documents: DocumentSet, names: frozenset[str]) -> list[str]:
    """Return the paths (as held, on disk) of the documents ``names`` (NFC) name."""
    from kbstudio.names import nfc

    wanted = set(names)
    held = [rel for rel in names if rel in documents]
    if len(held) < len(wanted):   # a name stored in another normalisation form than NFC
        held += [rel for rel in documents if rel not in wanted and nfc(rel) in wanted]
    return held


def _linter(kb: KnowledgeBase, documents: Sequence[DocumentFields]) -> tuple[Linter, list[Problem]]:
    from kbstudio.lint import Linter  # loaded on the worker, on first use

    linter = Linter(kb.root, documents)
    return linter, linter.problems()
