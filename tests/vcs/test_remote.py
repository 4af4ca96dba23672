"""Pushing and fetching against remotes that refuse, hang, vanish or want credentials."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbstudio.vcs.remote import PushInfo, clone
from kbstudio.vcs.safety import UnsafeInputError
from kbstudio.vcs.service import allow_repository_programs

from .conftest import Side, git


def test_non_fast_forward_push_reports_gits_reason(alice: Side, bob: Side) -> None:
    alice.edit("articles/doc-4.md", "Try again.", "Alice's way.")
    alice.commit()
    assert alice.sync().status == "ok"
    bob.edit("articles/doc-5.md", "Try again.", "Bob's way.")
    bob.commit()
    vc = bob.vc()
    result = vc.sync.push()
    assert result.status == "push_rejected" and result.failure == "rejected"
    assert "rejected" in result.message and ("fetch first" in result.message or "non-fast" in result.message)
    pushed = vc.remote.push()
    assert not pushed.ok and pushed.refs[0].flags & PushInfo.REJECTED
    assert bob.sync().status == "ok"  # pull merges, then the push goes through
    assert "Alice's way." in bob.read("articles/doc-4.md")


def test_a_remote_folders_hook_runs_only_when_the_repository_is_allowed(alice: Side, remote: Path) -> None:
    # A remote on a local path is another repository whose hooks git would run on this computer,
    # as the user; a server's hooks (tests/vcs/test_http.py) run on the server.
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'documents need a reviewer' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    alice.edit("articles/doc-4.md", "Try again.", "Alice's way.")
    alice.commit()
    allow_repository_programs(alice.root)
    result = alice.sync()
    assert result.status == "push_rejected"
    assert "pre-receive hook declined" in result.message
    allow_repository_programs(alice.root, allowed=False)
    result = alice.sync()
    assert result.status == "ok" and result.pushed, result.message


@pytest.fixture()
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("scheme", ["git", "http"])
def test_a_hanging_remote_times_out(bob: Side, silent_server: int, scheme: str) -> None:
    bob.git("remote", "set-url", "origin", f"{scheme}://127.0.0.1:{silent_server}/kb.git")
    vc = bob.vc(timeout=3)
    started = time.monotonic()
    result = vc.sync.sync()
    elapsed = time.monotonic() - started
    assert result.status == "remote_error" and result.failure == "timeout"
    assert "did not answer" in result.message
    assert elapsed < 10


@pytest.mark.timeout(30)
def test_cancel_stops_a_fetch(bob: Side, silent_server: int) -> None:
    bob.git("remote", "set-url", "origin", f"git://127.0.0.1:{silent_server}/kb.git")
    deadline = time.monotonic() + 0.5
    result = bob.vc(timeout=20).sync.pull(cancelled=lambda: time.monotonic() > deadline)
    assert result.status == "remote_error" and result.failure == "cancelled"


@pytest.mark.timeout(30)
def test_an_unreachable_remote_fails_fast(bob: Side) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    bob.git("remote", "set-url", "origin", f"http://127.0.0.1:{port}/kb.git")
    result = bob.vc(timeout=10).sync.sync()
    assert result.status == "remote_error" and result.failure == "network"
    assert "cannot reach" in result.message


def test_unsafe_remote_urls_are_refused(bob: Side, tmp_path: Path) -> None:
    for url in ("ext::sh -c touch% /tmp/pwned", "-uhack", "fd::17", "http://x/\nrepo"):
        with pytest.raises(UnsafeInputError):
            clone(url, tmp_path / "never")
    assert not (tmp_path / "never").exists()
    bob.git("remote", "set-url", "origin", "ext::sh -c false")
    result = bob.sync()
    assert result.status == "remote_error" and result.failure == "unsafe"


def test_clone_with_progress(remote: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    target = clone(str(remote), tmp_path / "fresh" / "kb", progress=lambda d, t, s: seen.append((d, t, s)))
    assert (target / "articles" / "doc-1.md").is_file()
    assert git(target, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    with pytest.raises(Exception, match="not an empty folder"):
        clone(str(remote), target)


def test_clone_of_a_missing_remote_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="cannot reach"):
        clone(str(tmp_path / "nowhere.git"), tmp_path / "kb")
    assert not (tmp_path / "kb").exists()

