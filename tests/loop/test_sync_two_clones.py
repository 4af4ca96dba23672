"""Real git: two clones of a bare remote, two agents recording on the same documents, syncing both ways."""

from __future__ import annotations

from datetime import timedelta

from kbstudio.loop.board import compute_figures
from kbstudio.loop.flags import read_flags
from kbstudio.loop.gaps import NO_RESULTS, read_gaps
from kbstudio.loop.gitsync import commit_loop_files, commit_message, pending_loop_files
from kbstudio.loop.ledger import UseRequest, read_uses
from kbstudio.loop.service import KnowledgeLoop
from kbstudio.vcs.repo import KBRepo
from tests.loop.conftest import ANA, BEN, NOW
from tests.vcs.conftest import Side, git

ROUNDS = 4
DOCS = ("articles/doc-1.md", "articles/doc-2.md")


def _loop(side: Side, agent: object) -> KnowledgeLoop:
    return KnowledgeLoop.open(side.kb, agent=agent)   # type: ignore[arg-type]


def _record(side: Side, agent: object, round_: int, offset: int) -> None:
    loop = _loop(side, agent)
    when = NOW + timedelta(days=round_, minutes=offset)
    for rel in DOCS:
        document = side.kb.load(rel)
        loop.record_use(document, UseRequest("solved", ticket=f"INC-{round_}{offset}", tier="L1"), now=when)
    loop.flag(side.kb.load(DOCS[round_ % 2]), "outdated", comment=f"round {round_}", now=when)
    loop.record_gap(f"printer jam round {round_}", NO_RESULTS, tier="L1", now=when)
    open_flags = [flag for flag in loop.flags() if flag.is_open and flag.opened_by != str(agent)]
    if open_flags:   # resolve one of the other agent's flags
        loop.resolve_flag(open_flags[0], commit="0" * 40, now=when + timedelta(hours=1))


def _state(side: Side) -> tuple[object, ...]:
    root = side.kb.root
    uses, gaps = read_uses(root), read_gaps(root)
    flags, events = read_flags(root)
    assert not uses.problems and not gaps.problems and not events.problems
    return (sorted(entry.id for entry in uses.items()), sorted(entry.id for entry in gaps.items()),
            [flag.to_json() for flag in flags])


def test_two_agents_sync_both_ways_many_times_without_conflict_or_loss(alice: Side, bob: Side) -> None:
    article_edit = "The caller cannot"
    for round_ in range(ROUNDS):
        _record(alice, ANA, round_, 0)
        _record(bob, BEN, round_, 1)
        # Alice is also editing an article, not committed: the loop commit must leave it alone.
        alice.edit(DOCS[0], article_edit, f"Round {round_}: the caller cannot")
        article_edit = f"Round {round_}: the caller cannot"
        first = bob.sync()
        assert first.ok, first.message
        assert any(note.startswith("committed 2 uses, 1 flag") for note in first.notes)
        # Alice's pull stops for her own article edit, yet her loop files are committed already...
        stopped = alice.sync()
        assert stopped.status == "uncommitted" and stopped.uncommitted == [DOCS[0]]
        assert not pending_loop_files(alice.vc().repo)
        assert git(alice.root, "diff", "--name-only").split() == [DOCS[0]]   # the edit is untouched
        alice.commit(f"edit round {round_}")
        second = alice.sync()
        assert second.ok and not second.conflicts, second.message
        third = bob.sync()
        assert third.ok and not third.conflicts, third.message
    assert alice.sync().ok                      # the last merge reaches both
    assert _state(alice) == _state(bob)
    later = NOW + timedelta(days=ROUNDS + 1)
    figures = [compute_figures(side.kb, side.kb.load_all(), side.vc().repo, later).to_json()
               for side in (alice, bob)]
    assert figures[0] == figures[1]
    assert figures[0]["uses_total"] == ROUNDS * 2 * len(DOCS)
    assert figures[0]["reuse"][0]["reuse_30"] == ROUNDS * 2
    assert (figures[0]["flags_opened"], figures[0]["flags_open"]) == (ROUNDS * 2, 2)
    assert figures[0]["gap_groups"] == 1 and figures[0]["open_gaps"] == 1   # "printer jam round N": one group
    uses, gaps, flags = _state(alice)
    assert len(uses) == ROUNDS * 2 * len(DOCS)
    assert len(gaps) == ROUNDS * 2
    assert len(flags) == ROUNDS * 2
    # In round 0 neither has the other's flag yet; later each resolves one of the other's per round.
    assert sum(1 for flag in flags if not flag["open"]) == 2 * (ROUNDS - 1)
    assert not (alice.root / ".git/MERGE_HEAD").exists() and not (bob.root / ".git/MERGE_HEAD").exists()
    log = git(alice.root, "log", "--format=%s")
    assert "Knowledge loop: 2 uses, 1 flag, 1 flag resolved, 1 search gap" in log
    files = git(alice.root, "ls-files", ".kbstudio").split()
    assert ".kbstudio/usage/.gitattributes" in files
    ledgers = [name for name in files if name.startswith(".kbstudio/usage/") and name.endswith(".jsonl")]
    assert len(ledgers) == 2


def test_loop_commit_takes_only_loop_files(alice: Side) -> None:
    loop = _loop(alice, ANA)
    loop.record_use(alice.kb.load(DOCS[0]), UseRequest("partly"), now=NOW)
    alice.edit(DOCS[1], "The caller cannot", "Edited: the caller cannot")
    git(alice.root, "add", DOCS[1])                    # even a staged article edit stays staged
    repo = KBRepo.find(alice.kb)
    assert repo is not None
    result = commit_loop_files(repo)
    assert result is not None and result.message == "Knowledge loop: 1 use"
    assert sorted(result.changed) == [".kbstudio/usage/.gitattributes",
                                      loop.uses().records[0].path]
    assert git(alice.root, "diff", "--cached", "--name-only").split() == [DOCS[1]]
    assert git(alice.root, "show", "--name-only", "--format=", "HEAD").split() == sorted(result.changed)
    assert commit_loop_files(repo) is None             # nothing pending any more


def test_commit_message_counts() -> None:
    from collections import Counter

    assert commit_message(Counter(use=3, flag=1)) == "Knowledge loop: 3 uses, 1 flag"
    assert commit_message(Counter({"flag-resolved": 2, "gap": 1})) == \
        "Knowledge loop: 2 flags resolved, 1 search gap"
    assert commit_message(Counter()) == "Knowledge loop: record files"
