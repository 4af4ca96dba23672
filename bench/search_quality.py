"""Search quality on real support queries: MRR@10 and success@1/@5, against baselines.

Every query set is evaluated in the same run, with every system built once (issue #14):

- ``bench/queries/corpus_queries.jsonl``: 400 queries written from the corpus, one ``expected``
  article each;
- ``bench/queries/heldlike_queries.jsonl``: 600 queries made by ``bench/make_queries.py`` in the
  character of the issue's held-out set, each with its ``accepted`` articles (every article that
  contains a copied text, or that shares the title).

A query is answered at rank r when the r-th result is any accepted path (``expected`` alone when
a row has no ``accepted``). MRR@10 is the mean of 1/r over the first ten results (0 when none is
accepted); S@1 and S@5 are the share answered at rank 1 and within rank 5.

Usage: python bench/search_quality.py [--corpus DIR] [--queries FILE...] [--kinds KIND...]
                                      [--only ours] [--weights JSON] [--failures N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.baselines import Fts5Index, GrepCount, TantivyIndex, TutorialWhoosh, tantivy_available  # noqa: E402
from kbstudio.index.ranker import RankWeights  # noqa: E402
from kbstudio.index.search import KBSearcher, SearchOptions  # noqa: E402
from kbstudio.index.service import SearchService  # noqa: E402
from kbstudio.kb import KnowledgeBase  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "officedocs-support"
DEFAULT_QUERIES = ROOT / "bench" / "queries" / "corpus_queries.jsonl"
HELDLIKE_QUERIES = ROOT / "bench" / "queries" / "heldlike_queries.jsonl"
KINDS = ("error", "symptom", "keywords", "typo")
TOP = 10

Search = Callable[[str], list[str]]
Query = dict[str, Any]
Metrics = dict[str, float]


def load_queries(path: Path) -> list[Query]:
    """Return a query set: one JSON object per line with query, kind, expected (and accepted)."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def accepted(row: Query) -> list[str]:
    """Return the paths that answer ``row``: its ``accepted`` list, else its ``expected`` path."""
    return list(row.get("accepted") or [row["expected"]])


def rank_of(paths: Sequence[str], row: Query) -> int | None:
    """Return the 1-based rank of the first accepted path in the top ten of ``paths``, or None."""
    good = set(accepted(row))
    return next((i for i, path in enumerate(paths[:TOP], 1) if path in good), None)


def summarise(queries: Sequence[Query], ranks: Sequence[int | None]) -> dict[str, Metrics]:
    """Return MRR@10, success@1, success@5 and n by query kind and for 'all'."""
    sums: dict[str, Metrics] = defaultdict(lambda: defaultdict(float))
    for row, rank in zip(queries, ranks, strict=True):
        for kind in (row["kind"], "all"):
            bucket = sums[kind]
            bucket["n"] += 1
            bucket["mrr"] += 1.0 / rank if rank else 0.0
            bucket["s1"] += 1.0 if rank == 1 else 0.0
            bucket["s5"] += 1.0 if rank and rank <= 5 else 0.0
    return {kind: {k: (v / b["n"] if k != "n" else v) for k, v in b.items()} for kind, b in sums.items()}


def evaluate(search: Search, queries: Sequence[Query]) -> dict[str, Metrics]:
    """Return the metrics of ``search`` on ``queries`` by kind (and 'all')."""
    return summarise(queries, [rank_of(search(row["query"]), row) for row in queries])


def parse_weights(text: str) -> RankWeights:
    """Return RankWeights with the JSON object ``text``'s overrides; ValueError names bad keys."""
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"--weights is not JSON ({error}): {text!r}") from None
    if not isinstance(overrides, dict):
        raise ValueError(f"--weights takes a JSON object, not {text!r}")
    known = {f.name for f in fields(RankWeights)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"--weights: unknown RankWeights field(s) {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(known))}")
    return replace(RankWeights(), **overrides)


def ours(corpus: Path, weights: RankWeights) -> Search:
    """Return KB Studio's search over ``corpus`` with ``weights`` (index built in a temp dir)."""
    service = SearchService(KnowledgeBase(corpus), tempfile.mkdtemp(prefix="kbstudio-quality-"))
    service.ensure()
    searcher = KBSearcher(service.store.open(), weights)
    options = SearchOptions(limit=TOP)
    return lambda text: [hit.path for hit in searcher.search(text, options).results]


