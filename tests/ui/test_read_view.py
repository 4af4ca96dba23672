"""The read view: alerts per kind, task lists without bullets, bordered tables, wrapped code, Copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QThread, QUrl
from PySide6.QtGui import QColor, QTextCursor, QTextDocument, QTextListFormat, QTextTable
from PySide6.QtWidgets import QApplication

from kbstudio.ui.preview import PreviewBrowser, PreviewDocument, build_preview
from kbstudio.ui.read_html import COPY_SCHEME, adapt_read_html
from kbstudio.ui.theme import ALERT_COLOURS, preview_css, read_colours

pytestmark = pytest.mark.timeout(60)

THEMES = pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
NOTE_AND_WARNING = """
<div class="alert alert-note">
<p class="alert-title">Note</p>
<p>Tokens expire after 90 days.</p>
</div>
<div class="alert alert-warning">
<p class="alert-title">Warning</p>
<p>Resetting logs the user out.</p>
<div class="highlight"><pre><span style="color: #007020">vpnctl</span> status</pre></div>
</div>
"""
CODE = """
<p>Run:</p>
<div class="highlight"><pre><span style="color: #007020">echo</span> one
</pre></div>
<div class="highlight"><pre><span style="color: #007020">vpnctl</span> reset --user alice --force
<span style="color: #007020">echo</span> <span style="color: #4070a0">&quot;done &amp; dusted&quot;</span>
vpnctl status --user alice
</pre></div>
"""


def _tables(document: QTextDocument) -> list[QTextTable]:
    """Return the document's tables, outer ones before the tables inside them."""
    found: list[QTextTable] = []

    def walk(frame: object) -> None:
        for child in frame.childFrames():
            if isinstance(child, QTextTable):
                found.append(child)
            walk(child)

    walk(document.rootFrame())
    return found


def _table_with(document: QTextDocument, text: str) -> QTextTable:
    """Return the first table whose first cell starts with ``text``."""
    for table in _tables(document):
        if table.cellAt(0, 0).firstCursorPosition().block().text().startswith(text):
            return table
    raise AssertionError(f"no table starting with {text!r}")


def _contrast(first: QColor, second: QColor) -> float:
    """Return the WCAG contrast ratio of two colours."""
    def luminance(colour: QColor) -> float:
        channels = [c / 255 for c in (colour.red(), colour.green(), colour.blue())]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _build(html: str, dark: bool = False, code_blocks: list[str] | None = None) -> PreviewDocument:
    return build_preview(html, Path.cwd(), Path.cwd(), preview_css(dark), QThread.currentThread(),
                         code_blocks=code_blocks)


def test_the_adapter_turns_alerts_and_code_into_tables() -> None:
    adapted = adapt_read_html(NOTE_AND_WARNING)
    assert "<div" not in adapted.html and "</div>" not in adapted.html
    assert '<td class="kb-alert-note">' in adapted.html and '<td class="kb-alert-warning">' in adapted.html
    assert '<p class="alert-title kb-alert-title-note">Note</p>' in adapted.html
    assert '<p class="alert-title kb-alert-title-warning">Warning</p>' in adapted.html
    assert f'href="{COPY_SCHEME}:0"' in adapted.html and adapted.shown_code == ["vpnctl status"]
    # The code block inside the warning closes inside it: the warning's cell ends after the Copy link.
    assert adapted.html.index("Copy</a></td></tr></table>") < adapted.html.rindex("</td></tr></table>")


@THEMES
def test_alerts_show_their_kind_colours_in_both_themes(dark: bool, qapp: QApplication) -> None:
    document = _build(NOTE_AND_WARNING, dark)
    seen = {}
    for kind, title in (("note", "Note"), ("warning", "Warning")):
        table = _table_with(document, title)
        cell = table.cellAt(0, 0).format().toTableCellFormat()
        title_block = table.cellAt(0, 0).firstCursorPosition().block()
        title_colour = title_block.charFormat().foreground().color()
        border, expected_title, background = ALERT_COLOURS[dark][kind]
        assert cell.leftBorder() >= 3 and cell.leftBorderBrush().color() == QColor(border)
        assert cell.background().color() == QColor(background)
        assert title_colour == QColor(expected_title)
        assert title_block.charFormat().fontWeight() >= 700
        seen[kind] = (cell.leftBorderBrush().color(), cell.background().color(), title_colour)
    assert all(a != b for a, b in zip(seen["note"], seen["warning"], strict=True))


