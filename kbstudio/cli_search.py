"""The ``index`` and ``search`` commands."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator, Sequence
from typing import BinaryIO, TextIO

from kbstudio.index.damage import IndexDamagedError
from kbstudio.index.indexer import IndexCancelled, IndexChanges
from kbstudio.index.search import SearchOptions, SearchResponse
from kbstudio.index.service import SearchService
from kbstudio.index.store import IndexLockedError, IndexUnwritableError
from kbstudio.kb import KnowledgeBase
from kbstudio.model import KINDS, STATUSES, TIERS
from kbstudio.names import shown_name
from kbstudio.sop.escalation_map import counted


class TerminalProgress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = done * 100 // total
        if percent == self._last:
            return
        self._last = percent
        filled = percent * 30 // 100
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _choices(value: str | None, allowed: tuple[str, ...], name: str, upper: bool = False
             ) -> tuple[str, ...] | None:
    if not value:
        return None
    items = tuple(v.strip().upper() if upper else v.strip().lower() for v in value.split(",") if v.strip())
    bad = [v for v in items if v not in allowed and not (name == "tier" and v == "UNTIERED")]
    if bad:
        raise argparse.ArgumentTypeError(f"--{name}: {', '.join(bad)} not one of {', '.join(allowed)}")
    return tuple("untiered" if v == "UNTIERED" else v for v in items)


def _note(message: str) -> None:
    print(f"kbstudio: {message}", file=sys.stderr)


def _note_skipped(changes: IndexChanges) -> None:
    for message in changes.skipped:
        _note(message)


def cmd_index(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Build or update the index of a KB and report what changed.

    Every index file is compared with its recorded checksum first; a damaged index is rebuilt.
    """
    service = SearchService(kb, args.index_dir)
    started = time.perf_counter()
    try:
        changes = service.ensure(progress=TerminalProgress("indexing"), rebuild=args.rebuild,
                                 verify=True)
        service.compact()   # merges the small segments many saves may have left
    finally:
        service.close()
    elapsed = time.perf_counter() - started
    _note_skipped(changes)
    if changes.resumed:
        _note(f"went on with the build that was interrupted: {changes.resumed} of {changes.documents} "
              "documents were indexed before")
    elif changes.not_resumed:
        _note(f"built from the start: {changes.not_resumed}")
    if changes.rebuilt:
        rate = changes.documents / elapsed if elapsed else 0.0
        reason = changes.reason + ("; rebuilt" if changes.damage else "")
        print(f"indexed {counted(changes.documents, 'document')} in {elapsed:.2f} s ({rate:.0f}/s)"
              f"{': ' + reason if reason else ''}")
    else:
        print(f"{counted(changes.documents, 'document')}; {len(changes.added)} added, "
              f"{len(changes.updated)} updated, {len(changes.removed)} removed in {elapsed:.2f} s")
    print(f"index: {service.store.home}", file=sys.stderr)
    return 0


def _options(args: argparse.Namespace) -> SearchOptions:
    return SearchOptions(
        tiers=_choices(args.tier, TIERS, "tier", upper=True),
        kinds=_choices(args.kind, KINDS, "kind"),
        statuses=_choices(args.status, STATUSES, "status"),
        limit=args.limit,
        sort=args.sort,
        correct=not args.as_typed,
    )


def _print_text(response: SearchResponse) -> None:
    """Print the results on stdout; what was corrected, the notes and the count on stderr."""
    bold = sys.stdout.isatty()
    if response.corrected:
        print(f'Showing results for "{response.corrected}"; search for "{response.query}" as typed '
              "with --as-typed", file=sys.stderr)
    for note in response.notes:
        print(note, file=sys.stderr)
    sys.stderr.flush()   # above the results on a terminal
    for number, hit in enumerate(response.results, 1):
        status = f"{hit.status}: kept for history, no longer applies" if hit.archived else hit.status
        badge = f"[{hit.tier or 'untiered'} {hit.kind} {status}]"
        print(f"{number:>2}. {hit.title}  {badge}  {hit.id}".rstrip())
        print(f"    {shown_name(hit.path)}")
        snippet = re.sub(r"</?b>", lambda m: ("\033[1m" if m.group(0) == "<b>" else "\033[0m")
                         if bold else "", hit.snippet)
        snippet = snippet.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") \
            .replace("&quot;", '"').replace("&#x27;", "'")
        if snippet:
            print(f"    {snippet}")
    more = f", {response.hidden_by_tier} more at other tiers" if response.hidden_by_tier else ""
    print(f"{counted(response.total, 'match', 'matches')}{more} ({response.took_ms:.1f} ms)", file=sys.stderr)


class _Searches:
    """Runs the queries of one ``search`` command: the index when it can, else a scan.

    A damaged index found by a query is rebuilt at once (with a message) and the query run again;
    an index that cannot be brought up to date (folder not writable, another writer holding the
    lock) is searched as it is, or the documents are scanned when there is none.
    """

    def __init__(self, service: SearchService) -> None:
        self.service = service
        self.progress = TerminalProgress("indexing")
        self.can_rebuild = True

    def prepare(self) -> None:
        """Bring the index up to date (building it when there is none)."""
        try:
            changes = self.service.ensure(progress=self.progress)
        except (IndexUnwritableError, IndexLockedError) as error:
            self.can_rebuild = False
            if self.service.open_existing():
                _note(f"{error}; searched the index as it was")
            else:
                self.service.use_scan(str(error))
                _note(f"{error}; searched the documents directly")
            return
        _note_skipped(changes)
        if changes.damage:
            _note(f"index was damaged ({changes.damage}); rebuilt")

    def run(self, query: str, options: SearchOptions) -> SearchResponse:
        """Return the response to one query."""
        response = self.service.search(query, options)
        damage = self.service.damage
        if damage is None or not self.can_rebuild:
            return response
        try:
            self.service.ensure(progress=self.progress)
        except (IndexUnwritableError, IndexLockedError) as error:
            self.can_rebuild = False
            _note(f"index was damaged ({damage}) and could not be rebuilt: {error}; "
                  "searched the documents directly")
            return response
        _note(f"index was damaged ({damage}); rebuilt")
        return self.service.search(query, options)


