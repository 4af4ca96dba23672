"""Open from remote: cloning a real bare repository with progress; unsafe URLs and credentials."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kbstudio.ui.vcs.clone_dialog import CloneDialog, folder_name

from .conftest import git, wait_idle


def make(qtbot, git_work, tmp_path: Path, **options) -> CloneDialog:  # noqa: ANN001, ANN003
    dialog = CloneDialog(git_work, folder=tmp_path / "kbs", **options)
    qtbot.addWidget(dialog)
    return dialog


def test_folder_names_from_urls() -> None:
    assert folder_name("https://git.example.com/it/kb.git") == "kb"
    assert folder_name("git@host:team/help desk.git/") == "help-desk"
    assert folder_name("") == "knowledge-base"


def test_clone_a_local_bare_repository_with_progress(qtbot, remote: Path, tmp_path: Path,  # noqa: ANN001
                                                     git_work) -> None:
    dialog = make(qtbot, git_work, tmp_path)
    stages: list[tuple[int, int, str]] = []
    dialog.progressChanged.connect(lambda *args: stages.append(args))
    qtbot.keyClicks(dialog.url_edit, remote.as_uri())              # file://, so git reports progress
    assert dialog.target() == tmp_path / "kbs" / "remote"
    with qtbot.waitSignal(dialog.cloned, timeout=30_000) as cloned:
        assert dialog.start()
        assert dialog.busy and not dialog.clone_button.isEnabled() and dialog.progress.isVisibleTo(dialog)
    assert cloned.args == [tmp_path / "kbs" / "remote"]
    assert (tmp_path / "kbs" / "remote" / "articles" / "doc-1.md").is_file()
    assert git(tmp_path / "kbs" / "remote", "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert stages[0] == (0, 0, "Cloning")
    assert any(total > 0 and text for _, total, text in stages[1:])   # git's own stages, with counts
    assert dialog.result() == CloneDialog.DialogCode.Accepted and not dialog.busy


def test_an_ext_url_is_refused_with_the_cores_message(qtbot, tmp_path: Path, git_work) -> None:  # noqa: ANN001
    dialog = make(qtbot, git_work, tmp_path)
    dialog.url_edit.setText("ext::sh -c touch% /tmp/pwned")
    dialog.folder_edit.setText(str(tmp_path / "never"))
    assert not dialog.start()
    assert dialog.status.text().startswith("Refused: remote-helper URLs such as 'ext::'")
    dialog.url_edit.setText("-uhack")
    assert not dialog.start() and "may not start with '-'" in dialog.status.text()
    assert not (tmp_path / "never").exists() and not git_work._tasks


@pytest.mark.timeout(60)
def test_credentials_in_a_url_are_never_shown_and_nothing_is_left(qtbot, tmp_path: Path,  # noqa: ANN001
                                                                  git_work) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]                              # nothing listens there
    dialog = make(qtbot, git_work, tmp_path)
    dialog.url_edit.setText(f"http://alice:s3cret@127.0.0.1:{port}/kb.git")
    dialog.folder_edit.setText(str(tmp_path / "kb"))
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    assert dialog.status.text().startswith("Could not clone: cannot reach the remote")
    assert "s3cret" not in dialog.status.text() and "***@127.0.0.1" in dialog.status.text()
    assert not (tmp_path / "kb").exists()


@pytest.mark.timeout(60)
def test_stop_a_hanging_clone(qtbot, tmp_path: Path, git_work, silent_port: int) -> None:  # noqa: ANN001
    dialog = make(qtbot, git_work, tmp_path, timeout=30)
    dialog.url_edit.setText(f"git://127.0.0.1:{silent_port}/kb.git")
    dialog.folder_edit.setText(str(tmp_path / "kb"))
    assert dialog.start()
    qtbot.wait(300)
    dialog.cancel_button.click()                                   # Stop: the dialog stays open
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5_000)
    assert dialog.status.text() == "The clone was stopped; nothing was left behind."
    assert not (tmp_path / "kb").exists() and dialog.result() != CloneDialog.DialogCode.Accepted


def test_a_non_empty_folder_is_refused(qtbot, remote: Path, tmp_path: Path, git_work) -> None:  # noqa: ANN001
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    dialog = make(qtbot, git_work, tmp_path)
    dialog.url_edit.setText(str(remote))
    dialog.folder_edit.setText(str(tmp_path / "full"))
    assert not dialog.start() and "not empty" in dialog.status.text()
    wait_idle(qtbot, git_work)
