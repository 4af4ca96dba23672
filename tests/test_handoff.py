"""Running an SOP: answers, validation, the SOP's version and the hand-off note as text and Markdown."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kbstudio.handoff import (
    DONE,
    NOT_DONE,
    RESOLVED,
    SOLVED,
    TEMPLATE,
    AnswersError,
    CheckAnswer,
    SopRun,
    build_note,
    format_minutes,
    handoff_markdown,
    handoff_text,
    limit_states,
    missing_required,
    resolution_article,
    run_from_answers,
    run_to_answers,
    sop_version,
)
from kbstudio.kb import KnowledgeBase
from kbstudio.sop import Sop, find_document, parse_sop
from tests.conftest import write

SOP_TEXT = """---
id: SOP-0042
title: Escalate widget faults
kind: sop
tier: L1
escalates_to: L2
---
# Escalate widget faults

## Scope

Widgets that stop.

## When to escalate

- The widget stays stopped.

## Before escalating

- [ ] Restart the widget with `widgetctl restart`.
- [ ] Follow [Fix a stuck widget](../articles/stuck-widget.md).

## Information to collect

- **Widget id** (required): on the **label**.
- **Error** (optional): the exact text.

## Escalate to

- **Tier:** L2
- **Team:** Widget Team
- **How:** Widget queue in the portal.

## Steps

1. Assign the ticket.

## Time limits

- **Before escalating:** 15 minutes on the call
- **Response from L2:** 4 business hours
"""
ARTICLE = """---
id: KB-0007
title: Fix a stuck widget
kind: article
tier: L1
---
# Fix a stuck widget
"""
START = datetime(2025, 5, 6, 10, 2)


@pytest.fixture()
def widget(kb_root: Path) -> tuple[Sop, list]:
    write(kb_root, "sops/widget.md", SOP_TEXT)
    write(kb_root, "articles/stuck-widget.md", ARTICLE)
    documents = KnowledgeBase(kb_root).load_all()
    return parse_sop(find_document(documents, "SOP-0042")), documents


def full_run() -> SopRun:
    return SopRun(issue="My widget stopped.\nIt says E42.", environment="Widget 3000, floor 2",
                  urgency="high", checks={0: CheckAnswer(DONE, "still stopped"), 1: CheckAnswer(NOT_DONE)},
                  fields={"widget id": "W-7"}, started=START, finished=START + timedelta(minutes=18))


def test_the_note_of_a_full_run_as_text(widget: tuple[Sop, list]) -> None:
    sop, documents = widget
    assert missing_required(sop, full_run()) == []
    assert handoff_text(sop, full_run(), version="abc1234", documents=documents) == """\
Escalation to L2: Escalate widget faults
========================================
SOP: SOP-0042 Escalate widget faults, version abc1234
Escalate to: L2, Widget Team
How: Widget queue in the portal.
Urgency: high
Time: 18 min (2025-05-06 10:02 to 10:20); limit before escalating: 15 minutes on the call, over by 3 min

