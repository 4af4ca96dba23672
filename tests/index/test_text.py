"""The text the index stores: sections from the shared structure pass, placeholders kept as words."""

from __future__ import annotations

import pytest

from kbstudio.index.text import plain_text, split_sections


@pytest.mark.parametrize("placeholder", [
    "<Domain.suffix>", "<AD FS 2.0 Server Name>", "<User>", "<server name>", "</Directory>"])
def test_placeholders_stay_in_the_text_as_words(placeholder: str) -> None:
    assert plain_text(f"Type {placeholder} here.") == f"Type {placeholder} here."


def test_html_tags_comments_and_autolinks_go() -> None:
    text = ('One<br>two <img src="x.png" alt="shot"> <a href="y.md">three</a> <!-- note --> '
            '<https://example.com/page> <someone@example.com> <B>four</B> <img\n src="z.png">')
    assert plain_text(text).split() == ["One", "two", "three", "four"]


def test_markup_goes_and_placeholders_keep_their_brackets() -> None:
    assert plain_text("> **Run** `Get-Mailbox <User>` | [docs](d.md) and # here") == \
        "Run Get-Mailbox <User>  docs and  here"


def test_sections_come_from_the_structure() -> None:
    body = ("lead #hashtag\n\n# One\n\n```\n# fenced\n```\n\n    # indented\n\nTwo\n===\n\n"
            "- ## In a list\n\n> ## Quoted\n")
    assert [heading for heading, _ in split_sections(body)] == ["", "One", "Two", "In a list", "Quoted"]
    sections = dict(split_sections(body))
    assert sections[""] == "lead #hashtag\n"
    assert "# fenced" in sections["One"] and "# indented" in sections["One"]
    assert sections["Two"] == ""


def test_a_lone_angle_bracket_does_not_swallow_the_tag_after_it() -> None:
    assert plain_text("x < 5 and <b>bold</b>, a > b").split() == ["x", "<", "5", "and", "bold", ",", "a", "b"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", ["[" * 10**6, "[a](" * 300_000, "[!NOTE" * 200_000, "![" * 500_000])
def test_plain_text_is_linear_on_bracket_floods(text: str) -> None:
    # '[' * 10**6 took about an hour (quadratic) while indexing held the GIL and froze the app.
    assert len(plain_text(text)) > 0
