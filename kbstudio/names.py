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
