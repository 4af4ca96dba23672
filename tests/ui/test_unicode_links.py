"""The read view follows a link typed composed (NFC) to a file stored decomposed (NFD)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl

pytestmark = pytest.mark.timeout(90)


def test_a_composed_link_opens_the_decomposed_file(window, kb_copy: Path) -> None:
    folder = kb_copy / "articles" / "network"
    with open(os.path.join(folder, "cafe\u0301-wifi.md"), "w", encoding="utf-8") as handle:
        handle.write("---\nid: KB-0900\ntitle: Caf\u00e9 Wi-Fi\nkind: article\ntier: L1\n---\n\n"
                     "# Caf\u00e9\n")
    (folder / "guest.md").write_text(
        "---\nid: KB-0901\ntitle: Guest Wi-Fi\nkind: article\ntier: L1\n---\n\n"
        "# Guest\n\nSee [the caf\u00e9](caf\u00e9-wifi.md).\n", "utf-8")
    tab = window.open_document("articles/network/guest.md")
    tab._follow_link(QUrl("caf\u00e9-wifi.md"))
    opened = window.current_tab()
    assert opened is not tab
    assert opened.rel_path == "articles/network/cafe\u0301-wifi.md"   # the file as stored
    assert opened.document.id == "KB-0900"
    tab._follow_link(QUrl("caf%C3%A9-wifi.md"))   # percent-encoded, as a renderer may write it
    assert window.current_tab() is opened   # the same tab, not a second one
