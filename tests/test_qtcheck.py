"""The check `make run` makes before starting Qt: missing xcb libraries become an apt-get line."""

from __future__ import annotations

import sys

from kbstudio import qtcheck

LDD = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibX11-xcb.so.1 => /lib/x86_64-linux-gnu/libX11-xcb.so.1 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibweird.so.2 => not found
"""


def test_missing_libraries_become_debian_packages() -> None:
    missing = qtcheck.missing_libraries(LDD)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libweird.so.2"]
    assert qtcheck.packages_for(missing) == ["libxcb-icccm4", "libxcb-keysyms1", "libweird.so.2"]


def test_the_real_check_agrees_with_its_message(capsys) -> None:
    # Runs ldd on the installed PySide6 for real; whether libraries are missing depends on the machine.
    if sys.platform.startswith("linux"):
        assert qtcheck.qt_binaries(), "PySide6's xcb plugin was not found"
    missing = qtcheck.check()
    assert qtcheck.main() == (1 if missing else 0)
    err = capsys.readouterr().err
    if missing:
        assert "sudo apt-get install " + " ".join(qtcheck.packages_for(missing)) in err
    else:
        assert err == ""


def test_the_message_names_the_libraries_and_the_install_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr(qtcheck, "check", lambda: ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert qtcheck.main() == 1
    err = capsys.readouterr().err
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in err
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in err
