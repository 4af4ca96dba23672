"""kbstudio lint as a real process: JSON shape, text lines, severities, rule options and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import CONTENT
from tests.lint.helpers import article, make


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbstudio", "lint", *args], capture_output=True,
                          text=True, timeout=120)


def _kb(tmp_path: Path) -> Path:
    return make(tmp_path / "kb", {
        "docs/a.md": article("KB-1", body="# T\n\nSee [gone](gone.md).\n\nTODO: finish.\n"),
        "docs/b.md": article("KB-2", "Second"),
    })


def test_json_shape_and_exit_one(tmp_path: Path) -> None:
    result = run(str(_kb(tmp_path)), "--json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    assert findings == [
        {"rule": "broken-link", "severity": "error", "path": "docs/a.md", "line": 13,
         "message": "link target 'gone.md' does not exist (resolves to docs/gone.md)"},
        {"rule": "todo", "severity": "warning", "path": "docs/a.md", "line": 15,
         "message": "TODO left in a published document"},
    ]
    assert "1 error, 1 warning in 2 documents" in result.stderr


def test_text_output_and_severity_filter(tmp_path: Path) -> None:
    root = _kb(tmp_path)
    result = run(str(root), "--severity", "error")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "docs/a.md:13: error: link target 'gone.md' does not exist (resolves to docs/gone.md) [broken-link]"]
    assert "1 below the severity not shown" in result.stderr
    only_todo = run(str(root), "--rule", "todo", "--severity", "error")
    assert only_todo.returncode == 0 and only_todo.stdout == ""
    ignored = run(str(root), "--ignore", "broken-link,todo", "--json")
    assert ignored.returncode == 0 and json.loads(ignored.stdout) == []


def test_bundled_content_exits_zero_at_error_level() -> None:
    result = run(str(CONTENT), "--severity", "error", "--json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout) == []


def test_bad_usage_exits_two(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing")).returncode == 2
    assert run().returncode == 2
    unknown = run(str(tmp_path), "--rule", "no-such-rule")
    assert unknown.returncode == 2 and "unknown lint rule no-such-rule" in unknown.stderr
    assert run(str(tmp_path), "--severity", "info").returncode == 2
    assert run(str(tmp_path), "--today", "tomorrow").returncode == 2
    assert "Traceback" not in unknown.stderr


def test_today_option_and_rule_list(tmp_path: Path) -> None:
    root = _kb(tmp_path)
    stale = run(str(root), "--rule", "stale", "--today", "2027-02-01", "--json")
    assert [f["path"] for f in json.loads(stale.stdout)] == ["docs/a.md", "docs/b.md"]
    listing = run("--list-rules")
    assert listing.returncode == 0 and listing.stdout.splitlines()[0].split()[:2] == ["unreadable", "error"]


def test_empty_folder_is_clean(tmp_path: Path) -> None:
    result = run(str(tmp_path), "--json")
    assert result.returncode == 0 and json.loads(result.stdout) == []


def test_pre_commit_hook_runs_kbstudio_lint_on_the_repository() -> None:
    import yaml

    hooks = yaml.safe_load((CONTENT.parent / ".pre-commit-hooks.yaml").read_text("utf-8"))
    hook = next(h for h in hooks if h["id"] == "kbstudio-lint")
    assert hook["entry"] == "kbstudio lint ." and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["args"] == ["--severity", "error"]
