""""Create an article from this search" for a search that found something, at the end of the results.

The search panel's own button appears when a search finds nothing. Real phrasings seldom find
nothing (search matches any word), yet often find nothing useful: an agent who opens none of the
results (a ``not-opened`` gap) should still be able to start the article from the search box. So a
smaller link sits under the result list whenever results are shown, and asks the panel for the
same thing its button does (``createArticleRequested``, the query as typed).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

LINK_TEXT = "Nothing useful? <a href='create'>Create an article from this search</a>"


class CreateFromSearchLink(QLabel):
    """A small link under the panel's results; shown while results are (see the module doc)."""

    def __init__(self, panel: QWidget) -> None:
        super().__init__(LINK_TEXT, panel)
        self.panel = panel
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setObjectName("createFromSearchLink")
        self.setStyleSheet("#createFromSearchLink { font-size: small; }")
        self.setToolTip("Start a draft article (work in progress) with these words, as typed, "
                        "in its Issue section")
        self.setVisible(False)
        layout = panel.layout()
        if isinstance(layout, QBoxLayout):        # the panel's column: under the result list
            layout.addWidget(self, 0, Qt.AlignmentFlag.AlignLeft)
        self.linkActivated.connect(lambda _: panel.createArticleRequested.emit(  # type: ignore[attr-defined]
            panel.query.text()))                                                 # type: ignore[attr-defined]
        panel.responseShown.connect(self._shown)                                 # type: ignore[attr-defined]
        panel.queryCleared.connect(lambda: self.setVisible(False))               # type: ignore[attr-defined]

    def _shown(self, response: Any, _options: object) -> None:
        self.setVisible(bool(getattr(response, "total", 0)))
