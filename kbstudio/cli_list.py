"""The ``list`` command: every document of a KB with its fields and problems.

It reads each document's front matter into a ``DocumentInfo`` (``KnowledgeBase.scan``): the same
fields and problems as reading whole documents, without keeping any text. A 25,000-document KB
listed in 16.7 s holding every document twice in memory; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kbstudio.fields import LIST_COLUMNS
from kbstudio.jsonout import json_array_pieces
from kbstudio.kb import KnowledgeBase
from kbstudio.model import ERROR, DocumentFields
from kbstudio.names import shown_name
from kbstudio.workers import worker_count

EXIT_OK, EXIT_PROBLEMS = 0, 1


def setup_list(listing: argparse.ArgumentParser) -> None:
    """Add the ``list`` command's arguments."""
    listing.add_argument("path", help="the knowledge base folder")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.add_argument("-v", "--verbose", action="store_true", help="also print untiered notices")


def table_rows(documents: Sequence[DocumentFields]) -> list[list[str]]:
    """Return the rows of the listing: a header, then one row per document (`` !``: it has problems)."""
    rows = [[field.name.upper() for field in LIST_COLUMNS] + ["PATH"]]   # columns: kbstudio.fields
    for doc in documents:
        flag = " !" if doc.problems else ""
        rows.append([field.cell(doc.shown(field.name)) for field in LIST_COLUMNS]
                    + [shown_name(doc.rel_path) + flag])
    return rows


def table_text(rows: list[list[str]]) -> str:
    """Return ``rows`` as aligned columns, the last one not padded, one line each."""
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip() + "\n")
    return "".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    """List every document with its fields and problems; exit 1 when a file could not be read."""
    if not Path(args.path).is_dir():
        raise argparse.ArgumentTypeError(
            f"{args.path}: not a folder (a knowledge base is a folder of Markdown files)")
    documents = KnowledgeBase(Path(args.path)).scan(workers=worker_count())   # forked workers: CLI only
    has_errors = any(p.severity == ERROR for doc in documents for p in doc.problems)
    if args.json:
        # Written in pieces of many documents: through the safe output, json.dump's write per
        # token cost a second on a big KB.
        for piece in json_array_pieces(doc.summary() for doc in documents):
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    elif documents:
        sys.stdout.write(table_text(table_rows(documents)))   # 25,000 rows: about 4 MB
    with_problems = [doc for doc in documents if doc.problems]
    if not args.json:
        notices = [str(problem) + "\n" for doc in with_problems for problem in doc.problems
                   if problem.rule != "untiered" or args.verbose]
        sys.stderr.write("".join(notices))
    untiered = sum(1 for doc in documents if doc.tier is None and doc.readable)
    print(f"{len(documents)} documents, {untiered} untiered, "
          f"{len(with_problems)} with problems", file=sys.stderr)
    return EXIT_PROBLEMS if has_errors else EXIT_OK
