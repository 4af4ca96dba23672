"""The KB's review policy: who may approve, how many approvals publish, and editing published documents.

Kept in the KB, versioned with the content, in ``.kbstudio/review.yaml``::

    approvers: others        # others: any reviewer but the document's authors; named: only its reviewers
    self_approval: false     # true: an author may approve their own document
    min_reviewers: 1         # different reviewers (Reviewed-by) needed before it is published
    published_edits: direct  # direct: an edited published document stays published; review: back to review
    review_interval_days:    # days between reviews per tier (kbstudio remind); a tier left out: its default
      L0: 180
      L1: 180
      L2: 180
      L3: 180
      L4: 90                 # outside vendors' products change fastest
    reuse_counts_as_review: false   # true: a use recorded as solved is a light review (KCS "reuse is review")

Every key is optional; a missing file is the defaults above. The file is read from the last commit
(``HEAD``), not from the disk: a policy changed but not committed has no effect, so loosening it leaves
a commit in the KB's history. It is read with the front-matter reader (no YAML tags, no alias bombs, no
type guessing); an unknown key or value is an error that names the file, so a typo cannot quietly
weaken the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.kb import STATE_FOLDER
from kbstudio.model import TIERS
from kbstudio.review.states import InvalidInputError
from kbstudio.vcs.repo import KBRepo

POLICY_FILE = f"{STATE_FOLDER}/review.yaml"
MAX_REVIEWERS = 10
MAX_INTERVAL_DAYS = 3650
# Days between reviews per tier: the templates' 180 days (kbstudio.templates.REVIEW_AFTER_DAYS), and
# 90 for L4, the vendors' procedures, as issue #16 proposes ("L4 vendor SOPs every 90").
DEFAULT_INTERVALS: dict[str, int] = {"L0": 180, "L1": 180, "L2": 180, "L3": 180, "L4": 90}
# Fields a review step itself changes: a commit changing only these does not make its author an author.
REVIEW_FIELDS = frozenset({"status", "reviewers", "review_by"})

Approvers = Literal["others", "named"]
PublishedEdits = Literal["direct", "review"]
_TRUE, _FALSE = ("true", "yes", "on"), ("false", "no", "off")


class PolicyError(InvalidInputError):
    """The KB's review policy file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class ReviewPolicy:
    """The review rules of one KB."""

    approvers: Approvers = "others"
    self_approval: bool = False
    min_reviewers: int = 1
    published_edits: PublishedEdits = "direct"
    source: str = "default"          # POLICY_FILE when read from the KB
    review_interval_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_INTERVALS))
    reuse_counts_as_review: bool = False

    def interval(self, tier: str | None) -> int | None:
        """Return the days between reviews for documents of ``tier`` (None for an untiered one)."""
        return self.review_interval_days.get(tier) if tier else None

    def describe(self) -> str:
        """Return the policy in one line, for messages."""
        who = "the reviewers named on the document" if self.approvers == "named" else "any reviewer"
        own = "authors may approve their own documents" if self.self_approval else \
            "never one of its authors"
        count = f"{self.min_reviewers} approval{'s' * (self.min_reviewers != 1)} to publish"
        edits = "edits to a published document go back to review" if self.published_edits == "review" \
            else "edits to a published document keep it published"
        where = POLICY_FILE if self.source != "default" else f"the default: no {POLICY_FILE}"
        return f"{who}, {own}; {count}; {edits} ({where})"


def _choice(data: dict[str, object], key: str, allowed: tuple[str, ...], default: str) -> str:
    value = data.get(key)
    if value is None:
        return default
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in allowed:
        raise PolicyError(f"{POLICY_FILE}: {key} must be {' or '.join(allowed)}, not {value!r}")
    return text


def parse_policy(text: str | None) -> ReviewPolicy:
    """Return the policy written in ``text`` (the file's contents; None: no file, the defaults)."""
    if text is None:
        return ReviewPolicy()
    if text.startswith("\ufeff"):
        text = text[1:]
    split = split_front_matter(text)     # a file written like front matter, between --- lines, is fine
    yaml_text = split.yaml_text if split.yaml_text is not None else text
    try:
        data = parse_front_matter(yaml_text, 1).data
    except FrontMatterError as error:
        raise PolicyError(f"{POLICY_FILE} cannot be read: {error.message}"
                          + (f" (line {error.line})" if error.line else "")) from None
    known = ("approvers", "self_approval", "min_reviewers", "published_edits", "review_interval_days",
             "reuse_counts_as_review")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PolicyError(f"{POLICY_FILE}: unknown setting {', '.join(unknown)}; the settings are "
                          f"{', '.join(known)}")
    approvers = cast(Approvers, _choice(data, "approvers", ("others", "named"), "others"))   # one of those
    edits = cast(PublishedEdits, _choice(data, "published_edits", ("direct", "review"), "direct"))
    own = _choice(data, "self_approval", (*_TRUE, *_FALSE), "false") in _TRUE
    raw = data.get("min_reviewers")
    count = 1
    if raw is not None:
        text_value = str(raw).strip() if isinstance(raw, str) else ""
        if not text_value.isdigit() or not 1 <= int(text_value) <= MAX_REVIEWERS:
            raise PolicyError(f"{POLICY_FILE}: min_reviewers must be a whole number from 1 to "
                              f"{MAX_REVIEWERS}, not {raw!r}")
        count = int(text_value)
    reuse = _choice(data, "reuse_counts_as_review", (*_TRUE, *_FALSE), "false") in _TRUE
    return ReviewPolicy(approvers, own, count, edits, POLICY_FILE,
                        _intervals(data.get("review_interval_days")), reuse)


