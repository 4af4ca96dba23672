"""The Qt-free core imports where fcntl does not exist (Windows): every module, in a clean process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Modules of POSIX systems only; the core may use them only behind a fallback.
POSIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource")

PROBE = """
import importlib, json, pkgutil, sys
for name in {posix_only!r}:
    sys.modules[name] = None   # "import fcntl" now raises ImportError, as on Windows
import kbstudio
failed, imported = {{}}, []
for module in pkgutil.walk_packages(kbstudio.__path__, "kbstudio."):
    if module.name.startswith("kbstudio.ui") or module.name == "kbstudio.__main__":
        continue   # the Qt app; __main__ runs the command line
    try:
        importlib.import_module(module.name)
    except Exception as error:
        failed[module.name] = repr(error)
    imported.append(module.name)
print(json.dumps({{"failed": failed, "imported": imported}}))
"""

LOCK_PROBE = """
import sys
sys.modules["fcntl"] = None
from pathlib import Path
from kbstudio.index.store import IndexLockedError, IndexStore
kb, base = Path(sys.argv[1]), Path(sys.argv[2])
first, second = IndexStore(kb, base), IndexStore(kb, base)
with first.write_lock(timeout=1):
    try:
        with second.write_lock(timeout=0.2):
            raise SystemExit("two writers held the lock at once")
    except IndexLockedError:
        pass
with second.write_lock(timeout=1):   # free again once released
    print("ok")
"""


def test_every_core_module_imports_without_fcntl() -> None:
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", PROBE.format(posix_only=POSIX_ONLY)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["failed"] == {}
    assert {"kbstudio.cli", "kbstudio.index.store", "kbstudio.vcs.runner", "kbstudio.lint"} \
        <= set(report["imported"])


def test_the_index_lock_still_excludes_a_second_writer_without_fcntl(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    command = [sys.executable, "-W", "ignore", "-c", LOCK_PROBE, str(kb), str(tmp_path / "idx")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

