"""Search quality on real support queries: MRR@10 and success@1/@5, against baselines.

Usage: python bench/search_quality.py [--corpus DIR] [--queries FILE] [--only ours] [--weights JSON]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.baselines import Fts5Index, TutorialWhoosh  # noqa: E402
from kbstudio.index.ranker import RankWeights  # noqa: E402
from kbstudio.index.search import KBSearcher, SearchOptions  # noqa: E402
from kbstudio.index.service import SearchService  # noqa: E402
from kbstudio.kb import KnowledgeBase  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "officedocs-support"
DEFAULT_QUERIES = ROOT / "bench" / "queries" / "corpus_queries.jsonl"
KINDS = ("error", "symptom", "keywords", "typo")


def load_queries(path: Path) -> list[dict[str, str]]:
    """Return the query set: one JSON object per line with query, kind and expected path."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def evaluate(search: Callable[[str], list[str]], queries: list[dict[str, str]]
             ) -> dict[str, dict[str, float]]:
    """Return MRR@10, success@1 and success@5 by query kind (and 'all')."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in queries:
        paths = search(row["query"])[:10]
        rank = paths.index(row["expected"]) + 1 if row["expected"] in paths else None
        for kind in (row["kind"], "all"):
            bucket = sums[kind]
            bucket["n"] += 1
            bucket["mrr"] += 1.0 / rank if rank else 0.0
            bucket["s1"] += 1.0 if rank == 1 else 0.0
            bucket["s5"] += 1.0 if rank and rank <= 5 else 0.0
    return {kind: {k: (v / b["n"] if k != "n" else v) for k, v in b.items()} for kind, b in sums.items()}


def ours(corpus: Path, weights: RankWeights) -> Callable[[str], list[str]]:
    """Return KB Studio's search over ``corpus`` with ``weights``."""
    service = SearchService(KnowledgeBase(corpus), tempfile.mkdtemp(prefix="kbstudio-quality-"))
    service.ensure()
    searcher = KBSearcher(service.store.open(), weights)
    options = SearchOptions(limit=10)
    return lambda text: [hit.path for hit in searcher.search(text, options).results]


def print_table(results: dict[str, dict[str, dict[str, float]]]) -> None:
    """Print one row per system and query kind."""
    print(f"{'system':<18}{'kind':<10}{'n':>5}{'MRR@10':>9}{'S@1':>8}{'S@5':>8}")
    for system, by_kind in results.items():
        for kind in (*KINDS, "all"):
            if kind in by_kind:
                r = by_kind[kind]
                print(f"{system:<18}{kind:<10}{int(r['n']):>5}{r['mrr']:>9.3f}{r['s1']:>8.3f}{r['s5']:>8.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--only", choices=("ours",), help="skip the baselines")
    parser.add_argument("--weights", default="{}", help="JSON overrides of RankWeights")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    queries = load_queries(args.queries)
    weights = replace(RankWeights(), **json.loads(args.weights))
    results: dict[str, dict[str, dict[str, float]]] = {}
    started = time.perf_counter()
    results["kbstudio"] = evaluate(ours(args.corpus, weights), queries)
    if not args.only:
        documents = KnowledgeBase(args.corpus).load_all()
        plain, tuned = Fts5Index(documents, tuned=False), Fts5Index(documents, tuned=True)
        results["fts5 plain"] = evaluate(lambda t: [p for p, _ in plain.search(t)], queries)
        results["fts5 tuned"] = evaluate(lambda t: [p for p, _ in tuned.search(t)], queries)
        results["whoosh tutorial"] = evaluate(TutorialWhoosh(documents).search, queries)
    print(f"{len(queries)} queries on {args.corpus.name} ({time.perf_counter() - started:.0f} s)")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
