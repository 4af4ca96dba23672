"""The check `make run` makes before starting Qt: missing xcb libraries become an apt-get line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    missing = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    monkeypatch.setattr(qtcheck, "examine", lambda: qtcheck.Report(missing))
    assert qtcheck.main() == 1
    err = capsys.readouterr().err
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in err
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in err


# ldd's own words when a library is there but empty or cut short (seen by the tester: a library
# bind-mounted over by /dev/null), and ldd's exit code then.
TOO_SHORT = ("ldd: error while loading shared libraries: /lib/x86_64-linux-gnu/libxcb-cursor.so.0: "
             "file too short\n")


def fake_ldd(folder: Path, stdout: str, stderr: str = "", code: int = 0) -> dict[str, str]:
    """Put an ``ldd`` that prints ``stdout``/``stderr`` and exits ``code`` first on PATH; return the env."""
    folder.mkdir(exist_ok=True)
    (folder / "out").write_text(stdout, "utf-8")
    (folder / "err").write_text(stderr, "utf-8")
    script = folder / "ldd"
    script.write_text(f"#!/bin/sh\ncat '{folder}/out'\ncat '{folder}/err' >&2\nexit {code}\n", "utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_a_library_that_cannot_be_loaded_is_named_with_the_reinstall_line() -> None:
    report = qtcheck.Report()
    report.add("libqxcb.so", "\tlinux-vdso.so.1 (0x00007ffd)\n", TOO_SHORT, 1)
    assert report.missing == [] and not report.ok
    assert report.failures == ["/lib/x86_64-linux-gnu/libxcb-cursor.so.0 cannot be loaded: file too short"]
    assert qtcheck.packages_for(report.damaged) == ["libxcb-cursor0"]


def test_ldd_failing_for_another_reason_is_said() -> None:
    report = qtcheck.Report()
    report.add("libqxcb.so", "", "ldd: something odd happened\n", 2)
    assert report.failures == ["ldd libqxcb.so failed (exit code 2): ldd: something odd happened"]
    assert qtcheck.Report().ok


def test_the_platform_decides_whether_to_check() -> None:
    on_linux = sys.platform.startswith("linux")
    assert qtcheck.wanted({}) is on_linux
    assert qtcheck.wanted({"QT_QPA_PLATFORM": "xcb"}) is on_linux
    assert qtcheck.wanted({"QT_QPA_PLATFORM": "xcb;offscreen"}) is on_linux
    assert not qtcheck.wanted({"QT_QPA_PLATFORM": "offscreen"})
    assert not qtcheck.wanted({"QT_QPA_PLATFORM": "wayland"})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and xcb are Linux's")
def test_kbstudio_itself_prints_the_install_line_instead_of_qts_abort(tmp_path: Path) -> None:
    env = fake_ldd(tmp_path / "bin", "\tlibxcb-icccm.so.4 => not found\n\tlibxcb-keysyms.so.1 => not found\n")
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run([sys.executable, "-m", "kbstudio", str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == ("KB Studio needs system libraries that are not installed: libxcb-icccm.so.4, "
                           "libxcb-keysyms.so.1\nInstall them with:\n  sudo apt-get install libxcb-icccm4 "
                           "libxcb-keysyms1\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and xcb are Linux's")
def test_make_runs_check_says_when_ldd_fails(tmp_path: Path) -> None:
    env = fake_ldd(tmp_path / "bin", "", TOO_SHORT, 1)
    done = subprocess.run([sys.executable, "-m", "kbstudio.qtcheck"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == ("Qt's xcb plugin cannot be loaded: /lib/x86_64-linux-gnu/libxcb-cursor.so.0 "
                           "cannot be loaded: file too short\nReinstall them with:\n  sudo apt-get install "
                           "--reinstall libxcb-cursor0\n")