@THEMES
def test_alert_colours_are_readable(dark: bool) -> None:
    text = QColor(read_colours(dark)["text"])
    for kind, (_border, title, background) in ALERT_COLOURS[dark].items():
        assert _contrast(QColor(title), QColor(background)) >= 4.5, kind
        assert _contrast(text, QColor(background)) >= 7, kind
    assert len({colours[1] for colours in ALERT_COLOURS[dark].values()}) == 5


def test_task_lists_have_no_bullet_and_plain_lists_keep_theirs(qapp: QApplication) -> None:
    document = _build('<ul class="task-list"><li class="task-list-item">☐ Check the ticket</li>'
                      '<li class="task-list-item">☑ Verify identity</li></ul>'
                      "<ul><li>plain item</li></ul>")
    styles = {}
    block = document.begin()
    while block.isValid():
        if block.textList() is not None:
            styles[block.text()] = block.textList().format().style()
        block = block.next()
    assert styles == {"☐ Check the ticket": QTextListFormat.Style.ListStyleUndefined,
                      "☑ Verify identity": QTextListFormat.Style.ListStyleUndefined,
                      "plain item": QTextListFormat.Style.ListDisc}


@THEMES
def test_table_cells_have_borders_and_padding(dark: bool, qapp: QApplication) -> None:
    document = _build("<table><thead><tr><th>Setting</th><th>Value</th></tr></thead>"
                      "<tbody><tr><td>Port</td><td>443</td></tr></tbody></table>", dark)
    table_format = _table_with(document, "Setting").format()
    assert table_format.border() > 0 and table_format.cellPadding() > 0
    assert table_format.borderCollapse()
    assert table_format.borderBrush().color() == QColor(read_colours(dark)["rule"])


def test_a_notice_is_a_muted_box(qapp: QApplication) -> None:
    document = _build('<p class="render-notice"><b>Shown as plain text.</b></p><pre>body</pre>')
    cell = _table_with(document, "Shown as plain text.").cellAt(0, 0).format().toTableCellFormat()
    assert cell.leftBorder() > 0 and cell.background().color() == QColor(read_colours(False)["notice_bg"])


def test_copy_uses_the_raw_code_blocks_and_never_a_mismatched_list(qapp: QApplication) -> None:
    raw = ["echo one", 'vpnctl reset --user alice --force\necho "done & dusted"\nvpnctl status --user alice']
    assert _build(CODE, code_blocks=["raw 0", "raw 1"]).code_blocks == ["raw 0", "raw 1"]
    # Without the renderer's list, or with one that does not match the blocks shown, the shown text is copied.
    assert _build(CODE).code_blocks == raw
    assert _build(CODE, code_blocks=["only one"]).code_blocks == raw
    document = _build(CODE)   # kept alive while its tables are read
    code_cell = _table_with(document, "vpnctl reset").cellAt(0, 0)
    assert code_cell.lastCursorPosition().block().text() == "vpnctl status --user alice"  # no empty line


def test_copy_leaves_out_the_final_line_break(qtbot) -> None:
    browser = PreviewBrowser(Path.cwd())
    qtbot.addWidget(browser)
    browser.show_document(_build(CODE, code_blocks=["echo one\n", "a\n\nb\n"]))
    assert browser.copy_code_block(QUrl(f"{COPY_SCHEME}:1")) == "Copied 3 lines"
    assert QApplication.clipboard().text() == "a\n\nb"
    assert browser.copy_code_block(QUrl(f"{COPY_SCHEME}:0")) == "Copied 1 line"
    assert QApplication.clipboard().text() == "echo one"
    assert browser.copy_code_block(QUrl(f"{COPY_SCHEME}:2")).startswith("Nothing to copy")
    assert QApplication.clipboard().text() == "echo one"


def _anchor_point(browser: PreviewBrowser, href: str) -> QPoint:
    """Return a point in the browser's viewport over the link to ``href``."""
    document = browser.document()
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + 1)
                rect = browser.cursorRect(cursor)
                return QPoint(rect.x() + 2, rect.center().y())
            iterator += 1
        block = block.next()
    raise AssertionError(f"no link to {href}")


