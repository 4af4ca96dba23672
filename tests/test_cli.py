"""The command line, run as a user runs it: as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from kbstudio import __version__
from tests.conftest import write


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbstudio", *args], capture_output=True,
                          text=True, timeout=120)


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kbstudio {__version__}"


def test_list_json(kb_root: Path) -> None:
    write(kb_root, "foreign.md", "# Foreign doc\n")
    result = run("list", str(kb_root), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert sorted(row["path"] for row in rows) == ["articles/reset.md", "foreign.md"]
    by_path = {row["path"]: row for row in rows}
    assert by_path["articles/reset.md"] == {
        "id": "KB-0001", "path": "articles/reset.md", "title": "Reset a password",
        "kind": "article", "tier": "L1", "status": "published",
        "tags": ["accounts", "password"], "problems": []}
    assert by_path["foreign.md"]["problems"][0]["rule"] == "untiered"


def test_list_text_and_exit_one_on_unreadable_files(kb_root: Path) -> None:
    write(kb_root, "broken.md", "---\ntitle: [\n---\n")
    result = run("list", str(kb_root))
    assert result.returncode == 1
    assert "KB-0001" in result.stdout and "Reset a password" in result.stdout
    assert "broken.md:2: error: front matter is not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_two_without_traceback(tmp_path: Path) -> None:
    missing = run("list", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "not a folder" in missing.stderr
    bad_tier = run("new", str(tmp_path), "--title", "x", "--tier", "L9")
    assert bad_tier.returncode == 2
    no_title = run("new", str(tmp_path), "--tier", "L1")
    assert no_title.returncode == 2
    unknown = run("frobnicate", "x", "y")
    assert unknown.returncode == 2
    for result in (missing, bad_tier, no_title, unknown):
        assert "Traceback" not in result.stderr


def test_new_prints_the_path_of_a_fresh_document(kb_root: Path) -> None:
    result = run("new", str(kb_root), "--kind", "sop", "--title", "Escalate printers", "--tier", "l1")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == kb_root / "sops" / "escalate-printers.md"
    text = path.read_text("utf-8")
    assert "id: SOP-0001" in text and "escalates_to: L2" in text
    listed = json.loads(run("list", str(kb_root), "--json").stdout)
    assert {row["id"] for row in listed} == {"KB-0001", "SOP-0001"}


def test_list_of_the_real_corpus(corpus: Path) -> None:
    started = time.perf_counter()
    result = run("list", str(corpus), "--json")
    elapsed = time.perf_counter() - started
    assert result.returncode in (0, 1), result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 2459
    assert sum(1 for row in rows if row["tier"] is None) == 2459
    assert all(any(p["rule"] == "untiered" for p in row["problems"]) for row in rows)
    assert len({row["path"] for row in rows}) == 2459
    print(f"listed the corpus in {elapsed:.2f} s")


def test_command_names_known_before_the_parser_match_the_parser() -> None:
    from kbstudio.cli import COMMAND_NAMES, subcommand_names

    assert subcommand_names() == COMMAND_NAMES
