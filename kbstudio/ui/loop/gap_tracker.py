"""When a search on screen has *ended*, and whether it was a gap (nothing the agent could use).

The search panel searches as the agent types, so most answers on screen are words typed through
("v", "vp" on the way to "vpn"). A search counts only once it has **settled**: on screen for
``settle_ms`` (1.5 s: longer than a typing pause, shorter than reading one result line) or
opened from. A settled search **ends** when

- another query replaces it, unless the new one only adds to it (typing on: "vpn" -> "vpn dis");
- the box is emptied;
- the agent leaves the panel (the keyboard focus goes elsewhere, or the panel is hidden) and
  does not come back for ``left_ms`` (30 s);
- the window closes (``finish``).

An ended search the agent opened no result from is classified by the core
(``kbstudio.loop.gaps.classify_search``: no results, only at other tiers, not opened) and sent
out with ``gapFound``; recording it (and the opt-out setting) is the caller's job.

The tracker also remembers the searches that led to each document opened from the results (the
"searches that led there" of a use, ``led_to``) and the last searches made (``recent``).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from kbstudio.index.search import SearchOptions, SearchResponse
from kbstudio.loop.gaps import classify_search

SETTLE_MS = 1500
LEFT_MS = 30_000
# Searches older than this no longer "led" to the document opened next: about one call's handling
# time (the usual help-desk average is 6 to 10 minutes).
SESSION_S = 600
RECENT = 10          # searches remembered for the "Used on ticket" dialog
LED_TO = 5           # searches kept per opened document


@dataclass(frozen=True)
class EndedSearch:
    """A search that ended without a result opened: what to log as a gap."""

    query: str                       # as typed
    kind: str                        # kbstudio.loop.gaps.GAP_KINDS
    results: int                     # hits at the tiers searched
    other_tiers: int                 # hits left out by the tier filter
    tiers: tuple[str, ...] = ()      # the tiers searched (empty: all)


@dataclass
class _Search:
    query: str
    results: int
    other_tiers: int
    tiers: tuple[str, ...]
    shown_at: float
    opened: bool = False
    queries: list[str] = field(default_factory=list)   # the session's searches before this one


def _key(query: str) -> str:
    return " ".join(query.casefold().split())


def _extends(new: str, old: str) -> bool:
    """Return True when ``new`` is ``old`` typed on (same words, more letters or words)."""
    return bool(old) and new != old and new.startswith(old)


def searched_tiers(options: SearchOptions | None) -> tuple[str, ...]:
    """Return the tiers a search was limited to (empty: all), without the panel's ``untiered``."""
    if options is None or not options.tiers:
        return ()
    return tuple(tier for tier in options.tiers if tier != "untiered")