def _intervals(raw: object) -> dict[str, int]:
    """Return the review interval per tier: the file's values over ``DEFAULT_INTERVALS``."""
    intervals = dict(DEFAULT_INTERVALS)
    if raw is None:
        return intervals
    if not isinstance(raw, dict):
        raise PolicyError(f"{POLICY_FILE}: review_interval_days must be a mapping of tier to days "
                          f"(L0: 180), not {raw!r}")
    for key, value in raw.items():
        tier = str(key).strip().upper()
        if tier not in TIERS:
            raise PolicyError(f"{POLICY_FILE}: review_interval_days: '{key}' is not a tier "
                              f"({', '.join(TIERS)})")
        text = value.strip() if isinstance(value, str) else ""
        if not text.isdigit() or not 1 <= int(text) <= MAX_INTERVAL_DAYS:
            raise PolicyError(f"{POLICY_FILE}: review_interval_days: {tier} must be a whole number of "
                              f"days from 1 to {MAX_INTERVAL_DAYS}, not {value!r}")
        intervals[tier] = int(text)
    return intervals


def load_policy(repo: KBRepo, rev: str = "HEAD") -> ReviewPolicy:
    """Return the KB's policy as committed at ``rev`` (the defaults when there is no file there)."""
    if repo.head() is None:
        return ReviewPolicy()
    return parse_policy(repo.show(rev, POLICY_FILE))


def content_key(text: str | None) -> tuple[object, ...] | None:
    """Return what a review is about in a document's text: its body and every field but the review ones.

    Two texts with the same key differ only in ``status``, ``reviewers`` or ``review_by`` (what submit,
    approve and request changes write) and in line endings or a byte-order mark. None for no text.
    """
    if text is None:
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    split = split_front_matter(text)
    if split.yaml_text is None:
        return ("", text)
    try:
        data = parse_front_matter(split.yaml_text, split.yaml_line).data
    except FrontMatterError:
        return (split.yaml_text, split.body)
    fields = tuple(sorted((key, repr(value)) for key, value in data.items() if key not in REVIEW_FIELDS))
    return (fields, split.body)


def edits_content(old_text: str | None, new_text: str | None) -> bool:
    """Return True when ``new_text`` changes more than the review fields of ``old_text``."""
    return content_key(old_text) != content_key(new_text)


def back_to_review(repo: KBRepo, staged: list[str]) -> list[str]:
    """Send edited published documents back to review before a commit, when the KB's policy says so.

    With ``published_edits: review`` (read from ``HEAD``), a staged document that is published in the
    last commit, still says ``published`` and changes more than the review fields gets ``status:
    review`` (one line of its front matter, on disk and staged). Returns one note per document sent
    back. Does nothing with the default policy, or when the policy file cannot be read (the review steps
    report that).
    """
    from kbstudio.docedit import DocumentEditError, update_document
    from kbstudio.fmedit import FrontMatterEditError
    from kbstudio.review.states import status_of_text
    from kbstudio.storage import ExternalChangeError
    from kbstudio.vcs.repo import is_document

    documents = [path for path in staged if is_document(path)]
    if not documents or repo.head() is None:
        return []
    try:
        if load_policy(repo).published_edits != "review":
            return []
    except PolicyError:
        return []
    notes: list[str] = []
    for rel in documents:
        before, after = repo.show("HEAD", rel), repo.show("", rel)
        if before is None or after is None or status_of_text(before) != "published" \
                or status_of_text(after) != "published" or not edits_content(before, after):
            continue
        try:
            document = repo.kb.load(rel)
            if document.text.replace("\r\n", "\n").removeprefix("\ufeff") != \
                    after.replace("\r\n", "\n").removeprefix("\ufeff"):
                continue          # partly staged: leave it as the user staged it
            update_document(document, {"status": "review"})
        except (DocumentEditError, FrontMatterEditError, ExternalChangeError, OSError):
            continue
        repo.git("add", "--", repo.literal(rel))
        notes.append(f"{rel} was published: the edit sends it back to review ({POLICY_FILE}: "
                     "published_edits: review)")
    return notes
