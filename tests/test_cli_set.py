"""``kbstudio set``: change front-matter fields from the command line, keeping every other byte."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kbstudio import cli
from kbstudio.docedit import FieldChange, splice, update_document, update_fields
from kbstudio.kb import KnowledgeBase
from kbstudio.vcs.fmmerge import merge_document

ARTICLE = """---
id: KB-0001
title: Printer offline   # shown in lists
kind: article
tier: L1
status: draft
tags: [printing]
reviewers:
  - Rita <rita@example.com>
review_by: 2030-01-01
ms.author: someone
---
# Printer offline

Body text.
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args], cwd=root,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    """A git work tree with an LF, a CRLF, a BOM and a BOM+CRLF copy of one article, committed."""
    root = tmp_path / "kb"
    root.mkdir()
    variants = {
        "lf.md": ARTICLE.encode(),
        "crlf.md": ARTICLE.replace("\n", "\r\n").encode(),
        "bom.md": b"\xef\xbb\xbf" + ARTICLE.encode(),
        "bom-crlf-no-final-newline.md": b"\xef\xbb\xbf"
        + ARTICLE.replace("\n", "\r\n").rstrip("\r\n").encode(),
    }
    for name, data in variants.items():
        (root / name).write_bytes(data)
    _git(root, "init", "-q")
    _git(root, "config", "core.autocrlf", "false")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "seed")
    return root


def _set(root: Path, *args: str) -> int:
    return cli.main(["set", str(root), *args])


def test_one_field_is_a_one_line_diff_for_lf_crlf_and_bom_files(kb: Path, capsys) -> None:
    before = {path.name: path.read_bytes() for path in kb.glob("*.md")}
    names = sorted(before)
    assert _set(kb, *names, "tier=l2") == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"{name}: tier L1 -> L2" for name in names]
    assert "4 documents changed, 0 already had these values" in out.err
    numstat = _git(kb, "diff", "--numstat").split("\n")
    assert sorted(line for line in numstat if line) == [f"1\t1\t{name}" for name in names]
    for name in names:
        after = (kb / name).read_bytes()
        newline = b"\r\n" if b"\r\n" in before[name] else b"\n"
        assert after == before[name].replace(b"tier: L1" + newline, b"tier: L2" + newline)


def test_several_fields_lists_dates_and_removal(kb: Path, capsys) -> None:
    assert _set(kb, "crlf.md", "tags=vpn, wifi", "reviewers=", "owner=No", "title=12:30",
                "review_by=2031-02-03", "status=review") == 0
    text = (kb / "crlf.md").read_bytes().decode()
    assert text == ARTICLE.replace("\n", "\r\n").replace(
        "title: Printer offline", 'title: "12:30"').replace("status: draft", "status: review").replace(
        "tags: [printing]", "tags: [vpn, wifi]").replace(
        "reviewers:\r\n  - Rita <rita@example.com>", "reviewers: []").replace(
        "review_by: 2030-01-01", "review_by: 2031-02-03").replace(
        "ms.author: someone\r\n", 'ms.author: someone\r\nowner: "No"\r\n')
    (document,) = [d for d in KnowledgeBase(kb).load_all() if d.rel_path == "crlf.md"]
    assert (document.title, document.owner, document.tags, document.reviewers, document.review_by) == (
        "12:30", "No", ["vpn", "wifi"], [], date(2031, 2, 3))
    capsys.readouterr()
    assert _set(kb, "crlf.md", "owner=", "title=") == 0   # text fields are removed
    document = KnowledgeBase(kb).load(kb / "crlf.md")
    assert "owner" not in document.meta and "title" not in document.meta
    assert document.title == "Printer offline"   # the heading
    assert "# shown in lists" not in document.text


def test_an_invalid_value_exits_1_names_field_and_value_and_writes_nothing(kb: Path, capsys) -> None:
    before = {path.name: path.read_bytes() for path in kb.glob("*.md")}
    for assignment, message in (("review_by=2024-02-30", "review_by '2024-02-30' is not a date"),
                                ("tier=L9", "tier 'L9' is not one of L0, L1, L2, L3, L4"),
                                ("kind=recipe", "kind 'recipe' is not one of article, sop"),
                                ("escalates_to=L0", "escalates_to 'L0' is not one of L1, L2, L3, L4")):
        assert _set(kb, "lf.md", "crlf.md", "status=review", assignment) == 1
        err = capsys.readouterr().err
        assert message in err and "nothing was written" in err and "Traceback" not in err
    assert {path.name: path.read_bytes() for path in kb.glob("*.md")} == before


