"""Full builds: checkpoints that an interrupted build resumes from, worker processes that parse
each document once and hand it to the scan, and a Cancel that stops them within a second."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbstudio.index import full_build
from kbstudio.index import scan as scan_module
from kbstudio.index.indexer import IndexCancelled, Indexer
from kbstudio.index.scan import ScanSearcher
from kbstudio.index.search import KBSearcher, SearchOptions
from kbstudio.index.store import INFO_FILE, IndexStore
from kbstudio.kb import KnowledgeBase
from tests.conftest import CONTENT, write

pytestmark = pytest.mark.timeout(180)
EDITED = "articles/email/mailbox-almost-full.md"
DELETED = "articles/devices/laptop-is-slow.md"


class CancelAfter:
    """A ``cancelled`` that says yes once the build has reported ``count`` documents done."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.done = 0
        self.at: float | None = None

    def progress(self, done: int, total: int) -> None:
        self.done = done

    def __call__(self) -> bool:
        if self.done >= self.count and self.at is None:
            self.at = time.monotonic()
        return self.at is not None


def searcher_paths(store: IndexStore) -> list[str]:
    """Return the path of every document in the live index (one entry per indexed document)."""
    live = store.open()
    try:
        with live.index.searcher() as searcher:
            return sorted(fields["path"] for fields in searcher.all_stored_fields())
    finally:
        live.close()


def interrupted(content_copy: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Indexer, Path]:
    """Build the demo with a checkpoint after every document, cancelled at its third look at
    cancellation (one every ``CANCEL_EVERY`` documents: after 32 documents)."""
    monkeypatch.setattr(full_build, "CHECKPOINT_SECONDS", 0.0)
    indexer = Indexer(KnowledgeBase(content_copy), IndexStore(content_copy, index_dir), procs=1)
    looks: list[int] = []
    with pytest.raises(IndexCancelled):
        indexer.rebuild(cancelled=lambda: looks.append(1) or len(looks) > 2)
    unfinished = indexer.store.unfinished_builds()
    assert len(unfinished) == 1 and indexer.store.current_folder() is None
    return indexer, unfinished[0]


