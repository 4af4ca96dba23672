"""Review actions on one document: submit, approve, request changes, archive, reopen; each is one commit."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from kbstudio.changes import KBChange
from kbstudio.docedit import DocumentEditError, update_document
from kbstudio.fmedit import FrontMatterEditError
from kbstudio.kb import KnowledgeBase
from kbstudio.model import ERROR, Document
from kbstudio.reader import UnreadableError, content_hash, parse_document, read_bytes
from kbstudio.review.policy import POLICY_FILE, ReviewPolicy, edits_content, load_policy
from kbstudio.review.queue import Trail, review_trail
from kbstudio.review.states import (
    APPROVE,
    ARCHIVE,
    REOPEN,
    REQUEST_CHANGES,
    SUBMIT,
    Action,
    DocumentError,
    InvalidReviewerError,
    ReviewError,
    check_transition,
    status_of_text,
)
from kbstudio.review.trailers import (
    CHANGES_REQUESTED_BY,
    REVIEW_OF,
    REVIEW_REQUESTED_FROM,
    REVIEWED_BY,
    build_message,
    check_people,
    check_person,
    clean_comment,
    one_line,
    same_person,
)
from kbstudio.storage import ExternalChangeError, atomic_write
from kbstudio.templates import REVIEW_AFTER_DAYS
from kbstudio.vcs.commit import has_conflict_markers
from kbstudio.vcs.repo import is_document
from kbstudio.vcs.service import VersionControl

_BAD_FRONT_MATTER = ("bad-front-matter", "unclosed-front-matter")


@dataclass
class ReviewResult:
    """What one review action changed: the file's new status and hash, and the commit that records it."""

    action: str
    path: str
    doc_id: str | None
    title: str
    old_status: str
    new_status: str
    sha: str | None
    message: str
    content_hash: str
    changed: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    review_by: date | None = None
    approvals: list[str] = field(default_factory=list)   # approve: every approval of this version so far
    approvals_needed: int = 0                             # approve: how many the policy wants
    change: KBChange = KBChange()                         # the document rewritten, HEAD, the review state

    @property
    def committed(self) -> bool:
        """Return True when a commit was made."""
        return self.sha is not None

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {"action": self.action, "path": self.path, "id": self.doc_id, "title": self.title,
                "old_status": self.old_status, "new_status": self.new_status, "sha": self.sha,
                "message": self.message, "changed": self.changed, "reviewers": self.reviewers,
                "review_by": self.review_by.isoformat() if self.review_by else None,
                "approvals": self.approvals, "approvals_needed": self.approvals_needed}


@dataclass(frozen=True)
class _Loaded:
    path: Path
    rel: str
    data: bytes
    document: Document

    @property
    def label(self) -> str:
        doc_id = self.document.id
        return f"{doc_id} ({self.rel})" if doc_id else self.rel

    @property
    def ident(self) -> str:
        return self.document.id or self.rel

    @property
    def title(self) -> str:
        return one_line(self.document.title)


def load_document(kb: KnowledgeBase, rel_path: str) -> tuple[Path, str, bytes, Document]:
    """Read a KB document for a review action; raise DocumentError when it cannot be acted on."""
    if not rel_path or os.path.isabs(rel_path):
        raise DocumentError(f"give the document's path relative to the KB, not {rel_path!r}")
    path = Path(os.path.realpath(kb.locate(rel_path) or kb.root / rel_path))
    if not path.is_relative_to(kb.root):
        raise DocumentError(f"{rel_path} is not inside the knowledge base {kb.root}")
    rel = path.relative_to(kb.root).as_posix()
    if not path.is_file():
        raise DocumentError(f"{rel_path}: no such document in {kb.root}")
    if not is_document(rel):
        raise DocumentError(f"{rel}: not a document (documents are .md files outside hidden "
                            "folders and _templates/)")
    try:
        data = read_bytes(path, kb.root)
    except UnreadableError as error:
        raise DocumentError(f"{rel}: {error.message}") from None
    document = parse_document(path, rel, data)
    bad = [p for p in document.problems if p.severity == ERROR and
           (p.rule in _BAD_FRONT_MATTER or not document.readable)]
    if bad:
        raise DocumentError(f"{rel}: {bad[0].message}; fix it before a review action")
    return path, rel, data, document


def _load(kb: KnowledgeBase, rel_path: str, expected_hash: str | None) -> _Loaded:
    path, rel, data, document = load_document(kb, rel_path)
    if expected_hash is not None and document.content_hash != expected_hash:
        raise ExternalChangeError(path, expected_hash, document.content_hash)
    return _Loaded(path, rel, data, document)


