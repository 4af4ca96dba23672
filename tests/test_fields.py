"""The field table: typed reading of every field, findings on the field only, and what the table drives."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from kbstudio import cli
from kbstudio.fields import (
    BY_NAME,
    FIELDS,
    FORM_FIELDS,
    LIST_COLUMNS,
    REQUIRED_WHEN_PUBLISHED,
    markdown_table,
)
from kbstudio.kb import KnowledgeBase
from kbstudio.lint import lint_kb
from kbstudio.lint.registry import RULE_IDS
from kbstudio.review.dashboard import dashboard
from tests.conftest import PROJECT_ROOT, write


def _doc(root: Path, front: str, rel: str = "a.md", body: str = "# Heading\n\nText.\n"):
    write(root, rel, "---\n" + front + "---\n" + body)
    return KnowledgeBase(root).load(root / rel)


# Text stays the text written -------------------------------------------------------------------

@pytest.mark.parametrize("written", ["No", "no", "yes", "on", "Off", "y", "12:30", "0x1F", "1.10", "1e3",
                                     "0o17", "2024-01-01", ".inf", "true", "190:20:30", "1_000", "'No'",
                                     '"12:30"'])
def test_text_fields_keep_the_text_written(tmp_path: Path, written: str) -> None:
    doc = _doc(tmp_path, f"title: {written}\nowner: {written}\nid: {written}\n")
    expected = written.strip("'\"")
    assert (doc.title, doc.owner, doc.id) == (expected, expected, expected)
    assert [p for p in doc.problems if p.rule != "untiered"] == []


@pytest.mark.parametrize("written", ["~", "null", "Null", "NULL", "", '""', "''", "[]"])
def test_null_and_empty_mean_not_set_for_every_type(tmp_path: Path, written: str) -> None:
    front = "".join(f"{f.name}: {written}\n" for f in FIELDS)
    doc = _doc(tmp_path, front)
    assert (doc.id, doc.title, doc.kind, doc.tier, doc.status) == (None, "Heading", "article", None, "draft")
    assert (doc.tags, doc.products, doc.reviewers, doc.owner, doc.review_by, doc.escalates_to) == (
        [], [], [], None, None, None)
    if written != "[]":  # [] is a list where text is expected: reported, and still not set
        assert [p.rule for p in doc.problems] == ["untiered"]


def test_quoted_null_words_are_text(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "title: \"~\"\nowner: 'null'\ntags: ['~', \"null\", ~]\n")
    assert (doc.title, doc.owner, doc.tags) == ("~", "null", ["~", "null"])


def test_lists_of_text_stay_text(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "tags: [No, on, 12:30, 1.10, 0x1F]\nproducts: Windows 11, Outlook\n"
                         "reviewers:\n  - yes\n  -\n  - Rita <r@x.example>\n")
    assert doc.tags == ["No", "on", "12:30", "1.10", "0x1F"]
    assert doc.products == ["Windows 11", "Outlook"]
    assert doc.reviewers == ["yes", "Rita <r@x.example>"]


@pytest.mark.parametrize(("written", "expected"), [
    ("2020-05-01", date(2020, 5, 1)),
    ("2020-05-01 10:00:00Z", date(2020, 5, 1)),
    ("2020-05-01T23:30:00-05:00", date(2020, 5, 1)),   # the date as written, whatever the time zone
    ("2020-5-1 1:02:03", date(2020, 5, 1)),
    ("'2020-05-01'", date(2020, 5, 1)),
    ("2020-05-01 10:00:00.5 +02:00", date(2020, 5, 1)),
])
def test_dates_accept_a_date_or_a_date_and_time(tmp_path: Path, written: str, expected: date) -> None:
    doc = _doc(tmp_path, f"tier: L1\nreview_by: {written}\n")
    assert doc.review_by == expected
    assert doc.problems == []


# Invalid values: a finding on that field only ----------------------------------------------------

INVALID = {
    "review_by": ("2024-02-30", "review_by '2024-02-30' is not a date: day is out of range for month"),
    "tier": ("[L1, L2]", "tier is a list, not one of L0, L1, L2, L3, L4"),
    "tags": ("{a: b}", "tags is a mapping, not a list of text"),
    "title": ("[a, b]", "title is a list, not text"),
    "kind": ("howto", "kind 'howto' is not one of article, sop"),
    "products": ("[a, [b]]", "products item 2 is a list, not text"),
    "owner": ("{name: x}", "owner is a mapping, not text"),
    "status": ("done", "status 'done' is not one of draft, review, published, archived"),
    "escalates_to": ("L0", "escalates_to 'L0' is not one of L1, L2, L3, L4"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_an_invalid_value_is_a_finding_on_its_field_only(tmp_path: Path, name: str) -> None:
    good = {"id": "KB-0001", "title": "Printer offline", "kind": "article", "tier": "L1", "status": "draft",
            "tags": "[printing]", "products": "[HP]", "owner": "Desk", "review_by": "2030-01-01",
            "escalates_to": "L2", "reviewers": "[Rita]"}
    written, message = INVALID[name]
    lines = [f"{key}: {written if key == name else value}" for key, value in good.items()]
    doc = _doc(tmp_path, "\n".join(lines) + "\n")
    line = 2 + list(good).index(name)
    assert [(p.rule, p.line, p.message) for p in doc.problems] == [(f"invalid-{name}", line, message)]
    findings = [p for p in lint_kb(KnowledgeBase(tmp_path), today=date(2026, 1, 1))
                if p.rule == "invalid-value"]
    assert [(p.line, p.message) for p in findings] == [(line, message)]
    expected = {"id": "KB-0001", "title": "Printer offline", "kind": "article", "tier": "L1",
                "status": "draft", "tags": ["printing"], "products": ["HP"], "owner": "Desk",
                "review_by": date(2030, 1, 1), "escalates_to": "L2", "reviewers": ["Rita"]}
    defaults = {"title": "Heading", "kind": "article", "status": "draft", "tags": [], "products": [],
                "escalates_to": "L0"}   # L0 is read (the escalation map draws it downwards) and reported
    expected[name] = defaults.get(name)
    assert {key: getattr(doc, key) for key in expected} == expected


# review_by with a time: the date read, and stale or not -------------------------------------------

def test_review_by_with_a_time_is_its_date_in_lint_and_the_dashboard(tmp_path: Path) -> None:
    front = "id: KB-{n}\ntitle: T{n}\nkind: article\ntier: L1\nstatus: published\ntags: [x]\nowner: Desk\n"
    write(tmp_path, "past.md", "---\n" + front.format(n=1) + "review_by: 2020-05-01 10:00:00Z\n---\n# T1\n")
    write(tmp_path, "future.md",
          "---\n" + front.format(n=2) + "review_by: 2030-05-01T10:00:00+02:00\n---\n# T2\n")
    kb = KnowledgeBase(tmp_path)
    documents = {doc.rel_path: doc for doc in kb.load_all()}
    assert documents["past.md"].review_by == date(2020, 5, 1)
    assert documents["future.md"].review_by == date(2030, 5, 1)
    findings = lint_kb(kb, today=date(2026, 6, 1))
    stale = [(p.path, p.line, p.message) for p in findings if p.rule == "stale"]
    assert stale == [("past.md", 9, "stale: review_by 2020-05-01 passed 2222 days ago")]
    assert [p for p in findings if p.rule in ("invalid-value", "unreadable")] == []
    board = dashboard(kb, kb.load_all(), today=date(2026, 6, 1))
    assert [(s.path, s.review_by, s.days_overdue) for s in board.stale] == [
        ("past.md", date(2020, 5, 1), 2222)]


def test_lint_and_dashboard_commands_read_a_date_with_a_time(tmp_path: Path, capsys) -> None:
    write(tmp_path, "a.md", "---\nid: KB-1\ntitle: A\ntier: L1\nstatus: review\n"
                            "review_by: 2020-05-01 10:00:00Z\n---\n# A\n")
    assert cli.main(["lint", str(tmp_path), "--today", "2026-01-01", "--json",
                     "--rule", "stale,invalid-value,unreadable"]) == 1  # a warning: exit 1
    findings = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["line"], f["message"]) for f in findings] == [
        ("stale", 6, "stale: review_by 2020-05-01 passed 2071 days ago")]
    assert cli.main(["dashboard", str(tmp_path), "--json", "--today", "2026-01-01"]) == 0
    board = json.loads(capsys.readouterr().out)
    assert [(s["path"], s["review_by"]) for s in board["stale"]] == [("a.md", "2020-05-01")]


# title: No and title: 12:30 in list and search ----------------------------------------------------

def test_title_no_and_12_30_in_list_json_and_search(tmp_path: Path, capsys) -> None:
    kb = tmp_path / "kb"
    write(kb, "no.md", "---\nid: KB-1\ntitle: No\ntier: L1\n---\nThe answer is no: printers refuse jobs.\n")
    write(kb, "time.md", "---\nid: KB-2\ntitle: 12:30\ntier: L1\n---\nLunch break printers refuse jobs.\n")
    assert cli.main(["list", str(kb), "--json"]) == 0
    titles = {row["path"]: row["title"] for row in json.loads(capsys.readouterr().out)}
    assert titles == {"no.md": "No", "time.md": "12:30"}
    assert cli.main(["list", str(kb)]) == 0
    table = capsys.readouterr().out
    assert re.search(r"KB-1 +L1 +article +draft +No +no\.md", table)
    assert re.search(r"KB-2 +L1 +article +draft +12:30 +time\.md", table)
    assert cli.main(["search", str(kb), "printers refuse jobs", "--json", "--index-dir",
                     str(tmp_path / "index")]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert sorted(r["title"] for r in results) == ["12:30", "No"]


def test_kbstudio_new_title_no_reads_back_as_no(tmp_path: Path, capsys) -> None:
    assert cli.main(["new", str(tmp_path), "--kind", "article", "--title", "No", "--tier", "L1"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert 'title: "No"' in path.read_text("utf-8")
    assert cli.main(["list", str(tmp_path), "--json"]) == 0
    assert [row["title"] for row in json.loads(capsys.readouterr().out)] == ["No"]


# What the table drives -----------------------------------------------------------------------------

def test_the_docs_field_table_is_the_table() -> None:
    doc = (PROJECT_ROOT / "docs" / "content-format.md").read_text("utf-8")
    assert markdown_table() in doc, "regenerate it: python -m kbstudio.fields"


def test_every_field_rule_is_a_lint_rule_and_required_fields_are_the_tables() -> None:
    assert {field.rule for field in FIELDS} <= set(RULE_IDS)
    assert REQUIRED_WHEN_PUBLISHED == ("id", "title", "kind", "tier", "owner", "review_by")


def test_index_fields_exist_in_the_search_schema() -> None:
    from kbstudio.index.schema import build_schema

    schema = build_schema()
    assert {field.index for field in FIELDS if field.index} <= set(schema.names())


def test_the_form_and_the_list_columns_come_from_the_table() -> None:
    assert [f.name for f in FORM_FIELDS] == ["title", "kind", "tier", "status", "escalates_to", "tags",
                                             "products", "owner", "reviewers", "review_by"]
    assert [f.name for f in LIST_COLUMNS] == ["id", "tier", "kind", "status", "title"]
    for field in FIELDS:
        assert field.help and field.type in ("text", "choice", "list", "date")
        assert (field.type == "choice") == bool(field.choices)


@pytest.mark.parametrize(("name", "typed", "value"), [
    ("tier", "l2", "L2"), ("tags", "vpn, wifi ,", ["vpn", "wifi"]), ("tags", "", []),
    ("review_by", "2027-01-02", date(2027, 1, 2)), ("review_by", "", None), ("title", "  No ", "No"),
    ("status", "published", "published"),
])
def test_typed_input_becomes_the_value_to_write(name: str, typed: str, value: object) -> None:
    assert BY_NAME[name].from_input(typed) == value
