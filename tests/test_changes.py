"""The change record (KBChange) and the file operations that return it, on real files."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from kbstudio.changes import NOTHING, KBChange
from kbstudio.disk_state import compare, restamp, snapshot
from kbstudio.docedit import update_fields
from kbstudio.docset import DocumentSet, read_changed
from kbstudio.kb import KnowledgeBase
from kbstudio.storage import ExternalChangeError
from tests.conftest import ARTICLE, write

NFD = unicodedata.normalize("NFD", "articles/café.md")


# The record ---------------------------------------------------------------------------------------

def test_paths_are_stored_in_nfc_and_sorted_into_documents_and_files() -> None:
    change = KBChange.of(added=[NFD, "_templates/article.md"], changed=[".kbstudio/synonyms.yaml"],
                         removed=["notes.txt"], renamed=[("a.md", ".hidden/a.md")])
    assert change.added == {"articles/café.md"}
    assert change.removed == {"a.md"} and change.renamed == frozenset()
    assert change.files == {"_templates/article.md", ".kbstudio/synonyms.yaml", "notes.txt", ".hidden/a.md"}
    assert change.synonyms and change.health and not change.policy and not change.head


def test_the_review_policy_file_sets_policy_and_review() -> None:
    change = KBChange.of(changed=[".kbstudio/review.yaml"], head=True)
    assert change == KBChange(files={".kbstudio/review.yaml"}, policy=True, review=True, head=True)


def test_flag_events_pulled_or_written_set_health() -> None:
    flags = KBChange.of(added=[".kbstudio/flags/2026-11--ana-lopez-1a2b3c--3f9a0c12.jsonl"])
    assert flags.files == {".kbstudio/flags/2026-11--ana-lopez-1a2b3c--3f9a0c12.jsonl"} and flags.health
    uses = KBChange.of(changed=[".kbstudio/usage/2026-11--ana-lopez-1a2b3c--3f9a0c12.jsonl"])
    assert not uses.health and not uses.documents   # uses change no finding


def test_what_views_ask_of_a_record() -> None:
    change = KBChange.of(added=["n.md"], changed=["c.md"], removed=["r.md"], renamed=[("o.md", "m.md")])
    assert change.present == {"n.md", "c.md", "m.md"}
    assert change.gone == {"r.md", "o.md"}
    assert change.moved == {"o.md": "m.md"}
    assert change.documents_listed and not KBChange.of(changed=["c.md"]).documents_listed
    assert not NOTHING and KBChange(index=True) and KBChange.of(changed=["x.txt"])


@pytest.mark.parametrize(("first", "then", "combined"), [
    (KBChange(added={"a.md"}), KBChange(changed={"a.md"}), KBChange(added={"a.md"})),
    (KBChange(added={"a.md"}), KBChange(removed={"a.md"}), KBChange()),
    (KBChange(changed={"a.md"}), KBChange(removed={"a.md"}), KBChange(removed={"a.md"})),
    (KBChange(removed={"a.md"}), KBChange(added={"a.md"}), KBChange(changed={"a.md"})),
    (KBChange(renamed={("a.md", "b.md")}), KBChange(renamed={("b.md", "c.md")}),
     KBChange(renamed={("a.md", "c.md")})),
    (KBChange(renamed={("a.md", "b.md")}), KBChange(renamed={("b.md", "a.md")}), KBChange(changed={"a.md"})),
    (KBChange(renamed={("a.md", "b.md")}), KBChange(changed={"b.md"}),
     KBChange(changed={"b.md"}, renamed={("a.md", "b.md")})),
    (KBChange(renamed={("a.md", "b.md")}), KBChange(removed={"b.md"}), KBChange(removed={"a.md"})),
    (KBChange(added={"a.md"}), KBChange(renamed={("a.md", "b.md")}), KBChange(added={"b.md"})),
    (KBChange(changed={"a.md"}, head=True), KBChange(added={"b.md"}, index=True),
     KBChange(added={"b.md"}, changed={"a.md"}, head=True, index=True)),
])
def test_two_records_combine_into_what_both_did(first: KBChange, then: KBChange, combined: KBChange) -> None:
    assert first | then == combined


def test_reversed_undoes_on_disk() -> None:
    change = KBChange(added={"a.md"}, changed={"c.md"}, removed={"r.md"}, renamed={("o.md", "n.md")},
                      head=True)
    assert change.reversed() == KBChange(added={"r.md"}, changed={"c.md"}, removed={"a.md"},
                                         renamed={("n.md", "o.md")}, head=True)


def test_to_json_lists_sorted_paths_and_the_flags_set() -> None:
    change = KBChange.of(changed=["b.md", "a.md"], renamed=[("o.md", "n.md")], head=True)
    assert change.to_json() == {"added": [], "changed": ["a.md", "b.md"], "removed": [],
                                "renamed": [["o.md", "n.md"]], "files": [], "head": True}


# Operations on real files ---------------------------------------------------------------------------

def test_save_of_a_new_and_of_an_existing_document(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    new = kb.save(kb.root / "articles/new.md", ARTICLE.replace("KB-0001", "KB-0002"), None)
    assert new.change == KBChange(added={"articles/new.md"}) and new.rel_path == "articles/new.md"
    saved = kb.save(new.path, ARTICLE + "more\n", new.content_hash)
    assert saved.change == KBChange(changed={"articles/new.md"})
    assert saved.content_hash != new.content_hash
    with pytest.raises(ExternalChangeError):
        kb.save(new.path, "stale", new.content_hash)


def test_save_of_the_synonyms_file_names_it_as_a_file(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    (kb_root / ".kbstudio").mkdir()
    saved = kb.save(kb.root / ".kbstudio/synonyms.yaml", "vpn: [virtual private network]\n", None)
    assert saved.change == KBChange(files={".kbstudio/synonyms.yaml"}, synonyms=True, health=True)


def test_create_returns_the_added_document(kb_root: Path) -> None:
    created = KnowledgeBase(kb_root).create("article", "Clear the print queue", "L1")
    assert created.change == KBChange(added={"articles/clear-the-print-queue.md"})


def test_delete_removes_the_file_and_retires_its_id(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    deleted = kb.delete("articles/reset.md")
    assert deleted.change == KBChange(removed={"articles/reset.md"}, files={".kbstudio/retired-ids"})
    assert not (kb_root / "articles/reset.md").exists() and kb.retired_ids() == {"KB-0001"}
    assert kb.next_id("article", []) == "KB-0002"
    with pytest.raises(ValueError, match="no such document"):
        kb.delete("articles/reset.md")


def test_delete_refuses_a_document_changed_since_it_was_read(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    read = kb.load("articles/reset.md")
    write(kb_root, "articles/reset.md", ARTICLE + "edited elsewhere\n")
    with pytest.raises(ExternalChangeError):
        kb.delete("articles/reset.md", expected_hash=read.content_hash)
    assert (kb_root / "articles/reset.md").exists()


def test_rename_moves_the_document_into_a_new_folder(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    renamed = kb.rename("articles/reset.md", "accounts/reset-a-password")
    assert renamed.change == KBChange(renamed={("articles/reset.md", "accounts/reset-a-password.md")})
    assert renamed.path.read_text("utf-8") == ARTICLE and not (kb_root / "articles/reset.md").exists()


@pytest.mark.parametrize(("target", "message"), [
    ("articles/other.md", "already exists"),
    (".hidden/reset.md", "not a document path"),
    ("../outside.md", "not a document path"),
    ("articles/reset.md", "already its name"),
])
def test_rename_never_replaces_a_file_or_leaves_the_documents(kb_root: Path, target: str,
                                                              message: str) -> None:
    write(kb_root, "articles/other.md", "other\n")
    with pytest.raises(ValueError, match=message):
        KnowledgeBase(kb_root).rename("articles/reset.md", target)
    assert (kb_root / "articles/reset.md").read_text("utf-8") == ARTICLE
    assert (kb_root / "articles/other.md").read_text("utf-8") == "other\n"


def test_rename_refuses_a_target_that_exists_in_another_normalisation_form(kb_root: Path) -> None:
    write(kb_root, NFD, "decomposed\n")
    with pytest.raises(ValueError, match="already exists"):
        KnowledgeBase(kb_root).rename("articles/reset.md", "articles/café.md")


def test_set_returns_the_changed_document(kb_root: Path) -> None:
    update = update_fields(KnowledgeBase(kb_root), "articles/reset.md", {"tier": "L2"})
    assert update.change == KBChange(changed={"articles/reset.md"})
    assert update_fields(KnowledgeBase(kb_root), "articles/reset.md", {"tier": "L2"}).change == NOTHING


# Changes made by other programs -------------------------------------------------------------------

def test_outside_edits_additions_and_deletions_are_found_on_disk(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    write(kb_root, "articles/gone.md", ARTICLE)
    before = snapshot(kb)
    assert set(before) == {"articles/reset.md", "articles/gone.md"}
    write(kb_root, "articles/reset.md", ARTICLE + "edited in another editor\n")
    write(kb_root, "sops/new.md", ARTICLE)
    write(kb_root, ".kbstudio/local/scratch.md", "not a document")
    (kb_root / "articles/gone.md").unlink()
    assert compare(before, snapshot(kb)) == KBChange(added={"sops/new.md"}, changed={"articles/reset.md"},
                                                     removed={"articles/gone.md"})


def test_restamp_takes_the_apps_own_change_out_of_the_next_comparison(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    stamps = snapshot(kb)
    path = kb_root / "articles/reset.md"
    path.write_text(ARTICLE + "saved by the app\n", "utf-8")
    os.utime(path, ns=(1, 1))
    restamp(kb, stamps, ["articles/reset.md"])
    assert compare(stamps, snapshot(kb)) == NOTHING


def test_the_document_set_follows_a_record_in_any_normalisation_form(kb_root: Path) -> None:
    kb = KnowledgeBase(kb_root)
    write(kb_root, NFD, ARTICLE.replace("Reset a password", "Café menu"))
    documents = DocumentSet(kb.scan())
    assert set(documents) == {"articles/reset.md", NFD}
    write(kb_root, NFD, ARTICLE.replace("Reset a password", "Café opening hours"))
    change = KBChange.of(changed=["articles/café.md"])   # NFC, as records are
    documents.apply(read_changed(kb, change))
    assert documents[NFD].title == "Café opening hours" and len(documents) == 2
    (kb_root / NFD).unlink()
    documents.apply(read_changed(kb, KBChange.of(removed=[NFD])))
    assert set(documents) == {"articles/reset.md"}
    assert documents.folders() == ["articles"]