def _ready(vcs: VersionControl, loaded: _Loaded, action: Action) -> None:
    check_transition(action, loaded.document.status, loaded.label)
    vcs.repo.require_identity()
    if vcs.repo.merging():
        raise ReviewError("a merge is in progress: resolve its conflicts before a review action")
    if has_conflict_markers(loaded.document.text):
        raise DocumentError(f"{loaded.rel} holds conflict markers: resolve them first")


def _commit(vcs: VersionControl, loaded: _Loaded, action: Action, edits: list[tuple[str, Any]],
            message: str) -> ReviewResult:
    """Edit the front matter in place, save atomically and commit; put the old bytes back on failure."""
    try:
        # keeps the file's line endings and BOM; refuses a file changed since it was read
        update = update_document(loaded.document, dict([("status", action.target), *edits]))
    except FrontMatterEditError as error:
        raise DocumentError(f"{loaded.rel}: {error}") from None
    except DocumentEditError as error:
        raise DocumentError(str(error)) from None
    new_hash = update.save()   # saved above: this returns the saved file's hash, writing nothing
    try:
        result = vcs.committer.commit(message, [loaded.rel])
    except BaseException:
        if update.changed and content_hash(loaded.path.read_bytes()) == new_hash:
            atomic_write(loaded.path, loaded.data)
        raise
    saved = parse_document(loaded.path, loaded.rel, update.data)
    change = update.change | result.change | KBChange(review=True)
    return ReviewResult(action.name, loaded.rel, loaded.document.id, loaded.title, loaded.document.status,
                        action.target, result.sha, message, new_hash,
                        [loaded.rel] if result.committed else [], saved.reviewers, saved.review_by,
                        change=change)


def submit(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, reviewers: list[str],
           expected_hash: str | None = None) -> ReviewResult:
    """Move a draft (or an edited published document) to review with its reviewers, as one commit.

    An empty ``reviewers`` keeps those already in the front matter. The whole file as saved is
    committed, so other saved edits to it go into the same commit.
    """
    loaded = _load(kb, rel_path, expected_hash)
    people = check_people(reviewers)
    _ready(vcs, loaded, SUBMIT)
    edits: list[tuple[str, Any]] = []
    if people:
        if people != loaded.document.reviewers:
            edits.append(("reviewers", people))
    elif not loaded.document.reviewers:
        raise InvalidReviewerError(f"name at least one reviewer ('Name <email>') for {loaded.label}")
    requested = people or loaded.document.reviewers
    message = build_message(f"Submit {loaded.ident} for review: {loaded.title}", "",
                            [(REVIEW_REQUESTED_FROM, one_line(person)) for person in requested])
    return _commit(vcs, loaded, SUBMIT, edits, message)


class ApprovalRefusedError(ReviewError):
    """The KB's review policy does not let this reviewer approve this document (exit 1, nothing changed)."""