Issue (in the caller's words)
  My widget stopped.
  It says E42.

Environment
  Widget 3000, floor 2

What was tried
  [x] Restart the widget with widgetctl restart.
      Result: still stopped
  [ ] Follow KB-0007 Fix a stuck widget.
      Not done

Information collected
  Widget id: W-7
  Error: not collected
"""


def test_the_note_of_a_full_run_as_markdown(widget: tuple[Sop, list]) -> None:
    sop, _ = widget
    run = full_run()
    run.finished = START + timedelta(minutes=9)
    assert handoff_markdown(sop, run, version="abc1234") == """\
## Escalation to L2: Escalate widget faults

- **SOP:** SOP-0042 Escalate widget faults, version abc1234
- **Escalate to:** L2, Widget Team
- **How:** Widget queue in the portal.
- **Urgency:** high
- **Time:** 9 min (2025-05-06 10:02 to 10:11); limit before escalating: 15 minutes on the call, within it

### Issue (in the caller's words)

> My widget stopped.
> It says E42.

### Environment

Widget 3000, floor 2

### What was tried

- [x] Restart the widget with `widgetctl restart`.
  - Result: still stopped
- [ ] Follow Fix a stuck widget.
  - Not done

### Information collected

- **Widget id:** W-7
- **Error:** not collected
"""


def test_missing_required_fields_are_flagged(widget: tuple[Sop, list]) -> None:
    sop, _ = widget
    run = SopRun(fields={"Widget id": "   "})
    assert [f.name for f in missing_required(sop, run)] == ["Widget id"]
    note = build_note(sop, run)
    assert note.missing == ("Widget id",)
    text = note.text()
    assert "Widget id: MISSING (required)" in text
    assert text.endswith("MISSING REQUIRED INFORMATION: Widget id\n")
    assert "Time: not recorded (limit before escalating: 15 minutes on the call)" in text
    assert "Urgency: not given" in text and "> not given" in note.markdown()
    assert note.markdown().endswith("**Missing required information:** Widget id\n")


def test_a_check_that_solved_it_ends_the_run_resolved(widget: tuple[Sop, list]) -> None:
    sop, documents = widget
    run = SopRun(issue="stopped", checks={0: CheckAnswer(DONE, "no change"), 1: CheckAnswer(SOLVED, "runs")},
                 started=START, finished=START + timedelta(minutes=5))
    assert run.resolved and run.solved_by == 1 and missing_required(sop, run) == []
    article = resolution_article(sop, run, documents)
    assert (article.id, article.title, article.rel_path) == ("KB-0007", "Fix a stuck widget",
                                                             "articles/stuck-widget.md")
    note = build_note(sop, run, version="abc1234", documents=documents)
    assert note.outcome == RESOLVED and note.missing == ()
    text = note.text()
    assert text.startswith("Resolved at L1: Escalate widget faults\n")
    assert "Solved by: Follow KB-0007 Fix a stuck widget.\nResult: runs\n" in text
    assert "Link to the ticket: KB-0007 Fix a stuck widget\n" in text
    assert "[x] SOLVED IT: Follow KB-0007 Fix a stuck widget." in text
    assert "Escalate to:" not in text and "Information collected" not in text
    assert "- [x] **Solved it:** Follow KB-0007 Fix a stuck widget." in note.markdown()
    assert ".md" not in text and ".md" not in note.markdown(), "no KB path: dead once pasted into a ticket"
    restart = SopRun(checks={0: CheckAnswer(SOLVED)})
    assert resolution_article(sop, restart, documents).rel_path == "sops/widget.md"
    link = "Link to the ticket: SOP-0042 Escalate widget faults\n"
    assert link in handoff_text(sop, restart)


def test_the_blank_template_lists_every_check_and_field(widget: tuple[Sop, list]) -> None:
    sop, _ = widget
    note = build_note(sop, version="abc1234")
    assert note.outcome == TEMPLATE
    assert note.text() == """\
Hand-off template: Escalate widget faults
=========================================
SOP: SOP-0042 Escalate widget faults, version abc1234
Escalate to: L2, Widget Team
How: Widget queue in the portal.
Urgency: ____
Time: ____ (limit before escalating: 15 minutes on the call)

Issue (in the caller's words)
  ____

Environment
  ____

What was tried
  [ ] Restart the widget with widgetctl restart.
      Result: ____
  [ ] Follow Fix a stuck widget.
      Result: ____

Information collected
  Widget id (required): ____
      on the label.
  Error (optional): ____
      the exact text.
"""
    markdown = note.markdown()
    assert "- **Widget id (required):** ____\n  - on the **label**." in markdown
    assert "- [ ] Restart the widget with `widgetctl restart`.\n  - Result: ____" in markdown


def test_every_bundled_sop_gives_a_template_with_all_its_checks_and_fields(content_copy: Path) -> None:
    for document in KnowledgeBase(content_copy).load_all():
        if document.kind != "sop":
            continue
        sop = parse_sop(document)
        text, markdown = handoff_text(sop), handoff_markdown(sop)
        assert text.count("[ ] ") == len(sop.checks) == markdown.count("- [ ] ")
        for item in sop.collect:
            assert f"{item.name} ({'required' if item.required else 'optional'}): ____" in text
        assert f"version sha256:{document.content_hash[:12]}" in text


def test_limits_and_elapsed_time(widget: tuple[Sop, list]) -> None:
    sop, _ = widget
    run = SopRun(started=START)
    assert run.elapsed() is None and limit_states(sop, run) == []
    states = limit_states(sop, run, now=START + timedelta(minutes=20))
    assert [(s.limit.label, s.elapsed_minutes, s.over, s.remaining_minutes) for s in states] == [
        ("Before escalating", 20, True, -5), ("Response from L2", 20, False, 220)]
    aware = SopRun(started=START.replace(tzinfo=UTC), finished=START)
    assert aware.elapsed() is None
    assert [format_minutes(m) for m in (0, 59, 60, 65, 120)] == [
        "0 min", "59 min", "1 h", "1 h 05 min", "2 h"]


def test_answers_json_in_every_accepted_form(widget: tuple[Sop, list]) -> None:
    sop, _ = widget
    run = run_from_answers(sop, {
        "issue": " stopped ", "urgency": "low", "started": "2025-05-06T10:02:00",
        "finished": "2025-05-06T10:20:00",
        "checks": [{"state": "done", "result": "no"}, "solved it"],
        "fields": {"WIDGET ID": "W-1", "error": None}})
    assert run.issue == "stopped" and run.check(1).state == SOLVED and run.value("Widget id") == "W-1"
    assert run.elapsed() == timedelta(minutes=18)
    keyed = run_from_answers(sop, {"checks": {"2": {"result": "tried it"}, "1": True}})
    assert keyed.check(0).state == DONE and keyed.check(1) == CheckAnswer(DONE, "tried it")
    assert run_from_answers(sop, {"checks": [False, None]}).check(0).state == NOT_DONE
    assert run_from_answers(sop, run_to_answers(sop, run)) == SopRun(
        "stopped", "", "low", {0: CheckAnswer(DONE, "no"), 1: CheckAnswer(SOLVED, "")},
        {"Widget id": "W-1"}, run.started, run.finished)


@pytest.mark.parametrize(("data", "message"), [
    ([], "must be a JSON object"),
    ({"isue": "x"}, "unknown key 'isue'"),
    ({"fields": {"Widget": "x"}}, "'Widget' is not a field of SOP-0042 (fields: Widget id; Error)"),
    ({"fields": ["x"]}, "'fields' must be an object"),
    ({"checks": ["maybe"]}, "check 1: state 'maybe' is not one of not-done, done, solved"),
    ({"checks": [1]}, "check 1 must be a state"),
    ({"checks": {"3": "done"}}, "check 3 does not exist (the SOP has 2)"),
    ({"checks": {"first": "done"}}, "key 'first' must be a check number"),
    ({"checks": [{"state": "done", "note": "x"}]}, "unknown key 'note'"),
    ({"checks": "done"}, "'checks' must be a list"),
    ({"started": "yesterday"}, "'started': 'yesterday' is not an ISO 8601 time"),
    ({"started": "2025-05-06T10:00:00Z", "finished": "2025-05-06T10:10:00"}, "both have a time zone"),
    ({"issue": {"a": 1}}, "'issue' must be text"),
])
def test_answers_that_do_not_fit_the_sop(widget: tuple[Sop, list], data: object, message: str) -> None:
    sop, _ = widget
    with pytest.raises(AnswersError) as caught:
        run_from_answers(sop, data)
    assert message in str(caught.value)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args], cwd=root,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_the_version_is_the_git_commit_of_the_sop_file(widget: tuple[Sop, list], kb_root: Path) -> None:
    sop, _ = widget
    assert sop_version(sop) == f"sha256:{sop.document.content_hash[:12]}"
    _git(kb_root, "init", "-q")
    _git(kb_root, "add", "-A")
    _git(kb_root, "commit", "-q", "-m", "first")
    write(kb_root, "articles/other.md", ARTICLE.replace("KB-0007", "KB-0008"))
    _git(kb_root, "add", "-A")
    _git(kb_root, "commit", "-q", "-m", "second, not touching the SOP")
    first = _git(kb_root, "log", "--format=%h", "--", "sops/widget.md")
    assert sop_version(sop) == first and first != _git(kb_root, "log", "-1", "--format=%h")
    write(kb_root, "sops/widget.md", SOP_TEXT + "\n- **Later:** 1 day\n")
    edited = parse_sop(KnowledgeBase(kb_root).load(Path("sops/widget.md")))
    assert sop_version(edited) == f"{first} + local changes (sha256:{edited.document.content_hash[:12]})"
