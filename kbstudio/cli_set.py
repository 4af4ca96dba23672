"""The ``set`` command: change front-matter fields of one or many documents from the command line."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from kbstudio.docedit import DocumentEditError, FieldUpdate, edit_document, resolve_document
from kbstudio.fields import FIELDS, LIST, FieldValueError
from kbstudio.fields import field as field_named
from kbstudio.fmedit import FrontMatterEditError
from kbstudio.kb import KnowledgeBase
from kbstudio.names import shown_name
from kbstudio.reader import read_document
from kbstudio.storage import ExternalChangeError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)=(.*)", re.DOTALL)

DESCRIPTION = """\
Change front-matter fields of one or more documents, in place: only the changed fields' lines
change; line endings, a byte-order mark, comments, key order and other keys stay as they are.

FILEs are paths relative to the KB (or to the current folder), before the FIELD=VALUE pairs.
A list field takes comma-separated values (tags=vpn,wifi). FIELD= removes the field, or for a
list field writes an empty list. Every value is checked, and every file read, before anything is
written: an invalid value or an unreadable file changes no file. A document that already has the
values is left untouched.

fields: {fields}

exit codes: 0 done (or nothing to change), 1 a value is invalid for its field (nothing written) or
a file changed on disk while saving, 2 bad usage: unknown file, field or syntax, or a document
whose front matter cannot be read (nothing written)."""


class _Usage(Exception):
    pass


def _split(items: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    files: list[str] = []
    assignments: list[tuple[str, str]] = []
    for item in items:
        match = _ASSIGNMENT.fullmatch(item)
        if match is not None:
            assignments.append((match.group(1), match.group(2)))
        elif assignments:
            raise _Usage(f"'{item}': give the files first, then FIELD=VALUE pairs")
        else:
            files.append(item)
    if not files:
        raise _Usage("name at least one document to change")
    if not assignments:
        raise _Usage("give at least one FIELD=VALUE to set (FIELD= to remove it)")
    return files, assignments


def _changes(assignments: list[tuple[str, str]]) -> dict[str, Any]:
    """Return the typed changes; _Usage for an unknown or repeated field, FieldValueError for a value."""
    changes: dict[str, Any] = {}
    for name, text in assignments:
        try:
            known = field_named(name)
        except KeyError as error:
            raise _Usage(error.args[0]) from None
        if name in changes:
            raise _Usage(f"{name} is given twice")
        value = known.from_input(text)
        changes[name] = [] if value is None and known.type == LIST else value
    return changes


def cmd_set(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Set front-matter fields of documents; see DESCRIPTION."""
    try:
        files, assignments = _split(args.items)
        changes = _changes(assignments)
        if "id" in changes and len(files) > 1:
            raise _Usage("an id belongs to one document: set it on one file at a time")
        updates = _prepare(kb, files, changes)
    except _Usage as error:
        print(f"kbstudio: {error}", file=sys.stderr)
        return EXIT_USAGE
    except FieldValueError as error:
        print(f"kbstudio: {error}; nothing was written", file=sys.stderr)
        return EXIT_INVALID
    saved: list[FieldUpdate] = []
    if not args.dry_run:
        for update in updates:
            try:
                update.save()
            except ExternalChangeError as error:
                _report(saved, args.json)
                print(f"kbstudio: {error}; {len(saved)} of {len(updates)} documents were written",
                      file=sys.stderr)
                return EXIT_INVALID
            saved.append(update)
    _report(updates, args.json)
    changed = sum(1 for update in updates if update.changed)
    what = "would change" if args.dry_run else "changed"
    print(f"{changed} document{'s' * (changed != 1)} {what}, {len(updates) - changed} already had "
          "these values", file=sys.stderr)
    return EXIT_OK


def _prepare(kb: KnowledgeBase, files: list[str], changes: dict[str, Any]) -> list[FieldUpdate]:
    updates: list[FieldUpdate] = []
    seen: set[str] = set()
    for name in files:
        try:
            path = resolve_document(kb.root, name)
            document = read_document(path, kb.root)
            if document.rel_path in seen:
                continue
            seen.add(document.rel_path)
            updates.append(edit_document(document, changes))
        except (DocumentEditError, FrontMatterEditError) as error:
            message = str(error)
            if isinstance(error, FrontMatterEditError) and not message.startswith(name):
                message = f"{name}: {message}"
            raise _Usage(message + "; nothing was written") from None
    return updates


def _report(updates: list[FieldUpdate], as_json: bool) -> None:
    if as_json:
        print(json.dumps([update.to_json() for update in updates], ensure_ascii=False, indent=1))
        return
    for update in updates:
        if update.changed:
            print(f"{shown_name(update.rel_path)}: " + "; ".join(str(change) for change in update.changes))


def setup_set(parser: argparse.ArgumentParser) -> None:
    """Add the ``set`` command's arguments, description and usage."""
    parser.description = DESCRIPTION.format(fields=", ".join(f.name for f in FIELDS))
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.usage = "kbstudio set [-h] [--dry-run] [--json] PATH FILE [FILE ...] FIELD=VALUE [FIELD=VALUE ...]"
    parser.add_argument("path", help="the knowledge base folder")
    parser.add_argument("items", nargs="+", metavar="FILE... FIELD=VALUE...",
                        help="documents to change, then the fields to set")
    parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    parser.add_argument("--json", action="store_true", help="print what changed as one JSON array")
