"""Knowledge-loop speed: reading a year of a busy help desk's records, grouping its gaps, the figures.

Usage: python bench/loop_speed.py [--uses N] [--gaps N] [--flags N] [--people N] [--keep DIR]

Writes a copy of the demo KB with N uses, flags and gaps spread over 12 months and ``--people``
agents (one file per person and month, as the app writes them; fixed seed), then times, in this
run on this machine: reading every record (``read_uses``/``read_flags``/``read_gaps``), grouping
the gaps (``group_gaps``), and the whole dashboard part (``knowledge_board``: all of it, no git).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbstudio.kb import KnowledgeBase  # noqa: E402
from kbstudio.loop.board import knowledge_board  # noqa: E402
from kbstudio.loop.flags import REASONS, append_flag_event, make_open_event, read_flags  # noqa: E402
from kbstudio.loop.gap_groups import group_gaps  # noqa: E402
from kbstudio.loop.gaps import GAP_KINDS, append_gap, make_gap, read_gaps  # noqa: E402
from kbstudio.loop.identity import Agent  # noqa: E402
from kbstudio.loop.ledger import OUTCOMES, UseRequest, append_use, make_use, read_uses  # noqa: E402

WORDS = ("outlook password vpn printer wifi teams camera laptop drive share mfa token badge screen "
         "keeps asking slow offline error black frozen sync locked expired reset cannot connect").split()


def _timed(label: str, work):  # noqa: ANN001, ANN202 - a bench helper
    started = time.perf_counter()
    result = work()
    print(f"{label:<40} {time.perf_counter() - started:8.3f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uses", type=int, default=50_000)
    parser.add_argument("--gaps", type=int, default=10_000)
    parser.add_argument("--flags", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="write the KB here (kept) instead of a temporary folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp()) / "kb"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "content", folder)
    kb = KnowledgeBase(folder)
    documents = kb.load_all()
    rng = random.Random(16)
    people = [Agent(f"Agent {n}", f"agent{n}@example.com") for n in range(args.people)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    when = lambda: start + timedelta(seconds=rng.randrange(365 * 86400))  # noqa: E731
    def writing() -> None:
        for _ in range(args.uses):
            agent, document, outcome = rng.choice(people), rng.choice(documents), rng.choice(OUTCOMES)
            entry = make_use(UseRequest(outcome, sop="SOP-0001" if outcome == "escalated" else None,
                                        tier=rng.choice(("L1", "L2"))), agent, document, None, when())
            append_use(folder, entry, agent, "d1")
        for _ in range(args.flags):
            agent = rng.choice(people)
            event = make_open_event(rng.choice(documents), rng.choice(REASONS), agent, now=when())
            append_flag_event(folder, event, agent, "d1")
        for _ in range(args.gaps):
            agent = rng.choice(people)
            query = " ".join(rng.sample(WORDS, rng.randint(2, 4)))
            append_gap(folder, make_gap(query, rng.choice(GAP_KINDS), agent, now=when()), agent, "d1")
    _timed(f"write {args.uses} uses, {args.flags} flags, {args.gaps} gaps", writing)
    uses = _timed("read_uses", lambda: read_uses(folder))
    _timed("read_flags", lambda: read_flags(folder))
    gaps = _timed("read_gaps", lambda: read_gaps(folder))
    groups = _timed("group_gaps", lambda: group_gaps(gaps.items()))
    board = _timed("knowledge_board (everything, no git)",
                   lambda: knowledge_board(kb, documents, None, start + timedelta(days=365)))
    files = len(list((folder / ".kbstudio").rglob("*.jsonl")))
    print(f"{len(uses.records)} uses, {len(groups)} gap groups, {files} files; "
          f"link rate {board.figures.link_rate}, open gaps {board.figures.open_gaps}")
    if args.keep is None:
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
