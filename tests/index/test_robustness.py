"""Index robustness (issue #14): empty KBs, file names that are not UTF-8, damaged index files,
broken pointers and manifests, unwritable index folders and concurrent writers.

Every case runs on real files and real Whoosh indexes, and checks the answer, not only that
nothing crashed.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh.filedb.structfile import StructFile

from kbstudio.index.damage import (
    RECORD_FILE,
    IndexDamagedError,
    check_files,
    is_damage,
    reading,
    recognise,
)
from kbstudio.index.scan import ScanSearcher
from kbstudio.index.search import KBSearcher, SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.index.store import (
    MANIFEST_FILE,
    MANIFEST_LOG,
    POINTER_FILE,
    IndexLockedError,
    IndexStore,
    IndexUnwritableError,
)
from kbstudio.kb import KnowledgeBase
from tests.conftest import write

QUERY = "outlook keeps asking for my password"
EXPECTED = "KB-0019"
EXPECTED_PATH = "articles/email/outlook-keeps-asking-for-password.md"
DEMO_DOCUMENTS = 61


def run(index_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KBSTUDIO_INDEX_DIR": str(index_dir)}
    return subprocess.run([sys.executable, "-m", "kbstudio", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def live(service: SearchService) -> Path:
    folder = service.store.current_folder()
    assert folder is not None
    return folder


def index_file(folder: Path, suffix: str) -> Path:
    """Return the one index file whose name ends with ``suffix`` (the demo index has one segment)."""
    found = [p for p in folder.iterdir() if p.name.endswith(suffix)]
    assert len(found) == 1, found
    return found[0]


def truncate(path: Path, keep: float | int) -> None:
    data = path.read_bytes()
    size = int(len(data) * keep) if isinstance(keep, float) else len(data) + keep
    path.write_bytes(data[:size])


def overwrite_middle(path: Path) -> None:
    """Overwrite the middle half of ``path`` with garbage, keeping its size."""
    data = bytearray(path.read_bytes())
    quarter = len(data) // 4
    data[quarter:len(data) - quarter] = b"\xaa" * (len(data) - 2 * quarter)
    path.write_bytes(bytes(data))


@pytest.fixture()
def baseline(service: SearchService) -> tuple[str, int]:
    """The first result and the total of QUERY on a healthy index."""
    response = service.search(QUERY)
    assert response.results[0].id == EXPECTED
    return response.results[0].id, response.total


def reopened(content_copy: Path, index_dir: Path, **kwargs) -> SearchService:
    return SearchService(KnowledgeBase(content_copy), index_dir, **kwargs)


def assert_healthy(svc: SearchService, baseline: tuple[str, int]) -> None:
    response = svc.search(QUERY)
    assert (response.results[0].id, response.total) == baseline
    assert svc.is_open and svc.damage is None
    assert svc.doc_count == DEMO_DOCUMENTS


# An empty KB -------------------------------------------------------------------------------

def test_an_empty_kb_indexes_nothing_and_finds_nothing(tmp_path: Path, index_dir: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    first = run(index_dir, "index", str(empty))
    assert first.returncode == 0, first.stderr
    assert "indexed 0 documents" in first.stdout and "Traceback" not in first.stderr
    again = run(index_dir, "index", str(empty))
    assert again.returncode == 0 and "0 documents; 0 added, 0 updated, 0 removed" in again.stdout
    found = run(index_dir, "search", str(empty), "vpn", "--json")
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert (data["total"], data["results"]) == (0, [])
    assert data["facets"] == {"tier": {}, "kind": {}, "status": {}}
    text = run(index_dir, "search", str(empty), "vpn")
    assert text.returncode == 0 and text.stdout == "" and "0 matches" in text.stderr


def test_the_first_document_of_an_empty_kb_becomes_searchable(tmp_path: Path, index_dir: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    svc = SearchService(KnowledgeBase(root), index_dir)
    assert svc.ensure().documents == 0
    assert svc.search("quokka").total == 0 and svc.doc_count == 0
    write(root, "articles/first.md", "---\ntitle: The first one\ntier: L1\n---\nA quokka.\n")
    assert svc.update_paths(["articles/first.md"]).added == ["articles/first.md"]
    assert [h.path for h in svc.search("quokka").results] == ["articles/first.md"]
    assert svc.doc_count == 1
    (root / "articles/first.md").unlink()
    svc.update_paths(["articles/first.md"])
    assert svc.search("quokka").total == 0
    svc.close()
    result = run(index_dir, "search", str(root), "quokka", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["total"] == 0


# File names that are not UTF-8 -------------------------------------------------------------

BAD_NAME = b"bad-\xff.md"
BAD_SHOWN = "bad-\\xff.md: file name is not valid UTF-8; rename the file"


def add_bad_names(root: Path) -> None:
    body = b"---\ntitle: Zebrafish notes\ntier: L1\n---\nZebrafish tank cleaning.\n"
    with open(os.fsencode(root) + b"/" + BAD_NAME, "wb") as handle:
        handle.write(body)
    folder = os.fsencode(root) + b"/dir-\xfe"
    os.mkdir(folder)
    with open(folder + b"/inside.md", "wb") as handle:
        handle.write(body)


def test_a_file_name_that_is_not_utf8_is_skipped_and_named(content_copy: Path, index_dir: Path) -> None:
    add_bad_names(content_copy)
    built = run(index_dir, "index", str(content_copy))
    assert built.returncode == 0, built.stderr
    assert f"indexed {DEMO_DOCUMENTS} documents" in built.stdout
    assert BAD_SHOWN in built.stderr and "dir-\\xfe/inside.md: file name is not valid UTF-8" in built.stderr
    assert "Traceback" not in built.stderr
    found = run(index_dir, "search", str(content_copy), QUERY, "--json", "--limit", "100")
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["results"][0]["id"] == EXPECTED
    assert all(r["path"].isprintable() and "\\x" not in r["path"] for r in data["results"])
    assert BAD_SHOWN in found.stderr
    skipped = run(index_dir, "search", str(content_copy), "zebrafish", "--json")
    assert json.loads(skipped.stdout)["total"] == 0


def test_the_service_and_the_scan_skip_names_that_are_not_utf8(content_copy: Path, index_dir: Path) -> None:
    add_bad_names(content_copy)
    svc = reopened(content_copy, index_dir)
    changes = svc.ensure()
    assert changes.documents == DEMO_DOCUMENTS
    assert [m.split(":")[0] for m in changes.skipped] == ["bad-\\xff.md", "dir-\\xfe/inside.md"]
    assert not svc.ensure().changed   # the skipped files are no change on every sync
    bad_rel = os.fsdecode(BAD_NAME)
    assert not svc.update_paths([bad_rel]).changed   # a save of that file is ignored, not a crash
    assert svc.search(QUERY).results[0].id == EXPECTED
    svc.close()
    scan = ScanSearcher(KnowledgeBase(content_copy))
    assert scan.search("zebrafish").total == 0 and scan.doc_count == DEMO_DOCUMENTS
    assert len(scan.skipped) == 2


# Damaged index files -----------------------------------------------------------------------

FILE_KINDS = [".pst", ".trm", "._stored.col", ".tier.col", ".toc"]


@pytest.mark.parametrize("suffix", FILE_KINDS)
@pytest.mark.parametrize("keep", [0.5, -1, 0.0], ids=["half", "one-byte-short", "empty"])
def test_a_truncated_index_file_is_found_on_opening_and_rebuilt(
        service: SearchService, content_copy: Path, index_dir: Path, baseline: tuple[str, int],
        suffix: str, keep: float | int, caplog: pytest.LogCaptureFixture) -> None:
    folder = live(service)
    damaged = index_file(folder, suffix)
    service.close()
    truncate(damaged, keep)
    fresh = reopened(content_copy, index_dir)
    with caplog.at_level(logging.WARNING, logger="kbstudio.index"):
        assert not fresh.open_existing()
        assert fresh.damage is not None and damaged.name in fresh.damage
        changes = fresh.ensure()
    assert changes.rebuilt and changes.damage.startswith(damaged.name)
    assert changes.reason == f"index was damaged ({changes.damage})"
    assert live(fresh) != folder and not folder.exists()
    assert_healthy(fresh, baseline)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and warnings[0].exc_info is not None
    fresh.close()


@pytest.mark.parametrize("suffix", FILE_KINDS)
def test_overwritten_bytes_are_found_by_the_full_check(
        service: SearchService, content_copy: Path, index_dir: Path, baseline: tuple[str, int],
        suffix: str) -> None:
    folder = live(service)
    damaged = index_file(folder, suffix)
    service.close()
    overwrite_middle(damaged)
    fresh = reopened(content_copy, index_dir)
    changes = fresh.ensure(verify=True)
    assert changes.rebuilt
    assert damaged.name in changes.damage
    assert_healthy(fresh, baseline)
    fresh.close()


def test_damage_found_while_searching_answers_from_a_scan_then_rebuilds(
        service: SearchService, content_copy: Path, baseline: tuple[str, int],
        caplog: pytest.LogCaptureFixture) -> None:
    folder = live(service)
    postings = index_file(folder, ".pst")
    overwrite_middle(postings)   # same size: opening cannot tell, reading the postings can
    with caplog.at_level(logging.WARNING, logger="kbstudio.index"):
        response = service.search(QUERY)
    scanned = ScanSearcher(KnowledgeBase(content_copy)).search(QUERY)
    assert [h.path for h in response.results] == [h.path for h in scanned.results]
    assert response.results[0].path == EXPECTED_PATH and response.total == scanned.total
    assert service.damage is not None and service.damage.startswith(postings.name)
    assert "Block tag error" in service.damage
    assert not service.is_open and service.scanning == f"index was damaged ({service.damage})"
    record = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert isinstance(record.exc_info[1], IndexDamagedError)
    assert "Block tag error" in str(record.exc_info[1].__cause__)   # the original, as the cause
    changes = service.ensure()   # what the app runs in the background and the CLI at once
    assert changes.rebuilt and changes.damage == str(record.exc_info[1])
    assert live(service) != folder
    assert_healthy(service, baseline)


def test_the_search_command_rebuilds_a_damaged_index_with_a_message(
        content_copy: Path, index_dir: Path) -> None:
    healthy = run(index_dir, "search", str(content_copy), QUERY, "--json")
    expected = json.loads(healthy.stdout)
    store = IndexStore(content_copy, index_dir)
    overwrite_middle(index_file(store.current_folder(), ".pst"))
    result = run(index_dir, "search", str(content_copy), QUERY, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "kbstudio: index was damaged (MAIN_" in result.stderr and "); rebuilt" in result.stderr
    data = json.loads(result.stdout)
    assert data["results"][0]["id"] == EXPECTED
    assert data["total"] == expected["total"]
    assert [r["id"] for r in data["results"]] == [r["id"] for r in expected["results"]]
    again = run(index_dir, "search", str(content_copy), QUERY, "--json")
    assert "damaged" not in again.stderr and json.loads(again.stdout)["total"] == expected["total"]


def test_the_index_command_checks_every_file_and_says_it_rebuilt(
        content_copy: Path, index_dir: Path) -> None:
    assert run(index_dir, "index", str(content_copy)).returncode == 0
    store = IndexStore(content_copy, index_dir)
    damaged = index_file(store.current_folder(), "._stored.col")
    overwrite_middle(damaged)
    result = run(index_dir, "index", str(content_copy))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert f"indexed {DEMO_DOCUMENTS} documents" in result.stdout   # not "0 updated"
    assert f"index was damaged ({damaged.name} has changed since it was written); rebuilt" \
        in result.stdout
    search = run(index_dir, "search", str(content_copy), QUERY, "--json", "--limit", "1")
    assert json.loads(search.stdout)["results"][0]["id"] == EXPECTED


def test_a_batch_goes_on_after_a_rebuild(content_copy: Path, index_dir: Path, tmp_path: Path) -> None:
    assert run(index_dir, "index", str(content_copy)).returncode == 0
    overwrite_middle(index_file(IndexStore(content_copy, index_dir).current_folder(), ".pst"))
    batch = tmp_path / "queries.txt"
    batch.write_text(f"{QUERY}\nvpn\n{QUERY}\n", "utf-8")
    result = run(index_dir, "search", str(content_copy), "--batch", str(batch), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["results"][0]["id"] for line in (lines[0], lines[2])] == [EXPECTED, EXPECTED]
    assert lines[1]["total"] > 0
    assert result.stderr.count("; rebuilt") == 1


# What counts as damage ---------------------------------------------------------------------

def test_a_bug_in_our_own_code_is_raised_not_rebuilt(service: SearchService,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = live(service)

    def broken(self, text, options=None):   # noqa: ANN001, ANN202 - a stand-in for a bug
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(KBSearcher, "search", broken)
    with pytest.raises(TypeError, match="unsupported operand"):
        service.search(QUERY)
    assert service.damage is None and service.is_open and live(service) == folder
    monkeypatch.undo()
    assert service.search(QUERY).results[0].id == EXPECTED


def test_a_bug_while_syncing_is_raised_not_rebuilt(service: SearchService, content_copy: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = live(service)
    path = content_copy / EXPECTED_PATH
    path.write_text(path.read_text("utf-8") + "\nedited\n", "utf-8")

    def broken(*args, **kwargs):   # noqa: ANN002, ANN003, ANN202
        raise KeyError("title")

    monkeypatch.setattr("kbstudio.index.indexer.Indexer._changed_fields", broken)
    with pytest.raises(KeyError):
        service.ensure()
    assert live(service) == folder


def test_exceptions_are_classified_by_where_they_were_raised(service: SearchService) -> None:
    folder = live(service)
    with pytest.raises(IndexDamagedError) as caught:   # struct.error inside Whoosh's reader: damage
        with reading():
            StructFile(io.BytesIO(b"\x00"), name="MAIN_x.pst").read_uint()
    assert isinstance(caught.value.__cause__, struct.error)
    assert str(caught.value).startswith("MAIN_x.pst: error: unpack requires")
    with pytest.raises(struct.error):   # the same error from code that is not Whoosh's: a bug
        with reading():
            struct.unpack("<I", b"\x00")
    assert not is_damage(ValueError("raised by us"))
    assert not is_damage(KeyError("raised by us"))
    assert recognise(IndexError("list index out of range"), folder) is None   # files intact
    assert not is_damage(_raised_in_whoosh(PermissionError(errno.EACCES, "Permission denied")))
    assert is_damage(_raised_in_whoosh(FileNotFoundError(errno.ENOENT, "No such file")))
    assert is_damage(_raised_in_whoosh(Exception("Block tag error b''")))
    assert not is_damage(_raised_in_whoosh(RuntimeError("not a reader error")))


def _raised_in_whoosh(error: BaseException) -> BaseException:
    """Return ``error`` with a traceback ending in Whoosh's file reader code."""
    from whoosh.filedb import structfile

    namespace = {"__name__": structfile.__name__}
    exec("def fail(error):\n    raise error\n", namespace)   # noqa: S102 - a frame in Whoosh's module
    try:
        namespace["fail"](error)
    except BaseException as raised:   # noqa: BLE001
        return raised
    raise AssertionError("not raised")


