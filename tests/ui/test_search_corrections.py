"""The search panel shows what the search did: the corrected query with the words as typed a click
away, the notes (an id no document has), and which results are archived."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kbstudio.index.search import SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase
from kbstudio.ui.rich_delegate import HTML_ROLE
from kbstudio.ui.search_panel import SearchPanel


@pytest.fixture()
def service(content_copy: Path, tmp_path: Path) -> Iterator[SearchService]:
    path = content_copy / "articles/email/outlook-keeps-asking-for-password.md"   # KB-0019
    path.write_text(path.read_text("utf-8").replace("status: published", "status: archived", 1), "utf-8")
    svc = SearchService(KnowledgeBase(content_copy), tmp_path / "indexes")
    svc.ensure()
    yield svc
    svc.close()


@pytest.fixture()
def panel(qtbot, service: SearchService) -> SearchPanel:
    """A search panel answered by a real index of the demo KB, as the window answers it."""
    widget = SearchPanel()
    qtbot.addWidget(widget)
    sent: list[SearchOptions] = []
    widget.sent = sent   # type: ignore[attr-defined]

    def answer(text: str, options: SearchOptions) -> None:
        sent.append(options)
        widget.show_response(service.search(text, options))

    widget.searchRequested.connect(answer)
    return widget


def search(panel: SearchPanel, text: str) -> None:
    panel.query.setText(text)
    panel.request()


def test_a_corrected_search_says_so_and_searches_the_words_as_typed_on_a_click(panel: SearchPanel) -> None:
    search(panel, "wify")
    assert not panel.suggestion.isHidden()
    assert panel.suggestion.text() == ("Showing results for <b>wifi</b> - search for "
                                       "<a href='typed'>wify</a> instead")
    assert panel.results.count() > 0 and panel.sent[-1].correct   # type: ignore[attr-defined]
    panel.suggestion.linkActivated.emit("typed")
    assert not panel.sent[-1].correct   # type: ignore[attr-defined]
    assert panel.results.count() == 0 and panel.suggestion.isHidden()
    assert panel.summary.text().startswith("0 matches")
    search(panel, "wify printer")   # new text: corrected again
    assert panel.sent[-1].correct and not panel.suggestion.isHidden()   # type: ignore[attr-defined]


def test_notes_show_above_the_count_and_archived_results_say_so(panel: SearchPanel) -> None:
    search(panel, "KB-9999")
    assert panel.summary.text().startswith("<i>No document KB-9999</i><br>1 match (")
    search(panel, "outlook keeps asking for a password product:outlook")   # 6 documents
    rows = [panel.results.item(row).data(HTML_ROLE) for row in range(panel.results.count())]
    archived = [row for row in rows if "kept for history, no longer applies" in row]
    assert len(archived) == 1 and "Outlook keeps asking for a password" in archived[0]
    assert rows[-1] == archived[0]   # after every current document
