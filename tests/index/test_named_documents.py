"""A query naming a document goes straight to it: its id in any spelling, or its exact title.

Also accent folding: ``cafe`` finds ``café`` and the other way round, the exact form first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.index.search import SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase
from kbstudio.names import fold_accents, id_search_key, title_key


def _write(root: Path, rel: str, doc_id: str, title: str, body: str, tier: str = "L1") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nid: {doc_id}\ntitle: {title}\nkind: article\ntier: {tier}\n"
                    f"status: published\n---\n\n# {title}\n\n## Issue\n\n{body}\n", "utf-8")


@pytest.fixture()
def named_kb(tmp_path: Path, index_dir: Path):
    root = tmp_path / "kb"
    _write(root, "a/printer.md", "KB-0002", "Printer queue stuck",
           "The print queue stops. See KB-0045 for the driver.")
    # KB-0045's text mentions KB-0002 many times: words alone would rank it first.
    _write(root, "a/driver.md", "KB-0045", "Printer driver reinstall",
           "After KB-0002, KB-0002 and KB-0002 fail, reinstall the driver.")
    _write(root, "s/escalate.md", "SOP-0003", "Escalate a VPN outage",
           "Call the network team when the VPN is down for everyone.", tier="L2")
    _write(root, "a/vpn.md", "KB-0010", "VPN drops every hour",
           "Escalate a VPN outage with SOP-0003 when more than one caller reports it.")
    _write(root, "a/cafe.md", "KB-0020", "Café Wi-Fi portal",
           "The café portal asks for the room number.")
    _write(root, "a/plain.md", "KB-0021", "Guest network at the cafe",
           "The cafe guest network needs no password.")
    svc = SearchService(KnowledgeBase(root), index_dir)
    svc.ensure()
    yield svc
    svc.close()


def _paths(service: SearchService, text: str, **options) -> list[str]:
    return [hit.path for hit in service.search(text, SearchOptions(**options)).results]


@pytest.mark.parametrize("typed", ["KB-0002", "kb-0002", "KB-2", "kb 2", "  KB-0002 ", "KB0002"])
def test_a_bare_id_in_any_spelling_puts_its_document_first(named_kb, typed):
    assert _paths(named_kb, typed)[0] == "a/printer.md"


@pytest.mark.parametrize("typed", ["SOP-3", "sop-0003", "SOP-0003"])
def test_a_bare_sop_id_puts_the_sop_first(named_kb, typed):
    assert _paths(named_kb, typed)[0] == "s/escalate.md"


def test_an_id_of_no_document_is_an_ordinary_query(named_kb):
    assert _paths(named_kb, "KB-9999") == _paths(named_kb, "kb 9999")


def test_the_exact_title_puts_its_document_first_in_any_case_and_punctuation(named_kb):
    assert _paths(named_kb, "escalate a vpn outage")[0] == "s/escalate.md"
    assert _paths(named_kb, "Escalate a VPN outage!")[0] == "s/escalate.md"


def test_a_tier_filter_still_hides_a_named_document(named_kb):
    response = named_kb.search("SOP-3", SearchOptions(tiers=("L1",)))
    assert "s/escalate.md" not in [hit.path for hit in response.results]
    assert response.hidden_by_tier >= 1


def test_a_word_typed_without_its_accent_finds_the_accented_one(named_kb):
    found = _paths(named_kb, "cafe portal")
    assert found[0] == "a/cafe.md"
    assert set(_paths(named_kb, "cafe")) == {"a/cafe.md", "a/plain.md"}


def test_a_word_typed_with_an_accent_finds_the_plain_one(named_kb):
    assert set(_paths(named_kb, "café")) == {"a/cafe.md", "a/plain.md"}
    assert _paths(named_kb, "café guest")[0] == "a/plain.md"


def test_the_keys():
    assert id_search_key("kb-0002") == id_search_key("KB 2") == "KB-2"
    assert id_search_key("SOP-0003") == "SOP-3"
    assert id_search_key("weird id") == "WEIRD ID"
    assert title_key("  Escalate a  VPN outage! ") == "escalate a vpn outage"
    assert fold_accents("Ångström café") == "Angstrom cafe"
