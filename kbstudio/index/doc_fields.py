"""One document as the index stores it: its fields and its manifest entry, read and parsed once.

The index build, its worker processes and the scan that answers while the index cannot all read
documents through ``document_fields``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kbstudio.index.analysis import count_tokens
from kbstudio.index.text import index_text
from kbstudio.names import id_search_key, nfc, title_key
from kbstudio.reader import UnreadableError, parse_document, read_bytes, unreadable_document

# A manifest entry: (mtime_ns, size, content hash) of the file as it was indexed.
Entry = tuple[int, int, str]


def stat_key(path: Path) -> tuple[int, int] | None:
    """Return (mtime_ns, size) of the file at ``path``, None when it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def read_file(root: Path, path: Path) -> tuple[bytes | None, UnreadableError | None]:
    """Return the bytes of a document file, or the reason it cannot be read."""
    try:
        return read_bytes(path, root, walked=True), None
    except UnreadableError as error:
        return None, error


def fields_of(root: Path, path: Path, data: bytes | None, error: UnreadableError | None,
              mtime: int) -> tuple[dict[str, Any], str]:
    """Return the index fields of a document read as ``data`` (or unreadable for ``error``) and
    its content hash; ``mtime`` is in seconds."""
    rel = path.relative_to(root).as_posix()
    if error is not None or data is None:
        document = unreadable_document(path, rel, error or UnreadableError("unreadable", "unreadable"))
    else:
        document = parse_document(path, rel, data)
    parts = index_text(document)
    return {
        "path": rel,
        "doc_id": document.id or "",
        "id_key": id_search_key(document.id) if document.id else "",
        "title_key": title_key(parts.title),
        "title": parts.title,
        "issue": parts.issue + "\n" + parts.headings,
        "body": parts.body,
        "code": parts.code,
        "spell": " ".join((parts.title, parts.headings, " ".join(document.tags))),
        "tier": document.tier or "untiered",
        "kind": document.kind,
        "status": document.status,
        "tags": nfc(",".join(t.replace(",", " ") for t in document.tags)),
        "products": nfc(",".join(p.replace(",", " ") for p in document.products)),
        "mtime": mtime,
        "len_title": count_tokens(parts.title),
        "len_issue": count_tokens(parts.issue) + count_tokens(parts.headings),
        "len_body": count_tokens(parts.body),
        "len_code": count_tokens(parts.code),
        "problems": len(document.problems),
    }, document.content_hash


def document_fields(root: Path, path: Path) -> tuple[dict[str, Any], Entry] | None:
    """Return the index fields and manifest entry of the file at ``path``, None when it's gone.

    ``root`` is the KB's resolved root and ``path`` a file found below it.
    """
    key = stat_key(path)
    if key is None:
        return None
    data, error = read_file(root, path)
    fields, digest = fields_of(root, path, data, error, key[0] // 1_000_000_000)
    return fields, (key[0], key[1], digest)
