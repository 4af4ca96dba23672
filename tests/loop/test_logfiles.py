"""The loop's JSON Lines files: one per person, device and month; bad lines skipped and named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.loop import logfiles
from kbstudio.loop.identity import Agent, device_id
from kbstudio.loop.ledger import UseRequest, read_uses
from kbstudio.loop.logfiles import ATTRIBUTES_TEXT, USAGE, append_record, file_name, parse_file_name
from kbstudio.loop.service import KnowledgeLoop
from tests.loop.conftest import ANA, NOW, OUTLOOK


def _use(loop: KnowledgeLoop, kb: KnowledgeBase, when: datetime = NOW) -> str:
    return loop.record_use(kb.load(OUTLOOK), UseRequest("solved", tier="L1"), now=when).file


def test_each_person_device_and_month_has_its_own_file(kb: KnowledgeBase, ana: KnowledgeLoop,
                                                       ben: KnowledgeLoop) -> None:
    march = _use(ana, kb)
    assert march == _use(ana, kb)                                 # the same file for the same month
    april = _use(ana, kb, datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC))
    other_device = _use(KnowledgeLoop(kb, agent=ANA, device="cccc0003"), kb)
    bens = _use(ben, kb)
    assert len({march, april, other_device, bens}) == 4
    assert march.startswith(".kbstudio/usage/2026-03--ana-lopez-")
    assert april.startswith(".kbstudio/usage/2026-04--")
    assert parse_file_name(Path(march).name) == ("2026-03", ANA.slug, "aaaa0001")
    assert (kb.root / ".kbstudio/usage/.gitattributes").read_text("utf-8") == ATTRIBUTES_TEXT
    assert "*.jsonl merge=union" in ATTRIBUTES_TEXT
    assert len(read_uses(kb.root).records) == 5


def test_same_name_different_email_never_share_a_file() -> None:
    one, two = Agent("Sam Lee", "sam@a.example"), Agent("Sam Lee", "sam@b.example")
    assert one.slug != two.slug and one.slug.startswith("sam-lee-")
    assert file_name(NOW, one, "d1") != file_name(NOW, two, "d1")
    assert Agent.parse("Ana López <ana@example.com>") == ANA
    assert Agent("Ünal Ögüt").slug.startswith("unal-ogut-")


def test_device_differs_per_clone_and_machine(tmp_path: Path) -> None:
    assert device_id(tmp_path / "a", "m1") == device_id(tmp_path / "a", "m1")
    assert device_id(tmp_path / "a", "m1") != device_id(tmp_path / "b", "m1")
    assert device_id(tmp_path / "a", "m1") != device_id(tmp_path / "a", "m2")
    assert len(device_id(tmp_path)) == 8


def test_bad_lines_are_skipped_and_named(kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    rel = _use(ana, kb)
    path = kb.root / rel
    good = path.read_bytes()
    record = json.loads(good)
    bad_lines = [
        b"not json at all",
        b"\xff\xfe broken utf-8",
        b"[1, 2, 3]",
        json.dumps({**record, "outcome": "maybe"}).encode(),
        json.dumps({**record, "time": 12}).encode(),
        json.dumps({**record, "searches": "not a list"}).encode(),
        json.dumps({**record, "v": 99}).encode(),
        json.dumps({**record, "ticket": {"nested": 1}}).encode(),
    ]
    path.write_bytes(good + b"\n".join(bad_lines) + b"\n" + good + b'{"v":1,"type":"use","id":"x')
    read = read_uses(kb.root)
    assert len(read.records) == 2
    assert [entry.line for entry in read.records] == [1, 10]
    problems = {problem.line: problem.message for problem in read.problems}
    assert sorted(problems) == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert "not valid JSON" in problems[2]
    assert "not valid UTF-8" in problems[3]
    assert "not a record object" in problems[4]
    assert "outcome 'maybe' is not one of" in problems[5]
    assert "time must be text" in problems[6]
    assert "searches must be a list" in problems[7]
    assert "newer KB Studio" in problems[8]
    assert "ticket must be text" in problems[9]
    assert "cut short" in problems[11]
    assert all(problem.path == rel for problem in read.problems)
    assert str(read.problems[0]).startswith(f"{rel}:2: warning: ")


def test_append_after_a_cut_short_line_starts_a_new_line(kb: KnowledgeBase, ana: KnowledgeLoop) -> None:
    rel = _use(ana, kb)
    path = kb.root / rel
    path.write_bytes(path.read_bytes() + b'{"v":1,"type":"us')
    _use(ana, kb)
    read = read_uses(kb.root)
    assert len(read.records) == 2
    assert [(problem.line, "not valid JSON" in problem.message) for problem in read.problems] == [(2, True)]


def test_unknown_fields_are_kept_readable_and_numbers_as_tickets(tmp_path: Path) -> None:
    record = {"v": 1, "type": "use", "id": "abc", "time": "2026-03-10T12:00:00Z", "agent": "Ana",
              "document": "KB-0001", "outcome": "solved", "ticket": 12345, "added_later": [1]}
    append_record(tmp_path, USAGE, record, NOW, ANA, "d1")
    entry = read_uses(tmp_path).items()[0]
    assert entry.ticket == "12345" and entry.document == "KB-0001"
    assert entry.time == NOW


def test_links_are_never_written_through_and_huge_files_are_skipped(
        kb: KnowledgeBase, ana: KnowledgeLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rel = _use(ana, kb)
    path = kb.root / rel
    outside = tmp_path / "outside.txt"
    outside.write_text("mine\n", "utf-8")
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(OSError):
        _use(ana, kb)
    assert outside.read_text("utf-8") == "mine\n"
    assert read_uses(kb.root).records == []          # a linked file is not read either
    path.unlink()
    _use(ana, kb)
    monkeypatch.setattr(logfiles, "MAX_FILE_BYTES", 10)
    read = read_uses(kb.root)
    assert read.records == [] and read.problems[0].line is None and "too large" in read.problems[0].message
    flags = kb.root / ".kbstudio/flags"
    flags.parent.mkdir(exist_ok=True)
    flags.symlink_to(tmp_path)
    with pytest.raises(OSError, match="symbolic link"):
        ana.flag(kb.load(OUTLOOK), "wrong")
