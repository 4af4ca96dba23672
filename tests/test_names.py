"""Names compared in NFC: the helpers, the KB on disk, SOP links and hand-off articles.

Files are created with ``os`` under decomposed (NFD) names, as a Mac tool writes them; Linux keeps
those bytes, so a composed (NFC) path names nothing unless KB Studio looks it up by NFC.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kbstudio.handoff.run import SOLVED, CheckAnswer, SopRun, resolution_article
from kbstudio.kb import KnowledgeBase
from kbstudio.names import (
    _TEXT_UNSAFE,
    _escape,
    _json_escape,
    find_path,
    form_name,
    id_key,
    json_text,
    nfc,
    same_name,
    shown_text,
    spellings,
)
from kbstudio.sop import parse_sop
from kbstudio.sop.match import linked_sops
from kbstudio.sop.parser import find_document
from tests.conftest import ARTICLE, write

CAFE_NFC = "caf\u00e9-wifi.md"
CAFE_NFD = "cafe\u0301-wifi.md"
FOLDER_NFC = "M\u00fcnchen"
FOLDER_NFD = "Mu\u0308nchen"


def _write_raw(folder: Path, name: str, text: str) -> Path:
    """Create ``folder/name`` with ``os`` calls, keeping the name's bytes exactly as given."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return Path(path)


def _article(doc_id: str, title: str, body: str = "") -> str:
    return (f"---\nid: {doc_id}\ntitle: {title}\nkind: article\ntier: L1\nstatus: published\n---\n\n"
            f"# {title}\n\n{body}\n")


def test_the_helpers() -> None:
    assert CAFE_NFC != CAFE_NFD and nfc(CAFE_NFD) == CAFE_NFC and nfc(CAFE_NFC) == CAFE_NFC
    assert nfc("plain/ascii.md") == "plain/ascii.md"
    assert same_name(f"{FOLDER_NFD}/{CAFE_NFD}", f"{FOLDER_NFC}/{CAFE_NFC}")
    assert not same_name(CAFE_NFC, "cafe-wifi.md") and not same_name("README.md", "readme.md")
    assert spellings(CAFE_NFC) == [CAFE_NFC, CAFE_NFD]
    assert spellings(CAFE_NFD) == [CAFE_NFD, CAFE_NFC]
    assert spellings("a.md") == ["a.md"]
    assert [form_name(CAFE_NFC), form_name(CAFE_NFD), form_name(f"{FOLDER_NFC}/{CAFE_NFD}")] == [
        "NFC", "NFD", "mixed"]
    assert id_key(" kb-0042 ") == "KB-0042"
    assert id_key("\uff2b\uff22\uff0d\uff10\uff10\uff14\uff12") == "KB-0042"   # full-width, from an IME
    assert nfc("\ufb01le.md") == "\ufb01le.md"   # paths are not NFKC-folded: the ligature stays


def test_find_path_returns_the_name_on_disk_whichever_form_is_asked(tmp_path: Path) -> None:
    stored = _write_raw(tmp_path / FOLDER_NFD, CAFE_NFD, "x")
    assert not os.path.exists(tmp_path / FOLDER_NFC / CAFE_NFC)   # the file system keeps bytes
    for asked in (f"{FOLDER_NFC}/{CAFE_NFC}", f"{FOLDER_NFD}/{CAFE_NFC}", f"{FOLDER_NFC}/{CAFE_NFD}",
                  f"{FOLDER_NFD}/{CAFE_NFD}", f"./{FOLDER_NFC}//{CAFE_NFC}"):
        found = find_path(tmp_path, asked)
        assert found is not None and os.path.samefile(found, stored)
        assert found.name == CAFE_NFD and found.parent.name == FOLDER_NFD
    assert find_path(tmp_path, FOLDER_NFC) == tmp_path / FOLDER_NFD
    assert find_path(tmp_path, f"{FOLDER_NFC}/caf\u00e8-wifi.md") is None   # another letter
    assert find_path(tmp_path, "missing/a.md") is None


