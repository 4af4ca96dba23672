"""Worst-case render time: inputs known to stall Markdown parsers, through the budgeted renderer.

Usage: python bench/render_worst.py [--sizes 1,5] [--runs 3] [--corpus DIR]

Every case is generated at each size (MB, capped at the 5 MB document limit) and rendered by
``BudgetedRenderer`` with a warm child (start-up is not part of the budget; it is printed on its
own). A run's time is the whole ``render`` call, fallback construction included, from the caller's
side. Prints the child's start-up and per-render overhead, then the ten slowest cases by median of
``--runs`` runs, and whether the issue's bar holds: at most 1.5 s to HTML or plain-text fallback
for any input up to 5 MB (checked on the slowest single run, not the median).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbstudio.render_budget import BudgetedRenderer  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "officedocs-support"
TYPICAL_ARTICLE = "SkypeforBusiness/SkypeServer/server-sign-in/authentication-fails-pin-sign-in.md"
BAR_S = 1.5            # the issue: worst case to HTML or fallback, any input up to 5 MB
MAX_MB = 5             # the app's document size limit
MB = 1_000_000


def repeat(unit: str) -> Callable[[int], str]:
    """Return a generator of ``unit`` repeated to ``size`` characters."""
    return lambda size: unit * (size // len(unit))


def lines_until(make_line: Callable[[int], str]) -> Callable[[int], str]:
    """Return a generator of lines ``make_line(0), make_line(1), ...`` up to ``size`` characters."""
    def generate(size: int) -> str:
        out, total, index = [], 0, 0
        while total < size:
            line = make_line(index)
            out.append(line)
            total += len(line) + 1
            index += 1
        return "\n".join(out)[:size]
    return generate


def table_rows(columns: int) -> Callable[[int], str]:
    """Return a generator of a pipe table with ``columns`` columns, rows up to ``size`` characters."""
    def generate(size: int) -> str:
        head = "|" + " h |" * columns + "\n" + "|" + "---|" * columns + "\n"
        row = "|" + " x |" * columns + "\n"
        return head + row * max(1, (size - len(head)) // len(row))
    return generate


def references(size: int) -> str:
    """Reference definitions, then a paragraph using each of them."""
    count = size // 60
    defs = "".join(f"[r{i}]: https://example.com/{i} \"t{i}\"\n" for i in range(count))
    return defs + "\n" + " ".join(f"[x][r{i}]" for i in range(count))


def backtick_runs(size: int) -> str:
    """Backtick runs of every length 1, 2, 3, ...: code spans that never close."""
    out, total, k = [], 0, 1
    while total < size:
        out.append("`" * k + " a ")
        total += k + 3
        k += 1
    return "".join(out)[:size]


def prose(corpus: Path) -> Callable[[int], str]:
    """Return a generator of real articles (front matter dropped) back to back up to ``size``."""
    def generate(size: int) -> str:
        texts: list[str] = []
        total = 0
        sources = sorted(corpus.rglob("*.md")) if corpus.is_dir() else []
        for path in sources:
            text = path.read_text("utf-8", errors="replace")
            if text.startswith("---"):
                text = text.split("\n---", 2)[-1]
            texts.append(text)
            total += len(text)
            if total >= size:
                break
        if not texts:   # no corpus: plain sentences in paragraphs
            texts = ["The quick brown fox jumps over the lazy dog. " * 10 + "\n\n"]
        joined = "\n\n".join(texts)
        return (joined * (size // max(1, len(joined)) + 1))[:size]
    return generate


def cases(corpus: Path) -> dict[str, Callable[[int], str]]:
    """Return every case by name, each a function of the target size in characters."""
    return {
        "emphasis openers '*a'": repeat("*a"),
        "link openers '['": repeat("["),
        "deep quotes '> ' * i + 'x'": lines_until(lambda i: "> " * i + "x"),
        "deep lists '  ' * i + '- x'": lines_until(lambda i: "  " * i + "- x"),
        "backticks '`'": repeat("`"),
        "backtick runs of growing length": backtick_runs,
        "less-than '<'": repeat("<"),
        "image openers '!['": repeat("!["),
        "strong markers '**'": repeat("**"),
        "underscore emphasis '_a'": repeat("_a"),
        "mixed emphasis '*_**__a'": repeat("*_**__a"),
        "table, rows of 1,000 columns": table_rows(1000),
        "table, many 2-column rows": table_rows(2),
        "nested <div>": lambda size: "<div>" * (size // 12) + "x" + "</div>" * (size // 12),
        "backslashes '\\'": repeat("\\"),
        "reference definitions and uses": references,
        "list markers '- ' on one line": repeat("- "),
        "huge single word": repeat("a"),
        "HTML comment openers '<!--'": repeat("<!--"),
        "link destinations '[a]('": repeat("[a]("),
        "entity openers '&#'": repeat("&#"),
        "headings '# h'": repeat("# h\n"),
        "many short paragraphs": repeat("a\n\n"),
        "control: corpus prose": prose(corpus),
    }


def measure_overhead(renderer: BudgetedRenderer, corpus: Path, repeat_count: int = 30) -> None:
    """Print child start-up (s) and the process hop's cost per render (ms) on a typical article."""
    from kbstudio.render import MarkdownRenderer

    renderer.close()
    started = time.perf_counter()
    renderer.start()
    renderer.render("# warm")
    print(f"child start to first result: {time.perf_counter() - started:.3f} s (not counted in the budget)")
    path = corpus / TYPICAL_ARTICLE
    if not path.is_file():
        print(f"no typical article at {path}: per-render overhead not measured")
        return
    text = path.read_text("utf-8")
    direct, hop = [], []
    for _ in range(repeat_count):
        begin = time.perf_counter()
        MarkdownRenderer().convert(text, base_dir=path.parent)
        direct.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        renderer.render(text, path.parent)
        hop.append(time.perf_counter() - begin)
    inside, via = statistics.median(direct) * 1000, statistics.median(hop) * 1000
    print(f"typical article ({len(text):,} chars): {inside:.1f} ms in process, {via:.1f} ms via the "
          f"child: {via - inside:.1f} ms overhead per render (median of {repeat_count})")


