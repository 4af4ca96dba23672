"""``kbstudio list`` on the corpus, on 25,000 documents and on 25,000 near-duplicates (bench/scale.py).

Usage: python bench/list_speed.py [--keep DIR] [--runs 3] [--before SRC] [--only KB]

The list command here is ``kbstudio.cli_list`` (fields from front matter, no text kept), run
the way ``kbstudio list`` dispatches it; ``--before`` runs ``kbstudio list`` from an older tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import arguments, run_scale  # noqa: E402

# kbstudio.cli_list's handler through the CLI's safe output, as the command registry runs it.
RUN_LIST = """
import argparse, sys
from kbstudio.cli import safe_output
from kbstudio.cli_list import cmd_list, setup_list
parser = argparse.ArgumentParser(prog="kbstudio list")
setup_list(parser)
args = parser.parse_args(sys.argv[1:])
with safe_output(json_stdout=args.json):
    sys.exit(cmd_list(args))
"""


def ours(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Return the command line running this tree's list command with ``argv`` (after ``list``)."""
    return [sys.executable, "-P", "-c", RUN_LIST, *argv[1:]], dict(os.environ, PYTHONPATH=str(ROOT))


def main() -> int:
    """Print the table."""
    args = arguments(__doc__.splitlines()[0]).parse_args()
    run_scale(args, {"list --json": ["list", "{kb}", "--json"], "list (table)": ["list", "{kb}"]},
              {"25k": "<= 4 s", "25k near-duplicates": "<= 4 s"}, ours)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
