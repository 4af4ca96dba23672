"""Render fidelity: our Markdown renderer against cmark-gfm (GitHub's renderer) on content/ and the corpus.

Usage: python bench/render_fidelity.py [--corpus DIR] [--only content|corpus] [--limit N] [--passes N]
                                       [--report FILE] [--json]
Every .md is rendered by kbstudio.render and by cmark-gfm and compared by bench/fidelity.py (code blocks,
list items, tables, alerts and ::: shown as text, <placeholders>, text lost). Bar: 100% of content/ and
99.5% of the corpus agree. Speed: documents/s of ours, of the renderer as it was at commit d6f09fa
("today's figure") and of cmark-gfm on the same documents in the same run, median of --passes passes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import cmarkgfm
from cmarkgfm.cmark import Options

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fidelity import KINDS, Loss, compare  # noqa: E402
from kbstudio.frontmatter import split_front_matter  # noqa: E402
from kbstudio.render import MarkdownRenderer  # noqa: E402

DEFAULT_CONTENT = ROOT / "content"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "officedocs-support"
BARS = {"content": 100.0, "corpus": 99.5}   # percent of documents that must agree
BASELINE_COMMIT = "d6f09fa"
SHOWN_WITHOUT_REPORT = 50
COUNT_KINDS = frozenset({"list_items", "tables", "alert_box"})   # their detail is "ours < reference"
DETAILS_PER_DOCUMENT = 3
SPEED_NAMES = {"ours": "ours (working tree)", "today": f"ours at {BASELINE_COMMIT} (today's figure)",
               "cmark-gfm": "cmark-gfm (reference, context)"}
REFERENCE_OPTIONS = Options.CMARK_OPT_UNSAFE   # raw HTML kept, as GitHub's pipeline has it before sanitising

Render = Callable[[str], str]


@dataclass
class Result:
    """The losses of one document: ``root`` is "content" or "corpus", ``path`` relative to that root."""

    root: str
    path: str
    losses: list[Loss]


@dataclass
class Speed:
    """Rendering speed: documents/s by renderer (keys of SPEED_NAMES) on ``documents`` of ``root``."""

    root: str
    documents: int
    passes: int
    documents_per_s: dict[str, float]


def load_documents(root: Path, limit: int | None) -> list[tuple[str, str]]:
    """Return (path relative to ``root``, text) of every .md under ``root``, sorted, at most ``limit``."""
    paths = sorted(root.rglob("*.md"), key=lambda path: path.relative_to(root).as_posix())[:limit]
    return [(path.relative_to(root).as_posix(), path.read_text("utf-8", errors="replace")) for path in paths]


def reference(text: str) -> str:
    """Return cmark-gfm's HTML of ``text`` without its front matter.

    ``github_flavored_markdown_to_html`` turns on the GitHub extensions (table, strikethrough,
    autolink, tagfilter, tasklist) and ``<pre lang>``; UNSAFE keeps raw HTML.
    """
    return cmarkgfm.github_flavored_markdown_to_html(split_front_matter(text).body, REFERENCE_OPTIONS)


def ours() -> Render:
    """Return the working tree's renderer as a text -> HTML function (one instance, as the app uses)."""
    renderer = MarkdownRenderer()
    return lambda text: renderer.convert(text).html


def load_baseline(commit: str) -> Render | str:
    """Return kbstudio/render.py as it was at ``commit`` as a text -> HTML function, or why it cannot be.

    The old file is written to a temporary folder and imported under another name, so it runs beside
    the current module on the same documents ("today's figure" measured in this run).
    """
    shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:kbstudio/render.py"],
                           capture_output=True, text=True, check=False)
    if shown.returncode:
        return f"git show {commit} failed: {shown.stderr.strip()}"
    name = f"kbstudio_render_{commit}"
    with tempfile.TemporaryDirectory(prefix="kbstudio-render-") as folder:
        source = Path(folder) / f"{name}.py"
        source.write_text(shown.stdout, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, source)
        assert spec is not None and spec.loader is not None
        module: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules[name] = module   # dataclasses look their module up while the class is built
        try:
            spec.loader.exec_module(module)
        except Exception as error:  # noqa: BLE001 - any failure only drops the baseline row
            return f"cannot import render.py of {commit}: {error}"
    renderer = module.MarkdownRenderer()
    return lambda text: renderer.convert(text).html


