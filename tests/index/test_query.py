"""Parsing whatever an agent types."""

from __future__ import annotations

import pytest

from kbstudio.index.query import parse_query


def test_plain_words_are_one_natural_group() -> None:
    parsed = parse_query("outlook keeps asking password")
    assert [i.text for i in parsed.items] == ["outlook", "keeps", "asking", "password"]
    assert parsed.strict == [False]


def test_phrases_filters_and_negation() -> None:
    parsed = parse_query('"shared mailbox" tier:L1,l0 kind:SOP tag:VPN -printer -tier:L3 product:Outlook')
    assert parsed.items[0].phrase and parsed.items[0].text == "shared mailbox"
    assert parsed.items[1].negated and parsed.items[1].text == "printer"
    assert parsed.filters == {"tier": ["L1", "L0"], "kind": ["sop"], "tags": ["vpn"],
                              "products": ["outlook"]}
    assert parsed.excluded == {"tier": ["L3"]}


def test_boolean_operators() -> None:
    parsed = parse_query("vpn AND dns OR wifi NOT guest")
    assert len(parsed.groups) == 2 and parsed.strict == [True, False]
    assert [i.text for i in parsed.groups[1]] == ["wifi", "guest"]
    assert parsed.groups[1][1].negated


@pytest.mark.parametrize("text", [
    "", "   ", '"', '"unbalanced quote', "((()))", "word:word", "C:\\Users\\jsmith\\AppData",
    "Error 0x8004010F: Outlook data file cannot be accessed", "550 5.7.1 Unable to relay",
    "AND OR NOT", "-", "--", "tier:", ":::", "\x00\x01", "a" * 10_000, "ñandú 東京 ü",
])
def test_never_raises(text: str) -> None:
    parse_query(text)


def test_unknown_field_prefix_is_a_word_never_corrected() -> None:
    parsed = parse_query("word:word title:printer")
    assert [(i.text, i.literal) for i in parsed.items] == [("word", True), ("word", False),
                                                           ("title", True), ("printer", False)]
    assert not parsed.filters and not parsed.notes


def test_a_filter_value_the_kb_cannot_have_is_left_out_and_named() -> None:
    parsed = parse_query("printer tier:L1,L9 Kind:foo -status:retired status:archived")
    assert parsed.filters == {"tier": ["L1"], "status": ["archived"]} and parsed.excluded == {}
    assert parsed.notes == [
        "tier:L9 left out: no tier is called 'L9'; use L0, L1, L2, L3, L4 or untiered",
        "Kind:foo left out: no kind is called 'foo'; use article or sop",
        "status:retired left out: no status is called 'retired'; use draft, review, published or archived",
    ]


def test_empty_query_is_empty() -> None:
    assert parse_query("").is_empty and parse_query("kind:foo").is_empty
    assert not parse_query("tier:L1").is_empty
    for text in ("-vpn", "NOT guest", "-status:archived"):   # every document but those
        assert not parse_query(text).is_empty, text
    assert parse_query("NOT guest").only_negations and not parse_query("vpn -guest").only_negations


def test_pasted_parameters_are_words_not_exclusions() -> None:
    parsed = parse_query('PS C:\\> Set-Mailbox "Sales" -EmailAddresses x -Identity y  Error Code: -19738')
    assert not any(item.negated for item in parsed.items)
    assert {"EmailAddresses", "Identity", "19738"} <= {item.text for item in parsed.items}
    assert parse_query("vpn -printer").items[1].negated
    assert not parse_query("vpn -Printer").items[1].negated
