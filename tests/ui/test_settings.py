"""Settings read back from the file as they were set: booleans above all ("false" is not True)."""

from __future__ import annotations

import shutil
from itertools import count
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from kbstudio.ui import settings as settings_module
from kbstudio.ui.settings import DEFAULTS, AppSettings
from tests.conftest import UserFolders

BOOLEANS = sorted(key for key, value in DEFAULTS.items() if isinstance(value, bool))
_fresh = count()


def reopened(settings: AppSettings, tmp_path: Path) -> AppSettings:
    """Return the settings as the next run reads them: from the file's text.

    QSettings keeps what it wrote in memory for the rest of the process, keyed by file name, so the
    file is read back under a new name, as a new process would read it.
    """
    settings.store.sync()
    copy = tmp_path / f"next-run-{next(_fresh)}.ini"
    shutil.copyfile(settings.store.fileName(), copy)
    return AppSettings(QSettings(str(copy), QSettings.Format.IniFormat))


@pytest.fixture()
def with_a_true_default(monkeypatch: pytest.MonkeyPatch) -> str:
    """A boolean setting whose default is True (the kind that read back wrong)."""
    monkeypatch.setitem(settings_module.DEFAULTS, "example_on_by_default", True)
    return "example_on_by_default"


def test_there_are_boolean_settings() -> None:
    assert BOOLEANS == ["auto_commit", "log_search_gaps"]   # a new one is tested below by this list


@pytest.mark.parametrize("key", BOOLEANS)
def test_every_boolean_setting_reads_back_both_ways(key: str, settings: AppSettings, tmp_path: Path) -> None:
    default = DEFAULTS[key]
    settings.set(key, not default)
    assert settings.store.contains(key)
    again = reopened(settings, tmp_path)
    assert again.get(key) is (not default)
    again.set(key, default)
    assert not again.store.contains(key)   # the default is not written
    assert reopened(again, tmp_path).get(key) is default


def test_a_setting_whose_default_is_true_reads_back_false(
        with_a_true_default: str, settings: AppSettings, tmp_path: Path) -> None:
    settings.set(with_a_true_default, False)
    settings.store.sync()
    text = Path(settings.store.fileName()).read_text("utf-8")
    assert f"{with_a_true_default}=false" in text   # stored as text, as every ini value is
    assert reopened(settings, tmp_path).get(with_a_true_default) is False


def test_the_auto_commit_menu_item_comes_back_unticked(window, settings: AppSettings, tmp_path: Path) -> None:
    window.menus.auto_commit.setChecked(True)
    window.menus.auto_commit.setChecked(False)
    assert reopened(settings, tmp_path).get("auto_commit") is False
    window.menus.auto_commit.setChecked(True)
    assert reopened(settings, tmp_path).get("auto_commit") is True


def test_the_search_gaps_opt_out_comes_back_unticked(window, settings: AppSettings, tmp_path: Path) -> None:
    assert window.loop.log_gaps_action.isChecked()                     # logged unless opted out
    window.loop.log_gaps_action.setChecked(False)
    assert reopened(settings, tmp_path).get("log_search_gaps") is False


def test_every_other_kind_of_setting_reads_back(settings: AppSettings, tmp_path: Path) -> None:
    values = {"role": "L3", "recent": ["/srv/kb, team"], "last_kb": "/srv/kb, team",
              "geometry": b"\x01\xd9\xd0\xcb\x00\x03", "left_tab": 2, "reviewer": "Rita <rita@example.com>",
              "demo_copy": "/home/u/Documents/KB Studio demo"}
    for key, value in values.items():
        settings.set(key, value)
    again = reopened(settings, tmp_path)
    assert {key: again.get(key) for key in values} == values
    assert again.get("recent") == ["/srv/kb, team"]       # one item still a list
    settings.set("recent", ["/a", "/b"])
    assert reopened(settings, tmp_path).get("recent") == ["/a", "/b"]
    assert "@ByteArray(" in Path(settings.store.fileName()).read_text("utf-8")   # not a pickled object


def test_the_apps_settings_honour_the_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KBSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    settings = AppSettings(QSettings())             # what run_app makes
    assert Path(settings.store.fileName()) == tmp_path / "config" / "settings.ini"
    settings.set("role", "L2")
    settings.store.sync()
    assert "role=L2" in (tmp_path / "config" / "settings.ini").read_text("utf-8")
    named = AppSettings(QSettings(str(tmp_path / "mine.ini"), QSettings.Format.IniFormat))
    assert Path(named.store.fileName()) == tmp_path / "mine.ini"   # a file asked for by name stays
    monkeypatch.delenv("KBSTUDIO_CONFIG_DIR")
    assert AppSettings(QSettings()).store.fileName() == QSettings().fileName()


# The autouse fixtures (tests/conftest.py, tests/ui/conftest.py) give each test its own settings.
def app_settings() -> AppSettings:
    """Return the settings as the app opens them at start-up (``run_app``): Qt's own store."""
    QCoreApplication.setOrganizationName("kbstudio")
    QCoreApplication.setApplicationName("KB Studio")
    return AppSettings(QSettings())


def test_the_apps_own_settings_are_written_inside_the_tests_home(isolated_user: UserFolders) -> None:
    settings = app_settings()
    settings.set("role", "L3")
    settings.store.sync()
    assert Path(settings.store.fileName()) == isolated_user.config / settings_module.SETTINGS_FILE
    assert "role=L3" in (isolated_user.config / settings_module.SETTINGS_FILE).read_text("utf-8")


def test_qts_native_store_is_inside_the_tests_home_too(isolated_user: UserFolders,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBSTUDIO_CONFIG_DIR")
    settings = app_settings()
    settings.set("role", "L3")
    settings.store.sync()
    assert Path(settings.store.fileName()) == isolated_user.home / ".config" / "kbstudio" / "KB Studio.conf"


def test_settings_written_by_the_test_before_are_not_seen(isolated_user: UserFolders,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs after the two tests above, which set the role in both stores."""
    assert app_settings().get("role") == DEFAULTS["role"] != "L3"
    monkeypatch.delenv("KBSTUDIO_CONFIG_DIR")
    assert app_settings().get("role") == DEFAULTS["role"]
