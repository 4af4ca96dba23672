"""Property test: whatever is edited through the form and the editor, the saved bytes are the expected ones.

Random documents (LF or CRLF, with or without a BOM and a final newline, non-Latin text, odd but
valid YAML: comments, quoting styles, flow and block lists, unknown keys, block scalars, '...' as
the closing line, no front matter at all) are opened in a real DocumentTab; random edits are typed
into the form fields (sometimes while the form re-reads the YAML, sometimes left uncommitted with
the focus still in the field) and into the editor's body, with the odd undo and Edit/Read switch;
then the tab saves. The file must be the original bytes with only the edited fields' lines and the
inserted body lines changed, in the file's own line endings and BOM.

30 examples in CI; ``KBSTUDIO_PROPERTY_EXAMPLES=500`` runs more.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kbstudio.frontmatter import parse_front_matter, split_front_matter
from kbstudio.kb import KnowledgeBase
from kbstudio.model import STATUSES
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.tasks import TaskRunner

EXAMPLES = int(os.environ.get("KBSTUDIO_PROPERTY_EXAMPLES", "30"))
pytestmark = pytest.mark.timeout(max(300, EXAMPLES * 3))

LETTERS = "abcxyzÄöüßéñçøåЖжЯяПрвт日本語中文한국어عربيةעבריתΩλ0123456789"
EMOJI = "😀🚀"
VALUE_CHARS = LETTERS + EMOJI + " -_.'\"!?:#&*@%()/"
BODY_CHARS = LETTERS + EMOJI + " -_.'\"!?:#&*@%()/[]`*\u00a0\u2028\t"


# Documents --------------------------------------------------------------------------------------

@dataclass
class Doc:
    """A generated document: front-matter entries (key, lines) and body lines, without line endings."""

    entries: list[tuple[str | None, list[str]]]   # key None: a comment line
    body: list[str]
    newline: str
    bom: bool
    final_newline: bool
    front_matter: bool = True
    closing: str = "---"
    meta: dict[str, object] = field(default_factory=dict)

    def lines(self) -> list[str]:
        head = ["---", *[line for _, lines in self.entries for line in lines], self.closing] \
            if self.front_matter else []
        return [*head, *self.body]

    def data(self) -> bytes:
        text = self.newline.join(self.lines()) + (self.newline if self.final_newline else "")
        return ("\ufeff" if self.bom else "").encode("utf-8") + text.encode("utf-8")


def _words(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(alphabet=LETTERS, min_size=min_size, max_size=8)


def _scalar(key: str, value: str, style: str) -> list[str]:
    if style == "double":
        return [f'{key}: "{value}"']
    if style == "single":
        return [f"{key}: '{value}'"]
    if style == "comment":
        return [f"{key}: {value}  # was: old {key}"]
    return [f"{key}: {value}"]


def _list(key: str, items: list[str], style: str) -> list[str]:
    if style == "block":
        return [f"{key}:", *[f"  - {item}" for item in items]]
    if style == "block0":
        return [f"{key}:", *[f"- {item}" for item in items]]
    return [f"{key}: [{', '.join(items)}]"]


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    entries: list[tuple[str | None, list[str]]] = [("id", ["id: KB-0001"])]
    meta: dict[str, object] = {"id": "KB-0001"}
    optional = draw(st.lists(st.sampled_from(["title", "kind", "tier", "status", "tags", "products",
                                              "owner", "comment", "custom", "notes", "reviewers"]),
                             unique=True, max_size=11))
    for key in optional:
        if key in ("title", "owner"):
            value = " ".join(draw(st.lists(_words(), min_size=1, max_size=4)))
            entries.append((key, _scalar(key, value, draw(st.sampled_from(
                ["plain", "double", "single", "comment"])))))
            meta[key] = value
        elif key in ("tags", "products", "reviewers"):
            items = draw(st.lists(_words(), min_size=1, max_size=4))
            entries.append((key, _list(key, items, draw(st.sampled_from(["flow", "block", "block0"])))))
            meta[key] = items
        elif key == "kind":
            entries.append((key, ["kind: article"]))
        elif key == "tier":
            entries.append((key, [f"tier: {draw(st.sampled_from(['L0', 'L1', 'l2', 'L3']))}"]))
        elif key == "status":
            entries.append((key, [f"status: {draw(st.sampled_from(STATUSES))}"]))
        elif key == "comment":
            entries.append((None, [f"# {draw(_words())} : notes for the editors"]))
        elif key == "custom":
            entries.append(("x-legacy", [f"x-legacy: {{source: {draw(_words())}, n: 3}}"]))
        else:
            entries.append(("notes", ["notes: |", f"  {draw(_words())}", "  second line"]))
    body_lines = draw(st.lists(st.text(alphabet=BODY_CHARS, max_size=30), max_size=8))
    if draw(st.booleans()):
        body_lines = ["", f"# {draw(_words())}", *body_lines]
    if body_lines and draw(st.integers(0, 9)) == 0:
        body_lines.append("---")
    front_matter = draw(st.integers(0, 14)) > 0
    if not front_matter:
        body_lines = [f"# {draw(_words())}", *body_lines]    # a first line of "---" would open front matter
    final_newline = draw(st.booleans()) or not body_lines
    if not final_newline and body_lines[-1] == "":
        body_lines.pop()          # "...\n" + "" is the same file as the lines before with a final newline
        final_newline = True
    return Doc(entries if front_matter else [], body_lines, draw(st.sampled_from(["\n", "\r\n"])),
               draw(st.booleans()), final_newline, front_matter,
               draw(st.sampled_from(["---", "---", "..."])), meta if front_matter else {})


# Edits ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FormEdit:
    key: str
    value: str              # what is typed into the field
    typed: bool             # key events (else setText as a paste would)
    reread_midway: bool     # the form timer fires halfway through the typing
    leave: bool             # focus leaves the field afterwards (else it stays there, uncommitted)


@dataclass(frozen=True)
class BodyEdit:
    line: int               # inserted before this body line (clamped; -1: at the end)
    text: str
    typed: bool


@dataclass(frozen=True)
class UndoneEdit:
    text: str


@dataclass(frozen=True)
class Switch:
    pass


def _form_value(key: str) -> st.SearchStrategy[str]:
    if key in ("tags", "products", "reviewers"):
        return st.lists(st.text(alphabet=LETTERS + EMOJI + " -_.", min_size=1, max_size=10),
                        min_size=1, max_size=4).map(", ".join)
    return st.text(alphabet=VALUE_CHARS, min_size=1, max_size=20)


edits = st.one_of(
    st.sampled_from(["title", "owner", "tags", "products", "reviewers"]).flatmap(
        lambda key: st.builds(FormEdit, st.just(key), _form_value(key), st.booleans(), st.booleans(),
                              st.booleans())),
    st.builds(BodyEdit, st.integers(-1, 12), st.text(alphabet=BODY_CHARS, max_size=20), st.booleans()),
    st.builds(UndoneEdit, st.text(alphabet=LETTERS, min_size=1, max_size=5)),
    st.just(Switch()),
)


def _type(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key: ASCII as real keys, other characters as an input method commits them."""
    for char in text:
        if char.isascii() and char.isprintable():
            QTest.keyClick(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier,
                                                     char))


