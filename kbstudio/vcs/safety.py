"""Input checks and the environment every git command runs with, so nothing unsafe or interactive runs."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

# Options passed before every git subcommand, even in a repository whose programs the user allowed
# (the rest of the policy is in programs.py). fsmonitor would run a program named by the repository's
# own config; ext:: would run arbitrary commands; an empty askPass means git never pops up a prompt;
# a submodule is another repository with its own config, so KB Studio never recurses into one.
SAFE_OPTIONS: tuple[str, ...] = (
    "-c", "core.fsmonitor=false",
    "-c", "protocol.ext.allow=never",
    "-c", "core.askPass=",
    "-c", "core.quotepath=false",
    "-c", "color.ui=false",
    "-c", "submodule.recurse=false",
    "-c", "fetch.recurseSubmodules=false",
    "-c", "push.recurseSubmodules=no",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HELPER_SYNTAX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+.-]*::")
# ``scheme://userinfo@``, the scheme as RFC 3986 3.1 has it (a letter, then letters, digits, + . -).
# The match may only start where a run of scheme characters starts (the look-behind) and the
# possessive runs never give characters back, so each character is read a bounded number of
# times: linear in the text's length. The earlier ``([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]+@`` was
# tried from every letter of a long run, each try reading to the run's end: quadratic (44 ms
# for 4,000 letters, 0.8 s for 16,000; bench/redact_speed.py). Matches are the same: the
# earliest start of that form is the run's first letter, and whatever came before it in the run
# (digits, + . -) is kept in group 1; a match ends with "@", which no run holds.
_USERINFO = re.compile(r"(?<![A-Za-z0-9+.-])([0-9+.-]*+[A-Za-z][A-Za-z0-9+.-]*+://)[^/\s@]++@")
_BAD_REF = re.compile(r"\.\.|@\{|//|[\s~^:?*\[\\]|\.lock$|\.$|/$")
_SHA = re.compile(r"^[0-9a-fA-F]{4,64}$")


class UnsafeInputError(ValueError):
    """A URL, ref or identity value that could make git do something it should not."""


def redact(text: str) -> str:
    """Return ``text`` with credentials in URLs replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", text)


def check_url(url: str) -> str:
    """Return ``url`` when it is safe to hand to git; raise UnsafeInputError otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeInputError("the remote URL is empty")
    if _CONTROL.search(url):
        raise UnsafeInputError("the remote URL contains control characters")
    if url.startswith("-"):
        raise UnsafeInputError(f"the remote URL may not start with '-': {redact(url)}")
    if _HELPER_SYNTAX.match(url):
        raise UnsafeInputError(
            f"remote-helper URLs such as 'ext::' run programs and are refused: {redact(url)}")
    return url


def check_ref(ref: str) -> str:
    """Return ``ref`` (a branch, remote name or commit) when git cannot take it as an option."""
    if not isinstance(ref, str) or not ref:
        raise UnsafeInputError("a ref name is empty")
    if ref.startswith("-"):
        raise UnsafeInputError(f"a ref may not start with '-': {ref!r}")
    if _CONTROL.search(ref) or _BAD_REF.search(ref):
        raise UnsafeInputError(f"not a valid ref name: {ref!r}")
    return ref


def check_sha(sha: str) -> str:
    """Return ``sha`` when it is a (possibly abbreviated) hexadecimal commit id."""
    if not isinstance(sha, str) or not _SHA.match(sha):
        raise UnsafeInputError(f"not a commit id: {sha!r}")
    return sha


def check_identity_value(value: str, what: str) -> str:
    """Return a stripped user.name or user.email, refusing newlines and control characters."""
    if not isinstance(value, str) or _CONTROL.search(value):
        raise UnsafeInputError(f"the {what} may not contain newlines or control characters")
    value = value.strip()
    if not value:
        raise UnsafeInputError(f"the {what} is empty")
    if what == "email" and ("@" not in value or any(c in value for c in "<> ")):
        raise UnsafeInputError(f"not an email address: {value!r}")
    if what == "name" and any(c in value for c in "<>"):
        raise UnsafeInputError("the name may not contain '<' or '>'")
    return value


def git_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment for git: never prompt or open an editor, English messages, batch ssh.

    GIT_SSH_COMMAND always being set means a repository's core.sshCommand is never used.
    """
    env = dict(os.environ if base is None else base)
    for name in ("GIT_ASKPASS", "SSH_ASKPASS", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_EDITOR"] = env["GIT_SEQUENCE_EDITOR"] = ":"   # git's own "no editor": beats core.editor
    env["GCM_INTERACTIVE"] = "never"
    env["LC_ALL"] = "C"
    env["LANGUAGE"] = "C"
    ssh = env.get("GIT_SSH_COMMAND") or "ssh"
    if "BatchMode" not in ssh:
        env["GIT_SSH_COMMAND"] = f"{ssh} -o BatchMode=yes"
    return env
