"""What a KB keeps of every document is a DocumentInfo: the fields and problems a full read gives, no text.

``KnowledgeBase.scan`` must agree with ``load_all`` on every field, title and problem (odd files
included), hold no text, and give the text back on demand (``full_document``).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kbstudio.fields import LIST_COLUMNS, LISTED
from kbstudio.kb import KnowledgeBase
from kbstudio.model import Document, DocumentInfo
from kbstudio.reader import MAX_FILE_BYTES, full_document, read_info
from tests.conftest import write

ODD_FILES: dict[str, str | bytes] = {
    "plain.md": "---\nid: KB-0001\ntitle: Printer jams\ntier: L1\nstatus: published\ntags: [printing]\n---\n"
                "# Printer jams\n\nText.\n",
    "no-title.md": "---\nid: KB-0002\ntier: l2\n---\n\nIntro\n\n# Heading as title\n",
    "setext.md": "---\ntier: L3\n---\nSetext title\n============\n",
    "no-front-matter.md": "# Only a heading\n\nBody.\n",
    "nothing.md": "",
    "unclosed.md": "---\ntitle: never closed\n",
    "bad-yaml.md": "---\ntitle: [broken\n---\nBody\n",
    "yaml-tag.md": "---\ntitle: !!python/object x\n---\n",
    "duplicate.md": "---\ntier: L1\ntier: L2\ntitle: Twice\n---\n",
    "invalid.md": "---\ntier: L9\nstatus: finished\nreview_by: 2024-02-30\ntags: {a: b}\n---\n",
    "crlf.md": "---\r\ntitle: Windows\r\ntier: L0\r\n---\r\nBody\r\n",
    "bom.md": "\ufeff---\ntitle: With a BOM\ntier: L1\n---\n",
    "quoted.md": "---\ntitle: 'It''s: \"quoted\"'\nowner: \"Service Desk\"\nreviewers:\n  - A\n  - B\n---\n",
    "comment.md": "---\ntitle: Commented # here\ntier: L1 # c\n---\n",
    "binary.md": b"---\ntitle: x\n---\n\x00\x01",
    "latin1.md": "---\ntitle: caf\xe9\n---\n".encode("latin-1"),
    "sops/escalate.md": "---\nid: SOP-0001\ntitle: Escalate\nkind: sop\ntier: L1\nescalates_to: L2\n---\n",
}


@pytest.fixture()
def odd_kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    for rel, text in ODD_FILES.items():
        write(root, rel, text)
    (root / "huge.md").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    return root


def _fields(document: Document | DocumentInfo) -> tuple[object, ...]:
    return (document.rel_path, document.path, document.title, document.readable, list(document.problems),
            document.summary(), [document.shown(field.name) for field in LIST_COLUMNS],
            {field.name: document.value(field.name) for field in LISTED}, document.products,
            document.owner, document.reviewers, document.review_by, document.escalates_to,
            {name: document.key_lines[name] for name in document.key_lines if name in document.meta})


def test_scan_agrees_with_reading_every_document(odd_kb: Path) -> None:
    kb = KnowledgeBase(odd_kb)
    infos, documents = kb.scan(), kb.load_all()
    assert [info.rel_path for info in infos] == [doc.rel_path for doc in documents]
    assert len(infos) == len(ODD_FILES) + 1
    for info, document in zip(infos, documents, strict=True):
        assert isinstance(info, DocumentInfo)
        assert _fields(info) == _fields(document), info.rel_path
        assert _fields(document.info()) == _fields(info)
    by_path = {info.rel_path: info for info in infos}
    assert by_path["no-title.md"].title == "Heading as title"
    assert by_path["setext.md"].title == "Setext title"
    assert by_path["nothing.md"].title == "nothing"
    assert [p.rule for p in by_path["binary.md"].problems] == ["binary-file"]
    assert [p.rule for p in by_path["huge.md"].problems] == ["file-too-large"]
    assert not by_path["latin1.md"].readable
    assert [p.rule for p in by_path["duplicate.md"].problems] == ["duplicate-key"]
    assert by_path["quoted.md"].title == "It's: \"quoted\"" and by_path["quoted.md"].reviewers == ["A", "B"]
    assert by_path["comment.md"].title == "Commented"


def test_an_info_keeps_no_text_and_reads_it_back_on_demand(odd_kb: Path) -> None:
    write(odd_kb, "long.md",
          "---\ntitle: Long\ntier: L2\nproducts: [Outlook]\n---\n" + "A line of text.\n" * 20_000)
    kb = KnowledgeBase(odd_kb)
    info = read_info(odd_kb / "long.md", kb.root)
    assert not hasattr(info, "body") and not hasattr(info, "text") and not hasattr(info, "__dict__")
    assert len(pickle.dumps(info)) < 1000   # the file is 320 KB
    assert info.meta == {"title": "Long", "tier": "L2", "products": ["Outlook"]}   # known fields only
    full = full_document(info)
    assert full.body.count("A line of text.") == 20_000
    assert _fields(full) == _fields(kb.load("long.md"))
    assert full_document(full) is full
    (odd_kb / "long.md").unlink()
    assert not full_document(info).readable   # gone meanwhile: unreadable, not an exception


def test_next_id_and_drafts_work_from_infos(odd_kb: Path) -> None:
    kb = KnowledgeBase(odd_kb)
    assert kb.next_id("article", kb.scan()) == kb.next_id("article", kb.load_all()) == "KB-0003"
    assert kb.next_id("sop") == "SOP-0002"


def test_iter_documents_reads_one_at_a_time(odd_kb: Path) -> None:
    kb = KnowledgeBase(odd_kb)
    walked = kb.iter_documents()
    first = next(walked)
    assert isinstance(first, Document) and first.rel_path == kb.load_all()[0].rel_path
    assert [doc.rel_path for doc in kb.iter_documents([odd_kb / "plain.md"])] == ["plain.md"]


def test_sops_the_map_and_the_review_queue_read_texts_on_demand(content_copy: Path) -> None:
    from datetime import datetime

    from kbstudio.review import dashboard, review_queue
    from kbstudio.sop import escalation_map, rank_sops_for_article

    kb = KnowledgeBase(content_copy)
    infos, documents = kb.scan(), kb.load_all()
    articles = [doc for doc in documents if doc.kind == "article"]
    for article in articles:   # the article is open (whole); the SOPs come as infos, read from disk
        by_infos = [(m.document.rel_path, m.score, m.reasons) for m in rank_sops_for_article(article, infos)]
        assert by_infos == [(m.document.rel_path, m.score, m.reasons)
                            for m in rank_sops_for_article(article, documents)]
    assert any(rank_sops_for_article(article, infos) for article in articles)
    assert escalation_map(infos) == escalation_map(documents)
    now = datetime(2026, 6, 1).astimezone()
    queued = review_queue(None, kb, infos, now=now)
    assert queued and queued == review_queue(None, kb, documents, now=now)
    assert all(item.diff is not None for item in queued)   # the text was read for the diff
    assert dashboard(kb, infos).counts == dashboard(kb, documents).counts


def test_a_scan_in_worker_processes_gives_the_same_infos(odd_kb: Path) -> None:
    from dataclasses import astuple

    from kbstudio.kb import SCAN_CHUNK

    for number in range(SCAN_CHUNK + 10):   # more than one worker's share
        write(odd_kb, f"many/doc-{number:03d}.md", f"---\ntitle: Doc {number}\ntier: L{number % 5}\n---\n")
    kb = KnowledgeBase(odd_kb)
    here, forked = kb.scan(), kb.scan(workers=2)
    assert [astuple(info) for info in forked] == [astuple(info) for info in here]
    assert len(here) == len(ODD_FILES) + 1 + SCAN_CHUNK + 10
    # what the workers sent holds one root Path for all, not one made again per document
    assert len({id(info.root) for info in forked}) == 1 and forked[0].root == kb.root
