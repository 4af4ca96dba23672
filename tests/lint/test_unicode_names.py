"""Lint compares paths, ids and words in NFC; two files whose names differ only in form are an error.

Decomposed (NFD) names are created with ``os`` directly, as a Mac tool writes them.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from kbstudio.kb import KnowledgeBase
from kbstudio.lint import Linter
from tests.lint.helpers import TODAY, article, lint, where

NFC = "caf\u00e9-wifi.md"
NFD = "cafe\u0301-wifi.md"


def _raw(root: Path, folder: str, name: str, text: str | bytes) -> None:
    os.makedirs(root / folder, exist_ok=True)
    with open(os.path.join(root, folder, name), "wb") as handle:
        handle.write(text.encode("utf-8") if isinstance(text, str) else text)


def test_links_and_images_typed_composed_find_decomposed_files(tmp_path: Path) -> None:
    body = (f"# Wi-Fi\n\n## Issue\n\nSee [the caf\u00e9]({NFC}), [its setup]({NFC}#set-up), "
            "[the menu](men\u00fc.md) and ![plan](media/pl\u00e4n.png).\n")
    _raw(tmp_path, "articles", "index.md", article("KB-1", "Wi-Fi", body=body, tags="[]"))
    _raw(tmp_path, "articles", NFD, article("KB-2", "Caf\u00e9", body="# Caf\u00e9\n\n## Set up\n\nText.\n",
                                            tags="[]"))
    _raw(tmp_path, "articles", "menu\u0308.md", article("KB-3", "Menu", tags="[]"))
    _raw(tmp_path, "articles/media", "pla\u0308n.png", b"\x89PNG")
    problems = lint(tmp_path, "broken-link", "broken-image", "broken-anchor", "orphan")
    assert [(p.rule, p.path) for p in problems] == [("orphan", "articles/index.md")]
    # and a link to a file that is really missing still is one, in either form
    _raw(tmp_path, "articles", "other.md", article("KB-4", "Other", body="# O\n\n[x](cr\u00eape.md)\n"))
    broken = lint(tmp_path, "broken-link")
    assert [(p.path, p.message) for p in broken] == [
        ("articles/other.md",
         "link target 'cr\u00eape.md' does not exist (resolves to articles/cr\u00eape.md)")]


def test_names_differing_only_in_normalisation_are_one_error_naming_both(tmp_path: Path) -> None:
    _raw(tmp_path, "articles", NFC, article("KB-1", "Caf\u00e9 Wi-Fi"))
    _raw(tmp_path, "articles", NFD, article("KB-2", "Caf\u00e9 Wi-Fi from a Mac"))
    _raw(tmp_path, "articles", "Cafe-wifi.md", article("KB-3", "Cafe Wi-Fi"))  # differs in more: fine
    problems = lint(tmp_path, "unicode-name-clash")
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.rule, problem.severity, problem.path, problem.line) == (
        "unicode-name-clash", "error", f"articles/{NFD}", 1)
    assert problem.message == (
        f"'articles/{NFD}' (NFD) and 'articles/{NFC}' (NFC) differ only in Unicode normalisation: "
        "they look the same, links and search treat them as one document, and macOS and Windows "
        "keep only one of them")


def test_folders_in_another_form_clash_too_and_the_error_follows_edits(tmp_path: Path) -> None:
    _raw(tmp_path, "M\u00fcnchen", "vpn.md", article("KB-1", "VPN in the office"))
    _raw(tmp_path, "Mu\u0308nchen", "vpn.md", article("KB-2", "VPN at home"))
    kb = KnowledgeBase(tmp_path)
    linter = Linter(kb.root, kb.load_all(), TODAY)
    clashes = [p for p in linter.problems() if p.rule == "unicode-name-clash"]
    assert [(p.path, p.message.split(" differ")[0]) for p in clashes] == [
        ("Mu\u0308nchen/vpn.md", "'Mu\u0308nchen/vpn.md' (NFD) and 'M\u00fcnchen/vpn.md' (NFC)")]
    os.remove(tmp_path / "Mu\u0308nchen" / "vpn.md")
    affected = linter.remove("Mu\u0308nchen/vpn.md")
    assert "M\u00fcnchen/vpn.md" in affected
    assert not [p for p in linter.problems() if p.rule == "unicode-name-clash"]


def test_ids_are_compared_by_nfkc_and_case(tmp_path: Path) -> None:
    _raw(tmp_path, "a", "one.md", article("KB-0042", "One"))
    _raw(tmp_path, "a", "two.md", article("\uff2b\uff22\uff0d\uff10\uff10\uff14\uff12", "Two"))
    problems = lint(tmp_path, "duplicate-id")
    assert where(problems, "duplicate-id") == [("a/one.md", 2), ("a/two.md", 2)]
    assert problems[0].message == "id KB-0042 is also used by a/two.md"


def test_titles_in_nfd_are_likely_duplicates_of_the_same_title_in_nfc(tmp_path: Path) -> None:
    title = "M\u00fcnchen office r\u00e9seau printer offline"
    _raw(tmp_path, "a", "one.md", article("KB-1", title))
    _raw(tmp_path, "a", "two.md", article("KB-2", unicodedata.normalize("NFD", title)))
    problems = lint(tmp_path, "likely-duplicate")
    assert where(problems, "likely-duplicate") == [("a/one.md", 3), ("a/two.md", 3)]
