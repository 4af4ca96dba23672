"""A whole-KB lint reads one document at a time and keeps outlines, never texts; workers change nothing.

Every way of linting a KB (streamed from disk in this process, in forked workers or in workers
started afresh beside other threads, as in the app; from
Documents or from DocumentInfo) gives the same findings, in the same order, as linting documents
read in full, also for a KB of near-duplicates; the similarity index stays exact.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from itertools import combinations
from pathlib import Path

import pytest

from kbstudio import workers
from kbstudio.kb import KnowledgeBase
from kbstudio.lint import Linter, lint_documents, lint_kb, rules_synonyms, select_rules
from kbstudio.lint.page import Outline, parse_page
from kbstudio.lint.reading import CHUNK
from kbstudio.lint.similar import SimilarityIndex, hashed, jaccard, shingles, words
from kbstudio.model import Document
from kbstudio.workers import SPAWN_MIN_ITEMS, map_chunks, start_method, worker_count
from tests.conftest import write
from tests.lint.helpers import TODAY, article, make, sop

ISSUE = ("## Issue\n\nWhen the caller opens Outlook on a Windows laptop after a password change, a window "
         "keeps asking for the password again and again, and typing the new password does not make the "
         "prompt go away even after Outlook is restarted.\n\n## Resolution\n\n1. Sign out.\n")


def _defects(root: Path, copies: int) -> Path:
    """Write a KB with a finding of nearly every rule, and ``copies`` near-duplicates of one article."""
    files: dict[str, str | bytes] = {
        "net/vpn.md": article("KB-1", "VPN drops", body="# VPN drops\n\n## Connect first\n\nText.\n"),
        "net/links.md": article("KB-2", "Links", body="# Links\n\n[vpn](vpn.md#connect-first), "
                                "[wrong](vpn.md#nope), [gone](gone.md), ![img](gone.png), [here](#links), "
                                "[self](#missing)\n\nTODO: finish. Call +44 20 7946 0958 or "
                                "jane.doe@corp.com\n"),
        "dup-id.md": article("KB-1", "Same id as the VPN article"),
        "stale.md": article("KB-5", "Stale", extra="", body="# Stale\n\n## Empty\n\n## Also\n\nx\n")
        .replace("2027-01-01", "2020-01-01"),
        "orphan.md": article("KB-6", "Orphan", tags="[]"),
        "missing.md": "---\nid: KB-7\ntitle: Missing\nstatus: published\ntier: L9\n---\n# Missing\n",
        "bad.md": "---\ntitle: [x\n---\n",
        "binary.md": b"\x00\x01",
        "sops/s.md": sop(),
        "sops/thin.md": sop("SOP-2", body="# Escalate\n\n## Scope\n\nx\n", escalates_to="L1"),
        "caf\u00e9.md": article("KB-8", "NFC name"),
        "cafe\u0301.md": article("KB-9", "NFD name"),
    }
    for number in range(copies):
        files[f"twins/t{number:03d}.md"] = article(
            f"KB-{100 + number}", "Outlook keeps asking for my password",
            body="# Outlook asks again\n\n" + ISSUE)
    make(root, files)
    write(root, ".kbstudio/synonyms.yaml", "VPN: [GlobalProtect]\nSSPR: [self-service password reset]\n")
    return root


def _found(problems: list) -> list[tuple[str, str, int | None, str]]:
    return [(p.rule, p.path, p.line, p.message) for p in problems]


def test_every_way_of_linting_gives_the_same_findings(tmp_path: Path) -> None:
    kb = KnowledgeBase(_defects(tmp_path / "kb", copies=2 * CHUNK + 5))   # several chunks per worker
    expected = _found(lint_documents(kb.load_all(), kb.root, TODAY))
    assert _found(lint_kb(kb, TODAY)) == expected
    assert _found(lint_kb(kb, TODAY, workers=2)) == expected
    assert _found(Linter(kb.root, kb.scan(), TODAY).problems()) == expected
    assert _found(Linter(kb.root, kb.iter_documents(), TODAY).problems()) == expected
    rules = {rule for rule, *_ in expected}
    assert rules >= {"unreadable", "missing-field", "invalid-value", "duplicate-id", "broken-link",
                     "broken-image", "unicode-name-clash", "sop-missing-section", "sop-escalation-tier",
                     "broken-anchor", "stale", "orphan", "likely-duplicate", "personal-email",
                     "personal-phone", "empty-section", "todo", "synonym-unused"}
    twins = [f for f in expected if f[0] == "likely-duplicate" and f[1] == "twins/t000.md"]
    assert len(twins) == 2 * (2 * CHUNK + 4)   # every other twin, by title and by issue
    selected = select_rules(["likely-duplicate", "todo"])
    assert _found(lint_kb(kb, TODAY, selected, workers=2)) == [f for f in expected if f[0] in
                                                                ("likely-duplicate", "todo")]


def test_the_linter_keeps_outlines_and_reads_a_target_s_anchors_when_asked(tmp_path: Path) -> None:
    kb = KnowledgeBase(_defects(tmp_path / "kb", copies=3))
    linter = Linter.read(kb, TODAY)
    outlines = linter.facts.pages
    assert len(outlines) == linter.document_count == len(kb.load_all())
    assert all(type(outline) is Outline and not hasattr(outline.document, "body")
               for outline in outlines.values())
    assert outlines["net/links.md"].kept_anchors == {"links"}   # its own links point at its headings
    assert outlines["orphan.md"].kept_anchors is None   # nothing links to its headings: none kept
    # only other documents link to the VPN article's headings: they were read from disk for the check
    assert outlines["net/vpn.md"].kept_anchors == {"vpn-drops", "connect-first"}
    fresh = Linter.read(kb, TODAY, select_rules(["orphan"])).facts.pages["net/vpn.md"]
    assert fresh.kept_anchors is None and fresh.anchors == parse_page(kb.load("net/vpn.md")).anchors
    assert [p.message for p in linter.problems_for("net/links.md") if p.rule == "broken-anchor"] == [
        "no heading '#nope' in net/vpn.md", "no heading '#missing' in this document"]


def test_outlines_keep_only_what_the_cross_document_rules_read(tmp_path: Path) -> None:
    kb = KnowledgeBase(_defects(tmp_path / "kb", copies=3))
    write(kb.root, "net/web.md", article("KB-20", "Web links", body=(
        "# Web\n\n[site](https://example.com/a), [root](/docs/x.md), [proto](//cdn/x.png), "
        "[mail](mailto:a@b.c), [vpn](vpn.md), [here](#web), [empty]()\n")))
    infos = kb.scan()
    changed = infos[[info.rel_path for info in infos].index("stale.md")]
    write(kb.root, "stale.md", article("KB-5", "Stale, renamed since the app listed it"))
    linter = Linter(kb.root, infos, TODAY)
    outline = linter.facts.pages["net/web.md"]
    # web, site-absolute and scheme links: no cross-document rule or the link graph reads them
    assert [link.target for link in outline.links] == ["vpn.md", "#web", ""]
    # the app's own DocumentInfo is kept where the file still says the same, not a second copy
    assert all(linter.facts.pages[info.rel_path].document is info for info in infos if info is not changed)
    assert linter.facts.pages["stale.md"].document.title == "Stale, renamed since the app listed it"
    assert _found(linter.problems()) == _found(lint_kb(kb, TODAY))


def test_an_update_from_disk_matches_an_update_with_the_document(tmp_path: Path) -> None:
    root = _defects(tmp_path / "kb", copies=3)
    kb = KnowledgeBase(root)
    write(root, "twins/t001.md", article("KB-101", "Printer offline", body="# Printer\n\nNo issue here.\n"))
    from_disk, in_hand = Linter(kb.root, kb.scan(), TODAY), Linter.read(kb, TODAY)
    write(root, "net/vpn.md", article("KB-1", "VPN drops", body="# VPN drops\n\nNo headings now.\n"))
    changed = from_disk.update(kb.scan()[[i.rel_path for i in kb.scan()].index("net/vpn.md")])
    assert changed == in_hand.update(kb.load("net/vpn.md"))
    assert "net/links.md" in changed and "dup-id.md" in changed
    assert _found(from_disk.problems()) == _found(in_hand.problems()) == _found(lint_kb(kb, TODAY))


def test_synonym_texts_are_read_from_disk_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = KnowledgeBase(_defects(tmp_path / "kb", copies=70))   # past 64 documents: hints skip most
    linter = Linter.read(kb, TODAY, select_rules(["synonym-unused"]))
    assert [p.line for p in linter.problems()] == [2]   # no document has SSPR
    reads: list[str] = []
    real = rules_synonyms.full_document

    def counted(document: object) -> Document:
        reads.append(document.rel_path)   # type: ignore[attr-defined]
        return real(document)   # type: ignore[arg-type]

    monkeypatch.setattr(rules_synonyms, "full_document", counted)
    linter.refresh_kb()
    assert reads == [] and [p.line for p in linter.problems()] == [2]   # every text's answer was kept


def test_workers_only_where_forking_is_safe() -> None:
    assert worker_count(2) in (1, 2)
    started = threading.Event()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: (started.set(), stop.wait(5)))
    thread.start()
    started.wait(5)
    try:
        assert worker_count(2) == 1   # another thread: never fork (the app's case)
        assert start_method() == "spawn"
        # fresh interpreters only when there is enough work to pay for their start-up
        assert worker_count(2, items=SPAWN_MIN_ITEMS - 1) == 1
        assert worker_count(2, items=SPAWN_MIN_ITEMS) == 2
    finally:
        stop.set()
        thread.join()
    items = list(range(1000))
    assert list(map_chunks(_squares, items, workers=2, chunk=7)) == [n * n for n in items]
    assert list(map_chunks(_squares, items, workers=1, chunk=7)) == [n * n for n in items]


def test_the_command_line_forks_workers_and_finds_the_same(tmp_path: Path) -> None:
    kb = KnowledgeBase(_defects(tmp_path / "kb", copies=CHUNK + 5))
    code = ("import sys, json; from datetime import date; from pathlib import Path\n"
            "from kbstudio.kb import KnowledgeBase; from kbstudio.lint import Linter\n"
            "from kbstudio.workers import worker_count\n"
            "import kbstudio.workers as w\n"
            "forks = []\n"
            "real = w.multiprocessing.get_context\n"
            "w.multiprocessing.get_context = lambda method: forks.append(method) or real(method)\n"
            "linter = Linter.read(KnowledgeBase(Path(sys.argv[1])), date(2026, 6, 1), workers=2)\n"
            "print(json.dumps({'forks': forks, 'found': [[p.rule, p.path, p.line, p.message] "
            "for p in linter.problems()]}))\n")
    result = subprocess.run([sys.executable, "-c", code, str(kb.root)], capture_output=True, text=True,
                            check=True, timeout=120)
    answer = json.loads(result.stdout)
    assert answer["forks"] == ["fork"]   # a fresh single-threaded process: two forked workers
    assert [tuple(found) for found in answer["found"]] == _found(lint_kb(kb, TODAY))


def test_from_a_process_with_threads_workers_start_afresh_and_find_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's Health check: its documents are DocumentInfo and it runs beside Qt's threads."""
    kb = KnowledgeBase(_defects(tmp_path / "kb", copies=CHUNK + 5))
    started: list[str] = []
    real = workers.multiprocessing.get_context
    monkeypatch.setattr(workers.multiprocessing, "get_context",
                        lambda method: started.append(method) or real(method))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, args=(120,))
    thread.start()
    try:
        linter = Linter(kb.root, kb.scan(), TODAY, workers=2)
    finally:
        stop.set()
        thread.join()
    assert started == ["spawn"]   # never a fork beside another thread
    assert _found(linter.problems()) == _found(lint_kb(kb, TODAY))
    twins = [p for p in linter.problems() if p.rule == "likely-duplicate" and p.path == "twins/t000.md"]
    assert len(twins) == 2 * (CHUNK + 4)   # the workers' shingles compare with each other ...
    write(kb.root, "twins/t001.md", article("KB-101", "Outlook keeps asking for my password",
                                            body="# Outlook asks again\n\n" + ISSUE.replace("laptop", "PC")))
    linter.update(kb.scan()[[info.rel_path for info in kb.scan()].index("twins/t001.md")])
    # ... and with those hashed here after a save, in this process's hash()
    assert _found(linter.problems()) == _found(lint_kb(kb, TODAY))


