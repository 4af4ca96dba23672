"""Running an SOP: the agent's answers, what is still missing, the answers JSON and the SOP's version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kbstudio.model import Document, DocumentFields
from kbstudio.names import nfc
from kbstudio.sop import Field, Sop, TimeLimit, find_document, resolve_link
from kbstudio.vcs.runner import GitError, GitRunner

NOT_DONE, DONE, SOLVED = "not-done", "done", "solved"
CHECK_STATES: tuple[str, ...] = (NOT_DONE, DONE, SOLVED)
_STATE_WORDS = {
    "not-done": NOT_DONE, "not done": NOT_DONE, "notdone": NOT_DONE, "skipped": NOT_DONE, "no": NOT_DONE,
    "todo": NOT_DONE, "": NOT_DONE, "done": DONE, "yes": DONE, "tried": DONE, "solved": SOLVED,
    "solved it": SOLVED, "solved-it": SOLVED, "resolved": SOLVED, "fixed": SOLVED,
}
ANSWER_KEYS = ("article", "issue", "environment", "urgency", "started", "finished", "checks", "fields")


class AnswersError(ValueError):
    """Answers that do not fit the SOP (unknown field, bad check state, bad time)."""


@dataclass
class CheckAnswer:
    """The state of one check in a run (done, not done, or solved the problem) and its result."""

    state: str = NOT_DONE
    result: str = ""


@dataclass
class SopRun:
    """One run of an SOP by an agent; checks are keyed by their index in ``Sop.checks``.

    ``article`` is the id or KB path of the article the run started from ("Didn't solve it?"), if any.
    """

    issue: str = ""
    environment: str = ""
    urgency: str = ""
    checks: dict[int, CheckAnswer] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    started: datetime | None = None
    finished: datetime | None = None
    article: str = ""

    def check(self, index: int) -> CheckAnswer:
        """Return the answer for check ``index`` (not done when never touched)."""
        return self.checks.get(index) or CheckAnswer()

    def value(self, name: str) -> str:
        """Return the stripped value of field ``name`` (matched without regard to case), or ''."""
        wanted = name.strip().lower()
        for key, value in self.fields.items():
            if key.strip().lower() == wanted:
                return (value or "").strip()
        return ""

    @property
    def solved_by(self) -> int | None:
        """Return the index of the first check that solved the problem, or None."""
        solved = [index for index, answer in self.checks.items() if answer.state == SOLVED]
        return min(solved) if solved else None

    @property
    def resolved(self) -> bool:
        """Return True when a check solved the problem, so the run ends resolved at this tier."""
        return self.solved_by is not None

    def elapsed(self, now: datetime | None = None) -> timedelta | None:
        """Return the time from start to finish (or to ``now`` while running), or None."""
        end = self.finished or now
        if self.started is None or end is None:
            return None
        try:
            return max(end - self.started, timedelta(0))
        except TypeError:  # one time has a zone and the other has none
            return None


@dataclass(frozen=True)
class LimitState:
    """A time limit against the time a run has taken."""

    limit: TimeLimit
    elapsed_minutes: int
    over: bool

    @property
    def remaining_minutes(self) -> int:
        """Return the minutes left before the limit (negative when over)."""
        return (self.limit.minutes or 0) - self.elapsed_minutes


@dataclass(frozen=True)
class ArticleRef:
    """A document to link to the ticket: its title, KB path and id when known."""

    title: str
    rel_path: str
    id: str | None = None


def missing_required(sop: Sop, run: SopRun) -> list[Field]:
    """Return the required fields still empty; none are needed when a check solved the problem."""
    if run.resolved:
        return []
    return [item for item in sop.required_fields if not run.value(item.name)]


def limit_states(sop: Sop, run: SopRun, now: datetime | None = None) -> list[LimitState]:
    """Return every limit with a duration (not 'at once') against the run's elapsed time."""
    elapsed = run.elapsed(now)
    if elapsed is None:
        return []
    minutes = int(elapsed.total_seconds() // 60)
    return [LimitState(limit, minutes, minutes > (limit.minutes or 0))
            for limit in sop.time_limits if limit.minutes]


def started_from(run: SopRun, documents: Sequence[DocumentFields] | None = None) -> ArticleRef | None:
    """Return the article the run started from, found by id or KB path among ``documents``."""
    key = run.article.strip()
    if not key:
        return None
    found = find_document(documents or [], key)
    if found is not None:
        return ArticleRef(found.title, found.rel_path, found.id)
    return ArticleRef("", "", key)   # not in the KB (any more): named as given


def resolution_article(sop: Sop, run: SopRun,
                       documents: Sequence[DocumentFields] | None = None) -> ArticleRef | None:
    """Return the article to link to the ticket when a check solved the problem.

    That is the first document the solving check links to, else the article the run started from,
    else the SOP itself.
    """
    index = run.solved_by
    if index is None:
        return None
    by_path = {nfc(document.rel_path): document for document in documents or []}
    if 0 <= index < len(sop.checks):
        for text, target in sop.checks[index].links:
            rel = resolve_link(sop.rel_path, target)
            if rel is None or not rel.endswith(".md") or (by_path and nfc(rel) not in by_path):
                continue
            found = by_path.get(nfc(rel))
            if found is not None:
                return ArticleRef(found.title, found.rel_path, found.id)
            return ArticleRef(text, rel, None)
    return started_from(run, documents) or ArticleRef(sop.title, sop.rel_path, sop.id)


def sop_version(sop: Sop, git: GitRunner | None = None) -> str:
    """Return the SOP file's short git commit (flagged when edited since), else its content hash.

    git runs through the GitRunner (``git``, else a new one), so a repository's own config cannot
    make this run a program; when git is refused or fails, the content hash is the version.
    """
    path = sop.document.path
    digest = f"sha256:{sop.document.content_hash[:12]}"
    runner = (git or GitRunner(path.parent, timeout=10)).at(path.parent)
    literal = f":(literal){path.name}"
    commit = _git(runner, "log", "-1", "--format=%h", "--", literal)
    if not commit:
        return digest
    changed = _git(runner, "status", "--porcelain", "--", literal)
    return f"{commit} + local changes ({digest})" if changed else commit


def _git(runner: GitRunner, *args: str) -> str:
    try:
        return runner(*args).stdout.strip()
    except (GitError, OSError):
        return ""


def run_from_answers(sop: Sop, data: Any, documents: list[Document] | None = None) -> SopRun:
    """Build a run from answers JSON data (see docs/sops.md); raise AnswersError when it does not fit.

    With ``documents``, an ``article`` must be one of them, and the issue, when not given, is
    pre-filled from its title as the app does.
    """
    if not isinstance(data, dict):
        raise AnswersError("the answers must be a JSON object")
    unknown = sorted(set(data) - set(ANSWER_KEYS))
    if unknown:
        raise AnswersError(f"unknown key {', '.join(map(repr, unknown))} (known: {', '.join(ANSWER_KEYS)})")
    run = SopRun(issue=_text(data, "issue"), environment=_text(data, "environment"),
                 urgency=_text(data, "urgency"), started=_time(data, "started"),
                 finished=_time(data, "finished"), article=_text(data, "article"))
    if run.article and documents is not None:
        article = find_document(documents, run.article)
        if article is None:
            raise AnswersError(f"article: no document '{run.article}' in the KB")
        run.article = article.id or article.rel_path
        run.issue = run.issue or article.title
    if run.started and run.finished and run.elapsed() is None:
        raise AnswersError("'started' and 'finished' must both have a time zone, or neither")
    run.checks = _checks(sop, data.get("checks"))
    run.fields = _fields(sop, data.get("fields"))
    return run


def run_to_answers(sop: Sop, run: SopRun) -> dict[str, Any]:
    """Return a run as answers JSON data, the inverse of run_from_answers."""
    return {
        "article": run.article or None,
        "issue": run.issue, "environment": run.environment, "urgency": run.urgency,
        "started": run.started.isoformat() if run.started else None,
        "finished": run.finished.isoformat() if run.finished else None,
        "checks": [{"state": run.check(index).state, "result": run.check(index).result}
                   for index in range(len(sop.checks))],
        "fields": {item.name: run.value(item.name) for item in sop.collect if run.value(item.name)},
    }


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise AnswersError(f"'{key}' must be text")
    return str(value).strip()


def _time(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise AnswersError(f"'{key}': '{value}' is not an ISO 8601 time such as 2025-05-06T10:02:00"
                           ) from None


def _checks(sop: Sop, value: Any) -> dict[int, CheckAnswer]:
    if value is None:
        return {}
    if isinstance(value, list):
        entries = list(enumerate(value))
    elif isinstance(value, dict):
        entries = []
        for key, entry in value.items():
            if not str(key).strip().isdigit():
                raise AnswersError(f"checks: key '{key}' must be a check number (1 for the first check)")
            entries.append((int(str(key)) - 1, entry))
    else:
        raise AnswersError("'checks' must be a list (in SOP order) or an object keyed by check number")
    answers: dict[int, CheckAnswer] = {}
    for index, entry in entries:
        if not 0 <= index < len(sop.checks):
            raise AnswersError(f"checks: check {index + 1} does not exist (the SOP has {len(sop.checks)})")
        if entry is not None:
            answers[index] = _check(index, entry)
    return answers


def _check(index: int, entry: Any) -> CheckAnswer:
    where = f"checks: check {index + 1}"
    if isinstance(entry, bool):
        return CheckAnswer(DONE if entry else NOT_DONE)
    if isinstance(entry, str):
        entry = {"state": entry}
    if not isinstance(entry, dict):
        raise AnswersError(f"{where} must be a state such as \"done\" or an object {{\"state\", \"result\"}}")
    unknown = sorted(set(entry) - {"state", "result"})
    if unknown:
        raise AnswersError(f"{where}: unknown key {', '.join(map(repr, unknown))} (known: 'state', 'result')")
    raw = entry.get("state", DONE if entry.get("result") else NOT_DONE)
    state = DONE if raw is True else NOT_DONE if raw is False else _STATE_WORDS.get(str(raw).strip().lower())
    if state is None:
        raise AnswersError(f"{where}: state '{raw}' is not one of {', '.join(CHECK_STATES)}")
    result = entry.get("result")
    return CheckAnswer(state, "" if result is None else str(result).strip())


def _fields(sop: Sop, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AnswersError("'fields' must be an object of field name to value")
    names = {item.name.lower(): item.name for item in sop.collect}
    fields: dict[str, str] = {}
    for key, entry in value.items():
        name = names.get(str(key).strip().lower())
        if name is None:
            known = "; ".join(item.name for item in sop.collect) or "none"
            raise AnswersError(f"fields: '{key}' is not a field of {sop.id or sop.rel_path} "
                               f"(fields: {known})")
        if isinstance(entry, (dict, list)):
            raise AnswersError(f"fields: '{key}' must be text")
        fields[name] = "" if entry is None else str(entry).strip()
    return fields
