"""Stale reviews, empty sections, TODO notes and likely duplicates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.lint.helpers import article, lint, make, where


def test_stale_uses_the_given_today(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(), "draft.md": article("KB-2", "Draft", status="draft")})
    assert where(lint(root, "stale", today=date(2027, 1, 1)), "stale") == []
    problems = lint(root, "stale", today=date(2027, 1, 3))
    assert [(p.path, p.line, p.severity) for p in problems] == [("a.md", 9, "warning")]
    assert "2 days ago" in problems[0].message


def test_empty_sections(tmp_path: Path) -> None:
    body = ("# Title\n\n## Issue\n\n<!-- to do -->\n\n## Environment\n\n### Windows\n\nWindows 11.\n\n"
            "### Mac\n\n## Resolution\n\n```\ncode counts\n```\n\n## Cause\n\n## Related\n")
    root = make(tmp_path, {"a.md": article(body=body),
                           "draft.md": article("KB-2", "Draft", status="draft", body=body)})
    problems = lint(root, "empty-section")
    # Body from line 11: Issue 13, Environment 17, Windows 19, Mac 23, Resolution 25, Cause 31, Related 33.
    assert where(problems, "empty-section") == [("a.md", 13), ("a.md", 23), ("a.md", 31), ("a.md", 33)]
    assert "'Issue'" in problems[0].message


def test_todo_in_live_documents_outside_code(tmp_path: Path) -> None:
    body = "# T\n\nTODO: add screenshots.\n\n`TODO` in code is fine, todo lowercase too.\n\n<!-- FIXME -->\n"
    root = make(tmp_path, {"a.md": article(body=body),
                           "b.md": article("KB-2", "B", status="draft", body=body)})
    problems = lint(root, "todo")
    assert where(problems, "todo") == [("a.md", 13), ("a.md", 17)]
    assert problems[0].severity == "warning"


ISSUE = ("## Issue\n\nWhen the caller opens Outlook on a Windows laptop after a password change, "
         "a window keeps asking for the password again and again, and typing the new password "
         "does not make the prompt go away even after Outlook is restarted.\n")


def test_likely_duplicates_by_title_and_issue(tmp_path: Path) -> None:
    root = make(tmp_path, {
        "a.md": article("KB-1", "Outlook keeps asking for my password"),
        "b.md": article("KB-2", "Outlook keeps asking for the password"),
        "c.md": article("KB-3", "Credentials prompt loops", body="# Credentials prompt loops\n\n" + ISSUE),
        "d.md": article("KB-4", "Password box will not go away",
                        body="# X\n\n" + ISSUE.replace("laptop", "PC")),
        "e.md": article("KB-5", "Fix NDR error 550 5.1.0 in Exchange Online"),
        "f.md": article("KB-6", "Fix NDR error 550 5.7.1 in Exchange Online"),
        "g.md": article("KB-7", "Outlook keeps asking for my password", status="archived"),
    })
    problems = lint(root, "likely-duplicate")
    assert where(problems, "likely-duplicate") == [("a.md", 3), ("b.md", 3), ("c.md", 13), ("d.md", 13)]
    assert "b.md" in problems[0].message and "a.md" in problems[1].message
    assert "issue statement" in problems[2].message and "d.md" in problems[2].message


def test_similarity_finds_pairs_fast_enough_for_thousands(tmp_path: Path) -> None:
    from kbstudio.lint.similar import SimilarityIndex, words

    index = SimilarityIndex(0.8, min_size=2)
    titles = {f"k{i}": frozenset(words(f"printer model {i} shows error {i * 7} after update {i % 13}"))
              for i in range(3000)}
    index.build(titles.items())
    index.add("twin", titles["k5"])
    assert index.matches("twin") == [("k5", 1.0)]
    assert index.matches("k6") == []
