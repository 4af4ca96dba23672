"""Time of ``kbstudio.vcs.safety.redact`` by text length: the linear pattern against the old one.

Usage: python bench/redact_speed.py [--before REV] [--runs 3] [--sizes 1000,4000,16000,64000]

``redact`` runs on every git message shown or logged. The old version is read from git at
``--before`` (``git show REV:kbstudio/vcs/safety.py``) into a temporary module and timed in the
same run as the current one, on the same texts. Three inputs per size:

- ``token``: one run of letters and digits (a base64 blob or a hash list in git's output), the
  worst case of the old pattern, which tried a scheme from every letter of the run;
- ``no user``: a scheme, then a long run without "@" (``x://aaaa...``);
- ``git log``: lines of git's stderr holding URLs with credentials (the usual case).

Prints the median of ``--runs`` runs in milliseconds, and checks both versions give the same text.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbstudio.vcs.safety import redact  # noqa: E402

# The last commit with the quadratic pattern (the commit after it made redact linear).
BEFORE = "5aa3701"
SIZES = (1_000, 4_000, 16_000, 64_000)
GIT_LINE = "remote: error: https://bob:s3cret@git.example.com/team/kb.git denied (pack 9f8e7d6c)\n"


def old_module(rev: str, folder: Path) -> ModuleType:
    """Return kbstudio/vcs/safety.py as it was at ``rev``, imported under another name."""
    source = subprocess.run(["git", "show", f"{rev}:kbstudio/vcs/safety.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = folder / "safety_before.py"
    path.write_text(source, "utf-8")
    spec = importlib.util.spec_from_file_location("safety_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inputs(size: int) -> dict[str, str]:
    """Return the texts of ``size`` characters timed at that size."""
    token = ("Zm9vYmFyYmF6cXV4" * (size // 16 + 1))[:size]
    return {"token": token, "no user": ("x://" + token)[:size],
            "git log": (GIT_LINE * (size // len(GIT_LINE) + 1))[:size]}


def median_ms(function: Callable[[str], str], text: str, runs: int) -> float:
    """Return the median time of ``runs`` calls of ``function(text)`` in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the git revision of the old version")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        before = old_module(args.before, Path(folder))
    print(f"redact, median of {args.runs} runs; before = {args.before}")
    print(f"{'input':<10}{'chars':>8}{'before ms':>12}{'now ms':>10}{'ratio':>9}")
    for size in sizes:
        for name, text in inputs(size).items():
            assert redact(text) == before.redact(text), f"{name} at {size}: the versions differ"
            old, new = median_ms(before.redact, text, args.runs), median_ms(redact, text, args.runs)
            print(f"{name:<10}{size:>8,}{old:>12.2f}{new:>10.3f}{old / new:>8.0f}x", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