def test_an_unrecognised_error_on_a_damaged_file_is_confirmed_by_the_full_check(
        service: SearchService) -> None:
    folder = live(service)
    overwrite_middle(index_file(folder, ".pst"))
    damage = recognise(IndexError("list index out of range"), folder)
    assert damage is not None and "has changed since it was written" in str(damage)
    assert check_files(folder) is None   # sizes alone still agree


def test_records_follow_saves_and_compaction(service: SearchService, content_copy: Path) -> None:
    rel = "articles/email/mailbox-almost-full.md"
    for number in range(14):
        path = content_copy / rel
        path.write_text(path.read_text("utf-8") + f"\nsaved{number}q\n", "utf-8")
        service.update_paths([rel])
    assert service.compact()
    folder = live(service)
    record = json.loads((folder / RECORD_FILE).read_text("utf-8"))
    on_disk = {p.name for p in folder.iterdir() if p.name.startswith(("MAIN_", "_MAIN_"))}
    assert set(record) == on_disk - {"MAIN_WRITELOCK"}
    assert check_files(folder, full=True) is None
    assert service.search("saved13q").results[0].path == rel


# Pointer, manifest and information files ---------------------------------------------------

def _break_pointer_deleted(home: Path, folder: Path) -> str:
    import shutil

    shutil.rmtree(folder)
    return f"the index pointer names {folder.name}, which is missing"


