"""Content health: lint rules over a knowledge base, with no Qt and no work at import time."""

from kbstudio.lint.engine import Linter, lint_documents, lint_kb, sort_key
from kbstudio.lint.registry import RULE_IDS, RULES, select_rules
from kbstudio.lint.rule import LintContext, Rule

__all__ = ["RULES", "RULE_IDS", "LintContext", "Linter", "Rule", "lint_documents", "lint_kb",
           "select_rules", "sort_key"]
