"""The bundled demo KB: complete, clean, linked, covering every tier."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from kbstudio.kb import KnowledgeBase
from kbstudio.model import TIERS, tier_rank
from tests.conftest import CONTENT

LINK = re.compile(r"\]\(([^)\s]+\.md)(#[^)]*)?\)")


@pytest.fixture(scope="module")
def documents() -> list:
    return KnowledgeBase(CONTENT).load_all()


def test_enough_articles_and_sops(documents: list) -> None:
    kinds = Counter(doc.kind for doc in documents)
    assert kinds["article"] >= 40
    assert kinds["sop"] >= 10


def test_every_tier_is_covered_and_nothing_is_flagged(documents: list) -> None:
    assert {doc.tier for doc in documents} == set(TIERS)
    assert [(doc.rel_path, doc.problems) for doc in documents if doc.problems] == []


def test_ids_are_unique_and_match_the_kind(documents: list) -> None:
    ids = [doc.id for doc in documents]
    assert len(ids) == len(set(ids))
    for doc in documents:
        assert doc.id.startswith("SOP-" if doc.kind == "sop" else "KB-"), doc.rel_path


def test_sops_escalate_upward(documents: list) -> None:
    for doc in documents:
        if doc.kind == "sop":
            assert tier_rank(doc.escalates_to) > tier_rank(doc.tier), doc.rel_path


def test_every_link_between_documents_resolves(documents: list) -> None:
    for doc in documents:
        for target, _ in LINK.findall(doc.body):
            if "://" in target:
                continue
            assert (doc.path.parent / target).resolve().is_file(), f"{doc.rel_path} -> {target}"


def test_articles_point_to_an_sop(documents: list) -> None:
    sop_paths = {doc.path.resolve() for doc in documents if doc.kind == "sop"}
    for doc in documents:
        if doc.kind == "article":
            targets = {(doc.path.parent / t).resolve() for t, _ in LINK.findall(doc.body)}
            assert targets & sop_paths, f"{doc.rel_path} links no SOP"


def test_no_personal_email_addresses(documents: list) -> None:
    role = {"servicedesk", "security", "accounts-payable", "user", "name"}  # roles, placeholders
    for doc in documents:
        for local in re.findall(r"([\w.+-]+)@larkfield\.example", doc.text):
            assert local in role, f"{doc.rel_path}: {local}@"


def test_content_is_not_copied_from_the_corpus(documents: list, corpus: Path) -> None:
    corpus_lines = set()
    for path in corpus.rglob("*.md"):
        for line in path.read_text("utf-8", errors="replace").splitlines():
            if len(line.strip()) > 60:
                corpus_lines.add(line.strip())
    for doc in documents:
        for line in doc.body.splitlines():
            assert line.strip() not in corpus_lines, f"{doc.rel_path}: {line[:60]}"