def audit(root: str, documents: list[tuple[str, str]], render: Render) -> list[Result]:
    """Return one Result per document; a renderer exception is an "error" loss."""
    results = []
    for path, text in documents:
        try:
            losses = compare(reference(text), render(text))
        except Exception as error:  # noqa: BLE001 - a crash on one document is a finding, not the end
            losses = [Loss("error", type(error).__name__, str(error)[:70])]
        results.append(Result(root, path, losses))
    return results


def time_passes(texts: list[str], renderers: dict[str, Render], passes: int) -> dict[str, float]:
    """Return documents/s of each renderer on ``texts``: the median of ``passes`` timed passes.

    Passes are interleaved (A, B, C, A, B, C...) so a slow spell of a noisy machine hits all alike.
    """
    seconds: dict[str, list[float]] = {name: [] for name in renderers}
    for _ in range(passes):
        for name, render in renderers.items():
            started = time.perf_counter()
            for text in texts:
                render(text)
            seconds[name].append(time.perf_counter() - started)
    return {name: len(texts) / statistics.median(times) for name, times in seconds.items()}


def summary(results: list[Result], root: str) -> dict[str, Any]:
    """Return, for one root: documents, agreeing documents, percent, bar, and documents by kind and cause."""
    mine = [result for result in results if result.root == root]
    agree = sum(1 for result in mine if not result.losses)
    kinds = Counter(kind for result in mine for kind in {loss.kind for loss in result.losses})
    causes = Counter(f"{kind}: {cause}" for result in mine
                     for kind, cause in {(loss.kind, loss.cause) for loss in result.losses})
    percent = 100.0 * agree / len(mine) if mine else 100.0
    return {"documents": len(mine), "agree": agree, "percent": percent, "bar": BARS[root],
            "passes": percent >= BARS[root], "kinds": dict(kinds), "causes": dict(causes.most_common())}


def common_details(results: list[Result], top: int) -> list[tuple[str, int]]:
    """Return the ``top`` most common "kind / cause / detail" strings, counted once per document.

    Kinds whose detail is only a count ("3 < 5") are left out: their causes are in the table above.
    """
    counts = Counter(f"{loss.kind} / {loss.cause} / {loss.detail}" for result in results
                     for loss in set(result.losses) if loss.kind not in COUNT_KINDS)
    return counts.most_common(top)


def describe(result: Result, details: int | None) -> str:
    """Return a disagreeing document as text: root, path and kinds, then up to ``details`` losses."""
    kinds = ", ".join(kind for kind in KINDS if any(loss.kind == kind for loss in result.losses))
    losses = result.losses if details is None else result.losses[:details]
    lines = [f"{result.root}  {result.path}  [{kinds}]"]
    lines += [f"    {loss.kind}: {loss.cause}: {loss.detail}" for loss in losses]
    if len(losses) < len(result.losses):
        lines.append(f"    ... {len(result.losses) - len(losses)} more")
    return "\n".join(lines)


def print_table(summaries: dict[str, dict[str, Any]]) -> None:
    """Print documents affected per loss kind, one column per root, then the agreement against the bar."""
    roots = list(summaries)
    print(f"{'documents affected by':<32}" + "".join(f"{root:>12}" for root in roots))
    for kind, label in KINDS.items():
        print(f"{label:<32}" + "".join(f"{summaries[root]['kinds'].get(kind, 0):>12}"
                                       for root in roots))
    print(f"{'documents':<32}" + "".join(f"{summaries[root]['documents']:>12}" for root in roots))
    for root, row in summaries.items():
        verdict = "meets" if row["passes"] else "BELOW"
        print(f"{root}: {row['agree']}/{row['documents']} agree = {row['percent']:.2f}% "
              f"({verdict} the bar of {row['bar']}%)")


def print_causes(summaries: dict[str, dict[str, Any]]) -> None:
    """Print documents affected per kind and cause, one column per root."""
    roots = list(summaries)
    causes = Counter[str]()
    for row in summaries.values():
        causes.update(row["causes"])
    print(f"\n{'by cause':<48}" + "".join(f"{root:>12}" for root in roots))
    for cause, _ in causes.most_common():
        print(f"{cause[:47]:<48}" + "".join(f"{summaries[root]['causes'].get(cause, 0):>12}"
                                           for root in roots))


