"""Names compared as people read them: file names, KB paths, links, ids and search words.

The same visible name can be stored two ways. ``café`` is one code point for é when typed on most
keyboards (NFC, composed) but ``e`` plus a combining accent when a Mac tool or archive wrote it
(NFD, decomposed). Linux and git keep whichever bytes they were given; macOS preserves the form
but finds either. So KB Studio compares names in NFC, in the functions here, and still reads and
writes a file under the name its file system (or git) stores:

- paths, links, file names and search words: ``nfc`` and ``same_name``; ``find_path`` finds the
  file on disk whichever form a path was typed in, ``spellings`` are the forms to try where names
  are stored as bytes (git);
- document ids: ``id_key``, which is NFKC and upper case. Ids are ASCII (``KB-0042``), but one
  typed through a CJK input method or pasted from a ticket can arrive as full-width
  ``ＫＢ－００４２``; NFKC folds those compatibility forms to ASCII, upper case makes ``kb-0042``
  the same id, as it always was. Paths and words are not NFKC-folded: that would make ``ﬁle.md``
  and ``file.md`` one name, which no file system does.

A name can also be bytes that are not UTF-8 at all (an archive or another system's tool wrote it):
Python holds each such byte as a surrogate escape (``\\udcff``), which no UTF-8 output can carry.
Such names, and names with control or text-direction characters (a newline, ``U+202E`` which
shows ``gnp.exe`` as ``exe.png``), are shown and reported the same way everywhere, here:

- ``shown_name`` is the name as every message and listing shows it: a byte that is not UTF-8 as
  ``\\xff``, ``\\n``, ``\\t``, other control characters as ``\\x1b``, direction characters as
  ``\\u202e``; ``name_problems`` says what is wrong with a name (a ``file-name-not-utf8`` error,
  a ``file-name-characters`` warning) and ``skipped_name`` why the index leaves a file out;
- ``shown_text`` and ``json_text`` make any output text safe for a terminal or JSON: the command
  line passes everything it prints through them (``kbstudio.cli``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the form names, paths and words are compared in."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def same_name(first: str, second: str) -> bool:
    """Return True when two names, paths or words are the same text in any normalisation form."""
    return first == second or nfc(first) == nfc(second)


def spellings(text: str) -> list[str]:
    """Return the distinct ways ``text`` can be stored as bytes: as given, NFC, then NFD."""
    if text.isascii():
        return [text]
    forms = [text]
    for form in (nfc(text), unicodedata.normalize("NFD", text)):
        if form not in forms:
            forms.append(form)
    return forms


def form_name(text: str) -> str:
    """Return which normalisation form ``text`` is in: 'NFC', 'NFD', or 'mixed' when neither."""
    if unicodedata.is_normalized("NFC", text):
        return "NFC"
    return "NFD" if unicodedata.is_normalized("NFD", text) else "mixed"


def id_key(doc_id: str) -> str:
    """Return the form document ids are compared in: NFKC, without surrounding space, upper case."""
    doc_id = doc_id.strip()
    if not doc_id.isascii():
        doc_id = unicodedata.normalize("NFKC", doc_id)
    return doc_id.upper()


_NUMBERED_ID = re.compile(r"([A-Z]{1,12})[-_ ]?0*(\d{1,12})")
_TITLE_WORD = re.compile(r"\w+")


def id_search_key(text: str) -> str:
    """Return the form a document id is looked up by in search: ``kb-0002``, ``KB 2`` -> ``KB-2``.

    Letters and a number (``SOP-0003``, ``kb_12``) compare by prefix and number, so leading zeros,
    case and the separator do not matter; any other id compares by ``id_key``.
    """
    key = id_key(text)
    match = _NUMBERED_ID.fullmatch(key)
    return f"{match.group(1)}-{int(match.group(2))}" if match else key


def title_key(text: str) -> str:
    """Return the form titles are compared in: NFC, case-folded words, single spaces, no punctuation."""
    return " ".join(_TITLE_WORD.findall(nfc(text).casefold()))


def fold_accents(text: str) -> str:
    """Return ``text`` without accents: ``café`` -> ``cafe``, ``Ångström`` -> ``Angstrom``.

    Decomposes (NFKD), drops the combining marks (Unicode category Mn) and recomposes (NFC).
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def find_path(root: Path, rel: str) -> Path | None:
    """Return the file or folder ``rel`` (relative to ``root``, '/'-separated) names on disk, else None.

    ``rel`` may be typed in any normalisation form: each part missing under that spelling is looked
    for among its folder's entries by NFC. The path returned is the one on disk, for reading and
    writing. Among entries that differ only in their form (a lint error), one spelled as typed wins,
    else the first in code point order.
    """
    root = Path(root)
    direct = root / rel
    if os.path.exists(direct):
        return direct
    if rel.isascii():   # ASCII has one spelling in every form
        return None
    current = root
    for part in rel.split("/"):
        if part in ("", "."):
            continue
        candidate = current / part
        if part == ".." or os.path.lexists(candidate):
            current = candidate
            continue
        wanted = nfc(part)
        try:
            with os.scandir(current) as entries:
                matches = sorted(entry.name for entry in entries if nfc(entry.name) == wanted)
        except OSError:
            return None
        if not matches:
            return None
        current = current / matches[0]
    return current if os.path.exists(current) else None