def _break_pointer_garbage(home: Path, folder: Path) -> str:
    (home / POINTER_FILE).write_bytes(b"../../outside\xff")
    return "not an index folder name"


def _break_manifest_garbage(home: Path, folder: Path) -> str:
    (folder / MANIFEST_FILE).write_text("{not json", "utf-8")
    return "manifest.json cannot be read"


def _break_manifest_types(home: Path, folder: Path) -> str:
    (folder / MANIFEST_FILE).write_text(json.dumps({EXPECTED_PATH: "yesterday"}), "utf-8")
    return "manifest.json cannot be read: manifest entry yesterday is not [mtime, size, hash]"


def _break_manifest_list(home: Path, folder: Path) -> str:
    (folder / MANIFEST_FILE).write_text("[1, 2, 3]", "utf-8")
    return "manifest.json cannot be read: a JSON list, not an object"


def _break_manifest_missing(home: Path, folder: Path) -> str:
    (folder / MANIFEST_FILE).unlink()
    return "manifest.json cannot be read"


def _break_info(home: Path, folder: Path) -> str:
    (folder / "info.json").write_bytes(b"\x00\x01")
    return "info.json cannot be read"


BREAKAGES = [_break_pointer_deleted, _break_pointer_garbage,
             _break_manifest_garbage, _break_manifest_types, _break_manifest_list,
             _break_manifest_missing, _break_info]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__[len("_break_"):])
