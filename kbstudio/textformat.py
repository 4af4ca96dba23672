"""A document's byte conventions (line endings, byte-order mark), kept from load to save.

Editors and the field editor work on text with ``\\n`` line endings; a document is written back
with the conventions it was read with, so a one-field change is a one-line diff for LF, CRLF and
BOM files alike and opening a document never changes it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

BOM = codecs.BOM_UTF8.decode("utf-8")   # "\ufeff"


@dataclass(frozen=True)
class TextFormat:
    """How a file writes its lines: ``newline`` is "\\n" or "\\r\\n"; ``bom`` a leading UTF-8 BOM."""

    newline: str = "\n"
    bom: bool = False

    @classmethod
    def of_text(cls, text: str, bom: bool = False) -> TextFormat:
        """Return the format of decoded ``text``: CRLF when most of its line breaks are CRLF.

        A file that mixes both is written back with the majority, the way git's ``text=auto``
        normalises; a file without line breaks counts as LF.
        """
        crlf = text.count("\r\n")
        return cls("\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n", bom or text.startswith(BOM))

    @classmethod
    def of_bytes(cls, data: bytes) -> TextFormat:
        """Return the format of raw file bytes."""
        crlf = data.count(b"\r\n")
        newline = "\r\n" if crlf and crlf * 2 >= data.count(b"\n") else "\n"
        return cls(newline, data.startswith(codecs.BOM_UTF8))

    @staticmethod
    def to_editor(text: str) -> str:
        """Return ``text`` as the editor and the field editor see it: LF line endings, no BOM."""
        text = text[1:] if text.startswith(BOM) else text
        return text.replace("\r\n", "\n") if "\r" in text else text

    def to_disk(self, text: str) -> str:
        """Return editor ``text`` with this format's line endings and BOM, ready to encode."""
        text = self.to_editor(text)
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return BOM + text if self.bom else text

    def encode(self, text: str) -> bytes:
        """Return editor ``text`` as the bytes to write (UTF-8)."""
        return self.to_disk(text).encode("utf-8")
