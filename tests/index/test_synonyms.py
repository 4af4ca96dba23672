"""The team's synonyms file: what find() matches in a query, and what each bad input reports."""

from __future__ import annotations

import threading
import time
import unicodedata
from pathlib import Path

import pytest

from kbstudio.index.synonyms import (
    MAX_BYTES,
    MAX_ENTRIES,
    MAX_TERMS,
    RECENT_TABLES,
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


# YAML tags, aliases, keys written twice ---------------------------------------------------------------

def test_yaml_tags_are_refused_wherever_they_are() -> None:
    table = parse_synonyms(
        "VPN: !!python/object/apply:os.system [x]\n"   # 1 a tagged list: the whole entry
        "MFA: !custom [y]\n"                           # 2 a local tag
        "!!python/name:os.system NDR: [bounce]\n"      # 3 a tagged term
        "SSPR: [reset, !!int 3, !!str password]\n"     # 4 a tagged equivalent; !!str changes nothing
        "Wi-Fi: !!seq [WLAN]\n"                        # 5 !!seq changes nothing
        "LAN: !tag\n"                                  # 6 a tagged empty value
    )
    assert table.problems == (
        ".kbstudio/synonyms.yaml:1: YAML tag !!python/object/apply:os.system is not allowed; "
        "the entry 'VPN' is not used",
        ".kbstudio/synonyms.yaml:2: YAML tag !custom is not allowed; the entry 'MFA' is not used",
        ".kbstudio/synonyms.yaml:3: YAML tag !!python/name:os.system is not allowed; a term is not used",
        ".kbstudio/synonyms.yaml:4: YAML tag !!int is not allowed; an equivalent of 'SSPR' is not used",
        ".kbstudio/synonyms.yaml:6: YAML tag !tag is not allowed; the entry 'LAN' is not used",
    )
    assert [group.name for group in table.groups] == ["SSPR, reset, password", "Wi-Fi, WLAN"]
    tagged_file = parse_synonyms("--- !custom\nVPN: [RAS]\n")
    assert tagged_file.is_empty
    assert tagged_file.problems == (".kbstudio/synonyms.yaml:1: YAML tag !custom is not allowed; "
                                    "no synonyms are used",)


def test_what_an_alias_brings_is_reported_at_the_alias_line() -> None:
    table = parse_synonyms(
        "VPN: &remote [GlobalProtect, remote access]\n"   # 1
        "MFA: [2FA]\n"                                    # 2
        "RAS: [*remote]\n"                                # 3 a list as an equivalent, by alias
        "*remote : [x]\n"                                 # 4 a list as the term, by alias
        "Remote: *remote\n"                               # 5 the list, by alias: its terms are used here
        "SSL: &empty ['', TLS]\n"                         # 6
        "HTTPS: *empty\n"                                 # 7 the empty item again, used here
    )
    assert table.problems == (
        ".kbstudio/synonyms.yaml:3: an equivalent of 'RAS' must be text, not a list; it is not used",
        ".kbstudio/synonyms.yaml:4: a term must be text, not a list; it is not used",
        ".kbstudio/synonyms.yaml:6: an equivalent of 'SSL' is empty; it is not used",
        ".kbstudio/synonyms.yaml:7: an equivalent of 'HTTPS' is empty; it is not used",
    )
    assert [[(term.text, term.line) for term in group.terms] for group in table.groups] == [
        [("VPN", 1), ("GlobalProtect", 1), ("remote access", 1), ("Remote", 5)],
        [("MFA", 2), ("2FA", 2)],
        [("SSL", 6), ("TLS", 6), ("HTTPS", 7)],
    ]


def test_an_anchor_defined_again_is_named_by_the_later_aliases() -> None:
    table = parse_synonyms("A: &x [one]\nB: &x [two]\nC: *x\nD: [&y three, *y]\n")
    assert table.problems == ()
    assert [group.name for group in table.groups] == ["A, one", "B, two, C", "D, three"]


def test_an_invalid_entry_does_not_lose_an_alias_of_an_earlier_entry() -> None:
    table = parse_synonyms("VPN: &remote [GlobalProtect]\nMFA: [2FA\nRAS: *remote\nNDR: *nothing\n")
    assert table.problems == (
        ".kbstudio/synonyms.yaml:2: not valid YAML: did not find expected ',' or ']'; "
        "the entry on line 2 is not used",
        ".kbstudio/synonyms.yaml:4: not valid YAML: found undefined alias 'nothing'; "
        "the entry on line 4 is not used",
    )
    assert [(group.name, [term.line for term in group.terms]) for group in table.groups] == [
        ("VPN, GlobalProtect, RAS", [1, 1, 3])]
    broken_anchor = parse_synonyms("VPN: &remote [GlobalProtect\nRAS: *remote\n")
    assert [issue.line for issue in broken_anchor.issues] == [1, 2]   # a broken entry's anchor is not kept
    assert broken_anchor.is_empty


def test_a_key_written_twice_is_reported_and_its_second_entry_not_used() -> None:
    table = parse_synonyms(
        "VPN: [GlobalProtect]\n"    # 1
        "MFA: [2FA]\n"              # 2
        "VPN: [remote access]\n"    # 3 the same key: not used
        "'MFA': [two-factor]\n"     # 4 the same key, quoted: not used
        "vpn: [RAS]\n"              # 5 another key (case): joins VPN, as documented
    )
    assert table.problems == (
        ".kbstudio/synonyms.yaml:3: 'VPN' is already an entry on line 1, and YAML allows a key once: "
        "this entry is not used; put its equivalents in that entry",
        ".kbstudio/synonyms.yaml:4: 'MFA' is already an entry on line 2, and YAML allows a key once: "
        "this entry is not used; put its equivalents in that entry",
    )
    assert [group.name for group in table.groups] == ["VPN, GlobalProtect, RAS", "MFA, 2FA"]
    salvaged = parse_synonyms("VPN: [GlobalProtect]\nMFA: [2FA\nVPN: [RAS]\n")   # read entry by entry
    assert [issue.line for issue in salvaged.issues] == [2, 3]
    assert salvaged.issues[1].message.startswith("'VPN' is already an entry on line 1")


def test_deep_nesting_loses_only_its_entry() -> None:
    table = parse_synonyms("VPN: [RAS]\nbad: " + "{a: " * 150 + "}" * 150 + "\nMFA: [2FA]\n")
    assert table.problems == (".kbstudio/synonyms.yaml:2: not valid YAML: nested more than 100 levels deep; "
                              "the entry on line 2 is not used",)
    assert [group.name for group in table.groups] == ["VPN, RAS", "MFA, 2FA"]


# Cost: linear, and one reading of a text for every caller --------------------------------------------------

def test_one_group_of_many_terms_builds_in_linear_time() -> None:
    text = "big: [" + ", ".join(f"w{n}" for n in range(MAX_TERMS - 1)) + "]\n"   # 50,000 terms, 400 KB
    started = time.perf_counter()
    table = parse_synonyms(text)   # each term listing the 49,999 others took minutes
    assert time.perf_counter() - started < 5
    assert table.problems == () and len(table.groups[0].terms) == MAX_TERMS
    (match,) = table.find(["w7"])
    assert len(match.alternatives) == MAX_TERMS - 1 and ("w7",) not in match.alternatives
    assert match.alternatives[:2] == (("big",), ("w0",))


def test_a_5000_entry_file_is_read_in_one_pass(tmp_path: Path) -> None:
    text = "".join(f"term{n}: [alt {n}, other{n}, '{n}.0.1']\n" for n in range(MAX_ENTRIES))
    started = time.perf_counter()
    table = load(tmp_path, text)
    assert time.perf_counter() - started < 5   # about 0.1 s; a guard against a slow path, not a benchmark
    assert len(table.groups) == MAX_ENTRIES and table.problems == ()
    assert spans(table, "alt 4999") == [(0, 2, (("term4999",), ("other4999",), ("4999.0.1",)))]


def test_the_same_text_is_read_once_by_every_caller() -> None:
    text = "VPN: [GlobalProtect]\n# read once\n"
    tables: list[SynonymTable] = []
    threads = [threading.Thread(target=lambda: tables.append(parse_synonyms(text))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tables) == 4 and all(table is tables[0] for table in tables)
    for n in range(RECENT_TABLES):   # only the last few texts are kept
        parse_synonyms(f"N{n}: [other]\n")
    again = parse_synonyms(text)
    assert again is not tables[0] and again.groups == tables[0].groups


@pytest.mark.parametrize("text", ["Two-Factor", "5.7.1 relay_host", "WiFi  Wi-Fi", "İstanbul",
                                  "STRASSE Straße", "ǅemal", "A\u0301B"])
def test_term_words_splits_then_lowers_each_word(text: str) -> None:
    assert term_words(text) == tuple(unicodedata.normalize("NFC", word.lower())
                                     for word in WORD.findall(unicodedata.normalize("NFC", text)))

