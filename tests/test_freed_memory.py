"""Memory freed by a big release is handed back: garbage collected, glibc's free pages trimmed."""

from __future__ import annotations

import platform
import sys
import weakref

from kbstudio.freed_memory import return_freed_memory


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_cyclic_garbage_is_collected_and_glibc_trims_on_linux() -> None:
    first, second = _Node(), _Node()
    first.other, second.other = second, first      # a cycle: only the collector frees it
    gone = weakref.ref(first)
    del first, second
    trimmed = return_freed_memory()
    assert gone() is None
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert trimmed is glibc
