"""The knowledge health part of the dashboard: figures, most reused, reviews due, owners' flags, chart."""

from __future__ import annotations

from datetime import date, timedelta

from kbstudio.loop.ledger import UseRequest
from kbstudio.ui.dashboard_page import DashboardPage
from tests.ui.loop.conftest import OUTLOOK, Harness
from tests.vcs.conftest import git

VPN = "articles/network/connect-to-the-vpn.md"


def test_dashboard_shows_reuse_flags_by_owner_reviews_due_and_the_chart(harness: Harness, qtbot) -> None:  # noqa: ANN001
    overdue = (date.today() - timedelta(days=3)).isoformat()
    path = harness.kb.root / VPN
    text = path.read_text("utf-8")
    start = text.index("review_by:")
    path.write_text(text[:start] + f"review_by: {overdue}" + text[text.index("\n", start):], "utf-8")
    git(harness.kb.root, "commit", "-q", "-am", "VPN article due")
    harness.documents[VPN] = harness.kb.load(path).info()
    outlook = harness.documents[OUTLOOK]
    for outcome in ("solved", "solved", "partly", "did-not-help"):
        harness.controller.record_use(outlook, UseRequest(outcome, tier="L1"))
    harness.controller.flag(outlook, "outdated", "Step 3 names the old portal.")
    harness.idle()
    page = DashboardPage()
    harness.add_page(page, "Dashboard")
    view = harness.controller.pages.attach_dashboard(page)
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)
    figures = view.data.board.figures
    assert figures.uses_total == 4 and figures.flags_open == 1
    text = view.figures_label.text()
    assert "<b>4</b> uses and SOP runs in 90 days (4 in all); link rate <b>100%</b>" in text
    assert "<b>1</b> opened, <b>1</b> open now; flag rate 25% of uses" in text
    assert "Resolved at tier (solved): L1 50% of 4" in text
    assert view.reuse.item(0, 0).text() == "KB-0019 Outlook keeps asking for a password"
    assert [view.reuse.item(0, column).text() for column in (1, 2, 3)] == ["3", "3", "4"]
    headers = [view.reuse.horizontalHeaderItem(column).text() for column in range(4)]
    assert headers == ["Document", "Reused\n30 days", "Reused\n90 days", "Used\n90 days"]   # said in words
    owner = view.flags.topLevelItem(0)
    assert owner.text(0) == "Messaging Team (1)"
    assert owner.child(0).text(0) == "Outdated: Step 3 names the old portal."
    assert owner.child(0).text(1) == "KB-0019 Outlook keeps asking for a password"
    due = [view.due.topLevelItem(row) for row in range(view.due.topLevelItemCount())]
    rows = {due_item.child(row).text(0): due_item.child(row).text(1) for due_item in due
            for row in range(due_item.childCount())}
    tips = [due_item.child(row).toolTip(1) for due_item in due for row in range(due_item.childCount())]
    assert any(f"due {overdue} (3 days over): review by date" in tip for tip in tips)
    vpn_title = harness.documents[VPN].title
    assert rows[f"{harness.documents[VPN].id} {vpn_title}"] == "3 days over"
    assert sum(week["uses"] for week in view.chart.weeks) == 4
    assert view.chart.weeks[-1]["uses"] == 4 and view.chart.weeks[-1]["solved"] == 2
    assert view.chart.tiers["L1"] == {"opened": 1, "open": 1}
    view.flags.setCurrentItem(owner.child(0))
    assert view.resolve_button.isEnabled()
