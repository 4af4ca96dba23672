"""Front matter: unreadable files, required fields, allowed values, duplicate ids and keys."""

from __future__ import annotations

from pathlib import Path

from tests.lint.helpers import article, lint, make, sop, where


def test_clean_documents_have_no_findings(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(body="# Printer shows offline\n\n## Issue\n\nOffline.\n"),
                           "sops/s.md": sop(), "b.md": article("KB-0101", "Other", body="See [a](a.md).\n")})
    assert lint(root) == []


def test_unreadable_files_are_errors_at_their_line(tmp_path: Path) -> None:
    root = make(tmp_path, {
        "bad-yaml.md": "---\nid: KB-1\ntitle: [unclosed\n---\nbody\n",
        "latin1.md": b"---\nid: KB-2\n---\ncaf\xe9\n",
        "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00",
        "unclosed.md": "---\nid: KB-3\n",
    })
    found = {p.path: p for p in lint(root) if p.rule == "unreadable"}
    assert set(found) == {"bad-yaml.md", "latin1.md", "binary.md", "unclosed.md"}
    assert all(p.severity == "error" for p in found.values())
    assert found["latin1.md"].line == 4
    assert found["bad-yaml.md"].line in (3, 4)
    assert "UTF-8" in found["latin1.md"].message


def test_published_document_needs_every_required_field(tmp_path: Path) -> None:
    text = "---\nid: KB-7\ntitle: T\nstatus: published\ntier: L1\n---\n# T\n\nBody.\n"
    root = make(tmp_path, {"a.md": text, "draft.md": "---\nstatus: draft\n---\n# Draft\n\nBody.\n"})
    problems = [p for p in lint(root) if p.rule == "missing-field"]
    assert {p.message.split("'")[1] for p in problems} == {"kind", "owner", "review_by"}
    assert {(p.path, p.line, p.severity) for p in problems} == {("a.md", 4, "error")}


def test_invalid_values_are_reported_at_their_key(tmp_path: Path) -> None:
    extra = "escalates_to: L9\n"
    text = article(extra=extra).replace("tier: L1", "tier: L7").replace("kind: article", "kind: howto")
    text = text.replace("review_by: 2027-01-01", "review_by: next year")
    root = make(tmp_path, {"a.md": text, "b.md": article("KB-2", status="publshed")})
    problems = [p for p in lint(root) if p.rule == "invalid-value"]
    lines = {(p.path, p.line): p.message.split(" ")[0] for p in problems}
    assert lines == {("a.md", 4): "kind", ("a.md", 5): "tier", ("a.md", 9): "review_by",
                     ("a.md", 10): "escalates_to", ("b.md", 6): "status"}
    assert all(p.severity == "error" for p in problems)


def test_lowercase_tier_is_accepted(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(tier="l2")})
    assert where(lint(root), "invalid-value") == []


def test_duplicate_ids_name_the_other_file(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article("KB-0042"), "sub/b.md": article("kb-0042", "Another title"),
                           "c.md": article("KB-0043", "Third one")})
    problems = [p for p in lint(root) if p.rule == "duplicate-id"]
    assert {(p.path, p.line) for p in problems} == {("a.md", 2), ("sub/b.md", 2)}
    by_path = {p.path: p.message for p in problems}
    assert "sub/b.md" in by_path["a.md"] and "a.md" in by_path["sub/b.md"]


def test_duplicate_key_is_a_warning(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(extra="tier: L2\n")})
    problems = [p for p in lint(root) if p.rule == "duplicate-key"]
    assert [(p.line, p.severity) for p in problems] == [(10, "warning")]
