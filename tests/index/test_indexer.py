"""Index location, incremental updates, rebuilds, locking and cancelling, on real files."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from kbstudio.index.indexer import MAX_SEGMENTS, IndexCancelled
from kbstudio.index.schema import SCHEMA_VERSION
from kbstudio.index.service import SearchService
from kbstudio.index.store import ENV_INDEX_DIR, INFO_FILE, IndexLockedError, IndexStore, index_base_dir
from kbstudio.kb import KnowledgeBase
from tests.conftest import write


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*")}


def test_nothing_is_written_into_the_kb(content_copy: Path, index_dir: Path) -> None:
    before = snapshot(content_copy)
    svc = SearchService(KnowledgeBase(content_copy), index_dir)
    svc.ensure()
    svc.search("vpn")
    svc.close()
    assert snapshot(content_copy) == before
    assert any(index_dir.iterdir())


def test_index_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_INDEX_DIR, str(tmp_path / "from-env"))
    assert index_base_dir() == tmp_path / "from-env"
    assert index_base_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv(ENV_INDEX_DIR)
    assert "kbstudio" in str(index_base_dir())


def test_sync_reads_only_changed_files(service: SearchService, content_copy: Path) -> None:
    edited = content_copy / "articles/printing/print-jobs-stuck-in-the-queue.md"
    edited.write_text(edited.read_text("utf-8").replace("## Cause", "Spooler zebracorn.\n\n## Cause"))
    touched = content_copy / "articles/mfa/mfa-codes-rejected.md"
    os.utime(touched, (time.time() + 10, time.time() + 10))
    (content_copy / "articles/devices/laptop-is-slow.md").unlink()
    write(content_copy, "articles/new-one.md", "---\ntitle: Brand new\ntier: L1\n---\nquokka\n")
    changes = service.ensure()
    assert changes.updated == ["articles/printing/print-jobs-stuck-in-the-queue.md"]
    assert changes.added == ["articles/new-one.md"]
    assert changes.removed == ["articles/devices/laptop-is-slow.md"]
    assert [h.id for h in service.search("zebracorn").results] == ["KB-0025"]
    assert [h.path for h in service.search("quokka").results] == ["articles/new-one.md"]
    assert not any(h.path.endswith("laptop-is-slow.md") for h in service.search("slow laptop").results)
    assert not service.ensure().changed


def test_update_paths_after_a_save(service: SearchService, content_copy: Path) -> None:
    path = content_copy / "articles/email/mailbox-almost-full.md"
    path.write_text(path.read_text("utf-8") + "\nWombatfrost archive tip.\n", "utf-8")
    changes = service.update_paths(["articles/email/mailbox-almost-full.md"])
    assert changes.updated == ["articles/email/mailbox-almost-full.md"]
    assert service.search("wombatfrost").results[0].id == "KB-0020"
    path.unlink()
    assert service.update_paths(["articles/email/mailbox-almost-full.md"]).removed
    assert service.search("wombatfrost").total == 0


def test_many_small_updates_keep_working(service: SearchService, content_copy: Path) -> None:
    path = content_copy / "articles/email/mailbox-almost-full.md"
    for number in range(15):
        path.write_text(path.read_text("utf-8") + f"\nedit{number}x\n", "utf-8")
        service.update_paths(["articles/email/mailbox-almost-full.md"])
    assert service.search("edit14x").results[0].id == "KB-0020"
    assert service.search("mailbox full").total >= 1
    reopened = IndexStore(content_copy, service.store.home.parent).open()
    assert reopened.manifest == service.store.open().manifest
    assert len(reopened.manifest) == 61
    reopened.close()


def test_saves_never_merge_and_compaction_merges_afterwards(service: SearchService,
                                                            content_copy: Path) -> None:
    rel = "articles/email/mailbox-almost-full.md"
    path = content_copy / rel
    segments = []
    for number in range(MAX_SEGMENTS + 3):
        path.write_text(path.read_text("utf-8") + f"\nsaved{number}q\n", "utf-8")
        service.update_paths([rel])
        live = service.store.open()
        segments.append(len(live.index._segments()))
        live.close()
    assert segments == sorted(segments) and segments[-1] > MAX_SEGMENTS, "a save only adds a segment"
    assert service.indexer.needs_compacting()
    assert service.compact()
    live = service.store.open()
    assert len(live.index._segments()) <= MAX_SEGMENTS
    live.close()
    assert not service.compact(), "nothing left to merge"
    assert service.search(f"saved{MAX_SEGMENTS + 2}q").results[0].path == rel
    assert service.search("saved0q").results[0].path == rel
    assert service.search("mailbox full").total >= 1


def test_schema_change_triggers_a_rebuild(service: SearchService, content_copy: Path,
                                          index_dir: Path) -> None:
    folder = service.store.current_folder()
    assert folder is not None
    (folder / INFO_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}))
    service.close()
    fresh = SearchService(KnowledgeBase(content_copy), index_dir)
    changes = fresh.ensure()
    assert changes.rebuilt and "schema version" in changes.reason
    assert fresh.search("vpn").total > 0
    fresh.close()


def test_corrupt_index_is_rebuilt_not_a_crash(service: SearchService, content_copy: Path,
                                              index_dir: Path) -> None:
    folder = service.store.current_folder()
    assert folder is not None
    service.close()
    for path in folder.iterdir():
        if path.suffix in (".toc", ".seg", ".trm"):
            path.write_bytes(b"garbage")
    fresh = SearchService(KnowledgeBase(content_copy), index_dir)
    assert not fresh.open_existing()
    changes = fresh.ensure()
    assert changes.rebuilt and "damaged" in changes.reason
    assert fresh.search("password").total > 0
    fresh.close()


def test_rebuild_swaps_atomically_and_removes_the_old_index(service: SearchService) -> None:
    old = service.store.current_folder()
    service.ensure(rebuild=True)
    new = service.store.current_folder()
    assert old != new and new is not None and not old.exists()
    assert [p.name for p in service.store.home.glob("ix-*")] == [new.name]


def test_cancelled_build_leaves_the_live_index(service: SearchService, content_copy: Path) -> None:
    live = service.store.current_folder()
    for number in range(60):
        write(content_copy, f"bulk/{number}.md", f"# Bulk {number}\n")
    with pytest.raises(IndexCancelled):
        service.indexer.rebuild(cancelled=lambda: True)
    assert service.store.current_folder() == live
    assert [p.name for p in service.store.home.glob("ix-*")] == [live.name]
    assert service.search("vpn").total > 0


def _hold_lock(home_parent: str, kb: str, ready: multiprocessing.Event, seconds: float) -> None:
    store = IndexStore(Path(kb), Path(home_parent))
    with store.write_lock():
        ready.set()
        time.sleep(seconds)


def test_one_writer_at_a_time_with_a_timeout(service: SearchService, content_copy: Path) -> None:
    ready = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(
        target=_hold_lock, args=(str(service.store.home.parent), str(content_copy), ready, 3.0))
    holder.start()
    assert ready.wait(10)
    short = SearchService(KnowledgeBase(content_copy), service.store.home.parent, lock_timeout=0.3)
    started = time.perf_counter()
    with pytest.raises(IndexLockedError, match="another process"):
        short.indexer.rebuild()
    assert time.perf_counter() - started < 2.5
    patient = SearchService(KnowledgeBase(content_copy), service.store.home.parent, lock_timeout=20)
    assert patient.ensure(rebuild=True).rebuilt  # waits for the holder, then builds
    holder.join()
    assert patient.search("vpn").total > 0
    patient.close()
