"""The status bar's "N uncommitted" counts what the author changed, not the knowledge loop's record
files, which Sync commits on its own (issue #15 report, P9: "3 uncommitted" after one saved edit)."""

from __future__ import annotations

from datetime import UTC, datetime

from kbstudio.loop.identity import Agent
from kbstudio.loop.logfiles import append_record
from tests.vcs.conftest import Side


def test_loop_records_are_not_counted_as_uncommitted(alice: Side) -> None:
    alice.edit("articles/doc-2.md", "title: Clear a printer queue", "title: Clear a stuck printer queue")
    moment = datetime(2026, 11, 30, tzinfo=UTC)
    append_record(alice.root, "gaps", {"v": 1, "query": "vpn"}, moment, Agent("Ana"), "dev1")
    append_record(alice.root, "usage", {"v": 1, "doc": "KB-0002"}, moment, Agent("Ana"), "dev1")
    vc = alice.vc()
    assert len(vc.committer.status()) > 2       # the records (and their .gitattributes) are there ...
    assert vc.sync.state().uncommitted == 1     # ... but only the edited document counts
