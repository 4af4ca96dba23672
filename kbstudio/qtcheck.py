"""Before the app starts on Linux: are the system libraries Qt's xcb plugin needs installed?

Without them Qt aborts with "Could not load the Qt platform plugin xcb" and no hint of what to
install. ``python -m kbstudio.qtcheck`` (run by ``make run``, and by ``kbstudio`` itself before it
creates the QApplication) asks ``ldd`` which libraries of the plugin are missing, or there but
broken, and prints the exact ``apt-get install`` line instead. The table maps each
library to its Debian/Ubuntu package; it was read off ``ldd`` of PySide6 6.9's ``libqxcb.so``,
``libQt6XcbQpa``, ``libQt6Gui``, ``libQt6Widgets`` and ``libQt6DBus`` with ``dpkg -S`` (Debian 12).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# soname prefix -> Debian package (Debian 12 / Ubuntu 22.04 and later names).
PACKAGES: dict[str, str] = {
    "libEGL.so": "libegl1",
    "libGL.so": "libgl1",
    "libGLX.so": "libglx0",
    "libOpenGL.so": "libopengl0",
    "libfontconfig.so": "libfontconfig1",
    "libfreetype.so": "libfreetype6",
    "libdbus-1.so": "libdbus-1-3",
    "libglib-2.0.so": "libglib2.0-0",
    "libX11.so": "libx11-6",
    "libX11-xcb.so": "libx11-xcb1",
    "libxkbcommon.so": "libxkbcommon0",
    "libxkbcommon-x11.so": "libxkbcommon-x11-0",
    "libxcb.so": "libxcb1",
    "libxcb-cursor.so": "libxcb-cursor0",
    "libxcb-icccm.so": "libxcb-icccm4",
    "libxcb-image.so": "libxcb-image0",
    "libxcb-keysyms.so": "libxcb-keysyms1",
    "libxcb-randr.so": "libxcb-randr0",
    "libxcb-render.so": "libxcb-render0",
    "libxcb-render-util.so": "libxcb-render-util0",
    "libxcb-shape.so": "libxcb-shape0",
    "libxcb-shm.so": "libxcb-shm0",
    "libxcb-sync.so": "libxcb-sync1",
    "libxcb-util.so": "libxcb-util1",
    "libxcb-xfixes.so": "libxcb-xfixes0",
    "libxcb-xkb.so": "libxcb-xkb1",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def missing_libraries(ldd_output: str) -> list[str]:
    """Return the library names ``ldd`` reported as "not found", in order, without repeats."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def packages_for(libraries: list[str]) -> list[str]:
    """Return the Debian packages that provide ``libraries`` (a library not in the table is kept)."""
    packages: list[str] = []
    for library in libraries:
        soname = library.rsplit("/", 1)[-1].split(".so")[0] + ".so"   # a path names its file
        package = PACKAGES.get(soname, library)
        if package not in packages:
            packages.append(package)
    return packages


def qt_binaries() -> list[Path]:
    """Return the xcb plugin and the Qt libraries it loads, from the installed PySide6."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    names = ["plugins/platforms/libqxcb.so", "lib/libQt6XcbQpa.so.6", "lib/libQt6Gui.so.6",
             "lib/libQt6Widgets.so.6", "lib/libQt6DBus.so.6"]
    return [qt / name for name in names if (qt / name).exists()]


_LOAD_ERROR = re.compile(r"error while loading shared libraries: (\S+?): (.+)")


@dataclass
class Report:
    """What ``ldd`` said of Qt's xcb plugin: libraries not found, and failures of another kind.

    ``failures`` are one sentence each: ldd exited non-zero or could not load a library that is
    there (a damaged or half-installed one: "file too short"); ``damaged`` names those libraries.
    """

    missing: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    def add(self, binary: str, stdout: str, stderr: str, returncode: int) -> None:
        """Take in one ``ldd`` run on ``binary`` (its output and exit code)."""
        self.missing += [name for name in missing_libraries(stdout) if name not in self.missing]
        errors = _LOAD_ERROR.findall(stdout + "\n" + stderr)
        for library, why in errors:
            if library not in self.damaged:
                self.damaged.append(library)
                self.failures.append(f"{library} cannot be loaded: {why.strip()}")
        if returncode != 0 and not errors:
            said = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
            failure = f"ldd {binary} failed (exit code {returncode})"
            self.failures.append(f"{failure}: {said}" if said else failure)

    @property
    def ok(self) -> bool:
        """Return True when nothing is missing or broken."""
        return not self.missing and not self.failures


def wanted(environ: Mapping[str, str]) -> bool:
    """Return True when Qt will load its xcb plugin: on Linux, with ``QT_QPA_PLATFORM`` unset (xcb
    is Qt's choice on X11 and its fallback) or naming xcb first; never for offscreen or wayland."""
    if not sys.platform.startswith("linux"):
        return False
    first = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    return first in ("", "xcb")


def examine() -> Report:
    """Run ``ldd`` on Qt's xcb plugin and libraries; return what is missing or broken.

    Empty when not on Linux or when there is no ``ldd`` (Qt then speaks for itself).
    """
    report = Report()
    if not sys.platform.startswith("linux"):
        return report
    for binary in qt_binaries():
        try:
            done = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=20,
                                  check=False)
        except (OSError, subprocess.SubprocessError):
            return Report()   # no ldd: let Qt speak for itself
        report.add(binary.name, done.stdout, done.stderr, done.returncode)
    return report


def check() -> list[str]:
    """Return the missing libraries of Qt's xcb plugin (empty when all are there, or not on Linux)."""
    return examine().missing


def main() -> int:
    """Print the install line for missing or broken libraries and return 1, else return 0 silently."""
    report = examine()
    if report.ok:
        return 0
    if report.missing:
        print("KB Studio needs system libraries that are not installed: " + ", ".join(report.missing),
              file=sys.stderr)
        print("Install them with:\n  sudo apt-get install " + " ".join(packages_for(report.missing)),
              file=sys.stderr)
    if report.failures:
        print("Qt's xcb plugin cannot be loaded: " + "; ".join(report.failures), file=sys.stderr)
        if report.damaged:
            print("Reinstall them with:\n  sudo apt-get install --reinstall "
                  + " ".join(packages_for(report.damaged)), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