class SearchGapTracker(QObject):
    """Watches one search panel's answers and opens; says when a search ended as a gap."""

    gapFound = Signal(object)        # EndedSearch

    def __init__(self, panel: QWidget, parent: QObject | None = None, settle_ms: int = SETTLE_MS,
                 left_ms: int = LEFT_MS) -> None:
        super().__init__(parent if parent is not None else panel)   # it goes with its panel
        self.panel = panel
        self.settle_ms = settle_ms
        self._current: _Search | None = None
        self._on_screen = ""    # the query whose results are on screen, as typed
        self._ended = ""        # the last search that ended (its key), and whether the box was
        self._typed = False     # typed in since: an unchanged query shown again is only a rerun
        self._session: list[tuple[float, str]] = []   # (when, query) settled since the last result opened
        self._recent: deque[str] = deque(maxlen=RECENT)
        self._led_to: dict[str, list[str]] = {}
        self._left = QTimer(self)
        self._left.setSingleShot(True)
        self._left.setInterval(left_ms)
        self._left.timeout.connect(self.finish)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        panel.installEventFilter(self)
        # The search panel's own signals (kbstudio.ui.search_panel.SearchPanel), when it has them.
        for name, slot in (("responseShown", self.shown), ("openRequested", self.opened),
                           ("queryCleared", self.cleared)):
            signal = getattr(panel, name, None)
            if signal is not None:
                signal.connect(slot)
        query = getattr(panel, "query", None)
        if query is not None:
            query.textEdited.connect(self._edited)

    # What the panel tells ---------------------------------------------------------------------

    def shown(self, response: SearchResponse, options: SearchOptions | None = None) -> None:
        """A search's answer is on screen (the same query again: its counts are updated)."""
        query = response.query
        if not query.strip():
            self.cleared()
            return
        self._on_screen = query
        current = self._current
        if current is not None and _key(current.query) == _key(query):
            current.results, current.other_tiers = response.total, response.hidden_by_tier
            current.query = query
            return
        if current is None and _key(query) == self._ended and not self._typed:
            return                      # the same words searched again (the role or index changed)
        self._end(next_query=query)
        self._typed = False
        self._current = _Search(query, response.total, response.hidden_by_tier, searched_tiers(options),
                                time.monotonic())
        if not self._inside(QApplication.focusWidget()) or not self.panel.isVisible():
            self._left.start()

    def opened(self, rel_path: str) -> None:
        """A result was opened: the search did its job; remember the searches that led there."""
        current = self._current
        if current is None and not self._on_screen:
            return
        shown = current.query if current is not None else self._on_screen   # a rerun of an ended one
        if current is not None:
            current.opened = True
        since = time.monotonic() - SESSION_S
        queries = [query for when, query in self._session if when >= since] + [shown]
        self._led_to[rel_path] = _dedupe(queries)[-LED_TO:]
        self._remember(shown)
        self._session = []

    def cleared(self) -> None:
        """The search box was emptied: the search on screen ended."""
        self._end()
        self._current = None
        self._on_screen = ""

    def finish(self, new_session: bool = False) -> None:
        """End the search on screen now (the panel was left, the window closes).

        ``new_session``: the searches so far led somewhere else (an article was started from
        them), so they are not counted as leading to the next document opened.
        """
        self._left.stop()
        self._end()
        self._current = None
        if new_session:
            self._session = []

    # What the app asks ------------------------------------------------------------------------

    def led_to(self, rel_path: str) -> list[str]:
        """Return the searches (as typed, oldest first) that ended with opening ``rel_path``."""
        return list(self._led_to.get(rel_path, []))

    def recent(self) -> list[str]:
        """Return the last settled searches, newest first (the one on screen included)."""
        items = list(self._recent)
        current = self._current
        if current is not None and self._settled(current) and current.query not in items:
            items.append(current.query)
        return list(reversed(items))

    # Ending a search --------------------------------------------------------------------------

    def _settled(self, search: _Search) -> bool:
        return search.opened or (time.monotonic() - search.shown_at) * 1000 >= self.settle_ms

    def _end(self, next_query: str | None = None) -> None:
        current = self._current
        if current is None:
            return
        self._current = None
        self._ended = _key(current.query)
        if current.opened:
            return
        if next_query is not None and _extends(_key(next_query), _key(current.query)):
            return                      # typed on: the longer query is the search
        if not self._settled(current):
            return                      # typed through
        self._remember(current.query)
        self._session.append((time.monotonic(), current.query))
        kind = classify_search(current.results, current.other_tiers, opened=False)
        if kind is not None:
            self.gapFound.emit(EndedSearch(current.query, kind, current.results, current.other_tiers,
                                           current.tiers))

    def _remember(self, query: str) -> None:
        if query in self._recent:
            self._recent.remove(query)
        self._recent.append(query)

    def _edited(self, _text: str) -> None:
        self._typed = True

    # Leaving the panel ------------------------------------------------------------------------

    def _inside(self, widget: QWidget | None) -> bool:
        if widget is None or not shiboken6.isValid(self.panel):
            return False
        return widget is self.panel or self.panel.isAncestorOf(widget)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if self._current is None:
            return
        if self._inside(new):
            self._left.stop()
        elif new is not None and self._inside(old):
            self._left.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.panel and self._current is not None:
            if event.type() == QEvent.Type.Hide:
                self._left.start()
            elif event.type() == QEvent.Type.Show and self._inside(QApplication.focusWidget()):
                self._left.stop()
        return False


def _dedupe(queries: list[str]) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for query in reversed(queries):
        if _key(query) not in seen:
            seen.add(_key(query))
            kept.append(query)
    return list(reversed(kept))
