"""The shared git UI pieces: plain-word errors, text progress across threads, a job ended from outside."""

from __future__ import annotations

import time

from kbstudio.ui.tasks import TaskFailure
from kbstudio.ui.vcs.common import Failure, GitJob, as_failure, sentence, shielded
from kbstudio.vcs.runner import GitError


def _raise(error: BaseException) -> None:
    raise error


def test_plain_words() -> None:
    assert sentence("the remote failed") == "The remote failed."
    failure = shielded(lambda: _raise(GitError("fatal: https://u:p@h/r gone")))()
    assert isinstance(failure, Failure) and failure.message == "fatal: https://***@h/r gone"
    assert isinstance(failure.error, GitError)                      # the error itself, for its type
    missing = shielded(lambda: _raise(FileNotFoundError(2, "No such file or directory", "/kb/a.md")))()
    assert missing.message == "No such file or directory: /kb/a.md"


def test_an_expected_error_of_the_task_path_is_shown_in_its_own_words(caplog) -> None:  # noqa: ANN001
    try:
        _raise(GitError("fatal: not a git repository"))
    except GitError as error:
        failure = TaskFailure("commit", error)
    shown = as_failure(failure)                                       # no dialog: a refusal, not a bug
    assert shown == Failure("fatal: not a git repository", failure.error)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "commit: fatal: not a git repository")]


def test_stage_text_reaches_the_gui_with_the_counts(qtbot, git_work) -> None:  # noqa: ANN001
    job = GitJob(git_work)
    seen: list[tuple[int, int, str]] = []
    results: list[object] = []
    job.progressChanged.connect(lambda *args: seen.append(args))

    def work(progress, cancelled) -> str:  # noqa: ANN001
        for stage, total in (("Counting objects", 3), ("Receiving objects", 5)):
            for done in range(1, total + 1):
                progress(done, total, stage)
        return "done"

    with qtbot.waitSignal(job.busyChanged, check_params_cb=lambda busy: not busy):
        assert job.start("Fetching", work, results.append)
    assert results == ["done"] and seen[0] == (0, 0, "Fetching")
    assert seen[1:] == [(d, 3, "Counting objects") for d in (1, 2, 3)] + [
        (d, 5, "Receiving objects") for d in (1, 2, 3, 4, 5)]           # every count with its own stage


def test_a_job_cancelled_through_the_runner_still_ends(qtbot, git_work) -> None:  # noqa: ANN001
    job = GitJob(git_work)
    results: list[object] = []

    def work(progress, cancelled) -> str:  # noqa: ANN001
        while not cancelled():
            time.sleep(0.01)
        return "stopped"

    assert job.start("Waiting", work, results.append)
    qtbot.wait(50)
    git_work.cancel_all()                     # the runner drops the task's callbacks
    qtbot.waitUntil(lambda: not job.busy, timeout=5_000)
    assert results == [Failure("cancelled")]
