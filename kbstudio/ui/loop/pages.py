"""The knowledge loop's pages: "Search gaps", "Create an article from this search", the dashboard part.

``LoopPages`` belongs to a ``LoopController`` (``kbstudio.ui.loop.controller``) and runs its work
the same way, on the controller's worker; the pages are added with the window's ``add_page``.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from kbstudio.changes import KBChange
from kbstudio.loop.flags import open_flags_by_owner
from kbstudio.loop.gap_groups import GapGroup
from kbstudio.loop.ledger import doc_key
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.loop.use_dialog import document_label
from kbstudio.ui.new_dialog import NewDocumentDialog

if TYPE_CHECKING:
    from kbstudio.ui.loop.controller import LoopController
    from kbstudio.ui.loop.gaps_page import SearchGapsPage
    from kbstudio.ui.loop.health_view import KnowledgeHealthView, LoopDashboard


class FromSearchDialog(NewDocumentDialog):
    """The new-document dialog for "Create an article from this search": an article, the searches shown.

    Title (the first search, as typed, to be made a title), tier (the role's) and folder as for any
    new document; the draft is written at once, with the searches in its Issue section.
    """

    def __init__(self, parent: QWidget, folders: list[str], queries: Sequence[str], tier: str) -> None:
        self.queries = list(queries)        # read by _check, which the parent's __init__ calls
        super().__init__(parent, folders, None)
        self.setWindowTitle("Create an article from this search")
        self.kind_box.setEnabled(False)     # an article: KCS captures the issue as the caller said it
        self.title_edit.setText(" ".join(self.queries[0].split()))
        index = self.tier_box.findData(tier)
        if index >= 0:
            self.tier_box.setCurrentIndex(index)

    def _check(self, loud: bool = False) -> None:
        super()._check(loud)
        if self.problem() is None:
            searches = "<br>".join(f"&bull; {html.escape(query)}" for query in self.queries[:5])
            more = f"<br>and {len(self.queries) - 5} more" if len(self.queries) > 5 else ""
            folder = html.escape(self.folder() or "the top folder")
            self.message.setText(f"Writes a draft (work in progress) in {folder}, with in its Issue section "
                                 f"the searches as typed:<br>{searches}{more}")


class LoopPages(QObject):
    """Opens and fills the Search gaps page and the dashboard's knowledge part; creates drafts."""

    def __init__(self, loop: LoopController, add_page: Callable[[QWidget, str], None]) -> None:
        super().__init__(loop)
        self.loop = loop
        self.add_page = add_page
        self.gaps_page: SearchGapsPage | None = None
        self.health_view: KnowledgeHealthView | None = None

    def refresh(self) -> None:
        """Read again what the open pages show (records were written or pulled)."""
        if self.gaps_page is not None and shiboken6.isValid(self.gaps_page):
            self.load_gaps()
        if self.health_view is not None and shiboken6.isValid(self.health_view):
            self.load_health()

    def create_from_search(self, queries: Sequence[str], key: str | None = None) -> QWidget | None:
        """Ask for the title, tier and folder, then create a draft article from ``queries`` (as typed).

        The search on screen ends first (it found nothing to open: a gap, logged as such).
        """
        wanted = [query for query in queries if query.strip()]
        if self.loop.kb() is None or not wanted:
            return None
        if self.loop.tracker is not None:
            self.loop.tracker.finish(new_session=True)
        folders = sorted({posixpath.dirname(document.rel_path) for document in self.loop.documents()})
        dialog = FromSearchDialog(self.loop.dialog_parent, folders, wanted, self.loop.role)
        dialog.accepted.connect(
            lambda: self._create(wanted, key, dialog.title(), dialog.tier(), dialog.folder()))
        self.loop.show_dialog(dialog)
        return dialog

    def _create(self, queries: Sequence[str], key: str | None, title: str, tier: str, folder: str) -> bool:
        kb = self.loop.kb()
        if kb is None:
            return False
        documents = list(self.loop.documents()) or None

        def work(loop: KnowledgeLoop) -> Any:
            from kbstudio.loop.drafts import create_from_search

            return create_from_search(kb, queries, tier, title=title, folder=folder, key=key,
                                      documents=documents)

        def created(result: Any) -> None:
            self.loop.messageRequested.emit(f"Draft {result.doc_id} created from the search: "
                                            f"{result.rel_path}")
            if self.loop.publish is not None:   # the library and search know it before it opens
                self.loop.publish(KBChange.of(added=[result.rel_path]))
            tab = self.loop.open_document(result.rel_path, edit=True)
            if isinstance(tab, DocumentTab):
                tab.focus_body()                 # the cursor where the author writes
            self.loop.documentCreated.emit(result.rel_path)

        return self.loop.work("creating the article", work, created)

    def create_from_group(self, group: GapGroup) -> QWidget | None:
        """Create a draft from a group of failed searches (its examples, as typed)."""
        return self.create_from_search([text for text, _ in group.examples] or [group.query], group.key)

    def show_gaps(self) -> SearchGapsPage | None:
        """Open the "Search gaps" page (or bring it to the front) and read the groups."""
        from kbstudio.ui.loop.gaps_page import SearchGapsPage

        if self.loop.kb() is None:
            return None
        if self.gaps_page is None or not shiboken6.isValid(self.gaps_page):
            page = SearchGapsPage()
            page.createRequested.connect(self.create_from_group)
            page.openDocumentRequested.connect(self.loop.open_named)
            page.refreshRequested.connect(self.load_gaps)
            self.gaps_page = page
            self.add_page(page, "Search gaps")
        else:
            self.add_page(self.gaps_page, "Search gaps")
        self.load_gaps()
        return self.gaps_page

    def load_gaps(self) -> None:
        """Read and group the team's failed searches for the gaps page."""
        page = self.gaps_page
        documents = list(self.loop.documents())

        def work(loop: KnowledgeLoop) -> tuple[list[GapGroup], dict[str, list[str]]]:
            from kbstudio.loop.gap_groups import close_groups, drafts_for, group_gaps

            groups = close_groups(group_gaps(loop.gaps().items()), documents)
            return groups, drafts_for(groups, documents)

        def show(found: tuple[list[GapGroup], dict[str, list[str]]]) -> None:
            if page is not None and shiboken6.isValid(page):
                page.set_groups(*found)

        self.loop.work("reading search gaps", work, show)

    # The dashboard ----------------------------------------------------------------------------

    def attach_dashboard(self, page: QWidget) -> KnowledgeHealthView:
        """Add the knowledge health part to a dashboard page and compute it."""
        from kbstudio.ui.loop.health_view import KnowledgeHealthView  # pyqtgraph loads here

        view = KnowledgeHealthView()
        view.openDocumentRequested.connect(self.loop.open_named)
        view.gapsRequested.connect(self.show_gaps)
        view.resolveRequested.connect(self.loop.fixes.resolve)
        add = getattr(page, "add_section", None)
        if callable(add):
            add(view)
        self.health_view = view
        self.load_health()
        return view

    def load_health(self) -> None:
        """Compute the figures, reviews due and owners' flags off the GUI thread and show them."""
        view = self.health_view
        documents = list(self.loop.documents())

        def work(loop: KnowledgeLoop) -> LoopDashboard:
            from kbstudio.loop.board import knowledge_board
            from kbstudio.ui.loop.health_view import LoopDashboard

            flags = loop.flags()
            keys = {doc_key(document.id, document.rel_path): document for document in documents}
            paths = {key: document.rel_path for key, document in keys.items()}
            titles = {key: document_label(document) for key, document in keys.items()}
            return LoopDashboard(knowledge_board(loop.kb, documents, loop.repo),
                                 open_flags_by_owner(flags, documents), paths, titles)

        def show(data: LoopDashboard) -> None:
            if view is not None and shiboken6.isValid(view):
                view.show_data(data)

        self.loop.work("knowledge health figures", work, show)