def baselines(corpus: Path) -> dict[str, Search]:
    """Return every baseline of bench/baselines.py built over ``corpus``."""
    documents = KnowledgeBase(corpus).load_all()
    plain, tuned = Fts5Index(documents, tuned=False), Fts5Index(documents, tuned=True)
    systems: dict[str, Search] = {"fts5 plain": plain.paths, "fts5 tuned": tuned.paths,
                                  "whoosh OR": TutorialWhoosh(documents).search}
    if tantivy_available():
        tantivy = TantivyIndex(documents)
        systems["tantivy x10"] = tantivy.search
        systems["tantivy x1"] = lambda text: tantivy.search(text, title_boost=1.0)
    else:
        print("tantivy is not installed (pip install '.[bench]'): its baseline is left out",
              file=sys.stderr)
    systems["grep count"] = GrepCount(documents).search
    return systems


@dataclass
class SetResult:
    """One query set's results: metrics and per-query ranks by system."""

    name: str
    queries: list[Query]
    metrics: dict[str, dict[str, Metrics]]
    ranks: dict[str, list[int | None]]


def run_set(name: str, queries: list[Query], systems: dict[str, Search]) -> SetResult:
    """Evaluate every system on one query set."""
    result = SetResult(name, queries, {}, {})
    for system, search in systems.items():
        ranks = [rank_of(search(row["query"]), row) for row in queries]
        result.ranks[system] = ranks
        result.metrics[system] = summarise(queries, ranks)
    return result


def print_table(result: SetResult) -> None:
    """Print one row per system and query kind, then MRR@10 by kind, one line per system."""
    several = {kind: sum(1 for r in result.queries if r["kind"] == kind and len(accepted(r)) > 1)
               for kind in KINDS}
    print(f"\n== {result.name}: {len(result.queries)} queries; with several accepted paths: "
          + ", ".join(f"{k} {n}" for k, n in several.items() if any(r["kind"] == k for r in result.queries)))
    print(f"{'system':<16}{'kind':<10}{'n':>5}{'MRR@10':>9}{'S@1':>8}{'S@5':>8}")
    for system, by_kind in result.metrics.items():
        for kind in (*KINDS, "all"):
            if kind in by_kind:
                r = by_kind[kind]
                print(f"{system:<16}{kind:<10}{int(r['n']):>5}{r['mrr']:>9.3f}{r['s1']:>8.3f}{r['s5']:>8.3f}")
    print(f"\n{'MRR@10':<16}{'all':>8}" + "".join(f"{k:>10}" for k in KINDS))
    for system, by_kind in result.metrics.items():
        cells = "".join(f"{by_kind[k]['mrr']:>10.3f}" if k in by_kind else f"{'-':>10}" for k in KINDS)
        print(f"{system:<16}{by_kind['all']['mrr']:>8.3f}{cells}")


def print_failures(result: SetResult, search: Search, count: int) -> None:
    """Print up to ``count`` queries per kind that KB Studio does not answer first, worst first
    (not in the top ten, then by rank; file order among equals)."""
    for kind in KINDS:
        missed = [(row, rank) for row, rank in zip(result.queries, result.ranks["kbstudio"], strict=True)
                  if row["kind"] == kind and rank != 1]
        if not missed:
            continue
        missed.sort(key=lambda pair: -(pair[1] or TOP + 1))
        print(f"\n-- {result.name}, {kind}: {len(missed)} not first; the worst {min(count, len(missed))}:")
        for row, rank in missed[:count]:
            top = (search(row["query"]) or ["(nothing)"])[0]
            print(f"rank {rank or '>10'}: {row['query'][:110]!r}\n    want {row['expected']}\n    got  {top}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--queries", type=Path, nargs="+", default=[DEFAULT_QUERIES, HELDLIKE_QUERIES],
                        help="query sets (JSON lines), each evaluated and printed on its own")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS),
                        help="only these kinds of query")
    parser.add_argument("--only", choices=("ours",), help="skip the baselines")
    parser.add_argument("--weights", default="{}", help="JSON object of RankWeights overrides")
    parser.add_argument("--failures", type=int, default=0, metavar="N",
                        help="also list N queries per kind that KB Studio does not answer first")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build every system once, evaluate each query set, print one table per set."""
    args = parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    try:
        weights = parse_weights(args.weights)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    sets = {path.name: [r for r in load_queries(path) if r["kind"] in args.kinds] for path in args.queries}
    started = time.perf_counter()
    systems = {"kbstudio": ours(args.corpus, weights)}
    if not args.only:
        systems.update(baselines(args.corpus))
    print(f"{len(systems)} systems built on {args.corpus.name} in {time.perf_counter() - started:.0f} s")
    for name, queries in sets.items():
        result = run_set(name, queries, systems)
        print_table(result)
        if args.failures:
            print_failures(result, systems["kbstudio"], args.failures)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