def test_clicking_copy_puts_that_blocks_raw_text_on_the_clipboard(window, qtbot, kb_copy: Path) -> None:
    (kb_copy / "articles" / "commands.md").write_text(
        "---\ntitle: Commands\nkind: article\ntier: L1\n---\n# Commands\n\n```bash\necho one\n```\n\n"
        "Then:\n\n```bash\nvpnctl reset --user alice --force\necho \"done & dusted\"\n"
        "vpnctl status --user alice\n```\n", "utf-8")
    tab = window.open_document("articles/commands.md")
    qtbot.waitUntil(lambda: "dusted" in tab.preview.toPlainText(), timeout=5_000)
    window.resize(1000, 700)
    qtbot.wait(50)
    QApplication.clipboard().setText("before")
    point = _anchor_point(tab.preview, f"{COPY_SCHEME}:1")
    assert tab.preview.anchorAt(point) == f"{COPY_SCHEME}:1"
    with qtbot.waitSignal(tab.preview.anchorClicked, timeout=2_000):
        qtbot.mouseClick(tab.preview.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert QApplication.clipboard().text() == (
        'vpnctl reset --user alice --force\necho "done & dusted"\nvpnctl status --user alice')
    assert window.statusBar().currentMessage() == "Copied 3 lines"
    assert "Refused" not in window.statusBar().currentMessage()


def test_a_long_code_line_wraps_instead_of_scrolling_the_page(qtbot) -> None:
    browser = PreviewBrowser(Path.cwd())
    qtbot.addWidget(browser)
    browser.resize(600, 400)
    browser.show()
    long_word = "x" * 300
    long_words = " ".join(["--option=value"] * 22)
    assert len(long_words) >= 300
    html = (f'<div class="highlight"><pre>{long_word}</pre></div>'
            f'<div class="highlight"><pre><span style="color: #007020">curl</span> {long_words}</pre></div>')
    browser.show_document(_build(html))
    qtbot.wait(20)
    assert browser.document().size().width() <= browser.viewport().width() + 1
    assert browser.horizontalScrollBar().maximum() == 0
    assert not browser.horizontalScrollBar().isVisible()
    code_block = _table_with(browser.document(), "xxx").cellAt(0, 0).firstCursorPosition().block()
    assert code_block.blockFormat().textIndent() < 0   # a wrapped line's rest hangs: not a new line
    # The same line in a bare <pre> would scroll the whole page sideways: the style sheet prevents it.
    unstyled = QTextDocument()
    unstyled.setHtml(f"<pre>{long_word}</pre>")
    unstyled.setTextWidth(browser.viewport().width())
    assert unstyled.idealWidth() > browser.viewport().width()


def test_long_unbroken_runs_get_break_points_that_copying_removes(qapp: QApplication) -> None:
    from kbstudio.ui.read_html import BREAK_EVERY, ZERO_WIDTH_SPACE, break_long_runs

    token = "x" * (BREAK_EVERY * 3 + 7)
    html = break_long_runs(f'<p><a href="{"h" * 900}">{token}</a> &amp;{"y" * 10}</p>')
    assert html.count(ZERO_WIDTH_SPACE) == 3   # only in the text, never in the tag or the entity
    assert f'href="{"h" * 900}"' in html and "&amp;yyyyyyyyyy" in html
    browser = PreviewBrowser(Path("/tmp"))
    browser.show_document(_build(f"<p>{token}</p>"))
    browser.selectAll()
    copied = browser.createMimeDataFromSelection().text()
    assert copied.strip() == token


def test_a_link_within_the_page_scrolls_to_its_heading(window, qtbot, kb_copy: Path) -> None:
    body = "# Top\n\n[Go to the cause](#cause)\n\n" + "filler line\n\n" * 200 + "## Cause\n\nHere.\n"
    (kb_copy / "articles" / "anchors.md").write_text("---\ntitle: Anchors\ntier: L1\n---\n" + body, "utf-8")
    tab = window.open_document("articles/anchors.md")
    qtbot.waitUntil(lambda: "Here." in tab.preview.toPlainText(), timeout=5_000)
    assert tab.preview.verticalScrollBar().value() == 0
    tab._follow_link(QUrl("#cause"))
    qtbot.waitUntil(lambda: tab.preview.verticalScrollBar().value() > 0, timeout=2_000)
