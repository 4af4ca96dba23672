"""The KCS review workflow (Qt-free): submit, approve, request changes, the review queue and the dashboard."""

from kbstudio.review.dashboard import Dashboard, RecentChange, StaleDocument, dashboard, recent_changes
from kbstudio.review.log import ReviewEvent, review_log
from kbstudio.review.policy import POLICY_FILE, PolicyError, ReviewPolicy, load_policy, parse_policy
from kbstudio.review.queue import QueueItem, queue_item, review_queue, review_trail
from kbstudio.review.states import (
    ACTIONS,
    Action,
    DocumentError,
    InvalidInputError,
    InvalidReviewerError,
    ReviewError,
    TransitionError,
    actions_for,
    allowed_targets,
)
from kbstudio.review.trailers import check_person, parse_message
from kbstudio.review.workflow import (
    ApprovalPlan,
    ApprovalRefusedError,
    ReviewResult,
    approve,
    archive,
    plan_approval,
    reopen,
    request_changes,
    submit,
)

__all__ = [
    "ACTIONS", "POLICY_FILE", "Action", "ApprovalPlan", "ApprovalRefusedError", "Dashboard", "PolicyError",
    "ReviewPolicy", "load_policy", "parse_policy", "plan_approval", "DocumentError", "InvalidInputError",
    "InvalidReviewerError",
    "QueueItem", "RecentChange", "ReviewError", "ReviewEvent", "ReviewResult", "StaleDocument",
    "TransitionError", "actions_for", "allowed_targets", "approve", "archive", "check_person", "dashboard",
    "parse_message", "queue_item", "recent_changes", "reopen", "request_changes", "review_log",
    "review_queue", "review_trail", "submit",
]
