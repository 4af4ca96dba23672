"""Every test runs in a home of its own (the autouse ``isolated_user`` of tests/conftest.py).

What the app would write in the user's folders (settings, recovery copies, the log, indexes, the
demo copy, allowed git programs, git's global config) lands under the test's temporary home,
whichever way the app finds the folder: its own variables, platformdirs, HOME or git.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import platformdirs
import pytest

from kbstudio.demo import documents_dir
from kbstudio.index.store import index_base_dir
from kbstudio.logs import log_file_path
from kbstudio.recovery import state_base_dir
from kbstudio.vcs.trust import config_dir
from tests.conftest import GIT_AUTHOR, UserFolders

# Read when pytest imports this module, before any fixture has moved HOME.
REAL_HOME = Path(os.path.expanduser("~")).resolve()
KBSTUDIO_VARIABLES = ("KBSTUDIO_CONFIG_DIR", "KBSTUDIO_STATE_DIR", "KBSTUDIO_INDEX_DIR",
                      "KBSTUDIO_DOCUMENTS_DIR")


def app_folders() -> dict[str, Path]:
    """Return every user folder the core would write in, found as the app finds it."""
    return {"home": Path.home(), "~": Path(os.path.expanduser("~")), "state": state_base_dir(),
            "log": log_file_path(), "indexes": index_base_dir(), "documents": documents_dir(),
            "config": config_dir()}


def test_the_home_is_a_temporary_folder_not_the_users(isolated_user: UserFolders,
                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    home = isolated_user.home.resolve()
    assert home.is_relative_to(tmp_path_factory.getbasetemp().resolve())
    assert home != REAL_HOME and not home.is_relative_to(REAL_HOME / ".config")


def test_every_folder_the_app_writes_in_is_inside_the_tests_home(isolated_user: UserFolders) -> None:
    folders = app_folders()
    assert folders["home"] == folders["~"] == isolated_user.home
    assert folders["state"] == isolated_user.state
    assert folders["log"].parent.parent == isolated_user.state
    assert folders["indexes"] == isolated_user.index
    assert folders["documents"] == isolated_user.documents
    assert folders["config"] == isolated_user.config


def test_without_the_apps_variables_platformdirs_still_answer_inside_the_home(
        isolated_user: UserFolders, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KBSTUDIO_VARIABLES:
        monkeypatch.delenv(name)
    home = isolated_user.home
    assert state_base_dir() == home / ".local" / "state" / "kbstudio"
    assert index_base_dir() == home / ".cache" / "kbstudio" / "indexes"
    assert config_dir() == home / ".config" / "kbstudio"
    assert documents_dir() == home / "Documents"
    assert log_file_path().is_relative_to(home)
    assert Path(platformdirs.user_data_dir("kbstudio")).is_relative_to(home)


def test_git_reads_only_the_private_config_and_commits_as_the_test_author(isolated_user: UserFolders,
                                                                           tmp_path: Path) -> None:
    files = subprocess.run(["git", "config", "--list", "--show-origin"], cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    origins = {line.split("\t")[0].removeprefix("file:") for line in files if line.startswith("file:")}
    assert origins == {str(isolated_user.home / ".gitconfig")}
    assert "user.name" not in "\n".join(files)   # no identity in any config: only the environment's
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "first"], cwd=tmp_path, check=True)
    author = subprocess.run(["git", "log", "-1", "--format=%an <%ae>"], cwd=tmp_path, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert author == f"{GIT_AUTHOR[0]} <{GIT_AUTHOR[1]}>"


def test_each_test_gets_a_fresh_home(isolated_user: UserFolders) -> None:
    """Run twice (see the next test): what the first wrote is not in the second's home."""
    assert not (isolated_user.home / "written-by-a-test").exists()
    (isolated_user.home / "written-by-a-test").write_text("x", "utf-8")
    (isolated_user.state / "left-behind").parent.mkdir(parents=True, exist_ok=True)
    (isolated_user.state / "left-behind").write_text("x", "utf-8")


def test_each_test_gets_a_fresh_home_again(isolated_user: UserFolders) -> None:
    assert not (isolated_user.home / "written-by-a-test").exists()
    assert not (isolated_user.state / "left-behind").exists()
