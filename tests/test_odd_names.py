"""Odd file names: not UTF-8, control characters, text-direction characters, NFD.

One place (``kbstudio.names``) decides how such a name is shown (``\\xff``, ``\\n``, ``\\u202e``)
and what is wrong with it; documents carry the problem, lint reports it, and every command prints
valid UTF-8 with the name escaped and lists the other documents as before. The command line is
run as a real process with a strict UTF-8 stdout (``PYTHONIOENCODING=utf-8:strict``, where a raw
name raised UnicodeEncodeError) and with Python's default for the C.UTF-8 locale (where it wrote
the raw byte 0xff).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kbstudio.cli import SafeOutput
from kbstudio.index import indexer, scan
from kbstudio.kb import KnowledgeBase
from kbstudio.lint import lint_kb
from kbstudio.model import Problem
from kbstudio.names import json_text, name_problems, shown_name, shown_text, skipped_name
from kbstudio.reader import read_document
from tests.conftest import ARTICLE, write

BAD = "articles/bad-\udcff.md"            # the byte 0xff, as Python holds it (surrogate escape)
NEWLINE = "articles/a\nb.md"
RLO = "articles/rlo-\u202egnp.md"         # shows as 'rlo-dm.png' without the escape
CAFE_NFD = "articles/" + unicodedata.normalize("NFD", "café") + ".md"
NOT_UTF8 = "file name is not valid UTF-8; rename it"
ENCODINGS = ["utf-8:strict", ""]           # "" leaves Python's default (surrogateescape in C.UTF-8)


def odd_kb(root: Path) -> Path:
    """A KB with one good article and one document under each odd name."""
    write(root, "articles/reset.md", ARTICLE)
    for rel, title in [(BAD, "Bad"), (NEWLINE, "Newline"), (RLO, "Override"), (CAFE_NFD, "Cafe")]:
        path = os.fsencode(root) + b"/" + os.fsencode(rel)   # the name's bytes exactly
        with open(path, "wb") as handle:
            handle.write(f"---\ntitle: {title}\ntier: L1\n---\n\n# {title}\n\nbody words\n".encode())
    return root


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    return odd_kb(tmp_path / "kb")


def run(encoding: str, *args: str) -> tuple[int, str, str]:
    """Run ``kbstudio ARGS``; return the exit code and stdout and stderr, each checked to be UTF-8."""
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    env.pop("PYTHONIOENCODING", None)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    done = subprocess.run([sys.executable, "-m", "kbstudio", *args], capture_output=True, env=env,
                          timeout=120)
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")   # strict: raises on 0xff
    assert "Traceback" not in err
    return done.returncode, out, err


# ---- the one place: kbstudio.names ----

def test_shown_name_escapes_what_cannot_be_shown_as_it_is() -> None:
    assert shown_name(BAD) == "articles/bad-\\xff.md"
    assert shown_name("dir-\udcfe/x.md") == "dir-\\xfe/x.md"
    assert shown_name(NEWLINE) == "articles/a\\nb.md"
    assert shown_name("a\tb\rc\x1b[2J\x7f\x85.md") == "a\\tb\\rc\\x1b[2J\\x7f\\x85.md"
    assert shown_name(RLO) == "articles/rlo-\\u202egnp.md"
    assert shown_name("x\u2066y\u200fz.md") == "x\\u2066y\\u200fz.md"
    assert shown_name(CAFE_NFD) == CAFE_NFD                     # NFD is a name like any other
    assert shown_name("articles/reset.md") == "articles/reset.md"


def test_name_problems_an_error_for_non_utf8_a_warning_for_control_and_direction_characters() -> None:
    assert name_problems(BAD) == [("file-name-not-utf8", NOT_UTF8)]
    assert name_problems("dir-\udcfe/x.md") == [("file-name-not-utf8", NOT_UTF8)]
    assert name_problems(NEWLINE) == [
        ("file-name-characters", "file name has control or text-direction characters (\\n); rename it")]
    assert name_problems(RLO) == [
        ("file-name-characters", "file name has control or text-direction characters (\\u202e); rename it")]
    assert name_problems(CAFE_NFD) == [] and name_problems("articles/reset.md") == []


def test_the_index_takes_its_names_from_the_one_place() -> None:
    assert indexer.skipped_name is skipped_name and indexer.shown_name is shown_name
    assert scan.skipped_name is skipped_name
    assert skipped_name(BAD) == \
        "articles/bad-\\xff.md: file name is not valid UTF-8; rename the file to make it searchable"
    assert skipped_name(NEWLINE) is None and skipped_name(RLO) is None


def test_shown_text_and_json_text() -> None:
    # terminal text: line breaks, tabs and bold/colour sequences stay; the rest is escaped
    assert shown_text("a\tb\n\x1b[1mc\x1b[0m \x1b[2J \x1b]0;title\x07 \u202e \udcff") == \
        "a\tb\n\x1b[1mc\x1b[0m \\x1b[2J \\x1b]0;title\\x07 \\u202e \\xff"
    # JSON: direction characters become JSON escapes of themselves; undecodable bytes the shown \xff
    text = json_text(json.dumps({"path": BAD, "other": RLO}, ensure_ascii=False))
    text.encode("utf-8")
    assert json.loads(text) == {"path": "articles/bad-\\xff.md", "other": RLO}
    assert "\u202e" not in text


def test_safe_output_on_a_stream_that_is_not_utf8() -> None:
    raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    SafeOutput(raw).write(f"{BAD} café\n")
    raw.flush()
    assert raw.buffer.getvalue() == b"articles/bad-\\xff.md caf\\xe9\n"
    raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    SafeOutput(raw, json_mode=True).write(json.dumps([BAD, "café 😀"], ensure_ascii=False))
    raw.flush()
    assert json.loads(raw.buffer.getvalue()) == ["articles/bad-\\xff.md", "café 😀"]


# ---- documents and lint ----

def test_documents_under_odd_names_are_read_with_the_name_problem(kb: Path) -> None:
    knowledge = KnowledgeBase(kb)
    paths = [path.relative_to(knowledge.root).as_posix() for path in knowledge.iter_paths()]
    assert paths == sorted([NEWLINE, BAD, CAFE_NFD, RLO, "articles/reset.md"])
    documents = {doc.rel_path: doc for doc in knowledge.load_all()}
    assert {rel: doc.title for rel, doc in documents.items()} == {
        BAD: "Bad", NEWLINE: "Newline", RLO: "Override", CAFE_NFD: "Cafe",
        "articles/reset.md": "Reset a password"}
    assert documents[BAD].problems == [Problem("file-name-not-utf8", "error", BAD, None, NOT_UTF8)]
    assert str(documents[BAD].problems[0]) == \
        "articles/bad-\\xff.md: error: file name is not valid UTF-8; rename it [file-name-not-utf8]"
    assert documents[BAD].readable and documents[BAD].tier == "L1"
    assert [p.rule for p in documents[NEWLINE].problems] == ["file-name-characters"]
    assert [p.rule for p in documents[RLO].problems] == ["file-name-characters"]
    assert documents[CAFE_NFD].problems == [] and documents["articles/reset.md"].problems == []


def test_an_unreadable_file_under_a_bad_name_has_both_problems_the_read_error_first(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    with open(os.fsencode(root) + b"/bin-\xff.md", "wb") as handle:
        handle.write(b"\x00\x01")
    document = read_document(root / "bin-\udcff.md", root)
    assert [(p.rule, p.message) for p in document.problems] == [
        ("binary-file", "binary file: NUL byte on line 1"), ("file-name-not-utf8", NOT_UTF8)]


def test_lint_reports_each_odd_name_once_on_line_one(kb: Path) -> None:
    found = [(p.rule, p.severity, p.path, p.line, p.message) for p in lint_kb(KnowledgeBase(kb))]
    assert found == [
        ("file-name-characters", "warning", NEWLINE, 1,
         "file name has control or text-direction characters (\\n); rename it"),
        ("file-name-not-utf8", "error", BAD, 1, NOT_UTF8),
        ("missing-field", "error", "articles/reset.md", 6, "published document has no 'owner'"),
        ("missing-field", "error", "articles/reset.md", 6, "published document has no 'review_by'"),
        ("file-name-characters", "warning", RLO, 1,
         "file name has control or text-direction characters (\\u202e); rename it"),
    ]


def test_lint_messages_naming_another_file_show_it_escaped(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    write(root, "articles/reset.md", ARTICLE)
    with open(os.fsencode(root) + b"/articles/copy-\xff.md", "wb") as handle:
        handle.write(ARTICLE.encode())
    duplicate = [p for p in lint_kb(KnowledgeBase(root)) if p.rule == "duplicate-id"]
    assert [(p.path, p.message) for p in duplicate] == [
        ("articles/copy-\udcff.md", "id KB-0001 is also used by articles/reset.md"),
        ("articles/reset.md", "id KB-0001 is also used by articles/copy-\\xff.md")]


# ---- the command line ----

@pytest.mark.parametrize("encoding", ENCODINGS)
def test_list_prints_every_document_with_the_names_escaped(kb: Path, encoding: str) -> None:
    code, out, err = run(encoding, "list", str(kb))
    assert code == 1                                   # an error: the name that is not UTF-8
    assert out.splitlines() == [
        "ID       TIER  KIND     STATUS     TITLE             PATH",
        "-        L1    article  draft      Newline           articles/a\\nb.md !",
        "-        L1    article  draft      Bad               articles/bad-\\xff.md !",
        f"-        L1    article  draft      Cafe              {CAFE_NFD}",
        "KB-0001  L1    article  published  Reset a password  articles/reset.md",
        "-        L1    article  draft      Override          articles/rlo-\\u202egnp.md !",
    ]
    assert err.splitlines() == [
        "articles/a\\nb.md: warning: file name has control or text-direction characters (\\n); rename it "
        "[file-name-characters]",
        "articles/bad-\\xff.md: error: file name is not valid UTF-8; rename it [file-name-not-utf8]",
        "articles/rlo-\\u202egnp.md: warning: file name has control or text-direction characters (\\u202e); "
        "rename it [file-name-characters]",
        "5 documents, 0 untiered, 3 with problems",
    ]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_list_json_is_valid_utf8_with_the_escaped_name(kb: Path, encoding: str) -> None:
    code, out, _ = run(encoding, "list", str(kb), "--json")
    assert code == 1
    rows = json.loads(out)
    assert [row["path"] for row in rows] == [
        NEWLINE, "articles/bad-\\xff.md", CAFE_NFD, "articles/reset.md", RLO]
    assert [row["title"] for row in rows] == ["Newline", "Bad", "Cafe", "Reset a password", "Override"]
    assert rows[1]["problems"] == [{"rule": "file-name-not-utf8", "severity": "error",
                                    "path": "articles/bad-\\xff.md", "line": None, "message": NOT_UTF8}]
    assert "\u202e" not in out and "\\u202e" in out      # a JSON escape: the same value, shown safely


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_lint_text_and_json(kb: Path, encoding: str) -> None:
    code, out, err = run(encoding, "lint", str(kb), "--today", "2024-01-01")
    assert code == 1
    assert out.splitlines() == [
        "articles/a\\nb.md:1: warning: file name has control or text-direction characters (\\n); rename it "
        "[file-name-characters]",
        "articles/bad-\\xff.md:1: error: file name is not valid UTF-8; rename it [file-name-not-utf8]",
        "articles/reset.md:6: error: published document has no 'owner' [missing-field]",
        "articles/reset.md:6: error: published document has no 'review_by' [missing-field]",
        "articles/rlo-\\u202egnp.md:1: warning: file name has control or text-direction characters "
        "(\\u202e); rename it [file-name-characters]",
    ]
    assert err.startswith("3 errors, 2 warnings in 5 documents")
    code, out, _ = run(encoding, "lint", str(kb), "--json", "--severity", "error")
    assert code == 1
    assert json.loads(out)[0] == {"rule": "file-name-not-utf8", "severity": "error",
                                  "path": "articles/bad-\\xff.md", "line": 1, "message": NOT_UTF8}
    assert [(p["path"], p["rule"]) for p in json.loads(out)[1:]] == [
        ("articles/reset.md", "missing-field"), ("articles/reset.md", "missing-field")]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_search_leaves_the_bad_name_out_with_a_message_and_finds_the_others(kb: Path, tmp_path: Path,
                                                                         encoding: str) -> None:
    index = str(tmp_path / "index")
    code, out, err = run(encoding, "search", str(kb), "body words", "--index-dir", index)
    assert code == 0
    assert "kbstudio: articles/bad-\\xff.md: file name is not valid UTF-8; rename the file to make it " \
           "searchable" in err.splitlines()
    paths = [line.strip() for line in out.splitlines() if line.startswith("    articles/")]
    assert sorted(paths) == ["articles/a\\nb.md", CAFE_NFD, "articles/rlo-\\u202egnp.md"]
    code, out, _ = run(encoding, "search", str(kb), "body words", "--index-dir", index, "--json")
    assert code == 0
    assert sorted(hit["path"] for hit in json.loads(out)["results"]) == [NEWLINE, CAFE_NFD, RLO]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_set_on_a_document_under_a_bad_name(kb: Path, encoding: str) -> None:
    target = os.fsdecode(os.fsencode(kb) + b"/articles/bad-\xff.md")
    code, out, err = run(encoding, "set", str(kb), target, "tier=L2")
    assert (code, out) == (0, "articles/bad-\\xff.md: tier L1 -> L2\n")
    code, out, _ = run(encoding, "set", str(kb), target, "tier=L3", "--json")
    assert code == 0
    assert json.loads(out) == [{"path": "articles/bad-\\xff.md", "changed": True,
                                "changes": [{"field": "tier", "old": "L2", "new": "L3"}]}]
    assert KnowledgeBase(kb).load(BAD).tier == "L3"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_sop_escalate_and_map_show_the_names_escaped(kb: Path, encoding: str) -> None:
    with open(os.fsencode(kb) + b"/sop-\xfe\xe2\x80\xae.md", "wb") as handle:
        handle.write(b"---\nid: SOP-0001\ntitle: Odd SOP\nkind: sop\ntier: L1\nescalates_to: L2\n"
                     b"---\n\n# Odd\n")
    code, out, err = run(encoding, "sop", str(kb), "SOP-0001")
    assert "Path: sop-\\xfe\\u202e.md" in out.splitlines()
    assert "sop-\\xfe\\u202e.md: warning: no '## When to escalate' section [sop-missing-section]" in err
    code, out, _ = run(encoding, "sop", str(kb), "SOP-0001", "--json")
    assert json.loads(out)["path"] == "sop-\\xfe\u202e.md"
    code, _, err = run(encoding, "escalate", str(kb), os.fsdecode(b"articles/bad-\xff.md"))
    assert "no SOP applies to articles/bad-\\xff.md" in err
    code, out, err = run(encoding, "map", str(kb))
    assert code == 0 and "L1 -> L2  SOP-0001  Odd SOP" in out.splitlines()
    with open(os.fsencode(kb) + b"/sop-\xfd\n.md", "wb") as handle:
        handle.write(b"---\nid: SOP-0002\ntitle: No escalation\nkind: sop\ntier: L1\n---\n\n# No\n")
    code, out, err = run(encoding, "map", str(kb))
    assert code == 1 and err == "sop-\\xfd\\n.md: not on the map: no escalates_to\n"
