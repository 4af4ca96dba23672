"""The sync controller over real git: state, progress, changed paths, conflicts, deletions, failures."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from kbstudio.ui.vcs.sync_controller import SyncController, describe_state
from tests.vcs.test_http import http_remote  # noqa: F401 - the fixture

from .conftest import Side


def controller(qtbot, side: Side, git_work, timeout: float = 20.0) -> tuple[SyncController, dict]:  # noqa: ANN001
    sync = SyncController(side.vc(timeout=timeout), git_work)
    seen: dict[str, list] = {name: [] for name in ("progress", "busy", "state", "message", "paths",
                                                   "conflicts", "deletions")}
    sync.progressChanged.connect(lambda *args: seen["progress"].append(args))
    sync.busyChanged.connect(seen["busy"].append)
    sync.stateChanged.connect(seen["state"].append)
    sync.messageRequested.connect(seen["message"].append)
    # the documents each change record names (a record of HEAD alone names none)
    sync.kbChanged.connect(lambda change: change.documents and seen["paths"].append(sorted(change.documents)))
    sync.conflictsFound.connect(seen["conflicts"].append)
    sync.massDeletionConfirmRequested.connect(seen["deletions"].append)
    return sync, seen


def run(qtbot, sync: SyncController, start, timeout: int = 20_000) -> None:  # noqa: ANN001
    with qtbot.waitSignal(sync.busyChanged, timeout=timeout, check_params_cb=lambda busy: not busy):
        assert start()


def test_sync_happy_path_updates_ahead_behind_and_reports_changed_files(qtbot, alice: Side, bob: Side,  # noqa: ANN001
                                                                        git_work) -> None:
    alice.edit("articles/doc-3.md", "Try again.", "Alice's fix.")
    alice.commit("Alice")
    assert alice.sync().status == "ok"
    bob.edit("articles/doc-4.md", "Try again.", "Bob's fix.")
    bob.commit("Bob")
    sync, seen = controller(qtbot, bob, git_work)
    with qtbot.waitSignal(sync.stateChanged) as first:
        sync.refresh_state()
    assert (first.args[0].ahead, first.args[0].behind) == (1, 0)      # as of the last fetch
    assert describe_state(first.args[0]) == "main \u00b7 \u21911 \u21930"
    run(qtbot, sync, sync.sync)
    state = seen["state"][-1]
    assert (state.branch, state.ahead, state.behind, state.merging) == ("main", 0, 0, False)
    assert describe_state(state) == "main \u00b7 up to date"
    assert seen["paths"] == [["articles/doc-3.md"]]
    assert seen["message"][-1] == "Pulled and pushed; 1 file changed."
    assert seen["busy"] == [True, False] and seen["progress"][0] == (0, 0, "Syncing with the remote")
    assert "Alice's fix." in bob.read("articles/doc-3.md")
    assert alice.sync().status == "ok" and "Bob's fix." in alice.read("articles/doc-4.md")
    run(qtbot, sync, sync.pull)
    assert seen["message"][-1] == "Pulled: already up to date." and seen["paths"] == [["articles/doc-3.md"]]


def test_conflicts_are_found_and_the_touched_files_reported(qtbot, alice: Side, bob: Side,  # noqa: ANN001
                                                            git_work) -> None:
    alice.edit("articles/doc-1.md", "1. Check the basics.", "1. Check the cable.")
    alice.edit("articles/doc-5.md", "Try again.", "Alice only.")
    alice.commit()
    alice.sync()
    bob.edit("articles/doc-1.md", "1. Check the basics.", "1. Check the power.")
    bob.commit()
    sync, seen = controller(qtbot, bob, git_work)
    run(qtbot, sync, sync.sync)
    assert seen["conflicts"] == [["articles/doc-1.md"]]
    assert seen["paths"] == [["articles/doc-1.md", "articles/doc-5.md"]]    # markers and the clean merge
    assert "conflicts to resolve: articles/doc-1.md" in seen["message"][-1]
    assert seen["state"][-1].merging and "merging" in describe_state(seen["state"][-1])
    run(qtbot, sync, sync.push)                                      # nothing half-merged is pushed
    assert seen["conflicts"][-1] == ["articles/doc-1.md"]


def test_mass_deletion_asks_first_then_goes_on(qtbot, alice: Side, bob: Side, git_work) -> None:  # noqa: ANN001
    for number in (1, 2, 3):
        alice.git("rm", "-q", f"articles/doc-{number}.md")
    alice.commit("Remove three")
    alice.sync()
    sync, seen = controller(qtbot, bob, git_work)
    run(qtbot, sync, sync.sync)
    [asked] = seen["deletions"]
    assert asked.status == "needs_confirmation" and len(asked.deletions) == 3
    assert "would take 3 of 8 documents out of the KB (3 deleted)" in seen["message"][-1]
    assert seen["paths"] == []
    assert (bob.root / "articles/doc-1.md").exists()
    run(qtbot, sync, lambda: sync.sync(allow_mass_delete=True))
    assert seen["paths"] == [[f"articles/doc-{n}.md" for n in (1, 2, 3)]]
    assert not (bob.root / "articles/doc-1.md").exists() and len(seen["deletions"]) == 1


@pytest.mark.timeout(60)
def test_a_hanging_remote_times_out_while_the_gui_keeps_running(qtbot, bob: Side, git_work,  # noqa: ANN001
                                                                 silent_port: int) -> None:
    bob.git("remote", "set-url", "origin", f"git://127.0.0.1:{silent_port}/kb.git")
    sync, seen = controller(qtbot, bob, git_work, timeout=2)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    started = time.monotonic()
    assert sync.sync()
    qtbot.waitUntil(lambda: len(ticks) >= 20 and sync.busy, timeout=5_000)   # the event loop runs meanwhile
    assert not sync.sync()                                                    # one transfer at a time
    assert "still busy" in seen["message"][-1]
    qtbot.waitUntil(lambda: not sync.busy, timeout=15_000)
    timer.stop()
    assert time.monotonic() - started < 12
    assert "did not answer in time" in seen["message"][-1]
    assert seen["state"][-1].behind == 0 and seen["paths"] == []


@pytest.mark.timeout(60)
def test_cancel_stops_a_hanging_pull(qtbot, bob: Side, git_work, silent_port: int) -> None:  # noqa: ANN001
    bob.git("remote", "set-url", "origin", f"git://127.0.0.1:{silent_port}/kb.git")
    sync, seen = controller(qtbot, bob, git_work, timeout=30)
    assert sync.pull()
    qtbot.wait(300)
    started = time.monotonic()
    sync.cancel()
    qtbot.waitUntil(lambda: not sync.busy, timeout=5_000)
    assert time.monotonic() - started < 3
    assert seen["message"][-1] == "Pull cancelled: nothing was changed."


@pytest.mark.timeout(60)
def test_authentication_failure_says_how_to_set_credentials_up(qtbot, bob: Side, git_work,  # noqa: ANN001
                                                               http_remote: str) -> None:  # noqa: F811
    bob.git("remote", "set-url", "origin", http_remote.replace("http://", "http://alice:wrong-pass@"))
    sync, seen = controller(qtbot, bob, git_work)
    run(qtbot, sync, sync.sync, timeout=40_000)
    message = seen["message"][-1]
    assert message.startswith("Authentication failed for the remote") and "credential helper" in message
    assert "wrong-pass" not in message and "***@127.0.0.1" in message
