"""A PySide6 whose Signal.emit() loses references to True is caught here, not by users.

PySide6 6.12.0 lowers the reference count of ``True`` by one on every ``Signal.emit()``; on
Python 3.11 (where ``True`` is not immortal) the process aborts with "deallocating True or False"
once enough signals have been sent, wherever that happens to be. Python 3.12+ makes ``True``
immortal, and then this test passes whatever PySide6 does.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 400
NOISE = 40   # other threads may take or drop a few references meanwhile; a broken emit loses EMITS


class Sender(QObject):
    """Signals of the shapes the app sends: none, a bool, an object."""

    plain = Signal()
    flag = Signal(bool)
    payload = Signal(object)


def test_emitting_signals_keeps_the_references_to_true(qtbot) -> None:
    sender = Sender()
    received: list[object] = []
    sender.plain.connect(lambda: received.append(None))
    sender.flag.connect(received.append)
    sender.payload.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(EMITS):
        sender.plain.emit()
        sender.flag.emit(True)
        sender.payload.emit(True)
    after_emits = sys.getrefcount(True)
    received.clear()   # drops the references the slots kept
    after = sys.getrefcount(True)
    for count in (after_emits, after):
        assert count >= before - NOISE, f"{EMITS} rounds of emits lost {before - count} references to True"


def test_emitting_without_a_receiver_keeps_the_references_to_true(qtbot) -> None:
    sender = Sender()
    before = sys.getrefcount(True)
    for _ in range(EMITS):
        sender.plain.emit()
        sender.flag.emit(True)
    assert sys.getrefcount(True) >= before - NOISE
