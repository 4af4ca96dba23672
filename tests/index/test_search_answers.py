"""What a search answers beyond its words (issue #14, a tester's findings): archived documents last,
synonyms weighed below the word typed, titles as typed, "everything except", long pastes, and notes
naming what the query asked for that the KB does not have."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kbstudio.index.long_query import MAX_QUERY_WORDS
from kbstudio.index.scan import ScanSearcher
from kbstudio.index.search import SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase
from tests.conftest import write
from tests.index.test_cli_search import run as run_cli

SYNONYMS = ".kbstudio/synonyms.yaml"


def article(doc_id: str, title: str, body: str, status: str = "published", tier: str = "L1") -> str:
    return (f"---\nid: {doc_id}\ntitle: {title}\nkind: article\ntier: {tier}\nstatus: {status}\n---\n\n"
            f"# {title}\n\n## Issue\n\n{body}\n")


def _service(root: Path, index_dir: Path) -> SearchService:
    service = SearchService(KnowledgeBase(root), index_dir)
    service.ensure()
    return service


def _ids(service: SearchService, text: str, **options: object) -> list[str]:
    return [hit.id for hit in service.search(text, SearchOptions(limit=50, **options)).results]


def _archive(root: Path, rel: str) -> None:
    path = root / rel
    path.write_text(path.read_text("utf-8").replace("status: published", "status: archived", 1), "utf-8")


# Archived documents -------------------------------------------------------------------------------

def test_an_archived_article_comes_after_every_current_one(content_copy: Path, index_dir: Path) -> None:
    _archive(content_copy, "articles/email/outlook-keeps-asking-for-password.md")   # KB-0019
    service = _service(content_copy, index_dir)
    try:
        hits = service.search("outlook keeps asking for a password", SearchOptions(limit=200)).results
        statuses = [hit.status for hit in hits]
        at = [hit.id for hit in hits].index("KB-0019")
        assert at > 0 and "archived" not in statuses[:at] and all(s == "archived" for s in statuses[at:])
        assert hits[at].archived and hits[at].to_json()["archived"] is True
        assert not hits[0].archived and hits[0].to_json()["archived"] is False
        # the exact title of an archived article does not pin it; its id does
        assert _ids(service, "Outlook keeps asking for a password")[0] != "KB-0019"
        assert _ids(service, "KB-0019")[0] == "KB-0019"
        # asking for archived documents ranks them by their words again
        assert _ids(service, "outlook keeps asking for a password status:archived") == ["KB-0019"]
        assert _ids(service, "outlook keeps asking for a password",
                    statuses=("archived", "published"))[0] == "KB-0019"
        changed = service.search("outlook password", SearchOptions(limit=200, sort="changed")).results
        assert changed[-1].id == "KB-0019"
    finally:
        service.close()


def test_of_two_documents_with_the_same_title_the_current_one_is_pinned_first(
        tmp_path: Path, index_dir: Path) -> None:
    root = tmp_path / "kb"
    write(root, "old.md", article("KB-0001", "Printer queue stuck", "Old steps.", status="archived"))
    write(root, "new.md", article("KB-0002", "Printer queue stuck", "New steps."))
    write(root, "other.md", article("KB-0003", "Printer offline",
                                    "Printer queue stuck on the floor printer."))
    service = _service(root, index_dir)
    try:
        assert _ids(service, "printer queue stuck")[:1] == ["KB-0002"]
        assert _ids(service, "printer queue stuck")[-1] == "KB-0001"
        assert _ids(service, "KB-0001 KB-0002")[:2] == ["KB-0002", "KB-0001"]   # both named: current first
    finally:
        service.close()


# Synonyms below the word typed --------------------------------------------------------------------

def test_a_synonym_never_buries_the_document_with_the_word_typed(tmp_path: Path, index_dir: Path) -> None:
    root = tmp_path / "kb"
    write(root, "a.md", article("KB-0001", "Printer jams on the second floor",
                                "The Kyocera in the lobby jams when it prints on both sides."))
    for number in range(2, 6):   # general printer pages: the synonym's word in the title
        write(root, f"p{number}.md", article(f"KB-000{number}", f"Printer problem {number}",
                                             "The printer shows an error; restart the printer."))
    write(root, "k.md", article("KB-0010", "Toner low warning", "The Kyocera shows toner low."))
    write(root, "r.md", article("KB-0011", "Toner low warning", "The Ricoh shows toner low."))
    service = _service(root, index_dir)
    try:
        alone = _ids(service, "Kyocera")
        write(root, SYNONYMS, "printer: [Kyocera, Ricoh]\n")
        expanded = _ids(service, "Kyocera")
        assert alone[:2] == expanded[:2] == ["KB-0010", "KB-0001"]   # those that say it, first
        assert set(expanded) > set(alone)   # and the printer pages after them
        # all else equal, the word typed beats its synonym, either way round
        assert _ids(service, "toner low Kyocera")[:2] == ["KB-0010", "KB-0011"]
        assert _ids(service, "toner low Ricoh")[:2] == ["KB-0011", "KB-0010"]
    finally:
        service.close()


# Titles as typed ---------------------------------------------------------------------------------

def test_titles_holding_the_query_are_told_apart_by_its_small_words_and_forms(
        tmp_path: Path, index_dir: Path) -> None:
    root = tmp_path / "kb"
    write(root, "a.md", article("KB-0001", "Stale presence status in Teams for Mac",
                                "Teams shows a stale status after the Mac wakes."))
    write(root, "b.md", article("KB-0002",
                                "The Monitored or Offline status of a Teams Rooms device is Unhealthy",
                                "The device status is unhealthy."))
    write(root, "c.md", article("KB-0003", "Can't see free/busy info after a mailbox moves to Exchange 2016",
                                "Free/busy lookups fail after the move of the mailbox."))
    write(root, "d.md", article("KB-0004", "Users can't see free/busy information after a mailbox is moved",
                                "Free/busy information is missing."))
    for number in range(5, 13):   # titles without the small words: as in a real KB, they are rare
        write(root, f"p{number}.md", article(f"KB-{number:04d}", f"Printer problem {number}", "Restart it."))
    service = _service(root, index_dir)
    try:
        assert _ids(service, "a Teams status or")[0] == "KB-0002"   # "a" and "or" stand in its title
        assert _ids(service, "Teams status")[0] == "KB-0001"        # without them, the shorter title
        assert _ids(service, "can moved busy see")[0] == "KB-0004"   # "moved" as typed, not "moves"
        assert _ids(service, "can moves busy see")[0] == "KB-0003"
    finally:
        service.close()


# Everything except --------------------------------------------------------------------------------

def test_a_query_of_negations_only_is_every_document_but_those(service: SearchService) -> None:
    with_guest = {hit.path for hit in service.search("guest", SearchOptions(limit=200)).results}
    assert with_guest
    for text in ("NOT guest", "-guest"):
        response = service.search(text, SearchOptions(limit=200))
        assert response.total == service.doc_count - len(with_guest)
        assert {hit.path for hit in response.results}.isdisjoint(with_guest)
    draft = service.search("-status:draft", SearchOptions(limit=200))
    assert 0 < draft.total < service.doc_count and all(hit.status != "draft" for hit in draft.results)


# Notes --------------------------------------------------------------------------------------------

def test_an_id_no_document_has_is_named_above_the_results(service: SearchService) -> None:
    missing = service.search("KB-9999")
    assert missing.notes == ["No document KB-9999"]
    assert service.search("KB-0002").notes == []
    assert service.search("see SOP-99 and KB-0002").notes == ["No document SOP-99"]
    assert service.search("Windows-10 upgrade").notes == []   # not in the style of the KB's ids
    assert service.search("O365 SP1 install").notes == []


@pytest.mark.parametrize(("text", "note"), [
    ("tier:L9 printer", "tier:L9 left out: no tier is called 'L9'; use L0, L1, L2, L3, L4 or untiered"),
    ("kind:foo", "kind:foo left out: no kind is called 'foo'; use article or sop"),
    ("status:retired vpn", "status:retired left out: no status is called 'retired'; "
                           "use draft, review, published or archived"),
])
def test_a_filter_value_the_kb_cannot_have_is_named_with_the_allowed_ones(
        service: SearchService, text: str, note: str) -> None:
    response = service.search(text)
    assert response.notes == [note]
    rest = text.split(" ", 1)[1] if " " in text else ""
    assert response.total == (service.search(rest).total if rest else 0)


def test_a_long_paste_is_searched_by_its_most_distinctive_words(service: SearchService) -> None:
    filler = " ".join(f"word{number}" for number in range(300))   # words no document has
    pasted = f"{filler} error error printer the Kyocera GlobalProtect gateway unreachable " * 40
    response = service.search(pasted)
    assert response.notes == [f"Long query: searched its {MAX_QUERY_WORDS} most distinctive words "
                              "(of 307 different words)"]
    assert response.results[0].id == "KB-0013"   # GlobalProtect says "Gateway unreachable"
    repeated = service.search("error " * 3000)   # one word: nothing left out, nothing to say
    assert repeated.notes == [] and repeated.total == service.search("error").total


def test_the_scan_corrects_and_notes_as_the_index_does(content_copy: Path, service: SearchService) -> None:
    scan = ScanSearcher(KnowledgeBase(content_copy))
    try:
        for text in ("KB-9999", "tier:L9 printer", "NOT guest", "wify", "zork", "login", "outlok pasword",
                     "title:printer"):
            scanned, indexed = scan.search(text), service.search(text)
            assert (scanned.corrected, scanned.notes, scanned.total) == \
                   (indexed.corrected, indexed.notes, indexed.total), text
    finally:
        scan.close()


def test_the_cli_prints_notes_above_the_results_and_counts_in_the_right_number(
        content_copy: Path, index_dir: Path) -> None:
    def run(*words: str) -> subprocess.CompletedProcess[str]:
        return run_cli(index_dir, "search", str(content_copy), *words)

    missing = run("KB-9999")
    assert missing.stderr.splitlines()[0] == "No document KB-9999"
    assert missing.stderr.splitlines()[-1].startswith("1 match (")
    data = json.loads(run("KB-9999", "--json").stdout)
    assert data["notes"] == ["No document KB-9999"] and data["corrected"] is None
    assert set(data) == {"query", "corrected", "notes", "total", "took_ms", "facets", "results"}
    assert run("printer", "offline").stderr.splitlines()[-1].split(" (")[0].endswith(" matches")
