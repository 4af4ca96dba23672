"""The two postings sources the one evaluator reads: the Whoosh index and the scan's table agree.

``kbstudio.index.evaluate`` and ``kbstudio.index.ranker`` rank over ``PostingsSource``; the index
and the scan give the same answers only while both sources give the same statistics, positions
and stored fields for the same documents (their document numbers differ: compared by path).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.indexer import document_fields
from kbstudio.index.scan import ScanSearcher
from kbstudio.index.scan_table import Table
from kbstudio.index.scan_view import View
from kbstudio.index.search import KBSearcher
from kbstudio.index.service import SearchService
from kbstudio.index.whoosh_view import IndexView, raw_postings
from kbstudio.kb import KnowledgeBase
from tests.conftest import CONTENT, write

STEMS = ["password", "outlook", "vpn", "printer", "reset", "caf\u00e9", "0x8004010f", "mfa", "queue"]
FIELDS = ["title", "issue", "body", "code"]
B = 0.75


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IndexView, View]]:
    """The demo KB's index and scan table, each as a postings source."""
    root = tmp_path_factory.mktemp("demo") / "content"
    shutil.copytree(CONTENT, root)
    service = SearchService(KnowledgeBase(root), tmp_path_factory.mktemp("indexes"))
    service.ensure()
    live = service.store.open()
    searcher = live.index.searcher()
    table = Table(root, SupportAnalyzer(stem=True))
    for path in KnowledgeBase(root).iter_paths():
        found = document_fields(root, path)
        assert found is not None
        table.add(path.relative_to(root).as_posix(), found[0])
    table.complete = True
    yield IndexView(searcher), View(table, len(table.docs), True)
    searcher.close()
    live.close()
    service.close()


def paths(source: IndexView | View) -> list[str]:
    """Return each document number's path."""
    return [source.stored(doc).path for doc in range(source.doc_slots)]


def by_path(source: IndexView | View, docs: dict[int, object] | set[int]) -> dict[str, object]:
    names = paths(source)
    return {names[doc]: (docs[doc] if isinstance(docs, dict) else True) for doc in docs}


def test_counts_and_stored_fields_agree(sources: tuple[IndexView, View]) -> None:
    index, scan = sources
    assert index.doc_count == scan.doc_count == index.doc_slots == scan.doc_slots > 50
    assert index.deleted == scan.deleted == set()
    assert sorted(paths(index)) == sorted(paths(scan))
    stored = {s.path: asdict(s) for s in map(scan.stored, range(scan.doc_slots))}
    for doc in range(index.doc_slots):
        one = index.stored(doc)
        assert asdict(one) == stored[one.path]
        scan_doc = paths(scan).index(one.path)
        for name in ("tier", "kind", "status", "mtime"):
            assert index.column(name)[doc] == scan.column(name)[scan_doc], (one.path, name)


@pytest.mark.parametrize("field", FIELDS)
def test_term_statistics_and_weights_agree(sources: tuple[IndexView, View], field: str) -> None:
    index, scan = sources
    for stem in STEMS:
        assert index.df(field, stem) == scan.df(field, stem), (field, stem)
        weights = [{d: w for block in source.weighted_postings(field, stem, B) for d, w in block}
                   for source in sources]
        indexed, scanned = (by_path(source, found) for source, found in zip(sources, weights, strict=True))
        assert indexed.keys() == scanned.keys() and len(indexed) == index.df(field, stem)
        assert indexed == pytest.approx(scanned, rel=1e-12)   # tf / norm here, tf * (1 / norm) there


@pytest.mark.parametrize("field", ["title", "body", "code"])
def test_positions_agree(sources: tuple[IndexView, View], field: str) -> None:
    index, scan = sources
    for stem in STEMS:
        found = [source.positions(field, {stem: range(source.doc_slots)}).get(stem, {}) for source in sources]
        indexed, scanned = (by_path(source, at) for source, at in zip(sources, found, strict=True))
        assert indexed == scanned and len(indexed) == index.df(field, stem), (field, stem)
    nothing = {"nosuchword": {0, 1}}
    assert scan.positions(field, nothing) == index.positions(field, nothing) == {}


def test_values_words_and_tags_agree(sources: tuple[IndexView, View]) -> None:
    index, scan = sources
    for field, value in [("tags", "vpn"), ("tier", "L1"), ("kind", "sop"), ("id_key", "KB-2"),
                         ("products", "outlook"), ("status", "published")]:
        indexed, scanned = (by_path(source, source.docset(field, value)) for source in sources)
        assert indexed == scanned and indexed, (field, value)
    assert index.spelling_words() == scan.spelling_words() and "password" in scan.spelling_words()
    assert sorted(index.two_edit_words("pasword")) == sorted(scan.two_edit_words("pasword"))
    assert {k: v for k, v in index.accented_stems().items() if v} == scan.accented_stems()
    assert "caf\u00e9" in scan.accented_stems()["cafe"]
    assert index.tag_counts(set(range(index.doc_slots))) == scan.tag_counts(set(range(scan.doc_slots)))


def test_the_index_is_read_by_whole_blocks(sources: tuple[IndexView, View]) -> None:
    """Scoring reads Whoosh's posting blocks itself (whoosh_view): a Whoosh upgrade that renames
    them must fail here, not slow every search down silently."""
    index, _ = sources
    leaf, _ = index.leaves[0]
    matcher = raw_postings(leaf, "body", "password")
    for member in ("_read_ids", "_read_weights", "_next_block", "_maxid", "_read_values", "_lastblock"):
        assert hasattr(matcher, member), member


def test_a_typo_equally_near_two_words_is_corrected_to_the_first_alphabetically(
        tmp_path: Path, index_dir: Path) -> None:
    """'forets' is one edit from 'forest' and 'forests', used as often (one stem): the choice
    must not depend on the order of a set (Python's hash seed), in the index or in the scan."""
    root = tmp_path / "kb"
    write(root, "a.md", "---\ntitle: Forests of the north\n---\nTrees grow here.\n")
    write(root, "b.md", "---\ntitle: Forest access roads\n---\nRoads for trucks.\n")
    write(root, "c.md", "---\ntitle: Printer queue\n---\nNothing about trees.\n")
    service = SearchService(KnowledgeBase(root), index_dir)
    service.ensure()
    searcher = KBSearcher(service.store.open())
    try:
        indexed = searcher.search("forets roads")
        scanned = ScanSearcher(KnowledgeBase(root)).search("forets roads")
    finally:
        searcher.close()
        service.close()
    assert indexed.corrected == scanned.corrected == "forest roads"
    assert [h.path for h in indexed.results] == [h.path for h in scanned.results] == ["b.md", "a.md"]