def _not_utf8(text: str) -> str | None:
    """Return what is wrong when ``text`` holds bytes that are not UTF-8 (surrogate escapes), else None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        byte = shown_name(text[error.start])
        return f"not valid UTF-8 (byte {byte} at character {error.start + 1})"
    return None


def _check_query_arguments(words: str | Sequence[str] | None) -> None:
    """Refuse a query argument that is not UTF-8 (a terminal or script in another encoding), by name.

    Python gives such bytes as surrogate escapes, which nothing can search or print.
    """
    for word in [words] if isinstance(words, str) else words or ():
        if (problem := _not_utf8(word)) is not None:
            raise argparse.ArgumentTypeError(f"query argument '{shown_name(word)}' is {problem}: nothing was "
                                             "searched; give the query in UTF-8")


def _batch_lines(source: str) -> Iterator[bytes]:
    """Yield the lines of a batch file ('-': stdin) as bytes, so that a line that is not UTF-8 is one line."""
    if source != "-":
        with open(source, "rb") as handle:
            yield from handle
        return
    stdin: BinaryIO | TextIO = getattr(sys.stdin, "buffer", sys.stdin)
    for line in stdin:   # a text stream (replaced stdin) holds text already
        yield line if isinstance(line, bytes) else line.encode("utf-8", "surrogateescape")


def _run_batch(source: str, searches: _Searches, options: SearchOptions) -> int:
    """Answer each line of ``source`` as a query, one JSON object a line, in the order of the lines.

    A line that is not UTF-8 is reported on stderr at its file and line and answered by
    ``{"query", "line", "error"}`` (the query as ``shown_name`` shows it), so that output line N
    still answers input line N; the other lines are searched. Returns 2 when a line was not
    searched, else 0.
    """
    name = "stdin" if source == "-" else shown_name(source)
    failed = 0
    for number, raw in enumerate(_batch_lines(source), 1):
        line = raw.rstrip(b"\r\n")
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):   # a byte order mark (Notepad)
            line = line[3:]
        query = line.decode("utf-8", "surrogateescape")   # each byte that is not UTF-8 kept apart
        if (problem := _not_utf8(query)) is not None:
            failed += 1
            shown = shown_name(query)
            _note(f"{name}:{number}: query '{shown}' is {problem}; it was not searched")
            print(json.dumps({"query": shown, "line": number, "error": problem}, ensure_ascii=False))
            continue
        print(json.dumps(searches.run(query, options).to_json(), ensure_ascii=False))
    return 2 if failed else 0


def cmd_search(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Search a KB (building its index first when needed); one query or a batch file."""
    options = _options(args)
    if args.batch is None:
        _check_query_arguments(args.query)
    query = " ".join(args.query or ())   # the words, as one query
    if args.batch is None and not args.query:
        raise argparse.ArgumentTypeError("give a QUERY or --batch FILE")
    service = SearchService(kb, args.index_dir)
    searches = _Searches(service)
    try:
        searches.prepare()
        if args.batch is not None:
            return _run_batch(args.batch, searches, options)
        response = searches.run(query, options)
    finally:
        service.close()
    if args.json:
        print(json.dumps(response.to_json(), ensure_ascii=False, indent=1))
    else:
        _print_text(response)
    return 0


def setup_index(index: argparse.ArgumentParser) -> None:
    """Add the ``index`` command's arguments."""
    index.add_argument("path", help="the knowledge base folder")
    index.add_argument("--rebuild", action="store_true", help="rebuild from scratch")
    index.add_argument("--index-dir", help="folder holding the indexes (default: user cache)")


def setup_search(search: argparse.ArgumentParser) -> None:
    """Add the ``search`` command's arguments.

    The query is every word after the KB, in one argument or several; a word starting with ``-``
    that is none of the options below is part of it (``-vpn`` excludes, as in the app), and so
    is everything after ``--``.
    """
    search.add_argument("path", help="the knowledge base folder")
    search.add_argument("query", nargs="*", metavar="QUERY",
                        help="what to look for (words, pasted errors, syntax; -word excludes)")
    search.add_argument("--tier", help="comma-separated tiers to show, e.g. L0,L1")
    search.add_argument("--kind", help="article or sop (comma-separated)")
    search.add_argument("--status", help="draft, review, published, archived (comma-separated)")
    search.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    search.add_argument("--sort", choices=("relevance", "changed"), default="relevance")
    search.add_argument("--as-typed", action="store_true",
                        help="search the words as typed: no spelling correction of unknown words")
    search.add_argument("--json", action="store_true", help="print one JSON object")
    search.add_argument("--batch", metavar="FILE",
                        help="one query per line ('-' for stdin); prints one JSON object per line")
    search.add_argument("--index-dir", help="folder holding the indexes (default: user cache)")


HANDLED_ERRORS = (IndexLockedError, IndexCancelled, IndexUnwritableError, IndexDamagedError,
                  argparse.ArgumentTypeError)
