"""The API the Health panel uses: whole-KB lint, rule selection, and incremental updates after a save."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.lint import RULE_IDS, RULES, Linter, lint_documents, lint_kb, select_rules, sort_key
from kbstudio.model import ERROR, WARNING
from tests.conftest import write
from tests.lint.helpers import TODAY, article, make, sop


def test_every_rule_has_an_id_severity_and_description() -> None:
    assert len(set(RULE_IDS)) == len(RULES)
    for rule in RULES:
        assert rule.severity in (ERROR, WARNING) and rule.description and callable(rule.check)


def test_select_rules() -> None:
    assert [r.id for r in select_rules(["stale", "orphan"])] == ["stale", "orphan"]
    assert "stale" not in [r.id for r in select_rules(ignore=["stale"])]
    with pytest.raises(ValueError, match="unknown lint rule nope"):
        select_rules(["nope"])


def test_results_are_sorted_by_path_and_line(tmp_path: Path) -> None:
    root = make(tmp_path, {"b.md": article("KB-1", body="# T\n\n[x](gone.md)\n\n[y](gone2.md)\n"),
                           "a.md": article("KB-1", "Other")})
    problems = lint_kb(KnowledgeBase(root), today=TODAY)
    assert problems == sorted(problems, key=sort_key)
    assert [p.path for p in problems][0] == "a.md"


def _state(root: Path) -> list[tuple[str, str, int | None, str]]:
    kb = KnowledgeBase(root)
    return [(p.rule, p.path, p.line, p.message) for p in lint_documents(kb.load_all(), kb.root, TODAY)]


def test_incremental_update_matches_a_full_lint(tmp_path: Path) -> None:
    root = make(tmp_path, {
        "a.md": article("KB-1", "Printer shows offline", tags="[]"),
        "b.md": article("KB-2", "VPN drops", body="# VPN drops\n\nSee [new](new.md) and [a](a.md#issue).\n"),
        "c.md": article("KB-3", "Wi-Fi"),
        "s.md": sop(),
    })
    kb = KnowledgeBase(root)
    linter = Linter(kb.root, kb.load_all(), today=TODAY)
    assert [p.rule for p in linter.problems()] == ["broken-link"]
    # a.md loses its inbound link, c.md takes a.md's id and title, new.md appears: others' findings change.
    write(root, "b.md", article("KB-2", "VPN drops", body="# VPN drops\n\nNo links now.\n"))
    write(root, "c.md", article("KB-1", "Printer shows offline"))
    for rel in ("b.md", "c.md"):
        changed = linter.update(kb.load(root / rel))
        assert rel in changed
    write(root, "new.md", article("KB-9", "New one"))
    linter.update(kb.load(root / "new.md"))
    assert [(p.rule, p.path, p.line, p.message) for p in linter.problems()] == _state(root)
    assert linter.counts_by_rule() == {"duplicate-id": 2, "likely-duplicate": 2, "orphan": 1}
    assert [p.rule for p in linter.problems_for("a.md")] == ["duplicate-id", "likely-duplicate", "orphan"]
    (root / "c.md").unlink()
    assert "a.md" in linter.remove("c.md")
    assert [(p.rule, p.path, p.line, p.message) for p in linter.problems()] == _state(root)


def test_bundled_content_is_clean_at_error_level(content_copy: Path) -> None:
    problems = lint_kb(KnowledgeBase(content_copy))
    assert [str(p) for p in problems if p.severity == ERROR] == []


def test_demo_kb_lints_quickly(content_copy: Path) -> None:
    documents = KnowledgeBase(content_copy).load_all()
    started = time.perf_counter()
    lint_documents(documents, content_copy)
    assert time.perf_counter() - started < 1.0


def test_corpus_lints_without_crashing(corpus: Path) -> None:
    problems = lint_kb(KnowledgeBase(corpus))
    assert problems and all(p.rule in RULE_IDS and p.line for p in problems)
    assert not [p for p in problems if p.rule == "unreadable"]
