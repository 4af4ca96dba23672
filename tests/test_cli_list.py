"""``kbstudio list`` from DocumentInfo: the same table, JSON, notices and exit code as from whole documents.

The expected output is built here from ``load_all`` (what the command printed before it read only
front matter), field by field through ``kbstudio.fields``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kbstudio.cli_list import cmd_list, setup_list, table_rows, table_text
from kbstudio.fields import LIST_COLUMNS
from kbstudio.jsonout import json_array_pieces
from kbstudio.kb import KnowledgeBase
from kbstudio.names import shown_name
from tests.conftest import write

FILES = {
    "a/plain.md": ("---\nid: KB-0001\ntitle: Printer jams\ntier: L1\nstatus: published\n"
                   "tags: [printing, paper]\n---\n"),
    "a/untiered.md": "---\nid: KB-0002\ntitle: No tier\n---\n# Body\n",
    "b/bad.md": "---\ntitle: [broken\n---\n",
    "b/invalid.md": "---\ntier: L9\nreview_by: someday\n---\n# Heading title\n",
    "c/caf\u00e9.md": "---\ntitle: Caf\u00e9 \u202e reversed\ntier: L2\nkind: sop\n---\n",
}


def _run(root: Path, *options: str) -> int:
    parser = argparse.ArgumentParser()
    setup_list(parser)
    return cmd_list(parser.parse_args([str(root), *options]))


@pytest.fixture()
def kb_root(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        write(tmp_path / "kb", rel, text)
    return tmp_path / "kb"


def test_json_is_every_document_summary(kb_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(kb_root, "--json")
    out = capsys.readouterr()
    documents = KnowledgeBase(kb_root).load_all()
    assert out.out == json.dumps([doc.summary() for doc in documents], ensure_ascii=False, indent=1) + "\n"
    assert code == 1   # b/bad.md cannot be read
    assert out.err == "5 documents, 3 untiered, 3 with problems\n"


def test_table_and_notices(kb_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(kb_root)
    out = capsys.readouterr()
    documents = KnowledgeBase(kb_root).load_all()
    rows = [[field.name.upper() for field in LIST_COLUMNS] + ["PATH"]]
    rows += [[field.cell(doc.shown(field.name)) for field in LIST_COLUMNS]
             + [shown_name(doc.rel_path) + (" !" if doc.problems else "")] for doc in documents]
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]) - 1)]
    expected = "".join("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
                       .rstrip() + "\n" for row in rows)
    assert out.out == expected
    assert table_text(table_rows(documents)) == expected
    assert "KB-0001  L1    article  published  Printer jams" in out.out
    assert "Heading title" in out.out
    notices = out.err.splitlines()
    assert notices[-1] == "5 documents, 3 untiered, 3 with problems"
    assert any("bad.md" in line and "bad-front-matter" in line for line in notices)
    assert not any("untiered" in line for line in notices[:-1])   # only with -v
    assert code == 1
    _run(kb_root, "--verbose")
    assert any("[untiered]" in line for line in capsys.readouterr().err.splitlines())


def test_a_clean_kb_exits_0_and_a_file_is_no_kb(kb_root: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (kb_root / "b" / "bad.md").unlink()
    assert _run(kb_root) == 0
    with pytest.raises(argparse.ArgumentTypeError, match="not a folder"):
        _run(kb_root / "a" / "plain.md")
    empty = tmp_path / "empty"
    empty.mkdir()
    capsys.readouterr()
    assert _run(empty) == 0
    assert capsys.readouterr() == ("", "0 documents, 0 untiered, 0 with problems\n")
    assert _run(empty, "--json") == 0
    assert capsys.readouterr().out == "[]\n"


@pytest.mark.parametrize("items", [
    [], [1], ["x\ny", None, True, 2.5], [{"a": [], "b": [1, {"c": "é\u202e"}], "d": None}],
    [{"rule": "todo", "path": f"p{n}.md", "line": n, "message": "m"} for n in range(5000)],
    [{"rule": "x", "path": "caf\u00e9 \"q\" \\ \t\x01\u2028\ud800.md", "line": None, "message": "\u202e 😀"},
     {"a": True}, {"a": 1.5}, {}, {"a": {"b": 1}}, {1: "key"}, {"n": -3, "big": 10**30}],
])
def test_json_pieces_are_json_dumps_in_pieces(items: list[object]) -> None:
    expected = json.dumps(items, ensure_ascii=False, indent=1)
    assert "".join(json_array_pieces(iter(items), batch=7)) == expected
    assert "".join(json_array_pieces(items)) == expected
    if len(items) > 2000:
        assert len(list(json_array_pieces(items))) == 3   # 2,000 items a piece, the last with the close
