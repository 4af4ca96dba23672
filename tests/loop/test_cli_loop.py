"""The use, flag, flags, gaps, remind and dashboard commands, and the hand-off note's use, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbstudio.cli import main
from kbstudio.kb import KnowledgeBase
from kbstudio.lint import lint_kb, select_rules
from kbstudio.loop.ledger import UseRequest, read_uses
from kbstudio.loop.service import KnowledgeLoop
from tests.conftest import write
from tests.loop.conftest import ANA, NOW, OUTLOOK
from tests.vcs.conftest import git

Cap = pytest.CaptureFixture[str]


def cli(capsys: Cap, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_use_records_and_lists(content_copy: Path, capsys: Cap) -> None:
    kb = str(content_copy)
    code, out, err = cli(capsys, "use", kb, "kb-0019", "--ticket", "INC-7", "--search", "outlook pw",
                         "--tier", "l1", "--json")
    assert code == 0, err
    entry = json.loads(out)
    assert (entry["document"], entry["path"], entry["ticket"], entry["outcome"], entry["tier"], entry["via"],
            entry["searches"]) == ("KB-0019", OUTLOOK, "INC-7", "solved", "L1", "cli", ["outlook pw"])
    assert entry["agent"] == "Test Author <test@example.com>"
    code, out, err = cli(capsys, "use", kb, OUTLOOK, "--outcome", "escalated", "--sop", "SOP-0005")
    assert code == 0 and out.startswith(".kbstudio/usage/") and "KB-0019: escalated" in err
    assert "recorded without a tier (the figures count it as untiered)" in err
    code, out, _ = cli(capsys, "use", kb, "--json")
    assert sorted(item["outcome"] for item in json.loads(out)) == ["escalated", "solved"]
    code, out, err = cli(capsys, "use", kb)
    assert code == 0 and out.count("KB-0019") == 2 and "2 uses recorded" in err


@pytest.mark.parametrize(("args", "message"), [
    (("KB-9999",), "no document 'KB-9999'"),
    (("KB-0019", "--outcome", "escalated"), "needs the SOP"),
    (("KB-0019", "--ticket", "a\x07b"), "control characters"),
    (("KB-0019", "--outcome", "escalated", "--sop", "SOP-9999"), "no SOP 'SOP-9999' in the knowledge base"),
    (("KB-0019", "--outcome", "escalated", "--sop", "KB-0020"), "'KB-0020' is an article, not an SOP"),
    (("KB-0019", "--ticket", "x" * 5000), "the ticket reference is 5000 characters long"),
])
def test_use_bad_input_exits_two(content_copy: Path, capsys: Cap, args: tuple[str, ...],
                                 message: str) -> None:
    code, out, err = cli(capsys, "use", str(content_copy), *args)
    assert code == 2 and out == "" and message in err
    assert not (content_copy / ".kbstudio/usage").exists()


def test_flag_resolve_and_list(content_copy: Path, capsys: Cap) -> None:
    kb = str(content_copy)
    code, out, err = cli(capsys, "flag", kb, "KB-0019", "--reason", "outdated", "--comment", "new UI",
                         "--anchor", "resolution")
    assert code == 0 and "opened" in err
    flag_id = out.strip()
    code, out, _ = cli(capsys, "flags", kb, "--json")
    flags = json.loads(out)
    assert [(flag["id"], flag["reason"], flag["open"], flag["anchor"]) for flag in flags] == [
        (flag_id, "outdated", True, "resolution")]
    code, out, _ = cli(capsys, "flags", kb)
    assert out.startswith("Messaging Team:\n") and f"{flag_id[:8]}  outdated" in out
    code, out, err = cli(capsys, "flags", kb, "--owner", "Nobody", "--json")
    assert json.loads(out) == []
    # an L0 reader may not fix an L1 article; an L2 may
    code, _, err = cli(capsys, "flag", kb, "--resolve", flag_id[:6])         # no tier: the check needs it
    assert code == 2 and "give the tier you work at to resolve a flag: --tier L1" in err
    assert [flag["open"] for flag in json.loads(cli(capsys, "flags", kb, "--json")[1])] == [True]
    code, _, err = cli(capsys, "flag", kb, "--resolve", flag_id[:6], "--tier", "L0")
    assert code == 1 and "may not fix a L1 document" in err
    code, _, err = cli(capsys, "flag", kb, "--resolve", flag_id[:6], "--tier", "L2", "--commit", "abc123")
    assert code == 2 and "not in a git repository: no commit can be named" in err
    code, out, _ = cli(capsys, "flag", kb, "--resolve", flag_id[:6], "--tier", "L2", "--json")
    assert code == 0 and json.loads(out)["event"] == "resolve" and json.loads(out)["commit"] is None
    code, _, err = cli(capsys, "flag", kb, "--resolve", flag_id, "--tier", "L2")
    assert code == 1 and "already resolved" in err
    code, out, _ = cli(capsys, "flags", kb, "KB-0019", "--all", "--json")
    assert [flag["resolved_by"] for flag in json.loads(out)] == ["Test Author <test@example.com>"]
    code, _, err = cli(capsys, "flag", kb, "KB-0019")
    assert code == 2 and "--reason" in err
    code, _, err = cli(capsys, "flag", kb, "--resolve", "zzzz")
    assert code == 2 and "no flag 'zzzz'" in err


@pytest.mark.parametrize(("anchor", "message"), [
    ("no-such-heading", f"no heading 'no-such-heading' in {OUTLOOK}"),
    ("9999", f"line 9999 is not in {OUTLOOK}, which has"),
])
def test_flag_refuses_an_anchor_that_is_not_in_the_document(content_copy: Path, capsys: Cap, anchor: str,
                                                           message: str) -> None:
    code, out, err = cli(capsys, "flag", str(content_copy), "KB-0019", "--reason", "duplicate",
                         "--anchor", anchor)
    assert code == 2 and out == "" and message in err
    assert not (content_copy / ".kbstudio/flags").exists()
    code, out, err = cli(capsys, "flag", str(content_copy), "KB-0019", "--reason", "unclear",
                         "--anchor", "20")
    assert code == 0 and (content_copy / ".kbstudio/flags").is_dir()       # a line within the file


def test_resolve_names_only_a_commit_of_the_repository(content_copy: Path, capsys: Cap) -> None:
    kb = str(content_copy)
    git(content_copy, "init", "-q")
    git(content_copy, "add", "-A")
    git(content_copy, "commit", "-q", "-m", "Seed")
    head = git(content_copy, "rev-parse", "HEAD").strip()
    _, out, _ = cli(capsys, "flag", kb, "KB-0019", "--reason", "outdated")
    flag_id = out.strip()
    code, out, err = cli(capsys, "flag", kb, "--resolve", flag_id, "--tier", "L1", "--commit", "deadbeef")
    assert code == 2 and out == "" and "'deadbeef' is not a commit of this repository" in err
    code, out, err = cli(capsys, "flag", kb, "--resolve", flag_id, "--tier", "L1", "--commit", head[:7],
                         "--json")
    assert code == 0 and json.loads(out)["commit"] == head          # recorded as the full id


def test_flag_open_is_a_health_finding_at_the_anchor(content_copy: Path) -> None:
    kb = KnowledgeBase(content_copy)
    document = kb.load(OUTLOOK)
    KnowledgeLoop(kb, agent=ANA, device="d1").flag(document, "missing-step", comment="step 4",
                                                   anchor="resolution", now=NOW)
    problems = lint_kb(kb, rules=select_rules(["flag-open"]))
    line = document.text.split("\n").index("## Resolution") + 1
    assert [(problem.path, problem.line, problem.severity) for problem in problems] == [
        (OUTLOOK, line, "warning")]
    assert "flagged missing step by Ana López <ana@example.com> on 2026-03-10: step 4" in problems[0].message


def test_gaps_list_and_create(content_copy: Path, capsys: Cap) -> None:
    kb = KnowledgeBase(content_copy)
    loop = KnowledgeLoop(kb, agent=ANA, device="d1")
    for query in ("Teams camera black", "teams camera is black", "Teams camera black"):
        loop.record_gap(query, "no-results", now=NOW)
    code, out, err = cli(capsys, "gaps", str(content_copy), "--json", "--no-search")
    groups = json.loads(out)
    assert code == 0 and [(group["query"], group["count"], group["open"]) for group in groups] == [
        ("Teams camera black", 3, True)]
    code, out, err = cli(capsys, "gaps", str(content_copy), "--create", "1", "--tier", "L1",
                         "--owner", "Collab", "--json", "--no-search")
    created = json.loads(out)
    assert code == 0 and created["key"] == groups[0]["key"]
    text = (content_copy / created["path"]).read_text("utf-8")
    assert "status: draft" in text and "- Teams camera black\n- teams camera is black\n" in text
    code, out, _ = cli(capsys, "gaps", str(content_copy), "--no-search")
    assert f"draft: {created['id']}" in out
    code, _, err = cli(capsys, "gaps", str(content_copy), "--create", "7", "--tier", "L1", "--no-search")
    assert code == 2 and "no gap '7'" in err
    code, _, err = cli(capsys, "gaps", str(content_copy), "--create", "1", "--no-search")
    assert code == 2 and "--tier" in err


def test_remind_and_dashboard_json(tmp_path: Path, capsys: Cap) -> None:
    root = tmp_path / "kb"
    write(root, "articles/a.md", "---\nid: KB-0001\ntitle: A\ntier: L4\nstatus: published\nowner: Vendors\n"
                                 "---\n# A\n")
    write(root, ".kbstudio/review.yaml", "review_interval_days:\n  L4: 30\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "seed",
        "--date=2025-01-01T00:00:00Z")
    committed = git(root, "log", "-1", "--format=%ad", "--date=short").strip()
    code, out, err = cli(capsys, "remind", str(root), "--json", "--today", "2030-01-01")
    data = json.loads(out)
    assert code == 0, err
    assert data["policy"]["review_interval_days"]["L4"] == 30
    [owner] = data["owners"]
    assert owner["owner"] == "Vendors" and owner["documents"][0]["reason"] == "interval"
    assert owner["documents"][0]["last_review"] == committed and owner["documents"][0]["overdue"]
    KnowledgeLoop(KnowledgeBase(root), agent=ANA, device="d1").record_use(
        KnowledgeBase(root).load("articles/a.md"), UseRequest("solved", tier="L1"), now=NOW)
    code, out, err = cli(capsys, "dashboard", str(root), "--json", "--today", "2026-03-11")
    data = json.loads(out)
    assert code == 0, err
    knowledge = data["knowledge"]
    assert knowledge["now"] == "2026-03-11T23:59:59Z" and knowledge["uses_total"] == 1
    assert knowledge["reuse"][0]["reuse_30"] == 1 and knowledge["link_rate"] == 1.0
    assert data["review_due"]["count"] == 1 and list(data["review_due"]["owners"]) == ["Vendors"]
    code, out, _ = cli(capsys, "dashboard", str(root), "--today", "2026-03-11")
    assert "Knowledge health (last 90 days):" in out and "resolved at tier: L1 100% of 1" in out


def test_handoff_records_the_use(content_copy: Path, tmp_path: Path, capsys: Cap) -> None:
    answers = write(tmp_path, "run.json", json.dumps({"article": "KB-0013", "checks": {"3": "solved"}}))
    kb = str(content_copy)
    code, _, err = cli(capsys, "handoff", kb, "SOP-0003", "--answers", str(answers), "--tier", "l1")
    assert code == 0 and "use recorded (solved)" in err
    [entry] = read_uses(content_copy).items()
    assert (entry.document, entry.outcome, entry.sop, entry.via, entry.tier) == (
        "KB-0013", "solved", "SOP-0003", "sop-run", "L1")
    code, _, err = cli(capsys, "handoff", kb, "SOP-0003", "--answers", str(answers), "--no-record")
    assert code == 0 and len(read_uses(content_copy).records) == 1
    code, _, _ = cli(capsys, "handoff", str(content_copy), "SOP-0003")     # a blank template records nothing
    assert len(read_uses(content_copy).records) == 1


def test_an_escalated_run_records_the_article_it_started_from(content_copy: Path, tmp_path: Path,
                                                               capsys: Cap) -> None:
    from tests.test_cli_sop import FULL_ANSWERS

    answers = write(tmp_path, "run.json", json.dumps({**FULL_ANSWERS, "article": "KB-0013"}))
    code, _, err = cli(capsys, "handoff", str(content_copy), "SOP-0003", "--answers", str(answers))
    assert code == 0 and "use recorded (escalated)" in err
    [entry] = read_uses(content_copy).items()
    assert (entry.document, entry.outcome, entry.sop, entry.tier) == (
        "KB-0013", "escalated", "SOP-0003", "L1")
    assert entry.run is not None and len(entry.run) == 16
    # The same run again (the note printed a second time): one use, and a note saying why.
    code, out, err = cli(capsys, "handoff", str(content_copy), "SOP-0003", "--answers", str(answers))
    assert code == 0 and out                                              # the note is still printed
    assert "note: this run was already recorded at" in err and "it is not counted twice" in err
    assert [item.id for item in read_uses(content_copy).items()] == [entry.id]
    # Other answers (another caller) are another run.
    fields = {**FULL_ANSWERS["fields"], "Username": "asmith"}                    # type: ignore[dict-item]
    other = write(tmp_path, "run2.json", json.dumps({**FULL_ANSWERS, "article": "KB-0013", "fields": fields}))
    code, _, err = cli(capsys, "handoff", str(content_copy), "SOP-0003", "--answers", str(other))
    assert code == 0 and "use recorded (escalated)" in err, err
    assert len(read_uses(content_copy).records) == 2


def test_ticket_of_a_run_is_its_ticket_field() -> None:
    from kbstudio.handoff import SopRun
    from kbstudio.loop.handoff import ticket_of

    assert ticket_of(SopRun(fields={"Username": "x", "Ticket number": " INC-9 "})) == "INC-9"
    assert ticket_of(SopRun(fields={"Example tickets": ""})) == ""
