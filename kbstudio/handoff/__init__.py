"""Running an SOP and handing over: the run's answers, validation, and the hand-off note (no Qt)."""

from kbstudio.handoff.links import TicketLinks, document_name, ticket_plain_text
from kbstudio.handoff.note import (
    BLANK,
    ESCALATED,
    RESOLVED,
    TEMPLATE,
    HandoffNote,
    NoteItem,
    NoteSection,
    build_note,
    format_minutes,
    handoff_markdown,
    handoff_text,
)
from kbstudio.handoff.run import (
    ANSWER_KEYS,
    CHECK_STATES,
    DONE,
    NOT_DONE,
    SOLVED,
    AnswersError,
    ArticleRef,
    CheckAnswer,
    LimitState,
    SopRun,
    limit_states,
    missing_required,
    resolution_article,
    run_from_answers,
    run_to_answers,
    sop_version,
    started_from,
)

__all__ = [
    "ANSWER_KEYS", "BLANK", "CHECK_STATES", "DONE", "ESCALATED", "NOT_DONE", "RESOLVED", "SOLVED", "TEMPLATE",
    "AnswersError", "ArticleRef", "CheckAnswer", "HandoffNote", "LimitState", "NoteItem", "NoteSection",
    "SopRun", "TicketLinks", "build_note", "document_name", "format_minutes", "handoff_markdown",
    "handoff_text", "limit_states", "missing_required", "resolution_article", "run_from_answers",
    "run_to_answers", "sop_version", "started_from", "ticket_plain_text",
]
