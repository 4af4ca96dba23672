"""A named pipe, socket or device named ``*.md`` inside a KB is skipped and named, never opened for ever.

Opening a FIFO for reading blocks until a writer comes; before the fix ``kbstudio list`` on such a KB
never ended (issue #15 report, P5). Each command runs in a subprocess with a timeout, so a hang
fails the test instead of stalling the run.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.logs import log_file_path
from kbstudio.loop.identity import Agent
from kbstudio.loop.logfiles import append_record, file_name, read_folder
from kbstudio.reader import read_document, read_info
from tests.conftest import write

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
PROBLEM = "not a regular file (a named pipe)"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbstudio", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.fixture()
def kb_with_fifo(kb_root: Path) -> Path:
    write(kb_root, "articles/printer.md",
          "---\nid: KB-0002\ntitle: Printer jams\ntier: L1\n---\n# Printer jams\n")
    os.mkfifo(kb_root / "articles" / "fifo.md")
    return kb_root


def test_reading_a_fifo_names_it_and_logs_it(kb_with_fifo: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = kb_with_fifo / "articles" / "fifo.md"
    document = read_document(path, kb_with_fifo, walked=True)
    assert not document.readable
    assert [(p.rule, p.path, p.message) for p in document.problems][0] == (
        "not-regular-file", "articles/fifo.md", PROBLEM)
    info = read_info(path, kb_with_fifo, walked=True)
    assert info.problems[0].message == PROBLEM
    assert f"{path} is not a regular file (a named pipe); skipped" in caplog.messages


def test_a_socket_is_named_too() -> None:
    # AF_UNIX paths are limited to about 107 bytes, longer than pytest's folders: a short KB folder.
    short = Path(os.environ.get("TMPDIR", "/tmp")) / f"kbs{os.getpid()}"
    short.mkdir(exist_ok=True)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(short / "sock.md"))
        document = read_document(short / "sock.md", short, walked=True)
        assert document.problems[0].message == "not a regular file (a socket)"
        assert [doc.rel_path for doc in KnowledgeBase(short).load_all()] == ["sock.md"]
    finally:
        server.close()
        (short / "sock.md").unlink()
        short.rmdir()


def test_list_skips_the_fifo_and_names_it(kb_with_fifo: Path) -> None:
    result = run("list", str(kb_with_fifo), "--json")
    assert result.returncode == 1
    rows = {row["path"]: row for row in json.loads(result.stdout)}
    assert rows["articles/reset.md"]["title"] == "Reset a password"
    assert rows["articles/printer.md"]["title"] == "Printer jams"
    assert rows["articles/fifo.md"]["problems"][0]["message"] == PROBLEM
    logged = log_file_path().read_text("utf-8")
    assert f"{kb_with_fifo / 'articles' / 'fifo.md'} is not a regular file (a named pipe); skipped" in logged


def test_lint_names_the_fifo(kb_with_fifo: Path) -> None:
    result = run("lint", str(kb_with_fifo))
    assert result.returncode == 1
    assert f"articles/fifo.md:1: error: {PROBLEM} [unreadable]" in result.stdout


def test_index_and_search_skip_the_fifo(kb_with_fifo: Path) -> None:
    built = run("index", str(kb_with_fifo))
    assert built.returncode in (0, 1), built.stderr
    found = run("search", str(kb_with_fifo), "printer", "--json")
    assert found.returncode == 0, found.stderr
    assert [hit["path"] for hit in json.loads(found.stdout)["results"]] == ["articles/printer.md"]


def test_knowledge_loop_records_refuse_a_fifo_instead_of_blocking(kb_root: Path) -> None:
    moment = datetime(2026, 11, 30, tzinfo=UTC)
    agent = Agent("Ana Lopez", "ana@example.com")
    append_record(kb_root, "gaps", {"v": 1, "query": "vpn"}, moment, agent, "dev1")
    good = kb_root / ".kbstudio" / "gaps" / file_name(moment, agent, "dev1")
    os.mkfifo(kb_root / ".kbstudio" / "gaps" / file_name(moment, agent, "dev2"))
    with pytest.raises(OSError, match=r"not a regular file \(a named pipe\)"):
        append_record(kb_root, "gaps", {"v": 1, "query": "vpn"}, moment, agent, "dev2")
    assert good.read_text("utf-8").count("\n") == 1
    read = read_folder(kb_root, "gaps", lambda data: data["query"])
    assert read.items() == ["vpn"]
