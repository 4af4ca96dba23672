"""The recovery folder: unsaved text kept outside the KB, per KB, and read back."""

from __future__ import annotations

from pathlib import Path

from kbstudio.recovery import RecoveryStore


def test_saved_text_comes_back_and_is_forgotten_once_discarded(tmp_path: Path, kb_root: Path) -> None:
    store = RecoveryStore(kb_root, tmp_path / "state")
    store.save("articles/reset.md", "draft text ü\n", "abc")
    store.save("articles/other.md", "second", None)
    entries = store.entries()
    assert [(e.rel_path, e.text, e.base_hash) for e in entries] == [
        ("articles/reset.md", "draft text ü\n", "abc"), ("articles/other.md", "second", None)]
    assert not any(kb_root.rglob("*.json")), "nothing is written into the KB"
    store.save("articles/reset.md", "newer", "abc")
    assert [e.text for e in store.entries()] == ["second", "newer"]
    store.discard("articles/reset.md")
    store.discard("articles/never-saved.md")
    assert [e.rel_path for e in store.entries()] == ["articles/other.md"]


def test_each_kb_has_its_own_folder_and_damaged_files_are_skipped(tmp_path: Path) -> None:
    first = RecoveryStore(tmp_path / "kb-a", tmp_path / "state")
    second = RecoveryStore(tmp_path / "kb-b", tmp_path / "state")
    first.save("a.md", "A", None)
    assert second.entries() == []
    (first.folder / "broken.recovery.json").write_bytes(b"\xff{not json")
    (first.folder / "partial.recovery.json").write_text('{"rel_path": "x.md"}', "utf-8")
    assert [e.rel_path for e in first.entries()] == ["a.md"]
    first.clear()
    assert first.entries() == []


def test_state_dir_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KBSTUDIO_STATE_DIR", str(tmp_path / "env-state"))
    store = RecoveryStore(tmp_path / "kb")
    assert store.folder.is_relative_to(tmp_path / "env-state")


def test_a_recovery_copy_keeps_the_files_format(tmp_path: Path) -> None:
    from kbstudio.textformat import TextFormat

    store = RecoveryStore(tmp_path / "kb", tmp_path / "state")
    store.save("a.md", "x\n", "h1", TextFormat("\r\n", True))
    store.save("b.md", "y\n", None)
    entries = {entry.rel_path: entry for entry in store.entries()}
    assert entries["a.md"].text_format == TextFormat("\r\n", True)
    assert entries["b.md"].text_format is None
