"""Atomic, never-clobbering saves, including a process killed in the middle of saving."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbstudio.reader import content_hash
from kbstudio.storage import ExternalChangeError, atomic_write, save_document_text


def test_save_replaces_content_and_returns_new_hash(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("old\n")
    new_hash = save_document_text(path, "new\n", content_hash(b"old\n"))
    assert path.read_text() == "new\n"
    assert new_hash == content_hash(b"new\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_save_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("old\n")
    path.chmod(0o640)
    save_document_text(path, "new\n", content_hash(b"old\n"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_save_refuses_when_changed_outside(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("loaded\n")
    loaded_hash = content_hash(b"loaded\n")
    path.write_text("someone else's edit\n")
    with pytest.raises(ExternalChangeError) as caught:
        save_document_text(path, "mine\n", loaded_hash)
    assert caught.value.actual_hash == content_hash(b"someone else's edit\n")
    assert path.read_text() == "someone else's edit\n"


def test_save_refuses_when_deleted_outside(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    with pytest.raises(ExternalChangeError, match="deleted"):
        save_document_text(path, "mine\n", content_hash(b"x"))
    assert not path.exists()


def test_new_file_never_overwrites_an_existing_one(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("exists\n")
    with pytest.raises(ExternalChangeError, match="already exists"):
        save_document_text(path, "new\n", None)
    assert path.read_text() == "exists\n"


def test_save_through_a_link_writes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old\n")
    link = tmp_path / "link.md"
    os.symlink(target, link)
    save_document_text(link, "new\n", content_hash(b"old\n"))
    assert link.is_symlink() and target.read_text() == "new\n"


def test_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("old\n")
    with pytest.raises(TypeError):
        atomic_write(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


SAVER = """
import sys
from pathlib import Path
from kbstudio.storage import atomic_write
path = Path(sys.argv[1])
versions = [b"A" * 300_000 + b"\\n", b"B" * 200_000 + b"\\n"]
print("ready", flush=True)
i = 0
while True:
    atomic_write(path, versions[i % 2])
    i += 1
"""


def test_kill_during_save_never_leaves_a_torn_file(tmp_path: Path) -> None:
    """Kill a saving process at random moments, 100 times: the file is always whole."""
    path = tmp_path / "doc.md"
    versions = {b"A" * 300_000 + b"\n", b"B" * 200_000 + b"\n"}
    path.write_bytes(b"A" * 300_000 + b"\n")
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    for _ in range(100):
        child = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE,
                                 env=env)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert path.read_bytes() in versions
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "doc.md"]
    assert all(name.startswith(".doc.md.") and name.endswith(".kbtmp") for name in leftovers)


# Waits for a save's temporary file to appear, then writes the target as another program would.
OUTSIDE_WRITER = r"""
import os, sys, time
folder, name, content = sys.argv[1], sys.argv[2], sys.argv[3].encode()
print("ready", flush=True)
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    if any(entry.endswith(".kbtmp") for entry in os.listdir(folder)):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(content)
        print("wrote", flush=True)
        break
else:
    print("missed", flush=True)
"""


def test_an_outside_write_during_a_save_is_never_lost(tmp_path: Path) -> None:
    """A second process writes while the temporary file is being written: its change survives."""
    path = tmp_path / "doc.md"
    ours = "ours\n" + "x" * 4_000_000   # a few ms of writing, so the other process gets its chance
    hits = 0
    for trial in range(20):
        path.write_bytes(b"loaded\n")
        loaded = content_hash(b"loaded\n")
        outside = f"outside {trial}\n"
        writer = subprocess.Popen([sys.executable, "-c", OUTSIDE_WRITER, str(tmp_path), path.name, outside],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        refused = False
        try:
            save_document_text(path, ours, loaded)
        except ExternalChangeError:
            refused = True
        outcome = writer.stdout.readline().strip()
        writer.wait()
        if outcome == "wrote":
            hits += 1
            # Written before our rename: we refused. Written after it: it replaced ours. Never lost.
            assert path.read_text() == outside
        else:
            assert not refused and path.read_text() == ours
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".kbtmp")]
    assert hits >= 1   # the race was really run (it usually is in every trial)


@pytest.mark.parametrize("newline,bom", [("\n", False), ("\r\n", False), ("\r\n", True), ("\n", True)])
def test_save_writes_editor_text_in_the_files_format(tmp_path: Path, newline: str, bom: bool) -> None:
    from kbstudio.textformat import TextFormat

    path = tmp_path / "a.md"
    old = ("\ufeff" if bom else "").encode() + f"a{newline}b{newline}".encode()
    path.write_bytes(old)
    fmt = TextFormat.of_bytes(old)
    new_hash = save_document_text(path, "a\nchanged\n", content_hash(old), fmt)
    expected = ("\ufeff" if bom else "").encode() + f"a{newline}changed{newline}".encode()
    assert path.read_bytes() == expected and new_hash == content_hash(expected)
