"""Changing one front-matter field changes nothing else, byte for byte."""

from __future__ import annotations

import difflib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbstudio.fmedit import FrontMatterEditError, remove_field, set_field
from kbstudio.frontmatter import parse_front_matter, split_front_matter

SAMPLE = """---
title: "Hello: world"   # the title
ms.author: someone
tags:
  - a
  - b
# a comment between keys
tier: L1  # tier here
review_by: 2026-01-01
products: [x, y]
desc: |
  line one
  line two

status: draft
---
# Body

text with --- inside
"""


def _data(text: str) -> dict:
    split = split_front_matter(text)
    return parse_front_matter(split.yaml_text or "").data


def test_changing_a_scalar_keeps_its_inline_comment() -> None:
    changed = set_field(SAMPLE, "tier", "L2")
    assert changed == SAMPLE.replace("tier: L1  # tier here", "tier: L2  # tier here")


def test_changing_a_quoted_value_keeps_the_quote_style() -> None:
    changed = set_field(SAMPLE, "title", "New: title")
    assert changed == SAMPLE.replace('"Hello: world"', '"New: title"')


def test_block_and_flow_lists_keep_their_style() -> None:
    assert set_field(SAMPLE, "tags", ["a", "c"]) == SAMPLE.replace("  - b\n", "  - c\n")
    assert set_field(SAMPLE, "products", ["z"]) == SAMPLE.replace("[x, y]", "[z]")


def test_block_scalar_replaced_and_following_blank_line_kept() -> None:
    changed = set_field(SAMPLE, "desc", "single")
    assert changed == SAMPLE.replace("desc: |\n  line one\n  line two\n", "desc: single\n")


def test_dates_round_trip() -> None:
    changed = set_field(SAMPLE, "review_by", date(2027, 3, 4))
    assert changed == SAMPLE.replace("2026-01-01", "2027-03-04")
    assert _data(changed)["review_by"] == "2027-03-04"  # read as text; the field's type makes it a date


def test_new_key_is_appended_at_the_end_of_the_front_matter() -> None:
    changed = set_field(SAMPLE, "owner", "Service Desk")
    assert changed == SAMPLE.replace("status: draft\n---", "status: draft\nowner: Service Desk\n---")


def test_remove_field_removes_only_that_field() -> None:
    changed = remove_field(SAMPLE, "tags")
    assert changed == SAMPLE.replace("tags:\n  - a\n  - b\n", "")


def test_front_matter_is_created_for_plain_markdown() -> None:
    assert set_field("# Title\n", "tier", "L1") == "---\ntier: L1\n---\n# Title\n"


def test_crlf_files_stay_crlf() -> None:
    text = "---\r\ntitle: A\r\ntier: L1\r\n---\r\nbody\r\n"
    assert set_field(text, "tier", "L3") == "---\r\ntitle: A\r\ntier: L3\r\n---\r\nbody\r\n"


def test_values_that_need_quotes_are_quoted() -> None:
    changed = set_field(SAMPLE, "ms.author", "a: b # c")
    assert _data(changed)["ms.author"] == "a: b # c"


def test_alias_value_is_replaced_without_touching_the_anchor() -> None:
    text = "---\nbase: &b [a, b]\ncopy: *b\nlast: x\n---\n"
    changed = set_field(text, "copy", ["z"])
    assert changed == "---\nbase: &b [a, b]\ncopy: [z]\nlast: x\n---\n"


def test_unclosed_front_matter_is_refused() -> None:
    with pytest.raises(FrontMatterEditError):
        set_field("---\ntitle: A\n", "tier", "L1")


# Property test: random front matter in many styles; one change touches only its own lines.
KEYS = ["id", "title", "kind", "tier", "status", "owner", "ms.author", "description", "x_custom"]
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
plain_value = st.builds(lambda a, b: f"{a} {b}".strip(), words, st.one_of(st.just(""), words))


@st.composite
def field_block(draw: st.DrawFn, key: str) -> str:
    style = draw(st.sampled_from(["plain", "double", "single", "flow", "block0", "block2", "empty"]))
    comment = draw(st.sampled_from(["", "  # note", " #x"]))
    if style == "plain":
        return f"{key}: {draw(plain_value)}{comment}\n"
    if style == "double":
        return f'{key}: "{draw(plain_value)}: x"{comment}\n'
    if style == "single":
        return f"{key}: '{draw(plain_value)} #y'{comment}\n"
    items = draw(st.lists(words, min_size=1, max_size=3))
    if style == "flow":
        return f"{key}: [{', '.join(items)}]{comment}\n"
    if style == "empty":
        return f"{key}:{comment}\n"
    pad = "" if style == "block0" else "  "
    return f"{key}:{comment}\n" + "".join(f"{pad}- {item}\n" for item in items)


@st.composite
def front_matter_documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=len(KEYS), unique=True))
    parts = []
    for key in keys:
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(["# comment line\n", "\n", "  # indented\n"])))
        parts.append(draw(field_block(key)))
    body = draw(st.sampled_from(["", "# Title\n\nBody text.\n", "body with ---\n---\n"]))
    return "---\n" + "".join(parts) + "---\n" + body, keys


new_values = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
        max_size=30,
    ),
    st.lists(words, max_size=4),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from(["L0", "L4", "published", "yes", "123", "null", "a: b", "- x", "#tag"]),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter_documents(), st.data(), new_values)
def test_set_field_changes_only_that_field(doc: tuple[str, list[str]], data: st.DataObject,
                                           value: object) -> None:
    text, keys = doc
    key = data.draw(st.sampled_from([*keys, "brand_new"]))
    before = _data(text)
    changed = set_field(text, key, value)
    after = _data(changed)
    expected = dict(before)
    expected[key] = value.isoformat() if isinstance(value, date) else value
    assert after == expected
    assert split_front_matter(changed).body == split_front_matter(text).body

    old_lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(old_lines) if line.startswith(key + ":")), None)
    if start is None:  # a new key: appended just before the closing line, nothing else moves
        matcher = difflib.SequenceMatcher(a=old_lines, b=changed.splitlines(keepends=True))
        edits = [op for op in matcher.get_opcodes() if op[0] != "equal"]
        assert len(edits) == 1 and edits[0][0] == "insert"
        return
    stop = start + 1
    while stop < len(old_lines) and (old_lines[stop][:1] in (" ", "-") or old_lines[stop] == "\n"):
        stop += 1
    matcher = difflib.SequenceMatcher(a=old_lines, b=changed.splitlines(keepends=True), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            assert start <= i1 and i2 <= stop, (tag, i1, i2, start, stop)


@settings(max_examples=40, deadline=None)
@given(front_matter_documents(), st.data())
def test_remove_field_drops_only_that_field(doc: tuple[str, list[str]], data: st.DataObject) -> None:
    text, keys = doc
    key = data.draw(st.sampled_from(keys))
    expected = _data(text)
    expected.pop(key)
    assert _data(remove_field(text, key)) == expected
