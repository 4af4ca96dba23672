"""Every lint rule, in the order they are documented."""

from __future__ import annotations

from collections.abc import Iterable

from kbstudio.fields import FIELDS, REQUIRED_WHEN_PUBLISHED
from kbstudio.lint import (
    rules_content,
    rules_links,
    rules_loop,
    rules_privacy,
    rules_schema,
    rules_sop,
    rules_synonyms,
)
from kbstudio.lint.rule import Rule, no_page_check
from kbstudio.model import ERROR, WARNING
from kbstudio.names import NAME_CHARACTERS, NAME_NOT_UTF8


def _names(names: Iterable[str]) -> str:
    items = list(names)
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


RULES: tuple[Rule, ...] = (
    Rule("unreadable", ERROR, "the file cannot be read: bad YAML, invalid UTF-8, binary, too large",
         rules_schema.check_unreadable),
    Rule(NAME_NOT_UTF8, ERROR, "a file or folder name that is not valid UTF-8 (left out of search)",
         rules_schema.name_check(NAME_NOT_UTF8)),
    Rule("missing-field", ERROR, f"a published document lacks {_names(REQUIRED_WHEN_PUBLISHED)}",
         rules_schema.check_missing_field),
    Rule("invalid-value", ERROR, "a front-matter field has a value its type does not allow "
         f"({_names(f.name for f in FIELDS if f.rule == 'invalid-value')})",
         rules_schema.check_invalid_value),
    Rule("duplicate-id", ERROR, "two documents have the same id", rules_schema.check_duplicate_id,
         cross=True),
    Rule("broken-link", ERROR, "a relative link points to a file that does not exist",
         rules_links.check_broken_link, cross=True),
    Rule("broken-image", ERROR, "an image path points to a file that does not exist",
         rules_links.check_broken_image, cross=True),
    Rule("unicode-name-clash", ERROR, "two documents' paths differ only in Unicode normalisation (NFC/NFD)",
         rules_links.check_unicode_name_clash, cross=True),
    Rule("sop-missing-section", ERROR,
         "an SOP lacks When to escalate, Before escalating, Information to collect or Escalate to",
         rules_sop.check_sop_missing_section),
    Rule("sop-structure", WARNING, "an SOP part that run mode cannot use (a check, a field, a time limit)",
         rules_sop.check_sop_structure),
    Rule("sop-missing-escalates-to", ERROR, "an SOP has no escalates_to tier",
         rules_sop.check_sop_missing_escalates_to),
    Rule("sop-escalation-tier", ERROR, "an SOP escalates to its own tier or a lower one",
         rules_sop.check_sop_escalation_tier),
    Rule("synonyms-invalid", ERROR, "an entry of .kbstudio/synonyms.yaml that search cannot use",
         no_page_check, kb_check=rules_synonyms.check_synonyms_invalid),
    Rule(NAME_CHARACTERS, WARNING, "a file or folder name with control or text-direction characters",
         rules_schema.name_check(NAME_CHARACTERS)),
    Rule("duplicate-key", WARNING, "a front-matter key appears twice", rules_schema.check_duplicate_key),
    Rule("broken-anchor", WARNING, "a link points to a #heading the target document does not have",
         rules_links.check_broken_anchor, cross=True),
    Rule("stale", WARNING, "review_by of a review or published document has passed",
         rules_content.check_stale),
    Rule("orphan", WARNING, "no other document links to a review or published document and it has no tags",
         rules_links.check_orphan, cross=True),
    Rule("likely-duplicate", WARNING, "another document has a very similar title or issue statement",
         rules_content.check_likely_duplicate, needs_similarity=True, cross=True),
    Rule("personal-email", WARNING, "a person's email address in the body",
         rules_privacy.check_personal_email),
    Rule("personal-phone", WARNING, "a phone number in the body", rules_privacy.check_personal_phone),
    Rule("empty-section", WARNING, "a heading with nothing under it in a review or published document",
         rules_content.check_empty_section),
    Rule("todo", WARNING, "TODO or FIXME left in a review or published document", rules_content.check_todo),
    Rule("synonym-unused", WARNING, "a synonym group of .kbstudio/synonyms.yaml none of whose terms is in "
         "any document", no_page_check, kb_check=rules_synonyms.check_synonym_unused),
    Rule("synonym-stop-words", WARNING, "a synonym group of .kbstudio/synonyms.yaml made only of words "
         "search ignores (the, a, is...)", no_page_check, kb_check=rules_synonyms.check_synonym_stop_words),
    Rule("flag-open", WARNING, "a reader flagged the document (wrong, outdated, unclear, missing step, "
         "duplicate) and nobody has resolved it yet", no_page_check, kb_check=rules_loop.check_flag_open),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)


def select_rules(only: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> tuple[Rule, ...]:
    """Return the rules named in ``only`` (all when None) minus those in ``ignore``.

    Raises ValueError naming any unknown rule id.
    """
    only_set = set(only) if only is not None else set(RULE_IDS)
    ignore_set = set(ignore)
    unknown = sorted((only_set | ignore_set) - set(RULE_IDS))
    if unknown:
        raise ValueError(f"unknown lint rule {', '.join(unknown)}; rules are {', '.join(RULE_IDS)}")
    return tuple(rule for rule in RULES if rule.id in only_set and rule.id not in ignore_set)
