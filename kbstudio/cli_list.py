"""The ``list`` command: every document of a KB with its fields and problems.

It reads each document's front matter into a ``DocumentInfo`` (``kbstudio.reader.read_info``, as
``KnowledgeBase.scan`` does): the same fields and problems as reading whole documents, without
keeping any text, in worker processes that also render each entry. A 25,000-document KB listed in
16.7 s holding every document twice in memory; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple

from kbstudio.fields import LIST_COLUMNS
from kbstudio.jsonout import item_text, json_array_of_texts
from kbstudio.kb import SCAN_CHUNK, KnowledgeBase
from kbstudio.model import ERROR, DocumentFields, Problem
from kbstudio.names import shown_name
from kbstudio.reader import read_info
from kbstudio.workers import map_chunks, worker_count

EXIT_OK, EXIT_PROBLEMS = 0, 1


def setup_list(listing: argparse.ArgumentParser) -> None:
    """Add the ``list`` command's arguments."""
    listing.add_argument("path", help="the knowledge base folder")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.add_argument("-v", "--verbose", action="store_true", help="also print untiered notices")


class Listed(NamedTuple):
    """One document as the listing prints it, made where its file was read (a worker process):
    its JSON item or table cells, and what the summary line and the notices need."""

    json_item: str | None          # ``item_text(summary())``, for --json
    cells: list[str] | None        # the table row, else
    problems: tuple[Problem, ...]
    untiered: bool


def _row(doc: DocumentFields) -> list[str]:
    """Return a document's table row (`` !`` after the path: it has problems)."""
    flag = " !" if doc.problems else ""
    return [field.cell(doc.shown(field.name)) for field in LIST_COLUMNS] + [shown_name(doc.rel_path) + flag]


def table_rows(documents: Sequence[DocumentFields]) -> list[list[str]]:
    """Return the rows of the listing: a header, then one row per document (`` !``: it has problems)."""
    return [[field.name.upper() for field in LIST_COLUMNS] + ["PATH"], *map(_row, documents)]


def table_text(rows: list[list[str]]) -> str:
    """Return ``rows`` as aligned columns, the last one not padded, one line each."""
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip() + "\n")
    return "".join(lines)


def _listed(root: Path, as_json: bool, paths: Sequence[Path]) -> list[Listed]:
    """Read the documents at ``paths`` and make their listing entries (a worker process's share).

    The JSON and the table cells are made here, beside the reading, rather than in the process
    that prints: at 25,000 documents that was a second of work no other core could share.
    """
    listed = []
    for path in paths:
        info = read_info(path, root, walked=True)
        listed.append(Listed(item_text(info.summary()) if as_json else None, None if as_json else _row(info),
                             tuple(info.problems), info.tier is None and info.readable))
    return listed


def cmd_list(args: argparse.Namespace) -> int:
    """List every document with its fields and problems; exit 1 when a file could not be read."""
    if not Path(args.path).is_dir():
        raise argparse.ArgumentTypeError(
            f"{args.path}: not a folder (a knowledge base is a folder of Markdown files)")
    kb = KnowledgeBase(Path(args.path))
    paths = list(kb.iter_paths())
    # forked workers where that is safe (the command line), each reading and rendering its share
    documents = list(map_chunks(partial(_listed, kb.root, args.json), paths, worker_count(), SCAN_CHUNK))
    has_errors = any(p.severity == ERROR for doc in documents for p in doc.problems)
    if args.json:
        # Written in pieces of many documents: through the safe output, json.dump's write per
        # token cost a second on a big KB.
        for piece in json_array_of_texts(doc.json_item or "" for doc in documents):
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    elif documents:
        header = [field.name.upper() for field in LIST_COLUMNS] + ["PATH"]
        sys.stdout.write(table_text([header, *(doc.cells or [] for doc in documents)]))   # 25,000 rows: 4 MB
    with_problems = [doc for doc in documents if doc.problems]
    if not args.json:
        notices = [str(problem) + "\n" for doc in with_problems for problem in doc.problems
                   if problem.rule != "untiered" or args.verbose]
        sys.stderr.write("".join(notices))
    untiered = sum(1 for doc in documents if doc.untiered)
    print(f"{len(documents)} documents, {untiered} untiered, "
          f"{len(with_problems)} with problems", file=sys.stderr)
    return EXIT_PROBLEMS if has_errors else EXIT_OK
