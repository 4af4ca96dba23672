"""Markdown syntax highlighting for the editor."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument


def _format(colour: str, bold: bool = False, italic: bool = False, mono: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    if italic:
        fmt.setFontItalic(True)
    if mono:
        fmt.setFontFamilies(["monospace"])
    return fmt


RULES: list[tuple[re.Pattern[str], QTextCharFormat]] = [
    (re.compile(r"^#{1,6}\s.*$"), _format("#1565c0", bold=True)),
    (re.compile(r"\*\*[^*]+\*\*|__[^_]+__"), _format("#000000", bold=True)),
    (re.compile(r"(?<![*\w])\*[^*\s][^*]*\*(?!\*)"), _format("#444444", italic=True)),
    (re.compile(r"`[^`]+`"), _format("#ad1457", mono=True)),
    (re.compile(r"!?\[[^\]]*\]\([^)]*\)"), _format("#00838f")),
    (re.compile(r"^\s*([-*+]|\d+\.)\s(\[[ xX]\]\s)?"), _format("#ef6c00", bold=True)),
    (re.compile(r"^>\s?\[!\w+\].*$|^>.*$"), _format("#6a1b9a")),
]
FENCE = re.compile(r"^\s*(```|~~~)")
FRONT_MATTER = _format("#757575", mono=True)
CODE = _format("#37474f", mono=True)


class MarkdownHighlighter(QSyntaxHighlighter):
    """Colours headings, emphasis, code, links, lists, quotes, fences and front matter."""

    IN_CODE, IN_FRONT_MATTER = 1, 2

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        previous = self.previousBlockState()
        block_number = self.currentBlock().blockNumber()
        if block_number == 0 and text.strip() == "---":
            self.setFormat(0, len(text), FRONT_MATTER)
            self.setCurrentBlockState(self.IN_FRONT_MATTER)
            return
        if previous == self.IN_FRONT_MATTER:
            self.setFormat(0, len(text), FRONT_MATTER)
            self.setCurrentBlockState(-1 if text.strip() in ("---", "...") else self.IN_FRONT_MATTER)
            return
        if FENCE.match(text):
            self.setFormat(0, len(text), CODE)
            self.setCurrentBlockState(-1 if previous == self.IN_CODE else self.IN_CODE)
            return
        if previous == self.IN_CODE:
            self.setFormat(0, len(text), CODE)
            self.setCurrentBlockState(self.IN_CODE)
            return
        self.setCurrentBlockState(-1)
        for pattern, fmt in RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
