"""The team's synonyms file: what find() matches in a query, and what each bad input reports."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest

from kbstudio.index.synonyms import (
    MAX_BYTES,
    MAX_ENTRIES,
    MAX_TERMS,
    WORD,
    SynonymMatch,
    SynonymTable,
    load_synonyms,
    parse_synonyms,
    term_words,
)
from tests.conftest import CONTENT, write

ISSUE_EXAMPLE = "VPN: [GlobalProtect, remote access]\nMFA: [2FA, two-factor, Authenticator]\n"


def split(query: str) -> list[str]:
    """Split a query the way search does before it asks for synonyms."""
    return WORD.findall(query)


def spans(table: SynonymTable, query: str) -> list[tuple[int, int, tuple[tuple[str, ...], ...]]]:
    return [(m.start, m.end, m.alternatives) for m in table.find(split(query))]


def load(tmp_path: Path, text: str | bytes) -> SynonymTable:
    write(tmp_path, ".kbstudio/synonyms.yaml", text)
    return load_synonyms(tmp_path)


# find() --------------------------------------------------------------------------------------------

def test_a_single_word_finds_the_other_terms_of_its_group() -> None:
    table = parse_synonyms(ISSUE_EXAMPLE)
    assert table.find(split("GlobalProtect keeps disconnecting")) == [
        SynonymMatch(0, 1, (("vpn",), ("remote", "access")))]
    assert spans(table, "new phone no 2FA") == [(3, 4, (("mfa",), ("two", "factor"), ("authenticator",)))]
    assert spans(table, "mfa") == [(0, 1, (("2fa",), ("two", "factor"), ("authenticator",)))]
    assert spans(table, "printer offline") == []
    assert table.find([]) == []


def test_a_multi_word_term_matches_its_words_next_to_each_other() -> None:
    table = parse_synonyms(ISSUE_EXAMPLE)
    assert spans(table, "my remote access is down") == [(1, 3, (("vpn",), ("globalprotect",)))]
    assert spans(table, "remote desktop access") == []
    assert spans(table, "access remote") == []
    assert spans(table, "working remote") == []   # the first word of a phrase at the end of the query


def test_two_factor_with_a_hyphen_or_a_space_is_the_same_term() -> None:
    table = parse_synonyms(ISSUE_EXAMPLE)
    expected = [(1, 3, (("mfa",), ("2fa",), ("authenticator",)))]
    assert split("my two-factor code") == ["my", "two", "factor", "code"]
    assert spans(table, "my two-factor code") == expected
    assert spans(table, "my two factor code") == expected
    assert spans(table, "my Two—Factor code") == expected
    assert spans(table, "my twofactor code") == []
    assert term_words("2FA") == ("2fa",)
    assert term_words("two-factor") == ("two", "factor")


def test_longest_term_first_left_to_right_without_overlap() -> None:
    table = parse_synonyms("VPN: [remote access]\naccess: [permissions]\naccess denied: [403]\n"
                           "remote: [offsite]\n")
    assert spans(table, "remote access denied") == [(0, 2, (("vpn",),))]
    assert spans(table, "access denied remote") == [(0, 2, (("403",),)), (2, 3, (("offsite",),))]
    assert spans(table, "no access today") == [(1, 2, (("permissions",),))]
    assert spans(table, "remote remote access") == [(0, 1, (("offsite",),)), (1, 3, (("vpn",),))]


def test_case_and_unicode_forms_do_not_matter() -> None:
    nfd = unicodedata.normalize("NFD", "Zürich office: [ZRH, Büro Zürich]\n")
    table = parse_synonyms(nfd)
    assert [term.text for term in table.groups[0].terms] == ["Zürich office", "ZRH", "Büro Zürich"]
    expected = [(0, 2, (("zrh",), ("büro", "zürich")))]
    assert spans(table, "zürich office") == expected
    assert spans(table, "ZÜRICH OFFICE") == expected
    words_nfd = [unicodedata.normalize("NFD", "Zürich"), "Office"]   # a word passed in NFD, whole
    assert [(m.start, m.end) for m in table.find(words_nfd)] == [(0, 2)]
    nfc_table = parse_synonyms("Büro: [office]\n")
    assert [(m.start, m.end) for m in nfc_table.find([unicodedata.normalize("NFD", "BÜRO")])] == [(0, 1)]


def test_dotted_words_stay_whole() -> None:
    table = parse_synonyms('"5.7.1": [relay denied]\n')
    assert spans(table, "550 5.7.1 unable to relay") == [(1, 2, (("relay", "denied"),))]
    assert spans(table, "error 5.7") == []
    assert spans(table, "relay denied") == [(0, 2, (("5.7.1",),))]


def test_a_term_in_two_entries_joins_the_groups_and_spellings_collapse() -> None:
    table = parse_synonyms("VPN: [remote access, GlobalProtect]\nremote access: [RAS]\n"
                           "MFA: [mfa, Two Factor, two-factor]\n")
    assert [group.name for group in table.groups] == ["VPN, remote access, GlobalProtect, RAS",
                                                      "MFA, Two Factor"]
    assert [[term.line for term in group.terms] for group in table.groups] == [[1, 1, 1, 2], [3, 3]]
    assert spans(table, "ras") == [(0, 1, (("vpn",), ("remote", "access"), ("globalprotect",)))]
    assert table.problems == ()


def test_block_lists_give_each_term_its_own_line() -> None:
    table = parse_synonyms("# comment\nNDR:\n  - bounce message\n  - non-delivery report\n")
    assert [(term.text, term.line) for term in table.groups[0].terms] == [
        ("NDR", 2), ("bounce message", 3), ("non-delivery report", 4)]
    assert not table.is_empty


def test_no_file_is_an_empty_table(tmp_path: Path) -> None:
    table = load_synonyms(tmp_path)
    assert table.is_empty and table.groups == () and table.problems == ()
    assert table.find(["vpn"]) == []
    assert parse_synonyms("").is_empty and parse_synonyms("# only a comment\n").problems == ()


def test_the_demo_file_reads_without_problems() -> None:
    table = load_synonyms(CONTENT)
    assert table.problems == ()
    assert len(table.groups) >= 10
    assert spans(table, "2fa") == [(0, 1, (("mfa",), ("two", "factor"), ("multi", "factor"), ("multifactor",),
                                            ("authenticator",)))]


# What the file cannot use: reported at its line, the rest still used ----------------------------------

def test_bad_entries_and_items_are_reported_at_their_lines(tmp_path: Path) -> None:
    table = load(tmp_path, (
        "VPN: [GlobalProtect, remote access]\n"       # 1 fine
        "SSPR: self-service password reset\n"         # 2 not a list
        "MFA:\n"                                      # 3
        "  - 2FA\n"                                   # 4
        '  - ""\n'                                    # 5 empty
        "  - [a, b]\n"                                # 6 a list
        "  - {a: b}\n"                                # 7 a mapping
        "  - '—'\n"                                   # 8 no letters or digits
        "  - !!python/object:os.system x\n"           # 9 a tag
        "Wi-Fi: {wireless: WLAN}\n"                   # 10 a mapping value
        "printer: []\n"                               # 11 no equivalents
        "scanner:\n"                                  # 12 no equivalents
        "[x, y]: [z]\n"                               # 13 a list as the term
    ))
    assert table.problems == (
        ".kbstudio/synonyms.yaml:2: 'SSPR' must have a list of equivalents, such as "
        "SSPR: [self-service password reset]; it is not used",
        ".kbstudio/synonyms.yaml:5: an equivalent of 'MFA' is empty; it is not used",
        ".kbstudio/synonyms.yaml:6: an equivalent of 'MFA' must be text, not a list; it is not used",
        ".kbstudio/synonyms.yaml:7: an equivalent of 'MFA' must be text, not a mapping; it is not used",
        ".kbstudio/synonyms.yaml:8: '—' has no letters or digits to match; it is not used",
        ".kbstudio/synonyms.yaml:9: YAML tag !!python/object:os.system is not allowed; "
        "an equivalent of 'MFA' is not used",
        ".kbstudio/synonyms.yaml:10: 'Wi-Fi' must have a list of equivalents, not a mapping; it is not used",
        ".kbstudio/synonyms.yaml:11: 'printer' lists no equivalents (VPN: [GlobalProtect, remote access])",
        ".kbstudio/synonyms.yaml:12: 'scanner' lists no equivalents (VPN: [GlobalProtect, remote access])",
        ".kbstudio/synonyms.yaml:13: a term must be text, not a list; it is not used",
    )
    assert [(issue.line, issue.message[:12]) for issue in table.issues][:2] == [
        (2, "'SSPR' must "), (5, "an equivalen")]
    assert [group.name for group in table.groups] == ["VPN, GlobalProtect, remote access", "MFA, 2FA"]


def test_invalid_yaml_loses_only_the_entries_it_breaks(tmp_path: Path) -> None:
    table = load(tmp_path, (
        "VPN: [GlobalProtect, remote access\n"   # 1 unclosed
        "MFA: [2FA]\n"                           # 2 fine
        "NDR: 'bounce message\n"                 # 3 unclosed quote
        "  still the NDR entry\n"                # 4
        "Wi-Fi: [WLAN]\n"                        # 5 fine
    ))
    assert table.problems == (
        ".kbstudio/synonyms.yaml:1: not valid YAML: did not find expected ',' or ']'; "
        "the entry on line 1 is not used",
        ".kbstudio/synonyms.yaml:4: not valid YAML: found unexpected end of stream; "
        "the entry on lines 3-4 is not used",
    )
    assert [group.name for group in table.groups] == ["MFA, 2FA", "Wi-Fi, WLAN"]


def test_a_second_yaml_document_is_reported_and_both_are_read() -> None:
    table = parse_synonyms("VPN: [RAS]\n---\nMFA: [2FA]\n")
    assert table.problems == (".kbstudio/synonyms.yaml:2: not valid YAML: expected a single document in "
                              "the stream but found another document; the entries were read one by one",)
    assert [group.name for group in table.groups] == ["VPN, RAS", "MFA, 2FA"]


def test_a_file_that_is_not_a_mapping_is_not_used(tmp_path: Path) -> None:
    table = load(tmp_path, "- [VPN, GlobalProtect]\n- [MFA, 2FA]\n")
    assert table.is_empty
    assert table.problems == (".kbstudio/synonyms.yaml:1: must be a mapping of each term to a list of its "
                              "equivalents (VPN: [GlobalProtect, remote access]); no synonyms are used",)


def test_a_control_character_is_reported_at_its_line() -> None:
    table = parse_synonyms("VPN: [RAS]\nMFA: [2FA\x07]\n")
    assert table.problems == (".kbstudio/synonyms.yaml:2: not valid YAML: control characters are not "
                              "allowed; the entry on line 2 is not used",)
    assert [group.name for group in table.groups] == ["VPN, RAS"]


def test_unreadable_and_oversized_files_are_not_used(tmp_path: Path) -> None:
    table = load(tmp_path, b"VPN: [caf\xe9]\n")
    assert table.is_empty and len(table.problems) == 1
    assert table.problems[0].startswith(".kbstudio/synonyms.yaml: cannot be read: ")
    assert table.problems[0].endswith("; no synonyms are used")
    huge = load(tmp_path, "VPN: [RAS]\n" + "# padding\n" * (MAX_BYTES // 10 + 1))
    assert huge.is_empty
    assert huge.problems == (".kbstudio/synonyms.yaml: is 1.0 MB, over the 1 MB limit: no synonyms are used",)
    assert huge.issues[0].line is None
    with_bom = load(tmp_path, "\ufeffVPN: [RAS]\n")
    assert with_bom.problems == () and with_bom.groups[0].name == "VPN, RAS"


def test_entries_after_the_limit_are_not_used() -> None:
    text = "".join(f"term{n}: [alt{n}]\n" for n in range(MAX_ENTRIES + 3))
    table = parse_synonyms(text)
    assert len(table.groups) == MAX_ENTRIES
    assert table.problems == (f".kbstudio/synonyms.yaml:{MAX_ENTRIES + 1}: more than {MAX_ENTRIES:,} "
                              "entries: this entry and the ones after it are not used",)


def test_aliases_cannot_expand_past_the_term_limit() -> None:
    items = "\n".join(f"  - word{n}" for n in range(1000))
    text = f"base: &many\n{items}\n" + "".join(f"copy{n}: *many\n" for n in range(200))
    started = time.perf_counter()
    table = parse_synonyms(text)
    assert time.perf_counter() - started < 5
    # base and copy0-copy47 are 49 x 1,001 terms: copy48, on line 1050, goes over the limit
    assert table.problems == (f".kbstudio/synonyms.yaml:1050: more than {MAX_TERMS:,} terms: this entry "
                              "and the ones after it are not used",)
    assert len(table.groups) == 1 and len(table.groups[0].terms) == 1 + 1000 + 48


@pytest.mark.parametrize("text", [
    "", "\x00", "[", "{", ": :", "- - -", "!!binary aGk=", "a: !!set {x}", "? [a]\n: b", "a: *nothing",
    "&a [*a]", "a: [b, [c, [d]]]", "'", "a:\n  b:\n    c: [d]", "\t- x", "--- |\n  text", "1: [2]\n2: [3]",
])
def test_never_raises(text: str) -> None:
    table = parse_synonyms(text)
    assert isinstance(table.problems, tuple)
    table.find(["a", "b"])
