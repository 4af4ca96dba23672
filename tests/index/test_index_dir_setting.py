"""KBSTUDIO_INDEX_DIR naming a regular file is a setting to fix, not a damaged index: one clear
message on the terminal and one line in the log, no "damaged; rebuilding" and no traceback
(issue #15 report, P8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kbstudio.index.store import IndexStore, IndexUnwritableError
from kbstudio.logs import log_file_path


def test_an_index_folder_setting_that_names_a_file_is_said_once(kb_root: Path, tmp_path: Path) -> None:
    setting = tmp_path / "not-a-folder"
    setting.write_text("a file\n", "utf-8")
    env = {**os.environ, "KBSTUDIO_INDEX_DIR": str(setting)}
    done = subprocess.run([sys.executable, "-m", "kbstudio", "index", str(kb_root)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    home = IndexStore(kb_root, setting).home
    said = (f"cannot write the search index in {home}: Not a directory ({home / 'current'}); "
            f"choose another folder with --index-dir or KBSTUDIO_INDEX_DIR")
    assert done.stderr == f"kbstudio: {said}\n"
    logged = log_file_path().read_text("utf-8")
    assert logged.count("ERROR kbstudio.index.store") == 1 and logged.rstrip().endswith(said)
    assert "damaged" not in logged and "Traceback" not in logged


def test_the_store_calls_it_unwritable_not_damaged(kb_root: Path, tmp_path: Path) -> None:
    setting = tmp_path / "not-a-folder"
    setting.write_text("a file\n", "utf-8")
    store = IndexStore(kb_root, setting)
    assert store.current_folder() is None
    try:
        store.live_folder()
    except IndexUnwritableError as error:
        assert "Not a directory" in str(error)
    else:
        raise AssertionError("live_folder found an index under a file")
