"""The fast front-matter reader gives PyYAML's answer wherever it answers; the fast split gives splitlines'.

``kbstudio.simple_yaml.read_simple`` reads the plain subset of YAML most front matter is written
in and answers None for anything else; ``split_front_matter`` looks only at the front matter's
lines. Both are compared with the slow references on generated text built from the fragments
YAML treats specially, and on the bundled demo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbstudio.frontmatter import (
    MAX_YAML_NODES,
    FrontMatterError,
    _split_lines,
    parse_front_matter,
    parse_yaml_front_matter,
    split_front_matter,
)
from kbstudio.simple_yaml import read_simple
from tests.yaml_strategies import HOSTILE, examples

CONTENT = Path(__file__).resolve().parent.parent / "content"
KEYS = ["title", "tier", "tags", "ms.custom", "search.appverid", "a_b", "x-y", "null", "Null", "k/v", "1a",
        "_", "title ", " title", "ti tle", "é", "<<", "?"]
# Pieces of a value: ordinary words, each YAML indicator, quotes, brackets, odd spaces and breaks.
PIECES = ["word", "Two words", "it's", 'say "hi"', "C#", "a #b", "a: b", "a:b", "end:", "~", "null", "NULL",
          "-", "- a", "-a", "?", ":", ",", "[", "]", "[a, b]", "[a,b]", "[]", "[ ]", "[a,]", "[~, x]",
          "[a: b]", "{a: b}", "{", "}", "#", "&a", "*a", "!t", "%", "@", "`", "|", ">", "'q'", "'it''s'",
          "'open", '"q"', '"a\\"b"', '"open', '""', "''", " ", "  ", "\t", "\xa0", "\u3000", "\ufeff",
          "\u2028", "\x85", "\r", "(x)", "./p", "\\d", "$x", "^", "+1", "=", ";", "<x>", "5.7.1",
          "2024-01-01", "12:30", "é", "日本", "😀", "sap:Teams Meetings\\Meeting Join", *HOSTILE[:40]]


@st.composite
def value_text(draw: st.DrawFn) -> str:
    """Return the text after ``key:``, as a person or a tool might write it."""
    return "".join(draw(st.lists(st.sampled_from(PIECES), min_size=0, max_size=3)))


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Return YAML lines: keys with values, keys with item lists, blanks, comments and strays."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["value", "value", "items", "blank", "comment", "stray"]))
        key = draw(st.sampled_from(KEYS))
        if kind == "value":
            lines.append(f"{key}:{draw(st.sampled_from([' ', '  ', '', ' ']))}{draw(value_text())}")
        elif kind == "items":
            lines.append(f"{key}:{draw(st.sampled_from(['', ' ', '  ']))}")
            indent = draw(st.sampled_from(["", " ", "  ", "    "]))
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"{draw(st.sampled_from([indent, indent, ' ']))}-"
                             f"{draw(st.sampled_from([' ', '  ', '']))}{draw(value_text())}")
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "  "])))
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# note", "  # note", "#"])))
        else:
            lines.append(draw(st.sampled_from(["  continued", "- stray", "---", "...", "%YAML 1.2", "\t"])))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + (ending if lines and draw(st.booleans()) else "")


def _yaml(text: str) -> object:
    try:
        parsed = parse_yaml_front_matter(text, 2)
    except FrontMatterError as error:
        return error
    return (parsed.data, parsed.key_lines, parsed.duplicate_keys)


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter())
def test_the_fast_reader_answers_as_pyyaml_or_not_at_all(text: str) -> None:
    simple = read_simple(text, 2, MAX_YAML_NODES)
    if simple is not None:
        assert simple == _yaml(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("title: Printer jams\ntier: L1\n",
     ({"title": "Printer jams", "tier": "L1"}, {"title": 2, "tier": 3}, [])),
    ("tags: [vpn, wifi]\nowner:\nreview_by: ~\n",
     ({"tags": ["vpn", "wifi"], "owner": None, "review_by": None},
      {"tags": 2, "owner": 3, "review_by": 4}, [])),
    ("ms.custom: \n  - sap:Teams Meetings\\Meeting Join\n  - CI 838\ntitle: 'It''s \"on\"'\n",
     ({"ms.custom": ["sap:Teams Meetings\\Meeting Join", "CI 838"], "title": "It's \"on\""},
      {"ms.custom": 2, "title": 5}, [])),
    ("tier: L1\r\ntier: L2\r\n", ({"tier": "L2"}, {"tier": 3}, [("tier", 3)])),
    ("# only a comment\n\n", ({}, {}, [])),
])
def test_the_fast_reader_reads_plain_front_matter(text: str, expected: tuple[object, ...]) -> None:
    assert read_simple(text, 2, MAX_YAML_NODES) == expected
    assert _yaml(text) == expected


@pytest.mark.parametrize("text", [
    "title: a # comment\n", "title: |\n  text\n", "title: first\n  second\n", "title: \"a\\tb\"\n",
    "title: 'open\n", "tags: [a, [b]]\n", "tags:\n  - a\n   - b\n", "a: &x 1\nb: *x\n", "title:\tx\n",
    "tags: {a: b}\n", "title: x\u2028y\n", "  title: x\n", "- a\n", "null: x\n", "title: end:\n",
])
def test_the_fast_reader_leaves_the_rest_to_pyyaml(text: str) -> None:
    assert read_simple(text, 2, MAX_YAML_NODES) is None


def test_too_many_nodes_go_to_pyyaml_which_refuses_them() -> None:
    text = "tags:\n" + "  - a\n" * (MAX_YAML_NODES + 1)
    assert read_simple(text, 2, MAX_YAML_NODES) is None
    with pytest.raises(FrontMatterError, match="more than"):
        parse_front_matter(text)


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["---", "...", "--- x", "title: x", "", " ", "---  ", "...\t", "body",
                                 "\r", "\n", "\r\n", "\x0c", "\x85", "\u2028", "\x1e", "\x0b", "\u00a0"]),
                max_size=8).map("".join))
def test_the_fast_split_cuts_as_splitlines_does(text: str) -> None:
    assert split_front_matter(text) == _split_lines(text)


def test_the_demo_reads_the_same_both_ways() -> None:
    for path in sorted(CONTENT.rglob("*.md")):
        if "_templates" in path.parts:   # {{placeholders}}: PyYAML's to read
            continue
        text = path.read_text("utf-8")
        split = split_front_matter(text)
        assert split == _split_lines(text)
        if split.yaml_text is not None:
            simple = read_simple(split.yaml_text, split.yaml_line, MAX_YAML_NODES)
            assert simple is not None, path   # the demo is all in the simple subset
            assert simple == _yaml_at(split.yaml_text, split.yaml_line)


def _yaml_at(text: str, line: int) -> object:
    parsed = parse_yaml_front_matter(text, line)
    return (parsed.data, parsed.key_lines, parsed.duplicate_keys)
