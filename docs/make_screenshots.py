"""Drive the app offscreen over a versioned copy of the bundled KB and save screenshots.

Usage: QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from kbstudio.kb import KnowledgeBase  # noqa: E402
from kbstudio.ui.main_window import MainWindow  # noqa: E402
from kbstudio.ui.settings import AppSettings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
VPN_ARTICLE = "articles/network/vpn-drops-every-few-minutes.md"
VPN_SOP = "sops/escalate-vpn-and-remote-access-problems.md"
OUTLOOK_ARTICLE = "articles/email/outlook-keeps-asking-for-password.md"
EMAIL_SOP = "sops/escalate-email-problems.md"


def wait_until(app: QApplication, condition: Callable[[], object], timeout: float = 60.0) -> None:
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


def shoot(app: QApplication, widget: QWidget, name: str, seconds: float = 0.8) -> None:
    """Save a picture of ``widget`` once it has settled."""
    settle(app, seconds)
    widget.grab().save(str(OUT / name))


def versioned_copy(scratch: Path) -> Path:
    """Copy the demo KB into a git repository with a little history, as a team would have it."""
    kb = scratch / "larkfield-kb"
    shutil.copytree(ROOT / "content", kb)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Sam Writer", "GIT_AUTHOR_EMAIL": "sam@larkfield.example",
           "GIT_COMMITTER_NAME": "Sam Writer", "GIT_COMMITTER_EMAIL": "sam@larkfield.example",
           "HOME": str(scratch), "GIT_CONFIG_GLOBAL": str(scratch / "gitconfig")}
    (scratch / "gitconfig").write_text("[user]\n\tname = Rita Reviewer\n\temail = rita@larkfield.example\n"
                                       "[init]\n\tdefaultBranch = main\n", "utf-8")
    os.environ.update({"HOME": env["HOME"], "GIT_CONFIG_GLOBAL": env["GIT_CONFIG_GLOBAL"]})

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=kb, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "Larkfield KB: first import")
    article = kb / VPN_ARTICLE
    text = article.read_text("utf-8")
    article.write_text(text.replace("status: review", "status: published"), "utf-8")
    git("commit", "-q", "-am", "Publish the VPN drops article")
    firmware = "5. Check the router's firmware date with the caller.\n6. Rule out power saving"
    article.write_text(article.read_text("utf-8").replace("5. Rule out power saving", firmware), "utf-8")
    git("commit", "-q", "-am", "VPN drops: add the router firmware check")
    return kb


def first_run(app: QApplication, scratch: Path) -> None:
    """The first start: the demo copied to the documents folder and the start page beside search."""
    os.environ["KBSTUDIO_DOCUMENTS_DIR"] = str(scratch / "Documents")
    settings = AppSettings(QSettings(str(scratch / "first-run.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, index_dir=str(scratch / "indexes"), state_dir=str(scratch / "state"))
    window.resize(1280, 820)
    window.show()
    window.open_kb(KnowledgeBase(ROOT / "content"))   # what the first start opens: a copy of it
    wait_until(app, lambda: window.index_label.text().startswith("index ready"))
    wait_until(app, lambda: bool(window.documents) and "main" in window.git.label.text())
    shoot(app, window, "start-page.png")
    window.close()


def main() -> int:
    app = QApplication(sys.argv[:1])
    scratch = Path(tempfile.mkdtemp(prefix="kbstudio-shots-"))
    kb = versioned_copy(scratch)
    OUT.mkdir(parents=True, exist_ok=True)
    first_run(app, scratch)
    settings = AppSettings(QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, index_dir=str(scratch / "indexes"), state_dir=str(scratch / "state"))
    window.resize(1400, 860)
    window.show()
    window.open_kb(KnowledgeBase(kb))
    wait_until(app, lambda: window.index_label.text().startswith("index ready"))
    wait_until(app, lambda: bool(window.documents) and "main" in window.git.label.text())
    OUT.mkdir(parents=True, exist_ok=True)

    window.focus_search()
    window.search.query.setText("vpn connected but shared drive won't open")
    wait_until(app, lambda: window.search.results.count() > 0)
    window.open_document(window.search.results.item(0).data(0x0100))
    shoot(app, window, "search-and-read.png", 1.0)

    for rel, anchor, name in (
            ("articles/accounts/reset-a-password-for-a-caller.md", "PowerShell:", "read-code-in-a-step.png"),
            ("articles/files/restore-a-deleted-file.md", "Restore from a SharePoint",
             "read-alert-in-a-list.png")):
        tab = window.open_document(rel)
        wait_until(app, lambda tab=tab: tab.preview.document().characterCount() > 500)
        settle(app, 0.8)
        tab.preview.find(anchor)
        tab.preview.verticalScrollBar().setValue(tab.preview.verticalScrollBar().value() + 200)
        shoot(app, window, name, 1.0)

    window.search.query.setText("outlok pasword")
    wait_until(app, lambda: window.search.suggestion.isVisible())
    shoot(app, window, "did-you-mean.png")

    article = window.open_document(VPN_ARTICLE)
    article.escalation_bar.linkActivated.emit("start")
    wait_until(app, lambda: window.tab_for(VPN_SOP) is not None and window.tab_for(VPN_SOP).run_panel)
    panel = window.tab_for(VPN_SOP).run_panel
    panel.issue.setPlainText("VPN keeps dropping every ten minutes since Monday, only at home")
    panel.environment.setText("Dell Latitude 5440, Windows 11, home broadband")
    panel.urgency.setCurrentText("High")
    panel.check_rows[0].done.setChecked(True)
    panel.check_rows[0].result.setText("no known incident")
    panel.check_rows[5].done.setChecked(True)
    panel.check_rows[5].result.setText("drops at 09:12, 09:25 and 09:37 on home Wi-Fi")
    for name, value in (("Username", "j.smith"), ("Device name", "LT-0042")):
        panel.field_edits[name].setText(value)
    shoot(app, window, "sop-run.png")
    for name, value in (("GlobalProtect status and message", "Not Connected: gateway vpn.larkfield.example"),
                        ("Caller's network", "home broadband, UK"),
                        ("Checks done and results", "hotspot test: same drops")):
        panel.field_edits[name].setText(value)
    panel.finish()
    shoot(app, window.sops.handoff_dialog, "handoff-note.png")
    window.sops.handoff_dialog.close()

    # A run from an article's "Didn't solve it?" in a 1,280 x 800 window, long answers typed in.
    window.resize(1280, 800)
    outlook = window.open_document(OUTLOOK_ARTICLE)
    outlook.escalation_bar.linkActivated.emit("start")
    wait_until(app, lambda: window.tab_for(EMAIL_SOP) is not None and window.tab_for(EMAIL_SOP).run_panel)
    run = window.tab_for(EMAIL_SOP).run_panel
    run.issue.setPlainText(run.issue.toPlainText() + " - asks every few minutes since the password change")
    run.environment.setText("Dell Latitude 5440 LT-0042, Windows 11, office Wi-Fi")
    run.urgency.setCurrentText("High")
    for row, result in ((0, "no incident on the status page"), (2, "all the article's steps: still asks")):
        run.check_rows[row].done.setChecked(True)
        run.check_rows[row].result.setText(result)
    for name, value in (("Affected mailbox", "j.smith@larkfield.example"),
                        ("Where it fails", "Outlook for Windows only; Outlook on the web and the phone work"),
                        ("Exact error or bounce", "Need Password\nWe couldn't sign you in. Try again."),
                        ("Steps already tried", "1. Signed Office out and back in: still asks\n"
                                                "2. Cleared the stored credentials and restarted\n"
                                                "3. New Outlook profile: asks again after 5 minutes")):
        run.field_edits[name].setText(value)
    settle(app)   # the last long answer typed is scrolled into sight
    shoot(app, window, "escalation-run-1280.png")
    window.tab_for(EMAIL_SOP).close_run_panel()
    window.resize(1400, 860)

    window.sops.show_map()
    shoot(app, window, "escalation-map.png")

    window.apply_role("L2")
    tab = window.open_document(VPN_SOP, edit=True)
    tab.close_run_panel()
    tab.editor.verticalScrollBar().setValue(0)
    shoot(app, window, "edit-sop.png", 1.0)
    tab.open_find(replace=True)
    tab.find_bar.find_edit.setText("GlobalProtect")
    tab.find_bar.replace_edit.setText("GlobalProtect VPN")
    shoot(app, window, "find-and-replace.png")
    tab.find_bar.close_bar()

    window.left.setCurrentWidget(window.library)
    window.library.set_grouping("tier")
    shoot(app, window, "library-by-tier.png")

    broken = window.open_document("articles/printing/add-a-network-printer.md", edit=True)
    broken.editor.appendPlainText("\nSee [the old guide](../printing/old-guide.md). TODO: add screenshots.\n")
    broken.save()
    window.left.setCurrentWidget(window.health)
    wait_until(app, lambda: window.health.tree.topLevelItemCount() > 0)
    window.health.tree.expandAll()
    shoot(app, window, "health.png")

    window.open_document(VPN_ARTICLE, edit=True)
    window.review.submit_current(reviewers="Rita Reviewer <rita@larkfield.example>")
    wait_until(app, lambda: window.documents[VPN_ARTICLE].status == "review")
    page = window.review.show_queue()
    wait_until(app, lambda: page.queue.count() > 0)
    shoot(app, window, "review-queue.png", 1.2)
    board = window.review.show_dashboard()
    wait_until(app, lambda: board.table.rowCount() > 0)
    shoot(app, window, "dashboard.png")

    history = window.git.show_history(VPN_ARTICLE)
    wait_until(app, lambda: history.tree.topLevelItemCount() >= 3)
    history.resize(1100, 700)
    history.select(0, 2)
    shoot(app, history, "history.png", 1.5)
    history.close()

    window.apply_theme("dark")
    window.open_document(VPN_ARTICLE)
    window.left.setCurrentWidget(window.search)
    shoot(app, window, "dark-theme.png", 1.2)
    alerts = window.open_document("articles/files/restore-a-deleted-file.md")
    settle(app, 1.0)
    alerts.preview.find("Restore from a SharePoint")
    alerts.preview.verticalScrollBar().setValue(alerts.preview.verticalScrollBar().value() + 200)
    shoot(app, window, "read-alerts-dark.png", 1.2)
    window.apply_theme("system")

    for widget in window.open_tabs():
        widget._saved_text = widget.text
    window.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
