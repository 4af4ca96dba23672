"""Search as you type: debounced, run off the GUI thread, with facets and suggestions.

A search that has not answered within ``BUSY_AFTER_MS`` shows "Searching..." and greys the
results still on screen (they are the previous query's); a note above the count says when the
documents are scanned instead of the index answering (``set_note``).

The same search is run again when its answer may have changed (``rerun``: the index was updated,
the scan read more documents). A rerun's results replace the list only while the user has not
moved in it; once they have selected another result or scrolled, the list stays as it is (Enter
opens what they chose) and a line under the count offers the newer results (a click, or F5),
which then keep their selected document selected, and the row they looked at (the selected one,
else the first in view) where it stood.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kbstudio.changes import KBChange
from kbstudio.index.search import SearchOptions, SearchResponse
from kbstudio.model import KINDS, TIERS
from kbstudio.ui.badges import status_badge, tier_badge
from kbstudio.ui.rich_delegate import HTML_ROLE, RichTextDelegate

PATH_ROLE = Qt.ItemDataRole.UserRole
DEBOUNCE_MS = 150
BUSY_AFTER_MS = 250
# QLineEdit cuts text past 32,767 characters without a word; a pasted log can be longer. Past this
# cap (a QLineEdit holding 180,000 characters still takes a key in 0.1 s) the box says what it left out.
MAX_QUERY_CHARS = 100_000
SHOW_NEWER = "show-newer"   # the link to the held results of a rerun
_LONG_RUN = re.compile(r"\S{30,}")


def breakable(text: str) -> str:
    """Return ``text`` with zero-width spaces after the separators of long unbroken runs (paths):
    a word-wrapped label breaks a path there instead of growing past the panel's width."""
    return _LONG_RUN.sub(lambda run: re.sub(r"([/\\_.-])", "\\1\u200b", run.group(0)), text)


class QueryEdit(QLineEdit):
    """The search box: Up/Down move through the results, Enter opens, F5 shows newer results."""

    moveRequested = Signal(int)
    openRequested = Signal()
    refreshRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_F5:
            self.refreshRequested.emit()
            return
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.moveRequested.emit(1 if event.key() == Qt.Key.Key_Down else -1)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.openRequested.emit()
            return
        super().keyPressEvent(event)


