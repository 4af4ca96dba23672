"""The index and search commands, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run(index_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KBSTUDIO_INDEX_DIR": str(index_dir)}
    return subprocess.run([sys.executable, "-m", "kbstudio", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_search_builds_the_index_first_and_prints_json(content_copy: Path, index_dir: Path) -> None:
    result = run(index_dir, "search", str(content_copy), "outlook keeps asking password", "--json",
                 "--limit", "3")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"query", "corrected", "notes", "total", "took_ms", "facets", "results"}
    assert set(data["facets"]) == {"tier", "kind", "status"}
    assert len(data["results"]) == 3
    first = data["results"][0]
    assert set(first) == {"id", "path", "title", "tier", "kind", "status", "archived", "score", "snippet"}
    assert first["id"] == "KB-0019"
    assert first["path"] == "articles/email/outlook-keeps-asking-for-password.md"


def test_index_then_rebuild(content_copy: Path, index_dir: Path) -> None:
    first = run(index_dir, "index", str(content_copy))
    assert first.returncode == 0 and "indexed 61 documents" in first.stdout
    again = run(index_dir, "index", str(content_copy))
    assert "0 added, 0 updated, 0 removed" in again.stdout
    rebuilt = run(index_dir, "index", str(content_copy), "--rebuild")
    assert "indexed 61 documents" in rebuilt.stdout and "rebuild requested" in rebuilt.stdout


def test_search_filters_and_text_output(content_copy: Path, index_dir: Path) -> None:
    result = run(index_dir, "search", str(content_copy), "password", "--tier", "L0,L1", "--kind",
                 "article", "--limit", "50")
    assert result.returncode == 0, result.stderr
    assert "[L2" not in result.stdout and "[L1 article" in result.stdout
    assert "more at other tiers" in result.stderr
    bad = run(index_dir, "search", str(content_copy), "x", "--tier", "L9")
    assert bad.returncode == 2 and "--tier" in bad.stderr and "Traceback" not in bad.stderr


def test_batch_keeps_order_one_object_per_line(content_copy: Path, index_dir: Path,
                                               tmp_path: Path) -> None:
    queries = ["vpn", "", "550 5.7.1 Unable to relay", '"unbalanced', "outlok"]
    batch = tmp_path / "queries.txt"
    batch.write_text("\n".join(queries) + "\n", "utf-8")
    result = run(index_dir, "search", str(content_copy), "--batch", str(batch), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries
    assert lines[4]["corrected"] == "outlook"
