"""The KCS states of a document, the moves the review workflow allows between them, and its errors."""

from __future__ import annotations

from dataclasses import dataclass

from kbstudio.fields import BY_NAME
from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.model import KCS_STATES


class ReviewError(Exception):
    """A review action that could not be done; the message says why."""


class TransitionError(ReviewError):
    """The document is not in a state the action applies to (for example approving a draft)."""


class InvalidInputError(ReviewError, ValueError):
    """Bad input to an action (a usage error): the CLI exits 2 on these."""


class InvalidReviewerError(InvalidInputError):
    """A reviewer that is not written ``Name <email>``, or no reviewer where one is needed."""


class DocumentError(InvalidInputError):
    """The document cannot be acted on: missing, outside the KB, unreadable or with bad front matter."""


@dataclass(frozen=True)
class Action:
    """One workflow action: the statuses it starts from and the status it leaves the document in."""

    name: str
    verb: str
    sources: tuple[str, ...]
    target: str


SUBMIT = Action("submit", "submit for review", ("draft", "published"), "review")
APPROVE = Action("approve", "approve", ("review",), "published")
REQUEST_CHANGES = Action("request_changes", "request changes to", ("review",), "draft")
ARCHIVE = Action("archive", "archive", ("draft", "review", "published"), "archived")
REOPEN = Action("reopen", "reopen", ("archived",), "draft")
ACTIONS: tuple[Action, ...] = (SUBMIT, APPROVE, REQUEST_CHANGES, ARCHIVE, REOPEN)

_HINTS = {
    ("submit", "review"): "it is already in review: approve it or request changes",
    ("submit", "archived"): "reopen it as a draft first",
    ("approve", "draft"): "submit it for review first",
    ("approve", "published"): "it is already published",
    ("request_changes", "draft"): "it is not in review",
    ("request_changes", "published"): "it is not in review; submit an edited version instead",
}


def allowed_targets(status: str) -> list[str]:
    """Return the statuses a document in ``status`` may move to, in workflow order."""
    return [action.target for action in ACTIONS if status in action.sources]


def actions_for(status: str) -> list[Action]:
    """Return the actions that apply to a document in ``status`` (for menus and buttons)."""
    return [action for action in ACTIONS if status in action.sources]


def check_transition(action: Action, status: str, label: str) -> None:
    """Raise TransitionError unless ``action`` may start from ``status``; ``label`` names the document."""
    if status in action.sources:
        return
    hint = _HINTS.get((action.name, status), "")
    allowed = " or ".join(action.sources)
    raise TransitionError(
        f"cannot {action.verb} {label}: its status is '{status}' ({KCS_STATES.get(status, status)}), "
        f"not {allowed}" + (f"; {hint}" if hint else ""))


def status_of_text(text: str) -> str:
    """Return the status in a document text's front matter; missing, unknown or unreadable is draft."""
    split = split_front_matter(text[1:] if text.startswith("\ufeff") else text)
    if split.yaml_text is None:
        return "draft"
    try:
        raw = parse_front_matter(split.yaml_text, split.yaml_line).data.get("status")
    except FrontMatterError:
        return "draft"
    return BY_NAME["status"].read(raw)
