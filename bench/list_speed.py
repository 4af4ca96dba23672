"""``kbstudio list`` on the corpus, on 25,000 documents and on 25,000 near-duplicates (bench/scale.py).

Usage: python bench/list_speed.py [--keep DIR] [--runs 3] [--before SRC] [--only KB]

``kbstudio list`` runs end to end from this tree (``kbstudio.cli_list``: fields from front
matter, no text kept) and, with ``--before``, from an older tree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import arguments, run_scale  # noqa: E402


def main() -> int:
    """Print the table."""
    args = arguments(__doc__.splitlines()[0]).parse_args()
    run_scale(args, {"list --json": ["list", "{kb}", "--json"], "list (table)": ["list", "{kb}"]},
              {"25k": "<= 4 s", "25k near-duplicates": "<= 4 s"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
