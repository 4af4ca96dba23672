"""SOPs: required sections (with tolerated variants), escalates_to present and above the tier."""

from __future__ import annotations

from pathlib import Path

from tests.lint.helpers import SOP_BODY, lint, make, sop, where


def test_clean_sop_and_heading_variants(tmp_path: Path) -> None:
    variants = (SOP_BODY.replace("## When to escalate", "### When To Escalate:")
                .replace("## Before escalating", "## Checks before escalating")
                .replace("## Information to collect", "## 3. Information to gather")
                .replace("## Escalate to", "## Escalate to:"))
    root = make(tmp_path, {"a.md": sop(), "b.md": sop("SOP-2", body=variants)})
    assert [p for p in lint(root) if p.rule.startswith("sop-")] == []


def test_missing_sections_are_reported_at_the_title(tmp_path: Path) -> None:
    body = SOP_BODY.replace("## Before escalating", "## Notes").replace("## Escalate to", "## Other notes")
    root = make(tmp_path, {"a.md": sop(body=body),
                           "archived.md": sop("SOP-2", body="# Old\n", status="archived")})
    problems = [p for p in lint(root) if p.rule == "sop-missing-section"]
    assert [(p.path, p.line, p.severity) for p in problems] == [("a.md", 3, "error")] * 2
    assert {p.message for p in problems} == {"SOP has no 'Before escalating' section",
                                             "SOP has no 'Escalate to' section"}


def test_escalating_to_own_or_lower_tier(tmp_path: Path) -> None:
    root = make(tmp_path, {"own.md": sop("SOP-1", tier="L2", escalates_to="L2"),
                           "down.md": sop("SOP-2", tier="L3", escalates_to="l1"),
                           "up.md": sop("SOP-3", tier="L3", escalates_to="L4")})
    problems = [p for p in lint(root) if p.rule == "sop-escalation-tier"]
    assert [(p.path, p.line) for p in problems] == [("down.md", 6), ("own.md", 6)]
    assert "lower tier" in problems[0].message and "own tier" in problems[1].message


def test_sop_without_escalates_to(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": sop(escalates_to=None)})
    assert where(lint(root), "sop-missing-escalates-to") == [("a.md", 5)]


def test_sop_parts_run_mode_cannot_use_are_warnings_at_their_line(tmp_path: Path) -> None:
    body = (SOP_BODY.replace("- [ ] Restart the printer.", "- Restart the printer.")
            .replace("- **Printer name** (required): the label on the printer.",
                     "- the label on the printer"))
    root = make(tmp_path, {"a.md": sop(body=body)})
    found = [(p.line, p.severity, p.message) for p in lint(root) if p.rule == "sop-structure"]
    assert found and all(severity == "warning" for _, severity, _ in found)
    text = (root / "a.md").read_text("utf-8").splitlines()
    lines = {line for line, _, _ in found}
    assert any(text[line - 1].startswith("- Restart") for line in lines)
    assert any(text[line - 1].startswith("- the label") for line in lines)
