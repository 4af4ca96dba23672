"""The bar above a document that lists its open flags, with "Fix it" and "Resolve" for who may fix."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kbstudio.loop.flags import REASON_LABELS, Flag

SHOWN = 4     # flags listed on the bar, newest first; "and N more" lists the rest


def age(moment: datetime, now: datetime | None = None) -> str:
    """Return how long ago ``moment`` was, in the largest whole unit: ``3 days ago``, ``today``."""
    now = now or datetime.now(UTC)
    days = (now - moment).days
    if days < 1:
        return "today"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} ago"
    return f"{days // 30} months ago"


def short_name(agent: str) -> str:
    """Return the name part of ``Name <email>``."""
    return agent.split(" <", 1)[0] or agent


class FlagBar(QFrame):
    """Open flags of one document; hidden when there are none."""

    fixRequested = Signal(str)        # flag id
    resolveRequested = Signal(str)    # flag id
    showRequested = Signal(str)       # flag id: scroll the read view to its place

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flagBar")
        self.setStyleSheet("#flagBar { background: rgba(239, 108, 0, 0.12); "
                           "border-bottom: 1px solid rgba(239, 108, 0, 0.6); }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label)
        self.flags: list[Flag] = []
        self.expanded = False             # "and N more" clicked: every open flag is listed
        self._may_fix = False
        self._now: datetime | None = None
        self.label.linkActivated.connect(self._link)
        self.setVisible(False)

    def set_flags(self, flags: Sequence[Flag], may_fix: bool, now: datetime | None = None) -> None:
        """Show ``flags`` (open ones of this document), newest first (the most likely to be about the
        text as it is now); ``may_fix``: offer Fix it and Resolve."""
        self.flags = sorted((flag for flag in flags if flag.is_open), key=lambda flag: flag.opened_at,
                            reverse=True)
        self._may_fix, self._now = may_fix, now
        self._show()

    def _show(self) -> None:
        may_fix, now = self._may_fix, self._now
        if not self.flags:
            self.label.clear()
            self.setVisible(False)
            return
        count = len(self.flags)
        who_fixes = "" if may_fix else (" <span style='color:gray'>(its owner or a higher tier "
                                        "fixes it)</span>")
        lines = [f"<b>&#9873; {count} open flag{'s' if count != 1 else ''}</b>{who_fixes}"]
        shown = self.flags if self.expanded else self.flags[:SHOWN]
        for flag in shown:
            reason = html.escape(REASON_LABELS.get(flag.reason, flag.reason))
            where = (f" at <a href='show:{flag.id}'>{html.escape(_where(flag.anchor))}</a>"
                     if flag.anchor else "")
            comment = f": “{html.escape(_cut(flag.comment))}”" if flag.comment else ""
            who = html.escape(f"{short_name(flag.opened_by)}, {age(flag.opened_at, now)}")
            actions = (f" &nbsp;<a href='fix:{flag.id}'>Fix it</a> &middot; "
                       f"<a href='resolve:{flag.id}'>Resolve</a>") if may_fix else ""
            lines.append(f"<b>{reason}</b>{where}{comment} <span style='color:gray'>({who})</span>{actions}")
        if count > SHOWN and not self.expanded:
            lines.append(f"<a href='more:'>and {count - SHOWN} more</a>")
        elif count > SHOWN:
            lines.append("<a href='fewer:'>show fewer</a>")
        self.label.setText("<br>".join(lines))
        self.setVisible(True)

    def _link(self, link: str) -> None:
        action, _, flag_id = link.partition(":")
        if action in ("more", "fewer"):
            self.expanded = action == "more"
            self._show()
            return
        signal = {"fix": self.fixRequested, "resolve": self.resolveRequested,
                  "show": self.showRequested}.get(action)
        if signal is not None:
            signal.emit(flag_id)


def _where(anchor: str) -> str:
    return f"line {anchor}" if anchor.isdigit() else f"#{anchor}"


def _cut(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
