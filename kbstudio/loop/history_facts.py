"""What the knowledge health figures need from git history, read in two ``git log`` passes.

1. Every non-merge commit that changed a KB file, oldest first, with its author, time, message
   and files: who writes (authors of document changes; approvals and renumbering left out), who
   reviews (``Reviewed-by`` trailers, ``kbstudio.review.trailers``), when each document was
   created, last changed and last approved.
2. Every non-merge commit whose diff adds or removes a ``status:`` line (``git log -G``), with
   only those lines (``-U0``): when each document first became ``draft`` and first ``published``.

Both are single commands over the whole KB, so a KB of thousands of documents costs two git runs,
not one per document. Paths are those of each commit (a renamed document's older history stays
under its older path); merge commits are left out (their changes are their parents').
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kbstudio.review.trailers import REVIEW_OF, REVIEWED_BY, parse_message
from kbstudio.vcs.ids import RENUMBER_SUBJECT
from kbstudio.vcs.repo import KBRepo, is_document

_RECORD, _FIELD, _END = "\x1e", "\x1f", "\x1d"
_STATUS = re.compile(r"^\+status:[ \t]*['\"]?([A-Za-z]+)")


@dataclass(frozen=True)
class Contribution:
    """One person's part in one commit: ``Name <email>`` and when (UTC)."""

    person: str
    time: datetime


@dataclass
class HistoryFacts:
    """Per document (KB path) times, and who wrote and reviewed when."""

    created: dict[str, datetime] = field(default_factory=dict)
    last_changed: dict[str, datetime] = field(default_factory=dict)
    last_approved: dict[str, datetime] = field(default_factory=dict)
    first_draft: dict[str, datetime] = field(default_factory=dict)
    first_published: dict[str, datetime] = field(default_factory=dict)
    authors: list[Contribution] = field(default_factory=list)     # one per commit changing documents
    reviews: list[Contribution] = field(default_factory=list)     # one per Reviewed-by trailer


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def read_history(repo: KBRepo) -> HistoryFacts:
    """Return the history facts of the KB's repository (empty when it has no commits)."""
    facts = HistoryFacts()
    if repo.head() is None:
        return facts
    _read_commits(repo, facts)
    _read_statuses(repo, facts)
    return facts


def _read_commits(repo: KBRepo, facts: HistoryFacts) -> None:
    out = repo.git("log", "--no-merges", "--reverse", "-z", "--no-renames", "--name-status",
                   f"--format={_RECORD}%H{_FIELD}%an <%ae>{_FIELD}%aI{_FIELD}%B{_END}",
                   "--", repo.kb_pathspec).stdout
    for record in out.split(_RECORD):
        header, _, files = record.partition(_END)
        parts = header.split(_FIELD, 3)
        if len(parts) != 4:
            continue
        _sha, author, when, message = parts
        moment = _utc(when)
        tokens = [token for token in files.lstrip("\n").split("\0") if token]
        changed: list[tuple[str, str]] = []
        for state, path in zip(tokens[0::2], tokens[1::2], strict=False):
            kb_path = repo.to_kb(path.lstrip("\n"))
            if kb_path and is_document(kb_path):
                changed.append((state[:1], kb_path))
        parsed = parse_message(message)
        approved = parsed.values(REVIEWED_BY)
        # Writing is changing documents' text: an approval (its status line, by the reviewer) and
        # the automatic renumbering after a pull are not, and are not counted as anyone's writing.
        if changed and not approved and not message.startswith(RENUMBER_SUBJECT):
            facts.authors.append(Contribution(author, moment))
        facts.reviews.extend(Contribution(person, moment) for person in approved)
        for state, path in changed:
            if state == "A":
                facts.created.setdefault(path, moment)
            facts.last_changed[path] = moment
            if approved:
                facts.last_approved[path] = moment
        if approved:
            for path in parsed.values(REVIEW_OF):   # an approval that changed no file names its document
                facts.last_approved[path] = moment


def _read_statuses(repo: KBRepo, facts: HistoryFacts) -> None:
    out = repo.git("log", "--no-merges", "--reverse", "-p", "-U0", "--no-ext-diff", "--no-textconv",
                   "--no-color", "--no-renames", "-G^status:", f"--format={_RECORD}%aI",
                   "--", repo.kb_pathspec).stdout
    for record in out.split(_RECORD):
        lines = record.split("\n")
        if not lines or not lines[0].strip():
            continue
        moment = _utc(lines[0].strip())
        path: str | None = None
        for line in lines[1:]:
            if line.startswith("+++ "):
                name = line[4:]
                kb_path = repo.to_kb(name[2:]) if name.startswith("b/") else None
                path = kb_path if kb_path and is_document(kb_path) else None
            elif path is not None:
                match = _STATUS.match(line)
                if match:
                    status = match.group(1).lower()
                    if status == "draft":
                        facts.first_draft.setdefault(path, moment)
                    elif status == "published":
                        facts.first_published.setdefault(path, moment)