def _squares(chunk: list[int]) -> list[int]:
    return [n * n for n in chunk]


@pytest.mark.parametrize("seed", range(6))
def test_the_similarity_index_finds_exactly_the_pairs_over_the_threshold(seed: int) -> None:
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(60)]
    base = [frozenset(rng.sample(vocabulary, rng.randint(8, 20))) for _ in range(12)]
    sets: dict[str, frozenset[int]] = {}
    for number in range(150):   # near-copies of a few sets, and strangers
        tokens = set(rng.choice(base)) if number % 3 else set(rng.sample(vocabulary, 12))
        for _ in range(rng.randint(0, 4)):
            tokens.symmetric_difference_update({rng.choice(vocabulary)})
        sets[f"k{number:03d}"] = hashed(tokens)
    index = SimilarityIndex(0.6, min_size=8)
    index.build(list(sets.items())[:100])
    for key, tokens in list(sets.items())[100:]:   # added later, as after a save
        index.add(key, tokens)
    for key in list(sets)[::7]:
        index.remove(key)
        del sets[key]
    kept = {key: tokens for key, tokens in sets.items() if len(tokens) >= 8}
    for key, tokens in kept.items():
        expected = sorted(((other, jaccard(tokens, theirs)) for other, theirs in kept.items()
                           if other != key and jaccard(tokens, theirs) >= 0.6), key=lambda m: (-m[1], m[0]))
        assert index.matches(key) == expected
    pairs = sum(1 for a, b in combinations(kept.values(), 2) if jaccard(a, b) >= 0.6)
    assert pairs > 20   # the test is about near-duplicates: there are many


def test_hashed_shingles_score_as_the_shingles_do() -> None:
    a = shingles(words(ISSUE))
    b = shingles(words(ISSUE.replace("laptop", "PC").replace("restarted", "reopened")))
    assert jaccard(hashed(a), hashed(b)) == jaccard(a, b) and 0.6 < jaccard(a, b) < 1
