"""Who records knowledge-loop entries, and on which device: what names their log files.

Every person writes their own file on every device (``kbstudio.loop.logfiles``), so two people, or
one person on two machines, never append to the same file and a sync never has to merge one.
The person is git's ``user.name``/``user.email`` (as commits are made); the device is a short
hash of the machine's id and the KB folder's real path, worked out again each time (nothing is
stored, so nothing device-specific can be committed by mistake). Two clones of one KB on one
machine are two devices, which is what keeps their files apart as well.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kbstudio.vcs.repo import KBRepo
from kbstudio.vcs.runner import GitError, GitRunner

_MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")


@dataclass(frozen=True)
class Agent:
    """A person who records uses, flags and gaps: git's user.name and user.email."""

    name: str
    email: str = ""

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name

    @property
    def slug(self) -> str:
        """Return the person's part of a log file name: ``ana-lopez-1a2b3c``.

        The name in ASCII letters and digits (accents folded, at most 24 characters) and 6 hex
        digits of a SHA-1 of the whole identity, so two people of the same name never share a file.
        """
        folded = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode("ascii")
        words = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:24].strip("-") or "agent"
        digest = hashlib.sha1(str(self).casefold().encode("utf-8", "surrogateescape")).hexdigest()[:6]
        return f"{words}-{digest}"

    @classmethod
    def parse(cls, text: str) -> Agent:
        """Return the agent written as ``Name <email>`` or just ``Name``."""
        match = re.fullmatch(r"\s*(.*?)\s*<([^<>]*)>\s*", text)
        if match:
            return cls(match.group(1) or match.group(2), match.group(2).strip())
        return cls(text.strip())


def machine_id() -> str:
    """Return a stable id of this machine: the systemd/D-Bus machine id, else the host name."""
    for name in _MACHINE_ID_FILES:
        try:
            value = Path(name).read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if value:
            return value
    return socket.gethostname() or "unknown-host"


def device_id(kb_root: Path, machine: str | None = None) -> str:
    """Return 8 hex digits naming this machine and this clone of the KB (see the module doc)."""
    real = os.path.realpath(kb_root)
    seed = f"{machine if machine is not None else machine_id()}\0{real}"
    return hashlib.sha1(seed.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def current_agent(kb_root: Path, repo: KBRepo | None = None) -> Agent:
    """Return who is working: the repository's commit identity, else git's global one, else the login.

    git runs through the ``GitRunner`` (safe options); a failure falls back to the next source.
    """
    if repo is not None:
        identity = repo.identity()
        if identity is not None:
            return Agent(identity.name, identity.email)
    name = os.environ.get("GIT_AUTHOR_NAME") or _config(kb_root, "user.name")
    email = os.environ.get("GIT_AUTHOR_EMAIL") or _config(kb_root, "user.email") or ""
    if name:
        return Agent(name, email)
    try:
        return Agent(getpass.getuser(), email)
    except (OSError, KeyError, ImportError):
        return Agent("unknown", email)


def _config(folder: Path, key: str) -> str | None:
    try:
        out = GitRunner(folder, timeout=10)("config", "--get", key, check=False)
    except (GitError, OSError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