def test_broken_state_files_are_rebuilt_with_the_reason(
        service: SearchService, content_copy: Path, index_dir: Path, baseline: tuple[str, int],
        breakage) -> None:   # noqa: ANN001
    home = service.store.home
    folder = live(service)
    service.close()
    outside = sorted(p.name for p in index_dir.parent.iterdir())
    expected = breakage(home, folder)
    fresh = reopened(content_copy, index_dir)
    changes = fresh.ensure()
    assert changes.rebuilt and expected in changes.damage
    assert changes.documents == DEMO_DOCUMENTS
    assert_healthy(fresh, baseline)
    assert [p.name for p in home.glob("ix-*")] == [live(fresh).name]
    assert sorted(p.name for p in index_dir.parent.iterdir()) == outside
    fresh.close()
    cli = run(index_dir, "index", str(content_copy))
    assert "0 added, 0 updated, 0 removed" in cli.stdout   # and it stays healthy


def test_no_pointer_and_no_index_folder_is_a_first_build(content_copy: Path, index_dir: Path) -> None:
    svc = reopened(content_copy, index_dir)
    changes = svc.ensure()
    assert changes.rebuilt and changes.reason == "no index yet" and changes.damage == ""
    svc.close()


def test_a_missing_pointer_is_built_again(service: SearchService, content_copy: Path,
                                          index_dir: Path, baseline: tuple[str, int]) -> None:
    """Without its pointer an index folder is a leftover (as of a build that never finished)."""
    folder = live(service)
    service.close()
    (service.store.home / POINTER_FILE).unlink()
    fresh = reopened(content_copy, index_dir)
    assert not fresh.open_existing() and fresh.damage is None
    changes = fresh.ensure()
    assert changes.rebuilt and changes.reason == "the index pointer 'current' is missing"
    assert not folder.exists() and [p.name for p in fresh.store.home.glob("ix-*")] == [live(fresh).name]
    assert_healthy(fresh, baseline)
    fresh.close()


