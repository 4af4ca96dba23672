"""Index build speed, search latency (with snippets) and incremental updates, against baselines.

Usage: python bench/search_speed.py [--corpus DIR] [--big N] [--skip-big]
Prints one table; every figure is measured in this run on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.baselines import Fts5Index, TutorialWhoosh  # noqa: E402
from bench.search_quality import DEFAULT_CORPUS, DEFAULT_QUERIES, HELDLIKE_QUERIES, load_queries  # noqa: E402
from kbstudio.index.search import SearchOptions  # noqa: E402
from kbstudio.index.service import SearchService  # noqa: E402
from kbstudio.kb import KnowledgeBase  # noqa: E402

ROWS: list[tuple[str, str, str, str]] = []


def row(measure: str, ours: str, baseline: str, target: str = "") -> None:
    """Record and print one line of the table."""
    ROWS.append((measure, ours, baseline, target))
    print(f"{measure:<52}{ours:>14}{baseline:>22}  {target}", flush=True)


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (0-100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latencies(search: Callable[[str], object], queries: list[str]) -> list[float]:
    """Return per-query latency in ms (after one warm-up pass over a few queries)."""
    for text in queries[:5]:
        search(text)
    out = []
    for text in queries:
        started = time.perf_counter()
        search(text)
        out.append((time.perf_counter() - started) * 1000)
    return out


def make_big_kb(corpus: Path, target: Path, count: int) -> int:
    """Write a KB of ``count`` documents made from the corpus (copies with their own titles)."""
    sources = sorted(corpus.rglob("*.md"))
    written = 0
    copy = 0
    while written < count:
        for source in sources:
            if written >= count:
                break
            rel = source.relative_to(corpus)
            dest = target / f"copy-{copy:02d}" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text("utf-8", errors="replace")
            if copy:
                text = text.replace("\ntitle: ", f"\ntitle: (site {copy}) ", 1)
            dest.write_text(text, "utf-8")
            written += 1
        copy += 1
    return written


def bench_kb(label: str, kb_root: Path, queries: list[str], targets: dict[str, str]) -> None:
    """Measure build, latency, reopen and incremental updates on one KB."""
    index_dir = tempfile.mkdtemp(prefix="kbstudio-speed-")
    kb = KnowledgeBase(kb_root)
    service = SearchService(kb, index_dir)
    started = time.perf_counter()
    changes = service.ensure(rebuild=True)
    build = time.perf_counter() - started
    documents = KnowledgeBase(kb_root).load_all()

    started = time.perf_counter()
    TutorialWhoosh(documents)
    tutorial = time.perf_counter() - started
    started = time.perf_counter()
    fts = Fts5Index(documents, tuned=True)
    fts_build = time.perf_counter() - started
    n = changes.documents
    row(f"{label}: full build, documents/s", f"{n / build:.0f}/s",
        f"tutorial {n / tutorial:.0f}/s, fts5 {n / fts_build:.0f}/s", targets.get("build", ""))

    options = SearchOptions(limit=10)
    ours_ms = latencies(lambda t: service.search(t, options), queries)
    fts_ms = latencies(lambda t: fts.search(t), queries)
    row(f"{label}: search p50 / p95 ms (with snippets)",
        f"{percentile(ours_ms, 50):.1f} / {percentile(ours_ms, 95):.1f}",
        f"fts5 {percentile(fts_ms, 50):.1f} / {percentile(fts_ms, 95):.1f}", targets.get("p95", ""))
    service.close()

    reopened = SearchService(KnowledgeBase(kb_root), index_dir)
    started = time.perf_counter()
    reopened.open_existing()
    reopened.search(queries[0], options)
    first = (time.perf_counter() - started) * 1000
    row(f"{label}: reopen indexed KB to first result, ms", f"{first:.0f}", "(no file re-read)",
        targets.get("reopen", ""))

    paths = sorted(kb.iter_paths())
    saves = []
    for one in paths[len(paths) // 2:len(paths) // 2 + 5]:   # five saves: one sample is noisy
        one.write_text(one.read_text("utf-8", errors="replace") + "\nEdited line.\n", "utf-8")
        started = time.perf_counter()
        reopened.update_paths([kb.rel_path(one)])
        saves.append((time.perf_counter() - started) * 1000)
    row(f"{label}: re-index after saving 1 document, median / worst of 5, ms",
        f"{percentile(saves, 50):.0f} / {max(saves):.0f}", "", "<= 100 ms")
    hundred = paths[:100]
    for path in hundred:
        path.write_text(path.read_text("utf-8", errors="replace") + "\nPulled change.\n", "utf-8")
    started = time.perf_counter()
    reopened.update_paths([kb.rel_path(p) for p in hundred])
    pull_ms = (time.perf_counter() - started) * 1000
    row(f"{label}: re-index after a pull changing 100 files, ms", f"{pull_ms:.0f}", "", "<= 1000 ms")
    started = time.perf_counter()
    merged = reopened.compact()
    row(f"{label}: merge the small segments of saves (background), ms",
        f"{(time.perf_counter() - started) * 1000:.0f}", "merged" if merged else "nothing to merge", "")
    started = time.perf_counter()
    changes = reopened.indexer.sync()
    row(f"{label}: sync with nothing changed (stat only), ms",
        f"{(time.perf_counter() - started) * 1000:.0f}", f"{len(changes.updated)} re-read", "")
    reopened.close()
    shutil.rmtree(index_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--big", type=int, default=25_000, help="documents in the big KB")
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    queries = [row_["query"] for path in (DEFAULT_QUERIES, HELDLIKE_QUERIES) for row_ in load_queries(path)]
    print(f"machine: {os.cpu_count()} cores; {len(queries)} queries")
    print(f"{'measure':<52}{'kbstudio':>14}{'baseline (same run)':>22}  target")
    with tempfile.TemporaryDirectory(prefix="kbstudio-corpus-") as scratch:
        corpus_copy = Path(scratch) / "corpus"
        shutil.copytree(args.corpus, corpus_copy)
        bench_kb("corpus", corpus_copy, queries,
                 {"build": ">= 500/s", "p95": "<= 50 ms", "reopen": ""})
    if not args.skip_big:
        with tempfile.TemporaryDirectory(prefix="kbstudio-big-") as scratch:
            big = Path(scratch) / "big"
            count = make_big_kb(args.corpus, big, args.big)
            bench_kb(f"{count // 1000}k KB", big, queries,
                     {"p95": "<= 150 ms", "reopen": "<= 1500 ms"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
