"""Fixing and resolving flags: "Fix it" (the editor at the flag's place), "Resolve" (who, which commit),
and Health's "Resolve this flag..." on the findings of rule ``flag-open``.

``FlagActions`` belongs to a ``LoopController`` (``kbstudio.ui.loop.controller``): it reads the
flags the controller holds and runs its work on the controller's worker. Who may fix is the core's
rule (``kbstudio.loop.flags.may_fix``): a role at or above the document's tier.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from kbstudio.loop.anchors import anchor_line
from kbstudio.loop.flags import Flag, may_fix
from kbstudio.loop.ledger import document_version
from kbstudio.loop.service import KnowledgeLoop, Recorded
from kbstudio.model import DocumentFields, Problem
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.health_panel import FindingAction
from kbstudio.ui.loop.flag_dialog import ResolveDialog
from kbstudio.ui.loop.use_dialog import document_label

if TYPE_CHECKING:
    from kbstudio.ui.loop.controller import LoopController

FLAG_RULE = "flag-open"          # Health's rule for open flags (kbstudio.lint.rules_loop)
# How that rule names the flag in its message: "... (flag 1a2b3c4d; resolve with ...)".
FLAG_IN_FINDING = re.compile(r"\(flag ([0-9a-f]{4,})\b")


class FlagActions(QObject):
    """Fix it, Resolve, and Health's resolve action, for the flags of one ``LoopController``."""

    def __init__(self, loop: LoopController) -> None:
        super().__init__(loop)
        self.loop = loop

    def fix(self, flag_id: str) -> DocumentTab | None:
        """Open the flagged document in the editor at the flag's place (its heading or line)."""
        flag = self.loop.flag_by_id(flag_id)
        if flag is None:
            return None
        document = self.loop.document_of(flag)
        if document is None:
            self.loop.messageRequested.emit(f"The flagged document {flag.document or flag.path} "
                                            "is no longer here")
            return None
        if not may_fix(self.loop.role, document.tier):
            self.loop.messageRequested.emit(f"Fixing a {document.tier} document needs a {document.tier} "
                                            "role or higher: flag it for its owner instead")
            return None
        tab = self.loop.open_document(document.rel_path, edit=True)
        if not isinstance(tab, DocumentTab):
            return None
        line = anchor_line(tab.document, flag.anchor) if flag.anchor else None
        # The cursor goes below a flagged heading (or onto a flagged line) with nothing selected:
        # the fixer starts typing at once, and a selected heading would be replaced by the fix.
        heading = line is not None and flag.anchor is not None and not flag.anchor.isdigit()
        target = (line + 1 if heading else line) if line is not None else tab.document.body_line
        tab.go_to_line(min(target, tab.editor.blockCount()), select=False)
        where = f" at {flag.anchor}" if flag.anchor else ""
        if flag.anchor and line is None:     # a heading renamed since, or a line past the end
            self.loop.messageRequested.emit(f"The flagged place ({flag.anchor}) is not in the document "
                                            "any more: the editor opens at its start")
            return tab
        self.loop.messageRequested.emit(f"Fix it{where}: save, commit, then Resolve on the flag bar")
        return tab

    def resolve(self, flag_id: str) -> bool:
        """Ask to resolve a flag (showing the commit it will name); record who and which commit."""
        flag = self.loop.flag_by_id(flag_id)
        kb = self.loop.kb()
        if flag is None or kb is None:
            return False
        document = self.loop.document_of(flag)
        tier = document.tier if document is not None else None
        if not may_fix(self.loop.role, tier):
            self.loop.messageRequested.emit(f"Resolving a flag on a {tier} document needs a {tier} "
                                            "role or higher")
            return False
        title = document_label(document) if document is not None else (flag.document or flag.path or "")

        def version(loop: KnowledgeLoop) -> tuple[str | None, bool, bool]:
            found = document_version(kb.root, kb.disk_rel(flag.path), loop.repo) if flag.path else None
            versioned = loop.repo is not None
            return (found if found and not found.startswith("blob:") else None,
                    bool(found and found.startswith("blob:") and versioned), versioned)

        return self.loop.work("resolving the flag", version,
                          lambda found: self._ask_resolve(flag, document, title, *found))

    def _ask_resolve(self, flag: Flag, document: DocumentFields | None, title: str, commit: str | None,
                     uncommitted: bool, versioned: bool) -> None:
        dialog = ResolveDialog(flag, title, commit, uncommitted, self.loop.dialog_parent)
        tier = self.loop.role

        def accepted() -> None:
            note = dialog.note_text()
            self.loop.work("resolving the flag",
                       lambda loop: loop.resolve_flag(flag.id[:12], note=note, tier=tier),
                       lambda recorded: self._resolved(flag, title, recorded))

        dialog.accepted.connect(accepted)
        self.loop.show_dialog(dialog)

    def _resolved(self, flag: Flag, title: str, recorded: Recorded) -> None:
        commit = getattr(recorded.record, "commit", None)
        fixed = f" (fixed in {commit[:8]})" if commit else ""
        self.loop.messageRequested.emit(f"Flag resolved: {title}{fixed}")
        self.loop.recorded.emit(recorded)
        self.loop.records_changed(recorded)

    def flag_of_finding(self, problem: Problem) -> Flag | None:
        """Return the open flag a Health finding of rule ``flag-open`` names (by its id's start)."""
        match = FLAG_IN_FINDING.search(problem.message) if problem.rule == FLAG_RULE else None
        if match is None:
            return None
        wanted = match.group(1)
        return next((flag for flag in self.loop.flags if flag.is_open and flag.id.startswith(wanted)), None)

    def health_action(self) -> FindingAction:
        """Return Health's "Resolve this flag..." on the findings of open flags."""
        def run(problem: Problem) -> None:
            flag = self.flag_of_finding(problem)
            if flag is not None:
                self.resolve(flag.id)

        return FindingAction("Resolve this flag...",
                             lambda problem: self.flag_of_finding(problem) is not None, run)

    def show_anchor(self, tab: DocumentTab, flag_id: str) -> None:
        flag = self.loop.flag_by_id(flag_id)
        if flag is None or not flag.anchor:
            return
        if flag.anchor.isdigit():
            tab.go_to_line(int(flag.anchor))
        else:
            tab.preview.scrollToAnchor(flag.anchor)
