"""Splitting and safely parsing front matter."""

from __future__ import annotations

import pytest

from kbstudio.frontmatter import (
    MAX_YAML_NODES,
    FrontMatterError,
    parse_front_matter,
    split_front_matter,
)


def test_split_finds_yaml_and_body_lines() -> None:
    split = split_front_matter("---\ntitle: A\ntier: L1\n---\n# A\nbody\n")
    assert split.yaml_text == "title: A\ntier: L1\n"
    assert split.body == "# A\nbody\n"
    assert split.body_line == 5


def test_split_without_front_matter_keeps_all_text_as_body() -> None:
    split = split_front_matter("# Heading\n---\nnot yaml\n")
    assert split.yaml_text is None
    assert split.body.startswith("# Heading")


def test_split_reports_unclosed_front_matter() -> None:
    split = split_front_matter("---\ntitle: A\nno end\n")
    assert split.unclosed and split.yaml_text is None


def test_split_handles_crlf_and_dots_closer() -> None:
    split = split_front_matter("---\r\ntitle: A\r\n...\r\nbody\r\n")
    assert split.yaml_text == "title: A\r\n"
    assert split.body == "body\r\n"


def test_parse_gives_data_and_key_lines() -> None:
    parsed = parse_front_matter("title: A\n\ntier: L1\ntags: [a, b]\n", yaml_line=2)
    assert parsed.data == {"title": "A", "tier": "L1", "tags": ["a", "b"]}
    assert parsed.key_lines == {"title": 2, "tier": 4, "tags": 5}


def test_malformed_yaml_names_the_file_line() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_front_matter("title: A\ntier: [L1\nstatus: draft\n", yaml_line=2)
    assert "not valid YAML" in caught.value.message
    assert caught.value.line is not None and caught.value.line >= 3


@pytest.mark.parametrize(
    "yaml_text",
    [
        "x: !!python/object/apply:os.system ['echo pwned']\n",
        "x: !!python/name:os.system\n",
        "x: !custom thing\n",
        "title: A\nnested:\n  deep: !!python/object:collections.OrderedDict {}\n",
    ],
)
def test_object_constructing_tags_are_refused(yaml_text: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_front_matter(yaml_text, yaml_line=2)
    assert "not allowed" in caught.value.message
    assert caught.value.line is not None


def test_alias_bomb_is_refused() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for index in range(1, 9):
        prev, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    with pytest.raises(FrontMatterError) as caught:
        parse_front_matter("\n".join(lines) + "\n")
    assert f"{MAX_YAML_NODES:,}" in caught.value.message


def test_small_aliases_are_fine() -> None:
    parsed = parse_front_matter("base: &b [a, b]\ncopy: *b\n")
    assert parsed.data["copy"] == ["a", "b"]


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(FrontMatterError, match="mapping"):
        parse_front_matter("- a\n- b\n")


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert parse_front_matter("").data == {}
    assert parse_front_matter("# only a comment\n").data == {}


def test_duplicate_keys_are_listed_with_lines() -> None:
    parsed = parse_front_matter("tier: L1\ntitle: A\ntier: L2\n", yaml_line=2)
    assert parsed.duplicate_keys == [("tier", 4)]
