"""A PySide6 whose Signal.emit() loses references to True is caught here, not by users.

PySide6 6.12.0 lowers the reference count of ``True`` by one on every ``Signal.emit()``; on
Python 3.11 (where ``True`` is not immortal) the process aborts with "deallocating True or False"
once enough signals have been sent, wherever that happens to be. Python 3.12+ makes ``True``
immortal, and then the two tests on ``True`` pass whatever PySide6 does; so the last two tests
pass mortal objects (a fresh object, a fresh large int) through signals and require their
reference counts to come back exactly: a PySide6 that drops a reference to what it sends fails
them on every Python. (A loss confined to ``True`` itself, such as emit's own return value, is
only seen on Python 3.11: run this file there to check a new PySide6.)
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


def _fresh_int() -> int:
    # computed at run time: a constant would be shared with the code object, a small int cached
    return int("9" * 30) + len(sys.argv)


def test_emitting_mortal_objects_keeps_their_references(qtbot) -> None:
    sender = Sender()
    seen: list[int] = []
    sender.payload.connect(lambda value: seen.append(id(value)))   # keeps no reference
    for value in (object(), _fresh_int()):
        before = sys.getrefcount(value)
        for _ in range(EMITS):
            sender.payload.emit(value)
        lost = before - sys.getrefcount(value)
        assert lost == 0, f"{EMITS} emits lost {lost} references to a {type(value).__name__}"
        assert seen[-1] == id(value)
    assert len(seen) == 2 * EMITS


def test_a_slot_that_keeps_and_drops_a_mortal_object_leaves_its_count_as_it_was(qtbot) -> None:
    sender = Sender()
    kept: list[object] = []
    sender.payload.connect(kept.append)
    value = _fresh_int()
    before = sys.getrefcount(value)
    for _ in range(EMITS):
        sender.payload.emit(value)
    assert sys.getrefcount(value) == before + EMITS   # one per reference the slot kept
    kept.clear()
    assert sys.getrefcount(value) == before
