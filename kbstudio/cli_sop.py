"""The ``sop``, ``handoff``, ``escalate`` and ``map`` commands: run escalation SOPs from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

from kbstudio.handoff import AnswersError, HandoffNote, SopRun, build_note, run_from_answers, sop_version
from kbstudio.kb import KnowledgeBase
from kbstudio.kbconfig import load_kb_config
from kbstudio.model import ERROR, TIERS, Document
from kbstudio.names import shown_name
from kbstudio.sop import (
    Sop,
    escalation_map,
    escalation_map_svg,
    find_document,
    parse_sop,
    plain_text,
    rank_sops_for_article,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Failed(Exception):
    """A usage or input error already worded for the user: exit code 2."""


def _fail(error: _Failed) -> int:
    print(f"kbstudio: {error}", file=sys.stderr)
    return EXIT_USAGE


def _load_sop(kb: KnowledgeBase, key: str) -> tuple[Sop, list[Document]]:
    documents = kb.load_all()
    document = find_document(documents, key)
    if document is None:
        known = ", ".join(sorted(doc.id or doc.rel_path for doc in documents if doc.kind == "sop")) or "none"
        raise _Failed(f"no SOP '{key}' in {kb.root} (SOPs: {known})")
    if document.kind != "sop":
        raise _Failed(f"{key} is an {document.kind}, not an SOP ({shown_name(document.rel_path)})")
    if not document.readable:
        raise _Failed(f"{shown_name(document.rel_path)}: cannot be read: {document.problems[0].message}")
    return parse_sop(document), documents


def _print_problems(sop: Sop) -> None:
    for problem in sop.problems:
        print(problem, file=sys.stderr)


def _block(title: str, lines: list[str], hang: str = "     ") -> None:
    print(f"\n{title}")
    for line in lines or ["(none)"]:
        print(textwrap.fill(line, 100, initial_indent="  ", subsequent_indent=hang))


def _print_sop(sop: Sop) -> None:
    print(f"{sop.id or '-'}  {sop.title}")
    print(f"{sop.tier or '?'} -> {sop.escalates_to or '?'}  {sop.target.team or ''}".rstrip())
    if sop.target.how:
        print(textwrap.fill(f"How: {plain_text(sop.target.how)}", 100, subsequent_indent="     "))
    print(f"Path: {shown_name(sop.rel_path)}")
    _block("Scope", [plain_text(part) for part in sop.scope.split("\n\n") if part], hang="  ")
    _block("When to escalate", [f"- {plain_text(item)}" for item in sop.criteria])
    _block("Before escalating", [f"{n}. [ ] {check.plain}" for n, check in enumerate(sop.checks, 1)])
    _block("Information to collect", [
        f"- {item.name} ({'required' if item.required else 'optional'}{', long' if item.long else ''})"
        + (f": {item.plain_hint}" if item.hint else "") for item in sop.collect])
    _block("Steps", [f"{n}. {plain_text(step)}" for n, step in enumerate(sop.steps, 1)])
    _block("Time limits", [
        f"- {limit.label}: {plain_text(limit.text)}" for limit in sop.time_limits])


def cmd_sop(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Show one SOP parsed into its parts, as text or JSON."""
    try:
        sop, _ = _load_sop(kb, args.sop_id)
    except _Failed as error:
        return _fail(error)
    if args.json:
        data = sop.to_json()
        data["version"] = sop_version(sop)
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        _print_sop(sop)
    _print_problems(sop)
    return EXIT_PROBLEMS if any(problem.severity == ERROR for problem in sop.problems) else EXIT_OK


def read_answers(sop: Sop, name: str, documents: list[Document] | None = None) -> SopRun:
    """Read an answers JSON file ('-' for stdin) into a run, wording every failure for the user."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        name = "stdin" if name == "-" else name
    except OSError as error:
        raise _Failed(f"{name}: cannot read the answers file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise _Failed(f"{name}: the answers file is not UTF-8 text") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Failed(f"{name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    try:
        return run_from_answers(sop, data, documents)
    except AnswersError as error:
        raise _Failed(f"{name}: {error}") from None


def cmd_handoff(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Print the hand-off note for an SOP run, or a blank template without answers."""
    try:
        sop, documents = _load_sop(kb, args.sop_id)
        run = read_answers(sop, args.answers, documents) if args.answers else None
    except _Failed as error:
        return _fail(error)
    config = load_kb_config(kb.root)
    for problem in config.problems:
        print(f"kbstudio: warning: {problem}", file=sys.stderr)
    now = datetime.now(run.started.tzinfo) if run and run.started else None
    note = build_note(sop, run, version=sop_version(sop), documents=documents, now=now, config=config)
    print(note.markdown() if args.markdown else note.text(), end="")
    if note.missing:
        print(f"kbstudio: {len(note.missing)} required field(s) missing: {'; '.join(note.missing)}",
              file=sys.stderr)
        return EXIT_PROBLEMS
    if run is not None and not args.no_record:
        _record_use(kb, sop, run, note, documents, args.tier)
    return EXIT_OK