def test_an_interrupted_build_resumes_and_indexes_again_what_changed_since(
        content_copy: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    indexer, folder = interrupted(content_copy, index_dir, monkeypatch)
    saved = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert len(saved) == 2 * full_build.CANCEL_EVERY and EDITED in saved and DELETED in saved
    edited = content_copy / EDITED
    edited.write_text(edited.read_text("utf-8") + "\nQuokkafrost archive tip.\n", "utf-8")
    (content_copy / DELETED).unlink()

    changes = indexer.rebuild()
    assert changes.resumed == len(saved) - 2 and changes.not_resumed == ""
    every = sorted(p.relative_to(content_copy).as_posix() for p in KnowledgeBase(content_copy).iter_paths())
    assert changes.documents == len(every) == 60
    assert searcher_paths(indexer.store) == every   # each once: none lost, none twice
    assert indexer.store.current_folder() == folder and indexer.store.unfinished_builds() == []
    live = indexer.store.open()
    searcher = KBSearcher(live)
    assert [hit.path for hit in searcher.search("quokkafrost").results] == [EDITED]
    assert sorted(live.manifest) == every
    searcher.close()


def test_a_build_that_cannot_be_resumed_starts_again_and_says_why(
        content_copy: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    indexer, folder = interrupted(content_copy, index_dir, monkeypatch)
    segment = max(folder.glob("*.trm"), key=lambda path: path.stat().st_size)
    segment.write_bytes(b"\0" * segment.stat().st_size)   # same size, other bytes
    changes = indexer.rebuild()
    assert changes.resumed == 0 and changes.documents == 61
    assert changes.not_resumed.startswith("the build stopped before is damaged (")
    assert segment.name in changes.not_resumed
    assert not folder.exists() and searcher_paths(indexer.store) == sorted(
        p.relative_to(content_copy).as_posix() for p in KnowledgeBase(content_copy).iter_paths())

    indexer, folder = interrupted(content_copy, tmp_index := index_dir / "second", monkeypatch)
    info = json.loads((folder / INFO_FILE).read_text("utf-8"))
    (folder / INFO_FILE).write_text(json.dumps({**info, "schema_version": 1}), "utf-8")
    changes = indexer.rebuild()
    assert changes.resumed == 0 and changes.documents == 61 and tmp_index.is_dir()
    assert changes.not_resumed.startswith("the build stopped before was made by another version (")


def test_a_build_cancelled_before_its_first_checkpoint_leaves_nothing(
        content_copy: Path, index_dir: Path) -> None:
    indexer = Indexer(KnowledgeBase(content_copy), IndexStore(content_copy, index_dir), procs=1)
    with pytest.raises(IndexCancelled):
        indexer.rebuild(cancelled=lambda: True)
    assert not any(indexer.store.home.glob("ix-*"))
    assert indexer.rebuild().not_resumed == ""


@pytest.fixture()
def big_kb(tmp_path: Path) -> Path:
    """The demo eight times over: 488 documents, enough for the worker processes."""
    root = tmp_path / "big"
    for copy in range(8):
        shutil.copytree(CONTENT / "articles", root / f"site-{copy}" / "articles")
        shutil.copytree(CONTENT / "sops", root / f"site-{copy}" / "sops")
    write(root, "site-0/articles/marker.md", "---\ntitle: Zebrafinch marker\n---\nzebrafinch\n")
    return root


def test_worker_processes_parse_each_document_once_and_hand_it_to_the_scan(
        big_kb: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[Path] = []
    original = scan_module.document_fields
    monkeypatch.setattr(scan_module, "document_fields",
                        lambda root, path: parsed.append(path) or original(root, path))
    monkeypatch.setattr(full_build, "CHECKPOINT_SECONDS", 0.0)   # checkpoints one after the other
    monkeypatch.setattr(full_build, "BATCH", 8)                    # ... between batches of 8
    kb = KnowledgeBase(big_kb)
    scan = ScanSearcher(kb, background=True)
    scan.search("zebrafinch")   # the scan is in use: it wants the documents a build parses
    indexer = Indexer(kb, IndexStore(big_kb, index_dir), procs=2, start_method="spawn")
    reported: list[tuple[int, int]] = []
    changes = indexer.rebuild(progress=lambda done, total: reported.append((done, total)), sink=scan)
    total = sum(1 for _ in kb.iter_paths())
    assert changes.documents == total == 489
    done = [number for number, _ in reported]
    assert done == sorted(done) and max(done) == done[-1] == total   # checkpointed ones counted once
    assert all(of == total for _, of in reported)
    live = indexer.store.open()
    assert len(live.index._segments()) > 2   # checkpoints were made on the way
    live.close()
    assert scan.loaded == (total, total) and parsed == []   # every document came from the build
    assert [hit.path for hit in scan.search("zebrafinch").results] == ["site-0/articles/marker.md"]
    # the stems the workers split are those the scan splits itself: the same scores
    alone = ScanSearcher(kb)
    every = SearchOptions(limit=1000)
    for query in ("password", "vpn drops", '"reset a password"', "kb-3", "outlook.exe error"):
        fed, read = scan.search(query, every), alone.search(query, every)
        assert fed.total == read.total > 0
        assert {hit.path: round(hit.score, 6) for hit in fed.results} == \
               {hit.path: round(hit.score, 6) for hit in read.results}
    assert searcher_paths(indexer.store) == sorted(
        p.relative_to(big_kb).as_posix() for p in kb.iter_paths())
    assert not multiprocessing.active_children()


def test_cancel_stops_the_worker_processes_within_a_second(
        big_kb: Path, index_dir: Path) -> None:
    indexer = Indexer(KnowledgeBase(big_kb), IndexStore(big_kb, index_dir), procs=2, start_method="spawn")
    stop = CancelAfter(64)
    with pytest.raises(IndexCancelled):
        indexer.rebuild(progress=stop.progress, cancelled=stop)
    assert stop.at is not None and time.monotonic() - stop.at < 1.0
    assert not multiprocessing.active_children()
    assert indexer.store.current_folder() is None


def test_the_index_command_says_it_went_on_with_an_interrupted_build(
        content_copy: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    interrupted(content_copy, index_dir, monkeypatch)
    done = subprocess.run([sys.executable, "-m", "kbstudio", "index", str(content_copy), "--index-dir",
                           str(index_dir)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "kbstudio: went on with the build that was interrupted: 32 of 61 documents were indexed " \
           "before\n" in done.stderr
    assert done.stdout.startswith("indexed 61 documents in ")


def test_compaction_merges_the_segments_of_saves_to_many_documents(service, content_copy: Path) -> None:   # noqa: ANN001
    """Each save writes a one-document segment whose single-posting terms are inlined; merging
    those of different documents failed in Whoosh's pool ('vbytes' of an inlined ID term)."""
    saved = sorted(p.relative_to(content_copy).as_posix()
                   for p in KnowledgeBase(content_copy).iter_paths())[:20]
    for number, rel in enumerate(saved):
        path = content_copy / rel
        path.write_text(path.read_text("utf-8") + f"\nNumbat{number}x tip.\n", "utf-8")
        service.update_paths([rel])
    assert service.indexer.needs_compacting()
    assert service.compact()
    live = service.store.open()
    segments = len(live.index._segments())
    live.close()
    assert segments == 1 and not service.indexer.needs_compacting()   # the demo's are all small
    for number, rel in enumerate(saved):
        assert [hit.path for hit in service.search(f"numbat{number}x").results] == [rel]