NAME_NOT_UTF8 = "file-name-not-utf8"        # error: the name's bytes are not UTF-8
NAME_CHARACTERS = "file-name-characters"    # warning: control or text-direction characters
NOT_UTF8 = "file name is not valid UTF-8"

# Characters never printed as they are: control characters (C0 but tab, newline and carriage
# return, and ESC starting a colour or bold sequence, which the command line draws; DEL; C1), the
# embedding/override/isolate controls that reorder text on screen (Trojan Source), and lone
# surrogates (U+DC80-U+DCFF are the bytes of a name that is not UTF-8).
_TEXT_UNSAFE = re.compile("\x1b(?!\\[[0-9;]*m)|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f"
                          "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# In a name also tab, newline, carriage return and the invisible direction marks (LRM, RLM, ALM).
_NAME_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_PLAIN_ASCII = b"\t\n\r" + bytes(range(0x20, 0x7F))   # the ASCII _TEXT_UNSAFE never matches


def _undecodable_byte(char: str) -> int | None:
    """Return the byte a surrogate escape stands for (U+DCFF -> 0xff), else None."""
    code = ord(char)
    return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else None


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    byte = _undecodable_byte(char)
    if byte is not None:
        return f"\\x{byte:02x}"
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    char = match.group(0)
    byte = _undecodable_byte(char)
    # inside a JSON string: the backslash of the shown \xff escaped, so the value reads \xff
    return f"\\\\x{byte:02x}" if byte is not None else f"\\u{ord(char):04x}"


def is_utf8_name(rel: str) -> bool:
    """Return True when a name or KB-relative path is valid UTF-8 (holds no surrogate escape)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(rel: str) -> str:
    """Return a name or KB-relative path as messages and listings show it: always one safe line.

    Bytes that are not UTF-8 become ``\\xff``; tab, newline and carriage return ``\\t``, ``\\n``,
    ``\\r``; other control characters ``\\x1b``; direction controls and marks ``\\u202e``.
    Any other name (NFD ones too) is shown as it is.
    """
    return _NAME_UNSAFE.sub(_escape, rel)


def _plain(text: str) -> bool:
    """Return True when ``text`` holds nothing ``_TEXT_UNSAFE`` matches, checked in C without the
    regex: printable ASCII, tabs and line breaks, or text ``str.isprintable`` passes once its tabs
    and line breaks are spaces (every character the regex matches is a control, format or
    surrogate character, which it does not pass). ``kbstudio lint --json`` prints 80 MB on 25,000
    near-duplicates: the regex scan took 0.7 s of it, this 0.3 s."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PLAIN_ASCII)
    return text.replace("\n", " ").replace("\t", " ").replace("\r", " ").isprintable()


def shown_text(text: str) -> str:
    """Return output text safe for a terminal: as ``shown_name`` but keeping tabs and line breaks
    and the direction marks right-to-left text uses."""
    return text if _plain(text) else _TEXT_UNSAFE.sub(_escape, text)


def json_text(text: str) -> str:
    """Return JSON text (``json.dumps(..., ensure_ascii=False)``) safe to print and valid UTF-8.

    Characters ``shown_text`` escapes become JSON escapes of themselves (``\\u202e``: the value is
    unchanged), except bytes that are not UTF-8, which no JSON string can hold: their value
    becomes the shown ``\\xff``.
    """
    return text if _plain(text) else _TEXT_UNSAFE.sub(_json_escape, text)


def name_problems(rel: str) -> list[tuple[str, str]]:
    """Return what is wrong with a document's name or KB-relative path, as (rule, message) pairs.

    ``file-name-not-utf8`` (an error: the file is left out of search, and git, links and other
    systems may not name it the same way) or ``file-name-characters`` (a warning: a control or
    text-direction character, which other tools show wrongly or misleadingly).
    """
    if not is_utf8_name(rel):
        return [(NAME_NOT_UTF8, f"{NOT_UTF8}; rename it")]
    unsafe = sorted(set(_NAME_UNSAFE.findall(rel)))
    if unsafe:
        shown = ", ".join(shown_name(char) for char in unsafe)
        return [(NAME_CHARACTERS, f"file name has control or text-direction characters ({shown}); "
                 "rename it")]
    return []


def skipped_name(rel: str) -> str | None:
    """Return why the file at KB-relative ``rel`` cannot be indexed, or None when it can.

    A name that is not valid UTF-8 cannot be stored, shown or opened by name reliably: it is left
    out, with a message asking for a rename.
    """
    if is_utf8_name(rel):
        return None
    return f"{shown_name(rel)}: {NOT_UTF8}; rename the file to make it searchable"