@dataclass(frozen=True)
class ApprovalPlan:
    """What approving a document would do, checked against the KB's review policy, before anything changes.

    ``authors`` are the people who wrote the version under review, each with why: who submitted it and
    who committed a change to its text (body or any field but status, reviewers and review_by) since
    its last published version, or since it was created when it never was. Saved changes that are
    not committed yet make the one who would commit them (your git identity) an author too.
    """

    path: str
    doc_id: str | None
    title: str
    reviewer: str                       # written in the Reviewed-by trailer
    committer: str                      # your git identity: the commit's author
    policy: ReviewPolicy
    authors: tuple[tuple[str, str], ...]
    approvals: tuple[str, ...]          # earlier approvals of this version that count
    self_approved: bool = False

    @property
    def label(self) -> str:
        """Return the document's id (or path) for messages."""
        return self.doc_id or self.path

    @property
    def count(self) -> int:
        """Return how many approvals this version has with this one."""
        return len(self.approvals) + 1

    @property
    def publishes(self) -> bool:
        """Return True when this approval publishes the document (enough reviewers approved)."""
        return self.count >= self.policy.min_reviewers

    def summary(self) -> str:
        """Return what will happen, in words, for the confirmation question."""
        if self.publishes:
            what = f"Approve and publish {self.label}: {self.title}"
        else:
            what = (f"Approve {self.label}: {self.title}. This is approval {self.count} of "
                    f"{self.policy.min_reviewers}: it stays in review until "
                    f"{self.policy.min_reviewers - self.count} more reviewer(s) approve")
        lines = [what + ".", "", "Recorded in the commit as:", f"    {REVIEWED_BY}: {self.reviewer}",
                 "Committed by your git identity:", f"    {self.committer}"]
        if self.approvals:
            lines += ["Already approved by:", *(f"    {person}" for person in self.approvals)]
        if self.self_approved:
            lines.append(f"You are one of its authors; the review policy ({POLICY_FILE}) allows that.")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as a JSON-ready dict."""
        return {"path": self.path, "id": self.doc_id, "reviewer": self.reviewer, "committer": self.committer,
                "authors": [{"person": person, "why": why} for person, why in self.authors],
                "approvals": list(self.approvals), "count": self.count,
                "needed": self.policy.min_reviewers, "publishes": self.publishes,
                "self_approved": self.self_approved}


def _authors(vcs: VersionControl, loaded: _Loaded, committer: str, trail: Trail
             ) -> tuple[list[tuple[str, str]], bool]:
    """Return who wrote the version under review (with why), and whether it has uncommitted changes."""
    authors: list[tuple[str, str]] = []
    committed = vcs.repo.show("HEAD", vcs.repo.git_spelling(loaded.rel)) if vcs.repo.head() else None
    if trail.submitted is not None and committed is not None and status_of_text(committed) == "review":
        submitted = trail.submitted
        authors.append((f"{submitted.author} <{submitted.email}>",
                        f"submitted it for review (commit {submitted.short})"))
    else:
        authors.append((committer, "set it to review without committing that yet"))
    since = "since its last published version" if trail.published is not None else "(it was never published)"
    for person, sha in trail.changed_by:
        authors.append((person, f"changed its text {since} (commit {sha[:8]})"))
    uncommitted = committed is None or edits_content(committed, loaded.document.text)
    if uncommitted:
        authors.append((committer, "has saved changes to it that are not committed yet (the approval would "
                                   "commit them)"))
    unique: list[tuple[str, str]] = []
    for person, why in authors:
        if not any(same_person(person, known) for known, _ in unique):
            unique.append((person, why))
    return unique, uncommitted


def _committed_reviewers(vcs: VersionControl, loaded: _Loaded) -> list[str]:
    committed = vcs.repo.show("HEAD", vcs.repo.git_spelling(loaded.rel)) if vcs.repo.head() else None
    if committed is None:
        return loaded.document.reviewers
    return parse_document(loaded.path, loaded.rel, committed.encode("utf-8")).reviewers


def _plan(vcs: VersionControl, loaded: _Loaded, person: str) -> ApprovalPlan:
    _ready(vcs, loaded, APPROVE)
    identity = vcs.repo.require_identity()
    committer = check_person(f"{identity.name} <{identity.email}>", "git identity")
    policy = load_policy(vcs.repo)
    trail = review_trail(vcs, loaded.rel)
    authors, uncommitted = _authors(vcs, loaded, committer, trail)
    rule = f"the review policy ({POLICY_FILE})" if policy.source != "default" else \
        f"the default review policy (no {POLICY_FILE})"
    if policy.approvers == "named":
        named = _committed_reviewers(vcs, loaded)
        if not any(same_person(person, reviewer) for reviewer in named):
            raise ApprovalRefusedError(
                f"{person} cannot approve {loaded.label}: {rule} lets only the reviewers named on the "
                f"document approve it ({', '.join(named) or 'none named'})")
    self_approved = False
    for who, role in ((person, "the reviewer"), (committer, "your git identity, who would commit it")):
        author = next(((known, why) for known, why in authors if same_person(who, known)), None)
        if author is None:
            continue
        if not policy.self_approval:
            others = [r for r in loaded.document.reviewers if not any(same_person(r, a) for a, _ in authors)]
            ask = f"; ask one of its reviewers: {', '.join(others)}" if others else "; ask another reviewer"
            who_text = who if role == "the reviewer" else f"{who} ({role})"
            writer = "they" if author[0].casefold() == who.casefold() else author[0]
            raise ApprovalRefusedError(
                f"{who_text} cannot approve {loaded.label}: {writer} {author[1]}, and {rule} does not "
                f"let anyone approve their own document{ask}")
        self_approved = True
    approvals = () if uncommitted else tuple(
        p for p in trail.approvals if policy.self_approval or not any(same_person(p, a) for a, _ in authors))
    if any(same_person(person, earlier) for earlier in approvals):
        missing = policy.min_reviewers - len(approvals)
        raise ApprovalRefusedError(
            f"{person} already approved this version of {loaded.label}; it needs {missing} more approval(s) "
            f"from other reviewers: {rule} wants {policy.min_reviewers}")
    plan = ApprovalPlan(loaded.rel, loaded.document.id, loaded.title, person, committer, policy,
                        tuple(authors), approvals, self_approved)
    if uncommitted and not plan.publishes:
        raise ApprovalRefusedError(f"{loaded.rel} has saved changes that are not committed: commit them "
                                   "first, so the approvals are for the text everyone has")
    return plan


def plan_approval(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, reviewer: str,
                  expected_hash: str | None = None) -> ApprovalPlan:
    """Return what approving ``rel_path`` as ``reviewer`` would do; raise when the policy refuses it.

    Nothing changes. Raises ApprovalRefusedError (self-approval, a reviewer not named on the document
    when the policy wants that, a second approval by the same reviewer), TransitionError, or the errors
    of reading the document and the policy.
    """
    person = check_person(reviewer)
    return _plan(vcs, _load(kb, rel_path, expected_hash), person)


def approve(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, reviewer: str, comment: str = "",
            today: date | None = None, review_days: int | None | Literal["policy"] = "policy",
            expected_hash: str | None = None) -> ReviewResult:
    """Approve a document in review; the commit message ends with ``Reviewed-by: Name <email>``.

    The KB's review policy (``.kbstudio/review.yaml``) is checked first: by default nobody approves a
    document they wrote (see ApprovalPlan), and one approval publishes. When the policy wants more
    reviewers than have approved, the approval is recorded in a commit of its own that changes no file
    (its trailers name the reviewer and, in ``Review-of``, the document) and the document stays in
    review. The approval that makes the count publishes: ``status: published``, and when ``review_by`` is
    missing or already past it is set to ``today + review_days``: by default (``"policy"``) the review
    interval the policy gives the document's tier (``review_interval_days``; 180 days when the document
    has no tier, ``REVIEW_AFTER_DAYS``), so an L4 vendor SOP comes back after 90 days by default;
    ``review_days`` None leaves it alone.
    """
    person = check_person(reviewer)
    note = clean_comment(comment)
    loaded = _load(kb, rel_path, expected_hash)
    plan = _plan(vcs, loaded, person)
    lines = [note] if note else []
    if plan.policy.min_reviewers > 1:
        lines.append(f"Approval {plan.count} of {plan.policy.min_reviewers}.")
    if plan.self_approved:
        lines.append(f"Approved by one of its authors, as {POLICY_FILE} allows (self_approval: true).")
    body = "\n\n".join(lines)
    approvals = [*plan.approvals, person]
    if not plan.publishes:
        subject = f"Approve {loaded.ident} ({plan.count} of {plan.policy.min_reviewers}): {loaded.title}"
        message = build_message(subject, body, [(REVIEWED_BY, person), (REVIEW_OF, one_line(loaded.rel))])
        vcs.repo.git("commit", "-q", "--only", "--allow-empty", "-F", "-", input=message + "\n")
        return ReviewResult(APPROVE.name, loaded.rel, loaded.document.id, loaded.title, "review", "review",
                            vcs.repo.head(), message, loaded.document.content_hash, [],
                            loaded.document.reviewers, loaded.document.review_by, approvals,
                            plan.policy.min_reviewers, KBChange(head=True, review=True))
    today = today or date.today()
    edits: list[tuple[str, Any]] = []
    review_by = loaded.document.review_by
    days = (plan.policy.interval(loaded.document.tier) or REVIEW_AFTER_DAYS) if review_days == "policy" \
        else review_days
    if days is not None and (review_by is None or review_by < today):
        edits.append(("review_by", today + timedelta(days=days)))
    message = build_message(f"Approve {loaded.ident}: {loaded.title}", body, [(REVIEWED_BY, person)])
    result = _commit(vcs, loaded, APPROVE, edits, message)
    result.approvals, result.approvals_needed = approvals, plan.policy.min_reviewers
    return result


def request_changes(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, reviewer: str, comment: str,
                    expected_hash: str | None = None) -> ReviewResult:
    """Send a document in review back to draft; the comment is the commit body, then the trailer."""
    person = check_person(reviewer)
    note = clean_comment(comment, required=True)
    loaded = _load(kb, rel_path, expected_hash)
    _ready(vcs, loaded, REQUEST_CHANGES)
    message = build_message(f"Request changes to {loaded.ident}: {loaded.title}", note,
                            [(CHANGES_REQUESTED_BY, person)])
    return _commit(vcs, loaded, REQUEST_CHANGES, [], message)


def archive(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, comment: str = "",
            expected_hash: str | None = None) -> ReviewResult:
    """Archive a document that no longer applies (kept for history), with an optional reason."""
    note = clean_comment(comment)
    loaded = _load(kb, rel_path, expected_hash)
    _ready(vcs, loaded, ARCHIVE)
    return _commit(vcs, loaded, ARCHIVE, [], build_message(f"Archive {loaded.ident}: {loaded.title}", note))


def reopen(vcs: VersionControl, kb: KnowledgeBase, rel_path: str, comment: str = "",
           expected_hash: str | None = None) -> ReviewResult:
    """Bring an archived document back as a draft."""
    note = clean_comment(comment)
    loaded = _load(kb, rel_path, expected_hash)
    _ready(vcs, loaded, REOPEN)
    message = build_message(f"Reopen {loaded.ident} as a draft: {loaded.title}", note)
    return _commit(vcs, loaded, REOPEN, [], message)
