"""`kbstudio search` takes the query as docs/search.md writes it: `-word` excludes, `--` ends the options."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbstudio.cli import main


class Search:
    """Runs ``kbstudio search KB ...`` in this process (one real process checks the same)."""

    def __init__(self, kb: Path, index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.kb, self.index_dir, self.capsys = kb, index_dir, capsys

    def run(self, *args: str) -> tuple[int, str, str]:
        code = main(["search", str(self.kb), "--index-dir", str(self.index_dir), *args])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    def answer(self, *args: str) -> dict:
        code, out, err = self.run("--json", "--limit", "100", *args)
        assert code == 0, err
        return json.loads(out)

    def paths(self, *args: str) -> list[str]:
        return [hit["path"] for hit in self.answer(*args)["results"]]


@pytest.fixture()
def search(content_copy: Path, index_dir: Path, capsys: pytest.CaptureFixture[str]) -> Search:
    return Search(content_copy, index_dir, capsys)


def test_a_leading_dash_word_is_part_of_the_query_not_an_option(search: Search) -> None:
    assert search.answer("-vpn")["query"] == "-vpn"   # was: "unrecognized arguments: -vpn", exit 2
    printer = search.paths("printer")
    without_vpn = search.answer("-vpn", "printer")
    assert without_vpn["query"] == "-vpn printer"
    kept = [hit["path"] for hit in without_vpn["results"]]
    assert kept and set(kept) < set(printer)
    for path in kept:
        assert "vpn" not in (search.kb / path).read_text("utf-8").lower()
    # the same query however it is split into arguments, and wherever the options stand
    assert search.paths("-vpn printer") == kept
    assert search.paths("printer", "-vpn") == kept
    assert search.paths("--", "-vpn", "printer") == kept


def test_double_dash_ends_the_options(search: Search) -> None:
    code, out, err = search.run("--json", "--", "--limit", "printer")
    assert code == 0, err
    assert json.loads(out)["query"] == "--limit printer"   # after --, even --limit is a word


def test_a_capitalised_dash_word_in_pasted_text_is_an_ordinary_word(search: Search) -> None:
    pasted = search.answer("error -Identity")
    assert pasted["query"] == "error -Identity"
    assert [hit["path"] for hit in pasted["results"]] == search.paths("error Identity")
    assert pasted["total"] > search.answer("error")["total"]


def test_options_still_work_around_dash_words(search: Search) -> None:
    data = search.answer("-vpn", "--tier=L0,L1", "printer", "--kind", "article")
    assert data["query"] == "-vpn printer"
    assert {hit["tier"] for hit in data["results"]} <= {"L0", "L1"}
    assert {hit["kind"] for hit in data["results"]} == {"article"}
    code, out, _ = search.run("printer", "--lim", "2", "--json")   # an abbreviated option, as before
    assert code == 0 and len(json.loads(out)["results"]) == 2
    with pytest.raises(SystemExit) as unknown:
        search.run("printer", "--frobnicate")
    assert unknown.value.code == 2 and "--frobnicate" in search.capsys.readouterr().err
    code, _, err = search.run()
    assert code == 2 and "QUERY or --batch" in err
    code, out, _ = search.run("", "--json")   # an empty query: an empty answer, as before
    assert code == 0 and json.loads(out)["total"] == 0


def test_the_documented_command_lines_in_a_real_process(content_copy: Path, index_dir: Path) -> None:
    env = {**os.environ, "KBSTUDIO_INDEX_DIR": str(index_dir)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kbstudio", "search", str(content_copy), *args],
                              capture_output=True, text=True, timeout=300, env=env)

    alone = run("-vpn")
    assert alone.returncode == 0 and "Traceback" not in alone.stderr, alone.stderr
    assert "matches" in alone.stderr
    after = run("--json", "--", "-vpn", "printer")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["query"] == "-vpn printer"
    pasted = run("error -Identity", "--json")
    assert pasted.returncode == 0 and json.loads(pasted.stdout)["query"] == "error -Identity"