def test_the_kb_finds_a_decomposed_file_from_a_composed_path(tmp_path: Path) -> None:
    _write_raw(tmp_path / "articles", CAFE_NFD, _article("KB-0007", "Caf\u00e9 Wi-Fi"))
    kb = KnowledgeBase(tmp_path)
    assert kb.locate(f"articles/{CAFE_NFC}") == tmp_path / "articles" / CAFE_NFD
    assert kb.disk_rel(f"articles/{CAFE_NFC}") == f"articles/{CAFE_NFD}"
    assert kb.disk_rel("articles/nope.md") == "articles/nope.md"
    document = kb.load(Path(f"articles/{CAFE_NFC}"))
    assert document.readable and document.id == "KB-0007"
    assert document.rel_path == f"articles/{CAFE_NFD}"   # the real name, for every write
    assert document.path == tmp_path / "articles" / CAFE_NFD


def test_find_document_by_path_in_any_form_and_by_a_full_width_id(tmp_path: Path) -> None:
    _write_raw(tmp_path / "articles", CAFE_NFD, _article("KB-0007", "Caf\u00e9 Wi-Fi"))
    write(tmp_path, "articles/reset.md", ARTICLE)
    documents = KnowledgeBase(tmp_path).load_all()
    found = find_document(documents, f"articles/{CAFE_NFC}")
    assert found is not None and found.id == "KB-0007"
    by_id = find_document(documents, "\uff2b\uff22\uff0d\uff10\uff10\uff10\uff17")
    assert by_id is not None and by_id.rel_path == f"articles/{CAFE_NFD}"
    assert find_document(documents, "kb-0001").rel_path == "articles/reset.md"
    assert find_document(documents, "") is None


SOP = """---
id: SOP-0001
title: Escalate Wi-Fi problems
kind: sop
tier: L1
escalates_to: L2
---

# Escalate Wi-Fi problems

## When to escalate

- The caf\u00e9 Wi-Fi stays down.

## Before escalating

- [ ] Follow [the caf\u00e9 article](../articles/caf\u00e9-wifi.md).

## Information to collect

- **Room** (required): where.

## Escalate to

- **Tier:** L2
- **Team:** Network
- **How:** Assign the ticket.
"""


def test_sop_links_typed_composed_find_decomposed_files(tmp_path: Path) -> None:
    _write_raw(tmp_path / "articles", CAFE_NFD, _article(
        "KB-0007", "Caf\u00e9 Wi-Fi", "## If this doesn't solve it\n\n[Escalate](../sops/e\u0301scalate.md)"))
    _write_raw(tmp_path / "sops", "\u00e9scalate.md", SOP)   # the SOP composed, the link decomposed
    kb = KnowledgeBase(tmp_path)
    documents = kb.load_all()
    article = next(d for d in documents if d.id == "KB-0007")
    linked = linked_sops(article, documents)
    assert [(document.id, in_escalation) for document, in_escalation in linked] == [("SOP-0001", True)]
    sop = parse_sop(next(d for d in documents if d.id == "SOP-0001"))
    ref = resolution_article(sop, SopRun(checks={0: CheckAnswer(SOLVED)}), documents)
    assert ref is not None and (ref.rel_path, ref.id, ref.title) == (
        f"articles/{CAFE_NFD}", "KB-0007", "Caf\u00e9 Wi-Fi")


def test_nfd_words_are_one_word_for_sop_matching() -> None:
    from kbstudio.sop.match import _stems

    assert _stems(unicodedata.normalize("NFD", "caf\u00e9 r\u00e9seau")) == _stems("caf\u00e9 r\u00e9seau")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\t", "\n", "\r", "\x1b", "[1m", "\x00", "\x7f", "\x85",
                                          "\xa0", "\u00e9", "\u200d", "\u202e", "\u2067", "\u2028", "\ufeff",
                                          "\udcff", "\u4e2d", "\U0001f600"]), max_size=40).map("".join))
def test_output_text_is_escaped_the_same_with_or_without_the_fast_check(text: str) -> None:
    """``shown_text`` and ``json_text`` skip the regex for text it cannot match: the same answer."""
    assert shown_text(text) == _TEXT_UNSAFE.sub(_escape, text)
    assert json_text(text) == _TEXT_UNSAFE.sub(_json_escape, text)
