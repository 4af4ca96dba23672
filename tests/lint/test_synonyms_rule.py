"""The Health check of .kbstudio/synonyms.yaml: what search cannot use, and groups no document has."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kbstudio.index.synonyms import parse_synonyms
from kbstudio.kb import KnowledgeBase
from kbstudio.lint import RULE_IDS, Linter, select_rules
from kbstudio.lint.page import parse_page
from kbstudio.lint.rules_synonyms import unused_groups
from kbstudio.model import ERROR, WARNING, Problem
from tests.conftest import CONTENT, write
from tests.lint.helpers import TODAY, article, lint, make

SYNONYMS = ".kbstudio/synonyms.yaml"


def _kb(tmp_path: Path, synonyms: str) -> Path:
    root = make(tmp_path / "kb", {
        "network/vpn.md": article("KB-1", "GlobalProtect drops every few minutes", tags="[vpn, network]",
                                  body="# GlobalProtect drops\n\n## Issue\n\nThe caller's two-factor prompt "
                                       "times out, then the tunnel drops.\n\n```\nping 10.0.0.1\n```\n"),
        "email/ndr.md": article("KB-2", "Read a bounce message", tags="[email]",
                                body="# Read a bounce message\n\n## Issue\n\nA 550 5.7.1 bounce from the "
                                     "relay. Check the MFAs of the sender.\n"),
    })
    write(root, SYNONYMS, synonyms)
    return root


def _found(problems: list[Problem]) -> list[tuple[str, str, str, int | None]]:
    return [(p.rule, p.severity, p.path, p.line) for p in problems]


def test_both_rules_are_registered_and_check_the_kb_as_a_whole() -> None:
    assert {"synonyms-invalid", "synonym-unused"} <= set(RULE_IDS)
    rules = {rule.id: rule for rule in select_rules(["synonyms-invalid", "synonym-unused"])}
    assert rules["synonyms-invalid"].severity == ERROR and rules["synonym-unused"].severity == WARNING
    assert all(rule.kb_check is not None for rule in rules.values())


def test_exactly_the_group_no_document_has_is_reported_at_its_line(tmp_path: Path) -> None:
    root = _kb(tmp_path, (
        "# what callers say\n"                                  # 1
        "VPN: [GlobalProtect, remote access]\n"                # 2 title and body have GlobalProtect
        "SSPR: [self-service password reset, forgot password]\n"   # 3 nobody has any of these
        "MFA: [2FA, two factor]\n"                             # 4 the body says two-factor
        "NDR: [bounce]\n"                                      # 5 the title says bounce
        "network: [LAN]\n"                                     # 6 a tag
        "ping: [echo]\n"                                       # 7 in a code block: still the text
        "SMTP error: ['5.7.1']\n"                              # 8 a dotted word
    ))
    problems = lint(root, "synonym-unused", "synonyms-invalid")
    assert _found(problems) == [("synonym-unused", WARNING, SYNONYMS, 3)]
    assert problems[0].message == (
        "no document has any of 'SSPR', 'self-service password reset', 'forgot password', so this entry "
        "cannot help a search: fix the spelling, add the word the articles use, or remove it")
    assert str(problems[0]).startswith(".kbstudio/synonyms.yaml:3: warning: no document has any of 'SSPR'")


def test_terms_are_whole_words_and_phrases_in_any_case_and_form(tmp_path: Path) -> None:
    root = _kb(tmp_path, (
        "MFA: [MFAs-not]\n"            # 1 'MFAs' is a word, 'MFA' is not in the text (only 'MFAs')
        "drops every: [x1]\n"          # 2 a phrase of the title, any case
        "tunnel drops: [x2]\n"         # 3 "the tunnel drops." in the body
        "drops tunnel: [x3]\n"         # 4 the words, but not in this order
        "5.7: [x4]\n"                  # 5 only inside the word 5.7.1
        "the relay check: [x5]\n"      # 6 across a full stop: still one word after the other
        "GLOBALPROTECT DROPS EVERY: [x6]\n"   # 7 three words of the title
    ))
    problems = lint(root, "synonym-unused")
    assert [p.line for p in problems] == [1, 4, 5]


def test_an_unreadable_document_does_not_count(tmp_path: Path) -> None:
    root = _kb(tmp_path, "printer: [MFP]\n")
    write(root, "MFP.md", b"# printer MFP\n\xff\n")   # not UTF-8: its title would be its file name, MFP
    assert _found(lint(root, "synonym-unused")) == [("synonym-unused", WARNING, SYNONYMS, 1)]


def test_what_search_cannot_use_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = _kb(tmp_path, "VPN: [GlobalProtect, '']\nSSPR: reset\nMFA: [2FA\n")
    problems = lint(root, "synonyms-invalid")
    assert [(p.rule, p.severity, p.path, p.line, p.message) for p in problems] == [
        ("synonyms-invalid", ERROR, SYNONYMS, 1, "an equivalent of 'VPN' is empty; it is not used"),
        ("synonyms-invalid", ERROR, SYNONYMS, 2,
         "'SSPR' must have a list of equivalents, such as SSPR: [reset]; it is not used"),
        ("synonyms-invalid", ERROR, SYNONYMS, 3,
         "not valid YAML: did not find expected ',' or ']'; the entry on line 3 is not used"),
    ]


def test_no_synonyms_file_no_findings(tmp_path: Path) -> None:
    root = make(tmp_path / "kb", {"a.md": article("KB-1")})
    assert lint(root, "synonym-unused", "synonyms-invalid") == []


def test_the_linter_keeps_synonym_findings_current(tmp_path: Path) -> None:
    root = _kb(tmp_path, "VPN: [GlobalProtect]\nSSPR: [self-service password reset]\n")
    kb = KnowledgeBase(root)
    rules = select_rules(["synonym-unused", "synonyms-invalid"])
    linter = Linter(kb.root, kb.load_all(), today=TODAY, rules=rules)
    assert _found(linter.problems()) == [("synonym-unused", WARNING, SYNONYMS, 2)]
    assert _found(linter.problems_for(SYNONYMS)) == [("synonym-unused", WARNING, SYNONYMS, 2)]
    assert linter.counts_by_rule() == {"synonym-unused": 1}
    # a saved document that now names SSPR clears it; removing it brings it back
    write(root, "accounts/sspr.md", article("KB-3", "Reset your password with SSPR"))
    linter.update(kb.load(root / "accounts/sspr.md"))
    assert linter.problems() == []
    linter.remove("accounts/sspr.md")
    assert _found(linter.problems()) == [("synonym-unused", WARNING, SYNONYMS, 2)]
    # the file itself changed: refresh_kb reads it again
    write(root, SYNONYMS, "VPN: [GlobalProtect]\nMFA: [2FA, '']\n")
    linter.refresh_kb()
    assert _found(linter.problems()) == [("synonym-unused", WARNING, SYNONYMS, 2),
                                         ("synonyms-invalid", ERROR, SYNONYMS, 2)]


def test_document_text_is_read_once_per_table(tmp_path: Path) -> None:
    root = _kb(tmp_path, "")
    pages = [parse_page(document) for document in KnowledgeBase(root).load_all()]
    table = parse_synonyms("VPN: [GlobalProtect]\nSSPR: [password reset]\n")
    assert [group.name for group in unused_groups(table, pages)] == ["SSPR, password reset"]
    assert all("synonym-unused" in page.cache for page in pages)
    cached = {page.rel_path: page.cache["synonym-unused"][1] for page in pages}
    assert cached["network/vpn.md"] == frozenset({("globalprotect",), ("vpn",)})   # title, tags
    pages[0].document.body = ""   # not read again: the cache answers for the same terms
    assert [group.name for group in unused_groups(table, pages)] == ["SSPR, password reset"]
    other = parse_synonyms("NDR: [bounce]\n")   # other terms: read again
    assert unused_groups(other, pages) == []


def test_the_bundled_demo_synonyms_are_all_used() -> None:
    assert (CONTENT / SYNONYMS).is_file()
    assert lint(CONTENT, "synonym-unused", "synonyms-invalid") == []


def test_the_cli_prints_findings_on_the_synonyms_file(tmp_path: Path) -> None:
    root = _kb(tmp_path, "VPN: [GlobalProtect]\nSSPR: [password reset]\n")
    result = subprocess.run([sys.executable, "-m", "kbstudio", "lint", str(root), "--rule", "synonym-unused"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        ".kbstudio/synonyms.yaml:2: warning: no document has any of 'SSPR', 'password reset', so this "
        "entry cannot help a search: fix the spelling, add the word the articles use, or remove it "
        "[synonym-unused]"]


def test_tags_aliases_and_keys_written_twice_are_errors_at_their_lines(tmp_path: Path) -> None:
    root = _kb(tmp_path, (
        "VPN: &remote [GlobalProtect, remote access]\n"   # 1
        "MFA: !custom [2FA]\n"                            # 2 a tag: the entry is not used
        "RAS: [*remote]\n"                                # 3 an alias of a list as an equivalent
        "VPN: [tunnel]\n"                                 # 4 a key written twice
        "NDR: [!!python/object/apply:os.system bounce]\n"   # 5 a tagged equivalent
    ))
    problems = lint(root, "synonyms-invalid")
    assert [(p.rule, p.severity, p.path, p.line, p.message) for p in problems] == [
        ("synonyms-invalid", ERROR, SYNONYMS, 2,
         "YAML tag !custom is not allowed; the entry 'MFA' is not used"),
        ("synonyms-invalid", ERROR, SYNONYMS, 3,
         "an equivalent of 'RAS' must be text, not a list; it is not used"),
        ("synonyms-invalid", ERROR, SYNONYMS, 4,
         "'VPN' is already an entry on line 1, and YAML allows a key once: this entry is not used; "
         "put its equivalents in that entry"),
        ("synonyms-invalid", ERROR, SYNONYMS, 5,
         "YAML tag !!python/object/apply:os.system is not allowed; an equivalent of 'NDR' is not used"),
    ]


def test_the_cli_runs_every_rule_given_repeated_or_comma_separated(tmp_path: Path) -> None:
    root = _kb(tmp_path, "VPN: [GlobalProtect, '']\nSSPR: [password reset]\n")

    def rules(*options: str) -> list[tuple[str, int]]:
        result = subprocess.run([sys.executable, "-m", "kbstudio", "lint", str(root), "--json", *options],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, result.stderr
        return [(p["rule"], p["line"]) for p in json.loads(result.stdout)]

    both = [("synonyms-invalid", 1), ("synonym-unused", 2)]
    assert rules("--rule", "synonyms-invalid", "--rule", "synonym-unused") == both
    assert rules("--rule", "synonyms-invalid,synonym-unused") == both
    assert rules("--rule", "synonyms-invalid", "--rule", "todo,synonym-unused") == both
    assert rules("--rule", "synonyms-invalid,synonym-unused", "--ignore", "todo",
                 "--ignore", "synonym-unused") == [("synonyms-invalid", 1)]


def test_a_group_made_only_of_stop_words_is_a_warning_at_its_line(tmp_path: Path) -> None:
    root = _kb(tmp_path, (
        "VPN: [GlobalProtect]\n"        # 1 used
        "the: [a, an]\n"                # 2 every term a stop word: never changes a search
        "IT: [information technology]\n"   # 3 one term is a stop word, the other is not: kept
        "for the: [to a]\n"             # 4 terms of several words, all stop words
    ))
    problems = lint(root, "synonym-stop-words", "synonym-unused", "synonyms-invalid")
    assert [(p.rule, p.severity, p.path, p.line) for p in problems] == [
        ("synonym-stop-words", WARNING, SYNONYMS, 2), ("synonym-unused", WARNING, SYNONYMS, 3),
        ("synonym-stop-words", WARNING, SYNONYMS, 4)]
    assert problems[0].message == (
        "'the', 'a', 'an': search ignores these very common words (stop words such as 'the', 'a', 'is'), "
        "so this entry never changes a search: remove it, or use words the callers and articles share "
        "that say more")
    assert lint(CONTENT, "synonym-stop-words") == []   # the demo's own file