def test_torn_change_log_lines_are_skipped(service: SearchService, content_copy: Path) -> None:
    folder = live(service)
    with open(folder / MANIFEST_LOG, "a", encoding="utf-8") as handle:
        handle.write('["x.md","soon",1,"h"]\n[5]\nnot json\n["articles/half.md",1,')
    path = content_copy / "articles/email/mailbox-almost-full.md"
    path.write_text(path.read_text("utf-8") + "\nWombatfrost tip.\n", "utf-8")
    changes = service.ensure()
    assert not changes.rebuilt
    assert changes.updated == ["articles/email/mailbox-almost-full.md"]
    assert service.search("wombatfrost").results[0].id == "KB-0020"


# Unwritable index folders ------------------------------------------------------------------

def test_an_index_folder_that_cannot_be_created(content_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    index_dir = blocker / "indexes"
    built = run(index_dir, "index", str(content_copy))
    assert built.returncode == 2 and "Traceback" not in built.stderr
    assert built.stderr.startswith("kbstudio: cannot write the search index in ")
    assert "--index-dir or KBSTUDIO_INDEX_DIR" in built.stderr
    found = run(index_dir, "search", str(content_copy), QUERY, "--json")
    assert found.returncode == 0, found.stderr
    assert "searched the documents directly" in found.stderr
    assert json.loads(found.stdout)["results"][0]["id"] == EXPECTED


def _unwritable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every file Whoosh or the store creates fail as on a read-only folder (tests run as root)."""
    from whoosh.filedb.filestore import FileStorage

    def refuse(self, name, *args, **kwargs):   # noqa: ANN001, ANN002, ANN003, ANN202
        raise PermissionError(errno.EACCES, "Permission denied", os.path.join(self.folder, name))

    monkeypatch.setattr(FileStorage, "create_file", refuse)


def test_an_index_that_cannot_be_updated_is_searched_as_it_is(
        service: SearchService, content_copy: Path, index_dir: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = live(service)
    service.close()
    path = content_copy / EXPECTED_PATH
    path.write_text(path.read_text("utf-8") + "\nQuixotic footnote.\n", "utf-8")
    _unwritable(monkeypatch)
    fresh = reopened(content_copy, index_dir)
    with pytest.raises(IndexUnwritableError, match="cannot write the search index .*Permission denied"):
        fresh.ensure()
    assert live(fresh) == folder   # the live index is untouched
    fresh.close()
    from kbstudio.cli import main

    assert main(["search", str(content_copy), QUERY, "--json", "--index-dir", str(index_dir)]) == 0
    out = capsys.readouterr()
    assert "Permission denied" in out.err and "searched the index as it was" in out.err
    assert json.loads(out.out)["results"][0]["id"] == EXPECTED
    assert main(["index", str(content_copy), "--index-dir", str(index_dir)]) == 2
    assert "kbstudio: cannot write the search index" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_index_folder(service: SearchService, content_copy: Path, index_dir: Path) -> None:
    home = service.store.home
    service.close()
    (content_copy / "articles/new.md").write_text("# New\nquokka\n", "utf-8")
    for folder in (home, *home.glob("ix-*")):
        folder.chmod(0o555)
    try:
        fresh = reopened(content_copy, index_dir)
        with pytest.raises(IndexUnwritableError):
            fresh.ensure()
        assert fresh.open_existing() and fresh.search(QUERY).results[0].id == EXPECTED
        fresh.close()
    finally:
        for folder in (home, *home.glob("ix-*")):
            folder.chmod(0o755)


# Two writers at once -----------------------------------------------------------------------

def test_two_processes_indexing_at_once(content_copy: Path, index_dir: Path) -> None:
    env = {**os.environ, "KBSTUDIO_INDEX_DIR": str(index_dir)}
    command = [sys.executable, "-m", "kbstudio", "index", str(content_copy)]
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for _ in range(2)]
    results = [process.communicate(timeout=300) for process in both]
    for process, (out, err) in zip(both, results, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err
        assert f"{DEMO_DOCUMENTS} documents" in out
    store = IndexStore(content_copy, index_dir)
    assert [p.name for p in store.home.glob("ix-*")] == [store.current_folder().name]
    found = run(index_dir, "search", str(content_copy), QUERY, "--json", "--limit", "1")
    assert json.loads(found.stdout)["results"][0]["id"] == EXPECTED


def test_search_while_another_writer_holds_the_lock(
        service: SearchService, content_copy: Path, index_dir: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import functools

    from kbstudio import cli_search
    from kbstudio.cli import main

    path = content_copy / EXPECTED_PATH
    path.write_text(path.read_text("utf-8") + "\nQuixotic footnote.\n", "utf-8")
    monkeypatch.setattr(cli_search, "SearchService", functools.partial(SearchService, lock_timeout=0.3))
    with service.store.write_lock():   # another writer, as far as the command can tell
        assert main(["search", str(content_copy), QUERY, "--json", "--index-dir", str(index_dir)]) == 0
        out = capsys.readouterr()
        assert "being written by another process" in out.err and "searched the index as it was" in out.err
        assert json.loads(out.out)["results"][0]["id"] == EXPECTED
        assert main(["index", str(content_copy), "--index-dir", str(index_dir)]) == 2
        assert "being written by another process" in capsys.readouterr().err
    with pytest.raises(IndexLockedError):
        with service.store.write_lock():
            reopened(content_copy, index_dir, lock_timeout=0.2).indexer.rebuild()


def test_an_index_replaced_by_another_process_is_no_damage(
        service: SearchService, content_copy: Path, index_dir: Path, baseline: tuple[str, int]) -> None:
    old = live(service)
    other = reopened(content_copy, index_dir)
    other.ensure(rebuild=True)   # swaps in a new folder and removes the one `service` reads
    assert not old.exists()
    assert_healthy(service, baseline)
    assert live(service) != old
    other.close()


# The scan ----------------------------------------------------------------------------------

def test_the_scan_answers_in_the_index_s_shape(content_copy: Path, service: SearchService) -> None:
    scan = ScanSearcher(KnowledgeBase(content_copy))
    response = scan.search(QUERY, SearchOptions(limit=5))
    indexed = service.search(QUERY, SearchOptions(limit=5))
    assert set(response.to_json()) == set(indexed.to_json())
    assert set(response.results[0].to_json()) == set(indexed.results[0].to_json())
    assert response.results[0].id == EXPECTED and len(response.results) == 5
    assert "<b>Outlook</b>" in response.results[0].snippet
    l1 = scan.search("vpn", SearchOptions(tiers=("L0", "L1"), kinds=("article",), limit=50))
    assert l1.total > 0 and all(h.tier in ("L0", "L1") and h.kind == "article" for h in l1.results)
    assert l1.hidden_by_tier > 0
    assert l1.total + l1.hidden_by_tier == sum(l1.facets["tier"].values())
    assert scan.search("vpn tier:L1").facets["tier"] == {"L1": scan.search("vpn tier:L1").total}
    assert scan.search("printer -queue").total < scan.search("printer").total
    assert [h.id for h in scan.search('"reset a password"').results][:1] == ["KB-0003"]
    assert scan.search("").total == 0 and scan.search("zzqqxx").results == []
    changed = scan.search("password", SearchOptions(sort="changed", limit=100)).results
    assert [h.mtime for h in changed] == sorted((h.mtime for h in changed), reverse=True)
