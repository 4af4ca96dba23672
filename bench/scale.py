"""Commands at scale: the corpus, 25,000 documents and 25,000 near-duplicates, with same-run baselines.

``bench/list_speed.py`` and ``bench/lint_speed.py --scale`` use this: each KB is made once
(``bench/make_big.py``; kept with ``--keep DIR``), then every command runs ``--runs`` times and
the median wall time, the median CPU time and the peak resident memory of its process tree
(``bench/rss.py``, worker processes included) are printed beside two baselines measured in the
same run on the same KB (each run of ours followed by one of the older tree, under the same
load): reading every file's bytes (the floor of any command that looks at
every document) and, with ``--before SRC``, the same command from an older source tree
(``git archive <commit> | tar -x -C SRC``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_big import DEFAULT_CORPUS, make_big_kb  # noqa: E402
from bench.rss import Measured, measure  # noqa: E402
from kbstudio.kb import KnowledgeBase  # noqa: E402
from kbstudio.reader import read_bytes  # noqa: E402

KBS = ("corpus", "25k", "25k near-duplicates")


def arguments(description: str) -> argparse.ArgumentParser:
    """Return the options every scale bench takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--big", type=int, default=25_000, help="documents in the big KBs")
    parser.add_argument("--runs", type=int, default=3, help="runs per command; the median counts")
    parser.add_argument("--keep", type=Path, help="make (or reuse) the KBs in this folder")
    parser.add_argument("--before", type=Path, help="an older source tree to measure in the same run")
    parser.add_argument("--only", choices=KBS, action="append", help="measure only these KBs")
    return parser


@contextmanager
def knowledge_bases(args: argparse.Namespace) -> Iterator[dict[str, Path]]:
    """Yield the KBs to measure by name, made (or reused) in ``--keep`` or a temporary folder."""
    temporary = None if args.keep else tempfile.mkdtemp(prefix="kbstudio-scale-")
    folder = args.keep or Path(temporary or ".")
    folder.mkdir(parents=True, exist_ok=True)
    made = {"corpus": folder / "corpus", "25k": folder / "big", "25k near-duplicates": folder / "big-near"}
    try:
        if not made["corpus"].is_dir():
            shutil.copytree(args.corpus, made["corpus"])
        for name, near in (("25k", False), ("25k near-duplicates", True)):
            if not made[name].is_dir() and (not args.only or name in args.only):
                make_big_kb(args.corpus, made[name], args.big, near_duplicates=near)
        yield {name: path for name, path in made.items() if not args.only or name in args.only}
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


def read_every_file(kb_root: Path) -> float:
    """Return the seconds it takes to read every document's bytes (the floor for a whole-KB command)."""
    kb = KnowledgeBase(kb_root)
    started = time.perf_counter()
    for path in kb.iter_paths():
        try:
            read_bytes(path, kb.root, walked=True)
        except ValueError:
            pass
    return time.perf_counter() - started


def median_of(results: list[Measured]) -> Measured:
    """Return the median wall time of ``results``, the median CPU time and the largest peak memory."""
    middle = sorted(results, key=lambda m: m.seconds)[len(results) // 2]
    return Measured(statistics.median(m.seconds for m in results), statistics.median(m.cpu for m in results),
                    max(m.peak_mb for m in results), middle.returncode)


def kbstudio_command(source: Path | None, argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Return the command line and environment that run ``kbstudio argv`` from ``source`` (default: here)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(source or ROOT)
    # -P: the current folder is not put first on sys.path, so PYTHONPATH decides which kbstudio runs
    return [sys.executable, "-P", "-c", "import sys; from kbstudio.cli import main; sys.exit(main())",
            *argv], env


HEADER = (f"{'command':<24}{'KB':<21}{'median s':>9}{'cpu s':>7}{'peak MB':>8}{'read files s':>13}"
          f"{'before s':>9}{'cpu s':>7}{'MB':>6}{'load':>6}  target")


def row_text(command: str, kb: str, ours: Measured, floor: float, before: Measured | None,
             target: str, load: float) -> str:
    """Return one line of the table: ours, the file-reading floor and the older source, same run,
    and the machine's mean 1-minute load average while they ran."""
    before_s = f"{before.seconds:.2f}" if before else "-"
    before_cpu = f"{before.cpu:.2f}" if before else "-"
    before_mb = f"{before.peak_mb:.0f}" if before else "-"
    return (f"{command:<24}{kb:<21}{ours.seconds:>9.2f}{ours.cpu:>7.2f}{ours.peak_mb:>8.0f}{floor:>13.2f}"
            f"{before_s:>9}{before_cpu:>7}{before_mb:>6}{load:>6.1f}  {target}")


def _measure(command: tuple[list[str], dict[str, str]]) -> Measured:
    return measure(command[0], env=command[1])


def run_scale(args: argparse.Namespace, commands: dict[str, list[str]], targets: dict[str, str],
              ours: Callable[[list[str]], tuple[list[str], dict[str, str]]] | None = None) -> None:
    """Measure each command (``kbstudio`` argv with ``{kb}`` for the KB) on each KB and print the table."""
    ours = ours or (lambda argv: kbstudio_command(None, argv))
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; median of {args.runs} runs")
    print(HEADER)
    with knowledge_bases(args) as kbs:
        for name, kb_root in kbs.items():
            floor = statistics.median(read_every_file(kb_root) for _ in range(args.runs))
            for label, argv in commands.items():
                argv = [str(kb_root) if part == "{kb}" else part for part in argv]
                mine: list[Measured] = []
                older: list[Measured] = []
                loads = []
                for _ in range(args.runs):   # ours and the older tree in turn: the same load for both
                    mine.append(_measure(ours(argv)))
                    if args.before:
                        older.append(_measure(kbstudio_command(args.before, argv)))
                    loads.append(os.getloadavg()[0])
                before = median_of(older) if older else None
                print(row_text(label, name, median_of(mine), floor, before, targets.get(name, ""),
                               statistics.mean(loads)), flush=True)
    print(f"load at the end: {os.getloadavg()[0]:.1f}")
