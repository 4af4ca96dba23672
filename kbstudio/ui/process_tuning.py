"""Process-wide tuning of the app, done once by its start-up (``kbstudio.ui.app.run_app``).

A widget never changes interpreter-wide settings: a window made by a test, a benchmark or a
dialog leaves the switch interval and the garbage collector as it found them.
"""

from __future__ import annotations

import gc
import sys
from typing import Protocol

from PySide6.QtCore import SignalInstance

# Background work is Python too: a short GIL switch interval lets the GUI thread in sooner.
GIL_SWITCH_INTERVAL = 0.001


class LoadsDocuments(Protocol):
    """What ``tune_process`` needs of the main window: a signal sent once a KB's documents are in."""

    documents_loaded: SignalInstance


def tune_process(window: LoadsDocuments | None = None) -> None:
    """Tune the interpreter for the app; call once at start-up, after the main window is made.

    - The GIL switch interval becomes 1 ms, so the GUI thread gets back in quickly while a worker
      runs Python.
    - What start-up created (modules, Qt bindings, the window) is frozen out of the cyclic
      garbage collector (``gc.freeze``), and so is everything alive each time ``window`` has
      loaded a KB's documents: they live as long as the KB is open, and full collections over
      25,000 documents held the GIL (and the GUI) for 240-480 ms.
    """
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    gc.freeze()
    if window is not None:
        window.documents_loaded.connect(gc.freeze)