# The oracle -------------------------------------------------------------------------------------

def _expected_value(key: str, typed: str) -> object:
    if key in ("tags", "products", "reviewers"):
        return [part.strip() for part in typed.split(",") if part.strip()]
    return typed.strip() or None


def _split_fields(lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """Cut front-matter lines into top-level entries: a key line with its indented or '-' lines."""
    entries: list[tuple[str | None, list[str]]] = []
    for line in lines:
        if entries and entries[-1][0] is not None and line[:1] in (" ", "\t", "-"):
            entries[-1][1].append(line)
        elif line.startswith("#") or ":" not in line:
            entries.append((None, [line]))
        else:
            entries.append((line.split(":", 1)[0], [line]))
    return entries


def _check_saved(doc: Doc, data: bytes, edited: dict[str, object], body: list[str]) -> None:
    bom = b"\xef\xbb\xbf"
    assert data.startswith(bom) == doc.bom
    text = data.decode("utf-8")[1 if doc.bom else 0:]
    if b"\n" not in doc.data():
        doc.newline = "\n"       # a file without a line break counts as LF
    if doc.newline == "\r\n":
        assert text.count("\n") == text.count("\r\n"), "a line ending lost its CR"
    else:
        assert "\r" not in text, "a CR appeared in an LF file"
    assert text.endswith(doc.newline) == doc.final_newline or (not doc.body and not body)
    lines = text.split(doc.newline)
    if text.endswith(doc.newline):
        lines.pop()
    changed = {key for key, value in edited.items() if value != doc.meta.get(key)
               and not (value in (None, []) and key not in doc.meta)}
    if doc.front_matter:
        assert lines[0] == "---"
        closing = lines.index(doc.closing, 1)
        yaml_lines, new_body = lines[1:closing], lines[closing + 1:]
        old_entries = [entry for entry in doc.entries if entry[0] not in changed]
    else:
        if changed:
            assert lines[0] == "---"
            closing = lines.index("---", 1)
            yaml_lines, new_body = lines[1:closing], lines[closing + 1:]
        else:
            yaml_lines, new_body = [], lines
        old_entries = []
    kept = [entry for entry in _split_fields(yaml_lines) if entry[0] not in changed]
    assert kept == old_entries, "a line outside the edited fields changed"
    assert new_body == body, "the body is not the original with the inserted lines"
    if doc.front_matter or changed:
        meta = parse_front_matter("\n".join(yaml_lines) + "\n", 2).data
        expected = {**doc.meta, **edited}
        for key in set(expected) | set(meta):
            if key in ("id", "title", "owner", "tags", "products", "reviewers"):
                want = expected.get(key)
                if want in (None, []) and key not in meta:
                    continue
                assert meta.get(key) == want, key


# The test ---------------------------------------------------------------------------------------

@pytest.fixture()
def host(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(DocumentTab, "refresh_preview", lambda self: None)   # bytes only: no rendering
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent, max_threads=1)
    runner.keep_parent = parent   # the parent owns the runner: it must live as long
    return KnowledgeBase(tmp_path), runner


_names = itertools.count()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 30,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(doc=documents(), steps=st.lists(edits, min_size=1, max_size=6))
def test_saved_bytes_are_the_original_with_only_the_edits(qtbot, host, doc: Doc, steps: list) -> None:
    kb, runner = host
    path = kb.root / f"doc-{next(_names)}.md"
    original = doc.data()
    path.write_bytes(original)
    tab = DocumentTab(kb, kb.load(path), runner, read_mode=False)
    tab.show()
    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=5_000)
    try:
        assert not tab.dirty, "opening changed the document"
        edited: dict[str, object] = {}
        body = list(doc.body)
        for step in steps:
            if isinstance(step, FormEdit):
                tab.set_edit_mode(True)
                widget = tab.form.widgets[step.key]
                widget.setFocus()
                widget.selectAll()
                half = len(step.value) // 2
                for part in (step.value[:half], step.value[half:]):
                    if step.typed:
                        _type(widget, part)
                    else:
                        widget.insert(part)
                    if step.reread_midway and part is not step.value[half:]:
                        tab._sync_form()          # what the form timer does 300 ms after a change
                if step.leave:
                    tab.editor.setFocus()
                edited[step.key] = _expected_value(step.key, step.value)
            elif isinstance(step, BodyEdit):
                tab.set_edit_mode(True)
                first_body_block = tab.editor.document().findBlock(tab.body_position()).blockNumber()
                at = len(body) if step.line < 0 or step.line > len(body) else step.line
                if at == len(body) and body and not doc.final_newline:
                    at = len(body) - 1                # keep "no final newline" testable
                cursor = QTextCursor(tab.editor.document().findBlockByNumber(first_body_block + at))
                if at >= len(body) and not body:
                    cursor.movePosition(QTextCursor.MoveOperation.End)
                tab.editor.setTextCursor(cursor)
                tab.editor.setFocus()
                if step.typed:
                    _type(tab.editor, step.text)
                    QTest.keyClick(tab.editor, Qt.Key.Key_Return)
                else:
                    tab.editor.textCursor().insertText(step.text + "\n")
                body.insert(at, step.text)
            elif isinstance(step, UndoneEdit):
                tab.set_edit_mode(True)
                tab.editor.setFocus()                   # a field left commits its edit first
                before = tab.text
                tab.editor.moveCursor(QTextCursor.MoveOperation.End)
                tab.editor.textCursor().insertText(step.text)
                tab.editor.undo()
                assert tab.text == before, "undo did not restore the text"
            else:
                tab.toggle_mode()
        assert tab.save(), "the save was refused"
        assert not tab.dirty
        _check_saved(doc, path.read_bytes(), edited, body)
    finally:
        tab._saved_text = tab.text
        tab.close()
        tab.deleteLater()