def print_speed(speed: Speed) -> None:
    """Print documents/s per renderer and ours against today's figure."""
    print(f"\nspeed on {speed.documents} documents of {speed.root}, median of {speed.passes} passes")
    for name, rate in speed.documents_per_s.items():
        print(f"  {SPEED_NAMES[name]:<40}{rate:>10.0f} documents/s")
    rates = speed.documents_per_s
    if "today" in rates:
        print(f"  ours vs today's figure: x{rates['ours'] / rates['today']:.2f}")


def write_report(path: Path, results: list[Result]) -> None:
    """Write every disagreeing document with all its losses to ``path``."""
    bad = [result for result in results if result.losses]
    text = "\n".join(describe(result, None) for result in bad)
    path.write_text(f"{len(bad)} disagreeing documents\n{text}\n", encoding="utf-8")


def parse_args() -> argparse.Namespace:
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of .md articles (default: ../shared/corpus/officedocs-support)")
    parser.add_argument("--only", choices=("content", "corpus"))
    parser.add_argument("--limit", type=int, help="first N documents of each root, for quick runs")
    parser.add_argument("--passes", type=int, default=3, help="timed passes per renderer (0: no timing)")
    parser.add_argument("--report", type=Path, help="write every disagreeing document to this file")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser.parse_args()


def load_roots(args: argparse.Namespace) -> dict[str, list[tuple[str, str]]]:
    """Return the documents of each root asked for; a missing corpus is skipped with a message."""
    roots: dict[str, list[tuple[str, str]]] = {}
    if args.only != "corpus":
        roots["content"] = load_documents(DEFAULT_CONTENT, args.limit)
    if args.only != "content":
        if args.corpus.is_dir():
            roots["corpus"] = load_documents(args.corpus, args.limit)
        else:
            print(f"no corpus at {args.corpus}: skipped", file=sys.stderr)
    return roots


def measure_speed(roots: dict[str, list[tuple[str, str]]], passes: int) -> Speed:
    """Return documents/s of ours, today's figure (if it loads), cmark-gfm on the corpus (else content)."""
    label = "corpus" if "corpus" in roots else "content"
    texts = [text for _, text in roots[label]]
    renderers: dict[str, Render] = {"ours": ours()}
    baseline = load_baseline(BASELINE_COMMIT)
    if isinstance(baseline, str):
        print(f"today's figure skipped: {baseline}", file=sys.stderr)
    else:
        renderers["today"] = baseline
    renderers["cmark-gfm"] = reference
    return Speed(label, len(texts), passes, time_passes(texts, renderers, passes))


def print_disagreeing(bad: list[Result], report: Path | None) -> None:
    """Print how many documents disagree, the first SHOWN_WITHOUT_REPORT unless ``report`` has them all."""
    print(f"\n{len(bad)} disagreeing documents")
    if report:
        print(f"all listed in {report}")
        return
    for result in bad[:SHOWN_WITHOUT_REPORT]:
        print(describe(result, DETAILS_PER_DOCUMENT))
    if len(bad) > SHOWN_WITHOUT_REPORT:
        print(f"... {len(bad) - SHOWN_WITHOUT_REPORT} more (use --report FILE for the full list)")


def main() -> int:
    """Audit, time and print; return 0 (the verdict is printed), 2 when there is nothing to read."""
    args = parse_args()
    roots = load_roots(args)
    if not any(roots.values()):
        print("no documents", file=sys.stderr)
        return 2
    started = time.perf_counter()
    render = ours()
    results = [result for root, documents in roots.items() for result in audit(root, documents, render)]
    audit_seconds = time.perf_counter() - started
    summaries = {root: summary(results, root) for root in roots}
    speed = measure_speed(roots, args.passes) if args.passes > 0 else None
    bad = [result for result in results if result.losses]
    if args.report:
        write_report(args.report, results)
    if args.json:
        print(json.dumps({"summaries": summaries, "speed": asdict(speed) if speed else None,
                          "disagreeing": [asdict(result) for result in bad]}, indent=1, ensure_ascii=False))
        return 0
    print(f"{len(results)} documents compared with cmark-gfm in {audit_seconds:.1f} s")
    print_table(summaries)
    print_causes(summaries)
    print("\nmost common details (documents)")
    for detail, count in common_details(results, 10):
        print(f"  {count:>5}  {detail}")
    if speed:
        print_speed(speed)
    print_disagreeing(bad, args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
