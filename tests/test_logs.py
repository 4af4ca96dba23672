"""The log file (kbstudio.logs): where it is, how it rotates, what reaches it, and the CLI's hooks."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from platformdirs import user_log_dir

from kbstudio.index.damage import IndexDamagedError, log_damage
from kbstudio.logs import (
    BACKUP_COUNT,
    MAX_BYTES,
    configure_logging,
    log_file_path,
    stop_logging,
)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "kbstudio_log", False)]


def test_the_log_file_is_in_the_state_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBSTUDIO_STATE_DIR", str(tmp_path / "state"))
    assert log_file_path() == tmp_path / "state" / "log" / "kbstudio.log"
    monkeypatch.delenv("KBSTUDIO_STATE_DIR")
    assert log_file_path() == Path(user_log_dir("kbstudio", appauthor=False)) / "kbstudio.log"


USERS_HOME = Path.home()   # read when pytest imports this file, before a fixture moves HOME


def test_the_autouse_fixture_keeps_the_log_out_of_the_users_folders(isolated_log: Path) -> None:
    assert log_file_path().is_relative_to(isolated_log)
    assert not log_file_path().is_relative_to(USERS_HOME)


def test_rotation_is_configured_and_happens(isolated_log: Path) -> None:
    path = configure_logging(report=lambda error: None)
    assert path == isolated_log / "log" / "kbstudio.log"
    assert not path.exists()                  # created with the first record only
    [handler] = _ours()
    assert isinstance(handler, RotatingFileHandler)
    assert (handler.maxBytes, handler.backupCount) == (MAX_BYTES, BACKUP_COUNT) == (1_000_000, 5)
    assert Path(handler.baseFilename) == path
    line = "x" * 4000
    for number in range(BACKUP_COUNT * 300 + 300):   # about 7 MB: more than the six files hold
        logging.getLogger("kbstudio.test").info("%d %s", number, line)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["kbstudio.log"] + [f"kbstudio.log.{n}" for n in range(1, BACKUP_COUNT + 1)]
    assert all(p.stat().st_size <= MAX_BYTES for p in path.parent.iterdir())
    assert f"{BACKUP_COUNT * 300 + 299} x" in path.read_text("utf-8")   # the newest record is kept


def test_an_uncaught_exception_is_logged_with_its_traceback_then_reported(isolated_log: Path) -> None:
    reported: list[BaseException] = []
    path = configure_logging(report=reported.append)

    def failing_step() -> None:
        raise RuntimeError("injected failure 4711")

    try:
        failing_step()
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
        caught = error
    assert reported == [caught]
    text = path.read_text("utf-8")
    assert " ERROR kbstudio.logs " in text and "unexpected error: RuntimeError: injected failure 4711" in text
    assert "Traceback (most recent call last)" in text and "in failing_step" in text
    assert text.rstrip().endswith("RuntimeError: injected failure 4711")


def test_an_exception_in_a_thread_is_logged(isolated_log: Path) -> None:
    reported: list[BaseException] = []
    path = configure_logging(report=reported.append)

    def worker() -> None:
        raise KeyError("thread failure 815")

    thread = threading.Thread(target=worker, name="indexer-test")
    thread.start()
    thread.join()
    assert [type(error) for error in reported] == [KeyError]
    text = path.read_text("utf-8")
    assert "unexpected error in thread indexer-test: KeyError: 'thread failure 815'" in text
    assert "in worker" in text and "Traceback (most recent call last)" in text


def test_the_index_damage_reports_reach_the_file(isolated_log: Path) -> None:
    path = configure_logging(report=lambda error: None)
    try:
        raise OSError(2, "No such file", "MAIN_x.seg")
    except OSError as cause:
        damage = IndexDamagedError("a segment file is missing")
        damage.__cause__ = cause
    log_damage(logging.getLogger("kbstudio.index.service"), "search index of %s is damaged (%s); rebuilding",
               "/kb", damage, error=damage)
    logging.getLogger("kbstudio.index.service").info("search index of /kb was replaced while in use")
    logging.getLogger("kbstudio.index.service").debug("searcher opened in 1.0 ms")
    text = path.read_text("utf-8")
    assert "WARNING kbstudio.index.service " in text and "is damaged (a segment file is missing)" in text
    assert "MAIN_x.seg" in text                           # the cause's traceback came along
    assert "INFO kbstudio.index.service " in text and "replaced while in use" in text
    assert "searcher opened" not in text                  # DEBUG stays out


def test_credentials_never_reach_the_log(isolated_log: Path) -> None:
    path = configure_logging(report=lambda error: None)
    try:
        raise ValueError("cannot reach https://alice:s3cret@git.example.com/kb.git")
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    text = path.read_text("utf-8")
    assert "s3cret" not in text and "https://***@git.example.com/kb.git" in text


def test_stop_logging_puts_everything_back(isolated_log: Path) -> None:
    hook, thread_hook = sys.excepthook, threading.excepthook
    configure_logging(report=lambda error: None)
    configure_logging(report=lambda error: None)          # a second call replaces the first
    assert len(_ours()) == 1 and sys.excepthook is not hook
    assert logging.getLogger("kbstudio").level == logging.INFO
    stop_logging()
    assert _ours() == [] and sys.excepthook is hook and threading.excepthook is thread_hook
    assert logging.getLogger("kbstudio").level == logging.NOTSET


def test_a_log_folder_that_cannot_be_made_drops_records_quietly(
        isolated_log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = isolated_log / "not-a-folder"
    blocker.write_text("a file where the state folder should be")
    monkeypatch.setenv("KBSTUDIO_STATE_DIR", str(blocker))
    reported: list[BaseException] = []
    assert configure_logging(report=reported.append) is None
    logging.getLogger("kbstudio.test").warning("nowhere to go")
    try:
        raise RuntimeError("still reported")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    assert [str(error) for error in reported] == ["still reported"]
    assert capsys.readouterr().err == ""


# The command line, as a real process ----------------------------------------------------------

INJECT = textwrap.dedent("""
    import sys
    from kbstudio.kb import KnowledgeBase

    def iter_paths(self, *args, **kwargs):   # how `kbstudio list` finds the KB's documents
        raise RuntimeError("injected failure in the command line 9321")

    KnowledgeBase.iter_paths = iter_paths
    from kbstudio.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_the_cli_logs_an_unexpected_error_and_prints_no_traceback(kb_root: Path, isolated_log: Path) -> None:
    result = subprocess.run([sys.executable, "-c", INJECT, "list", str(kb_root)], capture_output=True,
                            text=True, timeout=120)
    log = isolated_log / "log" / "kbstudio.log"
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "in iter_paths" not in result.stderr
    assert result.stderr == ("kbstudio: unexpected error: RuntimeError: injected failure in the command "
                             f"line 9321 (the details are in {log})\n")
    text = log.read_text("utf-8")
    assert "Traceback (most recent call last)" in text and "in iter_paths" in text
    assert "RuntimeError: injected failure in the command line 9321" in text


def test_the_cli_keeps_its_own_messages_and_writes_no_log_when_nothing_went_wrong(
        kb_root: Path, tmp_path: Path, isolated_log: Path) -> None:
    run = [sys.executable, "-m", "kbstudio"]
    result = subprocess.run([*run, "list", str(tmp_path / "missing")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith(f"kbstudio: {tmp_path / 'missing'}: not a folder")
    assert subprocess.run([*run, "list", str(kb_root)], capture_output=True, timeout=120).returncode == 0
    assert not (isolated_log / "log" / "kbstudio.log").exists()