def test_a_file_the_editor_cannot_hold_is_shown_but_not_editable(qtbot, host) -> None:
    kb, runner = host
    path = kb.root / "lone-cr.md"
    original = "---\nid: KB-0001\n---\nline one\rstill line one\u2029\n".encode()
    path.write_bytes(original)
    tab = DocumentTab(kb, kb.load(path), runner, read_mode=False)
    qtbot.addWidget(tab)
    assert tab.read_only_reason and "line 4" in tab.read_only_reason
    assert tab.editor.isReadOnly() and not tab.form.isEnabled() and not tab.dirty
    assert "Editing is off" in tab.problems.text() and not tab.save_button.isVisibleTo(tab)
    assert not tab.save() and path.read_bytes() == original


def test_split_fields_reads_entries() -> None:
    assert _split_fields(["a: 1", "tags:", "  - x", "- y", "# c", "b: 2"]) == [
        ("a", ["a: 1"]), ("tags", ["tags:", "  - x", "- y"]), (None, ["# c"]), ("b", ["b: 2"])]


def test_the_front_matter_split_agrees_with_the_generator() -> None:
    doc = Doc([("id", ["id: KB-0001"]), ("tags", ["tags:", "- a"])], ["", "# T"], "\r\n", True, True)
    split = split_front_matter(doc.data().decode("utf-8")[1:].replace("\r\n", "\n"))
    assert split.yaml_text == "id: KB-0001\ntags:\n- a\n" and split.body == "\n# T\n"
