"""Spelling correction: only unknown words, only plausible slips, and the corrected query searched.

The cases are those a help-desk tester found (issue #14): ``reboot`` "corrected" to ``report``,
``login`` to ``log``, ``zork`` silently searched as ``work``, ``wify`` suggesting ``wifi`` with 0
matches, ``title:printer`` suggesting ``time:printer``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbstudio.index.search import SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.index.spelling import KEYBOARD_NEIGHBOURS, edit_budget, plausible
from kbstudio.kb import KnowledgeBase
from tests.conftest import write
from tests.index.test_cli_search import run as run_cli

SYNONYMS = ".kbstudio/synonyms.yaml"


def _paths(service: SearchService, text: str, **options: object) -> list[str]:
    return [hit.path for hit in service.search(text, SearchOptions(limit=50, **options)).results]


@pytest.mark.parametrize(("word", "budget"), [("a", 0), ("it", 0), ("vpn", 1), ("wify", 1), ("spase", 1),
                                              ("reboot", 2), ("attachmnet", 2)])
def test_the_edit_budget_grows_with_the_word_as_fuzziness_auto(word: str, budget: int) -> None:
    assert edit_budget(word) == budget


@pytest.mark.parametrize(("typed", "meant", "cost"), [
    ("wify", "wifi", (1, 0)),              # a vowel for a vowel
    ("pasword", "password", (1, 0)),       # a letter dropped
    ("lsit", "list", (1, 0)),              # neighbours swapped
    ("mcdn", "mcdb", (1, 0)),              # the key next to it
    ("spase", "space", (1, 1)),            # one unlikely substitution is allowed
    ("attachmnet", "attachment", (1, 0)),
    ("exchnage", "exchange", (1, 0)),
    ("reboot", "report", None),            # two unlikely substitutions
    ("zork", "work", None),                # another first letter, not a neighbouring key
    ("login", "log", None),                # two edits in a 5-letter word
    ("fotos", "photos", None),             # two edits in a 5-letter word
    ("title", "time", None),               # two edits in a 5-letter word
    ("printer", "printer", None),          # nothing to correct
])
def test_a_correction_must_be_a_plausible_slip(typed: str, meant: str, cost: tuple[int, int] | None) -> None:
    assert plausible(typed, meant) == cost


def test_keyboard_neighbours_are_qwerty_keys_around_a_key() -> None:
    assert KEYBOARD_NEIGHBOURS["g"] == frozenset("tyfhvb")
    assert KEYBOARD_NEIGHBOURS["a"] == frozenset("qwsz")
    assert KEYBOARD_NEIGHBOURS["p"] == frozenset("ol")


def test_a_word_the_index_has_is_never_corrected(service: SearchService) -> None:
    login = service.search("login")
    assert login.corrected is None   # "their login doesn't work" (KB-0006), not "log"
    assert [hit.id for hit in login.results] == ["KB-0006"]
    assert service.search("caller cant login").corrected is None
    assert service.search("reboot").corrected is None   # in KB-0037: not "report"
    assert service.search("printer offline").corrected is None


def test_an_unknown_word_is_searched_as_its_correction_and_the_answer_says_so(service: SearchService) -> None:
    wify = service.search("wify", SearchOptions(limit=50))
    wifi = service.search("wifi", SearchOptions(limit=50))
    assert wify.query == "wify" and wify.corrected == "wifi"
    assert wifi.total >= 10 and wify.total == wifi.total   # not "0 matches"
    assert [hit.path for hit in wify.results] == [hit.path for hit in wifi.results]
    typed = service.search("wify", SearchOptions(correct=False))
    assert typed.corrected is None and typed.total == 0   # the words as typed, on request
    outlook = service.search("outlok keeps asking for pasword")
    assert outlook.corrected == "outlook keeps asking for password"
    assert outlook.results[0].id == "KB-0019"
    assert outlook.to_json()["corrected"] == "outlook keeps asking for password"


def test_an_unknown_word_with_no_plausible_correction_finds_nothing(service: SearchService) -> None:
    zork = service.search("zork")
    assert zork.corrected is None and zork.total == 0 and zork.results == []   # never "work"


def test_the_part_before_a_colon_is_never_corrected(service: SearchService) -> None:
    response = service.search("title:printer")
    assert response.corrected is None   # was "time:printer"
    assert response.results and all("printer" in hit.title.lower() or "print" in hit.snippet.lower()
                                     for hit in response.results[:3])


def test_a_word_the_synonyms_file_names_is_never_corrected(content_copy: Path, index_dir: Path) -> None:
    service = SearchService(KnowledgeBase(content_copy), index_dir)
    service.ensure()
    try:
        assert service.search("printr").corrected == "printer"
        write(content_copy, SYNONYMS, "printr: [printer]\nreboot: [restart, power cycle]\n")
        named = service.search("printr")
        assert named.corrected is None   # the team's own word
        assert named.total == service.search("printer").total   # found through the synonym
        assert service.search("power").corrected is None and service.search("reboot").corrected is None
    finally:
        service.close()


def test_the_cli_shows_the_corrected_query_and_searches_as_typed_on_request(
        content_copy: Path, index_dir: Path) -> None:
    kb = str(content_copy)
    corrected = run_cli(index_dir, "search", kb, "wify")
    assert corrected.returncode == 0
    assert corrected.stderr.splitlines()[0] == ('Showing results for "wifi"; search for "wify" as typed '
                                                "with --as-typed")
    assert "Connect to the office Wi-Fi" in corrected.stdout
    typed = run_cli(index_dir, "search", kb, "wify", "--as-typed")
    assert typed.stdout == "" and typed.stderr.splitlines()[-1].startswith("0 matches (")
    data = json.loads(run_cli(index_dir, "search", kb, "wify", "--json").stdout)
    assert data["query"] == "wify" and data["corrected"] == "wifi" and data["total"] > 0
