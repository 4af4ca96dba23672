"""Anything KB Studio writes reads back as what was written: in its own reader, PyYAML and ruamel.yaml.

Hostile strings (``No``, ``~``, ``12:30``, ``0x1F``, leading ``-``, ``: ``, line breaks, odd Unicode...)
go through the scalar writer, the field editor (the app form's value path), ``kbstudio new`` and
``kbstudio set``. See ``tests/yaml_strategies.py`` for running many more examples locally.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from kbstudio import cli
from kbstudio.fmedit import set_field
from kbstudio.frontmatter import parse_front_matter, split_front_matter
from kbstudio.kb import KnowledgeBase
from kbstudio.reader import parse_document
from kbstudio.yamltext import flow_list, plain_ok, scalar
from tests.yaml_strategies import HOSTILE, argv_text, examples, hostile_text

_RUAMEL_12 = YAML(typ="safe", pure=True)   # YAML 1.2
_RUAMEL_RT = YAML(typ="rt")                # the round-trip reader KB Studio edits with


def _settings(n: int) -> settings:
    return settings(max_examples=examples(n), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _every_reader(document: str) -> list[object]:
    """Return the value of key ``k`` as each YAML reader reads ``document``."""
    return [
        yaml.load(document, Loader=yaml.CSafeLoader)["k"],          # YAML 1.1, libyaml (as GitHub's Ruby)
        yaml.load(document, Loader=yaml.SafeLoader)["k"],           # YAML 1.1, pure Python
        _RUAMEL_12.load(document)["k"],
        _RUAMEL_RT.load(document)["k"],
        parse_front_matter(document).data["k"],                     # KB Studio's own reader
    ]


def _control(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in text)


def _front(text: str) -> dict:
    split = split_front_matter(text)
    return parse_front_matter(split.yaml_text or "").data


def _front_yaml11(text: str) -> dict:
    return yaml.safe_load(split_front_matter(text).yaml_text or "") or {}


@pytest.mark.parametrize("text", HOSTILE)
def test_every_hostile_string_reads_back_in_every_reader(text: str) -> None:
    assert _every_reader(f"k: {scalar(text)}\n") == [text] * 5
    assert _every_reader(f"k: {flow_list([text, 'x'])}\n") == [[text, "x"]] * 5


@pytest.mark.parametrize("text", ["No", "yes", "on", "~", "null", "12:30", "0x1F", "1.10", "1e3",
                                  "2024-01-01", ".inf", " a", "a ", "#a", "a: b", "-a", "[a", "{a", "*a",
                                  "&a", "!a", "%a", "@a", "`a", "a\nb", "a #b", "0o17", "y", "="])
def test_strings_other_readers_would_misread_are_quoted(text: str) -> None:
    assert not plain_ok(text)
    assert scalar(text).startswith('"')


def test_ordinary_text_stays_plain() -> None:
    for text in ("Reset a password", "3 printers", "KB-0042", "L2", "Outlook can't sign in", "é 日本",
                 "Error 0x8004010F in Outlook", "Name <name@example.com>", "C:\\Temp", "a:b"):
        assert scalar(text) == text
    assert scalar(date(2027, 1, 2)) == "2027-01-02"


@_settings(400)
@given(hostile_text())
def test_scalars_and_flow_lists_read_back_in_every_reader(text: str) -> None:
    assert _every_reader(f"k: {scalar(text)}\n") == [text] * 5
    assert _every_reader(f"k: {flow_list([text, text])}\n") == [[text, text]] * 5
    assert _every_reader(f"k: {scalar(text, style=chr(39))}\n") == [text] * 5   # keeping single quotes


DOC = """---
id: KB-0007
title: 'Old title'   # kept comment
tier: L1
owner: "Desk"
tags:
  - a
  - b
products: [x]
ms.author: someone
---
# Body
"""


@_settings(200)
@given(hostile_text(), st.sampled_from(["title", "owner", "ms.author", "new_key", "id"]))
@example("No", "title")
@example("12:30", "owner")
def test_the_field_editor_writes_what_reads_back(text: str, key: str) -> None:
    changed = set_field(DOC, key, text)
    assert _front(changed)[key] == text                   # KB Studio's reader
    assert _front_yaml11(changed)[key] == text            # a YAML 1.1 reader
    for list_key in ("tags", "products"):
        listed = set_field(changed, list_key, [text, "x"])
        assert _front(listed)[list_key] == [text, "x"]
        assert _front_yaml11(listed)[list_key] == [text, "x"]
    document = parse_document(Path("/kb/a.md"), "a.md", changed.encode("utf-8"))
    if key in ("title", "owner", "id") and text.strip():
        assert getattr(document, key) == text.strip()
    assert [p for p in document.problems if p.rule.startswith("invalid-")] == []


@_settings(100)
@given(argv_text(), argv_text(max_size=15))
@example("No", "")
@example("12:30", "- team")
def test_kbstudio_new_writes_titles_and_owners_that_read_back(title: str, owner: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        code = cli.main(["new", folder, f"--title={title}", "--tier", "L1", f"--owner={owner}"])
        wanted = " ".join(title.split())   # kbstudio new folds white space in titles
        if not wanted or _control(wanted) or _control(owner):
            assert code == 2   # no title, or control characters: refused
            return
        assert code == 0
        (document,) = KnowledgeBase(Path(folder)).load_all()
        assert document.title == wanted
        assert document.meta["owner"] == owner
        assert document.owner == (owner.strip() or None)
        assert [p.rule for p in document.problems] == []
        assert _front_yaml11(document.text)["title"] == wanted


@_settings(100)
@given(argv_text(), argv_text(max_size=15))
@example("No", "on, off")
@example("~", "12:30,1.10")
def test_kbstudio_set_writes_values_that_read_back(title: str, tags: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.md"
        path.write_bytes(DOC.replace("\n", "\r\n").encode("utf-8"))
        code = cli.main(["set", folder, "a.md", f"title={title}", f"owner={title}", f"tags={tags}"])
        assert code == 0
        (document,) = KnowledgeBase(Path(folder)).load_all()
        if title.strip():
            assert document.meta["title"] == document.meta["owner"] == title.strip()
            assert document.title == document.owner == title.strip()
            assert _front_yaml11(document.text)["title"] == title.strip()
        else:
            assert "title" not in document.meta and "owner" not in document.meta
        assert document.tags == [part.strip() for part in tags.split(",") if part.strip()]
        assert document.text.count("\r\n") == document.text.count("\n")   # still CRLF throughout


def test_set_then_list_json_round_trip(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.md").write_text(DOC, encoding="utf-8")
    for value in ("No", "12:30", "0x1F", "~", "- x", "a: b # c"):
        assert cli.main(["set", str(tmp_path), "a.md", f"title={value}"]) == 0
        capsys.readouterr()
        assert cli.main(["list", str(tmp_path), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["title"] == value
