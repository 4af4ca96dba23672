"""Any front-matter value: ``list``, ``lint``, ``dashboard`` and ``search`` never crash, and name the field.

Documents get random YAML for every field (text, numbers, dates, date-times, nulls, lists, maps,
nested, odd Unicode, invalid dates). Every command exits 0, 1 or 2 without a traceback, every
document still lists, and each finding about a value names its field, at that field's line.
See ``tests/yaml_strategies.py`` for running many more examples locally.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kbstudio import cli
from kbstudio.fields import BY_NAME, FIELDS
from tests.yaml_strategies import examples, yaml_values

FIELD_NAMES = [field.name for field in FIELDS]


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    """One KB folder and index folder reused by every example (the index updates incrementally)."""
    folder = Path(tempfile.mkdtemp(prefix="kbstudio-fuzz-"))
    (folder / "kb").mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@st.composite
def documents(draw: st.DrawFn) -> list[tuple[list[str], str]]:
    """Return 1-3 documents as (field names in order, file text)."""
    result = []
    for _ in range(draw(st.integers(1, 3))):
        names = draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=len(FIELD_NAMES),
                              unique=True))
        lines = [f"{name}: {draw(yaml_values())}" for name in names]
        body = draw(st.sampled_from(["# Printer jams\n\nThe printer jams.\n", "", "Printer text only.\n"]))
        result.append((names, "---\n" + "\n".join(lines) + "\n---\n" + body))
    return result


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


@settings(max_examples=examples(60), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(documents())
@example([(["review_by", "title", "tier"],
           "---\nreview_by: 2020-05-01 10:00:00Z\ntitle: No\ntier: [L1, L2]\n---\n")])
@example([(["tags", "review_by", "title"],
           "---\ntags: {a: b}\nreview_by: 2024-02-30\ntitle: 12:30\n---\n# T\n")])
def test_commands_survive_any_front_matter_and_name_the_field(
        workspace: Path, capsys: pytest.CaptureFixture[str], docs: list[tuple[list[str], str]]) -> None:
    kb = workspace / "kb"
    for old in kb.glob("*.md"):
        old.unlink()
    lines_of: dict[str, dict[int, str]] = {}
    for number, (names, text) in enumerate(docs):
        (kb / f"doc{number}.md").write_text(text, encoding="utf-8")
        lines_of[f"doc{number}.md"] = {2 + index: name for index, name in enumerate(names)}

    code, out, _ = _run(capsys, "list", str(kb), "--json")
    assert code in (0, 1)
    rows = json.loads(out)
    assert sorted(row["path"] for row in rows) == sorted(lines_of)
    for row in rows:
        for problem in row["problems"]:
            if problem["rule"].startswith("invalid-"):
                field = problem["rule"].removeprefix("invalid-")
                assert field in BY_NAME and problem["message"].startswith(field + " ")
                assert lines_of[row["path"]][problem["line"]] == field
        assert isinstance(row["title"], str) and row["kind"] in ("article", "sop")

    code, out, _ = _run(capsys, "lint", str(kb), "--json", "--today", "2026-01-01")
    assert code in (0, 1)
    for finding in json.loads(out):
        if finding["rule"] == "invalid-value":
            field = lines_of[finding["path"]][finding["line"]]
            assert finding["message"].startswith(field + " "), finding

    code, out, _ = _run(capsys, "dashboard", str(kb), "--json", "--today", "2026-01-01")
    assert code == 0
    assert json.loads(out)["kb"]

    code, out, _ = _run(capsys, "list", str(kb))
    assert code in (0, 1)

    code, out, _ = _run(capsys, "search", str(kb), "printer jams", "--json", "--index-dir",
                        str(workspace / "index"))
    assert code in (0, 1, 2)
    if code == 0:
        assert all(isinstance(hit["title"], str) for hit in json.loads(out)["results"])
