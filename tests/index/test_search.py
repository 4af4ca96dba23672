"""Searching a real index of the demo KB."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kbstudio.index.search import SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase
from tests.conftest import write


def top_ids(service: SearchService, text: str, **options: object) -> list[str]:
    return [hit.id for hit in service.search(text, SearchOptions(**options)).results]


@pytest.mark.parametrize(("query", "expected"), [
    ("outlook keeps asking me for my password", "KB-0019"),
    ("I clicked a link in an email and typed my password", "KB-0042"),
    ("vpn connected but can't open the shared drive", "KB-0012"),
    ("550 5.7.1 Unable to relay", "KB-0021"),
    ("bitlocker recovery key", "KB-0030"),
    ("printer offline whole floor", "KB-0026"),
])
def test_callers_words_find_the_right_article(service: SearchService, query: str, expected: str) -> None:
    assert top_ids(service, query)[0] == expected


def test_typos_are_corrected_and_the_corrected_query_searched(service: SearchService) -> None:
    response = service.search("outlok keeps asking for pasword")
    assert response.results[0].id == "KB-0019"
    assert response.corrected == "outlook keeps asking for password"


def test_correct_words_are_not_corrected(service: SearchService) -> None:
    assert service.search("printer offline").corrected is None


@pytest.mark.parametrize("text", [
    "", '"', '"unbalanced', "((", "C:\\Users\\jsmith\\AppData\\Local", "word:word",
    "Error 0x8004010F: Outlook data file cannot be accessed", "AND OR NOT", "-", "tier:",
    "\x00", "ü" * 500, "a" * 5000, "*?[]{}~^", "NOT", '"" "" ""',
])
def test_any_text_gives_an_answer_not_an_error(service: SearchService, text: str) -> None:
    response = service.search(text)
    assert response.total >= 0 and response.took_ms >= 0
    assert set(response.to_json()) == {"query", "corrected", "notes", "total", "took_ms", "facets", "results"}


def test_filters_in_the_query(service: SearchService) -> None:
    response = service.search("password tier:L1 kind:article", SearchOptions(limit=50))
    assert response.results and all(h.tier == "L1" and h.kind == "article" for h in response.results)
    sops = service.search("escalate kind:sop", SearchOptions(limit=50)).results
    assert sops and all(h.kind == "sop" for h in sops)
    assert all(h.status == "draft" for h in service.search("status:draft", SearchOptions(limit=50)).results)
    tagged = service.search("tag:vpn", SearchOptions(limit=50)).results
    assert tagged and {"KB-0012", "KB-0013"} <= {h.id for h in tagged}


def test_negation_and_boolean_operators(service: SearchService) -> None:
    with_vpn = set(top_ids(service, "password", limit=100))
    without = set(top_ids(service, "password -vpn", limit=100))
    assert without < with_vpn
    both = set(top_ids(service, "vpn AND password", limit=100))
    either = set(top_ids(service, "vpn OR password", limit=100))
    assert both < either and both <= with_vpn


def test_exact_phrase(service: SearchService) -> None:
    ids = set(top_ids(service, '"follow-me printing"', limit=100))
    assert "KB-0024" in ids
    assert "KB-0019" not in ids


def test_tier_choice_hides_and_counts_higher_tiers(service: SearchService) -> None:
    everything = service.search("password", SearchOptions(limit=100))
    l1_view = service.search("password", SearchOptions(tiers=("L0", "L1"), limit=100))
    assert all(h.tier in ("L0", "L1") for h in l1_view.results)
    assert l1_view.hidden_by_tier > 0
    assert l1_view.total + l1_view.hidden_by_tier == everything.total
    assert sum(everything.facets["tier"].values()) == everything.total


def test_results_have_highlighted_snippets(service: SearchService) -> None:
    hit = service.search("bitlocker recovery").results[0]
    assert "<b>" in hit.snippet.lower() and hit.path.endswith(".md") and hit.score > 0


def test_sort_by_last_change(service: SearchService, content_copy: Path) -> None:
    path = content_copy / "articles/printing/print-jobs-stuck-in-the-queue.md"
    path.write_text(path.read_text("utf-8") + "\nA later edit.\n", "utf-8")
    future = time.time() + 3600
    os.utime(path, (future, future))
    service.ensure()
    assert service.search("printer", SearchOptions(sort="changed")).results[0].id == "KB-0025"


def test_error_codes_and_versions_stay_whole(tmp_path: Path, index_dir: Path) -> None:
    write(tmp_path / "kb", "a.md", "# Sync error\n\nOutlook shows 0x8004010F when syncing.\n")
    write(tmp_path / "kb", "b.md", "# Other error\n\nOutlook shows 0x8004010E when syncing.\n")
    write(tmp_path / "kb", "c.md", "# Version\n\nFixed in build 16.0.4266 of Office.\n")
    svc = SearchService(KnowledgeBase(tmp_path / "kb"), index_dir)
    assert [h.path for h in svc.search("0x8004010F").results] == ["a.md"]
    assert [h.path for h in svc.search("16.0.4266").results] == ["c.md"]
    svc.close()


def test_stemming(service: SearchService) -> None:
    assert set(top_ids(service, "passwords", limit=20)) & set(top_ids(service, "password", limit=20))
