"""The three-way line merge: every chunk keeps its three sides, and the classic diff3 rules hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kbstudio.vcs.fmmerge import merge_record
from kbstudio.vcs.merge3 import join_lines, merge_chunks, split_lines

LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n", "\n"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(LINES, LINES, LINES)
def test_chunks_cover_each_side_in_order(base: list[str], mine: list[str], theirs: list[str]) -> None:
    chunks = merge_chunks(base, mine, theirs)
    for side, lines in (("base", base), ("mine", mine), ("theirs", theirs)):
        assert [line for chunk in chunks for line in getattr(chunk, side)] == lines
    for chunk in chunks:
        if chunk.kind == "unchanged":
            assert chunk.base == chunk.mine == chunk.theirs
        elif chunk.kind == "mine":
            assert chunk.theirs == chunk.base != chunk.mine
        elif chunk.kind == "theirs":
            assert chunk.mine == chunk.base != chunk.theirs
        elif chunk.kind == "same":
            assert chunk.mine == chunk.theirs
        else:
            assert chunk.mine != chunk.theirs


@settings(max_examples=300, deadline=None)
@given(LINES, LINES)
def test_one_side_unchanged_takes_the_other(base: list[str], other: list[str]) -> None:
    for mine, theirs in ((base, other), (other, base)):
        chunks = merge_chunks(base, mine, theirs)
        assert all(chunk.kind != "conflict" for chunk in chunks)
        assert [line for chunk in chunks for line in chunk.merged or ()] == other


def test_touching_changes_conflict_as_in_git() -> None:
    base, mine, theirs = (split_lines(text) for text in ("a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n"))
    chunks = merge_chunks(base, mine, theirs)
    assert [chunk.kind for chunk in chunks] == ["unchanged", "conflict", "unchanged"]


def test_join_lines_ends_a_last_line_without_a_newline() -> None:
    assert join_lines([["x"], ["y\n"]]) == "x\ny\n"


def test_a_document_without_front_matter_and_an_unreadable_one_merge_line_by_line() -> None:
    record = merge_record("one\nx\ny\ntwo\n", "one\nx\ny\nTWO\n", "ONE\nx\ny\ntwo\n")
    assert record.clean and record.apply() == "ONE\nx\ny\nTWO\n"
    broken = "---\ntitle: [unclosed\n---\nbody\n"
    record = merge_record(broken, broken.replace("[unclosed", "[still open"), broken.replace("body", "BODY"))
    assert not record.fields_merged and record.apply() == "---\ntitle: [still open\n---\nBODY\n"
