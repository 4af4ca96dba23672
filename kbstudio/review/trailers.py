"""Reviewer identities and the git trailers that record review decisions in commit messages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbstudio.review.states import InvalidInputError, InvalidReviewerError
from kbstudio.vcs.safety import UnsafeInputError, check_identity_value

REVIEWED_BY = "Reviewed-by"
CHANGES_REQUESTED_BY = "Changes-requested-by"
REVIEW_REQUESTED_FROM = "Review-requested-from"
REVIEW_OF = "Review-of"              # the document an approval that changes no file is for
MAX_COMMENT_CHARS = 20_000

_PERSON = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>$")
_TRAILER_LINE = re.compile(r"^(?P<key>[A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(?P<value>.*)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_LINE_BREAKS = re.compile(r"[\u0085\u2028\u2029]")
_COMMENT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029]")
_GIT_GENERATED = ("signed-off-by",)


@dataclass(frozen=True)
class ParsedMessage:
    """A commit message cut into its subject, the paragraphs between, and its trailer block."""

    subject: str
    body: str
    trailers: tuple[tuple[str, str], ...]

    def values(self, key: str) -> list[str]:
        """Return the values of every trailer named ``key`` (compared case-insensitively)."""
        return [value for name, value in self.trailers if name.lower() == key.lower()]


def check_person(value: str, what: str = "reviewer") -> str:
    """Return ``value`` normalised as ``Name <email>``; raise InvalidReviewerError otherwise."""
    if not isinstance(value, str):
        raise InvalidReviewerError(f"the {what} must be written 'Name <email>'")
    if _CONTROL.search(value):
        raise InvalidReviewerError(f"the {what} may not contain newlines or control characters")
    match = _PERSON.match(value.strip())
    if match is None:
        raise InvalidReviewerError(f"the {what} must be written 'Name <email>', not {value!r}")
    try:
        name = check_identity_value(match.group("name"), "name")
        email = check_identity_value(match.group("email"), "email")
    except UnsafeInputError as error:
        raise InvalidReviewerError(f"the {what} {value!r} is not valid: {error}") from None
    return f"{' '.join(name.split())} <{email}>"


def same_person(one: str, other: str) -> bool:
    """Return True when two ``Name <email>`` strings name the same person: the same email, or the same name.

    Emails compare case-insensitively and names case- and space-insensitively, so an author cannot pass
    for someone else by writing their own email in capitals or with another name.
    """
    first, second = _PERSON.match(one.strip()), _PERSON.match(other.strip())
    if first is None or second is None:
        return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()
    email_a, email_b = first.group("email").strip().casefold(), second.group("email").strip().casefold()
    name_a = " ".join(first.group("name").split()).casefold()
    name_b = " ".join(second.group("name").split()).casefold()
    return bool(email_a and email_a == email_b) or bool(name_a and name_a == name_b)


def check_people(values: list[str], what: str = "reviewer") -> list[str]:
    """Return every value checked with check_person, without repeats, in the given order."""
    people: list[str] = []
    for value in values:
        person = check_person(value, what)
        if person.lower() not in (known.lower() for known in people):
            people.append(person)
    return people


def clean_comment(comment: str | None, required: bool = False) -> str:
    """Return a reviewer's comment ready for a commit message body (line ends, spacing, no controls)."""
    text = (comment or "").replace("\r\n", "\n").replace("\r", "\n")
    if _COMMENT_CONTROL.search(text):
        raise InvalidInputError("the comment may not contain control characters")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    if required and not text.strip():
        raise InvalidInputError("a comment is required: say what has to change")
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInputError(f"the comment is longer than {MAX_COMMENT_CHARS:,} characters")
    return text


def one_line(text: str) -> str:
    """Return ``text`` with every run of whitespace (newlines included) turned into one space."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


def build_message(subject: str, comment: str = "", trailers: list[tuple[str, str]] | None = None) -> str:
    """Return a commit message: subject, optional comment, then the trailer block after a blank line."""
    parts = [one_line(subject)]
    if comment:
        parts.append(comment)
    if trailers:
        parts.append("\n".join(f"{key}: {value}" for key, value in trailers))
    return "\n\n".join(parts)


def _paragraphs(message: str) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in message.replace("\r\n", "\n").split("\n"):
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [paragraph for paragraph in paragraphs if paragraph]


def _trailer_block(lines: list[str]) -> list[tuple[str, str]] | None:
    """Return the trailers of a last paragraph, following git interpret-trailers' rules, or None."""
    trailers: list[tuple[str, str]] = []
    others = 0
    for line in lines:
        if line[:1] in (" ", "\t") and trailers:
            key, value = trailers[-1]
            trailers[-1] = (key, f"{value} {line.strip()}".strip())
            continue
        match = _TRAILER_LINE.match(line)
        if match:
            trailers.append((match.group("key"), match.group("value").strip()))
        else:
            others += 1
    if not trailers:
        return None
    generated = any(key.lower() in _GIT_GENERATED for key, _ in trailers)
    if others and not (generated and len(trailers) * 3 >= others):
        return None
    return trailers


def parse_message(message: str) -> ParsedMessage:
    """Cut a commit message into subject, body and trailers (the last paragraph, when it is one)."""
    paragraphs = _paragraphs(message)
    if not paragraphs:
        return ParsedMessage("", "", ())
    subject = " ".join(line.strip() for line in paragraphs[0])
    rest = paragraphs[1:]
    trailers = _trailer_block(rest[-1]) if rest else None
    if trailers is not None:
        rest = rest[:-1]
    body = "\n\n".join("\n".join(paragraph) for paragraph in rest)
    return ParsedMessage(subject, body, tuple(trailers or ()))
