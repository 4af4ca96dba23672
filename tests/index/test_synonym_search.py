"""Team synonyms at query time: a caller's word finds the article written with the team's word."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.index.search import KBSearcher, SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.index.synonyms import parse_synonyms
from kbstudio.kb import KnowledgeBase

SYNONYMS = "VPN: [GlobalProtect, remote access]\nMFA: [2FA, two-factor, Authenticator]\n"


def _write(root: Path, rel: str, title: str, body: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\nkind: article\ntier: L1\nstatus: published\n---\n\n"
                    f"# {title}\n\n## Issue\n\n{body}\n", "utf-8")


@pytest.fixture()
def searcher(tmp_path: Path, index_dir: Path):
    root = tmp_path / "kb"
    _write(root, "gp.md", "GlobalProtect will not connect", "The GlobalProtect agent shows an error.")
    _write(root, "remote.md", "Remote access from a hotel", "Remote access needs the hotel portal first.")
    _write(root, "auth.md", "Authenticator app lost", "A new phone needs the Authenticator app set up again.")
    _write(root, "printer.md", "Printer jams",
           "Remote printing is not supported; the access panel is in the lobby.")
    service = SearchService(KnowledgeBase(root), index_dir)
    service.ensure()
    table = parse_synonyms(SYNONYMS)
    found = KBSearcher(service.store.open(), synonyms=lambda: table)
    plain = KBSearcher(service.store.open())
    yield found, plain
    found.close()
    plain.close()
    service.close()


def _paths(searcher: KBSearcher, text: str) -> list[str]:
    return [hit.path for hit in searcher.search(text, SearchOptions()).results]


def test_an_acronym_finds_the_articles_written_with_its_synonyms(searcher):
    found, plain = searcher
    assert _paths(plain, "vpn") == []
    assert set(_paths(found, "vpn")) == {"gp.md", "remote.md"}


def test_a_multi_word_synonym_counts_only_as_the_whole_term(searcher):
    found, _ = searcher
    # "remote access" (both words) is a synonym of VPN; the printer page has the two words apart
    assert _paths(found, "vpn not working")[:2] != ["printer.md"]
    assert "printer.md" not in _paths(found, "vpn")


def test_typing_a_multi_word_term_finds_the_group(searcher):
    found, _ = searcher
    assert _paths(found, "two-factor")[0] == "auth.md"
    assert _paths(found, "two factor lost")[0] == "auth.md"
    assert _paths(found, "2FA")[0] == "auth.md"


def test_the_synonym_words_are_highlighted_in_the_snippet(searcher):
    found, _ = searcher
    hit = found.search("vpn", SearchOptions()).results
    snippets = {h.path: h.snippet for h in hit}
    assert "<b>GlobalProtect</b>" in snippets["gp.md"]


def test_without_a_synonyms_file_nothing_changes(searcher):
    found, plain = searcher
    assert _paths(found, "printer jams") == _paths(plain, "printer jams")


def test_the_service_reads_the_kbs_synonyms_file_and_follows_its_changes(tmp_path: Path, index_dir: Path):
    root = tmp_path / "kb"
    _write(root, "gp.md", "GlobalProtect will not connect", "The GlobalProtect agent shows an error.")
    service = SearchService(KnowledgeBase(root), index_dir)
    service.ensure()
    assert [hit.path for hit in service.search("vpn").results] == []
    (root / ".kbstudio").mkdir()
    (root / ".kbstudio" / "synonyms.yaml").write_text("VPN: [GlobalProtect]\n", "utf-8")
    assert [hit.path for hit in service.search("vpn").results] == ["gp.md"]
    (root / ".kbstudio" / "synonyms.yaml").write_text("# no entries left\n", "utf-8")
    assert [hit.path for hit in service.search("vpn").results] == []
    service.close()


def test_a_multi_word_synonym_is_highlighted_whole_never_word_by_word(searcher):
    found, _ = searcher
    snippets = {h.path: h.snippet for h in found.search("vpn", SearchOptions()).results}
    assert "<b>Remote access</b>" in snippets["remote.md"]
    assert "<b>access</b>" not in snippets["remote.md"].replace("<b>Remote access</b>", "")
