"""The deletion guard over real git: every way a pull can take documents out of the KB is counted.

A bare remote and two clones (tests/vcs/conftest.py) of a ten-document KB: Alice takes documents out
in one way or another and pushes; Bob's sync must stop (exit 5 on the command line) before merging,
with nothing lost, and name how each document leaves. Two documents (20%) go through.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbstudio.cli import main
from kbstudio.index.service import SearchService
from kbstudio.vcs.guard import TEAM_FILE, Leaving, UserLimits, parse_percent, team_limit
from tests.conftest import UserFolders

from .conftest import Side, document, git

TEN = [f"articles/doc-{n}.md" for n in range(1, 8)] + ["sops/escalate.md", "articles/extra-8.md",
                                                       "articles/extra-9.md"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def ten(alice: Side, bob: Side) -> tuple[Side, Side]:
    """Alice and Bob share a KB of ten documents."""
    alice.write("articles/extra-8.md", document("KB-0008", "Extra eight"))
    alice.write("articles/extra-9.md", document("KB-0009", "Extra nine"))
    alice.commit("Two more")
    assert alice.sync().status == "ok"
    assert bob.sync().status == "ok"
    assert len(bob.kb.load_all()) == 10
    return alice, bob


def _move(side: Side, old: str, new: str) -> None:
    (side.root / new).parent.mkdir(parents=True, exist_ok=True)
    side.git("mv", old, new)


WAYS = {
    "deleted": lambda side, rel: side.git("rm", "-q", rel),
    "renamed": lambda side, rel: _move(side, rel, rel + ".bak"),
    "hidden": lambda side, rel: _move(side, rel, ".trash/" + rel),
    "templates": lambda side, rel: _move(side, rel, "_templates/" + Path(rel).name),
}
DOCS = ["articles/doc-1.md", "articles/doc-2.md", "articles/doc-3.md"]


def _assert_nothing_lost(bob: Side, head: str) -> None:
    assert bob.git("rev-parse", "HEAD").strip() == head
    assert not bob.git("status", "--porcelain")
    assert len(bob.kb.load_all()) == 10
    for rel in TEN:
        assert (bob.root / rel).is_file(), rel


@pytest.mark.parametrize("way", list(WAYS))
def test_three_of_ten_leaving_stops_the_sync_whatever_git_calls_it(
        way: str, ten: tuple[Side, Side], capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = ten
    for rel in DOCS:
        WAYS[way](alice, rel)
    alice.commit(f"Alice: {way}")
    assert alice.sync().status == "ok"
    head = bob.git("rev-parse", "HEAD").strip()

    result = bob.sync()
    assert result.status == "needs_confirmation" and not result.pulled
    assert result.deletions == DOCS
    assert result.guard is not None and result.guard.counts == {way: 3} and result.guard.total == 10
    assert [entry.kind for entry in result.guard.leaving] == [way] * 3
    assert "3 of 10 documents" in result.message and "25% (the default)" in result.message
    _assert_nothing_lost(bob, head)

    code, out, err = run(capsys, "sync", str(bob.root))
    assert code == 5 and "--allow-deletions" in err
    expected = {"deleted": "would delete articles/doc-1.md",
                "renamed": "would rename articles/doc-1.md to articles/doc-1.md.bak (not a document)",
                "hidden": "would move articles/doc-1.md into a hidden folder: .trash/articles/doc-1.md",
                "templates": "would move articles/doc-1.md into _templates/: _templates/doc-1.md"}[way]
    assert expected in err
    _assert_nothing_lost(bob, head)

    code, out, _ = run(capsys, "sync", str(bob.root), "--json")
    data = json.loads(out)
    assert code == 5 and data["status"] == "needs_confirmation" and data["deletions"] == DOCS
    assert data["deletion_guard"]["counts"] == {way: 3} and data["deletion_guard"]["total"] == 10
    _assert_nothing_lost(bob, head)

    assert run(capsys, "sync", str(bob.root), "--allow-deletions")[0] == 0
    assert len(bob.kb.load_all()) == 7
    assert "The caller cannot connect to the vpn." in bob.all_history_text()


def test_mixed_ways_are_counted_together_and_the_question_names_each(ten: tuple[Side, Side]) -> None:
    alice, bob = ten
    WAYS["deleted"](alice, "articles/doc-1.md")
    WAYS["renamed"](alice, "articles/doc-2.md")
    WAYS["hidden"](alice, "articles/doc-3.md")
    alice.commit("Alice: one of each")
    alice.sync()
    result = bob.sync()
    assert result.status == "needs_confirmation" and result.guard is not None
    assert result.guard.counts == {"deleted": 1, "renamed": 1, "hidden": 1}
    question = result.guard.question()
    assert "This pull would take 3 of the 10 documents out of the knowledge base" in question
    assert "1 deleted:\n    articles/doc-1.md" in question
    assert "1 renamed to a name that is not a document:\n    articles/doc-2.md" in question
    assert "articles/doc-2.md.bak" in question and ".trash/articles/doc-3.md" in question
    assert "1 moved into a hidden folder" in question and "Nothing has changed yet" in question


def test_two_of_ten_go_through_and_leave_the_index(ten: tuple[Side, Side], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = ten
    index_dir = tmp_path / "idx"
    service = SearchService(bob.kb, index_dir)
    service.ensure()
    assert [hit.path for hit in service.search("printer queue").results] == ["articles/doc-2.md"]
    service.close()
    WAYS["renamed"](alice, "articles/doc-1.md")
    WAYS["hidden"](alice, "articles/doc-2.md")
    alice.commit("Alice: two out")
    alice.sync()
    code, _, err = run(capsys, "sync", str(bob.root), "--index-dir", str(index_dir))
    assert code == 0, err
    assert not (bob.root / "articles/doc-1.md").exists() and (bob.root / ".trash/articles/doc-2.md").exists()
    assert "index updated: 0 added, 0 updated, 2 removed" in err
    service = SearchService(bob.kb, index_dir)
    assert service.open_existing()
    assert service.search("printer queue").results == []           # doc-2's words: it left the KB
    service.close()


def test_renames_between_documents_do_not_count(ten: tuple[Side, Side]) -> None:
    alice, bob = ten
    for number in range(1, 8):
        _move(alice, f"articles/doc-{number}.md", f"network/doc-{number}.md")
    alice.commit("Alice: a new folder")
    alice.sync()
    result = bob.sync()
    assert result.status == "ok" and len(bob.kb.load_all()) == 10


def test_examples_are_a_few_per_kind(ten: tuple[Side, Side]) -> None:
    alice, bob = ten
    for number in range(1, 8):
        WAYS["hidden"](alice, f"articles/doc-{number}.md")
    alice.commit()
    alice.sync()
    guard = bob.sync().guard
    assert guard is not None
    question = guard.question()
    assert "7 moved into a hidden folder:" in question and "and 4 more" in question
    assert question.count("\u2192") == 3


def test_a_move_out_of_a_kb_folder_inside_the_repository_counts(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    bare = tmp_path / "mono.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    seed = tmp_path / "mono-seed"
    git(tmp_path, "clone", "-q", str(bare), str(seed))
    for number in range(1, 5):
        (seed / "kb" / "articles").mkdir(parents=True, exist_ok=True)
        (seed / "kb" / "articles" / f"d{number}.md").write_text(document(f"KB-{number:04d}", f"D {number}"))
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "seed")
    git(seed, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", str(bare), str(tmp_path / "mono-bob"))
    (seed / "old").mkdir()
    git(seed, "mv", "kb/articles/d1.md", "old/d1.md")
    git(seed, "mv", "kb/articles/d2.md", "old/d2.md")
    git(seed, "commit", "-q", "-m", "out of the KB")
    git(seed, "push", "-q", "origin", "HEAD:main")
    kb = tmp_path / "mono-bob" / "kb"
    code, out, err = run(capsys, "sync", str(kb), "--json")
    data = json.loads(out)
    assert code == 5 and data["deletion_guard"]["counts"] == {"outside": 2}
    assert data["deletion_guard"]["leaving"][0]["new_path"] == "old/d1.md"
    assert (kb / "articles" / "d1.md").exists()


# The limit: the team's file, the user's own, this run's -------------------------------------------

def test_the_team_limit_is_read_from_before_the_pull(ten: tuple[Side, Side],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = ten
    alice.write(TEAM_FILE, "deletion_guard: 10%\n")
    alice.commit("Team: ask above 10%")
    alice.sync()
    assert bob.sync().status == "ok"
    for rel in DOCS[:2]:                                    # 20%: over the team's 10%
        WAYS["deleted"](alice, rel)
    alice.commit()
    alice.sync()
    result = bob.sync()
    assert result.status == "needs_confirmation"
    assert "10% (the team's, in .kbstudio/sync.yaml)" in result.message
    # the same pull raising the team's limit does not loosen its own guard
    alice.write(TEAM_FILE, "deletion_guard: 50%\n")
    alice.commit("Team: 50%")
    alice.sync()
    assert bob.sync().status == "needs_confirmation"
    assert (bob.root / DOCS[0]).exists()
    assert run(capsys, "sync", str(bob.root), "--allow-deletions")[0] == 0
    assert "50% (the team's" in run(capsys, "deletion-guard", str(bob.root))[1]


def test_a_versioned_limit_above_half_is_lowered_to_half(ten: tuple[Side, Side]) -> None:
    alice, bob = ten
    alice.write(TEAM_FILE, "deletion_guard: 100%\n")
    alice.commit("Switch the guard off for everyone")
    alice.sync()
    assert bob.sync().status == "ok"
    for number in range(1, 7):                              # 60%
        WAYS["templates"](alice, f"articles/doc-{number}.md")
    alice.commit()
    alice.sync()
    result = bob.sync()
    assert result.status == "needs_confirmation" and result.guard is not None
    assert result.guard.limit.percent == 50 and "asks for 100%" in result.message
    assert len(bob.kb.load_all()) == 10


def test_the_users_own_limit_wins_and_lives_outside_the_kb(ten: tuple[Side, Side], isolated_user: UserFolders,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = ten
    alice.write(TEAM_FILE, "deletion_guard: 5\n")
    alice.commit()
    alice.sync()
    bob.sync()
    code, out, _ = run(capsys, "deletion-guard", str(bob.root), "70%")
    assert code == 0 and "70% (your own setting for this KB)" in out
    saved = isolated_user.config / "deletion-guard.json"
    assert saved.is_file() and not bob.git("status", "--porcelain")
    for number in range(1, 7):
        WAYS["deleted"](alice, f"articles/doc-{number}.md")
    alice.commit()
    alice.sync()
    assert bob.sync().status == "ok"


def test_this_runs_limit(ten: tuple[Side, Side], capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = ten
    WAYS["deleted"](alice, "articles/doc-1.md")
    alice.commit()
    alice.sync()
    code, _, err = run(capsys, "sync", str(bob.root), "--deletion-guard", "0")
    assert code == 5 and "0% (chosen for this sync)" in err
    with pytest.raises(SystemExit) as usage:
        run(capsys, "sync", str(bob.root), "--deletion-guard", "150")
    assert usage.value.code == 2 and "from 0 to 100" in capsys.readouterr().err
    assert run(capsys, "sync", str(bob.root), "--deletion-guard", "10%")[0] == 0


def test_clear_and_bad_values(bob: Side, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "deletion-guard", str(bob.root), "lots")[0] == 2
    assert run(capsys, "deletion-guard", str(bob.root), "30")[0] == 0
    assert UserLimits().get(bob.root) == 30
    code, out, _ = run(capsys, "deletion-guard", str(bob.root), "--clear", "--json")
    assert code == 0 and json.loads(out)["source"] == "default" and UserLimits().get(bob.root) is None


@pytest.mark.parametrize(("text", "percent", "source"), [
    (None, None, None),
    ("", None, None),
    ("deletion_guard: 10%", 10, "team"),
    ("deletion_guard: '12.5 %'", 12.5, "team"),
    ("deletion_guard: 0", 0, "team"),
    ("deletion_guard: 51", 50, "team"),
    ("deletion_guard: -3", 25, "default"),
    ("deletion_guard: [10]", 25, "default"),
    ("deletion_guard: !!python/object:os.system x", 25, "default"),
    ("a: &a [x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
     "deletion_guard: 1", 25, "default"),
])
def test_reading_the_team_file(text: str | None, percent: float | None, source: str | None) -> None:
    limit = team_limit(text)
    if percent is None:
        assert limit is None
    else:
        assert limit is not None and (limit.percent, limit.source) == (percent, source)


def test_percent_values() -> None:
    assert parse_percent("25%") == 25 and parse_percent(7) == 7 and parse_percent(" 0.5 % ") == 0.5
    for bad in ("101", "-1", "x", None, [], "1e3"):
        with pytest.raises(ValueError):
            parse_percent(bad)
    shown = str(Leaving("a.md", "renamed", "a.md.bak"))
    assert shown == "a.md (renamed to a name that is not a document: a.md.bak)"
