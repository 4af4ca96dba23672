"""Knowledge-loop fixtures: a KB copy of the demo and loops of two agents on their own devices."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.loop.identity import Agent
from kbstudio.loop.service import KnowledgeLoop

# Real git for every loop test: the user's config kept away (autouse), a bare remote and two clones.
from tests.vcs.conftest import alice, bob, git_sandbox, remote  # noqa: F401 - fixtures

ANA = Agent("Ana López", "ana@example.com")
BEN = Agent("Ben Okafor", "ben@example.com")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
OUTLOOK = "articles/email/outlook-keeps-asking-for-password.md"   # KB-0019, L1, published


@pytest.fixture()
def kb(content_copy: Path) -> KnowledgeBase:
    """A writable copy of the demo KB (not versioned)."""
    return KnowledgeBase(content_copy)


@pytest.fixture()
def ana(kb: KnowledgeBase) -> KnowledgeLoop:
    """Ana's loop on her laptop."""
    return KnowledgeLoop(kb, agent=ANA, device="aaaa0001")


@pytest.fixture()
def ben(kb: KnowledgeBase) -> KnowledgeLoop:
    """Ben's loop on his desktop."""
    return KnowledgeLoop(kb, agent=BEN, device="bbbb0002")
