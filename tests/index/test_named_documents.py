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
    _write(root, "a/resume.md", "KB-0022", "Upload a résumé to the careers portal",
           "The résumé must be a PDF under 2 MB.")
    _write(root, "a/teams.md", "KB-0023", "Teams won't load after the update",
           "Teams can't start: it shows a white window and won't load the chat list.")
    _write(root, "a/want.md", "KB-0024", "What users want from the portal",
           "Users want to start a chat from the portal; a load test is planned.")
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


def test_a_named_document_of_another_tier_is_shown_first_in_a_tier_view(named_kb):
    # an L1 agent who types an L2 SOP's id or title asked for that document, not for its words
    for typed in ("SOP-3", "Escalate a VPN outage"):
        response = named_kb.search(typed, SearchOptions(tiers=("L0", "L1")))
        assert response.results[0].path == "s/escalate.md"
        assert response.hidden_by_tier == 0


def test_an_explicit_tier_filter_in_the_query_still_applies(named_kb):
    assert "s/escalate.md" not in _paths(named_kb, "SOP-3 tier:L1")


@pytest.mark.parametrize("typed", ["KB-0002.", "(KB-0002)", "KB-0002,", '"KB-0002"', "see KB-0002",
                                   "KB-0002 unlock", "KB\u20110002", "printer KB-0002 queue"])
def test_an_id_inside_a_query_puts_its_document_first(named_kb, typed):
    assert _paths(named_kb, typed)[0] == "a/printer.md"


def test_two_ids_put_both_documents_first_in_their_order(named_kb):
    assert _paths(named_kb, "KB-0002 KB-0010")[:2] == ["a/printer.md", "a/vpn.md"]


@pytest.mark.parametrize("typed", ["id:KB-0002", "id:kb-2", "id:KB-2"])
def test_the_id_filter_takes_any_spelling(named_kb, typed):
    assert _paths(named_kb, typed) == ["a/printer.md"]


def test_a_named_document_has_a_score(named_kb):
    assert named_kb.search("KB-0002", SearchOptions()).results[0].score > 0


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


def test_accents_fold_before_stemming_too(named_kb):
    # Porter stems "resume" to "resum" but leaves "résumé" alone: folding the typed word finds it
    assert _paths(named_kb, "resume upload")[0] == "a/resume.md"
    assert _paths(named_kb, "résumé")[0] == "a/resume.md"


def test_a_word_found_by_folding_is_highlighted(named_kb):
    hit = named_kb.search("cafe portal", SearchOptions()).results[0]
    assert hit.path == "a/cafe.md" and "<b>café</b>" in hit.snippet


@pytest.mark.parametrize("typed", ["teams wont load", "teams cant start", "Teams won't load"])
def test_a_contraction_typed_without_its_apostrophe_is_no_typo(named_kb, typed):
    response = named_kb.search(typed, SearchOptions())
    assert response.corrected is None
    assert response.results[0].path == "a/teams.md"


def test_an_accented_word_is_no_typo(named_kb):
    assert named_kb.search("cafe", SearchOptions()).corrected is None
