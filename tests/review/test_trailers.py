"""Trailer parsing agrees with git interpret-trailers; people are written Name <email>."""

from __future__ import annotations

import subprocess

import pytest

from kbstudio.review.trailers import build_message, check_person, clean_comment, parse_message

MESSAGES = [
    "Subject only",
    "Reviewed-by: Not <a@trailer> because it is the subject",
    "Subject\n\nReviewed-by: A <a@example.com>\n",
    "Subject\n\nBody text.\n\nReviewed-by: A <a@example.com>\nChanges-requested-by: B <b@example.com>",
    "Subject\n\nBody\nReviewed-by: A <a@example.com>",
    "Subject\n\nReviewed-by: A <a@example.com>\n\nA closing paragraph.",
    "Subject\n\nReviewed-by: A\n  <a@example.com> folded\nAcked-by: C <c@example.com>",
    "Subject\n\nSome words\nSigned-off-by: D <d@example.com>\nReviewed-by: A <a@example.com>",
    "Subject\n\nSome words\nmore words\nand more words\nand more\nSigned-off-by: D <d@example.com>",
    "Subject\n\nnot a trailer: because spaces in key\n",
    "Subject\n\n\n\nReviewed-by:A <a@example.com>\n\n\n",
]


def git_trailers(message: str) -> list[tuple[str, str]]:
    out = subprocess.run(["git", "interpret-trailers", "--parse", "--no-divider"], input=message, text=True,
                         capture_output=True, check=True).stdout
    return [tuple(part.strip() for part in line.split(":", 1)) for line in out.splitlines()]  # type: ignore


@pytest.mark.parametrize("message", MESSAGES)
def test_parse_message_matches_git(message: str) -> None:
    assert list(parse_message(message).trailers) == git_trailers(message)


def test_build_message_puts_a_blank_line_before_the_trailers() -> None:
    message = build_message("Approve KB-0001:\n  Title", "Looks good.",
                            [("Reviewed-by", "A <a@example.com>")])
    assert message == "Approve KB-0001: Title\n\nLooks good.\n\nReviewed-by: A <a@example.com>"
    parsed = parse_message(message)
    assert (parsed.subject, parsed.body, parsed.values("reviewed-by")) == (
        "Approve KB-0001: Title", "Looks good.", ["A <a@example.com>"])
    assert git_trailers(message) == [("Reviewed-by", "A <a@example.com>")]


@pytest.mark.parametrize(("value", "expected"), [
    ("Rita Reviewer <rita@example.com>", "Rita Reviewer <rita@example.com>"),
    ("  Rita   Reviewer<rita@example.com>  ", "Rita Reviewer <rita@example.com>"),
    ("José Núñez <jose@example.com>", "José Núñez <jose@example.com>"),
])
def test_check_person_normalises(value: str, expected: str) -> None:
    assert check_person(value) == expected


def test_clean_comment() -> None:
    assert clean_comment("  line one  \r\n\r\n\r\n\r\nline two\t \n") == "  line one\n\nline two"
    assert clean_comment(None) == ""
