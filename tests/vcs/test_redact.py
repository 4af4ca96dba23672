"""Credentials in URLs are redacted from git's messages (``kbstudio.vcs.safety.redact``).

The pattern was rewritten to run in linear time (bench/redact_speed.py measures it); its matches
must stay those of the pattern it replaced, which this file keeps as the reference.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kbstudio.vcs.safety import redact

# The pattern before the rewrite: right, but quadratic on a long run of letters.
REFERENCE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]+@")


def reference(text: str) -> str:
    """Return what ``redact`` returned before the rewrite."""
    return REFERENCE.sub(r"\1***@", text)


@pytest.mark.parametrize(("text", "redacted"), [
    ("fatal: https://bob:tok3n@host/kb.git failed", "fatal: https://***@host/kb.git failed"),
    ("https://bob@host/kb.git", "https://***@host/kb.git"),                     # a user, no password
    ("ssh://git@host:22/kb.git", "ssh://***@host:22/kb.git"),
    ("git+ssh://me:pw@h/x and svn+https://u:p@h/y", "git+ssh://***@h/x and svn+https://***@h/y"),
    ("HTTPS://U:P@H/", "HTTPS://***@H/"),
    ("1a://u@h", "1a://***@h"),             # the scheme starts at the run's first letter
    ("-.+x.y-1://u@h", "-.+x.y-1://***@h"),
    ("http://a@b@c/", "http://***@b@c/"),   # the first "@" ends the user part
    ("https://host/path@v2", "https://host/path@v2"),     # an "@" after the host is no user
    ("https://us er@host", "https://us er@host"),         # white space ends the user part
    ("https://@host", "https://@host"),                   # nothing to hide
    ("123://u@h", "123://u@h"),                           # no letter: not a scheme
    ("git@host:team/kb.git", "git@host:team/kb.git"),     # scp syntax carries no password
    ("x://a@y://b@z", "x://***@y://***@z"),
    ("é://u@h", "é://u@h"),                               # schemes are ASCII (RFC 3986)
    ("", ""),
])
def test_redacted_cases(text: str, redacted: str) -> None:
    assert redact(text) == redacted == reference(text)


def test_a_long_line_is_redacted_as_before() -> None:
    token = "a" * 3_000   # the reference takes about 25 ms here, a second at 20,000
    text = f"remote: {token}://user:pw@{token} https://bob:secret@host/kb.git {token}"
    assert redact(text) == reference(text)
    assert "secret" not in redact(text) and "pw@" not in redact(text)


# Text made of the characters that matter to the pattern: scheme characters, ":" "/" "@", white
# space, and a few others.
PIECES = st.sampled_from(["a", "Z", "1", "+", ".", "-", ":", "/", "@", "://", " ", "\n", "é", "_", "x://u@"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
@example("ab1://c:d@e")
@example("..a://@b@")
def test_redact_matches_the_reference_pattern(text: str) -> None:
    assert redact(text) == reference(text)
