"""The read view loads images only from inside the KB, and builds long documents off the GUI thread."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument

from kbstudio.ui.preview import local_resource

pytestmark = pytest.mark.timeout(60)


def test_only_files_inside_the_kb_are_resources(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    (kb / "media").mkdir(parents=True)
    (kb / "articles").mkdir()
    (kb / "media" / "a.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"png")
    base = kb / "articles"
    assert local_resource(kb, base, QUrl("../media/a.png")) == (kb / "media" / "a.png").resolve()
    assert local_resource(kb, base, QUrl.fromLocalFile(str(kb / "media" / "a.png"))) is not None
    assert local_resource(kb, base, QUrl("../../secret.png")) is None
    assert local_resource(kb, base, QUrl.fromLocalFile(str(tmp_path / "secret.png"))) is None
    assert local_resource(kb, base, QUrl("https://example.com/a.png")) is None
    assert local_resource(kb, base, QUrl("../media/missing.png")) is None


def test_an_image_in_the_kb_shows_and_a_hostile_document_stays_inert(window, qtbot, kb_copy: Path) -> None:
    image = QImage(30, 12, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    (kb_copy / "media").mkdir(exist_ok=True)
    image.save(str(kb_copy / "media" / "router.png"), "PNG")
    (kb_copy / "articles" / "hostile.md").write_text(
        "---\ntitle: Hostile\nkind: article\ntier: L1\n---\n# Hostile\n\n![router](../media/router.png)\n\n"
        "<script>alert(1)</script><img src=x onerror=alert(1)>\n\n![outside](../../../etc/passwd)\n\n"
        "[click](javascript:alert(1)) ![remote](https://tracker.example/p.png)\n", "utf-8")
    tab = window.open_document("articles/hostile.md")
    qtbot.waitUntil(lambda: "Hostile" in tab.preview.toPlainText(), timeout=5_000)
    document = tab.preview.document()
    loaded = document.resource(QTextDocument.ResourceType.ImageResource.value, QUrl("../media/router.png"))
    assert isinstance(loaded, QImage) and loaded.width() == 30
    shown = tab.preview.toPlainText()
    # A script tag is shown as the inert text it is (as GitHub's tagfilter does); no handler survives.
    assert "<script>alert(1)</script>" in shown
    assert "onerror" not in tab.preview.toHtml() and "javascript:" not in tab.preview.toHtml()
    assert "[remote image not loaded: remote]" in shown
    assert "[missing image: outside" in shown
