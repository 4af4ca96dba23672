"""What every knowledge-loop record shares: its time, ids, and checked text fields.

Records (uses, flag events, search gaps) are JSON objects, one per line (JSON Lines). A record
read from a file is checked field by field: a value of the wrong type raises ``RecordError``
naming the field, which the reader reports at the file and line and skips
(``kbstudio.loop.logfiles``). Times are UTC, ISO 8601 with a ``Z`` (``2026-11-05T10:02:03Z``),
so that files written on machines in different zones sort and compare alike.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kbstudio.model import TIERS

FORMAT_VERSION = 1
MAX_TEXT = 2000          # characters of a comment, ticket reference or query kept (longer is cut)
MAX_LIST = 20            # searches kept with one use


class RecordError(ValueError):
    """A record, or a value given for one, that does not fit; the message names the field."""


def utc_now() -> datetime:
    """Return the current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    """Return ``moment`` as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any, name: str = "time") -> datetime:
    """Return the aware UTC time written in ``value``; raise RecordError when it is none."""
    if not isinstance(value, str):
        raise RecordError(f"{name} must be text (an ISO 8601 time), not {type(value).__name__}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"{name} '{value[:40]}' is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def new_id() -> str:
    """Return a new random record id (UUID 4, 32 hex digits): unique across people and machines."""
    return uuid.uuid4().hex


# Unicode category Cc (C0 and C1 controls, DEL) but tab and line breaks, which comments may hold.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def text_value(data: Mapping[str, Any], name: str, *, required: bool = False, limit: int = MAX_TEXT,
               one_line: bool = True) -> str | None:
    """Return field ``name`` of ``data`` as text: None when missing or empty (RecordError if required).

    Numbers are taken as their text (a ticket reference ``12345`` written without quotes); lists,
    objects, booleans and control characters are refused. Text longer than ``limit`` is cut.
    """
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise RecordError(f"{name} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(f"{name} must be text, not {type(value).__name__}")
    text = str(value)
    if one_line:
        text = " ".join(text.split())
    else:
        text = text.strip()
    if _control(text):
        raise RecordError(f"{name} contains control characters")
    if not text:
        if required:
            raise RecordError(f"{name} is empty")
        return None
    return text[:limit]


def choice_value(data: Mapping[str, Any], name: str, choices: tuple[str, ...], *,
                 required: bool = True) -> str | None:
    """Return field ``name`` when it is one of ``choices``; raise RecordError otherwise."""
    value = text_value(data, name, required=required)
    if value is None:
        return None
    if value not in choices:
        raise RecordError(f"{name} '{value[:40]}' is not one of {', '.join(choices)}")
    return value


def tier_value(data: Mapping[str, Any], name: str = "tier") -> str | None:
    """Return a tier L0-L4 (any letter case) or None when missing; raise RecordError otherwise."""
    value = text_value(data, name)
    if value is None:
        return None
    if value.upper() not in TIERS:
        raise RecordError(f"{name} '{value[:40]}' is not one of {', '.join(TIERS)}")
    return value.upper()


def text_list(data: Mapping[str, Any], name: str, limit: int = MAX_LIST) -> list[str]:
    """Return field ``name`` as a list of texts (missing: empty); raise RecordError for other types."""
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{name} must be a list of texts, not {type(value).__name__}")
    items = []
    for number, item in enumerate(value, 1):
        text = text_value({"item": item}, "item")
        if text is None:
            continue
        if _control(text):
            raise RecordError(f"{name} item {number} contains control characters")
        items.append(text)
    return items[:limit]


def int_value(data: Mapping[str, Any], name: str, default: int = 0) -> int:
    """Return field ``name`` as a whole number of at least 0 (missing: ``default``)."""
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{name} must be a whole number of at least 0, not {value!r:.40}")
    return value


def check_version(data: Mapping[str, Any]) -> None:
    """Raise RecordError when a record says it is of a later format than this program reads."""
    version = data.get("v", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise RecordError(f"v must be a whole number, not {version!r:.40}")
    if version > FORMAT_VERSION:
        raise RecordError(f"written by a newer KB Studio (format {version}; this one reads "
                          f"{FORMAT_VERSION}): update KB Studio to read it")