def _record_use(kb: KnowledgeBase, sop: Sop, run: SopRun, note: HandoffNote, documents: list[Document],
                tier: str | None) -> None:
    """Record the finished run in the use ledger (kbstudio.loop.handoff); a failure is a warning only."""
    from kbstudio.loop.handoff import AlreadyRecordedError, record_handoff
    from kbstudio.loop.records import RecordError
    from kbstudio.loop.service import KnowledgeLoop

    try:
        recorded = record_handoff(KnowledgeLoop.open(kb), sop, run, note, documents, tier=tier)
    except AlreadyRecordedError as error:
        print(f"kbstudio: note: {error}", file=sys.stderr)
        return
    except (RecordError, OSError) as error:
        print(f"kbstudio: warning: the use was not recorded: {error}", file=sys.stderr)
        return
    if recorded is not None:
        print(f"kbstudio: use recorded ({recorded.record.outcome}) in {shown_name(recorded.file)}",  # type: ignore[union-attr]
              file=sys.stderr)


def cmd_escalate(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Print the SOP to follow when an article did not solve the problem."""
    documents = kb.load_all()
    article = find_document(documents, args.article)
    if article is None:
        return _fail(_Failed(f"no document '{args.article}' in {kb.root}"))
    ranked = rank_sops_for_article(article, documents, limit=args.limit)
    if args.json:
        print(json.dumps([{"id": m.document.id, "title": m.document.title, "path": m.document.rel_path,
                           "tier": m.document.tier, "escalates_to": m.document.escalates_to,
                           "linked": m.linked, "score": round(m.score, 2), "reasons": list(m.reasons)}
                          for m in ranked], ensure_ascii=False, indent=1))
    for match in ranked if not args.json else []:
        print(f"{match.document.id or '-'}  {match.document.title}  [{match.document.tier or '?'} -> "
              f"{match.document.escalates_to or '?'}]  {match.document.rel_path}")
        print(f"    {'; '.join(match.reasons)}")
    if not ranked:
        print(f"no SOP applies to {shown_name(article.rel_path)}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_map(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Print the escalation map (tiers, article counts, SOP arrows) or export it as SVG."""
    emap = escalation_map(kb.load_all())
    if args.svg:
        svg = escalation_map_svg(emap, title=f"Escalation map: {kb.name}")
        if args.svg == "-":
            sys.stdout.write(svg)
        else:
            Path(args.svg).write_text(svg, encoding="utf-8")
            print(f"wrote {args.svg}", file=sys.stderr)
    elif args.json:
        print(json.dumps(emap.to_json(), ensure_ascii=False, indent=1))
    else:
        print(f"TIER  {'NAME':<28} ARTICLES  SOPS")
        for column in emap.tiers:
            print(f"{column.tier}    {column.name:<28} {column.articles:>8}  {column.sops:>4}")
        print()
        for edge in emap.edges:
            flag = "" if edge.upward else "  (does not escalate upward)"
            print(f"{edge.from_tier} -> {edge.to_tier}  {edge.sop_id or '-'}  {edge.title}{flag}")
    for path, why in emap.unmapped:
        print(f"{shown_name(path)}: not on the map: {why}", file=sys.stderr)
    downward = [edge for edge in emap.edges if not edge.upward]
    return EXIT_PROBLEMS if emap.unmapped or downward else EXIT_OK


def setup_sop(sop: argparse.ArgumentParser) -> None:
    """Add the ``sop`` command's arguments."""
    sop.add_argument("path", help="the knowledge base folder")
    sop.add_argument("sop_id", metavar="SOP_ID", help="the SOP's id (SOP-0003) or its path in the KB")
    sop.add_argument("--json", action="store_true", help="print one JSON object")


def setup_handoff(handoff: argparse.ArgumentParser) -> None:
    """Add the ``handoff`` command's arguments."""
    handoff.add_argument("path", help="the knowledge base folder")
    handoff.add_argument("sop_id", metavar="SOP_ID", help="the SOP's id (SOP-0003) or its path in the KB")
    handoff.add_argument("--answers", metavar="FILE.json",
                         help="the run's answers ('-' for stdin; see docs/sops.md); without: a blank note")
    handoff.add_argument("--markdown", action="store_true", help="print Markdown instead of plain text")
    handoff.add_argument("--no-record", action="store_true",
                         help="do not record the run in the KB's use ledger (.kbstudio/usage/)")
    handoff.add_argument("--tier", type=str.upper, choices=TIERS,
                         help="the tier you work at, for the use ledger (default: the SOP's tier)")


def setup_escalate(escalate: argparse.ArgumentParser) -> None:
    """Add the ``escalate`` command's arguments."""
    escalate.add_argument("path", help="the knowledge base folder")
    escalate.add_argument("article", metavar="ARTICLE", help="the article's id (KB-0002) or its path")
    escalate.add_argument("--limit", type=int, default=3, help="how many candidates (default 3)")
    escalate.add_argument("--json", action="store_true", help="print one JSON array")


def setup_map(emap: argparse.ArgumentParser) -> None:
    """Add the ``map`` command's arguments."""
    emap.add_argument("path", help="the knowledge base folder")
    emap.add_argument("--json", action="store_true", help="print one JSON object")
    emap.add_argument("--svg", metavar="FILE", help="write the map as SVG ('-' for stdout)")
