"""Real git under the git UI: the bare remote, two clones and the private git config of tests/vcs."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from kbstudio.ui.tasks import TaskRunner
from tests.vcs.conftest import Side, alice, bob, git, git_sandbox, remote  # noqa: F401 - fixtures reused


@pytest.fixture()
def git_work(qtbot) -> Iterator[TaskRunner]:  # noqa: ANN001 - pytest-qt's bot
    """The one worker every git action runs on, as in the app."""
    runner = TaskRunner(max_threads=1)
    yield runner
    runner.cancel_all()
    runner.wait()
    runner.pool.shutdown(wait=True)


@pytest.fixture()
def silent_port() -> Iterator[int]:
    """A port whose server takes connections (the kernel's backlog) and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def library_titles(window) -> list[str]:  # noqa: ANN001 - a MainWindow
    """Return every row title the window's library shows (groups with their counts, then documents)."""
    model, found = window.library.model, []

    def walk(parent) -> None:  # noqa: ANN001
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            found.append(index.data())
            walk(index)

    walk(model.index(-1, -1))
    return found


def wait_idle(qtbot, runner: TaskRunner, timeout: int = 20_000) -> None:  # noqa: ANN001
    """Wait until the git worker has delivered every result."""
    qtbot.waitUntil(lambda: not runner._tasks, timeout=timeout)


__all__ = ["Side", "git", "library_titles", "wait_idle"]
