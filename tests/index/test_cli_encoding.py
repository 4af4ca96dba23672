"""kbstudio search given bytes that are not UTF-8: in a query argument, a --batch file, or stdin.

Each is named in one message (the argument, or the file and line), never a traceback; the other
queries of a batch are still answered, one JSON object per input line. Run as real processes in a
UTF-8 locale, where Python gives such argument bytes as surrogate escapes and reads stdin strictly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbstudio.cli_search import _check_query_arguments
from tests.conftest import write

ARTICLE = ("---\nid: KB-{n}\ntitle: {title}\nkind: article\ntier: L1\nstatus: published\ntags: [test]\n"
           "owner: Service Desk\nreview_by: 2027-01-01\n---\n# {title}\n\n## Issue\n\n{body}\n")
NOT_UTF8 = "not valid UTF-8 (byte \\xe9 at character 4)"


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    """A KB of two articles: one about the café's printer, one about the VPN."""
    root = tmp_path / "kb"
    write(root, "printer.md", ARTICLE.format(n=1, title="Café printer offline",
                                             body="The café printer shows offline."))
    write(root, "vpn.md", ARTICLE.format(n=2, title="VPN drops", body="GlobalProtect drops the tunnel."))
    return root


def run(index_dir: Path, *args: str | bytes, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run kbstudio in a UTF-8 locale; return the exit code, stdout and stderr (both must be UTF-8)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONUTF8", "PYTHONIOENCODING", "LANG", "LANGUAGE") and not key.startswith("LC_")}
    env.update(KBSTUDIO_INDEX_DIR=str(index_dir), LC_ALL="C.UTF-8")
    result = subprocess.run([sys.executable, "-m", "kbstudio", *args], input=stdin or b"",
                            capture_output=True, timeout=300, env=env)
    return result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


def test_a_query_argument_that_is_not_utf8_is_named_and_nothing_searched(kb: Path,
                                                                         index_dir: Path) -> None:
    message = (f"kbstudio: query argument 'caf\\xe9' is {NOT_UTF8}: nothing was searched; "
               "give the query in UTF-8\n")
    assert run(index_dir, "search", str(kb), b"caf\xe9") == (2, "", message)
    two_words = ("kbstudio: query argument 'printer caf\\xe9' is not valid UTF-8 "
                 "(byte \\xe9 at character 12): nothing was searched; give the query in UTF-8\n")
    assert run(index_dir, "search", str(kb), b"printer caf\xe9", "--json") == (2, "", two_words)
    code, out, err = run(index_dir, "search", str(kb), "café", "--json")   # the same word in UTF-8
    assert code == 0, err
    assert [hit["id"] for hit in json.loads(out)["results"]] == ["KB-1"]


def test_each_word_of_a_query_given_in_several_arguments_is_checked() -> None:
    for words in (None, "café", ["vpn", "café", "-printer"]):
        _check_query_arguments(words)
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _check_query_arguments(["vpn", "caf\udce9", "x\udcff"])   # as Python gives argv bytes
    assert str(raised.value) == (f"query argument 'caf\\xe9' is {NOT_UTF8}: nothing was searched; "
                                 "give the query in UTF-8")


def test_a_batch_file_line_that_is_not_utf8_is_reported_and_the_others_answered(
        kb: Path, index_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "queries.txt"
    # a byte order mark, CRLF line ends, no line end after the last query
    batch.write_bytes(b"\xef\xbb\xbfprinter\r\ncaf\xe9\r\ncaf\xc3\xa9\nglobalprotect")
    code, out, err = run(index_dir, "search", str(kb), "--batch", str(batch))
    assert code == 2
    assert err.splitlines() == [f"kbstudio: {batch}:2: query 'caf\\xe9' is {NOT_UTF8}; it was not searched"]
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["printer", "caf\\xe9", "café", "globalprotect"]
    assert lines[1] == {"query": "caf\\xe9", "line": 2, "error": NOT_UTF8}
    assert [[hit["id"] for hit in lines[n]["results"]] for n in (0, 2, 3)] == [["KB-1"], ["KB-1"], ["KB-2"]]


def test_stdin_with_a_line_that_is_not_utf8_answers_every_other_line(kb: Path, index_dir: Path) -> None:
    code, out, err = run(index_dir, "search", str(kb), "--batch", "-", stdin=b"vpn\ncaf\xe9\nprinter\n")
    assert code == 2
    assert err.splitlines() == [f"kbstudio: stdin:2: query 'caf\\xe9' is {NOT_UTF8}; it was not searched"]
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line.get("total") for line in lines] == [1, None, 1]
    assert lines[1] == {"query": "caf\\xe9", "line": 2, "error": NOT_UTF8}
    assert (lines[0]["results"][0]["id"], lines[2]["results"][0]["id"]) == ("KB-2", "KB-1")


def test_a_batch_of_utf8_lines_exits_0_and_a_missing_file_is_named(kb: Path, index_dir: Path,
                                                                   tmp_path: Path) -> None:
    code, out, err = run(index_dir, "search", str(kb), "--batch", "-", stdin="café\n\n".encode())
    assert code == 0, err
    assert [json.loads(line)["query"] for line in out.splitlines()] == ["café", ""]
    code, out, err = run(index_dir, "search", str(kb), "--batch", str(tmp_path / "missing.txt"))
    assert (code, out) == (2, "")
    assert "missing.txt" in err and "Traceback" not in err and "unexpected error" not in err
