"""Search in NFC: a word matches whichever normalisation form the document or the query uses."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.search import SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase

MUNICH_NFC = "M\u00fcnchen"
MUNICH_NFD = "Mu\u0308nchen"


def _doc(doc_id: str, title: str, body: str, tags: str = "[]") -> str:
    return (f"---\nid: {doc_id}\ntitle: {title}\nkind: article\ntier: L1\nstatus: published\n"
            f"tags: {tags}\n---\n\n# {title}\n\n## Issue\n\n{body}\n")


def _raw(root: Path, rel: str, text: str) -> None:
    folder, name = os.path.split(os.path.join(root, rel))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
        handle.write(text)


@pytest.fixture()
def unicode_kb(tmp_path: Path, index_dir: Path):
    """One document written decomposed (a Mac export, NFD name too), one composed, one unrelated."""
    root = tmp_path / "kb"
    _raw(root, f"articles/{MUNICH_NFD}-vpn.md", unicodedata.normalize("NFD", _doc(
        "KB-0001", f"VPN in the {MUNICH_NFC} office",
        f"The {MUNICH_NFC} office VPN drops every hour; the r\u00e9seau team knows.",
        tags=f"[{MUNICH_NFC.lower()}]")))
    _raw(root, "articles/zurich-printer.md", _doc(
        "KB-0002", "Z\u00fcrich printer offline", "The Z\u00fcrich printer on floor two shows offline."))
    _raw(root, "articles/outlook.md", _doc("KB-0003", "Outlook asks for a password", "Outlook again."))
    service = SearchService(KnowledgeBase(root), index_dir)
    service.ensure()
    yield root, service
    service.close()


def test_the_analyzer_puts_words_in_nfc_at_index_and_query_time() -> None:
    analyzer = SupportAnalyzer(stem=False)
    assert analyzer.index_tokens(MUNICH_NFD) == ["m\u00fcnchen"]
    assert [token.text for token in analyzer(f"{MUNICH_NFD} {MUNICH_NFC}")] == ["m\u00fcnchen"] * 2


@pytest.mark.parametrize("query", [MUNICH_NFC, MUNICH_NFD, MUNICH_NFC.lower() + " vpn",
                                   "r\u00e9seau", unicodedata.normalize("NFD", "r\u00e9seau")])
def test_a_word_typed_in_either_form_finds_a_decomposed_document(unicode_kb, query: str) -> None:
    root, service = unicode_kb
    response = service.search(query)
    assert [(hit.id, hit.path) for hit in response.results] == [("KB-0001", f"articles/{MUNICH_NFD}-vpn.md")]
    assert response.query == query   # reported as typed
    assert f"<b>{MUNICH_NFC}</b>" in response.results[0].snippet or "<b>r\u00e9seau</b>" in \
        response.results[0].snippet


@pytest.mark.parametrize("query", ["Z\u00fcrich", "Zu\u0308rich"])
def test_a_word_typed_decomposed_finds_a_composed_document(unicode_kb, query: str) -> None:
    _, service = unicode_kb
    assert [hit.id for hit in service.search(query).results] == ["KB-0002"]


def test_tag_filters_in_either_form(unicode_kb) -> None:
    _, service = unicode_kb
    for tag in (MUNICH_NFC.lower(), MUNICH_NFD.lower()):
        results = service.search(f"vpn tag:{tag}", SearchOptions(limit=10)).results
        assert [hit.id for hit in results] == ["KB-0001"]


def test_a_save_reported_by_its_composed_path_updates_the_decomposed_file(unicode_kb) -> None:
    root, service = unicode_kb
    path = root / "articles" / f"{MUNICH_NFD}-vpn.md"
    path.write_text(path.read_text("utf-8").replace("drops every hour", "drops at the Oktoberfest"), "utf-8")
    changes = service.update_paths([f"articles/{MUNICH_NFC}-vpn.md"])
    assert changes.updated == [f"articles/{MUNICH_NFD}-vpn.md"] and not changes.removed
    assert [hit.id for hit in service.search("oktoberfest").results] == ["KB-0001"]