@pytest.mark.parametrize(("args", "message"), [
    (["nope.md", "tier=L2"], "nope.md: no such document"),
    (["lf.md", "nope.md", "tier=L2"], "nope.md: no such document"),
    (["lf.md"], "give at least one FIELD=VALUE"),
    (["tier=L2"], "name at least one document"),
    (["lf.md", "tier=L2", "crlf.md"], "give the files first"),
    (["lf.md", "tire=L2"], "unknown field 'tire'"),
    (["lf.md", "tier=L2", "tier=L3"], "tier is given twice"),
    (["lf.md", "crlf.md", "id=KB-9"], "set it on one file at a time"),
    (["broken.md", "tier=L2"], "broken.md: front matter is not valid YAML"),
    (["../outside.md", "tier=L2"], "not inside the knowledge base"),
    (["_templates/article.md", "tier=L2"], "not a document"),
])
def test_usage_errors_exit_2_and_write_nothing(kb: Path, capsys, args: list[str], message: str) -> None:
    (kb / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    (kb.parent / "outside.md").write_text("---\ntier: L1\n---\n", encoding="utf-8")
    (kb / "_templates").mkdir()
    (kb / "_templates" / "article.md").write_text("---\ntier: L1\n---\n", encoding="utf-8")
    before = {path: path.read_bytes() for path in kb.parent.rglob("*.md")}
    assert _set(kb, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert {path: path.read_bytes() for path in kb.parent.rglob("*.md")} == before


def test_documents_that_already_have_the_value_are_not_written(kb: Path, capsys) -> None:
    (kb / "lower.md").write_bytes(ARTICLE.replace("tier: L1", "tier: l2").encode())
    stamp = (kb / "lower.md").stat().st_mtime_ns
    assert _set(kb, "lower.md", "lf.md", "tier=L2", "tags=printing") == 0
    out = capsys.readouterr()
    assert out.out == "lf.md: tier L1 -> L2\n"
    assert "1 document changed, 1 already had these values" in out.err
    assert (kb / "lower.md").stat().st_mtime_ns == stamp


def test_dry_run_and_json(kb: Path, capsys) -> None:
    before = (kb / "lf.md").read_bytes()
    assert _set(kb, "--dry-run", "--json", "lf.md", "bom.md", "tags=a,b", "review_by=2032-01-01") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"path": "lf.md", "changed": True, "changes": [
        {"field": "tags", "old": ["printing"], "new": ["a", "b"]},
        {"field": "review_by", "old": "2030-01-01", "new": "2032-01-01"}]}
    assert (kb / "lf.md").read_bytes() == before


def test_files_relative_to_the_current_folder(kb: Path, monkeypatch, capsys) -> None:
    (kb / "sub").mkdir()
    (kb / "sub" / "a.md").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.chdir(kb.parent)
    assert _set(kb, "kb/sub/a.md", "sub/a.md", "tier=L3") == 0   # the same file, written once
    assert capsys.readouterr().out == "sub/a.md: tier L1 -> L3\n"


def test_help_describes_the_command() -> None:
    result = subprocess.run([sys.executable, "-m", "kbstudio", "set", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    for words in ("FIELD=VALUE", "tags=vpn,wifi", "exit codes", "FILE [FILE ...]"):
        assert words in result.stdout


# The one core edit: splice keeps every unchanged line's bytes --------------------------------------

def test_mixed_line_endings_keep_every_unchanged_line(tmp_path: Path) -> None:
    text = "---\r\nid: KB-1\ntier: L1\r\ntitle: A\n---\r\nbody\r\nmore\n"
    (tmp_path / "m.md").write_bytes(text.encode())
    update = update_fields(KnowledgeBase(tmp_path), "m.md", {"tier": "L2", "owner": "Desk"})
    assert update.changes == [FieldChange("tier", "L1", "L2"), FieldChange("owner", None, "Desk")]
    assert (tmp_path / "m.md").read_bytes().decode() == text.replace("tier: L1\r\n", "tier: L2\r\n").replace(
        "title: A\n", "title: A\nowner: Desk\r\n")


def test_splice_replaces_only_lines_that_changed() -> None:
    disk = "a\r\nb\nc\r\nd"
    assert splice(disk, "a\nb\nc\nd", "a\nB\nc\nd", "\r\n") == "a\r\nB\r\nc\r\nd"
    assert splice(disk, "a\nb\nc\nd", "a\nb\nx\ny\nc\nd", "\n") == "a\r\nb\nx\ny\nc\r\nd"
    assert splice(disk, "a\nb\nc\nd", "a\nc\nd", "\n") == "a\r\nc\r\nd"


def test_id_renumbering_and_the_review_workflow_use_the_core_edit() -> None:
    import inspect

    from kbstudio.review import workflow
    from kbstudio.vcs import ids

    for module in (ids, workflow):
        source = inspect.getsource(module)
        assert "update_document(" in source and "set_field" not in source


def test_update_document_keeps_a_bom_when_the_id_changes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    document = KnowledgeBase(tmp_path).load(tmp_path / "a.md")
    update_document(document, {"id": "KB-0002"})
    assert (tmp_path / "a.md").read_bytes() == b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").replace(
        "id: KB-0001", "id: KB-0002").encode()


def test_a_merge_copies_their_field_as_they_wrote_it() -> None:
    base = ARTICLE
    mine = ARTICLE.replace("tier: L1", "tier: L2")
    theirs = ARTICLE.replace("review_by: 2030-01-01", "review_by: 2031-05-06").replace(
        "title: Printer offline", "title: 'No'")
    merged = merge_document(base, mine, theirs, runner=None)  # type: ignore[arg-type]
    assert merged == mine.replace("review_by: 2030-01-01", "review_by: 2031-05-06").replace(
        "title: Printer offline", "title: 'No'")


def test_a_merge_resolves_an_alias_to_an_anchor_only_theirs_has() -> None:
    base = "---\nbase: &b [a, b]\nx: 1\n---\nbody\n"
    mine = "---\nbase: [a, b]\nx: 1\ny: 2\n---\nbody\n"
    theirs = "---\nbase: &b [a, b]\nx: *b\n---\nbody\n"
    assert merge_document(base, mine, theirs, runner=None) == (  # type: ignore[arg-type]
        "---\nbase: [a, b]\nx: [a, b]\ny: 2\n---\nbody\n")


def test_a_file_stored_decomposed_is_found_by_its_composed_name(kb: Path) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "café.md")
    (kb / decomposed).write_bytes(ARTICLE.encode())
    assert _set(kb, unicodedata.normalize("NFC", "café.md"), "tier=L2") == 0
    assert "tier: L2" in (kb / decomposed).read_text("utf-8")
    assert not (kb / unicodedata.normalize("NFC", "café.md")).exists() or decomposed == "café.md"
