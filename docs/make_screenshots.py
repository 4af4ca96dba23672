"""Drive the app offscreen over the bundled KB and save screenshots into docs/screenshots/.

Usage: QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kbstudio.kb import KnowledgeBase  # noqa: E402
from kbstudio.ui.main_window import MainWindow  # noqa: E402
from kbstudio.ui.settings import AppSettings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait_until(app: QApplication, condition, timeout: float = 60.0) -> None:  # noqa: ANN001
    """Process events until ``condition()`` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        app.processEvents()
        time.sleep(0.02)
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")


def settle(app: QApplication, seconds: float = 0.6) -> None:
    """Let timers and background work finish."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    app = QApplication(sys.argv[:1])
    scratch = Path(tempfile.mkdtemp(prefix="kbstudio-shots-"))
    settings = AppSettings(QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, index_dir=str(scratch / "indexes"))
    window.resize(1400, 860)
    window.show()
    window.open_kb(KnowledgeBase(ROOT / "content"))
    wait_until(app, lambda: window.index_label.text().startswith("index ready"))
    OUT.mkdir(parents=True, exist_ok=True)

    window.focus_search()
    window.search.query.setText("vpn connected but shared drive won't open")
    wait_until(app, lambda: window.search.results.count() > 0)
    window.open_document(window.search.results.item(0).data(0x0100))
    settle(app, 1.0)
    window.grab().save(str(OUT / "search-and-read.png"))

    window.apply_role("L2")
    tab = window.open_document("sops/escalate-vpn-and-remote-access-problems.md", edit=True)
    settle(app, 1.0)
    tab.editor.verticalScrollBar().setValue(0)
    window.grab().save(str(OUT / "edit-sop.png"))

    window.left.setCurrentWidget(window.library)
    window.library.set_grouping("tier")
    settle(app)
    window.grab().save(str(OUT / "library-by-tier.png"))

    window.focus_search()
    window.search.query.setText("outlok pasword")
    wait_until(app, lambda: window.search.suggestion.isVisible())
    settle(app)
    window.grab().save(str(OUT / "did-you-mean.png"))
    for index in range(window.tabs.count()):
        widget = window.tabs.widget(index)
        if hasattr(widget, "_saved_text"):
            widget._saved_text = widget.text
    window.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
