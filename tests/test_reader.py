"""Reading documents: foreign Markdown and every kind of bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.model import ERROR, WARNING
from tests.conftest import ARTICLE, write


def _by_path(root: Path) -> dict:
    return {doc.rel_path: doc for doc in KnowledgeBase(root).load_all()}


def test_good_article_reads_its_fields(kb_root: Path) -> None:
    doc = _by_path(kb_root)["articles/reset.md"]
    assert (doc.id, doc.title, doc.kind, doc.tier, doc.status) == (
        "KB-0001", "Reset a password", "article", "L1", "published")
    assert doc.tags == ["accounts", "password"]
    assert doc.problems == []
    assert doc.body.startswith("\n# Reset a password")


def test_foreign_markdown_without_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "Intro line\n\n# Printer jams\n\ntext\n")
    write(tmp_path, "b.md", "no heading at all\n")
    docs = _by_path(tmp_path)
    assert docs["a.md"].title == "Printer jams"
    assert docs["b.md"].title == "b"
    assert docs["a.md"].kind == "article" and docs["a.md"].status == "draft"
    assert [p.rule for p in docs["a.md"].problems] == ["untiered"]
    assert docs["a.md"].problems[0].severity == WARNING


def test_someone_elses_keys_are_kept(tmp_path: Path) -> None:
    write(tmp_path, "ms.md", "---\ntitle: Outlook crash\nms.author: someone\nms.date: 04/07/2023\n---\nx\n")
    doc = _by_path(tmp_path)["ms.md"]
    assert doc.meta["ms.author"] == "someone"
    assert doc.title == "Outlook crash"
    assert doc.tier is None


def test_invalid_values_are_warnings_with_lines(tmp_path: Path) -> None:
    write(tmp_path, "bad.md", "---\ntitle: X\ntier: L9\nkind: recipe\nstatus: done\n---\n")
    problems = {p.rule: p for p in _by_path(tmp_path)["bad.md"].problems}
    assert problems["invalid-tier"].line == 3
    assert problems["invalid-kind"].line == 4
    assert problems["invalid-status"].line == 5
    assert all(p.severity == WARNING for p in problems.values())


def _only_problem(root: Path, rel: str):
    doc = _by_path(root)[rel]
    errors = [p for p in doc.problems if p.severity == ERROR]
    assert len(errors) == 1, doc.problems
    assert errors[0].path == rel
    return doc, errors[0]


BAD_INPUTS = {
    "broken-yaml.md": ("---\ntitle: A\ntier: [L1\n---\nbody\n", "bad-front-matter", 3),
    "python-tag.md": ("---\ntitle: A\nx: !!python/object/apply:os.system [id]\n---\n", "bad-front-matter", 3),
    "unclosed.md": ("---\ntitle: A\nbody without end\n", "unclosed-front-matter", 1),
    "not-a-map.md": ("---\n- a\n- b\n---\n", "bad-front-matter", 2),
    "bad-utf8.md": (b"---\ntitle: A\n---\nline four \xff\xfe\n", "invalid-utf8", 4),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary-file", 3),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_and_the_rest_loads(kb_root: Path, name: str) -> None:
    content, rule, line = BAD_INPUTS[name]
    write(kb_root, f"bad/{name}", content)
    doc, problem = _only_problem(kb_root, f"bad/{name}")
    assert problem.rule == rule
    assert problem.line == line
    assert _by_path(kb_root)["articles/reset.md"].problems == []


def test_alias_bomb_is_reported(kb_root: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 10)}]")
    write(kb_root, "bomb.md", "---\n" + "\n".join(lines) + "\n---\n")
    _, problem = _only_problem(kb_root, "bomb.md")
    assert "alias" in problem.message


def test_fifty_megabyte_file_is_refused_without_reading_it(kb_root: Path) -> None:
    path = kb_root / "huge.md"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    doc, problem = _only_problem(kb_root, "huge.md")
    assert problem.rule == "file-too-large"
    assert "50.0 MB" in problem.message
    assert not doc.readable


def test_symlink_outside_the_kb_is_refused(kb_root: Path, tmp_path: Path) -> None:
    secret = write(tmp_path, "outside/secret.md", "---\ntitle: Secret\n---\n")
    os.symlink(secret, kb_root / "link.md")
    os.symlink(kb_root / "articles" / "reset.md", kb_root / "inside-link.md")
    _, problem = _only_problem(kb_root, "link.md")
    assert problem.rule == "link-outside-kb"
    assert _by_path(kb_root)["inside-link.md"].title == "Reset a password"
    assert KnowledgeBase(kb_root).load("link.md").problems[0].rule == "link-outside-kb"


def test_folder_link_outside_is_not_followed(kb_root: Path, tmp_path: Path) -> None:
    write(tmp_path, "elsewhere/x.md", "# X\n")
    os.symlink(tmp_path / "elsewhere", kb_root / "linked-folder")
    assert "linked-folder/x.md" not in _by_path(kb_root)
    doc = KnowledgeBase(kb_root).load("linked-folder/x.md")
    assert doc.problems[0].rule == "link-outside-kb"


@pytest.mark.parametrize("name", ["with space.md", "it\u2019s.md", "сброс пароля.md",
                                  "パスワード.md", "#hash & amp.md"])
def test_odd_file_names(kb_root: Path, name: str) -> None:
    write(kb_root, f"odd/{name}", ARTICLE.replace("KB-0001", "KB-0002"))
    doc = _by_path(kb_root)[f"odd/{name}"]
    assert doc.id == "KB-0002" and doc.problems == []


def test_hidden_and_template_folders_are_skipped(kb_root: Path) -> None:
    write(kb_root, ".git/notes.md", "# git\n")
    write(kb_root, ".hidden.md", "# hidden\n")
    write(kb_root, "_templates/article.md", "---\nid: {{id}}\n---\n")
    write(kb_root, "articles/_templates/real.md", "# a real doc in a nested folder\n")
    paths = set(_by_path(kb_root))
    assert paths == {"articles/reset.md", "articles/_templates/real.md"}


def test_bom_and_crlf_are_read(tmp_path: Path) -> None:
    write(tmp_path, "win.md", "\ufeff---\r\ntitle: Windows file\r\ntier: L2\r\n---\r\nbody\r\n")
    doc = _by_path(tmp_path)["win.md"]
    assert doc.title == "Windows file" and doc.tier == "L2" and doc.problems == []