class SearchPanel(QWidget):
    """The search box, filters and results; asks the window to run searches."""

    searchRequested = Signal(str, object)  # query text, SearchOptions
    openRequested = Signal(str)
    responseShown = Signal(object, object)  # the SearchResponse on screen, its SearchOptions
    queryCleared = Signal()                 # the box was emptied
    createArticleRequested = Signal(str)    # "Create an article from this search": the query as typed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.query = QueryEdit()
        self.query.setPlaceholderText("Search: what the caller says, or paste the error (Ctrl+K)")
        self.query.setClearButtonEnabled(True)
        self.query.setMaxLength(MAX_QUERY_CHARS)
        self.length_note = QLabel()
        self.length_note.setWordWrap(True)
        self.length_note.setVisible(False)
        # "Showing results for <corrected> - search for <typed> instead" (the link searches as typed)
        self.suggestion = QLabel()
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.suggestion.setVisible(False)
        self._as_typed: str | None = None   # the text to search without spelling correction
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        # The empty result's way forward (KCS: a search that finds nothing starts an article).
        self.create_button = QPushButton("Create an article from this search")
        self.create_button.setToolTip("Start a draft article (work in progress) with these words, as typed, "
                                      "in its Issue section")
        self.create_button.setVisible(False)
        self.tier_boxes = {tier: QCheckBox(tier) for tier in TIERS}
        self.kind_boxes = {kind: QCheckBox("SOP" if kind == "sop" else "Article") for kind in KINDS}
        self.published_only = QCheckBox("Published only")
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)   # rows stay in place
        self.delegate = RichTextDelegate(self.results)
        self.results.setItemDelegate(self.delegate)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._last_sent: tuple[str, SearchOptions] | None = None
        self._note = ""
        self._partial = False
        self._count = ""   # the count line under the note, as last shown
        self._shown: tuple[str, SearchOptions] | None = None   # the search whose results are listed
        self._first_path: str | None = None   # the result selected when they were listed (the first)
        self._held: tuple[SearchResponse, tuple[str, SearchOptions]] | None = None   # see module doc
        self._busy = QTimer(self)
        self._busy.setSingleShot(True)
        self._busy.setInterval(BUSY_AFTER_MS)
        self._busy.timeout.connect(self._show_busy)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Tiers:"))
        for box in self.tier_boxes.values():
            box.setChecked(True)
            filters.addWidget(box)
        filters.addSpacing(12)
        for box in self.kind_boxes.values():
            box.setChecked(True)
            filters.addWidget(box)
        filters.addSpacing(12)
        filters.addWidget(self.published_only)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query)
        layout.addWidget(self.length_note)
        layout.addLayout(filters)
        layout.addWidget(self.suggestion)
        layout.addWidget(self.summary)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.results, 1)

        self.query.textChanged.connect(self._timer.start)
        self.query.textChanged.connect(self._check_length)
        self._timer.timeout.connect(self.request)
        for box in (*self.tier_boxes.values(), *self.kind_boxes.values(), self.published_only):
            box.toggled.connect(self._timer.start)
        self.suggestion.linkActivated.connect(self._search_as_typed)
        self.query.moveRequested.connect(self._move)
        self.query.openRequested.connect(self._open_current)
        self.query.refreshRequested.connect(self.show_newer)
        self.summary.linkActivated.connect(self._summary_link)
        self.results.itemActivated.connect(self._open_item)
        self.create_button.clicked.connect(lambda: self.createArticleRequested.emit(self.query.text()))

    def set_role_tiers(self, tiers: tuple[str, ...] | None) -> None:
        """Tick the tiers a role sees by default (None: all of them)."""
        for tier, box in self.tier_boxes.items():
            box.blockSignals(True)
            box.setChecked(tiers is None or tier in tiers)
            box.blockSignals(False)

    def options(self) -> SearchOptions:
        """Return the filters chosen with the check boxes."""
        tiers = tuple(t for t, box in self.tier_boxes.items() if box.isChecked())
        kinds = tuple(k for k, box in self.kind_boxes.items() if box.isChecked())
        return SearchOptions(
            # Untiered documents (an imported KB) stay visible: hiding them would hide everything.
            tiers=None if len(tiers) == len(TIERS) else (*tiers, "untiered"),
            kinds=None if len(kinds) == len(KINDS) else kinds or ("none",),
            statuses=("published",) if self.published_only.isChecked() else None,
            limit=30,
            correct=self.query.text() != self._as_typed,
        )

    def request(self) -> None:
        """Ask for a search of the current text and filters (skipped when nothing changed)."""
        wanted = (self.query.text(), self.options())
        if wanted == self._last_sent:
            return
        self._last_sent = wanted
        if not wanted[0].strip():   # nothing typed: nothing to search, and no "0 matches" either
            self.clear_results()
            self.queryCleared.emit()
            return
        if wanted != self._shown:   # a rerun leaves its results as they are until the answer
            self._busy.start()
        self.searchRequested.emit(*wanted)

    def clear_results(self) -> None:
        """Show no results, no count and no suggestion (the box is empty)."""
        self._not_busy()
        self.results.clear()
        self.delegate.clear_cache()
        self.summary.clear()
        self._count = ""
        self._shown = self._held = None
        self.suggestion.setVisible(False)
        self.create_button.setVisible(False)

    def set_note(self, note: str, partial: bool = False) -> None:
        """Say what answers the searches ("" for the index, else the scan and why); ``partial``:
        from the documents read so far. The note on screen changes at once, counts with the next answer."""
        self._note, self._partial = note, partial
        if self._count and not self.busy:
            self._show_summary()

    def _show_summary(self) -> None:
        note = f"<i>{html.escape(breakable(self._note))}</i><br>" if self._note else ""
        newer = ""
        if self._held is not None:
            total = self._held[0].total
            newer = (f"<br><a href='{SHOW_NEWER}'>Newer results are ready ({total} "
                     f"{'match' if total == 1 else 'matches'}): show them</a> (F5)")
        self.summary.setText(note + self._count + newer)

    @property
    def busy(self) -> bool:
        """Return True while "Searching..." is shown (a search is taking a while)."""
        return not self.results.isEnabled()

    def _show_busy(self) -> None:
        self.summary.setText("<i>Searching...</i>")
        self.results.setEnabled(False)   # greyed: the previous query's results

    def _not_busy(self) -> None:
        self._busy.stop()
        self.results.setEnabled(True)

    def rerun(self) -> None:
        """Search again (the index changed)."""
        self._last_sent = None
        self.request()

    def kb_changed(self, change: KBChange) -> None:
        """Search again when a change record says the answers may differ: the index or the synonyms."""
        if change.index or change.synonyms:
            self.rerun()

    def moved_in_results(self) -> bool:
        """Return True when the user has selected another result than the first, or scrolled,
        since the results were listed."""
        if self.results.verticalScrollBar().value() > 0:
            return True
        item = self.results.currentItem()
        return item is not None and item.data(PATH_ROLE) != self._first_path

    def show_response(self, response: SearchResponse) -> None:
        """Show results, unless a newer query has been typed since this one was sent.

        The answer to a rerun of the search on screen is held while the user has moved in the
        results (see the module doc).
        """
        if response.query != self.query.text():
            return
        self._not_busy()
        sent = self._last_sent
        if sent is not None and sent == self._shown and self.moved_in_results():
            self._held = (response, sent)
            self._show_summary()
            return
        self._list(response, sent, keep_selection=False)

    def show_newer(self) -> None:
        """Show the held results of a rerun, the selected document still selected (when it is among
        them) and the row the user looked at where it stood (see the module doc)."""
        held, self._held = self._held, None
        if held is not None and held[0].query == self.query.text():
            self._list(held[0], held[1], keep_selection=True)

    def _summary_link(self, link: str) -> None:
        if link == SHOW_NEWER:
            self.show_newer()

    def _list(self, response: SearchResponse, sent: tuple[str, SearchOptions] | None,
              keep_selection: bool) -> None:
        current = self.results.currentItem()
        selected = current.data(PATH_ROLE) if keep_selection and current is not None else None
        anchor = self._anchor() if keep_selection else None
        self._shown, self._held = sent, None
        self.results.clear()
        self.delegate.clear_cache()
        for hit in response.results:
            item = QListWidgetItem(hit.title)
            item.setData(PATH_ROLE, hit.path)
            item.setData(HTML_ROLE, (
                f"<b>{html.escape(hit.title)}</b> {tier_badge(hit.tier)} {status_badge(hit.status)}"
                f"{' <i>kept for history, no longer applies</i>' if hit.archived else ''}"
                f"{' <i>SOP</i>' if hit.kind == 'sop' else ''}<br>"
                f"<span style='color:gray'>{html.escape(hit.path)}</span><br>{hit.snippet}"))
            self.results.addItem(item)
        rows = [self.results.item(row).data(PATH_ROLE) for row in range(self.results.count())]
        self._first_path = rows[0] if rows else None
        if rows:
            self.results.setAutoScroll(False)   # the anchor says where to scroll, not the selection
            self.results.setCurrentRow(rows.index(selected) if selected in rows else 0)
            self.results.setAutoScroll(True)
            self._scroll_to(anchor)
        if response.corrected:   # the corrected query was searched: say so, offer the words as typed
            self.suggestion.setText(f"Showing results for <b>{html.escape(response.corrected)}</b> - search "
                                    f"for <a href='typed'>{html.escape(response.query)}</a> instead")
        self.suggestion.setVisible(bool(response.corrected))
        facets = ", ".join(f"{k} {v}" for k, v in response.facets.get("tier", {}).items())
        more = ""
        if response.hidden_by_tier:
            more = f" - <b>{response.hidden_by_tier} more for other tiers</b>"
        matches = "match" if response.total == 1 else "matches"
        so_far = " so far" if self._partial else ""
        text = f"{response.total} {matches}{so_far} ({response.took_ms:.0f} ms){more}"
        if self._partial and not response.total:
            text = f"No match in the documents read so far: still reading...{more}"
        notes = "".join(f"<i>{html.escape(note)}</i><br>" for note in response.notes)   # No document KB-9999
        self._count = notes + text + (f"<br><span style='color:gray'>{facets}</span>" if facets else "")
        self._show_summary()
        self.create_button.setVisible(not response.total and not self._partial)
        self.responseShown.emit(response, self._last_sent[1] if self._last_sent else None)

    def show_error(self, message: str) -> None:
        """Show a search problem in place of the results."""
        self._not_busy()
        self._count = ""
        self.create_button.setVisible(False)
        self.summary.setText(html.escape(message))

    def _anchor(self) -> tuple[str | None, int, int]:
        """Return what to keep in place when the list is replaced: the path of the selected row when
        it is in view, else of the first row in view, with its top in the view, and the scroll value."""
        view = self.results.viewport().rect()
        bar = self.results.verticalScrollBar()
        item: QListWidgetItem | None = self.results.currentItem()
        if item is None or not self.results.visualItemRect(item).intersects(view):
            item = self.results.itemAt(view.topLeft())
        if item is None:
            return None, 0, bar.value()
        return item.data(PATH_ROLE), self.results.visualItemRect(item).top(), bar.value()

    def _scroll_to(self, anchor: tuple[str | None, int, int] | None) -> None:
        """Scroll the new list so that the anchored row stands where it stood (else as it was)."""
        bar = self.results.verticalScrollBar()
        if anchor is None:
            bar.setValue(0)
            return
        path, top, value = anchor
        self.results.doItemsLayout()   # the rows' heights, for the scroll range
        rows = [self.results.item(row) for row in range(self.results.count())]
        found = next((item for item in rows if item.data(PATH_ROLE) == path), None)
        bar.setValue(value)
        if found is not None:
            bar.setValue(bar.value() + self.results.visualItemRect(found).top() - top)

    def _check_length(self, text: str) -> None:
        """Say so when the box is full: what was pasted or typed past ``MAX_QUERY_CHARS`` is left out."""
        full = len(text) >= MAX_QUERY_CHARS
        if full:
            self.length_note.setText(f"The search box holds {MAX_QUERY_CHARS:,} characters: the text "
                                     "pasted or typed past that was left out.")
        self.length_note.setVisible(full)

    def _search_as_typed(self) -> None:
        """Search the text in the box again without spelling correction (until it is changed)."""
        self._as_typed = self.query.text()
        self.request()

    def _move(self, step: int) -> None:
        row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
        self.results.setCurrentRow(row)

    def _open_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._open_item(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        self.openRequested.emit(item.data(PATH_ROLE))
