"""Lint speed on a real corpus: loading vs parsing, whole-KB facts and each rule, against a baseline.

Usage: python bench/lint_speed.py [--corpus DIR] [--repeat N]
       python bench/lint_speed.py --scale [--keep DIR] [--runs 3] [--before SRC] [--only KB]
The baseline is reading every file with KnowledgeBase.load_all, measured in this run on this machine;
every other row is also given as a multiple of it. The CLI row runs `kbstudio lint DIR --json` end to end.
With --scale, `kbstudio lint` runs end to end on the corpus, on 25,000 documents and on 25,000
near-duplicates (bench/scale.py): median time, CPU time and peak memory of the whole process tree
beside reading every file and, with --before, the same command from an older tree, in the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbstudio.kb import KnowledgeBase  # noqa: E402
from kbstudio.lint import RULES, Linter  # noqa: E402
from kbstudio.lint.facts import KbFacts  # noqa: E402
from kbstudio.lint.page import Page, parse_page  # noqa: E402
from kbstudio.lint.reading import run_rules  # noqa: E402
from kbstudio.lint.rule import LintContext, Rule  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "officedocs-support"


def count_findings(rule: Rule, pages: list[Page], context: LintContext) -> int:
    """Return how many findings ``rule`` reports over ``pages`` (a cross rule reads a Page as its Outline)."""
    return sum(len(run_rules(page, context, (rule,))) for page in pages)


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """Return the fastest of ``repeat`` runs in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    """Print the table."""
    if "--scale" in sys.argv:
        return scale(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the fastest counts")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    kb = KnowledgeBase(args.corpus)
    baseline, documents = best_of(args.repeat, kb.load_all)
    assert isinstance(documents, list)
    rows: list[tuple[str, float, str]] = [("baseline: KnowledgeBase.load_all (read, YAML)", baseline, "")]
    parse, pages = best_of(args.repeat, lambda: [parse_page(doc) for doc in documents])
    assert isinstance(pages, list)
    rows.append(("parse bodies (headings, links, code)", parse, ""))
    facts_time, facts = best_of(args.repeat, lambda: KbFacts(kb.root, pages))
    assert isinstance(facts, KbFacts)
    links_only, _ = best_of(args.repeat, lambda: KbFacts(kb.root, pages, similarity=False))
    rows.append(("whole-KB facts: ids and link graph", links_only, ""))
    rows.append(("whole-KB facts: similarity index (titles, issues)", facts_time - links_only, ""))
    context = LintContext(facts, date.today())
    rules_total = 0.0
    for rule in RULES:
        elapsed, found = best_of(args.repeat, partial(count_findings, rule, pages, context))
        rules_total += elapsed
        rows.append((f"  rule {rule.id}", elapsed, f"{found} findings"))
    rows.append(("all rules", rules_total, ""))
    whole, problems = best_of(args.repeat, lambda: Linter(kb.root, documents).problems())
    assert isinstance(problems, list)
    rows.append(("lint_documents (parse + facts + rules, no reading)", whole, f"{len(problems)} findings"))
    linter = Linter(kb.root, documents)
    saved = documents[len(documents) // 2]
    update, _ = best_of(args.repeat, lambda: linter.update(kb.load(saved.path)))
    rows.append(("Linter.update: one saved document (reread + relint)", update, ""))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kbstudio", "lint", str(args.corpus), "--json"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    rows.append(("CLI: kbstudio lint --json, end to end (target 5 s)", time.perf_counter() - started, ""))

    print(f"{len(documents)} documents in {args.corpus}; best of {args.repeat}\n")
    print(f"{'measure':<56}{'seconds':>9}{'x baseline':>12}  note")
    for measure, seconds, note in rows:
        print(f"{measure:<56}{seconds:>9.3f}{seconds / baseline:>12.2f}  {note}")
    return 0


def scale(argv: list[str]) -> int:
    """Print the end-to-end table at scale (bench/scale.py)."""
    from bench.scale import arguments, run_scale

    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true")
    args = parser.parse_args(argv)
    today = ["--today", "2026-11-29"]   # the same findings whatever the day
    commands = {"lint --json": ["lint", "{kb}", "--json", *today], "lint (text)": ["lint", "{kb}", *today]}
    run_scale(args, commands, {"25k": "<= 15 s, <= 400 MB", "25k near-duplicates": "<= 15 s, <= 400 MB"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