def main() -> int:
    """Print the table; exit 1 when the bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5", help="sizes in MB, comma-separated (at most 5)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case; the median is shown")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    sizes = [min(float(s), MAX_MB) for s in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} cores; budget {1.0:g} s; bar {BAR_S:g} s")
    results: list[tuple[str, int, float, float, str]] = []
    started = time.perf_counter()
    with BudgetedRenderer() as renderer:
        measure_overhead(renderer, args.corpus)
        for name, generate in cases(args.corpus).items():
            for size_mb in sizes:
                text = generate(int(size_mb * MB))
                times, outcome = [], ""
                for _ in range(args.runs):
                    renderer.render("# warm")   # a warm child: start-up is not part of the budget
                    begin = time.perf_counter()
                    result = renderer.render(text)
                    times.append(time.perf_counter() - begin)
                    outcome = result.fallback or "rendered"
                results.append((name, len(text), statistics.median(times), max(times), outcome))
    results.sort(key=lambda r: r[2], reverse=True)
    print(f"\n{len(results)} inputs x {args.runs} runs in {time.perf_counter() - started:.0f} s; "
          "the ten slowest (median):")
    print(f"{'input':<36}{'size':>9}{'median s':>10}{'worst s':>9}  outcome")
    for name, size, median, worst, outcome in results[:10]:
        print(f"{name:<36}{size / MB:>7.2f}MB{median:>10.3f}{worst:>9.3f}  {outcome}")
    fallbacks = sum(1 for r in results if r[4] != "rendered")
    rendered = sorted(f"{r[0]} ({r[1] / MB:.1f} MB, {r[2]:.2f} s)" for r in results if r[4] == "rendered")
    print("\nrendered to HTML in time: " + ("; ".join(rendered) or "none"))
    slowest = max(results, key=lambda r: r[3])
    met = slowest[3] <= BAR_S
    print(f"\n{fallbacks} of {len(results)} inputs fell back to plain text; slowest single run "
          f"{slowest[3]:.3f} s ({slowest[0]}, {slowest[1] / MB:.2f} MB): "
          f"{'meets' if met else 'MISSES'} the {BAR_S:g} s bar")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
